#include "core/pipeline/denoise.h"

#include <chrono>

namespace sa {

bool usesGuidance(double guidanceScale) { return guidanceScale > 1.0; }

double ControlRequest::scaleAt(int step, int steps) const {
    if (!active() || steps <= 0) return 0.0;
    const double at = static_cast<double>(step) / steps, next = static_cast<double>(step + 1) / steps;
    return at < start || next > end ? 0.0 : scale;
}

void setControl(Conditioning& c, const ControlRequest& control, int64_t first, int64_t count, bool referenceInBatch) {
    c.control = control;
    c.uncontrolledRows = 0;
    if (!control.active()) return;
    if (control.images.size(0) > 1) c.control.images = control.images.slice(0, first, first + count);
    if (control.mode == ControlMode::TargetsOnly && referenceInBatch) c.uncontrolledRows = 1;
}

std::optional<UNetResiduals> controlResiduals(const torch::Tensor& input, const torch::Tensor& timestep,
                                              const torch::Tensor& context, const AddedCond* added,
                                              const Conditioning& c, bool cfg, double scale) {
    const auto& control = c.control;
    if (!control.active() || scale == 0.0) return std::nullopt;
    const int64_t halves = cfg ? 2 : 1, n = input.size(0) / halves, first = c.uncontrolledRows;
    if (first >= n) return std::nullopt;
    // diffusers: with guess mode (and CFG) the ControlNet sees the conditional half only.
    const bool guess = control.guessMode && cfg;
    std::vector<int64_t> rows;
    for (int64_t half = guess ? 1 : 0; half < halves; ++half)
        for (int64_t r = first; r < n; ++r) rows.push_back(half * n + r);
    const auto count = static_cast<int64_t>(rows.size()), halvesSeen = count / (n - first);
    const bool everyRow = count == input.size(0);
    const auto index = torch::tensor(rows, torch::kLong).to(input.device());
    auto select = [&](const torch::Tensor& t) { return everyRow ? t : t.index_select(0, index); };

    ControlTrace trace;
    trace.sample = select(input);
    trace.scale = scale;
    AddedCond controlAdded;
    if (control.mode == ControlMode::TargetsOnly) {
        // controlnet_call: prompt_embeds[1:1+N] of cat([negative, positive]), twice.
        trace.context = c.uncond.context.slice(0, first, n).repeat({halvesSeen, 1, 1});
        if (added) controlAdded = {c.uncond.pooled.slice(0, first, n).repeat({halvesSeen, 1}), select(added->timeIds)};
    } else {
        trace.context = select(context);
        if (added) controlAdded = {select(added->textEmbeds), select(added->timeIds)};
    }
    const auto& images = control.images;
    trace.cond = (images.size(0) == 1 ? images.repeat({count, 1, 1, 1})
                                      : images.slice(0, first, n).repeat({halvesSeen, 1, 1, 1}))
                     .to(input.device(), input.scalar_type());
    auto net = control.net;  // a handle: forward is not const
    auto residuals = net->forward(trace.sample, timestep, trace.context, trace.cond, scale,
                                  added ? &controlAdded : nullptr, guess);
    if (!everyRow) {  // concat_zero_control / guess mode: zeros on the rows the ControlNet did not see
        auto spread = [&](const torch::Tensor& r) {
            auto sizes = r.sizes().vec();
            sizes[0] = input.size(0);
            return torch::zeros(sizes, r.options()).index_copy_(0, index, r);
        };
        for (auto& r : residuals.down) r = spread(r);
        residuals.mid = spread(residuals.mid);
    }
    if (control.observer) {
        trace.textEmbeds = controlAdded.textEmbeds;
        trace.timeIds = controlAdded.timeIds;
        trace.residuals = residuals;
        control.observer(trace);
    }
    return residuals;
}

torch::Tensor guidedNoise(StableDiffusionModel& model, const torch::Tensor& latents, int64_t timestep,
                          const Conditioning& c, double guidanceScale, bool cfg, double controlScale) {
    const int64_t n = latents.size(0);
    auto input = cfg ? torch::cat({latents, latents}) : latents;
    auto context = cfg ? torch::cat({c.uncond.context, c.cond.context}) : c.cond.context;
    auto t = torch::tensor(timestep, torch::TensorOptions().dtype(torch::kLong).device(latents.device()));
    AddedCond added;
    if (model.isXL()) {
        added.textEmbeds = cfg ? torch::cat({c.uncond.pooled, c.cond.pooled}) : c.cond.pooled;
        added.timeIds = c.timeIds.to(latents.device()).repeat({input.size(0), 1});
    }
    const AddedCond* addedPtr = model.isXL() ? &added : nullptr;
    const auto residuals = controlResiduals(input, t, context, addedPtr, c, cfg, controlScale);
    auto noise = model.unet->forward(input, t, context, addedPtr, nullptr, residuals ? &*residuals : nullptr);
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
        auto noise = guidedNoise(model, latents, timesteps[i], conditioning, options.guidanceScale, cfg,
                                 conditioning.control.scaleAt(i, total));
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
