#include "core/models/attention_processor.h"

namespace sa {

torch::Tensor scaledDotProductAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                        double scale) {
    return chunkedAttention(q, k, v, scale);
}

int64_t attentionQueryChunk(int64_t rows, int64_t queries, int64_t keys, int64_t elementSize) {
    constexpr int64_t kLogitBytes = 32 << 20;
    return std::clamp<int64_t>(kLogitBytes / std::max<int64_t>(rows * keys * elementSize, 1), 1, std::max<int64_t>(queries, 1));
}

torch::Tensor chunkedAttention(const torch::Tensor& qIn, const torch::Tensor& kIn, const torch::Tensor& vIn, double scale,
                               double shift, int64_t shiftFrom, torch::Tensor* probs) {
    // Heads arrive as transposed views; made contiguous once here, not copied again by every
    // chunk's matmul (at 4096 tokens that repeated copy of K and V was most of the time: 40 s →
    // 6.8 s for one SD 1.5 first-level layer at 512²). 32 MB of logits per chunk.
    const auto q = qIn.contiguous(), k = kIn.contiguous(), v = vIn.contiguous();
    const int64_t queries = q.size(-2), keys = k.size(-2);
    const int64_t rows = q.numel() / std::max<int64_t>(queries * q.size(-1), 1);
    const int64_t chunk = attentionQueryChunk(rows, queries, keys, q.element_size());
    auto kt = k.transpose(-1, -2);
    std::vector<torch::Tensor> outputs, allProbs;
    for (int64_t start = 0; start < queries; start += chunk) {
        auto logits = torch::matmul(q.narrow(-2, start, std::min(chunk, queries - start)), kt) * scale;
        if (shift != 0.0) logits.narrow(-1, shiftFrom, keys - shiftFrom).add_(shift);
        auto p = logits.softmax(-1);
        outputs.push_back(torch::matmul(p, v));
        if (probs) allProbs.push_back(p);
    }
    if (probs) *probs = allProbs.size() == 1 ? allProbs.front() : torch::cat(allProbs, -2);
    return outputs.size() == 1 ? outputs.front() : torch::cat(outputs, -2);
}

torch::Tensor DefaultAttnProcessor::operator()(AttentionImpl& attn, const torch::Tensor& hidden,
                                               const torch::Tensor* encoderHidden) {
    auto x = attn.prepareInput(hidden);
    const auto& context = encoderHidden ? *encoderHidden : x;
    auto q = attn.splitHeads(attn.toQ(x));
    auto k = attn.splitHeads(attn.toK(context));
    auto v = attn.splitHeads(attn.toV(context));
    return attn.finishOutput(attn.mergeHeads(scaledDotProductAttention(q, k, v, attn.scale)), hidden);
}

std::shared_ptr<DefaultAttnProcessor> DefaultAttnProcessor::shared() {
    static auto instance = std::make_shared<DefaultAttnProcessor>();
    return instance;
}

AttentionImpl::AttentionImpl(const AttentionOptions& o)
    : heads(o.heads),
      dimHead(o.dimHead),
      scale(1.0 / std::sqrt(static_cast<double>(o.dimHead))),
      crossAttention(o.crossAttentionDim.has_value()),
      residualConnection(o.residualConnection),
      rescaleOutputFactor(o.rescaleOutputFactor),
      processor(DefaultAttnProcessor::shared()) {
    const int inner = heads * dimHead;
    const int contextDim = o.crossAttentionDim.value_or(o.queryDim);
    if (o.normNumGroups) groupNorm = register_module("group_norm", GroupNorm(*o.normNumGroups, o.queryDim, o.eps));
    toQ = register_module("to_q", linear(o.queryDim, inner, o.bias));
    toK = register_module("to_k", linear(contextDim, inner, o.bias));
    toV = register_module("to_v", linear(contextDim, inner, o.bias));
    // diffusers: to_out = ModuleList([Linear, Dropout]) → checkpoint key "to_out.0.weight".
    toOut = linear(inner, o.queryDim, o.outBias);
    registerList(*this, "to_out", std::vector<std::shared_ptr<torch::nn::Module>>{toOut.ptr(),
                                                                                  torch::nn::Dropout(0.0).ptr()});
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor* encoderHidden) {
    return (*processor)(*this, hidden, encoderHidden);
}

torch::Tensor AttentionImpl::prepareInput(const torch::Tensor& hidden) {
    auto x = hidden;
    if (x.dim() == 4) x = x.flatten(2).transpose(1, 2);
    if (groupNorm) x = groupNorm->forward(x.transpose(1, 2)).transpose(1, 2);
    return x;
}

torch::Tensor AttentionImpl::splitHeads(const torch::Tensor& x) const {
    return x.view({x.size(0), x.size(1), heads, -1}).transpose(1, 2);
}

torch::Tensor AttentionImpl::mergeHeads(const torch::Tensor& x) const {
    return x.transpose(1, 2).reshape({x.size(0), x.size(2), -1});
}

torch::Tensor AttentionImpl::finishOutput(const torch::Tensor& attended, const torch::Tensor& originalInput) {
    auto out = toOut(attended);
    if (originalInput.dim() == 4) out = out.transpose(1, 2).reshape(originalInput.sizes());
    if (residualConnection) out = out + originalInput;
    if (rescaleOutputFactor != 1.0) out = out / rescaleOutputFactor;
    return out;
}

}  // namespace sa
