#pragma once
// Token generation as transformers' `generate` (v4.36, generation/utils.py): greedy search and
// beam search with the default logits processors a generation config turns on
// (repetition_penalty, no_repeat_ngram_size, min_length), MaxLengthCriteria, and BeamSearchScorer
// with its length penalty and early-stopping rule. The decoder is anything that turns new token
// ids into next-token logits while keeping its own cache.
#include <cstdint>
#include <functional>
#include <vector>

#include <torch/torch.h>

#include "core/common/cancel.h"

namespace sa {

struct GenerationOptions {
    int max_length = 20;      // prompt included (transformers' max_length)
    int max_new_tokens = 0;   // > 0: overrides max_length with prompt length + max_new_tokens
    int min_length = 0;       // eos is forbidden while the sequence is shorter
    int num_beams = 1;
    double repetition_penalty = 1.0;
    int no_repeat_ngram_size = 0;
    double length_penalty = 1.0;
    bool early_stopping = false;

    void validate() const;  // throws sa::Error naming the field
};

class StepDecoder {
public:
    virtual ~StepDecoder() = default;
    // ids [N, t] of the positions after those already seen → next-token logits [N, V].
    virtual torch::Tensor next(const torch::Tensor& ids) = 0;
    // Keeps rows `index` of the cache (beam search reorders beams every step).
    virtual void select(const torch::Tensor& index) = 0;
    // Widens one row per prompt to `beams` rows, before the first step.
    virtual void expand(int64_t beams) = 0;
};

// prompt [B, t] int64 → sequences [B, L] (prompt included, eos kept, shorter rows padded with
// `pad`), as generate(...) returns them. `cancel` is checked between steps.
torch::Tensor generateTokens(StepDecoder& decoder, const torch::Tensor& prompt, int64_t eos, int64_t pad,
                             const GenerationOptions& options, const CancelToken* cancel = nullptr);

}  // namespace sa
