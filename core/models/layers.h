#pragma once
// Small building blocks shared by the networks: a hookable GroupNorm, list registration, and
// activations by their config name.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace sa {

class GroupNormImpl;

// Replaces what a GroupNorm computes (StyleAligned's shared GroupNorm is one); installed from
// outside the model, so the model code never knows about it.
class NormHook {
public:
    virtual ~NormHook() = default;
    virtual torch::Tensor operator()(GroupNormImpl& norm, const torch::Tensor& x) = 0;
};

class GroupNormImpl : public torch::nn::Module {
public:
    GroupNormImpl(int groups, int channels, double eps, bool affine = true);
    torch::Tensor forward(const torch::Tensor& x);
    // The stock computation (what a hook calls on its own input).
    torch::Tensor plain(const torch::Tensor& x) const;

    int groups;
    int channels;
    double eps;
    torch::Tensor weight, bias;
    std::shared_ptr<NormHook> hook;
};
TORCH_MODULE(GroupNorm);

// Registers `items` as a torch::nn::ModuleList named `name`, so their parameters get the
// checkpoint names "name.0.…", "name.1.…".
template <typename Holder>
void registerList(torch::nn::Module& owner, const std::string& name, const std::vector<Holder>& items) {
    torch::nn::ModuleList list;
    for (const auto& item : items) list->push_back(item);
    owner.register_module(name, list);
}

// "silu", "gelu", "quick_gelu", … (diffusers / transformers names).
using Activation = std::function<torch::Tensor(const torch::Tensor&)>;
Activation activationByName(const std::string& name, const std::string& where);

// Multi-head attention on [B, T, C] tensors split into heads ([B, heads, T, C / heads]) and back.
torch::Tensor splitHeads(const torch::Tensor& x, int64_t heads);
torch::Tensor mergeHeads(const torch::Tensor& x);
// softmax(q kᵀ · 1/√d + mask) v on split heads. Where the 1/√d enters changes the last bits, so
// each port says which its reference uses: CLIP scales the queries, BLIP's vision tower multiplies
// the scores, BERT and ViT divide them.
enum class ScaleAt { Queries, ScoresMultiply, ScoresDivide };
torch::Tensor scaledAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, ScaleAt scale,
                              const torch::Tensor& mask = {});

// A low-rank adapter (LoRA; LoCon on convolutions) on a Linear or Conv2d: the layer's output gains
// scale · factor · up(down(x)), as diffusers' LoRACompatibleLinear / LoRACompatibleConv compute it.
// The base weights never change: `scale` is shared by every adapter of one LoRA file, so moving
// its weight or switching it off (0) is one store, never a reload (core/models/lora.h fills these).
struct LowRankAdapter {
    torch::Tensor down;   // Linear [r, in]; Conv2d [r, in, kh, kw], with the base conv's stride and padding
    torch::Tensor up;     // Linear [out, r]; Conv2d [out, r, 1, 1]
    double factor = 1.0;  // alpha / rank; 1 when the file stores no alpha
    std::shared_ptr<const double> scale;
};

// What a layer that takes adapters shares, whether Linear or Conv2d: its adapters and its base
// weight ([out, in] or [out, in, kh, kw]), so LoRA code handles both alike.
class AdaptableLayer {
public:
    virtual ~AdaptableLayer() = default;
    virtual const torch::Tensor& baseWeight() const = 0;
    // W + Σ scale · factor · up @ down over the adapters that are on (convolutions:
    // up[:, :, 0, 0] @ down.flatten(1), reshaped), as diffusers' _fuse_lora computes it in float32.
    torch::Tensor mergedWeight() const;

    std::vector<LowRankAdapter> adapters;
};

// torch::nn::Linear and Conv2d with adapters. Every Linear / Conv2d of the networks is one of
// these; with no adapter, or every adapter's scale 0, the forward is the stock one bit for bit.
class LinearImpl : public torch::nn::LinearImpl, public AdaptableLayer {
public:
    using torch::nn::LinearImpl::LinearImpl;
    torch::Tensor forward(const torch::Tensor& x);
    const torch::Tensor& baseWeight() const override { return weight; }
};
TORCH_MODULE(Linear);

class Conv2dImpl : public torch::nn::Conv2dImpl, public AdaptableLayer {
public:
    using torch::nn::Conv2dImpl::Conv2dImpl;
    torch::Tensor forward(const torch::Tensor& x);
    const torch::Tensor& baseWeight() const override { return weight; }
};
TORCH_MODULE(Conv2d);

torch::nn::LayerNorm layerNorm(int64_t dim, double eps);
Conv2d conv2d(int in, int out, int kernel, int stride = 1, int padding = 0, bool bias = true);
Linear linear(int in, int out, bool bias = true);

}  // namespace sa
