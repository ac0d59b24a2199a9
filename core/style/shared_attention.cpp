#include "core/style/shared_attention.h"

#include <cmath>

#include "core/common/error.h"

namespace sa {
namespace {

int64_t checkedGroupSize(int64_t batch, int64_t groups) {
    if (groups <= 0 || batch % groups != 0)
        fail("StyleAligned: batch of {} cannot be split into {} groups with a reference each", batch, groups);
    return batch / groups;
}

// (1 − a)·x + a·AdaIN(x), exact AdaIN for a = 1.
torch::Tensor blendAdain(const torch::Tensor& x, double amount, int64_t groups) {
    if (amount <= 0.0) return x;
    auto normalized = adain(x, groups);
    if (amount >= 1.0) return normalized;
    return x + amount * (normalized - x);
}

}  // namespace

torch::Tensor expandReference(const torch::Tensor& x, int64_t groups, double scale) {
    const int64_t n = checkedGroupSize(x.size(0), groups);
    auto shape = x.sizes().vec();
    std::vector<int64_t> grouped{groups, n};
    grouped.insert(grouped.end(), shape.begin() + 1, shape.end());
    auto ref = x.view(grouped).narrow(1, 0, 1);  // [G, 1, …]
    auto expanded = ref.expand(grouped);
    if (scale != 1.0 && n > 1) expanded = torch::cat({ref, scale * ref.expand_as(x.view(grouped).narrow(1, 1, n - 1))}, 1);
    return expanded.reshape(shape);
}

torch::Tensor adain(const torch::Tensor& x, int64_t groups) {
    auto mean = x.mean(-2, true);
    auto std = (x.var(-2, /*unbiased=*/true, /*keepdim=*/true) + 1e-5).sqrt();
    return (x - mean) / std * expandReference(std, groups) + expandReference(mean, groups);
}

SharedAttentionProcessor::SharedAttentionProcessor(std::string layer, LayerSettings settings,
                                                   std::shared_ptr<StyleAlignedState> state)
    : layer_(std::move(layer)), settings_(settings), state_(std::move(state)) {}

torch::Tensor SharedAttentionProcessor::fullShare(AttentionImpl& attn, const torch::Tensor& hidden) {
    // '(k b) n d -> k (b n) d': every image attends to all tokens of its group (ablation).
    auto x = attn.prepareInput(hidden);
    const auto b = x.size(0), n = x.size(1);
    auto grouped = x.reshape({state_->groups, -1, x.size(2)});
    auto q = attn.splitHeads(attn.toQ(grouped)), k = attn.splitHeads(attn.toK(grouped)), v = attn.splitHeads(attn.toV(grouped));
    auto out = attn.mergeHeads(scaledDotProductAttention(q, k, v, attn.scale)).reshape({b, n, -1});
    return attn.finishOutput(out, hidden);
}

torch::Tensor SharedAttentionProcessor::operator()(AttentionImpl& attn, const torch::Tensor& hidden,
                                                   const torch::Tensor* encoderHidden) {
    if (encoderHidden || !settings_.activeAt(state_->step))
        return (*DefaultAttnProcessor::shared())(attn, hidden, encoderHidden);
    if (state_->fullAttentionShare) return fullShare(attn, hidden);

    const int64_t groups = state_->groups;
    auto x = attn.prepareInput(hidden);
    auto q = blendAdain(attn.splitHeads(attn.toQ(x)), settings_.adainQueries, groups);
    auto k = blendAdain(attn.splitHeads(attn.toK(x)), settings_.adainKeys, groups);
    auto v = blendAdain(attn.splitHeads(attn.toV(x)), settings_.adainValues, groups);

    torch::Tensor attended, probs;
    if (settings_.share) {
        // K' = [K ; s·K_ref], V' = [V ; V_ref]; logits of the reference's tokens shifted by ln w.
        k = torch::cat({k, expandReference(k, groups, settings_.keyScale)}, -2);
        v = torch::cat({v, expandReference(v, groups)}, -2);
        auto logits = torch::matmul(q, k.transpose(-1, -2)) * attn.scale;
        const double shift = settings_.logitShift();
        if (shift != 0.0) logits.narrow(-1, q.size(2), q.size(2)).add_(shift);
        probs = logits.softmax(-1);
        attended = torch::matmul(probs, v);
    } else {
        auto logits = torch::matmul(q, k.transpose(-1, -2)) * attn.scale;
        probs = logits.softmax(-1);
        attended = torch::matmul(probs, v);
    }
    auto out = attn.finishOutput(attn.mergeHeads(attended), hidden);
    if (state_->observer) state_->observer({layer_, state_->step, x, q, k, v, probs, out});
    return out;
}

torch::Tensor SharedGroupNormHook::operator()(GroupNormImpl& norm, const torch::Tensor& x) {
    if (x.dim() < 3) return norm.plain(x);
    // concat_first along dim -2 (height), normalize, keep the image's own rows.
    const auto rows = x.size(-2);
    auto pooled = torch::cat({x, expandReference(x, state_->groups)}, -2);
    return norm.plain(pooled).narrow(-2, 0, rows);
}

}  // namespace sa
