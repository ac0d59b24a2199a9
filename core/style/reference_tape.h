#pragma once
// What the reference branch computes, recorded once and replayed while only the targets run
// (DESIGN §4.4). The reference attends only to itself and its shared GroupNorm pools it with
// itself, so this does not depend on the targets nor on the layer plan (full_attention_share
// excepted): one tape serves every change of target prompts, seeds and layer sliders.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace sa {

class GroupNormImpl;

// One self-attention layer at one step, for the reference row of each CFG half.
struct ReferenceAttention {
    torch::Tensor key, value;                    // raw projections [G, N, C] (C = heads × d)
    torch::Tensor queryMean, queryStd;           // statistics over tokens [G, 1, C]
    torch::Tensor keyMean, keyStd, valueMean, valueStd;
};

// One GroupNorm at one step: per-group sums of the reference's activations (float64).
struct ReferenceNorm {
    torch::Tensor sum, sumSquares;  // [G, groups]
    int64_t count = 0;              // elements per group
};

struct ReferenceStep {
    std::map<std::string, ReferenceAttention> attention;  // by layer path
    std::map<const GroupNormImpl*, ReferenceNorm> norms;
    torch::Tensor latent;                                 // the reference latent after this step [1, C, h, w]
    torch::Tensor x0Preview;                              // its predicted x0
};

struct ReferenceTape {
    std::vector<ReferenceStep> steps;
    torch::Tensor zts;          // image mode: the inversion trajectory
    torch::Tensor finalLatent;  // [1, C, h, w]
    double seconds = 0;         // time it took to record
    int64_t bytes() const;
};

}  // namespace sa
