#include "core/pipeline/panorama.h"

#include <chrono>
#include <map>

#include "core/pipeline/text_to_image.h"
#include "core/style/style_aligned_handler.h"

namespace sa {

std::vector<PanoramaView> panoramaViews(int64_t latentHeight, int64_t latentWidth, int64_t window, int64_t stride,
                                        bool circular) {
    if (window < 1 || stride < 1) fail("panorama views need a positive window and stride (got {} and {})", window, stride);
    const int64_t rows = latentHeight > window ? (latentHeight - window) / stride + 1 : 1;
    int64_t columns = 1;
    if (latentWidth > window) columns = circular ? latentWidth / stride : (latentWidth - window) / stride + 1;
    std::vector<PanoramaView> views;
    for (int64_t i = 0; i < rows * columns; ++i) {
        const int64_t top = (i / columns) * stride, left = (i % columns) * stride;
        views.push_back({top, top + window, left, left + window});
    }
    return views;
}

namespace {

// The first latent cell along one direction that no view reaches (`extent` when all are covered).
int64_t firstUncovered(const std::vector<PanoramaView>& views, int64_t extent, bool columns, bool wraps) {
    std::vector<bool> covered(static_cast<size_t>(extent), false);
    for (const auto& v : views) {
        const int64_t begin = columns ? v.left : v.top, end = columns ? v.right : v.bottom;
        for (int64_t x = begin; x < end; ++x)
            if (wraps || x < extent) covered[static_cast<size_t>(x % extent)] = true;
    }
    for (int64_t x = 0; x < extent; ++x)
        if (!covered[static_cast<size_t>(x)]) return x;
    return extent;
}

void requireCovered(const PanoramaLayout& l, int vaeFactor, bool columns) {
    const int64_t extent = columns ? l.latentWidth : l.latentHeight;
    const int64_t gap = firstUncovered(l.views, extent, columns, columns && l.circular);
    if (gap == extent) return;
    // The sizes around this one whose views reach the edge: window + k·stride.
    const int64_t below = l.window + (extent - l.window) / l.stride * l.stride;
    const std::string what = columns ? "width" : "height";
    fail("panorama {} {} px: views of {} latents every {} leave latent {} {}..{} uncovered (the reference leaves "
         "them at zero); make the {} the window plus a multiple of the stride, e.g. {} or {} px",
         what, extent * vaeFactor, l.window, l.stride, columns ? "columns" : "rows", gap, extent - 1, what,
         below * vaeFactor, (below + l.stride) * vaeFactor);
}

void requireShape(const torch::Tensor& t, const std::vector<int64_t>& expected, const std::string& what) {
    if (t.defined() && t.sizes().vec() != expected)
        fail("{} have shape [{}], expected [{}]", what, fmt::join(t.sizes(), ", "), fmt::join(expected, ", "));
}

// Embeddings of one view batch: [reference, panorama × views] (panorama_call repeats the
// panorama's rows view_batch_size times and takes the first 1 + views).
PromptEmbeddings batchRows(const PromptEmbeddings& e, int64_t views) {
    auto rows = [views](const torch::Tensor& t) {
        if (!t.defined()) return t;
        auto sizes = t.sizes().vec();
        sizes[0] = views;
        return torch::cat({t.slice(0, 0, 1), t.slice(0, 1, 2).expand(sizes)});
    };
    return {rows(e.context), rows(e.pooled)};
}

// latents[..., view] (with circular padding the columns past the width taken from the start).
torch::Tensor cutView(const torch::Tensor& latents, const PanoramaView& v) {
    const int64_t width = latents.size(3);
    auto rows = latents.slice(2, v.top, v.bottom);
    if (v.right <= width) return rows.slice(3, v.left, v.right);
    return torch::cat({rows.slice(3, v.left), rows.slice(3, 0, v.right - width)}, 3);
}

// value[..., view] += x, wrapping as cutView cuts.
void addView(torch::Tensor& value, const torch::Tensor& x, const PanoramaView& v) {
    const int64_t width = value.size(3);
    auto rows = value.slice(2, v.top, v.bottom);
    if (v.right <= width) {
        rows.slice(3, v.left, v.right) += x;
        return;
    }
    rows.slice(3, v.left) += x.slice(3, 0, width - v.left);
    rows.slice(3, 0, v.right - width) += x.slice(3, width - v.left);
}

torch::Tensor seededNoise(uint64_t seed, std::vector<int64_t> shape, const StableDiffusionModel& model) {
    auto generator = at::detail::createCPUGenerator(seed);
    return torch::randn(shape, generator).to(model.device, model.dtype);
}

}  // namespace

PanoramaLayout panoramaLayout(const PanoramaRequest& r, int vaeFactor) {
    if (r.steps <= 0) fail("panorama: steps must be at least 1 (got {})", r.steps);
    if (r.viewBatchSize < 1) fail("panorama: view batch size must be at least 1 (got {})", r.viewBatchSize);
    if (r.height <= 0 || r.width <= 0 || r.height % vaeFactor != 0 || r.width % vaeFactor != 0)
        fail("panorama size {}x{} px must be positive multiples of the VAE factor {}", r.width, r.height, vaeFactor);
    if (r.window < 1) fail("panorama: window must be at least 1 latent (got {})", r.window);
    if (r.stride < 1) fail("panorama: stride must be positive (got {})", r.stride);
    if (r.stride > r.window)
        fail("panorama: stride {} is larger than the window {}: the views would leave gaps", r.stride, r.window);
    PanoramaLayout l;
    l.latentHeight = r.height / vaeFactor;
    l.latentWidth = r.width / vaeFactor;
    l.window = r.window;
    l.stride = r.stride;
    l.circular = r.circularPadding;
    if (l.latentHeight < l.window || l.latentWidth < l.window)
        fail("panorama size {}x{} px is smaller than the window of {} latents ({}x{} px)", r.width, r.height, l.window,
             l.window * vaeFactor, l.window * vaeFactor);
    l.views = panoramaViews(l.latentHeight, l.latentWidth, l.window, l.stride, l.circular);
    // The reference cuts each denoised wrapping view with the panorama's rows, which is right only
    // for views starting at row 0.
    if (l.circular && l.latentHeight >= l.window + l.stride)
        fail("panorama: circular padding wraps views horizontally only and needs a single row of views: height "
             "{} px must be the window's {} px (got {} rows of views)",
             r.height, l.window * vaeFactor, (l.latentHeight - l.window) / l.stride + 1);
    if (!r.allowUncoveredEdges) {
        requireCovered(l, vaeFactor, false);
        requireCovered(l, vaeFactor, true);
    }
    for (size_t begin = 0; begin < l.views.size(); begin += static_cast<size_t>(r.viewBatchSize))
        l.batches.emplace_back(begin, std::min(l.views.size(), begin + static_cast<size_t>(r.viewBatchSize)));
    return l;
}

PanoramaRequest resolvePanoramaRequest(const StableDiffusionModel& model, PanoramaRequest r) {
    const int factor = model.vaeScaleFactor();
    if (r.window < 0 || r.stride < 0) fail("panorama: window and stride must be positive (0: the default)");
    if (r.window == 0) r.window = model.unet->config().sample_size;
    if (r.stride == 0) r.stride = std::max(1, r.window / 8);
    if (r.height == 0) r.height = r.window * factor;
    if (r.width == 0) r.width = 4 * r.window * factor;
    const auto layout = panoramaLayout(r, factor);
    const int64_t channels = model.latentChannels();
    requireShape(r.initLatents, {1, channels, layout.latentHeight, layout.latentWidth}, "panorama initial latents");
    requireShape(r.initReferenceLatent, {1, channels, layout.window, layout.window}, "initial reference latent");
    if (r.conditioning) {
        const auto& c = *r.conditioning;
        if (!c.cond.context.defined() || c.cond.size() != 2 ||
            (usesGuidance(r.guidanceScale) && (!c.uncond.context.defined() || c.uncond.size() != 2)))
            fail("panorama conditioning needs 2 rows, [reference, panorama], in cond{}",
                 usesGuidance(r.guidanceScale) ? " and uncond" : "");
        if (model.isXL() && (!c.cond.pooled.defined() || !c.timeIds.defined()))
            fail("panorama conditioning for SDXL needs pooled embeddings and time ids");
    }
    return r;
}

PanoramaResult PanoramaPipeline::generate(const PanoramaRequest& requestIn, const PanoramaStepCallback& callback,
                                          const CancelToken* cancel, bool decode) {
    torch::NoGradGuard noGrad;
    const auto started = std::chrono::steady_clock::now();
    auto& model = *model_;
    const auto r = resolvePanoramaRequest(model, requestIn);
    const int factor = model.vaeScaleFactor();
    PanoramaResult result;
    result.layout = panoramaLayout(r, factor);
    const auto& layout = result.layout;
    const int windowPx = static_cast<int>(layout.window) * factor;
    const auto conditioning = r.conditioning ? *r.conditioning
                                             : makeConditioning(model, {r.referencePrompt, r.prompt},
                                                                r.negativePrompt, windowPx, windowPx);
    const bool cfg = usesGuidance(r.guidanceScale);
    // One conditioning per batch size (at most two: full batches and the last one).
    std::map<int64_t, Conditioning> batchConditioning;
    for (const auto& [begin, end] : layout.batches) {
        const auto n = static_cast<int64_t>(end - begin);
        if (batchConditioning.count(n)) continue;
        Conditioning c{batchRows(conditioning.cond, n), {}, conditioning.timeIds};
        if (cfg) c.uncond = batchRows(conditioning.uncond, n);
        batchConditioning[n] = c;
    }

    const int64_t channels = model.latentChannels();
    DDIMScheduler scheduler(model.schedulerConfig);
    scheduler.setTimesteps(r.steps);
    result.timesteps = scheduler.timesteps();
    auto latents = r.initLatents.defined()
                       ? r.initLatents.to(model.device, model.dtype)
                       : seededNoise(r.seed + 1, {1, channels, layout.latentHeight, layout.latentWidth}, model);
    latents = latents * scheduler.initNoiseSigma();
    auto reference = r.initReferenceLatent.defined()
                         ? r.initReferenceLatent.to(model.device, model.dtype)
                         : seededNoise(r.seed, {1, channels, layout.window, layout.window}, model);

    StyleAlignedHandler handler;
    handler.attach(model.unet, r.plan ? *r.plan : LayerPlan::paperDefault(model.unet->selfAttentionPaths()));
    handler.setGroups(cfg ? 2 : 1);
    result.sharedLayers = handler.sharedLayers();

    // How many views cover each latent cell: the same every step.
    auto count = torch::zeros_like(latents);
    for (const auto& view : layout.views) addView(count, torch::ones({1, channels, layout.window, layout.window},
                                                                     latents.options()), view);
    const auto denoiseStarted = std::chrono::steady_clock::now();
    const int total = static_cast<int>(result.timesteps.size());
    for (int i = 0; i < total; ++i) {
        const auto stepStarted = std::chrono::steady_clock::now();
        const int64_t t = result.timesteps[static_cast<size_t>(i)];
        handler.setStep(i);
        auto value = torch::zeros_like(latents), x0Value = torch::zeros_like(latents);
        torch::Tensor nextReference, referenceX0;
        for (const auto& [begin, end] : layout.batches) {
            throwIfCancelled(cancel);
            std::vector<torch::Tensor> rows{reference};
            for (size_t v = begin; v < end; ++v) rows.push_back(cutView(latents, layout.views[v]));
            const auto batch = torch::cat(rows);
            const auto& c = batchConditioning.at(static_cast<int64_t>(end - begin));
            auto noise = guidedNoise(model, batch, t, c, r.guidanceScale, cfg);
            auto out = scheduler.step(noise, t, batch);
            ++result.unetCalls;
            // panorama_call: the reference keeps the result of the last view batch.
            nextReference = out.prevSample.slice(0, 0, 1);
            referenceX0 = out.predOriginalSample.slice(0, 0, 1);
            for (size_t v = begin; v < end; ++v) {
                const auto row = static_cast<int64_t>(v - begin) + 1;
                addView(value, out.prevSample.slice(0, row, row + 1), layout.views[v]);
                addView(x0Value, out.predOriginalSample.slice(0, row, row + 1), layout.views[v]);
            }
        }
        // MultiDiffusion Eq. 5; cells no view reaches keep `value` (zero), as the reference.
        latents = torch::where(count > 0, value / count, value);
        reference = nextReference;
        if (callback) {
            PanoramaStepEvent event;
            event.step = i;
            event.total = total;
            event.timestep = t;
            event.latents = latents;
            event.x0Preview = torch::where(count > 0, x0Value / count, x0Value);
            event.referenceLatent = reference;
            event.referenceX0Preview = referenceX0;
            event.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - stepStarted).count();
            callback(event);
        }
    }
    handler.detach();
    result.denoiseSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - denoiseStarted).count();
    result.latents = latents;
    result.referenceLatent = reference;
    if (decode) {
        throwIfCancelled(cancel);
        result.image = decodePanorama(model, latents, layout.circular, r.vaeTiling, cancel);
        result.referenceImage = decodeLatents(model, reference, r.vaeTiling, cancel);
    }
    result.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

torch::Tensor decodePanorama(StableDiffusionModel& model, const torch::Tensor& latents, bool circular,
                             const VaeTiling& tiling, const CancelToken* cancel) {
    if (!circular) return decodeLatents(model, latents, tiling, cancel);
    // decode_latents_with_padding(latents, padding=8).
    const int64_t padding = std::min<int64_t>(8, latents.size(3));
    const auto padded = torch::cat({latents.slice(3, latents.size(3) - padding), latents, latents.slice(3, 0, padding)}, 3);
    const int64_t crop = padding * model.vaeScaleFactor();
    const auto image = decodeLatents(model, padded, tiling, cancel);
    return image.slice(3, crop, image.size(3) - crop);
}

}  // namespace sa
