#pragma once
// The golden folder every test reads: $STYLEALIGNED_GOLDEN_DIR, or the project's copy
// (SA_DEFAULT_GOLDEN_DIR, set by tests/CMakeLists.txt).
#include <cstdlib>
#include <filesystem>

namespace sa::test {

inline std::filesystem::path goldenDir() {
    const char* env = std::getenv("STYLEALIGNED_GOLDEN_DIR");
    return env && *env ? std::filesystem::path(env) : std::filesystem::path(SA_DEFAULT_GOLDEN_DIR);
}

}  // namespace sa::test
