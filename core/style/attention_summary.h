#pragma once
// Attention maps reduced for display (the studio's overlays and charts): plain float images per
// target, per layer and averaged over layers, plus the mean reference share of every layer.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/style/attention_probe.h"

namespace sa {

struct AttentionSummary {
    int step = -1;
    // Self-attention layers in the order given to summarize(); index layers.size() is the
    // average over layers (each map resized to the finest grid first).
    std::vector<std::string> layers;
    std::vector<std::vector<cv::Mat>> share;                // [layer | average][target] CV_32F h×w in [0, 1]
    std::vector<std::vector<std::vector<cv::Mat>>> points;  // [layer | average][target][point] CV_32F, sums to 1
    std::vector<double> meanShare;                          // [layer]: NaN where the layer did not share this step
    // Cross-attention of the same transformer blocks (attn2 next to each attn1), per prompt token.
    std::vector<std::vector<std::vector<cv::Mat>>> cross;   // [layer | average][target][token] CV_32F

    bool empty() const { return share.empty() && cross.empty(); }
    size_t averageIndex() const { return layers.size(); }
};

// `layers`: self-attention paths to report (their order is kept); `targets`: the number of
// target images; `tokens`: prompt tokens per target (BOS excluded) whose cross maps are kept.
AttentionSummary summarizeAttention(const AttentionMaps& maps, const std::vector<std::string>& layers, int64_t targets,
                                    const std::vector<int>& tokens);

// "…transformer_blocks.0.attn1" → "…transformer_blocks.0.attn2".
std::string crossLayerOf(const std::string& selfLayer);

}  // namespace sa
