#pragma once
// MultiDiffusion panoramas with StyleAligned (issue 15): google/style-aligned
// pipeline_calls.panorama_call on diffusers v0.25 StableDiffusionPanoramaPipeline with sa_handler
// registered (demo_stylealigned_multidiffusion.py). Every step the panorama latents are cut into
// overlapping window × window views; each batch of views runs through the UNet behind a
// window × window reference latent (image 0 of each CFG half, so the views share its style), takes
// a DDIM step, and the denoised views are averaged back into the panorama (MultiDiffusion Eq. 5).
//
// The reference is generated from its own prompt, starting from noise (the reference code's only
// mode: panorama_call takes a reference latent, the demo draws it from the seed; there is no
// inverted-image path). Beyond the reference: the layer plan, SDXL models (the UNet sees
// window-sized images, so the micro-conditioning is the window's size), a per-step preview of the
// whole panorama, cancellation and tiled decoding.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "core/models/vae_tiling.h"
#include "core/pipeline/denoise.h"
#include "core/pipeline/stable_diffusion_model.h"
#include "core/style/layer_plan.h"

namespace sa {

// One view in latent cells: rows [top, bottom), columns [left, right). With circular padding
// `right` may exceed the panorama width: the view wraps around to the first columns.
struct PanoramaView {
    int64_t top = 0, bottom = 0, left = 0, right = 0;
    bool operator==(const PanoramaView&) const = default;
};

// StableDiffusionPanoramaPipeline.get_views in latent cells (the pipeline divides pixels by 8 and
// uses a 64-cell window): blocks every `stride` cells, one block in a direction no longer than
// the window; with `circular` the columns start every stride cells up to the width (the last ones
// wrap). Rows first, then columns, as the reference orders them.
std::vector<PanoramaView> panoramaViews(int64_t latentHeight, int64_t latentWidth, int64_t window, int64_t stride,
                                        bool circular);

struct PanoramaRequest {
    std::string referencePrompt;  // the style reference, generated from text (image 0 of each batch)
    std::string prompt;           // the panorama
    std::string negativePrompt;
    int steps = 50;
    double guidanceScale = 7.5;  // ≤ 1: no classifier-free guidance (the reference always guides)
    // Pixels, multiples of the VAE factor. 0: height = the window, width = 4 windows (SD 1.5 / 2
    // base: 512 × 2048, the pipeline's default).
    int height = 0;
    int width = 0;
    // Latent cells. window 0: the UNet's sample_size (64 for SD 1.5 / 2 base = the pipeline's 64;
    // 96 for SD 2 768, 128 for SDXL: the model's native size, also the size panorama_call gives a
    // reference latent it draws itself). stride 0: window / 8 (SD: 8, the pipeline's), at least 1.
    int window = 0;
    int stride = 0;
    bool circularPadding = false;  // views wrap horizontally (a 360° panorama); needs one row of views
    int viewBatchSize = 1;         // views per UNet call (each call also carries the reference)
    // The reference latent is drawn from a CPU generator seeded with `seed` ([1, C, window, window],
    // as the demo's torch.manual_seed(seed); randn), the panorama's from `seed + 1` (the demo leaves
    // it unseeded).
    uint64_t seed = 0;
    torch::Tensor initLatents;          // [1, C, h, w]: start the panorama from these instead
    torch::Tensor initReferenceLatent;  // [1, C, window, window]: start the reference from these instead
    std::optional<LayerPlan> plan;      // empty: LayerPlan::paperDefault (the demo's StyleAlignedArgs)
    // Precomputed embeddings instead of encoding the prompts: cond / uncond with 2 rows each,
    // [reference, panorama] (SDXL: pooled embeddings and timeIds too).
    std::optional<Conditioning> conditioning;
    // Panoramas are large: Auto tiles the decode when the untiled one would need too much memory
    // (SD 512 × 2048 in float32 is tiled).
    VaeTiling vaeTiling{VaeTilingMode::Auto};
    // Views that do not reach the last rows / columns (a size that is not window + k·stride) leave
    // those latents at zero in the reference code. Refused unless this is set (to reproduce it).
    bool allowUncoveredEdges = false;
};

// The views of a resolved request and how they are batched.
struct PanoramaLayout {
    int64_t latentHeight = 0, latentWidth = 0;
    int64_t window = 0, stride = 0;
    bool circular = false;
    std::vector<PanoramaView> views;
    std::vector<std::pair<size_t, size_t>> batches;  // [begin, end) into views, viewBatchSize each (the last shorter)
};

// Fills the defaults (window, stride, height, width) from the model and validates the request
// (sizes against the VAE factor and the window, stride, circular padding, view batches, initial
// latents, conditioning rows); every refusal is an sa::Error naming the field.
PanoramaRequest resolvePanoramaRequest(const StableDiffusionModel& model, PanoramaRequest request);
// The views of a request whose window and stride are set, validated as above (no model needed:
// `vaeFactor` pixels per latent cell).
PanoramaLayout panoramaLayout(const PanoramaRequest& request, int vaeFactor);

// After every step: `latents` and `x0Preview` are the whole panorama [1, C, h, w] (the denoised
// views and their predicted clean latents, averaged over the views), so a viewer can show the
// panorama growing; the reference's row comes separately. Read-only.
struct PanoramaStepEvent : StepEvent {
    torch::Tensor referenceLatent;     // [1, C, window, window]
    torch::Tensor referenceX0Preview;  // [1, C, window, window]
};
using PanoramaStepCallback = std::function<void(PanoramaStepEvent&)>;

struct PanoramaResult {
    PanoramaLayout layout;
    std::vector<int64_t> timesteps;
    std::vector<std::string> sharedLayers;  // the layers that received the shared processor
    torch::Tensor latents;                  // [1, C, h, w]
    torch::Tensor referenceLatent;          // [1, C, window, window]
    torch::Tensor image;                    // [1, 3, H, W] in [0, 1] (undefined when decoding was skipped)
    torch::Tensor referenceImage;           // [1, 3, window·f, window·f] in [0, 1]
    int unetCalls = 0;                      // steps × view batches
    double denoiseSeconds = 0;
    double totalSeconds = 0;
};

class PanoramaPipeline {
public:
    explicit PanoramaPipeline(std::shared_ptr<StableDiffusionModel> model) : model_(std::move(model)) {}
    // Cancellation is checked before every view batch and between decoder tiles.
    PanoramaResult generate(const PanoramaRequest& request, const PanoramaStepCallback& callback = {},
                            const CancelToken* cancel = nullptr, bool decode = true);
    StableDiffusionModel& model() { return *model_; }

private:
    std::shared_ptr<StableDiffusionModel> model_;
};

// The panorama decoded as the reference does: plain vae.decode, or with circular padding
// decode_latents_with_padding (8 latent columns — at most the width — wrapped onto each side,
// decoded, the padding cropped), then (x / 2 + 0.5).clamp(0, 1); tiled as `tiling` says.
torch::Tensor decodePanorama(StableDiffusionModel& model, const torch::Tensor& latents, bool circular,
                             const VaeTiling& tiling = {}, const CancelToken* cancel = nullptr);

}  // namespace sa
