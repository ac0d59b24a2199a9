#pragma once
// Shared pieces of the libFuzzer harnesses (tests/fuzz/README.md).
//
// The rule every harness checks: bad input may only be refused with an sa::Error whose message
// names the file it came from. Any other exception escaping a reader (nlohmann::json::exception,
// c10::Error, cv::Exception, std::bad_alloc, ...) is a bug, reported by abort() so that libFuzzer
// keeps the input; crashes and sanitizer reports are caught by the sanitizers themselves.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include <cxxabi.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/common/error.h"

namespace sa::fuzz {

inline std::string typeName(const std::type_info& type) {
    int status = 0;
    char* name = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
    std::string out = status == 0 && name ? name : type.name();
    std::free(name);
    return out;
}

[[noreturn]] inline void bug(std::string_view what, std::string_view detail) {
    std::fprintf(stderr, "\n==== fuzz harness: %.*s\n     %.*s\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
}

// Runs `body` on one input. An sa::Error is the expected refusal of bad input; its message must
// name `where` (the file, or the field path for JSON given in memory) so the user can act on it.
template <typename Body>
void expectOnlySaErrors(const std::string& where, Body&& body) {
    try {
        body();
    } catch (const sa::Error& e) {
        if (!where.empty() && std::string_view(e.what()).find(where) == std::string_view::npos)
            bug("sa::Error that does not name " + where, e.what());
    } catch (const std::exception& e) {
        bug("exception other than sa::Error escaped: " + typeName(typeid(e)), e.what());
    } catch (...) {
        bug("non-std exception escaped", "");
    }
}

// Scratch files live in /dev/shm when there is one (no disk I/O), named after the process.
inline std::filesystem::path scratchPath(const std::string& name) {
    std::filesystem::path dir = "/dev/shm";
    if (::access(dir.c_str(), W_OK) != 0) dir = std::filesystem::temp_directory_path();
    return dir / ("sa-fuzz-" + std::to_string(::getpid()) + "-" + name);
}

inline void writeScratch(const std::filesystem::path& path, const uint8_t* data, size_t size) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) bug("cannot write the scratch file", path.string());
    for (size_t done = 0; done < size;) {
        const auto n = ::write(fd, data + done, size - done);
        if (n <= 0) bug("cannot write the scratch file", path.string());
        done += static_cast<size_t>(n);
    }
    ::close(fd);
}

// The readers under test take paths: every input is written to one scratch file per process,
// removed at exit.
class ScratchFile {
public:
    explicit ScratchFile(const std::string& name) : path_(scratchPath(name)) {}
    ~ScratchFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;

    const std::filesystem::path& write(const uint8_t* data, size_t size) {
        writeScratch(path_, data, size);
        return path_;
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// For readers of a folder of files (tokenizers): one scratch folder per process, removed at exit.
class ScratchFolder {
public:
    explicit ScratchFolder(const std::string& name) : path_(scratchPath(name)) {
        std::filesystem::create_directories(path_);
    }
    ~ScratchFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;

    // Writes the file `name` in the folder, or removes it when `bytes` is absent.
    void put(const std::string& name, std::optional<std::string_view> bytes) const {
        std::error_code ignored;
        if (!bytes) {
            std::filesystem::remove(path_ / name, ignored);
            return;
        }
        writeScratch(path_ / name, reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// The self-attention layers of Stable Diffusion 1.5's UNet, by diffusers path, as
// UNet2DConditionModel::selfAttentionPaths() lists them: what the studio's plans and sets name.
inline std::vector<std::string> sd15SelfAttentionPaths() {
    std::vector<std::string> paths;
    const auto layer = [&](const std::string& block, int attention) {
        paths.push_back(block + ".attentions." + std::to_string(attention) + ".transformer_blocks.0.attn1");
    };
    for (int b = 0; b < 3; ++b)
        for (int a = 0; a < 2; ++a) layer("down_blocks." + std::to_string(b), a);
    layer("mid_block", 0);
    for (int b = 1; b < 4; ++b)
        for (int a = 0; a < 3; ++a) layer("up_blocks." + std::to_string(b), a);
    return paths;
}

}  // namespace sa::fuzz
