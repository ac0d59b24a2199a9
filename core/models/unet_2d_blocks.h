#pragma once
// The UNet's and the VAE's blocks (diffusers models/unets/unet_2d_blocks.py). One class per
// role; the diffusers block types are option sets of them:
//   DownBlock2D / CrossAttnDownBlock2D / DownEncoderBlock2D → DownBlock
//   UpBlock2D / CrossAttnUpBlock2D / UpDecoderBlock2D       → UpBlock
//   UNetMidBlock2DCrossAttn                                 → MidBlockCrossAttn
//   UNetMidBlock2D (VAE, self-attention)                    → MidBlock
#include <optional>
#include <vector>

#include <torch/torch.h>

#include "core/models/attention_processor.h"
#include "core/models/resnet.h"
#include "core/models/transformer_2d.h"

namespace sa {

struct BlockOptions {
    int inChannels = 0;
    int outChannels = 0;
    int prevOutputChannels = 0;        // up blocks: channels coming from the block below
    std::optional<int> tembChannels;   // none in the VAE
    int layers = 2;                    // resnets
    int groups = 32;
    double eps = 1e-5;
    std::string act = "silu";
    double outputScaleFactor = 1.0;
    bool addSample = true;             // downsampler / upsampler
    int downsamplePadding = 1;
    // Cross-attention (Transformer2DModel after every resnet) when `heads` > 0.
    int heads = 0;
    int transformerLayers = 1;
    int crossAttentionDim = 0;
    bool useLinearProjection = false;
};

class DownBlockImpl : public torch::nn::Module {
public:
    explicit DownBlockImpl(const BlockOptions& options);
    // Appends every intermediate output (the skip connections) to `states`.
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                          std::vector<torch::Tensor>* states);

    std::vector<ResnetBlock2D> resnets;
    std::vector<Transformer2DModel> attentions;
    Downsample2D downsampler{nullptr};
};
TORCH_MODULE(DownBlock);

class UpBlockImpl : public torch::nn::Module {
public:
    // options.inChannels: channels of the deepest skip of this block (diffusers' in_channels).
    // `withSkips` false for the VAE decoder.
    UpBlockImpl(const BlockOptions& options, bool withSkips);
    // Pops its skip connections from the back of `skips`.
    torch::Tensor forward(torch::Tensor x, std::vector<torch::Tensor>* skips, const torch::Tensor& temb,
                          const torch::Tensor& context, std::optional<std::vector<int64_t>> upsampleSize);

    int numResnets() const { return static_cast<int>(resnets.size()); }
    std::vector<ResnetBlock2D> resnets;
    std::vector<Transformer2DModel> attentions;
    Upsample2D upsampler{nullptr};
};
TORCH_MODULE(UpBlock);

class MidBlockCrossAttnImpl : public torch::nn::Module {
public:
    explicit MidBlockCrossAttnImpl(const BlockOptions& options);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor& context);

    std::vector<ResnetBlock2D> resnets;
    std::vector<Transformer2DModel> attentions;
};
TORCH_MODULE(MidBlockCrossAttn);

class MidBlockImpl : public torch::nn::Module {
public:
    explicit MidBlockImpl(const BlockOptions& options);
    torch::Tensor forward(const torch::Tensor& x);

    std::vector<ResnetBlock2D> resnets;
    std::vector<Attention> attentions;
};
TORCH_MODULE(MidBlock);

}  // namespace sa
