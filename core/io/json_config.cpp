#include "core/io/json_config.h"

#include <fstream>

namespace sa {

JsonConfig::JsonConfig(nlohmann::json json, std::string where) : json_(std::move(json)), where_(std::move(where)) {
    if (!json_.is_object()) fail("{}: expected a JSON object", where_);
}

JsonConfig JsonConfig::load(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) fail("{}: cannot open (missing file?)", file.string());
    try {
        return JsonConfig(nlohmann::json::parse(in), file.string());
    } catch (const nlohmann::json::exception& e) {
        fail("{}: not valid JSON ({})", file.string(), e.what());
    }
}

bool JsonConfig::has(const std::string& key) const {
    return json_.contains(key) && !json_.at(key).is_null();
}

std::vector<int> JsonConfig::intOrList(const std::string& key, size_t count, std::optional<int> fallback) const {
    used_.insert(key);
    if (!has(key)) {
        if (!fallback) fail("{}: missing field '{}'", where_, key);
        return std::vector<int>(count, *fallback);
    }
    const auto& value = json_.at(key);
    if (value.is_number()) return std::vector<int>(count, convert<int>(key, value));
    auto list = convert<std::vector<int>>(key, value);
    if (list.size() != count)
        fail("{}: field '{}' has {} entries, expected {} (one per block)", where_, key, list.size(), count);
    return list;
}

void JsonConfig::expectOneOf(const std::string& key, const std::vector<nlohmann::json>& allowed) const {
    used_.insert(key);
    if (!has(key)) return;
    const auto& value = json_.at(key);
    for (const auto& a : allowed)
        if (value == a) return;
    std::vector<std::string> names;
    for (const auto& a : allowed) names.push_back(a.dump());
    fail("{}: field '{}' = {} is not supported (supported: {})", where_, key, value.dump(), fmt::join(names, ", "));
}

void JsonConfig::ignore(std::initializer_list<const char*> keys) const {
    for (const char* k : keys) used_.insert(k);
}

void JsonConfig::finish() const {
    std::vector<std::string> unknown;
    for (auto it = json_.begin(); it != json_.end(); ++it) {
        const std::string& key = it.key();
        if (used_.count(key) || key.rfind('_', 0) == 0) continue;  // "_class_name", "_diffusers_version", ...
        const auto& v = it.value();
        if (v.is_null() || (v.is_boolean() && !v.get<bool>())) continue;
        unknown.push_back(fmt::format("'{}' = {}", key, v.dump()));
    }
    if (!unknown.empty())
        fail("{}: unsupported field(s) {}; this version cannot honour them", where_, fmt::join(unknown, ", "));
}

}  // namespace sa
