#include "core/pipeline/denoise.h"

#include <chrono>

namespace sa {

bool usesGuidance(double guidanceScale) { return guidanceScale > 1.0; }

torch::Tensor guidedNoise(StableDiffusionModel& model, const torch::Tensor& latents, int64_t timestep,
                          const Conditioning& c, double guidanceScale, bool cfg) {
    const int64_t n = latents.size(0);
    auto input = cfg ? torch::cat({latents, latents}) : latents;
    auto context = cfg ? torch::cat({c.uncond.context, c.cond.context}) : c.cond.context;
    auto t = torch::tensor(timestep, torch::TensorOptions().dtype(torch::kLong).device(latents.device()));
    AddedCond added;
    if (model.isXL()) {
        added.textEmbeds = cfg ? torch::cat({c.uncond.pooled, c.cond.pooled}) : c.cond.pooled;
        added.timeIds = c.timeIds.to(latents.device()).repeat({input.size(0), 1});
    }
    auto noise = model.unet->forward(input, t, context, model.isXL() ? &added : nullptr);
    if (!cfg) return noise;
    auto uncond = noise.slice(0, 0, n), text = noise.slice(0, n);
    return uncond + guidanceScale * (text - uncond);
}

torch::Tensor denoise(StableDiffusionModel& model, DDIMScheduler& scheduler, torch::Tensor latents,
                      const Conditioning& conditioning, const DenoiseOptions& options, const StepCallback& callback,
                      const CancelToken* cancel, torch::Generator* noiseGenerator) {
    torch::NoGradGuard noGrad;
    const auto& timesteps = scheduler.timesteps();
    const int total = static_cast<int>(timesteps.size());
    const bool cfg = usesGuidance(options.guidanceScale);
    for (int i = 0; i < total; ++i) {
        throwIfCancelled(cancel);
        const auto started = std::chrono::steady_clock::now();
        if (options.beforeStep) options.beforeStep(i);
        auto noise = guidedNoise(model, latents, timesteps[i], conditioning, options.guidanceScale, cfg);
        torch::Tensor varianceNoise;
        if (options.eta > 0) {
            varianceNoise = noiseGenerator ? torch::randn(latents.sizes(), *noiseGenerator, latents.options().device(torch::kCPU))
                                           : torch::randn(latents.sizes(), latents.options().device(torch::kCPU));
            varianceNoise = varianceNoise.to(latents.device());
        }
        auto out = scheduler.step(noise, timesteps[i], latents, options.eta, varianceNoise);
        latents = out.prevSample;
        if (callback) {
            StepEvent event;
            event.step = i;
            event.total = total;
            event.timestep = timesteps[i];
            event.latents = latents;
            event.x0Preview = out.predOriginalSample;
            event.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            callback(event);
            latents = event.latents;
        }
    }
    return latents;
}

}  // namespace sa
