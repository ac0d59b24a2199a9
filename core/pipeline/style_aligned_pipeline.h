#pragma once
// The main job (DESIGN §4): a style-aligned set from text (image 0 plays the reference), or
// from a reference image via DDIM inversion + the reference-transfer callback
// (google/style-aligned inversion.py, style_aligned_transfer_sdxl.ipynb).
#include <memory>

#include <torch/torch.h>

#include "core/pipeline/reference_cache.h"
#include "core/pipeline/text_to_image.h"
#include "core/style/layer_plan.h"

namespace sa {

struct StyleAlignedRequest {
    GenerationRequest generation;  // prompts[0] is the reference's prompt (with an image: its caption)
    LayerPlan plan;                // e.g. LayerPlan::paperDefault(unet->selfAttentionPaths())
    torch::Tensor referenceImage;  // [1, 3, H, W] in [-1, 1] at the generation size; undefined: text mode
    double inversionGuidance = 2.0;  // the reference code's; new sets start from defaultInversionGuidance() (1)
    int offset = 5;                // the reference starts from zts[offset]
    std::optional<AttentionProbe> probe;  // attention maps delivered in every StepEvent
};

struct StyleAlignedResult : GenerationResult {
    torch::Tensor zts;              // inversion trajectory [steps + 1, C, h, w] (image mode)
    bool referenceFromCache = false;  // the reference branch was replayed, only targets ran
    double referenceSeconds = 0;    // inversion + recording of the reference (0 on a cache hit)
    double decodeSeconds = 0;       // VAE decode of the set (included in totalSeconds)
    double totalSeconds = 0;
};

// inversion.py ddim_inversion: VAE mean × scaling_factor (encoded as `tiling` says), then `steps`
// DDIM inversion steps with CFG at `guidance` (always guided, as the reference — except at exactly 1,
// where uncond + 1·(cond − uncond) is the conditional prediction: the unconditional half is skipped,
// halving the inversion's UNet work at the studio's default; see inversionUsesCfg). Returns zts with
// zts[0] the noisiest (timesteps[0]) and zts[steps] = z0.
torch::Tensor ddimInversion(StableDiffusionModel& model, const torch::Tensor& image, const std::string& caption,
                            int steps, double guidance, const StepCallback& callback = {},
                            const CancelToken* cancel = nullptr, const VaeTiling& tiling = {});

// Whether the inversion at `guidance` needs the unconditional pass (every guidance but 1, below 1 too).
bool inversionUsesCfg(double guidance);

// The conditioning inversion.py uses: [uncond, cond] of the caption; SDXL with its hard-coded
// (1024, 1024, 0, 0, 1024, 1024) time ids.
Conditioning inversionConditioning(StableDiffusionModel& model, const std::string& caption, int height, int width);

class StyleAlignedPipeline {
public:
    explicit StyleAlignedPipeline(std::shared_ptr<StableDiffusionModel> model) : model_(std::move(model)) {}
    // Without a cache the whole set runs as one batch, exactly as the reference code. With a
    // cache the reference branch is recorded once (or replayed) and only the targets run.
    // A control (request.generation.control) steers the images its ControlMode names; under
    // EveryImage the reference's control map, scale and range are part of the cache key.
    StyleAlignedResult generate(const StyleAlignedRequest& request, const StepCallback& callback = {},
                                const CancelToken* cancel = nullptr, bool decode = true,
                                ReferenceCache* cache = nullptr);
    StableDiffusionModel& model() { return *model_; }

private:
    torch::Tensor generateInline(const StyleAlignedRequest& request, torch::Tensor latents, StyleAlignedResult& result,
                                 const StepCallback& callback, const CancelToken* cancel);
    torch::Tensor generateWithTape(const StyleAlignedRequest& request, torch::Tensor latents,
                                   const ReferenceTape& tape, const StepCallback& callback, const CancelToken* cancel);
    std::shared_ptr<ReferenceTape> recordReference(const StyleAlignedRequest& request, const torch::Tensor& latents,
                                                   const StepCallback& callback, const CancelToken* cancel);

    std::shared_ptr<StableDiffusionModel> model_;
};

}  // namespace sa
