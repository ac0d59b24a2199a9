#include "core/pipeline/style_aligned_pipeline.h"

#include "core/style/style_aligned_handler.h"

namespace sa {

Conditioning inversionConditioning(StableDiffusionModel& model, const std::string& caption, int height, int width) {
    auto c = makeConditioning(model, {caption}, "", height, width);
    if (model.isXL()) c.timeIds = sdxlTimeIds(1024, 1024, 0, 0, 1024, 1024, torch::TensorOptions().device(model.device));
    return c;
}

torch::Tensor ddimInversion(StableDiffusionModel& model, const torch::Tensor& image, const std::string& caption,
                            int steps, double guidance, const StepCallback& callback, const CancelToken* cancel) {
    torch::NoGradGuard noGrad;
    if (!model.vae) fail("DDIM inversion needs the model's VAE");
    if (image.dim() != 4 || image.size(0) != 1 || image.size(1) != 3)
        fail("reference image must be a [1, 3, H, W] tensor, got [{}]", fmt::join(image.sizes(), ", "));
    const int factor = model.vaeScaleFactor();
    if (image.size(2) % factor != 0 || image.size(3) % factor != 0)
        fail("reference image size {}x{} must be a multiple of {}", image.size(3), image.size(2), factor);
    auto z0 = model.vae->encode(image.to(model.device, model.dtype)).mean * model.vae->config().scaling_factor;
    auto conditioning = inversionConditioning(model, caption, static_cast<int>(image.size(2)), static_cast<int>(image.size(3)));
    DDIMScheduler scheduler(model.schedulerConfig);
    scheduler.setTimesteps(steps);
    const auto& timesteps = scheduler.timesteps();
    std::vector<torch::Tensor> trajectory{z0};
    auto latent = z0;
    for (int i = 0; i < steps; ++i) {
        throwIfCancelled(cancel);
        const int64_t t = timesteps[timesteps.size() - 1 - i];
        auto noise = guidedNoise(model, latent, t, conditioning, guidance, /*cfg=*/true);
        latent = scheduler.inverseStep(noise, t, latent);
        trajectory.push_back(latent);
        if (callback) {
            StepEvent event{.phase = StepPhase::Inversion, .step = i, .total = steps, .timestep = t, .latents = latent};
            callback(event);
        }
    }
    return torch::cat(trajectory).flip(0);
}

StyleAlignedResult StyleAlignedPipeline::generate(const StyleAlignedRequest& r, const StepCallback& callback,
                                                  const CancelToken* cancel, bool decode) {
    torch::NoGradGuard noGrad;
    auto request = resolveRequest(*model_, r.generation);
    const bool withImage = r.referenceImage.defined();
    if (withImage && (r.offset < 0 || r.offset >= request.steps))
        fail("offset {} must be between 0 and steps - 1 = {}", r.offset, request.steps - 1);
    StyleAlignedResult result;
    auto latents = request.initLatents.defined() ? request.initLatents.to(model_->device, model_->dtype).clone()
                                                 : seededLatents(*model_, request);
    if (withImage) {
        if (r.referenceImage.size(2) != request.height || r.referenceImage.size(3) != request.width)
            fail("reference image is {}x{} but the set is generated at {}x{}", r.referenceImage.size(3),
                 r.referenceImage.size(2), request.width, request.height);
        result.zts = ddimInversion(*model_, r.referenceImage, request.prompts.front(), request.steps,
                                   r.inversionGuidance, callback, cancel);
        latents[0] = result.zts[r.offset];
    }
    auto conditioning = makeConditioning(*model_, request.prompts, request.negativePrompt, request.height, request.width);
    DDIMScheduler scheduler(model_->schedulerConfig);
    scheduler.setTimesteps(request.steps);

    StyleAlignedHandler handler;
    handler.attach(model_->unet, r.plan);
    handler.setGroups(usesGuidance(request.guidanceScale) ? 2 : 1);
    StepCallback step = [&](StepEvent& e) {
        // make_inversion_callback: the reference row follows the inverted trajectory.
        if (withImage) e.latents[0] = result.zts[std::max(r.offset + 1, e.step + 1)];
        if (callback) callback(e);
    };
    DenoiseOptions options{.guidanceScale = request.guidanceScale, .eta = request.eta,
                           .beforeStep = [&](int i) { handler.setStep(i); }};
    result.timesteps = scheduler.timesteps();
    result.latents = denoise(*model_, scheduler, latents, conditioning, options, step, cancel);
    handler.detach();
    if (decode) {
        throwIfCancelled(cancel);
        result.images = decodeLatents(*model_, result.latents);
    }
    return result;
}

}  // namespace sa
