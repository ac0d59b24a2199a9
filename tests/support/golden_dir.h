#pragma once
// The golden folder every test reads: $STYLEALIGNED_GOLDEN_DIR, or the project's copy
// (SA_DEFAULT_GOLDEN_DIR, set by tests/CMakeLists.txt).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace sa::test {

inline std::filesystem::path goldenDir() {
    const char* env = std::getenv("STYLEALIGNED_GOLDEN_DIR");
    return env && *env ? std::filesystem::path(env) : std::filesystem::path(SA_DEFAULT_GOLDEN_DIR);
}

// The golden model folder whose config.json architectures start with `architecture`
// ("BlipForConditionalGeneration", "ViTModel", ...), or an empty path.
inline std::filesystem::path goldenModelFolder(const std::string& architecture) {
    for (const auto& entry : std::filesystem::directory_iterator(goldenDir())) {
        std::ifstream in(entry.path() / "config.json");
        if (!in) continue;
        const auto json = nlohmann::json::parse(in, nullptr, false);
        if (json.is_object() && json.contains("architectures") && json["architectures"].is_array() &&
            !json["architectures"].empty() && json["architectures"][0].is_string() &&
            json["architectures"][0].get<std::string>().rfind(architecture, 0) == 0)
            return entry.path();
    }
    return {};
}

}  // namespace sa::test
