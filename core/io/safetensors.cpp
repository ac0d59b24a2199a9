#include "core/io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/common/error.h"

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace sa {
namespace {

struct DtypeEntry {
    const char* name;
    torch::ScalarType type;
};
constexpr DtypeEntry kDtypes[] = {
    {"F64", torch::kFloat64}, {"F32", torch::kFloat32}, {"F16", torch::kFloat16},
    {"BF16", torch::kBFloat16}, {"I64", torch::kInt64}, {"I32", torch::kInt32},
    {"I16", torch::kInt16}, {"I8", torch::kInt8}, {"U8", torch::kUInt8}, {"BOOL", torch::kBool},
};

// Largest header the format allows (the reference implementation's limit).
constexpr uint64_t kMaxHeaderSize = 100'000'000;

}  // namespace

torch::ScalarType safetensorsScalarType(const std::string& dtype) {
    for (const auto& entry : kDtypes)
        if (dtype == entry.name) return entry.type;
    fail("unknown safetensors dtype '{}'", dtype);
}

std::string safetensorsDtypeName(torch::ScalarType type) {
    for (const auto& entry : kDtypes)
        if (type == entry.type) return entry.name;
    fail("tensors of type {} cannot be stored in safetensors", c10::toString(type));
}

std::shared_ptr<const SafetensorsFile> SafetensorsFile::open(const std::filesystem::path& path) {
    std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
    file->path_ = path;
    const std::string where = path.string();

    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("{}: cannot open ({})", where, std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail("{}: not a regular file", where);
    }
    const auto size = static_cast<uint64_t>(st.st_size);
    if (size < 8) {
        ::close(fd);
        fail("{}: truncated safetensors file ({} bytes, the 8-byte header length is missing)", where, size);
    }
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (map == MAP_FAILED) fail("{}: cannot memory-map ({})", where, std::strerror(errno));
    file->map_ = static_cast<const uint8_t*>(map);
    file->mapSize_ = size;

    uint64_t headerSize = 0;
    std::memcpy(&headerSize, file->map_, 8);
    if (headerSize > kMaxHeaderSize || headerSize > size - 8)
        fail("{}: header length {} does not fit in a file of {} bytes (truncated or invalid safetensors header)",
             where, headerSize, size);
    file->data_ = file->map_ + 8 + headerSize;
    file->parseHeader(std::string(reinterpret_cast<const char*>(file->map_ + 8), headerSize),
                      size - 8 - headerSize);
    return file;
}

SafetensorsFile::~SafetensorsFile() {
    if (map_) ::munmap(const_cast<uint8_t*>(map_), mapSize_);
}

void SafetensorsFile::parseHeader(const std::string& header, uint64_t dataSize) {
    const std::string where = path_.string();
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(header);
    } catch (const nlohmann::json::exception& e) {
        fail("{}: header is not valid JSON ({})", where, e.what());
    }
    if (!json.is_object()) fail("{}: header is not a JSON object", where);

    for (auto it = json.begin(); it != json.end(); ++it) {
        const std::string& name = it.key();
        const auto& entry = it.value();
        if (name == "__metadata__") {
            if (!entry.is_object()) fail("{}: __metadata__ is not an object", where);
            for (auto m = entry.begin(); m != entry.end(); ++m) {
                if (!m.value().is_string()) fail("{}: __metadata__.{} is not a string", where, m.key());
                metadata_[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
            !entry.contains("data_offsets"))
            fail("{}: tensor '{}' lacks dtype, shape or data_offsets", where, name);
        SafetensorInfo info;
        info.name = name;
        if (!entry["dtype"].is_string()) fail("{}: tensor '{}': dtype is not a string", where, name);
        info.dtype = entry["dtype"].get<std::string>();
        try {
            info.scalarType = safetensorsScalarType(info.dtype);
        } catch (const Error& e) {
            fail("{}: tensor '{}': {}", where, name, e.what());
        }
        const auto& shape = entry["shape"];
        if (!shape.is_array()) fail("{}: tensor '{}': shape is not a list", where, name);
        uint64_t elements = 1;
        for (const auto& dim : shape) {
            if (!dim.is_number_unsigned()) fail("{}: tensor '{}': shape has a non-integer or negative dimension", where, name);
            const auto d = dim.get<uint64_t>();
            if (d > (1ull << 40) || (d != 0 && elements > (1ull << 50) / d))
                fail("{}: tensor '{}': shape is implausibly large", where, name);
            elements *= d;
            info.shape.push_back(static_cast<int64_t>(d));
        }
        const auto& offsets = entry["data_offsets"];
        if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
            !offsets[1].is_number_unsigned())
            fail("{}: tensor '{}': data_offsets must be two non-negative integers", where, name);
        info.begin = offsets[0].get<uint64_t>();
        info.end = offsets[1].get<uint64_t>();
        if (info.begin > info.end)
            fail("{}: tensor '{}': data_offsets [{}, {}] are reversed (begin > end)", where, name, info.begin,
                 info.end);
        if (info.end > dataSize)
            fail("{}: tensor '{}': data_offsets [{}, {}] lie outside the data section of {} bytes "
                 "(the file is truncated or incomplete)", where, name, info.begin, info.end, dataSize);
        const uint64_t expected = elements * c10::elementSize(info.scalarType);
        if (info.end - info.begin != expected)
            fail("{}: tensor '{}': shape {} of {} needs {} bytes but data_offsets span {}", where, name,
                 fmt::join(info.shape, "x"), info.dtype, expected, info.end - info.begin);
        infos_.push_back(std::move(info));
    }

    std::sort(infos_.begin(), infos_.end(),
              [](const auto& a, const auto& b) { return a.begin < b.begin || (a.begin == b.begin && a.end < b.end); });
    for (size_t i = 1; i < infos_.size(); ++i)
        if (infos_[i].begin < infos_[i - 1].end)
            fail("{}: tensors '{}' and '{}' overlap in the data section", where, infos_[i - 1].name,
                 infos_[i].name);
    for (size_t i = 0; i < infos_.size(); ++i) index_[infos_[i].name] = i;
}

const SafetensorInfo& SafetensorsFile::info(const std::string& name) const {
    auto it = index_.find(name);
    if (it == index_.end()) fail("{}: no tensor named '{}'", path_.string(), name);
    return infos_[it->second];
}

torch::Tensor SafetensorsFile::tensor(const std::string& name) const {
    const auto& meta = info(name);
    auto out = torch::empty(meta.shape, torch::TensorOptions().dtype(meta.scalarType));
    if (meta.end > meta.begin) std::memcpy(out.data_ptr(), data_ + meta.begin, meta.end - meta.begin);
    return out;
}

torch::Tensor SafetensorsFile::view(const std::string& name) const {
    const auto& meta = info(name);
    const uint8_t* begin = data_ + meta.begin;
    if (meta.end == meta.begin || reinterpret_cast<uintptr_t>(begin) % c10::elementSize(meta.scalarType) != 0)
        return tensor(name);
    // The mapping is read-only: callers only read the view (copy_ into a parameter).
    return torch::from_blob(const_cast<uint8_t*>(begin), meta.shape, torch::TensorOptions().dtype(meta.scalarType));
}

void SafetensorsFile::evict(const std::string& name) const {
    const auto& meta = info(name);
    const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    // Whole pages inside the tensor's span only: a neighbour's pages stay mapped.
    const auto first = (reinterpret_cast<uintptr_t>(data_ + meta.begin) + page - 1) / page * page;
    const auto last = reinterpret_cast<uintptr_t>(data_ + meta.end) / page * page;
    if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

std::map<std::string, torch::Tensor> SafetensorsFile::all() const {
    std::map<std::string, torch::Tensor> out;
    for (const auto& meta : infos_) out[meta.name] = tensor(meta.name);
    return out;
}

void saveSafetensors(const std::filesystem::path& path, const std::map<std::string, torch::Tensor>& tensors,
                     const std::map<std::string, std::string>& metadata) {
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::vector<torch::Tensor> blobs;
    uint64_t offset = 0;
    for (const auto& [name, value] : tensors) {
        auto t = value.detach().to(torch::kCPU).contiguous();
        const uint64_t bytes = t.numel() * t.element_size();
        header[name] = {{"dtype", safetensorsDtypeName(t.scalar_type())},
                        {"shape", t.sizes().vec()},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        blobs.push_back(t);
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // keep the data section 8-byte aligned
    const uint64_t headerSize = text.size();

    auto tmp = path;
    tmp += ".partial";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) fail("{}: cannot write", tmp.string());
        out.write(reinterpret_cast<const char*>(&headerSize), 8);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const auto& t : blobs)
            out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * t.element_size()));
        if (!out) fail("{}: write failed (disk full?)", tmp.string());
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) fail("{}: cannot rename from {} ({})", path.string(), tmp.string(), ec.message());
}

}  // namespace sa
