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

// AdaIN needs the spread of at least two tokens. A layer at 1×1 (the mid block of a 64 px image
// on SD's four levels) has one: there sa_handler's unbiased variance is 0/0 and every target turns
// to NaN (black images). Deviation from the reference: such a layer is left as it is.
bool adainDefined(const torch::Tensor& x) { return x.size(-2) > 1; }

// (1 − a)·x + a·AdaIN(x), exact AdaIN for a = 1.
torch::Tensor blendAdain(const torch::Tensor& x, double amount, int64_t groups) {
    if (amount <= 0.0 || !adainDefined(x)) return x;
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

namespace {

std::pair<torch::Tensor, torch::Tensor> meanStd(const torch::Tensor& x) {
    auto [var, mean] = torch::var_mean(x, {-2}, /*unbiased=*/true, /*keepdim=*/true);  // one pass
    return {mean, (var + 1e-5).sqrt()};
}

// [G, …] per-group rows → [G·n, …]
torch::Tensor perRow(const torch::Tensor& groupRows, int64_t rows) {
    return groupRows.repeat_interleave(rows / groupRows.size(0), 0);
}

// (x − μ) / σ · σ_ref + μ_ref as one fused x·a + b pass (a, b are per-channel [B, heads, 1, d]).
torch::Tensor normalizeTo(const torch::Tensor& x, const torch::Tensor& mean, const torch::Tensor& std,
                          const torch::Tensor& refMean, const torch::Tensor& refStd) {
    auto scale = refStd / std;
    return torch::addcmul(refMean - mean * scale, x, scale);
}

// AdaIN toward given reference statistics.
torch::Tensor adainTo(const torch::Tensor& x, const torch::Tensor& refMean, const torch::Tensor& refStd) {
    auto [mean, std] = meanStd(x);
    return normalizeTo(x, mean, std, refMean, refStd);
}

torch::Tensor blendTo(const torch::Tensor& x, double amount, const torch::Tensor& refMean, const torch::Tensor& refStd) {
    if (amount <= 0.0 || !adainDefined(x)) return x;
    auto normalized = adainTo(x, refMean, refStd);
    return amount >= 1.0 ? normalized : x + amount * (normalized - x);
}

// softmax([q·Kᵀ ; s_r·q·K_refᵀ + shift] · scale) [V ; V_ref] without the [B, heads, 2N, d]
// concatenation of keys and values: per cache-sized block of one image's heads and queries, the
// own logits and the logits against its group's reference are written side by side into one
// block of logits, normalised by one softmax, and applied to V and V_ref in turn.
// q, k, v [B, heads, N, d] with B = G·n; refKey, refValue [G, heads, M, d]; rowScale[i] scales
// the reference logits of image i of each group (sa_handler scales the reference keys for the
// targets, not for the reference itself). `probs`, when given, receives the probabilities over
// [own ; reference] keys [B, heads, N, N + M] (for probes).
torch::Tensor attendWithReference(const torch::Tensor& qIn, const torch::Tensor& kIn, const torch::Tensor& vIn,
                                  const torch::Tensor& refKeyIn, const torch::Tensor& refValueIn, double scale, double shift,
                                  const torch::Tensor& rowScale, torch::Tensor* probs) {
    const int64_t b = qIn.size(0), heads = qIn.size(1), queries = qIn.size(2);
    const int64_t groups = refKeyIn.size(0), n = b / groups, own = kIn.size(2), keys = own + refKeyIn.size(2);
    // [rows, tokens, d], row = image · heads + head; the softmax scale folded into the queries.
    const auto q = attentionRows(qIn, scale), k = attentionRows(kIn), v = attentionRows(vIn);
    const auto refKey = attentionRows(refKeyIn), refValue = attentionRows(refValueIn);
    const auto kt = k.transpose(1, 2), refKt = refKey.transpose(1, 2);
    const auto factors = rowScale.to(torch::kCPU, torch::kFloat64);
    const auto block = attentionBlock(heads, queries, keys, q);
    auto out = torch::empty({b * heads, queries, v.size(2)}, v.options());
    if (probs) *probs = torch::empty({b * heads, queries, keys}, q.options());
    for (int64_t image = 0; image < b; ++image) {
        const double factor = factors[image % n].item<double>();
        for (int64_t h = 0; h < heads; h += block.rows) {
            const int64_t r = image * heads + h, refRow = image / n * heads + h, rr = std::min(block.rows, heads - h);
            for (int64_t start = 0; start < queries; start += block.queries) {
                const int64_t c = std::min(block.queries, queries - start);
                auto qc = q.narrow(0, r, rr).narrow(1, start, c);
                auto logits = torch::empty({rr, c, keys}, q.options());
                auto ownLogits = logits.narrow(-1, 0, own), refLogits = logits.narrow(-1, own, keys - own);
                torch::bmm_out(ownLogits, qc, kt.narrow(0, r, rr));
                torch::bmm_out(refLogits, factor == 1.0 ? qc : qc * factor, refKt.narrow(0, refRow, rr));
                if (shift != 0.0) refLogits.add_(shift);
                auto p = logits.softmax(-1);
                auto target = out.narrow(0, r, rr).narrow(1, start, c);
                torch::bmm_out(target, p.narrow(-1, 0, own), v.narrow(0, r, rr));
                target.baddbmm_(p.narrow(-1, own, keys - own), refValue.narrow(0, refRow, rr));
                if (probs) probs->narrow(0, r, rr).narrow(1, start, c).copy_(p);
            }
        }
    }
    if (probs) *probs = probs->view({b, heads, queries, keys});
    return out.view({b, heads, queries, v.size(2)});
}

}  // namespace

torch::Tensor adain(const torch::Tensor& x, int64_t groups) {
    auto [mean, std] = meanStd(x);  // calc_mean_std of sa_handler
    return normalizeTo(x, mean, std, expandReference(mean, groups), expandReference(std, groups));
}

ReferenceStep& StyleAlignedState::tapeStep() const {
    if (!tape || step < 0 || step >= static_cast<int>(tape->steps.size()))
        fail("StyleAligned: no recorded reference for step {}", step);
    return tape->steps[static_cast<size_t>(step)];
}

torch::Tensor ReferenceRecorder::operator()(AttentionImpl& attn, const torch::Tensor& hidden,
                                            const torch::Tensor* encoderHidden) {
    if (encoderHidden) return (*DefaultAttnProcessor::shared())(attn, hidden, encoderHidden);
    auto x = attn.prepareInput(hidden);
    // Statistics per channel over tokens on the [B, N, C] projections (= per head and channel).
    auto q = attn.toQ(x), k = attn.toK(x), v = attn.toV(x);
    ReferenceAttention record;
    record.key = k;
    record.value = v;
    std::tie(record.queryMean, record.queryStd) = meanStd(q);
    std::tie(record.keyMean, record.keyStd) = meanStd(k);
    std::tie(record.valueMean, record.valueStd) = meanStd(v);
    state_->tapeStep().attention[layer_] = std::move(record);
    // The reference attending to [itself; itself] is its plain self-attention.
    return attn.finishOutput(
        attn.mergeHeads(scaledDotProductAttention(attn.splitHeads(q), attn.splitHeads(k), attn.splitHeads(v), attn.scale)),
        hidden);
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

    auto x = attn.prepareInput(hidden);
    // AdaIN on the contiguous [B, N, C] projections (statistics per channel over tokens are the
    // reference's per head and channel); heads are split afterwards.
    auto q = attn.toQ(x), k = attn.toK(x), v = attn.toV(x);
    auto reference = state_->mode == ReferenceMode::Replay ? adainReplay(q, k, v) : adainInline(q, k, v);
    q = attn.splitHeads(q);
    k = attn.splitHeads(k);
    v = attn.splitHeads(v);
    torch::Tensor attended, probs, sharedKeys, sharedValues;
    if (settings_.share) {
        // Shared: K' = [K ; s·K_ref], V' = [V ; V_ref], reference logits shifted by ln w, without
        // copying the reference's keys / values next to every image's own.
        auto refKey = attn.splitHeads(reference.key), refValue = attn.splitHeads(reference.value);
        attended = attendWithReference(q, k, v, refKey, refValue, attn.scale, settings_.logitShift(), reference.rowScale,
                                       state_->observer ? &probs : nullptr);
        if (state_->observer) {  // the keys / values as the reference code concatenates them
            const int64_t n = reference.rowScale.size(0);
            auto perImage = reference.rowScale.repeat(refKey.size(0)).to(k.scalar_type()).view({-1, 1, 1, 1});
            sharedKeys = torch::cat({k, refKey.repeat_interleave(n, 0) * perImage}, -2);
            sharedValues = torch::cat({v, refValue.repeat_interleave(n, 0)}, -2);
        }
    } else {
        attended = chunkedAttention(q, k, v, attn.scale, 0.0, q.size(2), state_->observer ? &probs : nullptr);
        sharedKeys = k, sharedValues = v;
    }
    auto out = attn.finishOutput(attn.mergeHeads(attended), hidden);
    if (state_->observer) state_->observer({layer_, state_->step, x, q, sharedKeys, sharedValues, probs, out});
    return out;
}

SharedAttentionProcessor::SharedReference SharedAttentionProcessor::adainInline(torch::Tensor& q, torch::Tensor& k,
                                                                                torch::Tensor& v) const {
    const int64_t groups = state_->groups, n = checkedGroupSize(q.size(0), groups);
    q = blendAdain(q, settings_.adainQueries, groups);
    k = blendAdain(k, settings_.adainKeys, groups);
    v = blendAdain(v, settings_.adainValues, groups);
    if (!settings_.share) return {};
    auto firstRows = [&](const torch::Tensor& t) {  // image 0 of every group: [G, N, C]
        return t.view({groups, n, t.size(1), t.size(2)}).select(1, 0);
    };
    // sa_handler scales the reference keys for the targets, not for the reference itself.
    auto rowScale = torch::full({n}, settings_.keyScale, torch::kFloat64);
    rowScale[0].fill_(1.0);
    return {firstRows(k), firstRows(v), rowScale.to(q.device())};
}

SharedAttentionProcessor::SharedReference SharedAttentionProcessor::adainReplay(torch::Tensor& q, torch::Tensor& k,
                                                                                torch::Tensor& v) const {
    const auto& ref = state_->tapeStep().attention.at(layer_);
    const int64_t rows = q.size(0), groups = ref.key.size(0);
    q = blendTo(q, settings_.adainQueries, perRow(ref.queryMean, rows), perRow(ref.queryStd, rows));
    k = blendTo(k, settings_.adainKeys, perRow(ref.keyMean, rows), perRow(ref.keyStd, rows));
    v = blendTo(v, settings_.adainValues, perRow(ref.valueMean, rows), perRow(ref.valueStd, rows));
    if (!settings_.share) return {};
    // The reference's own keys / values as the inline path sees them (AdaIN toward itself);
    // every row of the batch is a target.
    return {blendTo(ref.key, settings_.adainKeys, ref.keyMean, ref.keyStd),
            blendTo(ref.value, settings_.adainValues, ref.valueMean, ref.valueStd),
            torch::full({checkedGroupSize(rows, groups)}, settings_.keyScale, torch::TensorOptions(torch::kFloat64).device(q.device()))};
}

torch::Tensor SharedGroupNormHook::operator()(GroupNormImpl& norm, const torch::Tensor& x) {
    if (x.dim() < 3) return norm.plain(x);
    // The reference code concatenates each image with its group's reference along the height
    // axis, normalises, and keeps the image's own rows: statistics pooled over both. The same
    // from each image's per-group mean and mean square (one pass), and the normalisation with the
    // affine folded into one x·a + b pass: no concatenated copy, no narrowed view to copy again.
    const int64_t rows = x.size(0), channels = x.size(1);
    auto [var, mean] = torch::var_mean(x.reshape({rows, norm.groups, -1}), {-1}, /*unbiased=*/false, /*keepdim=*/false);
    const int64_t count = x.numel() / (rows * norm.groups);
    auto mean64 = mean.to(torch::kFloat64);
    auto sum = mean64 * count, sumSquares = (var.to(torch::kFloat64) + mean64 * mean64) * count;
    torch::Tensor refSum, refSumSquares;
    switch (state_->mode) {
        case ReferenceMode::Record:
            state_->tapeStep().norms[&norm] = {sum, sumSquares, count};
            return norm.plain(x);  // pooled with itself: its own statistics
        case ReferenceMode::Inline:
            refSum = expandReference(sum, state_->groups);
            refSumSquares = expandReference(sumSquares, state_->groups);
            break;
        case ReferenceMode::Replay: {
            const auto& ref = state_->tapeStep().norms.at(&norm);
            refSum = perRow(ref.sum, rows);
            refSumSquares = perRow(ref.sumSquares, rows);
            break;
        }
    }
    auto pooledMean = (sum + refSum) / (2.0 * count);
    auto invStd = ((sumSquares + refSumSquares) / (2.0 * count) - pooledMean.pow(2) + norm.eps).rsqrt();
    // Per channel: y = x·a + b with a = γ / σ, b = β − μ·a.
    auto a = invStd.repeat_interleave(channels / norm.groups, 1), b = -pooledMean.repeat_interleave(channels / norm.groups, 1) * a;
    if (norm.weight.defined()) {
        auto gamma = norm.weight.to(torch::kFloat64).unsqueeze(0);
        a = a * gamma;
        b = b * gamma + norm.bias.to(torch::kFloat64).unsqueeze(0);
    }
    std::vector<int64_t> perChannel{rows, channels};
    perChannel.resize(static_cast<size_t>(x.dim()), 1);
    return torch::addcmul(b.to(x.scalar_type()).view(perChannel), x, a.to(x.scalar_type()).view(perChannel));
}

}  // namespace sa
