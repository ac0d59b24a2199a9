#pragma once
// The architecture of a single-file checkpoint from its original YAML config (CompVis LDM
// v1-inference.yaml / v2-inference(-v).yaml, Stability SGM sd_xl_base.yaml), converted to the
// diffusers configs the networks are built from, as diffusers v0.25 create_unet_diffusers_config /
// create_vae_diffusers_config do (SDXL's text_time embedding read from the YAML instead of
// diffusers' context_dim guess). Without a YAML, each family's standard configuration is built in.
// Every error names the file and the YAML path of the field.
#include <filesystem>
#include <string>
#include <vector>

#include "core/models/autoencoder_kl.h"
#include "core/models/unet_2d_condition.h"
#include "core/schedulers/ddim_scheduler.h"

namespace sa {

enum class CheckpointFamily { SD1, SD2, SDXL };
std::string familyName(CheckpointFamily family);  // "SD 1.x", "SD 2.x", "SDXL"

// Which hidden state of a text encoder conditions the UNet: hidden_states[index] (0 = the
// embeddings, i = output of layer i; negative counts from the end), optionally through the
// encoder's final LayerNorm. diffusers folders: SD {-1, true} (last_hidden_state), SDXL {-2, false}.
struct TextConditioning {
    int hiddenState = -1;
    bool finalNorm = true;
    bool operator==(const TextConditioning&) const = default;
};

struct OriginalConfig {
    std::string where;  // the YAML file, or "built-in SD 1.x configuration (v1-inference.yaml)"
    CheckpointFamily family = CheckpointFamily::SD1;
    UNet2DConditionConfig unet;
    AutoencoderKLConfig vae;
    DDIMSchedulerConfig scheduler;  // prediction_type from `parameterization` / the denoiser's scaling
    std::vector<TextConditioning> textConditioning;  // per text encoder, in the file's order
};

OriginalConfig readOriginalConfig(const std::filesystem::path& yamlFile);
// `where` names the text in errors.
OriginalConfig parseOriginalConfig(const std::string& yamlText, const std::string& where);
// The family's standard configuration: SD 1.x = v1-inference.yaml, SD 2.x = v2-inference-v.yaml
// (768 px, v-prediction), SDXL = sd_xl_base.yaml.
OriginalConfig builtinOriginalConfig(CheckpointFamily family);

}  // namespace sa
