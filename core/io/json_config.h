#pragma once
// Reading a model's config.json into a config struct. Every error names the file and the field.
// Keys that the code reads are marked; `finish()` rejects keys it never looked at unless they
// are known to be harmless, so a config value that would change behaviour is never ignored.
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/error.h"

namespace sa {

class JsonConfig {
public:
    JsonConfig(nlohmann::json json, std::string where);
    static JsonConfig load(const std::filesystem::path& file);

    const std::string& where() const { return where_; }
    const nlohmann::json& json() const { return json_; }
    bool has(const std::string& key) const;  // present and not null

    // Required field.
    template <typename T>
    T get(const std::string& key) const {
        used_.insert(key);
        if (!has(key)) fail("{}: missing field '{}'", where_, key);
        return convert<T>(key, json_.at(key));
    }
    // Optional field: absent or null gives `fallback`.
    template <typename T>
    T get(const std::string& key, T fallback) const {
        used_.insert(key);
        if (!has(key)) return fallback;
        return convert<T>(key, json_.at(key));
    }
    // A per-block setting that diffusers accepts as one number or a list of `count` numbers.
    std::vector<int> intOrList(const std::string& key, size_t count, std::optional<int> fallback = {}) const;
    // The field, when present, must equal one of `allowed` (null counts as absent).
    void expectOneOf(const std::string& key, const std::vector<nlohmann::json>& allowed) const;
    // Fields that are read elsewhere or do not change inference.
    void ignore(std::initializer_list<const char*> keys) const;
    // Rejects every field never read nor ignored whose value is not null / false.
    void finish() const;

private:
    template <typename T>
    T convert(const std::string& key, const nlohmann::json& value) const {
        try {
            return value.get<T>();
        } catch (const nlohmann::json::exception&) {
            fail("{}: field '{}' has the wrong type ({})", where_, key, value.dump());
        }
    }

    nlohmann::json json_;
    std::string where_;
    mutable std::set<std::string> used_;
};

}  // namespace sa
