#include "core/text/wordpiece_tokenizer.h"

#include <array>
#include <string_view>
#include <utility>

#include "core/common/error.h"
#include "core/text/unicode_text.h"

namespace sa {

using namespace sa::text;

namespace {

// WordpieceTokenizer.max_input_chars_per_word: longer words are one unknown token.
constexpr size_t kMaxInputCharsPerWord = 100;

// str.replace(from, to): every non-overlapping occurrence, left to right.
std::string replaceAll(std::string_view text, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    for (size_t hit; (hit = text.find(from, pos)) != std::string_view::npos; pos = hit + from.size()) {
        out.append(text, pos, hit - pos);
        out.append(to);
    }
    out.append(text, pos);
    return out;
}

// str.strip(): leading and trailing str.isspace() characters removed.
std::string stripPythonSpace(const std::string& utf8) {
    const std::u32string text = decodeUtf8(utf8);
    size_t begin = 0;
    size_t end = text.size();
    while (begin < end && isPythonSpace(text[begin])) ++begin;
    while (end > begin && isPythonSpace(text[end - 1])) --end;
    if (begin == 0 && end == text.size()) return utf8;
    return toUtf8(std::u32string_view(text).substr(begin, end - begin));
}

// BertTokenizer.convert_tokens_to_string: " ".join(tokens).replace(" ##", "").strip()
std::string tokensToString(const std::vector<std::string>& tokens) {
    std::string joined;
    for (size_t i = 0; i < tokens.size(); ++i) {
        if (i > 0) joined.push_back(' ');
        joined += tokens[i];
    }
    return stripPythonSpace(replaceAll(joined, " ##", ""));
}

// PreTrainedTokenizerBase.clean_up_tokenization: the replacements, one after the other.
std::string cleanUpTokenization(std::string text) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kRules = {{
        {" .", "."},
        {" ?", "?"},
        {" !", "!"},
        {" ,", ","},
        {" ' ", "'"},
        {" n't", "n't"},
        {" 'm", "'m"},
        {" 's", "'s"},
        {" 've", "'ve"},
        {" 're", "'re"},
    }};
    for (const auto& [from, to] : kRules) text = replaceAll(text, from, to);
    return text;
}

// BasicTokenizer._run_split_on_punc: every punctuation character becomes a word of its own.
void splitOnPunctuation(const std::u32string& word, std::vector<std::u32string>& out) {
    bool startNewWord = true;
    for (char32_t c : word) {
        if (isPunctuation(c)) {
            out.emplace_back(1, c);
            startNewWord = true;
            continue;
        }
        if (startNewWord) out.emplace_back();
        startNewWord = false;
        out.back().push_back(c);
    }
}

}  // namespace

int64_t WordPieceTokenizer::tokenToId(const std::string& token) const {
    if (const auto it = addedEncoder.find(token); it != addedEncoder.end()) return it->second;
    if (const auto it = vocab.find(token); it != vocab.end()) return it->second;
    return unkVocabId;
}

std::string WordPieceTokenizer::idToToken(int64_t id) const {
    if (const auto it = addedDecoder.find(id); it != addedDecoder.end()) return it->second.utf8;
    if (const auto it = idsToTokens.find(id); it != idsToTokens.end()) return it->second;
    return unkToken;
}

// PreTrainedTokenizer.tokenize with do_lower_case: re.sub(r"(<special>|...)|(.+?)", ...) lowers
// the text one character at a time (so no Final_Sigma context), except where a special token or a
// normalized non-special added token starts; the first of them that matches is kept as written.
std::u32string WordPieceTokenizer::lowerOutsideSpecials(const std::u32string& text) const {
    std::u32string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        const std::u32string* keep = nullptr;
        for (const std::u32string& token : lowerProtected) {
            if (text.compare(i, token.size(), token) == 0) {
                keep = &token;
                break;
            }
        }
        if (keep != nullptr) {
            out += *keep;
            i += keep->size();
        } else {
            appendLowerChar(out, text[i++]);
        }
    }
    return out;
}

// WordpieceTokenizer.tokenize on one whitespace-free word: greedy longest-match-first, pieces
// after the first looked up with a "##" prefix; a word with a piece not in vocab.txt, or longer
// than 100 characters, is the unknown token as a whole.
void WordPieceTokenizer::wordPiece(const std::u32string& word, std::vector<std::string>& out) const {
    if (word.size() > kMaxInputCharsPerWord) {
        out.push_back(unkToken);
        return;
    }
    std::string utf8;
    std::vector<size_t> offsets;  // UTF-8 offset of each character, and of the end
    for (char32_t c : word) {
        offsets.push_back(utf8.size());
        appendUtf8(utf8, c);
    }
    offsets.push_back(utf8.size());

    std::vector<std::string> pieces;
    std::string candidate;
    for (size_t start = 0; start < word.size();) {
        size_t end = word.size();
        for (; end > start; --end) {
            candidate.assign(start > 0 ? "##" : "");
            candidate.append(utf8, offsets[start], offsets[end] - offsets[start]);
            if (vocab.count(candidate)) break;
        }
        if (end == start) {
            out.push_back(unkToken);
            return;
        }
        pieces.push_back(candidate);
        start = end;
    }
    for (std::string& piece : pieces) out.push_back(std::move(piece));
}

// BertTokenizer._tokenize with do_basic_tokenize: BasicTokenizer.tokenize(text,
// never_split=all_special_tokens), then WordPiece on every word not in the config's never_split.
void WordPieceTokenizer::basicTokenize(std::u32string_view text,
                                       std::vector<std::string>& out) const {
    const std::u32string normalized = nfc(cleanText(text, options.tokenizeChineseChars));
    // strip_accents None follows do_lower_case, as in the original BERT.
    const bool strip = options.stripAccents.value_or(options.doLowerCase);
    std::vector<std::u32string> words;
    for (std::u32string word : splitOnPythonSpace(normalized)) {
        if (!basicNeverSplit.count(word)) {
            if (options.doLowerCase) word = lower(word);
            if (strip) word = stripAccents(word);
        }
        // _run_split_on_punc looks at never_split again, after the changes above.
        if (basicNeverSplit.count(word)) {
            words.push_back(std::move(word));
        } else {
            splitOnPunctuation(word, words);
        }
    }
    // whitespace_tokenize(" ".join(words)) drops the words that accent stripping emptied.
    for (const std::u32string& word : words) {
        if (word.empty()) continue;
        if (neverSplit.count(word)) {
            out.push_back(toUtf8(word));
        } else {
            wordPiece(word, out);
        }
    }
}

std::vector<std::string> WordPieceTokenizer::tokenize(const std::string& utf8Text) const {
    std::u32string text = decodeUtf8(utf8Text);
    // BertTokenizer has `do_lower_case` only with a BasicTokenizer (the property reads it there).
    if (options.doBasicTokenize && options.doLowerCase) text = lowerOutsideSpecials(text);
    static const std::vector<std::u32string> kNoAddedTokens;
    const auto& added = options.splitSpecialTokens ? kNoAddedTokens : addedContents;
    std::vector<std::string> tokens;
    for (const TextPiece& piece : splitOnAddedTokens(text, added)) {
        if (piece.added >= 0) {
            tokens.push_back(toUtf8(piece.text));
        } else if (options.doBasicTokenize) {
            basicTokenize(piece.text, tokens);
        } else {
            for (const std::u32string& word : splitOnPythonSpace(piece.text)) wordPiece(word, tokens);
        }
    }
    return tokens;
}

std::vector<int64_t> WordPieceTokenizer::encode(const std::string& utf8Text, bool addSpecialTokens,
                                                std::optional<size_t> maxLength) const {
    std::vector<int64_t> ids;
    for (const std::string& token : tokenize(utf8Text)) ids.push_back(tokenToId(token));
    const size_t specials = addSpecialTokens ? 2 : 0;
    if (maxLength && ids.size() + specials > *maxLength) {
        // truncate_sequences keeps at least one token; transformers logs an error and returns
        // the ids uncut when it cannot, here that is an error.
        if (*maxLength <= specials) {
            fail("WordPiece tokenizer: max length {} leaves no room for a text token", *maxLength);
        }
        ids.resize(*maxLength - specials);
    }
    if (addSpecialTokens) {  // build_inputs_with_special_tokens
        ids.insert(ids.begin(), cls);
        ids.push_back(sep);
    }
    return ids;
}

// PreTrainedTokenizer._decode: added tokens that are not special ("legacy" ones) are sub-texts of
// their own, joined to the converted runs between them with spaces.
std::string WordPieceTokenizer::decode(const std::vector<int64_t>& ids,
                                       bool skipSpecialTokens) const {
    std::vector<std::string> subTexts;
    std::vector<std::string> run;
    for (int64_t id : ids) {
        if (skipSpecialTokens && specialIds.count(id)) continue;
        std::string token = idToToken(id);
        if (!legacyAdded.count(token)) {
            run.push_back(std::move(token));
            continue;
        }
        if (!run.empty()) {
            std::string text = tokensToString(run);
            if (!text.empty()) subTexts.push_back(std::move(text));
            run.clear();
        }
        subTexts.push_back(std::move(token));
    }
    if (!run.empty()) subTexts.push_back(tokensToString(run));

    std::string text;
    for (size_t i = 0; i < subTexts.size(); ++i) {
        if (i > 0) text.push_back(' ');
        text += subTexts[i];
    }
    return options.cleanUpSpaces ? cleanUpTokenization(std::move(text)) : text;
}

}  // namespace sa
