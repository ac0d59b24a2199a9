#pragma once
// Prompt → conditioning, as diffusers' encode_prompt does it (StableDiffusionPipeline /
// StableDiffusionXLPipeline, no clip_skip).
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/pipeline/stable_diffusion_model.h"

namespace sa {

struct PromptEmbeddings {
    torch::Tensor context;  // [n, 77, D]  (SDXL: both encoders' penultimate layers, concatenated)
    torch::Tensor pooled;   // [n, P]      (SDXL only: text_encoder_2 text_embeds)

    int64_t size() const { return context.size(0); }
    static PromptEmbeddings cat(const PromptEmbeddings& a, const PromptEmbeddings& b);
    PromptEmbeddings row(int64_t i) const;
};

// Token ids [n, 77] of one tokenizer.
torch::Tensor tokenizePrompts(const ClipTokenizer& tokenizer, const std::vector<std::string>& prompts);

// The hidden state that conditions the UNet (StableDiffusionModel::conditioning) of one encoder's output.
torch::Tensor conditioningState(CLIPTextModelImpl& encoder, const CLIPTextOutput& out, const TextConditioning& conditioning);

PromptEmbeddings encodePrompts(StableDiffusionModel& model, const std::vector<std::string>& prompts);
// The unconditional half of classifier-free guidance for `count` images: the embedding of
// `negativePrompt` (SD: of "" too), or zeros for an empty prompt on SDXL
// (force_zeros_for_empty_prompt).
PromptEmbeddings encodeNegative(StableDiffusionModel& model, const std::string& negativePrompt, int64_t count);

// SDXL micro-conditioning (original size, crop top-left, target size) as a [1, 6] float row.
torch::Tensor sdxlTimeIds(int64_t originalHeight, int64_t originalWidth, int64_t cropTop, int64_t cropLeft,
                          int64_t targetHeight, int64_t targetWidth, const torch::TensorOptions& options);

}  // namespace sa
