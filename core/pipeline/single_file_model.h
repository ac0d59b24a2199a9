#pragma once
// Single-file Stable Diffusion checkpoints (one .safetensors in the original CompVis LDM /
// Stability SGM key layout, as most artists download them) loaded into the same networks a
// diffusers folder loads into, through one name table per network (core/models/single_file_names.h).
//
// The family is told from key prefixes, never from tensor sizes:
//   SDXL    conditioner.embedders.0.transformer.text_model.* + conditioner.embedders.1.model.*
//   SD 2.x  cond_stage_model.model.transformer.resblocks.*   (OpenCLIP)
//   SD 1.x  cond_stage_model.transformer.*                   (transformers-layout CLIP)
// The architecture comes from the original YAML (LoadOptions::config, else <file>.yaml beside
// it), else the family's standard configuration. SD 2.x without a YAML: the prediction type is
// the file's `modelspec.prediction_type` metadata when present, else v-prediction (SD 2.x 768-v,
// the family's flagship); LoadOptions::predictionType overrides either. Text-encoder sizes are
// read from the tensors; heads and activation default to the real models' (head size 64;
// quick_gelu for CLIP-L, gelu for OpenCLIP). Tokenizers: the bundled CLIP vocabulary
// (resources/tokenizers/clip; SDXL's second tokenizer pads with "!").
#include <filesystem>
#include <memory>
#include <vector>

#include "core/io/safetensors.h"
#include "core/pipeline/stable_diffusion_model.h"

namespace sa {

// Throws sa::Error saying which family keys are missing when the file is no SD checkpoint.
CheckpointFamily detectFamily(const SafetensorsFile& file);

std::shared_ptr<StableDiffusionModel> loadSingleFile(const std::filesystem::path& file, const LoadOptions& options = {});

}  // namespace sa
