#pragma once
// StyleAligned's shared self-attention (paper §3; reference sa_handler.SharedAttentionProcessor)
// and shared GroupNorm, as a processor and a norm hook that core/style/style_aligned_handler.h
// installs from outside the model.
//
// Batch layout: `groups` equal parts (2 with classifier-free guidance: [uncond…, cond…]); image 0
// of every part is the reference.
#include <functional>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "core/models/attention_processor.h"
#include "core/style/layer_plan.h"
#include "core/style/reference_tape.h"

namespace sa {

// AdaIN over the token axis (dim -2) of x [B, N, C] or [B, heads, N, d] toward each group's reference
// (DESIGN §3.1): (x − μ(x)) / σ(x) · σ(ref) + μ(ref), σ = sqrt(unbiased var + 1e-5).
torch::Tensor adain(const torch::Tensor& x, int64_t groups);
// The reference row of each group repeated for every row: [B, …] → [B, …]; rows other than
// the reference multiplied by `scale` (sa_handler.expand_first).
torch::Tensor expandReference(const torch::Tensor& x, int64_t groups, double scale = 1.0);

// What a shared layer computed, for probes and tests.
struct SharedAttentionTrace {
    const std::string& layer;
    int step;
    const torch::Tensor& layerInput;  // [B, N, C]
    const torch::Tensor& query;       // [B, heads, N, d] after AdaIN
    const torch::Tensor& key;         // [B, heads, 2N, d] own then reference
    const torch::Tensor& value;
    const torch::Tensor& probs;       // [B, heads, N, 2N]
    const torch::Tensor& output;      // [B, N, C] after to_out
};
using SharedAttentionObserver = std::function<void(const SharedAttentionTrace&)>;

// Where the reference's rows come from.
enum class ReferenceMode {
    Inline,  // the reference is image 0 of every group of the batch (the reference code's way)
    Record,  // the batch holds only the references; what the targets need is written to the tape
    Replay,  // the batch holds only targets; the reference comes from the tape
};

// State shared by every processor of one handler: the current step and how the batch splits.
struct StyleAlignedState {
    int step = -1;    // -1: unknown (every step range counts as active)
    int64_t groups = 2;
    bool fullAttentionShare = false;
    ReferenceMode mode = ReferenceMode::Inline;
    ReferenceTape* tape = nullptr;     // Record / Replay
    SharedAttentionObserver observer;  // empty: nothing recorded, no extra work

    ReferenceStep& tapeStep() const;
};

// Record mode: stores the reference's raw keys, values and statistics of every self-attention
// layer, and returns its (plain) self-attention.
class ReferenceRecorder : public AttnProcessor {
public:
    ReferenceRecorder(std::string layer, std::shared_ptr<StyleAlignedState> state)
        : layer_(std::move(layer)), state_(std::move(state)) {}
    torch::Tensor operator()(AttentionImpl& attn, const torch::Tensor& hidden, const torch::Tensor* encoderHidden) override;

private:
    std::string layer_;
    std::shared_ptr<StyleAlignedState> state_;
};

class SharedAttentionProcessor : public AttnProcessor {
public:
    SharedAttentionProcessor(std::string layer, LayerSettings settings, std::shared_ptr<StyleAlignedState> state);
    torch::Tensor operator()(AttentionImpl& attn, const torch::Tensor& hidden, const torch::Tensor* encoderHidden) override;

    const std::string& layer() const { return layer_; }
    const LayerSettings& settings() const { return settings_; }

private:
    torch::Tensor fullShare(AttentionImpl& attn, const torch::Tensor& hidden);
    // The reference rows the targets attend to ([G, N, C] after their own AdaIN) and the factor
    // of each image's reference logits within its group [n] (undefined when not sharing).
    struct SharedReference {
        torch::Tensor key, value, rowScale;
    };
    // AdaIN of q, k, v toward the reference: image 0 of every group (inline) or the tape (replay).
    SharedReference adainInline(torch::Tensor& q, torch::Tensor& k, torch::Tensor& v) const;
    SharedReference adainReplay(torch::Tensor& q, torch::Tensor& k, torch::Tensor& v) const;

    std::string layer_;
    LayerSettings settings_;
    std::shared_ptr<StyleAlignedState> state_;
};

// GroupNorm with statistics pooled over each image and its group's reference (the reference
// code concatenates the reference's feature map along the height axis, normalizes, keeps the
// image's own rows).
class SharedGroupNormHook : public NormHook {
public:
    explicit SharedGroupNormHook(std::shared_ptr<StyleAlignedState> state) : state_(std::move(state)) {}
    torch::Tensor operator()(GroupNormImpl& norm, const torch::Tensor& x) override;

private:
    std::shared_ptr<StyleAlignedState> state_;
};

}  // namespace sa
