#include "core/text/unicode_text.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/uversion.h>

#include "core/common/error.h"

// ICU 70 is the first with Unicode 14.0, the version the reference Python 3.11 uses (below).
static_assert(U_ICU_VERSION_MAJOR_NUM >= 70, "core/text needs ICU >= 70 (Unicode >= 14.0)");

namespace sa::text {
namespace {

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

void appendFromUtf16(std::u32string& out, std::u16string_view s) {
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
    if (U_FAILURE(status)) fail("tokenizer: ICU {} failed: {}", what, u_errorName(status));
    dst.resize(static_cast<size_t>(len));
    std::u32string out;
    out.reserve(dst.size());
    appendFromUtf16(out, dst);
    return out;
}

std::u32string normalize(const std::u32string& text, const UNormalizer2* normalizer,
                         const char* what) {
    return icuTransform(text, what,
                        [&](const std::u16string& src, std::u16string& dst, UErrorCode& st) {
                            return unorm2_normalize(normalizer, src.data(),
                                                    static_cast<int32_t>(src.size()), dst.data(),
                                                    static_cast<int32_t>(dst.size()), &st);
                        });
}

}  // namespace

// ---- character classes ----------------------------------------------------------------------------

bool isControl(char32_t c) {
    if (c == U'\t' || c == U'\n' || c == U'\r') return false;
    return inCategories(c, U_GC_C_MASK);
}

bool isBasicWhitespace(char32_t c) {
    return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || category(c) == U_SPACE_SEPARATOR;
}

bool isPythonSpace(char32_t c) {
    if (category(c) == U_SPACE_SEPARATOR) return true;
    const UCharDirection d = u_charDirection(static_cast<UChar32>(c));
    return d == U_WHITE_SPACE_NEUTRAL || d == U_BLOCK_SEPARATOR || d == U_SEGMENT_SEPARATOR;
}

// The CJK ideograph blocks only: not Hangul, Hiragana or Katakana.
bool isCjkIdeograph(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// All non-alphanumeric ASCII counts ("^", "$", "`" are not P* but BERT treats them alike).
bool isPunctuation(char32_t c) {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
        (c >= 123 && c <= 126)) {
        return true;
    }
    return inCategories(c, U_GC_P_MASK);
}

bool isLetter(char32_t c) { return inCategories(c, U_GC_L_MASK); }
bool isNumber(char32_t c) { return inCategories(c, U_GC_N_MASK); }
bool isNonspacingMark(char32_t c) { return category(c) == U_NON_SPACING_MARK; }

// ---- UTF-8 -----------------------------------------------------------------------------------------

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

// ---- whole-string transforms -----------------------------------------------------------------------

std::u32string nfc(const std::u32string& text) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2* normalizer = unorm2_getNFCInstance(&status);
    if (U_FAILURE(status)) fail("tokenizer: ICU NFC unavailable: {}", u_errorName(status));
    return normalize(text, normalizer, "NFC normalization");
}

// ICU's root locale "" applies no tailoring, as Python does not.
std::u32string lower(const std::u32string& text) {
    return icuTransform(text, "lowercasing",
                        [](const std::u16string& src, std::u16string& dst, UErrorCode& st) {
                            return u_strToLower(dst.data(), static_cast<int32_t>(dst.size()),
                                                src.data(), static_cast<int32_t>(src.size()), "",
                                                &st);
                        });
}

void appendLowerChar(std::u32string& out, char32_t c) {
    if (c < 0x80) {
        out.push_back(c >= U'A' && c <= U'Z' ? c + 32 : c);
        return;
    }
    const std::u16string src = toUtf16(std::u32string_view(&c, 1));
    char16_t dst[8];  // a full lowercase mapping has at most 3 code points
    UErrorCode status = U_ZERO_ERROR;
    const int32_t len = u_strToLower(dst, 8, src.data(), static_cast<int32_t>(src.size()), "",
                                     &status);
    if (U_FAILURE(status)) fail("tokenizer: ICU lowercasing failed: {}", u_errorName(status));
    appendFromUtf16(out, std::u16string_view(dst, static_cast<size_t>(len)));
}

std::u32string stripAccents(const std::u32string& text) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2* normalizer = unorm2_getNFDInstance(&status);
    if (U_FAILURE(status)) fail("tokenizer: ICU NFD unavailable: {}", u_errorName(status));
    std::u32string out;
    for (char32_t c : normalize(text, normalizer, "NFD normalization")) {
        if (!isNonspacingMark(c)) out.push_back(c);
    }
    return out;
}

std::u32string cleanText(std::u32string_view text, bool splitCjk) {
    std::u32string cleaned;
    cleaned.reserve(text.size());
    for (char32_t c : text) {
        if (c == 0 || c == kReplacementChar || isControl(c)) continue;
        if (isBasicWhitespace(c)) {
            cleaned.push_back(U' ');
        } else if (splitCjk && isCjkIdeograph(c)) {
            cleaned.append({U' ', c, U' '});
        } else {
            cleaned.push_back(c);
        }
    }
    return cleaned;
}

std::vector<std::u32string> splitOnPythonSpace(std::u32string_view text) {
    std::vector<std::u32string> words;
    size_t i = 0;
    while (i < text.size()) {
        if (isPythonSpace(text[i])) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < text.size() && !isPythonSpace(text[j])) ++j;
        words.emplace_back(text.substr(i, j - i));
        i = j;
    }
    return words;
}

// ---- added tokens -----------------------------------------------------------------------------------

std::vector<TextPiece> splitOnAddedTokens(std::u32string_view text,
                                          const std::vector<std::u32string>& addedTokens) {
    std::vector<TextPiece> pieces;
    size_t plainStart = 0;
    size_t i = 0;
    while (i < text.size()) {
        int hit = -1;  // the longest added token starting here
        for (size_t k = 0; k < addedTokens.size(); ++k) {
            const std::u32string& token = addedTokens[k];
            if (!token.empty() &&
                (hit < 0 || token.size() > addedTokens[static_cast<size_t>(hit)].size()) &&
                text.substr(i, token.size()) == token) {
                hit = static_cast<int>(k);
            }
        }
        if (hit < 0) {
            ++i;
            continue;
        }
        if (plainStart < i) pieces.push_back({text.substr(plainStart, i - plainStart), -1});
        const size_t length = addedTokens[static_cast<size_t>(hit)].size();
        pieces.push_back({text.substr(i, length), hit});
        i += length;
        plainStart = i;
    }
    if (plainStart < text.size()) pieces.push_back({text.substr(plainStart), -1});
    return pieces;
}

}  // namespace sa::text
