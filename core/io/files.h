#pragma once
// Writing files so that a crash or a cancelled run never leaves a half-written one behind.
#include <filesystem>
#include <string>

namespace sa {

// Writes `text` to `path.partial`, then renames it over `path`. Throws sa::Error naming the file.
void writeFileAtomically(const std::filesystem::path& path, const std::string& text);

// Checks, before any long work, that results can later be written into `folder`: it is a
// writable folder, or it does not exist yet and its nearest existing parent is a writable folder
// (so create_directories will succeed). Creates nothing: a failed or cancelled run leaves no
// folder behind. Throws sa::Error naming the folder and the reason.
void checkWritableFolder(const std::filesystem::path& folder);

}  // namespace sa
