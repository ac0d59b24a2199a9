#include "core/common/resources.h"

namespace sa {

std::filesystem::path findBundledResource(const std::string& relative) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    for (const fs::path& root : {fs::path(STYLEALIGNED_SOURCE_DIR) / "resources",
                                 ec ? fs::path() : exe.parent_path() / "../share/stylealigned"}) {
        if (root.empty()) continue;
        const auto candidate = root / relative;
        if (fs::exists(candidate, ec)) return fs::weakly_canonical(candidate, ec);
    }
    return {};
}

std::filesystem::path bundledDemoModel() {
    const auto index = findBundledResource("models/demo/model_index.json");
    return index.empty() ? index : index.parent_path();
}

}  // namespace sa
