#include "core/text/tokenizer_files.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/common/error.h"

namespace sa::text {

namespace fs = std::filesystem;
using nlohmann::json;

json readJsonFile(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) fail("{}: cannot open file", file.string());
    try {
        return json::parse(in);
    } catch (const json::exception& e) {
        fail("{}: invalid JSON: {}", file.string(), e.what());
    }
}

std::string readTextFile(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) fail("{}: cannot open file", file.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) fail("{}: read error", file.string());
    return ss.str();
}

std::optional<AddedTokenSpec> readAddedToken(const json& value, const fs::path& file,
                                             const std::string& field) {
    if (value.is_null()) return std::nullopt;
    if (value.is_string()) return AddedTokenSpec{value.get<std::string>()};
    if (!value.is_object()) {
        fail("{}: {} must be a string or an AddedToken object", file.string(), field);
    }
    const auto content = value.find("content");
    if (content == value.end() || !content->is_string()) {
        fail("{}: {}.content is missing or not a string", file.string(), field);
    }
    // A flag: absent (the default), a bool, or for "normalized" also null (AddedToken's None).
    auto flag = [&](const char* name, bool nullable) -> std::optional<bool> {
        const auto it = value.find(name);
        if (it == value.end() || (nullable && it->is_null())) return std::nullopt;
        if (!it->is_boolean()) fail("{}: {}.{} is not a bool", file.string(), field, name);
        return it->get<bool>();
    };
    if (flag("single_word", false).value_or(false)) {
        fail("{}: {}.single_word=true is not supported", file.string(), field);
    }
    (void)flag("lstrip", false);
    (void)flag("rstrip", false);
    AddedTokenSpec spec{content->get<std::string>()};
    spec.fromObject = true;
    spec.special = flag("special", false).value_or(false);
    spec.normalized = flag("normalized", true).value_or(!spec.special);
    return spec;
}

int64_t parseTokenId(const std::string& key, const fs::path& file, const std::string& field) {
    try {
        size_t used = 0;
        const int64_t id = std::stoll(key, &used);
        if (used == key.size()) return id;
    } catch (const std::exception&) {
    }
    fail("{}: {} is not an integer id", file.string(), field);
}

}  // namespace sa::text
