// WordPieceTokenizer::fromFolder: what BertTokenizer.from_pretrained (transformers 4.36) makes of
// vocab.txt, tokenizer_config.json, special_tokens_map.json and added_tokens.json.
#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/text/tokenizer_files.h"
#include "core/text/unicode_text.h"
#include "core/text/wordpiece_tokenizer.h"

namespace sa {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace sa::text;

namespace {

// SPECIAL_TOKENS_ATTRIBUTES without additional_special_tokens, in the order all_special_tokens
// lists them, with BertTokenizer.__init__'s defaults (nullptr: None).
constexpr std::array<std::pair<const char*, const char*>, 7> kSpecialKeys = {{
    {"bos_token", nullptr},
    {"eos_token", nullptr},
    {"unk_token", "[UNK]"},
    {"sep_token", "[SEP]"},
    {"pad_token", "[PAD]"},
    {"cls_token", "[CLS]"},
    {"mask_token", "[MASK]"},
}};

struct SpecialSlot {
    std::string key;                      // "unk_token", "additional_special_tokens[0]", ...
    std::optional<AddedTokenSpec> token;  // nullopt: None
    std::string where;                    // the file and field it came from, for errors
};

// load_vocab: open(..., encoding="utf-8").readlines() with universal newlines (\r\n, \r and \n
// end a line), each line's "\n" stripped; a repeated token keeps its last line, as dict() does.
std::vector<std::string> vocabLines(const fs::path& file) {
    const std::string bytes = readTextFile(file);
    std::vector<std::string> lines;
    std::string line;
    for (size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c != '\r' && c != '\n') {
            line.push_back(c);
            continue;
        }
        if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') ++i;
        lines.push_back(std::move(line));
        line.clear();
    }
    if (!line.empty()) lines.push_back(std::move(line));
    for (size_t i = 0; i < lines.size(); ++i) {
        if (toUtf8(decodeUtf8(lines[i])) != lines[i]) {  // strict decoding round-trips only UTF-8
            fail("{}: line {} is not valid UTF-8", file.string(), i + 1);
        }
    }
    return lines;
}

}  // namespace

class WordPieceTokenizer::Loader {
public:
    explicit Loader(const fs::path& dir) : dir(dir), vocabFile(dir / "vocab.txt") {}

    WordPieceTokenizer load() {
        readVocab();
        readConfig();
        readSpecialSlots();
        if (config.contains("added_tokens_decoder")) {
            readAddedTokensDecoder();
        } else {  // the "legacy" files, read only when the config has no added_tokens_decoder
            readSpecialTokensMap();
            readAddedTokensJson();
        }
        addSpecialTokens();
        return std::move(tok);
    }

private:
    void readVocab() {
        if (!fs::is_directory(dir)) fail("{}: tokenizer folder not found", dir.string());
        if (!fs::exists(vocabFile)) {
            if (fs::exists(dir / "vocab.json") || fs::exists(dir / "merges.txt")) {
                fail("{}: no vocab.txt; vocab.json / merges.txt make it a BPE (CLIP-style) "
                     "tokenizer, not a BERT WordPiece one", dir.string());
            }
            fail("{}: not found (a BERT WordPiece tokenizer folder needs vocab.txt)",
                 vocabFile.string());
        }
        const std::vector<std::string> lines = vocabLines(vocabFile);
        if (lines.empty()) fail("{}: no tokens", vocabFile.string());
        for (size_t i = 0; i < lines.size(); ++i) tok.vocab[lines[i]] = static_cast<int64_t>(i);
        for (const auto& [token, id] : tok.vocab) tok.idsToTokens.emplace(id, token);
    }

    // A bool argument: absent = the default, null = None (falsy).
    bool boolField(const char* key, bool defaultValue) const {
        const auto it = config.find(key);
        if (it == config.end()) return defaultValue;
        if (it->is_null()) return false;
        if (!it->is_boolean()) fail("{}: {} must be true or false", configFile.string(), key);
        return it->get<bool>();
    }

    void readConfig() {
        if (fs::exists(configFile)) config = readJsonFile(configFile);
        if (!config.is_object()) fail("{}: expected a JSON object", configFile.string());
        const std::string file = configFile.string();
        if (const auto it = config.find("tokenizer_class"); it != config.end() && !it->is_null()) {
            static const std::array<std::string, 4> known = {
                "BertTokenizer", "BertTokenizerFast", "DistilBertTokenizer",
                "DistilBertTokenizerFast"};
            if (!it->is_string() ||
                std::find(known.begin(), known.end(), it->get<std::string>()) == known.end()) {
                fail("{}: tokenizer_class {} is not a BERT WordPiece tokenizer", file, it->dump());
            }
        }
        if (const auto it = config.find("truncation_side"); it != config.end() && *it != "right") {
            fail("{}: truncation_side {} is not supported (only \"right\")", file, it->dump());
        }
        Options& o = tok.options;
        o.doLowerCase = boolField("do_lower_case", true);
        o.doBasicTokenize = boolField("do_basic_tokenize", true);
        o.tokenizeChineseChars = boolField("tokenize_chinese_chars", true);
        o.splitSpecialTokens = boolField("split_special_tokens", false);
        o.cleanUpSpaces = boolField("clean_up_tokenization_spaces", true);
        if (const auto it = config.find("strip_accents"); it != config.end() && !it->is_null()) {
            if (!it->is_boolean()) fail("{}: strip_accents must be true, false or null", file);
            o.stripAccents = it->get<bool>();
        }
        if (const auto it = config.find("never_split"); it != config.end() && !it->is_null()) {
            if (!it->is_array()) fail("{}: never_split must be a list of strings", file);
            for (const json& token : *it) {
                if (!token.is_string()) fail("{}: never_split must be a list of strings", file);
                tok.neverSplit.insert(decodeUtf8(token.get<std::string>()));
            }
        }
        if (const auto it = config.find("model_max_length"); it != config.end() && !it->is_null()) {
            // Saved configs write BertTokenizer's "no limit" as int(1e30), a float to JSON.
            const double value = it->is_number() ? it->get<double>() : -1.0;
            if (!(value >= 0) || (value < 9.2e18 && value != std::floor(value))) {
                fail("{}: model_max_length must be a non-negative integer", file);
            }
            if (value < 9.2e18) {
                tok.maxLength = it->is_number_unsigned() ? static_cast<int64_t>(it->get<uint64_t>())
                                                         : static_cast<int64_t>(value);
            }
        }
    }

    std::optional<AddedTokenSpec> specialToken(const json& value, const fs::path& file,
                                               const std::string& field) const {
        auto token = readAddedToken(value, file, field);
        if (token && token->content.empty()) fail("{}: {} is empty", file.string(), field);
        return token;
    }

    // BertTokenizer.__init__ defaults, then the config's values.
    void readSpecialSlots() {
        for (const auto& [key, defaultToken] : kSpecialKeys) {
            SpecialSlot slot{key, std::nullopt, dir.string() + ": BertTokenizer's default " + key};
            if (defaultToken != nullptr) slot.token = AddedTokenSpec{defaultToken};
            if (const auto it = config.find(key); it != config.end()) {
                slot.token = specialToken(*it, configFile, key);
                slot.where = configFile.string() + ": " + key;
            }
            slots.push_back(std::move(slot));
        }
        readAdditional(config, configFile);
    }

    void readAdditional(const json& source, const fs::path& file) {
        const auto it = source.find("additional_special_tokens");
        if (it == source.end() || it->is_null()) return;
        if (!it->is_array()) fail("{}: additional_special_tokens is not a list", file.string());
        for (size_t i = 0; i < it->size(); ++i) {
            const std::string field = fmt::format("additional_special_tokens[{}]", i);
            auto token = specialToken((*it)[i], file, field);
            if (!token) fail("{}: {} is null", file.string(), field);
            // special_tokens_map.json only appends the tokens the config does not list yet.
            if (std::any_of(additional.begin(), additional.end(),
                            [&](const SpecialSlot& s) { return s.token->content == token->content; }))
                continue;
            additional.push_back({field, std::move(token), file.string() + ": " + field});
        }
    }

    void addDecoderEntry(int64_t id, const AddedTokenSpec& token, const std::string& where) {
        if (token.content.empty()) fail("{}: the token is empty", where);
        if (const auto it = tok.addedEncoder.find(token.content);
            it != tok.addedEncoder.end() && it->second != id) {
            fail("{}: \"{}\" is already the added token of id {}", where, token.content, it->second);
        }
        tok.addedDecoder[id] = {decodeUtf8(token.content), token.content, token.special,
                                token.normalized};
        tok.addedEncoder[token.content] = id;
    }

    void readAddedTokensDecoder() {
        const json& decoder = config.at("added_tokens_decoder");
        if (!decoder.is_object()) {
            fail("{}: added_tokens_decoder is not an object", configFile.string());
        }
        for (const auto& [key, value] : decoder.items()) {
            const std::string field = "added_tokens_decoder." + key;
            const int64_t id = parseTokenId(key, configFile, field);
            if (!value.is_object()) {
                fail("{}: {} must be an AddedToken object", configFile.string(), field);
            }
            addDecoderEntry(id, *readAddedToken(value, configFile, field),
                            configFile.string() + ": " + field);
        }
    }

    // Legacy: the map's values replace the config's; its tokens given as objects are special.
    void readSpecialTokensMap() {
        const fs::path mapFile = dir / "special_tokens_map.json";
        if (!fs::exists(mapFile)) return;
        const json map = readJsonFile(mapFile);
        if (!map.is_object()) fail("{}: expected a JSON object", mapFile.string());
        for (SpecialSlot& slot : slots) {
            if (const auto it = map.find(slot.key); it != map.end()) {
                slot.token = specialToken(*it, mapFile, slot.key);
                slot.where = mapFile.string() + ": " + slot.key;
            }
        }
        readAdditional(map, mapFile);
    }

    // Legacy: {token: id}; a token is special when it is one of the special tokens.
    void readAddedTokensJson() {
        const fs::path addedFile = dir / "added_tokens.json";
        if (!fs::exists(addedFile)) return;
        const json added = readJsonFile(addedFile);
        if (!added.is_object()) fail("{}: expected an object of token -> id", addedFile.string());
        for (const auto& item : added.items()) {
            const std::string& content = item.key();
            if (!item.value().is_number_integer()) {
                fail("{}: id of \"{}\" is not an integer", addedFile.string(), content);
            }
            const auto named = [&](const SpecialSlot& s) {
                return s.token && s.token->content == content;
            };
            AddedTokenSpec token{content};
            token.special = std::any_of(slots.begin(), slots.end(), named) ||
                            std::any_of(additional.begin(), additional.end(), named);
            token.normalized = !token.special;
            addDecoderEntry(item.value().get<int64_t>(), token, addedFile.string() + ": " + content);
        }
    }

    // PreTrainedTokenizer.__init__: the special tokens that are no added tokens yet become added
    // tokens with their vocab.txt ids (transformers would append unknown ones to the vocabulary;
    // here they are an error: the model has no embedding for them).
    void addSpecialTokens() {
        std::vector<const SpecialSlot*> all;  // all_special_tokens, first spelling wins
        for (const auto* list : {&slots, &additional}) {
            for (const SpecialSlot& slot : *list) {
                if (!slot.token) continue;
                if (std::none_of(all.begin(), all.end(), [&](const SpecialSlot* s) {
                        return s->token->content == slot.token->content;
                    }))
                    all.push_back(&slot);
            }
        }
        for (const SpecialSlot* slot : all) {
            const std::string& content = slot->token->content;
            tok.specialTokens.push_back(content);
            if (tok.addedEncoder.count(content)) continue;
            const auto it = tok.vocab.find(content);
            if (it == tok.vocab.end()) {
                fail("{}: special token \"{}\" is not in {}", slot->where, content,
                     vocabFile.string());
            }
            AddedTokenSpec token = *slot->token;
            token.special = true;
            if (!token.fromObject) token.normalized = false;
            addDecoderEntry(it->second, token, slot->where);
        }
        finish();
    }

    const SpecialSlot& slot(const char* key) const {
        return *std::find_if(slots.begin(), slots.end(),
                             [&](const SpecialSlot& s) { return s.key == key; });
    }

    std::optional<int64_t> idOf(const char* key, bool required) const {
        const SpecialSlot& s = slot(key);
        if (!s.token) {
            if (required) fail("{} is null, but a BERT tokenizer needs it", s.where);
            return std::nullopt;
        }
        return tok.tokenToId(s.token->content);
    }

    // The derived tables: ids of the special tokens, what lower-casing keeps, what decoding
    // treats as legacy added tokens.
    void finish() {
        const SpecialSlot& unkSlot = slot("unk_token");
        if (!unkSlot.token) fail("{} is null, but WordPiece needs an unknown token", unkSlot.where);
        tok.unkToken = unkSlot.token->content;
        const auto unkInVocab = tok.vocab.find(tok.unkToken);
        if (unkInVocab == tok.vocab.end()) {
            fail("{}: unk_token \"{}\" is not in {}", unkSlot.where, tok.unkToken,
                 vocabFile.string());
        }
        tok.unkVocabId = unkInVocab->second;
        tok.unk = *idOf("unk_token", true);
        tok.cls = *idOf("cls_token", true);
        tok.sep = *idOf("sep_token", true);
        tok.pad = idOf("pad_token", false);
        tok.mask = idOf("mask_token", false);
        tok.bos = idOf("bos_token", false);

        for (const std::string& special : tok.specialTokens) {
            tok.specialIds.insert(tok.tokenToId(special));
            tok.lowerProtected.push_back(decodeUtf8(special));
            // BertTokenizer._tokenize passes them even with split_special_tokens: tokenize() does
            // not forward that flag to it in 4.36.
            tok.basicNeverSplit.insert(decodeUtf8(special));
        }
        std::vector<std::pair<int64_t, const Added*>> byId;
        for (const auto& [id, added] : tok.addedDecoder) byId.emplace_back(id, &added);
        std::sort(byId.begin(), byId.end());
        for (const auto& [id, added] : byId) {
            if (!added->special && added->normalized) tok.lowerProtected.push_back(added->content);
        }
        for (const auto& [content, id] : tok.addedEncoder) {
            tok.addedContents.push_back(decodeUtf8(content));
            if (std::find(tok.specialTokens.begin(), tok.specialTokens.end(), content) ==
                tok.specialTokens.end())
                tok.legacyAdded.insert(content);
        }
        for (const SpecialSlot& s : additional) {
            if (tok.tokenToId(s.token->content) >= static_cast<int64_t>(tok.vocab.size()))
                tok.legacyAdded.insert(s.token->content);
        }
        tok.basicNeverSplit.insert(tok.neverSplit.begin(), tok.neverSplit.end());
    }

    fs::path dir;
    fs::path vocabFile;
    fs::path configFile = dir / "tokenizer_config.json";
    json config = json::object();
    std::vector<SpecialSlot> slots;       // kSpecialKeys, in order
    std::vector<SpecialSlot> additional;  // additional_special_tokens
    WordPieceTokenizer tok;
};

WordPieceTokenizer WordPieceTokenizer::fromFolder(const fs::path& dir) {
    return Loader(dir).load();
}

}  // namespace sa
