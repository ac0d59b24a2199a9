#include "core/models/layers.h"

#include <cmath>

#include "core/common/error.h"

namespace sa {

GroupNormImpl::GroupNormImpl(int groups_, int channels_, double eps_, bool affine)
    : groups(groups_), channels(channels_), eps(eps_) {
    if (groups <= 0 || channels % groups != 0)
        fail("GroupNorm: {} channels cannot be split into {} groups (norm_num_groups)", channels, groups);
    if (affine) {
        weight = register_parameter("weight", torch::ones({channels}));
        bias = register_parameter("bias", torch::zeros({channels}));
    }
}

torch::Tensor GroupNormImpl::plain(const torch::Tensor& x) const {
    return torch::group_norm(x, groups, weight, bias, eps);
}

torch::Tensor GroupNormImpl::forward(const torch::Tensor& x) {
    return hook ? (*hook)(*this, x) : plain(x);
}

Activation activationByName(const std::string& name, const std::string& where) {
    if (name == "silu" || name == "swish") return [](const torch::Tensor& x) { return torch::silu(x); };
    if (name == "gelu") return [](const torch::Tensor& x) { return torch::gelu(x); };
    if (name == "quick_gelu") return [](const torch::Tensor& x) { return x * torch::sigmoid(1.702 * x); };
    if (name == "relu") return [](const torch::Tensor& x) { return torch::relu(x); };
    if (name == "mish") return [](const torch::Tensor& x) { return torch::mish(x); };
    fail("{}: activation '{}' is not supported (silu, gelu, quick_gelu, relu, mish)", where, name);
}

torch::Tensor splitHeads(const torch::Tensor& x, int64_t heads) {
    return x.view({x.size(0), x.size(1), heads, -1}).transpose(1, 2);
}

torch::Tensor mergeHeads(const torch::Tensor& x) {
    return x.transpose(1, 2).reshape({x.size(0), x.size(2), -1});
}

torch::Tensor scaledAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, ScaleAt scale,
                              const torch::Tensor& mask) {
    const double root = std::sqrt(static_cast<double>(q.size(-1)));
    auto scores = scale == ScaleAt::Queries ? torch::matmul(q * (1.0 / root), k.transpose(-1, -2))
                                            : torch::matmul(q, k.transpose(-1, -2));
    if (scale == ScaleAt::ScoresMultiply) scores = scores * (1.0 / root);
    if (scale == ScaleAt::ScoresDivide) scores = scores / root;
    if (mask.defined()) scores = scores + mask;
    return torch::matmul(scores.softmax(-1), v);
}

torch::nn::LayerNorm layerNorm(int64_t dim, double eps) {
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(eps));
}

torch::nn::Conv2d conv2d(int in, int out, int kernel, int stride, int padding, bool bias) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(bias));
}

torch::nn::Linear linear(int in, int out, bool bias) {
    return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

}  // namespace sa
