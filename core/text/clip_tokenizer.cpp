#include "core/text/clip_tokenizer.h"

#include <array>
#include <climits>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/text/tokenizer_files.h"
#include "core/text/unicode_text.h"

namespace sa {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace sa::text;

// ---- pre-tokenizer: CLIPTokenizer.pat -----------------------------------------------------------
// re.findall(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|
// [^\s\p{L}\p{N}]+", text, re.IGNORECASE) on one whitespace-free, lowercased word.
constexpr std::array<std::string_view, 9> kLiteralPieces = {
    "<|startoftext|>", "<|endoftext|>", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};

// IGNORECASE on the (lowercase ASCII) literals: besides the uppercase letter, only U+017F LATIN
// SMALL LETTER LONG S matches (it case-folds to 's'); checked over all code points with `regex`.
bool matchesIgnoreCase(char32_t c, char literal) {
    const auto l = static_cast<char32_t>(literal);
    if (c == l) return true;
    if (literal >= 'a' && literal <= 'z') return c == l - 32 || (literal == 's' && c == 0x17F);
    return false;
}

size_t literalLength(const std::u32string& word, size_t at, std::string_view literal) {
    if (word.size() - at < literal.size()) return 0;
    for (size_t k = 0; k < literal.size(); ++k) {
        if (!matchesIgnoreCase(word[at + k], literal[k])) return 0;
    }
    return literal.size();
}

enum class CharClass { Letter, Number, Other, Unmatched };

CharClass classify(char32_t c) {
    // With IGNORECASE, `regex` matches U+0345 COMBINING GREEK YPOGEGRAMMENI (Mn, case-folds to a
    // letter) with none of the three classes, so findall skips it like whitespace.
    if (c == 0x345 || isPythonSpace(c)) return CharClass::Unmatched;
    if (isLetter(c)) return CharClass::Letter;
    if (isNumber(c)) return CharClass::Number;
    return CharClass::Other;
}

std::vector<std::u32string> splitPieces(const std::u32string& word) {
    std::vector<std::u32string> pieces;
    size_t i = 0;
    while (i < word.size()) {
        size_t len = 0;
        for (std::string_view literal : kLiteralPieces) {
            if ((len = literalLength(word, i, literal)) != 0) break;
        }
        if (len == 0) {
            const CharClass cls = classify(word[i]);
            if (cls == CharClass::Unmatched) {
                ++i;
                continue;
            }
            len = 1;
            if (cls != CharClass::Number) {  // [\p{N}] is a single character, the others runs
                while (i + len < word.size() && classify(word[i + len]) == cls) ++len;
            }
        }
        pieces.push_back(word.substr(i, len));
        i += len;
    }
    return pieces;
}

// ---- bytes_to_unicode ---------------------------------------------------------------------------
// Printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100.. in byte order; held
// as the UTF-8 of the mapped character.
const std::array<std::string, 256>& byteEncoder() {
    static const std::array<std::string, 256> table = [] {
        std::array<std::string, 256> t;
        char32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable =
                (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            appendUtf8(t[static_cast<size_t>(b)], printable ? static_cast<char32_t>(b) : next++);
        }
        return t;
    }();
    return table;
}

// ---- loading ------------------------------------------------------------------------------------
bool isAsciiSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// An AddedToken field: a plain string or {"content": ..., "single_word": ..., ...}; null = unset.
// lstrip/rstrip only trim whitespace next to the token, which the normalizer drops anyway;
// single_word would change the split, and no CLIP tokenizer uses it.
}  // namespace

ClipTokenizer ClipTokenizer::fromFolder(const fs::path& dir) {
    if (!fs::is_directory(dir)) fail("{}: tokenizer folder not found", dir.string());
    ClipTokenizer tok;

    // vocab.json: {token: id}
    const fs::path vocabFile = dir / "vocab.json";
    const json vocabJson = readJsonFile(vocabFile);
    if (!vocabJson.is_object() || vocabJson.empty()) {
        fail("{}: expected a non-empty object of token -> id", vocabFile.string());
    }
    for (const auto& [token, id] : vocabJson.items()) {
        if (!id.is_number_integer()) {
            fail("{}: id of token \"{}\" is not an integer", vocabFile.string(), token);
        }
        tok.vocab.emplace(token, id.get<int64_t>());
    }

    // merges.txt: read().strip().split("\n")[1 : 49152 - 256 - 2 + 1] — the first line (the
    // "#version" header) is always skipped; a repeated pair keeps its last rank, as dict() does.
    const fs::path mergesFile = dir / "merges.txt";
    const std::string merges = readTextFile(mergesFile);
    size_t begin = 0;
    size_t end = merges.size();
    while (begin < end && isAsciiSpace(merges[begin])) ++begin;
    while (end > begin && isAsciiSpace(merges[end - 1])) --end;
    constexpr int kMergeLines = 49152 - 256 - 2 + 1;
    int lineIndex = 0;
    for (size_t pos = begin; pos <= end && lineIndex < kMergeLines; ++lineIndex) {
        size_t eol = merges.find('\n', pos);
        if (eol == std::string::npos || eol > end) eol = end;
        if (lineIndex > 0) {
            std::istringstream line(merges.substr(pos, eol - pos));
            std::vector<std::string> parts{std::istream_iterator<std::string>(line),
                                           std::istream_iterator<std::string>()};
            if (parts.size() == 2) tok.mergeRanks[parts[0] + " " + parts[1]] = lineIndex - 1;
        }
        pos = eol + 1;
    }
    if (tok.mergeRanks.empty()) fail("{}: no merges found", mergesFile.string());

    // tokenizer_config.json, then special_tokens_map.json, which overrides it (from_pretrained).
    const fs::path configFile = dir / "tokenizer_config.json";
    const json config = readJsonFile(configFile);
    if (!config.is_object()) fail("{}: expected a JSON object", configFile.string());
    const fs::path mapFile = dir / "special_tokens_map.json";
    const json specialMap = fs::exists(mapFile) ? readJsonFile(mapFile) : json::object();
    if (!specialMap.is_object()) fail("{}: expected a JSON object", mapFile.string());

    const auto maxLen = config.find("model_max_length");
    if (maxLen == config.end() || !maxLen->is_number_integer() || maxLen->get<int64_t>() < 2 ||
        maxLen->get<int64_t>() > (1 << 20)) {
        fail("{}: model_max_length is missing or not an integer in [2, 1048576]",
             configFile.string());
    }
    tok.modelMaxLength = maxLen->get<int>();
    if (const auto cls = config.find("tokenizer_class");
        cls != config.end() && !(cls->is_string() && cls->get<std::string>().starts_with("CLIP"))) {
        fail("{}: tokenizer_class {} is not a CLIP tokenizer", configFile.string(), cls->dump());
    }
    for (const char* side : {"padding_side", "truncation_side"}) {
        const auto it = config.find(side);
        if (it != config.end() && *it != "right") {
            fail("{}: {} {} is not supported (only \"right\")", configFile.string(), side,
                 it->dump());
        }
    }
    if (const auto it = config.find("split_special_tokens"); it != config.end()) {
        if (!it->is_boolean()) fail("{}: split_special_tokens is not a bool", configFile.string());
        tok.splitSpecialTokens = it->get<bool>();
    }

    // Added tokens with explicit ids: tokenizer_config.added_tokens_decoder, added_tokens.json.
    if (const auto it = config.find("added_tokens_decoder"); it != config.end()) {
        if (!it->is_object()) fail("{}: added_tokens_decoder is not an object", configFile.string());
        for (const auto& [key, value] : it->items()) {
            const std::string field = "added_tokens_decoder." + key;
            const int64_t id = parseTokenId(key, configFile, field);
            if (const auto token = readAddedToken(value, configFile, field)) {
                tok.addedIds[token->content] = id;
            }
        }
    }
    if (const fs::path addedFile = dir / "added_tokens.json"; fs::exists(addedFile)) {
        const json added = readJsonFile(addedFile);
        if (!added.is_object()) fail("{}: expected an object of token -> id", addedFile.string());
        for (const auto& [token, id] : added.items()) {
            if (!id.is_number_integer()) {
                fail("{}: id of \"{}\" is not an integer", addedFile.string(), token);
            }
            tok.addedIds[token] = id.get<int64_t>();
        }
    }

    // Special tokens: CLIPTokenizer.__init__ defaults, overridden by the config, then the map.
    std::map<std::string, std::string> special = {{"bos_token", "<|startoftext|>"},
                                                  {"eos_token", "<|endoftext|>"},
                                                  {"unk_token", "<|endoftext|>"},
                                                  {"pad_token", "<|endoftext|>"}};
    std::map<std::string, std::string> specialSource;  // field -> file, for error messages
    std::vector<std::pair<std::string, std::string>> additional;  // (content, field)
    const std::array<std::pair<const json*, fs::path>, 2> sources = {
        std::pair{&config, configFile}, std::pair{&specialMap, mapFile}};
    for (const auto& [source, file] : sources) {
        for (const char* key : {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token",
                                "cls_token", "mask_token"}) {
            const auto it = source->find(key);
            if (it == source->end()) continue;
            if (const auto token = readAddedToken(*it, file, key)) {
                special[key] = token->content;
                specialSource[key] = file.filename().string();
            }
        }
        if (const auto it = source->find("additional_special_tokens");
            it != source->end() && !it->is_null()) {
            if (!it->is_array()) {
                fail("{}: additional_special_tokens is not a list", file.string());
            }
            additional.clear();
            for (size_t i = 0; i < it->size(); ++i) {
                const std::string field = fmt::format("additional_special_tokens[{}]", i);
                if (const auto token = readAddedToken((*it)[i], file, field)) {
                    additional.emplace_back(token->content, file.filename().string() + ": " + field);
                }
            }
        }
    }
    auto addSpecial = [&](const std::string& content, const std::string& where) -> int64_t {
        if (const auto it = tok.addedIds.find(content); it != tok.addedIds.end()) return it->second;
        const auto it = tok.vocab.find(content);
        if (it == tok.vocab.end()) {
            fail("{}: special token \"{}\" is not in {}", where, content, vocabFile.string());
        }
        tok.addedIds[content] = it->second;
        return it->second;
    };
    auto where = [&](const std::string& key) {
        const auto it = specialSource.find(key);
        return (it == specialSource.end() ? std::string("CLIPTokenizer default") : it->second) +
               ": " + key;
    };
    std::map<std::string, int64_t> specialIds;
    for (const auto& [key, content] : special) specialIds[key] = addSpecial(content, where(key));
    for (const auto& [content, field] : additional) addSpecial(content, field);
    tok.bos = specialIds.at("bos_token");
    tok.eos = specialIds.at("eos_token");
    tok.unk = specialIds.at("unk_token");
    tok.pad = specialIds.at("pad_token");

    for (const auto& [content, id] : tok.addedIds) {
        if (!content.empty()) tok.addedTokens.push_back(decodeUtf8(content));
    }
    return tok;
}

ClipTokenizer ClipTokenizer::withPadToken(const std::string& token) const {
    ClipTokenizer tok = *this;
    if (!tok.addedIds.count(token)) {
        const auto it = tok.vocab.find(token);
        if (it == tok.vocab.end() || token.empty()) fail("CLIP tokenizer: pad token \"{}\" is not in the vocabulary", token);
        tok.addedIds[token] = it->second;
        tok.addedTokens.push_back(decodeUtf8(token));
    }
    tok.pad = tok.addedIds.at(token);
    return tok;
}

int64_t ClipTokenizer::tokenToId(const std::string& token) const {
    if (const auto it = addedIds.find(token); it != addedIds.end()) return it->second;
    if (const auto it = vocab.find(token); it != vocab.end()) return it->second;
    return unk;
}

// CLIPTokenizer.bpe on the UTF-8 bytes of one pre-tokenized piece.
std::vector<std::string> ClipTokenizer::bpe(const std::string& piece) const {
    // CLIPTokenizer.cache is seeded with the two special strings: they come back whole, no </w>.
    if (piece == "<|startoftext|>" || piece == "<|endoftext|>") return {piece};
    std::vector<std::string> word;
    word.reserve(piece.size());
    for (unsigned char b : piece) word.push_back(byteEncoder()[b]);
    word.back() += "</w>";

    while (word.size() > 1) {
        // The adjacent pair with the lowest merge rank ...
        int best = INT_MAX;
        size_t bestAt = 0;
        for (size_t i = 0; i + 1 < word.size(); ++i) {
            const auto it = mergeRanks.find(word[i] + " " + word[i + 1]);
            if (it != mergeRanks.end() && it->second < best) best = it->second, bestAt = i;
        }
        if (best == INT_MAX) break;
        // ... merged everywhere it occurs, left to right without overlaps.
        const std::string first = word[bestAt];
        const std::string second = word[bestAt + 1];
        std::vector<std::string> merged;
        merged.reserve(word.size());
        for (size_t i = 0; i < word.size(); ++i) {
            if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
                merged.push_back(first + second);
                ++i;
            } else {
                merged.push_back(std::move(word[i]));
            }
        }
        word = std::move(merged);
    }
    return word;
}

// CLIPTokenizer._tokenize on one stretch of text between added tokens.
std::vector<std::string> ClipTokenizer::tokenizeSegment(std::u32string_view text) const {
    const std::u32string normalized = nfc(cleanText(text, /*splitCjk=*/true));
    // whitespace_tokenize, lower() per word (no accent stripping, no punctuation split), then
    // the pattern and BPE. The pattern never spans a space, so running it per word is the same
    // as on " ".join(words).
    std::vector<std::string> tokens;
    for (const std::u32string& word : splitOnPythonSpace(normalized)) {
        for (const std::u32string& piece : splitPieces(lower(word))) {
            for (std::string& t : bpe(toUtf8(piece))) tokens.push_back(std::move(t));
        }
    }
    return tokens;
}

// PreTrainedTokenizer.tokenize: added tokens found literally (exact case, before any
// normalization) are cut out first and kept whole; their lstrip/rstrip flags would only trim
// whitespace that the normalizer drops anyway.
std::vector<std::string> ClipTokenizer::tokenize(const std::string& utf8Text) const {
    const std::u32string text = decodeUtf8(utf8Text);
    std::vector<std::string> tokens;
    const std::vector<std::u32string> none;
    for (const TextPiece& piece : splitOnAddedTokens(text, splitSpecialTokens ? none : addedTokens)) {
        if (piece.added >= 0) {
            tokens.push_back(toUtf8(piece.text));
            continue;
        }
        for (std::string& t : tokenizeSegment(piece.text)) tokens.push_back(std::move(t));
    }
    return tokens;
}

std::vector<int64_t> ClipTokenizer::encode(const std::string& utf8Text) const {
    std::vector<int64_t> ids{bos};
    for (const std::string& token : tokenize(utf8Text)) ids.push_back(tokenToId(token));
    ids.push_back(eos);
    return ids;
}

TokenizerOutput ClipTokenizer::operator()(const std::string& utf8Text) const {
    std::vector<int64_t> ids = encode(utf8Text);
    const auto maxLen = static_cast<size_t>(modelMaxLength);
    if (ids.size() > maxLen) {  // truncation keeps bos + the first maxLen - 2 tokens + eos
        ids.resize(maxLen - 1);
        ids.push_back(eos);
    }
    TokenizerOutput out;
    out.attentionMask.assign(ids.size(), 1);
    out.attentionMask.resize(maxLen, 0);
    out.ids = std::move(ids);
    out.ids.resize(maxLen, pad);
    return out;
}

}  // namespace sa
