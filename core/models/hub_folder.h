#pragma once
// Model folders as the hubs ship them (transformers: config.json + model.safetensors + the
// processor's files; diffusers: model_index.json). Users point the app at folders; a folder of
// the wrong kind is refused with what it holds and what was expected.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/io/json_config.h"
#include "core/io/name_table.h"

namespace sa {

// "a CLIP model (CLIPModel)", "a Stable Diffusion pipeline (model_index.json)", "not a model
// folder (no config.json)": what a folder holds, for messages.
std::string describeModelFolder(const std::filesystem::path& folder);

// config.json of a transformers folder whose architectures include one of `accepted`, else an
// sa::Error: "<folder>: this folder holds <what it holds>; expected <expected>".
JsonConfig openModelConfig(const std::filesystem::path& folder, const std::vector<std::string>& accepted,
                           const std::string& expected);

// The folder's model.safetensors, opened once for every network it holds (a pickle-only folder is
// refused with the conversion hint, sharded weights with what to do).
std::shared_ptr<const SafetensorsFile> openHubWeights(const std::filesystem::path& folder, const std::string& what);
// `file` loaded into `module` through `names` (every defect listed before any tensor is copied),
// then moved to `device` in eval mode without gradients.
void loadHubWeights(torch::nn::Module& module, const SafetensorsFile& file, const NameTable& names,
                    const std::string& what, torch::Device device);

// A named file of the folder that must exist ("preprocessor_config.json"): its path, or an error
// saying what it is needed for.
std::filesystem::path requireFile(const std::filesystem::path& folder, const std::string& name, const std::string& purpose);

}  // namespace sa
