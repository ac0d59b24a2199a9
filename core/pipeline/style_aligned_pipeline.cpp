#include "core/pipeline/style_aligned_pipeline.h"

#include <chrono>

#include "core/style/style_aligned_handler.h"

namespace sa {

Conditioning inversionConditioning(StableDiffusionModel& model, const std::string& caption, int height, int width) {
    auto c = makeConditioning(model, {caption}, "", height, width);
    if (model.isXL()) c.timeIds = sdxlTimeIds(1024, 1024, 0, 0, 1024, 1024, torch::TensorOptions().device(model.device));
    return c;
}

bool inversionUsesCfg(double guidance) { return guidance != 1.0; }

torch::Tensor ddimInversion(StableDiffusionModel& model, const torch::Tensor& image, const std::string& caption,
                            int steps, double guidance, const StepCallback& callback, const CancelToken* cancel,
                            const VaeTiling& tiling) {
    torch::NoGradGuard noGrad;
    if (!model.vae) fail("DDIM inversion needs the model's VAE");
    if (image.dim() != 4 || image.size(0) != 1 || image.size(1) != 3)
        fail("reference image must be a [1, 3, H, W] tensor, got [{}]", fmt::join(image.sizes(), ", "));
    const int factor = model.vaeScaleFactor();
    if (image.size(2) % factor != 0 || image.size(3) % factor != 0)
        fail("reference image size {}x{} must be a multiple of {}", image.size(3), image.size(2), factor);
    auto z0 = vaeEncode(*model.vae, image.to(model.device, model.dtype), tiling, cancel).mean *
              model.vae->config().scaling_factor;
    auto conditioning = inversionConditioning(model, caption, static_cast<int>(image.size(2)), static_cast<int>(image.size(3)));
    DDIMScheduler scheduler(model.schedulerConfig);
    scheduler.setTimesteps(steps);
    const auto& timesteps = scheduler.timesteps();
    std::vector<torch::Tensor> trajectory{z0};
    auto latent = z0;
    const bool cfg = inversionUsesCfg(guidance);
    for (int i = 0; i < steps; ++i) {
        throwIfCancelled(cancel);
        const int64_t t = timesteps[timesteps.size() - 1 - i];
        auto noise = guidedNoise(model, latent, t, conditioning, guidance, cfg);
        latent = scheduler.inverseStep(noise, t, latent);
        trajectory.push_back(latent);
        if (callback) {
            StepEvent event{.phase = StepPhase::Inversion, .step = i, .total = steps, .timestep = t, .latents = latent};
            callback(event);
        }
    }
    return torch::cat(trajectory).flip(0);
}

namespace {

// make_inversion_callback: after step i the reference row follows the inverted trajectory.
torch::Tensor invertedReferenceAfter(const torch::Tensor& zts, int offset, int step) {
    return zts[std::max(offset + 1, step + 1)];
}

std::vector<std::string> tail(const std::vector<std::string>& v) { return {v.begin() + 1, v.end()}; }

// The request's attention probe, hooked into the handler (nothing at all without a probe).
std::unique_ptr<AttentionProbeCollector> attachProbe(const StyleAlignedRequest& r, StyleAlignedHandler& handler,
                                                     UNet2DConditionModelImpl& unet, const torch::Tensor& latents,
                                                     int64_t firstTarget) {
    if (!r.probe) return nullptr;
    auto collector = std::make_unique<AttentionProbeCollector>(*r.probe, latents.size(2), latents.size(3),
                                                               usesGuidance(r.generation.guidanceScale) ? 2 : 1,
                                                               latents.size(0), firstTarget);
    handler.setObserver([c = collector.get()](const SharedAttentionTrace& t) { c->onSharedAttention(t); });
    collector->installCrossProbes(unet, handler.state());
    return collector;
}

}  // namespace

StyleAlignedResult StyleAlignedPipeline::generate(const StyleAlignedRequest& r, const StepCallback& callback,
                                                  const CancelToken* cancel, bool decode, ReferenceCache* cache) {
    torch::NoGradGuard noGrad;
    const auto started = std::chrono::steady_clock::now();
    StyleAlignedRequest request = r;
    request.generation = resolveRequest(*model_, r.generation);
    const auto& g = request.generation;
    const bool withImage = r.referenceImage.defined();
    if (withImage) {
        if (r.offset < 0 || r.offset >= g.steps)
            fail("offset {} must be between 0 and steps - 1 = {}", r.offset, g.steps - 1);
        if (r.referenceImage.size(2) != g.height || r.referenceImage.size(3) != g.width)
            fail("reference image is {}x{} but the set is generated at {}x{}", r.referenceImage.size(3),
                 r.referenceImage.size(2), g.width, g.height);
    }
    auto latents = g.initLatents.defined() ? g.initLatents.to(model_->device, model_->dtype).clone()
                                           : seededLatents(*model_, g);
    StyleAlignedResult result;
    DDIMScheduler scheduler(model_->schedulerConfig);
    scheduler.setTimesteps(g.steps);
    result.timesteps = scheduler.timesteps();

    const bool cacheable = cache && !r.plan.fullAttentionShare && g.eta == 0.0 && g.prompts.size() > 1;
    if (!cacheable) {
        result.latents = generateInline(request, latents, result, callback, cancel);
    } else {
        const auto key = referenceKey(*model_, request);
        auto tape = cache->find(key);
        result.referenceFromCache = static_cast<bool>(tape);
        if (!tape) {
            tape = recordReference(request, latents, callback, cancel);
            cache->store(key, tape);
            result.referenceSeconds = tape->seconds;
        }
        result.zts = tape->zts;
        auto targets = generateWithTape(request, latents.slice(0, 1), *tape, callback, cancel);
        result.latents = torch::cat({tape->finalLatent, targets});
    }
    if (decode) {
        throwIfCancelled(cancel);
        const auto decodeStarted = std::chrono::steady_clock::now();
        result.images = decodeLatents(*model_, result.latents, g.vaeTiling, cancel);
        result.decodeSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - decodeStarted).count();
    }
    result.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

torch::Tensor StyleAlignedPipeline::generateInline(const StyleAlignedRequest& r, torch::Tensor latents,
                                                   StyleAlignedResult& result, const StepCallback& callback,
                                                   const CancelToken* cancel) {
    const auto& g = r.generation;
    const bool withImage = r.referenceImage.defined();
    if (withImage) {
        result.zts = ddimInversion(*model_, r.referenceImage, g.prompts.front(), g.steps, r.inversionGuidance,
                                   callback, cancel, g.vaeTiling);
        latents[0] = result.zts[r.offset];
    }
    auto conditioning = makeConditioning(*model_, g.prompts, g.negativePrompt, g.height, g.width);
    setControl(conditioning, g.control, 0, static_cast<int64_t>(g.prompts.size()), /*referenceInBatch=*/true);
    DDIMScheduler scheduler(model_->schedulerConfig);
    scheduler.setTimesteps(g.steps);
    StyleAlignedHandler handler;
    handler.attach(model_->unet, r.plan);
    handler.setGroups(usesGuidance(g.guidanceScale) ? 2 : 1);
    auto probe = attachProbe(r, handler, *model_->unet, latents, 1);
    StepCallback step = [&](StepEvent& e) {
        if (withImage) e.latents[0] = invertedReferenceAfter(result.zts, r.offset, e.step);
        if (probe) e.maps = probe->take(e.step);
        if (callback) callback(e);
    };
    DenoiseOptions options{.guidanceScale = g.guidanceScale, .eta = g.eta, .beforeStep = [&](int i) { handler.setStep(i); }};
    return denoise(*model_, scheduler, latents, conditioning, options, step, cancel);
}

std::shared_ptr<ReferenceTape> StyleAlignedPipeline::recordReference(const StyleAlignedRequest& r,
                                                                     const torch::Tensor& latents,
                                                                     const StepCallback& callback,
                                                                     const CancelToken* cancel) {
    const auto started = std::chrono::steady_clock::now();
    const auto& g = r.generation;
    auto tape = std::make_shared<ReferenceTape>();
    tape->steps.resize(static_cast<size_t>(g.steps));
    auto reference = latents.slice(0, 0, 1).clone();
    if (r.referenceImage.defined()) {
        tape->zts = ddimInversion(*model_, r.referenceImage, g.prompts.front(), g.steps, r.inversionGuidance,
                                  callback, cancel, g.vaeTiling);
        reference[0] = tape->zts[r.offset];
    }
    auto conditioning = makeConditioning(*model_, {g.prompts.front()}, g.negativePrompt, g.height, g.width);
    setControl(conditioning, g.control, 0, 1, /*referenceInBatch=*/true);  // TargetsOnly: left uncontrolled
    DDIMScheduler scheduler(model_->schedulerConfig);
    scheduler.setTimesteps(g.steps);
    StyleAlignedHandler handler;
    handler.attachRecorder(model_->unet, tape.get());
    handler.setGroups(usesGuidance(g.guidanceScale) ? 2 : 1);
    StepCallback step = [&](StepEvent& e) {
        if (tape->zts.defined()) e.latents[0] = invertedReferenceAfter(tape->zts, r.offset, e.step);
        auto& record = tape->steps[static_cast<size_t>(e.step)];
        record.latent = e.latents.clone();
        record.x0Preview = e.x0Preview;
        e.phase = StepPhase::Reference;
        if (callback) callback(e);
    };
    DenoiseOptions options{.guidanceScale = g.guidanceScale, .beforeStep = [&](int i) { handler.setStep(i); }};
    tape->finalLatent = denoise(*model_, scheduler, reference, conditioning, options, step, cancel);
    tape->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return tape;
}

torch::Tensor StyleAlignedPipeline::generateWithTape(const StyleAlignedRequest& r, torch::Tensor targets,
                                                     const ReferenceTape& tape, const StepCallback& callback,
                                                     const CancelToken* cancel) {
    const auto& g = r.generation;
    auto conditioning = makeConditioning(*model_, tail(g.prompts), g.negativePrompt, g.height, g.width);
    setControl(conditioning, g.control, 1, static_cast<int64_t>(g.prompts.size()) - 1, /*referenceInBatch=*/false);
    DDIMScheduler scheduler(model_->schedulerConfig);
    scheduler.setTimesteps(g.steps);
    StyleAlignedHandler handler;
    handler.attach(model_->unet, r.plan, const_cast<ReferenceTape*>(&tape));
    handler.setGroups(usesGuidance(g.guidanceScale) ? 2 : 1);
    auto probe = attachProbe(r, handler, *model_->unet, targets, 0);
    StepCallback step = [&](StepEvent& e) {
        if (probe) e.maps = probe->take(e.step);
        if (!callback) return;
        // Callers see the whole set: the recorded reference row, then the targets.
        const auto& record = tape.steps[static_cast<size_t>(e.step)];
        StepEvent whole = e;
        whole.latents = torch::cat({record.latent, e.latents});
        whole.x0Preview = torch::cat({record.x0Preview, e.x0Preview});
        callback(whole);
    };
    DenoiseOptions options{.guidanceScale = g.guidanceScale, .beforeStep = [&](int i) { handler.setStep(i); }};
    return denoise(*model_, scheduler, targets, conditioning, options, step, cancel);
}

}  // namespace sa
