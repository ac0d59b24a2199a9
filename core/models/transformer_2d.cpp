#include "core/models/transformer_2d.h"

namespace sa {

FeedForwardImpl::FeedForwardImpl(int dim, int mult) {
    const int inner = dim * mult;
    // diffusers: net = [GEGLU(dim, inner), Dropout, Linear(inner, dim)]
    auto geglu = std::make_shared<torch::nn::Module>();
    proj = geglu->register_module("proj", linear(dim, inner * 2));
    out = linear(inner, dim);
    registerList(*this, "net",
                 std::vector<std::shared_ptr<torch::nn::Module>>{geglu, torch::nn::Dropout(0.0).ptr(), out.ptr()});
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
    auto parts = proj(x).chunk(2, -1);
    return out(parts[0] * torch::gelu(parts[1]));
}

BasicTransformerBlockImpl::BasicTransformerBlockImpl(int dim, int heads, int dimHead, int crossAttentionDim) {
    auto layerNorm = [&](const char* name) {
        return register_module(name, torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-5)));
    };
    norm1 = layerNorm("norm1");
    AttentionOptions self{.queryDim = dim, .heads = heads, .dimHead = dimHead};
    attn1 = register_module("attn1", Attention(self));
    norm2 = layerNorm("norm2");
    AttentionOptions cross = self;
    cross.crossAttentionDim = crossAttentionDim;
    attn2 = register_module("attn2", Attention(cross));
    norm3 = layerNorm("norm3");
    ff = register_module("ff", FeedForward(dim));
}

torch::Tensor BasicTransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& context) {
    auto h = attn1->forward(norm1(x)) + x;
    h = attn2->forward(norm2(h), &context) + h;
    return ff(norm3(h)) + h;
}

Transformer2DModelImpl::Transformer2DModelImpl(const Transformer2DOptions& o) : useLinearProjection(o.useLinearProjection) {
    const int inner = o.heads * o.dimHead;
    norm = register_module("norm", GroupNorm(o.groups, o.inChannels, 1e-6));
    if (useLinearProjection) {
        projIn = torch::nn::AnyModule(register_module("proj_in", linear(o.inChannels, inner)));
    } else {
        projIn = torch::nn::AnyModule(register_module("proj_in", conv2d(o.inChannels, inner, 1)));
    }
    for (int i = 0; i < o.layers; ++i) blocks.push_back(BasicTransformerBlock(inner, o.heads, o.dimHead, o.crossAttentionDim));
    registerList(*this, "transformer_blocks", blocks);
    if (useLinearProjection) {
        projOut = torch::nn::AnyModule(register_module("proj_out", linear(inner, o.inChannels)));
    } else {
        projOut = torch::nn::AnyModule(register_module("proj_out", conv2d(inner, o.inChannels, 1)));
    }
}

torch::Tensor Transformer2DModelImpl::forward(const torch::Tensor& x, const torch::Tensor& context) {
    const auto b = x.size(0), h = x.size(2), w = x.size(3);
    auto hidden = norm(x);
    auto toTokens = [&](const torch::Tensor& t) { return t.permute({0, 2, 3, 1}).reshape({b, h * w, t.size(1)}); };
    auto toMap = [&](const torch::Tensor& t) { return t.reshape({b, h, w, t.size(2)}).permute({0, 3, 1, 2}).contiguous(); };
    hidden = useLinearProjection ? projIn.forward(toTokens(hidden)) : toTokens(projIn.forward(hidden));
    for (auto& block : blocks) hidden = block(hidden, context);
    hidden = useLinearProjection ? toMap(projOut.forward(hidden)) : projOut.forward(toMap(hidden));
    return hidden + x;
}

}  // namespace sa
