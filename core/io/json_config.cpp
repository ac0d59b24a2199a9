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

void JsonConfig::ignoreTransformersGeneric() const {
    static const char* const generic[] = {
        "return_dict", "output_hidden_states", "output_attentions", "torchscript", "torch_dtype", "use_bfloat16",
        "tf_legacy_loss", "pruned_heads", "tie_word_embeddings", "is_encoder_decoder", "is_decoder",
        "cross_attention_hidden_size", "add_cross_attention", "tie_encoder_decoder", "max_length", "min_length",
        "do_sample", "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty", "temperature", "top_k",
        "top_p", "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
        "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "chunk_size_feed_forward",
        "output_scores", "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id",
        "remove_invalid_values", "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens",
        "finetuning_task", "id2label", "label2id", "num_labels", "tokenizer_class", "prefix", "bos_token_id",
        "pad_token_id", "eos_token_id", "sep_token_id", "decoder_start_token_id", "task_specific_params",
        "problem_type", "transformers_version", "gradient_checkpointing", "initializer_range", "initializer_factor",
        "dropout", "attention_dropout", "hidden_dropout_prob", "attention_probs_dropout_prob", "use_cache",
        "architectures", "model_type", "cross_attention_hidden_size", "layerdrop"};
    for (const char* key : generic) used_.insert(key);
}

JsonConfig JsonConfig::section(const std::string& key) const {
    used_.insert(key);
    if (!has(key)) return JsonConfig(nlohmann::json::object(), where_ + " " + key);
    const auto& value = json_.at(key);
    if (!value.is_object()) fail("{}: field '{}' must be an object, got {}", where_, key, value.dump());
    return JsonConfig(value, where_ + " " + key);
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
