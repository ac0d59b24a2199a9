#include "core/pipeline/reference_cache.h"

#include "core/pipeline/style_aligned_pipeline.h"

namespace sa {

std::shared_ptr<ReferenceTape> ReferenceCache::find(const std::string& key) {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
        if (it->first == key) {
            entries_.splice(entries_.begin(), entries_, it);
            ++hits_;
            return entries_.front().second;
        }
    ++misses_;
    return nullptr;
}

bool ReferenceCache::contains(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return std::any_of(entries_.begin(), entries_.end(), [&](const auto& entry) { return entry.first == key; });
}

void ReferenceCache::store(const std::string& key, std::shared_ptr<ReferenceTape> tape) {
    std::lock_guard lock(mutex_);
    entries_.remove_if([&](const auto& e) { return e.first == key; });
    if (tape->bytes() > maxBytes_) return;
    entries_.emplace_front(key, std::move(tape));
    int64_t total = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
        total += it->second->bytes();
        it = total > maxBytes_ ? entries_.erase(it) : std::next(it);
    }
}

void ReferenceCache::clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
}

int64_t ReferenceCache::bytes() const {
    std::lock_guard lock(mutex_);
    int64_t total = 0;
    for (const auto& e : entries_) total += e.second->bytes();
    return total;
}

namespace {

// FNV-1a over a tensor's bytes: identifies a reference image.
uint64_t tensorHash(const torch::Tensor& t) {
    auto c = t.detach().to(torch::kCPU).contiguous();
    const auto* bytes = static_cast<const uint8_t*>(c.data_ptr());
    uint64_t h = 1469598103934665603ull;
    for (int64_t i = 0; i < c.numel() * c.element_size(); ++i) h = (h ^ bytes[i]) * 1099511628211ull;
    return h;
}

}  // namespace

std::string referenceKey(const StableDiffusionModel& model, const StyleAlignedRequest& r) {
    const auto& g = r.generation;
    // With and without classifier-free guidance the tape has a different number of rows.
    std::string key = fmt::format("model={}@{};dtype={};size={}x{};steps={};cfg={};negative={};ref={}",
                                  model.folder.string(), static_cast<const void*>(&model), c10::toString(model.dtype),
                                  g.width, g.height, g.steps, g.guidanceScale > 1.0, g.negativePrompt, g.prompts.front());
    // LoRAs change every layer they adapt, the reference's included: never replay under others.
    if (const auto loras = model.loraSignature(); !loras.empty()) key += ";lora=" + loras;
    if (g.control.controlsReference())  // the reference row's map and the ControlNet steer the tape
        key += fmt::format(";control={}@{};map={:x};scale={};range={}-{};guess={}", g.control.label,
                           static_cast<const void*>(g.control.net.get()), tensorHash(g.control.images[0]),
                           g.control.scale, g.control.start, g.control.end, g.control.guessMode);
    if (r.referenceImage.defined()) {
        // A tiled encode gives another z0: the tiles the reference was encoded with are part of the key.
        std::string tiles = "none";
        if (model.vae && vaeTilesImage(model.vae->config(), g.vaeTiling, g.height, g.width, model.dtype)) {
            const auto geometry = vaeTileGeometry(model.vae->config(), g.vaeTiling);
            tiles = fmt::format("{}/{}", geometry.sampleTile, geometry.overlap);
        }
        return key + fmt::format(";image={:x};offset={};inversion_guidance={};vae_tiles={}", tensorHash(r.referenceImage),
                                 r.offset, r.inversionGuidance, tiles);
    }
    const auto start = g.initLatents.defined() ? fmt::format("latents={:x}", tensorHash(g.initLatents[0]))
                                               : fmt::format("seed={}", g.seeds.front());
    return key + fmt::format(";{};guidance={}", start, g.guidanceScale);
}

}  // namespace sa
