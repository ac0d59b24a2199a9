#include "core/common/resources.h"

#include "core/common/error.h"

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

std::filesystem::path bundledClipTokenizer() {
    auto folder = findBundledResource("tokenizers/clip");
    if (folder.empty()) fail("the bundled CLIP vocabulary (resources/tokenizers/clip) is missing from this installation");
    return folder;
}

}  // namespace sa
