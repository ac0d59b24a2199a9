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

Conv2d conv2d(int in, int out, int kernel, int stride, int padding, bool bias) {
    return Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(bias));
}

Linear linear(int in, int out, bool bias) {
    return Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

namespace {

bool adapterOn(const LowRankAdapter& a) { return a.scale && *a.scale != 0.0; }

}  // namespace

torch::Tensor AdaptableLayer::mergedWeight() const {
    const auto& w = baseWeight();
    auto merged = w.to(torch::kFloat32, /*non_blocking=*/false, /*copy=*/true);
    for (const auto& a : adapters)
        if (adapterOn(a)) {
            auto fusion = torch::mm(a.up.to(torch::kFloat32).flatten(1) * a.factor, a.down.to(torch::kFloat32).flatten(1));
            merged = merged + *a.scale * fusion.reshape(w.sizes());
        }
    return merged.to(w.scalar_type());
}

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
    auto y = torch::nn::LinearImpl::forward(x);
    for (const auto& a : adapters)
        if (adapterOn(a)) y.add_(torch::linear(torch::linear(x, a.down), a.up), *a.scale * a.factor);
    return y;
}

torch::Tensor Conv2dImpl::forward(const torch::Tensor& x) {
    auto y = torch::nn::Conv2dImpl::forward(x);
    for (const auto& a : adapters)
        if (adapterOn(a)) {
            // Numeric padding only: the networks build every conv with conv2d() above.
            const auto& padding = c10::get<torch::ExpandingArray<2>>(options.padding());
            auto down = torch::conv2d(x, a.down, {}, options.stride(), padding, options.dilation());
            y.add_(torch::conv2d(down, a.up), *a.scale * a.factor);
        }
    return y;
}

}  // namespace sa
