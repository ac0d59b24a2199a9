#pragma once
// Sinusoidal timestep embedding and the TimestepEmbedding MLP (diffusers models/embeddings.py).
#include <torch/torch.h>

#include "core/models/layers.h"

namespace sa {

// diffusers get_timestep_embedding: [N] timesteps → [N, dim] float32.
torch::Tensor timestepEmbedding(const torch::Tensor& timesteps, int dim, bool flipSinToCos, double downscaleFreqShift,
                                double scale = 1.0, double maxPeriod = 10000.0);

// linear_1 → act → linear_2
class TimestepEmbeddingImpl : public torch::nn::Module {
public:
    TimestepEmbeddingImpl(int inChannels, int timeEmbedDim, const std::string& act);
    torch::Tensor forward(const torch::Tensor& x);

    Linear linear1{nullptr}, linear2{nullptr};
    Activation act;
};
TORCH_MODULE(TimestepEmbedding);

}  // namespace sa
