#pragma once
// Transformer2DModel and BasicTransformerBlock (diffusers models/transformer_2d.py, attention.py)
// for continuous (latent) inputs: GroupNorm → proj_in → blocks → proj_out → + residual.
#include <torch/torch.h>

#include "core/models/attention_processor.h"
#include "core/models/layers.h"

namespace sa {

// FeedForward with GEGLU: net.0.proj → (h, gate) → h·gelu(gate) → net.2
class FeedForwardImpl : public torch::nn::Module {
public:
    FeedForwardImpl(int dim, int mult = 4);
    torch::Tensor forward(const torch::Tensor& x);

    Linear proj{nullptr}, out{nullptr};
};
TORCH_MODULE(FeedForward);

class BasicTransformerBlockImpl : public torch::nn::Module {
public:
    BasicTransformerBlockImpl(int dim, int heads, int dimHead, int crossAttentionDim);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);

    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
    Attention attn1{nullptr}, attn2{nullptr};
    FeedForward ff{nullptr};
};
TORCH_MODULE(BasicTransformerBlock);

struct Transformer2DOptions {
    int heads = 8;
    int dimHead = 64;
    int inChannels = 0;
    int layers = 1;
    int crossAttentionDim = 768;
    int groups = 32;
    bool useLinearProjection = false;
};

class Transformer2DModelImpl : public torch::nn::Module {
public:
    explicit Transformer2DModelImpl(const Transformer2DOptions& options);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);

    GroupNorm norm{nullptr};
    torch::nn::AnyModule projIn, projOut;  // Conv2d 1×1 or Linear
    std::vector<BasicTransformerBlock> blocks;
    bool useLinearProjection;
};
TORCH_MODULE(Transformer2DModel);

}  // namespace sa
