#pragma once
// Writing a loaded model as a diffusers folder that diffusers' from_pretrained (and this app)
// reads: model_index.json, unet/, vae/, text_encoder(_2)/, tokenizer(_2)/, scheduler/.
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/pipeline/stable_diffusion_model.h"

namespace sa {

// model_index.json of a StableDiffusionPipeline / StableDiffusionXLPipeline with DDIM.
nlohmann::json modelIndexJson(bool xl);

// Writes into `folder.partial-<pid>`, then renames it to `folder` (which must not exist yet), so a
// failed or cancelled export leaves nothing behind. A text encoder whose conditioning layer is
// not the one diffusers' pipeline reads (SD 2.x: the penultimate layer with the final norm) is
// written up to that layer, as diffusers' own single-file conversion does. Weights keep the
// file's precision (F16 / BF16 stay half; anything else is written as float32).
void saveAsDiffusers(StableDiffusionModel& model, const std::filesystem::path& folder,
                     const CancelToken* cancel = nullptr);

}  // namespace sa
