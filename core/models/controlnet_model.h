#pragma once
// ControlNetModel (diffusers models/controlnet.py, v0.25): a copy of the UNet's encoder half
// (conv_in, time and SDXL added embeddings, down blocks, mid block — the UNet's own block classes)
// that also sees a control image through a small convolutional embedding. It hands the UNet one
// residual per skip connection and one for the mid block (UNetResiduals), each through a 1 × 1
// "zero convolution" (controlnet_down_blocks.*, controlnet_mid_block) and scaled by
// conditioning_scale.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/io/json_config.h"
#include "core/models/unet_2d_condition.h"

namespace sa {

// config.json of a diffusers ControlNetModel; the encoder fields read as the UNet's.
struct ControlNetConfig : UNetEncoderConfig {
    int conditioning_channels = 3;
    std::string controlnet_conditioning_channel_order = "rgb";  // "bgr": the control image's channels are flipped
    std::vector<int> conditioning_embedding_out_channels{16, 32, 96, 256};
    bool global_pool_conditions = false;  // residuals averaged over each map (pipelines then use guess mode)

    static ControlNetConfig fromJson(const JsonConfig& json);
    static ControlNetConfig load(const std::filesystem::path& configFile);
    nlohmann::json toJson() const;  // a diffusers config.json
    // ControlNetModel.from_unet: the UNet's encoder fields with these conditioning settings.
    static ControlNetConfig fromUNet(const UNet2DConditionConfig& unet,
                                     std::vector<int> conditioningEmbeddingOutChannels = {16, 32, 96, 256},
                                     int conditioningChannels = 3);

    // 1 (conv_in) + layers_per_block per down block + one per downsampler.
    int numDownResiduals() const;
    // How much smaller the latents are than the control image: 2^(len(conditioning_embedding_out_channels) − 1)
    // (8 for the real models, equal to the VAE's factor).
    int conditioningDownscale() const;
};

// Refuses a ControlNet whose inputs or residuals would not fit `unet`, naming the field that
// differs (in_channels, block_out_channels, layers_per_block, cross_attention_dim,
// addition_embed_type and its dimensions). `where` names the ControlNet in the message.
void checkControlNetFits(const ControlNetConfig& controlnet, const UNet2DConditionConfig& unet, const std::string& where);

// conv_in → SiLU → (conv, SiLU, stride-2 conv, SiLU) per step → conv_out: the control image
// [B, conditioning_channels, H, W] → [B, block_out_channels[0], H / 2^k, W / 2^k].
class ControlNetConditioningEmbeddingImpl : public torch::nn::Module {
public:
    ControlNetConditioningEmbeddingImpl(int embeddingChannels, int conditioningChannels,
                                        const std::vector<int>& blockOutChannels);
    torch::Tensor forward(const torch::Tensor& conditioning);

    Conv2d convIn{nullptr}, convOut{nullptr};
    std::vector<Conv2d> blocks;
};
TORCH_MODULE(ControlNetConditioningEmbedding);

class ControlNetModelImpl : public torch::nn::Module {
public:
    explicit ControlNetModelImpl(ControlNetConfig config);

    // sample [B, C, h, w] (the UNet's input rows the ControlNet sees), timestep 0-d or [B],
    // context [B, 77, D], cond [B, conditioning_channels, h·f, w·f] in [0, 1], RGB
    // (f = conditioningDownscale()); `added` for addition_embed_type "text_time".
    // Residuals × conditioningScale; with `guessMode` the scale rises from 0.1 to 1 over the
    // residuals (diffusers' guess_mode, log-spaced). `debug` receives "cond_embedding".
    UNetResiduals forward(const torch::Tensor& sample, const torch::Tensor& timestep, const torch::Tensor& context,
                          const torch::Tensor& cond, double conditioningScale = 1.0, const AddedCond* added = nullptr,
                          bool guessMode = false, std::map<std::string, torch::Tensor>* debug = nullptr);

    const ControlNetConfig& config() const { return config_; }

    Conv2d convIn{nullptr};
    TimestepEmbedding timeEmbedding{nullptr}, addEmbedding{nullptr};
    ControlNetConditioningEmbedding condEmbedding{nullptr};
    std::vector<DownBlock> downBlocks;
    MidBlockCrossAttn midBlock{nullptr};
    std::vector<Conv2d> controlnetDownBlocks;  // the zero convolutions, one per down residual
    Conv2d controlnetMidBlock{nullptr};

private:
    ControlNetConfig config_;
};
TORCH_MODULE(ControlNetModel);

// A loaded ControlNet and where it came from (for messages and cache keys).
struct LoadedControlNet {
    ControlNetModel net{nullptr};
    std::filesystem::path source;
    std::vector<std::string> notes;  // what the loader derived or assumed, for the status line
};

// A diffusers ControlNet folder (config.json + diffusion_pytorch_model[.fp16].safetensors), or a
// single .safetensors file: in diffusers key layout, or in the original ControlNet repository's
// (input_hint_block, zero_convs, middle_block_out and the LDM UNet names, under "control_model."
// or bare; other networks' keys in the file are ignored). A single file's config comes from
// "<file stem>.json" or config.json beside it, else is derived from `unet` as
// ControlNetModel.from_unet does, with the conditioning embedding, input channels, transformer
// depths and projection kind read from the weights' shapes (said in `notes`). Every key is checked
// (missing / unexpected / mis-shaped listed), the ControlNet is checked against `unet`
// (checkControlNetFits), then moved to `device` / `dtype` in eval mode. Pickles are refused.
LoadedControlNet loadControlNet(const std::filesystem::path& path, const UNet2DConditionConfig& unet,
                                torch::Device device = torch::kCPU, torch::ScalarType dtype = torch::kFloat32);

}  // namespace sa
