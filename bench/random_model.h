#pragma once
// Full-size Stable Diffusion networks with random weights, built in memory (no download): the
// real architectures of SD 1.5 (v1-inference, CLIP ViT-L/14), SD 2.x (v2-inference-v, OpenCLIP
// ViT-H/14) and SDXL base (sd_xl_base, CLIP ViT-L/14 + OpenCLIP ViT-bigG/14), for benchmarks
// at the sizes artists run.
#include <memory>
#include <string>

#include "core/pipeline/stable_diffusion_model.h"

namespace sa {

// shape: "sd15", "sd2" or "sdxl". The weights are LibTorch's default initialisation (seeded).
std::shared_ptr<StableDiffusionModel> randomModel(const std::string& shape, const LoadOptions& options = {});

}  // namespace sa
