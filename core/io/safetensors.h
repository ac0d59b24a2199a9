#pragma once
// Safetensors (https://github.com/huggingface/safetensors) reader and writer.
//
// The reader memory-maps the file and validates the whole header before any tensor is made:
// JSON well-formed, every dtype known, offsets inside the data section, shape × dtype size equal
// to the byte span, no two tensors overlapping, `__metadata__` a string→string map. A bad file is
// an sa::Error naming the file and the tensor, never a crash.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace sa {

struct SafetensorInfo {
    std::string name;
    std::string dtype;  // as in the file: "F32", "F16", "BF16", "I64", ...
    torch::ScalarType scalarType;
    std::vector<int64_t> shape;
    uint64_t begin = 0;  // byte offsets inside the data section
    uint64_t end = 0;
};

class SafetensorsFile {
public:
    // Maps and validates `path`. Throws sa::Error on any defect.
    static std::shared_ptr<const SafetensorsFile> open(const std::filesystem::path& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::filesystem::path& path() const { return path_; }
    const std::vector<SafetensorInfo>& tensors() const { return infos_; }  // in offset order
    bool contains(const std::string& name) const { return index_.count(name) != 0; }
    const SafetensorInfo& info(const std::string& name) const;
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

    // An owned CPU copy of the named tensor, in the file's dtype.
    torch::Tensor tensor(const std::string& name) const;
    // The named tensor read in place from the memory map (no copy; an owned copy only when the
    // data is not aligned to its element size). Read-only, and valid while the file lives.
    torch::Tensor view(const std::string& name) const;
    // Lets the kernel drop the file pages behind the named tensor (after it has been copied
    // elsewhere), so a loaded model does not keep the file resident as well.
    void evict(const std::string& name) const;
    // Every tensor, by name.
    std::map<std::string, torch::Tensor> all() const;

private:
    SafetensorsFile() = default;
    void parseHeader(const std::string& header, uint64_t dataSize);

    std::filesystem::path path_;
    const uint8_t* map_ = nullptr;
    size_t mapSize_ = 0;
    const uint8_t* data_ = nullptr;
    std::vector<SafetensorInfo> infos_;
    std::map<std::string, size_t> index_;
    std::map<std::string, std::string> metadata_;
};

// Writes tensors (made contiguous, moved to CPU) with optional string metadata. Writes to a
// temporary file first and renames it, so a crash never leaves a half-written file behind.
void saveSafetensors(const std::filesystem::path& path,
                     const std::map<std::string, torch::Tensor>& tensors,
                     const std::map<std::string, std::string>& metadata = {});

// "F32" → torch::kFloat32 etc.; throws for an unknown name.
torch::ScalarType safetensorsScalarType(const std::string& dtype);
std::string safetensorsDtypeName(torch::ScalarType type);

}  // namespace sa
