#include "core/pipeline/text_to_image.h"

#include <cmath>

namespace sa {

namespace {

// diffusers check_inputs / prepare_image for one ControlNet, as errors a user can act on.
void resolveControl(const StableDiffusionModel& model, GenerationRequest& r) {
    auto& control = r.control;
    const std::string name = control.label.empty() ? "ControlNet" : control.label;
    const auto& config = control.net->config();
    checkControlNetFits(config, model.unet->config(), name);
    if (config.conditioningDownscale() != model.vaeScaleFactor())
        fail("{}: its conditioning embedding downsamples by {} (conditioning_embedding_out_channels has {} entries), "
             "the VAE by {}", name, config.conditioningDownscale(), config.conditioning_embedding_out_channels.size(),
             model.vaeScaleFactor());
    const auto n = static_cast<int64_t>(r.prompts.size());
    const auto& images = control.images;
    if (!images.defined() || images.dim() != 4 || (images.size(0) != 1 && images.size(0) != n) ||
        images.size(1) != config.conditioning_channels || images.size(2) != r.height || images.size(3) != r.width)
        fail("{}: control images must be [1 or {}, {}, {}, {}] (one for all images or one per image, at the "
             "generation size), got [{}]", name, n, config.conditioning_channels, r.height, r.width,
             images.defined() ? fmt::format("{}", fmt::join(images.sizes(), ", ")) : "none");
    if (!std::isfinite(control.scale)) fail("{}: conditioning scale must be a finite number", name);
    if (!(control.start >= 0.0 && control.start < control.end && control.end <= 1.0))
        fail("{}: control range {}–{} must satisfy 0 ≤ start < end ≤ 1", name, control.start, control.end);
    // StableDiffusion[XL]ControlNetPipeline: guess_mode = guess_mode or global_pool_conditions.
    if (config.global_pool_conditions && control.mode == ControlMode::EveryImage) control.guessMode = true;
    if (control.guessMode && control.mode == ControlMode::TargetsOnly)
        fail("{}: guess mode belongs to the diffusers pipeline semantics (ControlMode::EveryImage), not to "
             "style-aligned's controlnet_call (TargetsOnly)", name);
}

}  // namespace

GenerationRequest resolveRequest(const StableDiffusionModel& model, GenerationRequest r) {
    if (r.prompts.empty()) fail("no prompts: give at least one prompt");
    const int factor = model.vaeScaleFactor();
    const int defaultSize = model.unet->config().sample_size * factor;
    if (r.height == 0) r.height = defaultSize;
    if (r.width == 0) r.width = defaultSize;
    const int multiple = factor;
    if (r.height <= 0 || r.width <= 0 || r.height % multiple != 0 || r.width % multiple != 0)
        fail("image size {}x{} must be positive multiples of {}", r.width, r.height, multiple);
    if (r.steps <= 0) fail("steps must be at least 1 (got {})", r.steps);
    if (!r.seeds.empty() && r.seeds.size() != r.prompts.size())
        fail("{} seeds given for {} prompts", r.seeds.size(), r.prompts.size());
    if (r.seeds.empty())
        for (size_t i = 0; i < r.prompts.size(); ++i) r.seeds.push_back(r.seed + i);
    if (r.initLatents.defined()) {
        const std::vector<int64_t> expected{static_cast<int64_t>(r.prompts.size()), model.latentChannels(),
                                            r.height / factor, r.width / factor};
        if (r.initLatents.sizes().vec() != expected)
            fail("initial latents have shape [{}], expected [{}]", fmt::join(r.initLatents.sizes(), ", "),
                 fmt::join(expected, ", "));
    }
    if (r.control.active()) resolveControl(model, r);
    return r;
}

torch::Tensor seededLatents(const StableDiffusionModel& model, const GenerationRequest& r) {
    const int factor = model.vaeScaleFactor();
    std::vector<torch::Tensor> rows;
    for (uint64_t seed : r.seeds) {
        auto generator = at::detail::createCPUGenerator(seed);
        rows.push_back(torch::randn({1, model.latentChannels(), r.height / factor, r.width / factor}, generator));
    }
    return torch::cat(rows).to(model.device, model.dtype);
}

torch::Tensor decodeLatents(StableDiffusionModel& model, const torch::Tensor& latents, const VaeTiling& tiling,
                            const CancelToken* cancel) {
    torch::NoGradGuard noGrad;
    if (!model.vae) fail("this model was loaded without its VAE");
    auto images = vaeDecode(*model.vae, latents / model.vae->config().scaling_factor, tiling, cancel);
    return (images / 2 + 0.5).clamp(0, 1);
}

Conditioning makeConditioning(StableDiffusionModel& model, const std::vector<std::string>& prompts,
                              const std::string& negativePrompt, int height, int width) {
    Conditioning c;
    c.cond = encodePrompts(model, prompts);
    c.uncond = encodeNegative(model, negativePrompt, static_cast<int64_t>(prompts.size()));
    if (model.isXL())
        c.timeIds = sdxlTimeIds(height, width, 0, 0, height, width, torch::TensorOptions().device(model.device));
    return c;
}

GenerationResult TextToImagePipeline::generate(const GenerationRequest& requestIn, const StepCallback& callback,
                                               const CancelToken* cancel, bool decode) {
    torch::NoGradGuard noGrad;
    auto request = resolveRequest(*model_, requestIn);
    if (request.control.active() && request.control.mode == ControlMode::TargetsOnly)
        fail("ControlMode::TargetsOnly leaves a StyleAligned reference uncontrolled; text-to-image has no reference "
             "(use EveryImage)");
    auto conditioning = makeConditioning(*model_, request.prompts, request.negativePrompt, request.height, request.width);
    setControl(conditioning, request.control, 0, static_cast<int64_t>(request.prompts.size()), false);
    auto latents = request.initLatents.defined() ? request.initLatents.to(model_->device, model_->dtype)
                                                 : seededLatents(*model_, request);
    DDIMScheduler scheduler(model_->schedulerConfig);
    scheduler.setTimesteps(request.steps);
    auto generator = at::detail::createCPUGenerator(request.seeds.front() ^ 0x5eed);
    GenerationResult result;
    result.timesteps = scheduler.timesteps();
    result.latents = denoise(*model_, scheduler, latents * scheduler.initNoiseSigma(), conditioning,
                             {.guidanceScale = request.guidanceScale, .eta = request.eta}, callback, cancel, &generator);
    if (decode) {
        throwIfCancelled(cancel);
        result.images = decodeLatents(*model_, result.latents, request.vaeTiling, cancel);
    }
    return result;
}

}  // namespace sa
