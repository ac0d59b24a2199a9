#include "core/models/embeddings.h"

#include <cmath>

namespace sa {

torch::Tensor timestepEmbedding(const torch::Tensor& timesteps, int dim, bool flipSinToCos, double downscaleFreqShift,
                                double scale, double maxPeriod) {
    const int half = dim / 2;
    auto exponent = -std::log(maxPeriod) *
                    torch::arange(0, half, torch::TensorOptions().dtype(torch::kFloat32).device(timesteps.device()));
    exponent = exponent / (half - downscaleFreqShift);
    auto emb = timesteps.unsqueeze(1).to(torch::kFloat32) * torch::exp(exponent).unsqueeze(0);
    emb = scale * emb;
    emb = torch::cat({torch::sin(emb), torch::cos(emb)}, -1);
    if (flipSinToCos) emb = torch::cat({emb.narrow(1, half, half), emb.narrow(1, 0, half)}, -1);
    if (dim % 2 == 1) emb = torch::nn::functional::pad(emb, torch::nn::functional::PadFuncOptions({0, 1, 0, 0}));
    return emb;
}

TimestepEmbeddingImpl::TimestepEmbeddingImpl(int inChannels, int timeEmbedDim, const std::string& actName)
    : act(activationByName(actName, "time embedding")) {
    linear1 = register_module("linear_1", linear(inChannels, timeEmbedDim));
    linear2 = register_module("linear_2", linear(timeEmbedDim, timeEmbedDim));
}

torch::Tensor TimestepEmbeddingImpl::forward(const torch::Tensor& x) {
    return linear2(act(linear1(x)));
}

}  // namespace sa
