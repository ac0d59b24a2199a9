#pragma once
// Loading checkpoint tensors into a module whose parameter names equal the checkpoint keys.
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/io/safetensors.h"

namespace sa {

struct LoadReport {
    std::vector<std::string> missing;     // in the module, not in the file
    std::vector<std::string> unexpected;  // in the file, not in the module
    std::vector<std::string> misshaped;   // "name: file [a, b] vs model [c, d]"
    bool ok() const { return missing.empty() && unexpected.empty() && misshaped.empty(); }
    std::string describe(size_t maxPerList = 12) const;
};

// The module's parameters and buffers by checkpoint name.
std::map<std::string, torch::Tensor> moduleTensors(torch::nn::Module& module);

// Copies every tensor of a file whose keys are the module's names (cast to the parameter's dtype
// and device). Throws sa::Error listing the missing, unexpected and mis-shaped keys together when
// the file does not match the module. (Other key layouts: core/io/name_table.h.)
void loadStateDict(torch::nn::Module& module, const SafetensorsFile& file);

// The weights file of a diffusers / transformers module folder: the safetensors file, or an
// error for a pickle checkpoint (.bin / .ckpt / .pt) that says how to convert it.
std::filesystem::path findWeightsFile(const std::filesystem::path& folder, const std::vector<std::string>& names);

// Writes the module's parameters and buffers (cast to `dtype`) as safetensors.
void saveStateDict(torch::nn::Module& module, const std::filesystem::path& file,
                   torch::ScalarType dtype = torch::kFloat32);

// Refuses pickle checkpoints with a message that says what to do.
void refusePickle(const std::filesystem::path& file);

}  // namespace sa
