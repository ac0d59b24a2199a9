#pragma once
// AutoencoderKL (diffusers models/autoencoders/autoencoder_kl.py + vae.py Encoder/Decoder).
#include <filesystem>

#include <torch/torch.h>

#include "core/io/json_config.h"
#include "core/models/unet_2d_blocks.h"

namespace sa {

struct AutoencoderKLConfig {
    int in_channels = 3;
    int out_channels = 3;
    int latent_channels = 4;
    std::vector<int> block_out_channels{64};
    int layers_per_block = 1;
    int norm_num_groups = 32;
    std::string act_fn = "silu";
    double scaling_factor = 0.18215;
    int sample_size = 32;

    static AutoencoderKLConfig fromJson(const JsonConfig& json);
    static AutoencoderKLConfig load(const std::filesystem::path& configFile);
    nlohmann::json toJson() const;
};

// DiagonalGaussianDistribution of the encoder.
struct LatentDistribution {
    torch::Tensor mean, logvar, std;  // logvar clamped to [-30, 20]
    // DiagonalGaussianDistribution(moments): mean and logvar are the two halves of the channels.
    static LatentDistribution fromMoments(const torch::Tensor& moments);
};

class VaeEncoderImpl : public torch::nn::Module {
public:
    explicit VaeEncoderImpl(const AutoencoderKLConfig& config);
    torch::Tensor forward(const torch::Tensor& x);

    Conv2d convIn{nullptr}, convOut{nullptr};
    std::vector<DownBlock> downBlocks;
    MidBlock midBlock{nullptr};
    GroupNorm convNormOut{nullptr};
    Activation act;
};
TORCH_MODULE(VaeEncoder);

class VaeDecoderImpl : public torch::nn::Module {
public:
    explicit VaeDecoderImpl(const AutoencoderKLConfig& config);
    torch::Tensor forward(const torch::Tensor& z);

    Conv2d convIn{nullptr}, convOut{nullptr};
    std::vector<UpBlock> upBlocks;
    MidBlock midBlock{nullptr};
    GroupNorm convNormOut{nullptr};
    Activation act;
};
TORCH_MODULE(VaeDecoder);

class AutoencoderKLImpl : public torch::nn::Module {
public:
    explicit AutoencoderKLImpl(AutoencoderKLConfig config);

    // image in [-1, 1], [B, 3, H, W] → posterior over latents [B, 4, H/f, W/f] (not scaled).
    LatentDistribution encode(const torch::Tensor& image);
    // quant_conv(encoder(image)): the posterior's moments [B, 2·latent channels, H/f, W/f].
    torch::Tensor encodeMoments(const torch::Tensor& image);
    // latents as is (divide by scaling_factor first) → image in about [-1, 1].
    torch::Tensor decode(const torch::Tensor& latents);

    const AutoencoderKLConfig& config() const { return config_; }
    int downscaleFactor() const { return 1 << (static_cast<int>(config_.block_out_channels.size()) - 1); }

    VaeEncoder encoder{nullptr};
    VaeDecoder decoder{nullptr};
    Conv2d quantConv{nullptr}, postQuantConv{nullptr};

private:
    AutoencoderKLConfig config_;
};
TORCH_MODULE(AutoencoderKL);

}  // namespace sa
