#pragma once
// Reading the files of a transformers tokenizer folder (tokenizer_config.json,
// special_tokens_map.json, vocabularies): every failure is an sa::Error naming the file and field.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace sa::text {

nlohmann::json readJsonFile(const std::filesystem::path& file);  // "<file>: invalid JSON: ..."
std::string readTextFile(const std::filesystem::path& file);      // the bytes, unchanged

// One AddedToken as tokenization_utils_base writes it: a plain string, or
// {"content": ..., "lstrip", "rstrip", "single_word", "normalized", "special"}. `normalized`
// defaults to !special, as in AddedToken.__init__. lstrip / rstrip only trim whitespace next to
// the token, which the tokenizers' text cleaning drops anyway; single_word would change the split
// and is refused.
struct AddedTokenSpec {
    std::string content;
    bool special = false;
    bool normalized = true;
    bool fromObject = false;  // false: written as a plain string (flags are the caller's defaults)
};

// `value` at `field` of `file`; null means "not set".
std::optional<AddedTokenSpec> readAddedToken(const nlohmann::json& value,
                                             const std::filesystem::path& file,
                                             const std::string& field);

// A key of added_tokens_decoder: a decimal token id.
int64_t parseTokenId(const std::string& key, const std::filesystem::path& file,
                     const std::string& field);

}  // namespace sa::text
