#pragma once
// ResnetBlock2D, Downsample2D, Upsample2D (diffusers models/resnet.py, downsampling.py,
// upsampling.py) with the "default" time-embedding norm.
#include <optional>

#include <torch/torch.h>

#include "core/models/layers.h"

namespace sa {

struct ResnetOptions {
    int inChannels = 0;
    int outChannels = 0;
    std::optional<int> tembChannels;  // none in the VAE
    int groups = 32;
    double eps = 1e-6;
    std::string act = "silu";
    double outputScaleFactor = 1.0;
};

class ResnetBlock2DImpl : public torch::nn::Module {
public:
    explicit ResnetBlock2DImpl(const ResnetOptions& options);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb);

    GroupNorm norm1{nullptr}, norm2{nullptr};
    Conv2d conv1{nullptr}, conv2{nullptr}, convShortcut{nullptr};
    Linear timeEmbProj{nullptr};
    Activation act;
    double outputScaleFactor;
};
TORCH_MODULE(ResnetBlock2D);

// Strided 3×3 conv; padding 0 means the VAE's asymmetric (0, 1, 0, 1) zero pad first.
class Downsample2DImpl : public torch::nn::Module {
public:
    Downsample2DImpl(int channels, int padding);
    torch::Tensor forward(const torch::Tensor& x);

    Conv2d conv{nullptr};
    int padding;
};
TORCH_MODULE(Downsample2D);

// Nearest ×2 (or to `size`) then 3×3 conv.
class Upsample2DImpl : public torch::nn::Module {
public:
    explicit Upsample2DImpl(int channels);
    torch::Tensor forward(const torch::Tensor& x, std::optional<std::vector<int64_t>> size = std::nullopt);

    Conv2d conv{nullptr};
};
TORCH_MODULE(Upsample2D);

}  // namespace sa
