#include "golden/golden_case.h"

#include <cstdlib>

#include "core/common/error.h"

namespace sa::test {

std::vector<std::string> GoldenCase::tensorNames(const std::string& prefix) const {
    std::vector<std::string> names;
    for (const auto& [key, value] : meta.at("tensors").items())
        if (key.rfind(prefix, 0) == 0) names.push_back(key);
    return names;
}

std::set<std::string> GoldenCase::groups() const {
    std::set<std::string> out;
    for (const auto& [key, value] : meta.at("tensors").items()) {
        const auto dot = key.find('.');
        if (dot != std::string::npos) out.insert(key.substr(0, dot + 1));
    }
    return out;
}

std::filesystem::path GoldenCase::modelFolder() const {
    return root / ("tiny-" + name.substr(name.rfind('_') + 1));
}

std::shared_ptr<StableDiffusionModel> cachedModel(const std::filesystem::path& folder) {
    static std::map<std::filesystem::path, std::shared_ptr<StableDiffusionModel>> cache;
    auto& slot = cache[folder];
    if (!slot) slot = StableDiffusionModel::load(folder);
    return slot;
}

}  // namespace sa::test
