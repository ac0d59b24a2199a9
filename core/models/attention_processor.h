#pragma once
// diffusers' `Attention` module and its replaceable processor (models/attention_processor.py).
// The module only owns the projections; what attention computes is decided by the processor
// object it calls, so StyleAligned (core/style) or a probe can swap it per layer by path.
#include <memory>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "core/models/layers.h"

namespace sa {

class AttentionImpl;

class AttnProcessor {
public:
    virtual ~AttnProcessor() = default;
    // hidden: [B, N, C] (or [B, C, H, W] for the VAE); encoderHidden: cross-attention context
    // or nullptr for self-attention.
    virtual torch::Tensor operator()(AttentionImpl& attn, const torch::Tensor& hidden,
                                     const torch::Tensor* encoderHidden) = 0;
};

// softmax(Q Kᵀ · scale) V with Q, K, V as [B, heads, tokens, head_dim] (float32 formula of the
// golden reference; torch 1.13 has no fused kernel).
torch::Tensor scaledDotProductAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                        double scale);

// The same, computed in blocks of rows (batch × heads) and queries so that one block's logits
// stay small (in cache on CPU), with `shift` added to the logits of keys [shiftFrom, K). When
// `probs` is given it receives the full probabilities (probes, tests).
torch::Tensor chunkedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale,
                               double shift = 0.0, int64_t shiftFrom = 0, torch::Tensor* probs = nullptr);

// One block of blocked attention: `rows` rows of (batch × heads) by `queries` queries against
// `keys` keys, for tensors like `like` (its device sets the budget: a few MiB of logits on CPU,
// more on a GPU); each at least 1.
struct AttentionBlock {
    int64_t rows, queries;
};
AttentionBlock attentionBlock(int64_t rows, int64_t queries, int64_t keys, const torch::Tensor& like);
// x [..., tokens, d] (heads as transposed views) as one contiguous [rows, tokens, d] tensor, times
// `scale`, in one pass.
torch::Tensor attentionRows(const torch::Tensor& x, double scale = 1.0);

// The stock processor (AttnProcessor / AttnProcessor2_0 of diffusers).
class DefaultAttnProcessor : public AttnProcessor {
public:
    torch::Tensor operator()(AttentionImpl& attn, const torch::Tensor& hidden, const torch::Tensor* encoderHidden) override;
    static std::shared_ptr<DefaultAttnProcessor> shared();
};

struct AttentionOptions {
    int queryDim = 0;
    std::optional<int> crossAttentionDim;  // none: self-attention
    int heads = 8;
    int dimHead = 64;
    bool bias = false;     // q/k/v projections
    bool outBias = true;
    std::optional<int> normNumGroups;  // GroupNorm on the input (VAE)
    double eps = 1e-5;
    bool residualConnection = false;
    double rescaleOutputFactor = 1.0;
};

class AttentionImpl : public torch::nn::Module {
public:
    explicit AttentionImpl(const AttentionOptions& options);
    torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor* encoderHidden = nullptr);

    bool isCrossAttention() const { return crossAttention; }

    // Pieces a processor composes (the steps of diffusers' AttnProcessor).
    // [B, C, H, W] → [B, HW, C] and the optional input GroupNorm.
    torch::Tensor prepareInput(const torch::Tensor& hidden);
    // [B, N, heads*d] ↔ [B, heads, N, d]
    torch::Tensor splitHeads(const torch::Tensor& x) const;
    torch::Tensor mergeHeads(const torch::Tensor& x) const;
    // to_out, back to [B, C, H, W] when the input was 4-D, residual, rescale.
    torch::Tensor finishOutput(const torch::Tensor& attended, const torch::Tensor& originalInput);

    int heads;
    int dimHead;
    double scale;
    bool crossAttention;
    bool residualConnection;
    double rescaleOutputFactor;
    GroupNorm groupNorm{nullptr};
    Linear toQ{nullptr}, toK{nullptr}, toV{nullptr}, toOut{nullptr};
    std::shared_ptr<AttnProcessor> processor;
};
TORCH_MODULE(Attention);

}  // namespace sa
