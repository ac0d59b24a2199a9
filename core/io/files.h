#pragma once
// Writing files so that a crash or a cancelled run never leaves a half-written one behind.
#include <filesystem>
#include <string>

namespace sa {

// Writes `text` to `path.partial`, then renames it over `path`. Throws sa::Error naming the file.
void writeFileAtomically(const std::filesystem::path& path, const std::string& text);

}  // namespace sa
