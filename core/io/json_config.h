#pragma once
// Reading a model's config.json into a config struct. Every error names the file and the field.
// Keys that the code reads are marked; `finish()` rejects keys it never looked at unless they
// are known to be harmless, so a config value that would change behaviour is never ignored.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/error.h"

namespace sa {

// Whether `value.get<T>()` keeps the number it reads. nlohmann converts any JSON number to an
// integer type with a plain cast: 2.5 becomes 2, 2^40 wraps, -1 becomes a huge unsigned, and a
// float beyond the type's range (1e300) is undefined behaviour. Non-numbers are left to get<T>(),
// which refuses them with a type error.
template <typename T>
bool jsonNumberFits(const nlohmann::json& value) {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        using Limits = std::numeric_limits<T>;
        if (value.is_number_unsigned()) return value.get<uint64_t>() <= static_cast<uint64_t>(Limits::max());
        if (value.is_number_integer()) {
            const auto v = value.get<int64_t>();
            return v < 0 ? Limits::is_signed && v >= static_cast<int64_t>(Limits::min())
                         : static_cast<uint64_t>(v) <= static_cast<uint64_t>(Limits::max());
        }
        if (value.is_number_float()) {  // whole numbers written as 4.0 are fine
            const double v = value.get<double>();
            return std::trunc(v) == v && v >= static_cast<double>(Limits::min()) &&
                   v < std::ldexp(1.0, Limits::digits);  // max() + 1 is exact as a double, max() may not be
        }
        return true;
    } else if constexpr (requires { typename T::value_type; } && !std::is_same_v<T, std::string>) {
        if (!value.is_array()) return true;
        for (const auto& item : value)
            if (!jsonNumberFits<typename T::value_type>(item)) return false;
        return true;
    } else {
        return true;  // double (any parsed JSON number is a finite double), bool, string
    }
}

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
    // The attributes every transformers PretrainedConfig carries (generation defaults, labels,
    // dropout, initialisation, ids, bookkeeping); none changes what an encoder computes. Hub
    // configs of composite models write all of them into their sub-configs.
    void ignoreTransformersGeneric() const;
    // A nested object ("text_config") as a config of its own; absent or null gives an empty one.
    JsonConfig section(const std::string& key) const;
    // Rejects every field never read nor ignored whose value is not null / false.
    void finish() const;

private:
    template <typename T>
    T convert(const std::string& key, const nlohmann::json& value) const {
        if (!jsonNumberFits<T>(value))
            fail("{}: field '{}' = {} is out of range or not a whole number", where_, key, value.dump());
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
