#pragma once
// A diffusers model folder (model_index.json + one folder per module) loaded into the networks.
#include <filesystem>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "core/models/autoencoder_kl.h"
#include "core/models/clip_text_model.h"
#include "core/models/unet_2d_condition.h"
#include "core/schedulers/ddim_scheduler.h"
#include "core/text/clip_tokenizer.h"

namespace sa {

enum class ModelFamily { StableDiffusion, StableDiffusionXL };

struct LoadOptions {
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kFloat32;  // weights in fp16/bf16 files are cast to this
    bool loadVae = true;
};

struct StableDiffusionModel {
    std::filesystem::path folder;
    ModelFamily family = ModelFamily::StableDiffusion;
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kFloat32;

    UNet2DConditionModel unet{nullptr};
    AutoencoderKL vae{nullptr};
    CLIPTextModel textEncoder{nullptr};
    CLIPTextModel textEncoder2{nullptr};  // SDXL
    std::shared_ptr<ClipTokenizer> tokenizer, tokenizer2;
    DDIMSchedulerConfig schedulerConfig;  // as the pipeline's constructor leaves it
    bool forceZerosForEmptyPrompt = true;  // SDXL: empty negative prompt → zero embeddings

    bool isXL() const { return family == ModelFamily::StableDiffusionXL; }
    int latentChannels() const { return unet->config().in_channels; }
    int vaeScaleFactor() const;

    // Loads and cross-checks every module (text encoder width vs cross_attention_dim, ...).
    static std::shared_ptr<StableDiffusionModel> load(const std::filesystem::path& folder, const LoadOptions& options = {});
};

// One module: config.json + safetensors weights, checked key by key.
UNet2DConditionModel loadUNet(const std::filesystem::path& folder, const LoadOptions& options = {});
AutoencoderKL loadVae(const std::filesystem::path& folder, const LoadOptions& options = {});
CLIPTextModel loadTextEncoder(const std::filesystem::path& folder, const LoadOptions& options = {});

}  // namespace sa
