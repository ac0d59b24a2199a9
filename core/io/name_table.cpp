#include "core/io/name_table.h"

#include <set>

#include "core/common/error.h"

namespace sa {
namespace {

bool isChunk(TensorTransform t) {
    return t == TensorTransform::ChunkQ || t == TensorTransform::ChunkK || t == TensorTransform::ChunkV;
}

}  // namespace

std::vector<int64_t> transformedShape(std::vector<int64_t> shape, TensorTransform transform) {
    switch (transform) {
        case TensorTransform::None: break;
        case TensorTransform::Squeeze1x1:
            if (shape.size() == 4 && shape[2] == 1 && shape[3] == 1) shape.resize(2);
            break;
        case TensorTransform::Transpose:
            if (shape.size() == 2) std::swap(shape[0], shape[1]);
            break;
        case TensorTransform::ChunkQ:
        case TensorTransform::ChunkK:
        case TensorTransform::ChunkV:
            if (!shape.empty() && shape[0] % 3 == 0) shape[0] /= 3;
            else if (!shape.empty()) shape[0] = -1;  // cannot be split: never matches
            break;
    }
    return shape;
}

namespace {

const char* transformName(TensorTransform transform) {
    switch (transform) {
        case TensorTransform::Squeeze1x1: return " (1×1 conv as linear)";
        case TensorTransform::Transpose: return " (transposed)";
        case TensorTransform::ChunkQ: return " (q third)";
        case TensorTransform::ChunkK: return " (k third)";
        case TensorTransform::ChunkV: return " (v third)";
        case TensorTransform::None: break;
    }
    return "";
}

}  // namespace

void NameTable::prefix(const std::string& modulePrefix, const std::string& filePrefix) {
    prefixes_[modulePrefix] = filePrefix;
}

void NameTable::exact(const std::string& moduleName, const std::string& fileKey, TensorTransform transform) {
    exact_[moduleName] = {filePrefix_ + fileKey, transform};
}

void NameTable::skip(const std::string& fileKeyOrPrefix) { skips_.push_back(filePrefix_ + fileKeyOrPrefix); }

std::optional<TensorSource> NameTable::find(const std::string& moduleName) const {
    if (auto it = exact_.find(moduleName); it != exact_.end()) return it->second;
    // Longest prefix first: "a.b.c.weight" tries "a.b.c.", "a.b.", "a.", then "".
    auto end = moduleName.size();
    do {
        end = end == 0 ? std::string::npos : moduleName.rfind('.', end - 1);
        const auto head = end == std::string::npos ? std::string() : moduleName.substr(0, end + 1);
        if (auto it = prefixes_.find(head); it != prefixes_.end())
            return TensorSource{filePrefix_ + it->second + moduleName.substr(head.size())};
    } while (end != std::string::npos);
    return std::nullopt;
}

bool NameTable::skipped(const std::string& key) const {
    for (const auto& s : skips_)
        if (s.back() == '.' ? key.starts_with(s) : key == s) return true;
    return false;
}

uint64_t mappedBytes(torch::nn::Module& module, const SafetensorsFile& file, const NameTable& names) {
    uint64_t bytes = 0;
    for (const auto& [name, value] : moduleTensors(module))
        if (const auto source = names.find(name); source && file.contains(source->key)) {
            const auto& info = file.info(source->key);
            bytes += (info.end - info.begin) / (isChunk(source->transform) ? 3 : 1);
        }
    return bytes;
}

torch::Tensor applyTransform(const torch::Tensor& stored, TensorTransform transform) {
    switch (transform) {
        case TensorTransform::None: return stored;
        case TensorTransform::Squeeze1x1: return stored.dim() == 4 ? stored.flatten(1) : stored;
        case TensorTransform::Transpose: return stored.t();
        case TensorTransform::ChunkQ: return stored.chunk(3, 0)[0];
        case TensorTransform::ChunkK: return stored.chunk(3, 0)[1];
        case TensorTransform::ChunkV: return stored.chunk(3, 0)[2];
    }
    return stored;
}

LoadReport checkMapped(torch::nn::Module& module, const SafetensorsFile& file, const NameTable& names) {
    LoadReport report;
    std::set<std::string> used;
    for (const auto& [name, value] : moduleTensors(module)) {
        auto source = names.find(name);
        const bool identity = source && source->key == name;
        if (!source || !file.contains(source->key)) {
            report.missing.push_back(!source || identity ? name : fmt::format("{} (file key {})", name, source->key));
            continue;
        }
        used.insert(source->key);
        const auto& info = file.info(source->key);
        if (transformedShape(info.shape, source->transform) != value.sizes().vec())
            report.misshaped.push_back(fmt::format("{}: file [{}]{} vs model [{}]{}", source->key, fmt::join(info.shape, ", "),
                                                   transformName(source->transform), fmt::join(value.sizes(), ", "),
                                                   identity ? "" : fmt::format(" ({})", name)));
    }
    for (const auto& info : file.tensors())
        if (info.name.starts_with(names.filePrefix()) && !used.count(info.name) && !names.skipped(info.name))
            report.unexpected.push_back(info.name);
    return report;
}

void loadMapped(torch::nn::Module& module, const SafetensorsFile& file, const NameTable& names, const std::string& what,
                const LoadProgress& progress, const CancelToken* cancel) {
    auto report = checkMapped(module, file, names);
    if (!report.ok()) fail("{}: {}:{}", file.path().string(), what, report.describe());
    placeMapped(module, file, names, progress, cancel);
}

void placeMapped(torch::nn::Module& module, const SafetensorsFile& file, const NameTable& names,
                 const LoadProgress& progress, const CancelToken* cancel) {
    torch::NoGradGuard noGrad;
    uint64_t done = 0;
    for (auto& [name, target] : moduleTensors(module)) {
        throwIfCancelled(cancel);
        const auto source = *names.find(name);
        target.copy_(applyTransform(file.view(source.key), source.transform));
        file.evict(source.key);
        const auto& info = file.info(source.key);
        done += (info.end - info.begin) / (isChunk(source.transform) ? 3 : 1);
        if (progress) progress(done);
    }
}

}  // namespace sa
