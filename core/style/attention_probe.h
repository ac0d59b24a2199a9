#pragma once
// Attention probes (DESIGN §3): small maps recorded while denoising, for live overlays.
// Everything is averaged over heads and taken from the conditional half of the CFG batch.
// A run without a probe pays nothing: no observer, no extra processor.
#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/models/unet_2d_condition.h"
#include "core/style/shared_attention.h"

namespace sa {

// Query points that the UI may move while a run is going (the next step uses the new points).
class LivePoints {
public:
    void set(std::vector<std::array<float, 2>> points) {
        std::lock_guard lock(mutex_);
        points_ = std::move(points);
    }
    std::vector<std::array<float, 2>> get() const {
        std::lock_guard lock(mutex_);
        return points_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::array<float, 2>> points_;
};

struct AttentionProbe {
    std::set<std::string> layers;  // self-attention (attn1) or cross-attention (attn2) paths; empty: every shared layer
    std::set<int> steps;           // empty: every step
    std::vector<std::array<float, 2>> points;  // query points (x, y in [0, 1]) inside the targets
    bool crossAttention = false;   // also per-token maps of the cross-attention layers in `layers` (all if empty)
    std::shared_ptr<LivePoints> livePoints;  // when set, replaces `points`, read at every step
};

// Maps of one layer at one step. h × w is the layer's token grid.
struct LayerAttentionMaps {
    std::string layer;
    int64_t height = 0, width = 0;
    torch::Tensor referenceShare;  // [targets, h, w]: share of each token's attention that lands on the reference
    torch::Tensor pointMaps;       // [targets, points, h, w]: each point's attention over the reference's tokens
};

struct CrossAttentionMaps {
    std::string layer;
    int64_t height = 0, width = 0;
    torch::Tensor maps;  // [images, tokens, h, w]: attention of every image token on each prompt token
};

struct AttentionMaps {
    int step = -1;
    std::vector<LayerAttentionMaps> self;
    std::vector<CrossAttentionMaps> cross;
    bool empty() const { return self.empty() && cross.empty(); }
};

// Collects maps during one UNet evaluation; the pipeline takes them after each step.
class AttentionProbeCollector {
public:
    // The batch: `groups` parts of `rowsPerGroup` images; targets are the rows from
    // `firstTarget` on within each part (1 when the reference is inline, 0 when replayed).
    AttentionProbeCollector(AttentionProbe probe, int64_t latentHeight, int64_t latentWidth, int64_t groups,
                            int64_t rowsPerGroup, int64_t firstTarget);

    bool wantsStep(int step) const { return probe_.steps.empty() || probe_.steps.count(step); }
    void onSharedAttention(const SharedAttentionTrace& trace);
    void onCrossAttention(const std::string& layer, int step, const torch::Tensor& probs);
    AttentionMaps take(int step);
    // Installs the recording cross-attention processors (call after the handler attached).
    void installCrossProbes(UNet2DConditionModelImpl& unet, const std::shared_ptr<StyleAlignedState>& state);

private:
    std::pair<int64_t, int64_t> grid(int64_t tokens) const;
    torch::Tensor condRows(const torch::Tensor& t, int64_t first) const;

    AttentionProbe probe_;
    int64_t latentHeight_, latentWidth_, groups_, rowsPerGroup_, firstTarget_;
    AttentionMaps current_;
};

}  // namespace sa
