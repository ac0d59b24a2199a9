#include "core/io/files.h"

#include <fstream>

#include "core/common/error.h"

namespace sa {

void writeFileAtomically(const std::filesystem::path& path, const std::string& text) {
    auto tmp = path;
    tmp += ".partial";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) fail("{}: cannot write (folder missing or not writable?)", path.string());
        out << text;
        if (!out) fail("{}: write failed (disk full?)", path.string());
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) fail("{}: cannot move into place ({})", path.string(), ec.message());
}

}  // namespace sa
