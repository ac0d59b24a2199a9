#pragma once
// The sampling loop shared by every pipeline: classifier-free guidance around the UNet, the
// DDIM step, a per-step callback and cancellation (diffusers' denoising loop of
// StableDiffusionPipeline / StableDiffusionXLPipeline.__call__).
#include <functional>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "core/common/cancel.h"
#include "core/models/controlnet_model.h"
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

// Which images of a set a ControlNet steers: the two semantics the golden cases record.
enum class ControlMode {
    // diffusers StableDiffusion[XL]ControlNetPipeline (golden `pipe.`, the default): every image,
    // the StyleAligned reference included, gets the residuals; the ControlNet sees the UNet's
    // batch with the matching [negative; positive] embeddings (and SDXL added conditioning).
    EveryImage,
    // google/style-aligned pipeline_calls.controlnet_call (golden `demo.`; StyleAligned sets only):
    // the reference is generated without control (zero residuals, concat_zero_control) and the
    // ControlNet runs on the target rows alone. As that code indexes `prompt_embeds[1:1+N]` of
    // cat([negative, positive]), the ControlNet sees the targets' NEGATIVE embeddings (SDXL: the
    // negative pooled embeddings too) on both CFG halves; reproduced as is, it is what the demo does.
    TargetsOnly,
};

// One ControlNet evaluation, as handed to ControlRequest::observer: the ControlNet's inputs and
// the residuals as the UNet receives them (zeros on uncontrolled rows).
struct ControlTrace {
    torch::Tensor sample, context, textEmbeds, timeIds, cond;
    double scale = 0;
    UNetResiduals residuals;
};

// A ControlNet steering a generation (diffusers' controlnet / image / controlnet_conditioning_scale /
// control_guidance_start / control_guidance_end / guess_mode).
struct ControlRequest {
    ControlNetModel net{nullptr};  // null: no control
    // [1, C, H, W] (one map for every image) or [n, C, H, W] (one per image of the set, the
    // reference first), float in [0, 1], RGB, at the generation size (core/io/control_image.h).
    torch::Tensor images;
    double scale = 1.0;  // controlnet_conditioning_scale
    // Step i of `steps` is controlled unless i / steps < start or (i + 1) / steps > end.
    double start = 0.0, end = 1.0;
    ControlMode mode = ControlMode::EveryImage;
    // diffusers guess_mode (EveryImage only; a global_pool_conditions ControlNet turns it on, as
    // the pipelines do): the ControlNet runs on the conditional half only, residuals scaled 0.1 → 1.
    bool guessMode = false;
    std::string label;  // names the ControlNet in messages and cache keys (its path)
    std::function<void(const ControlTrace&)> observer;  // every ControlNet evaluation (tests, debugging)

    bool active() const { return static_cast<bool>(net); }
    // scale × diffusers' controlnet_keep[step]: 0 outside [start, end].
    double scaleAt(int step, int steps) const;
    // Whether the StyleAligned reference (image 0) is generated under this control.
    bool controlsReference() const { return active() && mode == ControlMode::EveryImage; }
};

// Conditioning of one batch. `uncond` is ignored when guidance ≤ 1 (no CFG, as diffusers).
struct Conditioning {
    PromptEmbeddings cond;
    PromptEmbeddings uncond;
    torch::Tensor timeIds;  // SDXL: [1, 6]
    ControlRequest control;        // images: one per row of this batch, or one for all
    int64_t uncontrolledRows = 0;  // leading rows generated without control (TargetsOnly: the reference)
};

// Sets `c.control` for the images [first, first + count) of a set controlled by `control`;
// `referenceInBatch`: row 0 of the batch is the StyleAligned reference (TargetsOnly leaves it
// uncontrolled; without it in the batch, every row is a target).
void setControl(Conditioning& c, const ControlRequest& control, int64_t first, int64_t count, bool referenceInBatch);

// The ControlNet's residuals for the UNet batch `input` ([uncond rows; cond rows] with CFG) and
// its `context` / `added` conditioning at `scale`, as `c.control.mode` says, with zeros on the
// uncontrolled rows; none when no row is controlled or the scale is 0.
std::optional<UNetResiduals> controlResiduals(const torch::Tensor& input, const torch::Tensor& timestep,
                                              const torch::Tensor& context, const AddedCond* added,
                                              const Conditioning& c, bool cfg, double scale);

struct DenoiseOptions {
    double guidanceScale = 7.5;
    double eta = 0.0;
    // Called before every UNet evaluation with the step index (StyleAligned's step ranges).
    std::function<void(int step)> beforeStep;
};

bool usesGuidance(double guidanceScale);

// One UNet evaluation at timestep t for `latents` [n, …] → noise prediction; with `cfg` the
// batch is [uncond; cond] and the result uncond + g·(cond − uncond). `controlScale` > 0 runs the
// conditioning's ControlNet at that scale (denoise passes ControlRequest::scaleAt of the step).
torch::Tensor guidedNoise(StableDiffusionModel& model, const torch::Tensor& latents, int64_t timestep,
                          const Conditioning& conditioning, double guidanceScale, bool cfg, double controlScale = 0.0);

// Runs every timestep of the scheduler; returns the final latents.
torch::Tensor denoise(StableDiffusionModel& model, DDIMScheduler& scheduler, torch::Tensor latents,
                      const Conditioning& conditioning, const DenoiseOptions& options,
                      const StepCallback& callback = {}, const CancelToken* cancel = nullptr,
                      torch::Generator* noiseGenerator = nullptr);

}  // namespace sa
