#pragma once
// How the tensors of a checkpoint in another key layout reach a module whose parameter names are
// the diffusers / transformers names: one NameTable per network (stable-diffusion.cpp's
// name_conversion.cpp is the model). A table maps module names to file keys by prefix
// ("down_blocks.1.resnets.0.norm1." ← "input_blocks.4.0.in_layers.0.") or by whole name with a
// tensor transform (OpenCLIP's fused in_proj split into q / k / v), and says which file keys of
// the network's namespace no module uses (they are skipped, not reported as unexpected).
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <torch/torch.h>

#include "core/common/cancel.h"
#include "core/io/safetensors.h"
#include "core/io/state_dict.h"

namespace sa {

enum class TensorTransform {
    None,
    Squeeze1x1,  // a [out, in, 1, 1] convolution stored for a [out, in] linear (LDM VAE attention)
    Transpose,   // [in, out] stored for a Linear's [out, in] weight (OpenCLIP text_projection)
    ChunkQ,      // first third along dim 0 (OpenCLIP attn.in_proj_weight / in_proj_bias)
    ChunkK,      // second third
    ChunkV,      // last third
};

struct TensorSource {
    std::string key;  // full file key
    TensorTransform transform = TensorTransform::None;
};

class NameTable {
public:
    // `filePrefix`: the network's namespace in the file ("model.diffusion_model."); every rule's
    // file side is relative to it.
    explicit NameTable(std::string filePrefix = "") : filePrefix_(std::move(filePrefix)) {}

    // Module names starting with `modulePrefix` come from file keys starting with `filePrefix`
    // (both end with '.', or are empty for the root). The longest matching prefix wins.
    void prefix(const std::string& modulePrefix, const std::string& filePrefix);
    // One module tensor from one file key, transformed.
    void exact(const std::string& moduleName, const std::string& fileKey, TensorTransform transform = TensorTransform::None);
    // File keys (relative, exact or ending with '.' for a prefix) no module uses.
    void skip(const std::string& fileKeyOrPrefix);

    const std::string& filePrefix() const { return filePrefix_; }
    std::optional<TensorSource> find(const std::string& moduleName) const;
    bool skipped(const std::string& fileKey) const;  // full key

private:
    std::string filePrefix_;
    std::unordered_map<std::string, std::string> prefixes_;
    std::unordered_map<std::string, TensorSource> exact_;
    std::vector<std::string> skips_;
};

// Progress of a load in bytes of the file placed so far.
using LoadProgress = std::function<void(uint64_t bytesDone)>;

// Compares the module's tensors with what the table finds in the file: module tensors without a
// file key are missing ("name ← key"), keys in the table's namespace that no module tensor uses
// (and that are not skipped) are unexpected, shapes after the transform are compared.
LoadReport checkMapped(torch::nn::Module& module, const SafetensorsFile& file, const NameTable& names);

// Checks first (throws sa::Error listing every defect, prefixed by `what`, before any tensor is
// touched), then copies every tensor straight from the memory map into the module, cast to the
// parameter's dtype and device, and lets the kernel drop the file pages behind it, so a load
// never holds two copies of the weights.
void loadMapped(torch::nn::Module& module, const SafetensorsFile& file, const NameTable& names, const std::string& what,
                const LoadProgress& progress = {}, const CancelToken* cancel = nullptr);
// The copy alone, for a caller that ran checkMapped itself (several networks checked together).
void placeMapped(torch::nn::Module& module, const SafetensorsFile& file, const NameTable& names,
                 const LoadProgress& progress = {}, const CancelToken* cancel = nullptr);

// The tensor a transform makes of the stored one (a view where possible), and its shape.
torch::Tensor applyTransform(const torch::Tensor& stored, TensorTransform transform);
std::vector<int64_t> transformedShape(std::vector<int64_t> stored, TensorTransform transform);

// Bytes of the file that loading `module` through `names` reads (for progress).
uint64_t mappedBytes(torch::nn::Module& module, const SafetensorsFile& file, const NameTable& names);

}  // namespace sa
