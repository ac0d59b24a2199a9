#pragma once
// A Stable Diffusion model loaded into the networks: from a diffusers folder (model_index.json +
// one folder per module) or from a single-file checkpoint (core/pipeline/single_file_model.h).
#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/models/autoencoder_kl.h"
#include "core/models/clip_text_model.h"
#include "core/common/cancel.h"
#include "core/models/lora.h"
#include "core/models/unet_2d_condition.h"
#include "core/pipeline/original_config.h"
#include "core/schedulers/ddim_scheduler.h"
#include "core/text/clip_tokenizer.h"

namespace sa {

enum class ModelFamily { StableDiffusion, StableDiffusionXL };

// Text-encoder settings a single file does not hold (defaults: the real models' head size 64,
// quick_gelu for CLIP-L, gelu for OpenCLIP).
struct TextEncoderOverride {
    std::optional<int> heads;
    std::optional<std::string> hiddenAct;
};

struct LoadOptions {
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kFloat32;  // weights in fp16/bf16 files are cast to this
    bool loadVae = true;

    // Single-file checkpoints only.
    std::filesystem::path config;               // original YAML; empty: <file>.yaml beside it, else built in
    std::optional<std::string> predictionType;  // epsilon | v_prediction | sample: overrides the config
    std::vector<TextEncoderOverride> textEncoders;  // per encoder in file order; a single entry applies to all

    // Progress in [0, 1] with what is being loaded; checked for cancellation between tensors.
    std::function<void(double fraction, const std::string& what)> progress;
    const CancelToken* cancel = nullptr;
};

// A LoRA attached to a model (StableDiffusionModel::addLora).
struct AttachedLora {
    std::string name;  // unique in the model: the file's stem unless given
    std::filesystem::path path;  // as given: the file, or the diffusers LoRA folder
    LoraFormat format = LoraFormat::Kohya;
    double weight = 1.0;  // diffusers' cross_attention_kwargs "scale", for the UNet and the text encoders
    bool enabled = true;
    int layers = 0;                      // layers it adapts
    std::vector<std::string> unmatched;  // keys it skipped (LoraReadOptions::allowUnmatched)
    std::string identity;                // hash of the file's path, size and modification time
    std::shared_ptr<double> scale;       // weight when enabled, else 0: what its adapters read
};

struct StableDiffusionModel {
    std::filesystem::path folder;  // the diffusers folder, or the single file
    ModelFamily family = ModelFamily::StableDiffusion;
    std::string familyLabel = "SD";      // "SD 1.x", "SD 2.x", "SDXL" when known
    bool singleFile = false;
    std::string weightsDtype = "F32";    // as stored ("F16", "BF16", "mixed")
    std::string configSource;            // single file: the YAML or the built-in configuration used
    std::vector<std::string> notes;      // what the loader assumed or ignored, for the status line
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kFloat32;

    UNet2DConditionModel unet{nullptr};
    AutoencoderKL vae{nullptr};
    CLIPTextModel textEncoder{nullptr};
    CLIPTextModel textEncoder2{nullptr};  // SDXL
    std::shared_ptr<ClipTokenizer> tokenizer, tokenizer2;
    DDIMSchedulerConfig schedulerConfig;  // as the pipeline's constructor leaves it
    bool forceZerosForEmptyPrompt = true;  // SDXL: empty negative prompt → zero embeddings
    // The hidden state of each text encoder that conditions the UNet (diffusers folders: SD the
    // last_hidden_state, SDXL the penultimate layer without the final norm; SD 2.x single files
    // the penultimate layer with it).
    std::array<TextConditioning, 2> conditioning{TextConditioning{-1, true}, TextConditioning{-1, true}};

    bool isXL() const { return family == ModelFamily::StableDiffusionXL; }
    int latentChannels() const { return unet->config().in_channels; }
    int vaeScaleFactor() const;

    // "SD 1.x · ε-prediction · F16 weights as float32 · single file (sd15.yaml)"
    std::string summary() const;

    // A diffusers folder or a single .safetensors file (then core/pipeline/single_file_model.h).
    // Loads and cross-checks every module (text encoder width vs cross_attention_dim, ...).
    static std::shared_ptr<StableDiffusionModel> load(const std::filesystem::path& path, const LoadOptions& options = {});
    // The cross-checks alone; `unetWhere` / `vaeWhere` name the configs in errors.
    void checkConsistency(const std::string& unetWhere, const std::string& vaeWhere) const;

    // LoRAs (core/models/lora.h), several at once, each with its own weight, on the UNet and the
    // text encoders. Attaching reads and checks the file whole first; weights, switching and
    // removal store into the scale a LoRA's adapters share, so base weights never change and
    // nothing is reloaded (switched off or removed, outputs are the base ones bit for bit).
    // Change them between runs, not during one. Names are those given back by addLora.
    AttachedLora addLora(const std::filesystem::path& file, double weight = 1.0, const LoraReadOptions& options = {},
                         const std::string& name = {});
    void setLoraWeight(const std::string& name, double weight);
    void setLoraEnabled(const std::string& name, bool enabled);
    void removeLora(const std::string& name);
    void removeAllLoras();
    const std::vector<AttachedLora>& loras() const { return loras_; }
    // The LoRAs that change outputs (enabled, weight ≠ 0) with their files and weights, in order,
    // e.g. "detail#1f3a9c0e*0.6"; "" when none. Any change to the LoRA set or a weight changes it,
    // so it keys caches of results (the reference cache).
    std::string loraSignature() const;
    // `layer`'s weight with the active LoRAs merged in: W + Σ weight · factor · up @ down.
    torch::Tensor mergedLoraWeight(LoraNetwork network, const std::string& layer) const;
    LoraNetworks loraNetworks() const;

private:
    AttachedLora& attachedLora(const std::string& name);
    std::vector<AttachedLora> loras_;
};

// The single-file options as set.json keeps them ("model_options"), so that a set made from a
// checkpoint loaded with a YAML or overrides reproduces: {"config", "prediction_type",
// "text_encoder_heads": [...], "text_encoder_act": [...]}, an empty object for the defaults.
nlohmann::json modelOptionsToJson(const LoadOptions& options);
// Sets those fields of `options`; `where` names the source in errors.
void modelOptionsFromJson(const nlohmann::json& json, LoadOptions& options, const std::string& where);

// Moves a loaded module to the options' device and dtype, in eval mode without gradients.
void prepareForInference(torch::nn::Module& module, const LoadOptions& options);

// One module: config.json + safetensors weights, checked key by key.
UNet2DConditionModel loadUNet(const std::filesystem::path& folder, const LoadOptions& options = {});
AutoencoderKL loadVae(const std::filesystem::path& folder, const LoadOptions& options = {});
CLIPTextModel loadTextEncoder(const std::filesystem::path& folder, const LoadOptions& options = {});

}  // namespace sa
