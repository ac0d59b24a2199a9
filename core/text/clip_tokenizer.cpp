#include "core/text/clip_tokenizer.h"

#include <array>
#include <climits>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/uversion.h>

#include "core/common/error.h"

// ICU 70 is the first with Unicode 14.0, the version the reference Python 3.11 uses (below).
static_assert(U_ICU_VERSION_MAJOR_NUM >= 70, "clip_tokenizer needs ICU >= 70 (Unicode >= 14.0)");

namespace sa {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char32_t kReplacementChar = 0xFFFD;

// ---- Unicode, as the reference Python 3.11 (unicodedata 14.0.0) sees it -------------------------
// ICU may know a newer Unicode. Code points assigned after 14.0 are unassigned (Cn) to Python,
// so BasicTokenizer._clean_text drops them as "control"; pinning the version keeps the
// tokenization independent of the ICU on the machine. With this pin, ICU 72's general category,
// str.isspace() and single-character str.lower() agree with Python 3.11 on every code point.
int8_t category(char32_t c) {
    UVersionInfo age;
    u_charAge(static_cast<UChar32>(c), age);
    if (age[0] > 14 || (age[0] == 14 && age[1] > 0)) return U_UNASSIGNED;
    return u_charType(static_cast<UChar32>(c));
}

bool inCategories(char32_t c, uint32_t mask) { return (U_MASK(category(c)) & mask) != 0; }

// tokenization_utils._is_control: \t \n \r are whitespace, everything in C* is control.
bool isControl(char32_t c) {
    if (c == U'\t' || c == U'\n' || c == U'\r') return false;
    return inCategories(c, U_GC_C_MASK);
}

// tokenization_utils._is_whitespace
bool isBasicWhitespace(char32_t c) {
    return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || category(c) == U_SPACE_SEPARATOR;
}

// Python str.isspace() (used by str.split() in whitespace_tokenize): bidi class WS, B or S, or Zs.
bool isPythonSpace(char32_t c) {
    if (category(c) == U_SPACE_SEPARATOR) return true;
    const UCharDirection d = u_charDirection(static_cast<UChar32>(c));
    return d == U_WHITE_SPACE_NEUTRAL || d == U_BLOCK_SEPARATOR || d == U_SEGMENT_SEPARATOR;
}

// BasicTokenizer._is_chinese_char: the CJK ideograph blocks (not Hangul, Hiragana, Katakana).
bool isCjkIdeograph(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// ---- UTF-8 / UTF-16 -----------------------------------------------------------------------------
// Strict decoding; every byte that does not start a valid sequence becomes U+FFFD (which the
// normalizer removes, as it removes U+FFFD from Python strings).
std::u32string decodeUtf8(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            out.push_back(b);
            ++i;
            continue;
        }
        size_t len = 0;
        char32_t cp = 0;
        char32_t min = 0;
        if (b >= 0xC2 && b <= 0xDF) {
            len = 2, cp = b & 0x1F, min = 0x80;
        } else if (b >= 0xE0 && b <= 0xEF) {
            len = 3, cp = b & 0x0F, min = 0x800;
        } else if (b >= 0xF0 && b <= 0xF4) {
            len = 4, cp = b & 0x07, min = 0x10000;
        }
        size_t k = 1;
        for (; len != 0 && k < len && i + k < s.size(); ++k) {
            const auto cb = static_cast<unsigned char>(s[i + k]);
            if ((cb & 0xC0) != 0x80) break;
            cp = (cp << 6) | (cb & 0x3F);
        }
        if (len == 0 || k < len || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            out.push_back(kReplacementChar);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += len;
    }
    return out;
}

void appendUtf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

std::string toUtf8(std::u32string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char32_t c : s) appendUtf8(out, c);
    return out;
}

std::u16string toUtf16(std::u32string_view s) {
    std::u16string out;
    out.reserve(s.size());
    for (char32_t c : s) {
        if (c < 0x10000) {
            out.push_back(static_cast<char16_t>(c));
        } else {
            out.push_back(static_cast<char16_t>(0xD7C0 + (c >> 10)));
            out.push_back(static_cast<char16_t>(0xDC00 | (c & 0x3FF)));
        }
    }
    return out;
}

std::u32string fromUtf16(std::u16string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        const char32_t c = s[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 &&
            s[i + 1] <= 0xDFFF) {
            out.push_back(0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00));
            ++i;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// Runs an ICU string transform with the usual preflight-then-fill protocol.
template <typename Transform>
std::u32string icuTransform(const std::u32string& text, const char* what, Transform transform) {
    const std::u16string src = toUtf16(text);
    std::u16string dst(src.size() + 16, u'\0');
    UErrorCode status = U_ZERO_ERROR;
    int32_t len = transform(src, dst, status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
        dst.assign(static_cast<size_t>(len), u'\0');
        status = U_ZERO_ERROR;
        len = transform(src, dst, status);
    }
    if (U_FAILURE(status)) fail("clip tokenizer: ICU {} failed: {}", what, u_errorName(status));
    dst.resize(static_cast<size_t>(len));
    return fromUtf16(dst);
}

// unicodedata.normalize("NFC", text)
std::u32string nfc(const std::u32string& text) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2* normalizer = unorm2_getNFCInstance(&status);
    if (U_FAILURE(status)) fail("clip tokenizer: ICU NFC unavailable: {}", u_errorName(status));
    return icuTransform(text, "NFC normalization",
                        [&](const std::u16string& src, std::u16string& dst, UErrorCode& st) {
                            return unorm2_normalize(normalizer, src.data(),
                                                    static_cast<int32_t>(src.size()), dst.data(),
                                                    static_cast<int32_t>(dst.size()), &st);
                        });
}

// Python str.lower(): full (one-to-many) lowercase mapping with the Final_Sigma context, no
// locale tailoring — ICU's root locale "" does the same.
std::u32string lower(const std::u32string& text) {
    return icuTransform(text, "lowercasing",
                        [](const std::u16string& src, std::u16string& dst, UErrorCode& st) {
                            return u_strToLower(dst.data(), static_cast<int32_t>(dst.size()),
                                                src.data(), static_cast<int32_t>(src.size()), "",
                                                &st);
                        });
}

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
    if (inCategories(c, U_GC_L_MASK)) return CharClass::Letter;
    if (inCategories(c, U_GC_N_MASK)) return CharClass::Number;
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
json readJson(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) fail("{}: cannot open file", file.string());
    try {
        return json::parse(in);
    } catch (const json::exception& e) {
        fail("{}: invalid JSON: {}", file.string(), e.what());
    }
}

std::string readText(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) fail("{}: cannot open file", file.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool isAsciiSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// An AddedToken field: a plain string or {"content": ..., "single_word": ..., ...}; null = unset.
// lstrip/rstrip only trim whitespace next to the token, which the normalizer drops anyway;
// single_word would change the split, and no CLIP tokenizer uses it.
std::optional<std::string> tokenContent(const json& value, const fs::path& file,
                                        const std::string& field) {
    if (value.is_null()) return std::nullopt;
    if (value.is_string()) return value.get<std::string>();
    if (!value.is_object()) {
        fail("{}: {} must be a string or an AddedToken object", file.string(), field);
    }
    const auto content = value.find("content");
    if (content == value.end() || !content->is_string()) {
        fail("{}: {}.content is missing or not a string", file.string(), field);
    }
    const auto singleWord = value.find("single_word");
    if (singleWord != value.end() && singleWord->is_boolean() && singleWord->get<bool>()) {
        fail("{}: {}.single_word=true is not supported", file.string(), field);
    }
    return content->get<std::string>();
}

}  // namespace

ClipTokenizer ClipTokenizer::fromFolder(const fs::path& dir) {
    if (!fs::is_directory(dir)) fail("{}: tokenizer folder not found", dir.string());
    ClipTokenizer tok;

    // vocab.json: {token: id}
    const fs::path vocabFile = dir / "vocab.json";
    const json vocabJson = readJson(vocabFile);
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
    const std::string merges = readText(mergesFile);
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
    const json config = readJson(configFile);
    if (!config.is_object()) fail("{}: expected a JSON object", configFile.string());
    const fs::path mapFile = dir / "special_tokens_map.json";
    const json specialMap = fs::exists(mapFile) ? readJson(mapFile) : json::object();
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
            int64_t id = 0;
            try {
                size_t used = 0;
                id = std::stoll(key, &used);
                if (used != key.size()) throw std::invalid_argument(key);
            } catch (const std::exception&) {
                fail("{}: {} is not an integer id", configFile.string(), field);
            }
            if (const auto content = tokenContent(value, configFile, field)) {
                tok.addedIds[*content] = id;
            }
        }
    }
    if (const fs::path addedFile = dir / "added_tokens.json"; fs::exists(addedFile)) {
        const json added = readJson(addedFile);
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
            if (const auto content = tokenContent(*it, file, key)) {
                special[key] = *content;
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
                if (const auto content = tokenContent((*it)[i], file, field)) {
                    additional.emplace_back(*content, file.filename().string() + ": " + field);
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
        if (!content.empty()) tok.addedTokens.push_back({decodeUtf8(content), content});
    }
    return tok;
}

ClipTokenizer ClipTokenizer::withPadToken(const std::string& token) const {
    ClipTokenizer tok = *this;
    if (!tok.addedIds.count(token)) {
        const auto it = tok.vocab.find(token);
        if (it == tok.vocab.end() || token.empty()) fail("CLIP tokenizer: pad token \"{}\" is not in the vocabulary", token);
        tok.addedIds[token] = it->second;
        tok.addedTokens.push_back({decodeUtf8(token), token});
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
std::vector<std::string> ClipTokenizer::tokenizeSegment(const std::u32string& text) const {
    // BasicTokenizer._clean_text and _tokenize_chinese_chars.
    std::u32string cleaned;
    cleaned.reserve(text.size());
    for (char32_t c : text) {
        if (c == 0 || c == kReplacementChar || isControl(c)) continue;
        if (isBasicWhitespace(c)) {
            cleaned.push_back(U' ');
        } else if (isCjkIdeograph(c)) {
            cleaned.append({U' ', c, U' '});
        } else {
            cleaned.push_back(c);
        }
    }
    const std::u32string normalized = nfc(cleaned);

    // whitespace_tokenize, lower() per word (no accent stripping, no punctuation split), then
    // the pattern and BPE. The pattern never spans a space, so running it per word is the same
    // as on " ".join(words).
    std::vector<std::string> tokens;
    size_t i = 0;
    while (i < normalized.size()) {
        if (isPythonSpace(normalized[i])) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < normalized.size() && !isPythonSpace(normalized[j])) ++j;
        for (const std::u32string& piece : splitPieces(lower(normalized.substr(i, j - i)))) {
            for (std::string& t : bpe(toUtf8(piece))) tokens.push_back(std::move(t));
        }
        i = j;
    }
    return tokens;
}

// PreTrainedTokenizer.tokenize: added tokens found literally (exact case, before any
// normalization) are cut out first and kept whole; their lstrip/rstrip flags would only trim
// whitespace that the normalizer drops anyway.
std::vector<std::string> ClipTokenizer::tokenize(const std::string& utf8Text) const {
    const std::u32string text = decodeUtf8(utf8Text);
    std::vector<std::string> tokens;
    auto appendSegment = [&](size_t from, size_t to) {
        if (from >= to) return;
        for (std::string& t : tokenizeSegment(text.substr(from, to - from))) {
            tokens.push_back(std::move(t));
        }
    };
    size_t segmentStart = 0;
    size_t i = 0;
    while (i < text.size()) {
        const AddedToken* hit = nullptr;  // the longest added token starting here (Trie.split)
        if (!splitSpecialTokens) {
            for (const AddedToken& added : addedTokens) {
                if ((hit == nullptr || added.content.size() > hit->content.size()) &&
                    text.compare(i, added.content.size(), added.content) == 0) {
                    hit = &added;
                }
            }
        }
        if (hit == nullptr) {
            ++i;
            continue;
        }
        appendSegment(segmentStart, i);
        tokens.push_back(hit->utf8);
        i += hit->content.size();
        segmentStart = i;
    }
    appendSegment(segmentStart, text.size());
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
