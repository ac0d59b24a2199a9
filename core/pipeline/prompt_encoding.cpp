#include "core/pipeline/prompt_encoding.h"

namespace sa {

PromptEmbeddings PromptEmbeddings::cat(const PromptEmbeddings& a, const PromptEmbeddings& b) {
    PromptEmbeddings out;
    out.context = torch::cat({a.context, b.context});
    if (a.pooled.defined()) out.pooled = torch::cat({a.pooled, b.pooled});
    return out;
}

PromptEmbeddings PromptEmbeddings::row(int64_t i) const {
    PromptEmbeddings out;
    out.context = context.slice(0, i, i + 1);
    if (pooled.defined()) out.pooled = pooled.slice(0, i, i + 1);
    return out;
}

torch::Tensor tokenizePrompts(const ClipTokenizer& tokenizer, const std::vector<std::string>& prompts) {
    std::vector<torch::Tensor> rows;
    for (const auto& prompt : prompts) rows.push_back(torch::tensor(tokenizer(prompt).ids, torch::kLong));
    return torch::stack(rows);
}

torch::Tensor conditioningState(CLIPTextModelImpl& encoder, const CLIPTextOutput& out, const TextConditioning& c) {
    const auto states = static_cast<int>(out.hiddenStates.size());
    const int index = c.hiddenState < 0 ? states + c.hiddenState : c.hiddenState;
    if (index < 0 || index >= states) fail("text encoder: no hidden state {} (it has {})", c.hiddenState, states);
    if (index == states - 1 && c.finalNorm) return out.lastHiddenState;
    const auto& h = out.hiddenStates[index];
    return c.finalNorm ? encoder.finalLayerNorm(h) : h;
}

PromptEmbeddings encodePrompts(StableDiffusionModel& model, const std::vector<std::string>& prompts) {
    torch::NoGradGuard noGrad;
    if (prompts.empty()) fail("no prompts to encode");
    PromptEmbeddings out;
    auto ids = tokenizePrompts(*model.tokenizer, prompts).to(model.device);
    auto first = model.textEncoder->forward(ids);
    out.context = conditioningState(*model.textEncoder, first, model.conditioning[0]);
    if (!model.isXL()) return out;
    auto ids2 = tokenizePrompts(*model.tokenizer2, prompts).to(model.device);
    auto second = model.textEncoder2->forward(ids2);
    out.context = torch::cat({out.context, conditioningState(*model.textEncoder2, second, model.conditioning[1])}, -1);
    out.pooled = second.textEmbeds;
    return out;
}

PromptEmbeddings encodeNegative(StableDiffusionModel& model, const std::string& negativePrompt, int64_t count) {
    PromptEmbeddings one;
    if (model.isXL() && negativePrompt.empty() && model.forceZerosForEmptyPrompt) {
        auto probe = encodePrompts(model, {""});
        one.context = torch::zeros_like(probe.context);
        one.pooled = torch::zeros_like(probe.pooled);
    } else {
        one = encodePrompts(model, {negativePrompt});
    }
    PromptEmbeddings out;
    out.context = one.context.expand({count, -1, -1}).contiguous();
    if (one.pooled.defined()) out.pooled = one.pooled.expand({count, -1}).contiguous();
    return out;
}

torch::Tensor sdxlTimeIds(int64_t originalHeight, int64_t originalWidth, int64_t cropTop, int64_t cropLeft,
                          int64_t targetHeight, int64_t targetWidth, const torch::TensorOptions& options) {
    return torch::tensor({static_cast<float>(originalHeight), static_cast<float>(originalWidth),
                          static_cast<float>(cropTop), static_cast<float>(cropLeft), static_cast<float>(targetHeight),
                          static_cast<float>(targetWidth)},
                         options.dtype(torch::kFloat32))
        .unsqueeze(0)
        .to(options);
}

}  // namespace sa
