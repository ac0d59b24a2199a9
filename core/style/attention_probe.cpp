#include "core/style/attention_probe.h"

#include <cmath>

namespace sa {
namespace {

// Stock cross-attention that hands its probabilities to the collector.
class CrossAttentionProbe : public AttnProcessor {
public:
    CrossAttentionProbe(std::string layer, AttentionProbeCollector* collector, std::shared_ptr<StyleAlignedState> state)
        : layer_(std::move(layer)), collector_(collector), state_(std::move(state)) {}

    torch::Tensor operator()(AttentionImpl& attn, const torch::Tensor& hidden, const torch::Tensor* context) override {
        auto x = attn.prepareInput(hidden);
        const auto& c = context ? *context : x;
        auto q = attn.splitHeads(attn.toQ(x)), k = attn.splitHeads(attn.toK(c)), v = attn.splitHeads(attn.toV(c));
        // The stock computation, so that probing never changes a result.
        torch::Tensor probs;
        auto out = chunkedAttention(q, k, v, attn.scale, 0.0, 0, &probs);
        if (collector_->wantsStep(state_->step)) collector_->onCrossAttention(layer_, state_->step, probs);
        return attn.finishOutput(attn.mergeHeads(out), hidden);
    }

private:
    std::string layer_;
    AttentionProbeCollector* collector_;
    std::shared_ptr<StyleAlignedState> state_;
};

}  // namespace

AttentionProbeCollector::AttentionProbeCollector(AttentionProbe probe, int64_t latentHeight, int64_t latentWidth,
                                                 int64_t groups, int64_t rowsPerGroup, int64_t firstTarget)
    : probe_(std::move(probe)),
      latentHeight_(latentHeight),
      latentWidth_(latentWidth),
      groups_(groups),
      rowsPerGroup_(rowsPerGroup),
      firstTarget_(firstTarget) {}

std::pair<int64_t, int64_t> AttentionProbeCollector::grid(int64_t tokens) const {
    // The layer's grid is the latent grid downsampled by a power of two.
    const double factor = std::sqrt(static_cast<double>(latentHeight_ * latentWidth_) / static_cast<double>(tokens));
    const auto scale = static_cast<int64_t>(std::lround(factor));
    const int64_t h = (latentHeight_ + scale - 1) / scale, w = (latentWidth_ + scale - 1) / scale;
    if (h * w != tokens) fail("attention probe: {} tokens do not form a grid of the {}x{} latent", tokens, latentWidth_, latentHeight_);
    return {h, w};
}

torch::Tensor AttentionProbeCollector::condRows(const torch::Tensor& t, int64_t first) const {
    const int64_t start = (groups_ - 1) * rowsPerGroup_ + first;  // the conditional (last) part
    return t.slice(0, start, groups_ * rowsPerGroup_);
}

void AttentionProbeCollector::onSharedAttention(const SharedAttentionTrace& trace) {
    if (!wantsStep(trace.step) || (!probe_.layers.empty() && !probe_.layers.count(trace.layer))) return;
    const int64_t tokens = trace.query.size(2);
    if (trace.probs.size(-1) != 2 * tokens) return;  // layer not sharing at this step
    const auto [h, w] = grid(tokens);
    auto probs = condRows(trace.probs, firstTarget_).mean(1);  // [targets, N, 2N]
    LayerAttentionMaps maps{trace.layer, h, w};
    maps.referenceShare = probs.narrow(-1, tokens, tokens).sum(-1).reshape({-1, h, w}).to(torch::kCPU, torch::kFloat32);
    const auto points = probe_.livePoints ? probe_.livePoints->get() : probe_.points;
    if (!points.empty()) {
        std::vector<torch::Tensor> rows;
        for (const auto& p : points) {
            const int64_t y = std::clamp<int64_t>(static_cast<int64_t>(p[1] * h), 0, h - 1);
            const int64_t x = std::clamp<int64_t>(static_cast<int64_t>(p[0] * w), 0, w - 1);
            rows.push_back(probs.select(1, y * w + x).narrow(-1, tokens, tokens).reshape({-1, h, w}));
        }
        maps.pointMaps = torch::stack(rows, 1).to(torch::kCPU, torch::kFloat32);
    }
    current_.self.push_back(std::move(maps));
}

void AttentionProbeCollector::onCrossAttention(const std::string& layer, int step, const torch::Tensor& probs) {
    const auto [h, w] = grid(probs.size(2));
    auto rows = condRows(probs, 0).mean(1);  // [images, N, tokens]
    current_.cross.push_back(
        {layer, h, w, rows.permute({0, 2, 1}).reshape({rows.size(0), -1, h, w}).to(torch::kCPU, torch::kFloat32)});
}

AttentionMaps AttentionProbeCollector::take(int step) {
    AttentionMaps out = std::move(current_);
    out.step = step;
    current_ = {};
    return out;
}

void AttentionProbeCollector::installCrossProbes(UNet2DConditionModelImpl& unet, const std::shared_ptr<StyleAlignedState>& state) {
    if (!probe_.crossAttention) return;
    std::map<std::string, std::shared_ptr<AttnProcessor>> processors;
    for (const auto& [path, attn] : unet.attentionLayers())
        if (attn->isCrossAttention() && (probe_.layers.empty() || probe_.layers.count(path)))
            processors[path] = std::make_shared<CrossAttentionProbe>(path, this, state);
    unet.setAttnProcessors(processors);
}

}  // namespace sa
