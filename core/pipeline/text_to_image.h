#pragma once
// Text-to-image with classifier-free guidance for SD 1.x / 2.x and SDXL.
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/models/vae_tiling.h"
#include "core/pipeline/denoise.h"
#include "core/pipeline/stable_diffusion_model.h"

namespace sa {

struct GenerationRequest {
    std::vector<std::string> prompts;  // one image each
    std::string negativePrompt;
    int steps = 50;
    double guidanceScale = 7.5;
    int height = 0;  // 0: the model's default (unet sample_size × VAE factor)
    int width = 0;
    uint64_t seed = 0;            // image i starts from noise seeded with seed + i ...
    std::vector<uint64_t> seeds;  // ... unless per-image seeds are given
    torch::Tensor initLatents;    // [n, C, h, w]: start from these instead of seeded noise
    double eta = 0.0;
    VaeTiling vaeTiling;  // how the VAE encodes the reference and decodes the result (default: untiled)
    ControlRequest control;  // a ControlNet steering the images (default: none)
};

struct GenerationResult {
    torch::Tensor latents;  // final latents [n, C, h, w]
    torch::Tensor images;   // [n, 3, H, W] float in [0, 1] (undefined when decoding was skipped)
    std::vector<int64_t> timesteps;
};

// Validates sizes and prompts against the model; fills the defaults (height, width, seeds). A
// control is checked too: the ControlNet fits the UNet, its maps are [1 or n, C, H, W] at the
// generation size, the step range is valid; a global_pool_conditions ControlNet gets guess mode.
GenerationRequest resolveRequest(const StableDiffusionModel& model, GenerationRequest request);

// Seeded Gaussian latents [n, C, h, w], image i from its own CPU generator (so re-rolling one
// image leaves the others unchanged).
torch::Tensor seededLatents(const StableDiffusionModel& model, const GenerationRequest& request);

// vae.decode(latents / scaling_factor), then (x / 2 + 0.5).clamp(0, 1); tiled as `tiling` says.
torch::Tensor decodeLatents(StableDiffusionModel& model, const torch::Tensor& latents, const VaeTiling& tiling = {},
                            const CancelToken* cancel = nullptr);

class TextToImagePipeline {
public:
    explicit TextToImagePipeline(std::shared_ptr<StableDiffusionModel> model) : model_(std::move(model)) {}
    GenerationResult generate(const GenerationRequest& request, const StepCallback& callback = {},
                              const CancelToken* cancel = nullptr, bool decode = true);
    StableDiffusionModel& model() { return *model_; }

private:
    std::shared_ptr<StableDiffusionModel> model_;
};

// Conditioning for `prompts` (and the negative prompt) at an image size.
Conditioning makeConditioning(StableDiffusionModel& model, const std::vector<std::string>& prompts,
                              const std::string& negativePrompt, int height, int width);

}  // namespace sa
