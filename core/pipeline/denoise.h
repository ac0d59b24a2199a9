#pragma once
// The sampling loop shared by every pipeline: classifier-free guidance around the UNet, the
// DDIM step, a per-step callback and cancellation (diffusers' denoising loop of
// StableDiffusionPipeline / StableDiffusionXLPipeline.__call__).
#include <functional>

#include <torch/torch.h>

#include "core/common/cancel.h"
#include "core/pipeline/prompt_encoding.h"
#include "core/schedulers/ddim_scheduler.h"
#include "core/style/attention_probe.h"

namespace sa {

// Inversion: DDIM inversion of the reference image. Reference: the reference branch alone, being
// recorded for the cache. Generation: the set (or, with a cached reference, its targets).
enum class StepPhase { Generation, Inversion, Reference };

struct StepEvent {
    StepPhase phase = StepPhase::Generation;
    int step = 0;   // 0-based index of the step just taken
    int total = 0;
    int64_t timestep = 0;
    torch::Tensor latents;     // after the step [n, C, h, w]; a callback may overwrite rows in place
    torch::Tensor x0Preview;   // the step's predicted clean latents
    double seconds = 0;        // wall time of this step
    AttentionMaps maps;        // filled when the request has an attention probe
};
using StepCallback = std::function<void(StepEvent&)>;

// Conditioning of one batch. `uncond` is ignored when guidance ≤ 1 (no CFG, as diffusers).
struct Conditioning {
    PromptEmbeddings cond;
    PromptEmbeddings uncond;
    torch::Tensor timeIds;  // SDXL: [1, 6]
};

struct DenoiseOptions {
    double guidanceScale = 7.5;
    double eta = 0.0;
    // Called before every UNet evaluation with the step index (StyleAligned's step ranges).
    std::function<void(int step)> beforeStep;
};

bool usesGuidance(double guidanceScale);

// One UNet evaluation at timestep t for `latents` [n, …] → noise prediction; with `cfg` the
// batch is [uncond; cond] and the result uncond + g·(cond − uncond).
torch::Tensor guidedNoise(StableDiffusionModel& model, const torch::Tensor& latents, int64_t timestep,
                          const Conditioning& conditioning, double guidanceScale, bool cfg);

// Runs every timestep of the scheduler; returns the final latents.
torch::Tensor denoise(StableDiffusionModel& model, DDIMScheduler& scheduler, torch::Tensor latents,
                      const Conditioning& conditioning, const DenoiseOptions& options,
                      const StepCallback& callback = {}, const CancelToken* cancel = nullptr,
                      torch::Generator* noiseGenerator = nullptr);

}  // namespace sa
