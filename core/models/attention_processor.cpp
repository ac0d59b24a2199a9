#include "core/models/attention_processor.h"

namespace sa {

torch::Tensor scaledDotProductAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                        double scale) {
    return chunkedAttention(q, k, v, scale);
}

AttentionBlock attentionBlock(int64_t rows, int64_t queries, int64_t keys, const torch::Tensor& like) {
    // CPU: a block's logits stay in cache (4 MB; one SD 1.5 first-level layer at 512²: 7.6 s with
    // 32 MB blocks over all rows → 2.4 s). GPU: large blocks, few kernel launches.
    const int64_t budget = like.is_cpu() ? int64_t{4} << 20 : int64_t{256} << 20;
    const int64_t perQuery = std::max<int64_t>(keys * like.element_size(), 1);
    const int64_t q = std::clamp<int64_t>(budget / perQuery, 1, std::max<int64_t>(queries, 1));
    return {std::clamp<int64_t>(budget / (q * perQuery), 1, std::max<int64_t>(rows, 1)), q};
}

torch::Tensor attentionRows(const torch::Tensor& x, double scale) {
    auto rows = torch::empty(x.sizes(), x.options().memory_format(torch::MemoryFormat::Contiguous));
    if (scale == 1.0)
        rows.copy_(x);
    else
        torch::mul_out(rows, x, scale);
    return rows.view({-1, x.size(-2), x.size(-1)});
}

torch::Tensor chunkedAttention(const torch::Tensor& qIn, const torch::Tensor& kIn, const torch::Tensor& vIn, double scale,
                               double shift, int64_t shiftFrom, torch::Tensor* probs) {
    if (torch::GradMode::is_enabled() && (qIn.requires_grad() || kIn.requires_grad() || vIn.requires_grad())) {
        // Training (stylealigned-train): the blocked path below writes into preallocated outputs,
        // which autograd cannot differentiate; this is the same attention in differentiable ops.
        auto logits = torch::matmul(qIn * scale, kIn.transpose(-1, -2));
        if (shift != 0.0) {
            auto bias = torch::zeros({logits.size(-1)}, logits.options());
            bias.narrow(0, shiftFrom, logits.size(-1) - shiftFrom).fill_(shift);
            logits = logits + bias;
        }
        auto p = logits.softmax(-1);
        if (probs) *probs = p.detach();
        return torch::matmul(p, vIn);
    }
    // Heads arrive as transposed views: made contiguous once ([rows, tokens, d], the scale folded
    // into the queries in the same pass), never copied again per block.
    const auto q = attentionRows(qIn, scale), k = attentionRows(kIn), v = attentionRows(vIn);
    const int64_t rows = q.size(0), queries = q.size(1), keys = k.size(1);
    const auto block = attentionBlock(rows, queries, keys, q);
    auto out = torch::empty({rows, queries, v.size(2)}, v.options());
    if (probs) *probs = torch::empty({rows, queries, keys}, q.options());
    const auto kt = k.transpose(1, 2);
    for (int64_t r = 0; r < rows; r += block.rows) {
        const int64_t rr = std::min(block.rows, rows - r);
        for (int64_t start = 0; start < queries; start += block.queries) {
            const int64_t c = std::min(block.queries, queries - start);
            auto logits = torch::bmm(q.narrow(0, r, rr).narrow(1, start, c), kt.narrow(0, r, rr));
            if (shift != 0.0) logits.narrow(-1, shiftFrom, keys - shiftFrom).add_(shift);
            auto p = logits.softmax(-1);
            auto target = out.narrow(0, r, rr).narrow(1, start, c);
            torch::bmm_out(target, p, v.narrow(0, r, rr));
            if (probs) probs->narrow(0, r, rr).narrow(1, start, c).copy_(p);
        }
    }
    auto shape = qIn.sizes().vec();
    shape.back() = vIn.size(-1);
    if (probs) {
        auto probShape = shape;
        probShape.back() = keys;
        *probs = probs->view(probShape);
    }
    return out.view(shape);
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
