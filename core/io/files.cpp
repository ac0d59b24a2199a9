#include "core/io/files.h"

#include <fstream>
#include <random>

#include "core/common/error.h"

namespace sa {

namespace fs = std::filesystem;

void writeFileAtomically(const fs::path& path, const std::string& text) {
    auto tmp = path;
    tmp += ".partial";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) fail("{}: cannot write (folder missing or not writable?)", path.string());
        out << text;
        if (!out) fail("{}: write failed (disk full?)", path.string());
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) fail("{}: cannot move into place ({})", path.string(), ec.message());
}

namespace {

// Permission bits do not tell (root ignores them; a read-only mount does not show in them):
// create and remove a probe file.
bool canCreateFileIn(const fs::path& dir) {
    std::random_device random;
    const auto probe = dir / fmt::format(".stylealigned-write-check-{:08x}", random());
    {
        std::ofstream out(probe, std::ios::binary | std::ios::trunc);
        if (!out) return false;
    }
    std::error_code ignored;
    fs::remove(probe, ignored);
    return true;
}

}  // namespace

void checkWritableFolder(const fs::path& folder) {
    if (folder.empty()) fail("the output folder name is empty");
    std::error_code ec;
    const auto absolute = fs::absolute(folder, ec);
    if (ec) fail("{}: cannot use as output folder ({})", folder.string(), ec.message());
    // The folder itself, or the nearest part of its path that exists.
    fs::path existing = absolute;
    while (!fs::exists(fs::symlink_status(existing, ec)) && existing.has_relative_path())
        existing = existing.parent_path();
    if (!fs::is_directory(existing, ec)) {
        if (existing == absolute)
            fail("{}: cannot use as output folder: it exists and is not a folder", folder.string());
        fail("{}: cannot create the output folder: {} is not a folder", folder.string(), existing.string());
    }
    if (!canCreateFileIn(existing)) {
        if (existing == absolute) fail("{}: the output folder is not writable", folder.string());
        fail("{}: cannot create the output folder: {} is not writable", folder.string(), existing.string());
    }
}

}  // namespace sa
