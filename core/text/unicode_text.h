#pragma once
// The Unicode text rules shared by the tokenizers (ClipTokenizer, WordPieceTokenizer), exact to
// the reference Python: transformers' tokenization_utils `_is_control` / `_is_whitespace` /
// `_is_punctuation`, BasicTokenizer's `_clean_text`, `_tokenize_chinese_chars` and
// `_run_strip_accents`, str.lower(), str.split(), unicodedata.normalize, and the added-token
// split of PreTrainedTokenizer.tokenize. Unicode properties come from ICU, pinned to the Unicode
// version of the reference Python 3.11 (14.0; see unicode_text.cpp).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sa::text {

constexpr char32_t kReplacementChar = 0xFFFD;

// ---- character classes (Unicode 14.0 as Python 3.11's unicodedata sees it) ----------------------
bool isControl(char32_t c);          // _is_control: C* except \t \n \r
bool isBasicWhitespace(char32_t c);  // _is_whitespace: ' ' \t \n \r and Zs
bool isPythonSpace(char32_t c);      // str.isspace(): Zs, or bidi class WS / B / S
bool isCjkIdeograph(char32_t c);     // BasicTokenizer._is_chinese_char
bool isPunctuation(char32_t c);      // _is_punctuation: ASCII symbols and P*
bool isLetter(char32_t c);           // L*
bool isNumber(char32_t c);           // N*
bool isNonspacingMark(char32_t c);   // Mn

// ---- UTF-8 ---------------------------------------------------------------------------------------
// Strict decoding: every byte that does not start a valid sequence (overlong, surrogate, truncated,
// > U+10FFFF) becomes U+FFFD, which the text cleaning then drops as Python drops U+FFFD.
std::u32string decodeUtf8(std::string_view s);
void appendUtf8(std::string& out, char32_t c);
std::string toUtf8(std::u32string_view s);

// ---- whole-string transforms ----------------------------------------------------------------------
std::u32string nfc(const std::u32string& text);  // unicodedata.normalize("NFC", text)
// str.lower(): full (one-to-many) mapping with the Final_Sigma context, no locale tailoring.
std::u32string lower(const std::u32string& text);
// c.lower() of one character, appended to `out` (no context: a lone capital sigma becomes σ).
void appendLowerChar(std::u32string& out, char32_t c);
// BasicTokenizer._run_strip_accents: NFD, then every Mn character dropped.
std::u32string stripAccents(const std::u32string& text);

// BasicTokenizer._clean_text (NUL, U+FFFD and controls dropped, _is_whitespace → ' '), then, when
// `splitCjk`, _tokenize_chinese_chars (a space either side of every CJK ideograph).
std::u32string cleanText(std::u32string_view text, bool splitCjk);

// str.split(): the maximal runs of characters that are not str.isspace().
std::vector<std::u32string> splitOnPythonSpace(std::u32string_view text);

// ---- added tokens ---------------------------------------------------------------------------------
// One stretch of text: either an added token found literally (`added` = its index in the list
// given to splitOnAddedTokens) or the plain text between them (`added` = -1; never empty).
struct TextPiece {
    std::u32string_view text;
    int added = -1;
};

// The cut of PreTrainedTokenizer.tokenize (tokens_trie.split): scanning left to right, the longest
// added token that starts at a position is cut out (exact, case-sensitive match); empty tokens
// are ignored.
std::vector<TextPiece> splitOnAddedTokens(std::u32string_view text,
                                          const std::vector<std::u32string>& addedTokens);

}  // namespace sa::text
