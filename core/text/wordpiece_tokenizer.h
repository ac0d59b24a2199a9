#pragma once
// BERT WordPiece tokenizer, exact to transformers 4.36's slow `BertTokenizer` (the tokenizer BLIP
// ships, uncased): PreTrainedTokenizer.tokenize (lower-casing outside special tokens, the
// added-token split), BasicTokenizer (text cleaning, CJK split, NFC, lower-casing, accent
// stripping, punctuation split), WordpieceTokenizer (greedy longest-match-first with "##"
// continuations), and PreTrainedTokenizer._decode with clean_up_tokenization. References:
// transformers models/bert/tokenization_bert.py, tokenization_utils.py,
// tokenization_utils_base.py. Qt-free and LibTorch-free.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sa {

class WordPieceTokenizer {
public:
    // Loads vocab.txt (required), tokenizer_config.json and special_tokens_map.json (both
    // optional, BertTokenizer's defaults otherwise) of a tokenizer folder. Throws sa::Error
    // naming the file and field.
    static WordPieceTokenizer fromFolder(const std::filesystem::path& dir);

    // PreTrainedTokenizer.tokenize: WordPiece token strings; added and special tokens found in
    // the text stay whole. Invalid UTF-8 bytes become U+FFFD, which the text cleaning drops.
    std::vector<std::string> tokenize(const std::string& utf8Text) const;
    // encode(text, add_special_tokens, truncation=maxLength is set, max_length=maxLength):
    // [CLS] tokens [SEP], cut to maxLength ids by dropping tokens from the end (the specials
    // stay). Throws when maxLength cannot hold the special tokens.
    std::vector<int64_t> encode(const std::string& utf8Text, bool addSpecialTokens = true,
                                std::optional<size_t> maxLength = std::nullopt) const;
    // decode(ids, skip_special_tokens): tokens joined with " ", "##" continuations glued, and,
    // when the folder asks for it (clean_up_tokenization_spaces, default true), the spaces
    // before . , ? ! and English contractions removed.
    std::string decode(const std::vector<int64_t>& ids, bool skipSpecialTokens = true) const;

    // convert_tokens_to_ids: added tokens, then vocab.txt, then the unknown token's vocab id.
    int64_t tokenToId(const std::string& token) const;
    // convert_ids_to_tokens: added tokens, then vocab.txt, then the unknown token.
    std::string idToToken(int64_t id) const;
    size_t vocabSize() const { return vocab.size(); }  // distinct vocab.txt tokens (len(vocab))

    int64_t clsId() const { return cls; }
    int64_t sepId() const { return sep; }
    int64_t unkId() const { return unk; }
    std::optional<int64_t> padId() const { return pad; }
    std::optional<int64_t> maskId() const { return mask; }
    std::optional<int64_t> bosId() const { return bos; }  // BLIP's decoder start "[DEC]"
    // model_max_length; absent (BertTokenizer's "very large" default) when the folder gives none.
    std::optional<int64_t> modelMaxLength() const { return maxLength; }

private:
    struct Added {  // an entry of added_tokens_decoder
        std::u32string content;
        std::string utf8;
        bool special = false;
        bool normalized = false;
    };
    struct Options {  // BertTokenizer / BasicTokenizer arguments
        bool doLowerCase = true;
        bool doBasicTokenize = true;
        bool tokenizeChineseChars = true;
        std::optional<bool> stripAccents;  // null: follow doLowerCase
        bool splitSpecialTokens = false;
        bool cleanUpSpaces = true;  // clean_up_tokenization_spaces
    };
    class Loader;

    WordPieceTokenizer() = default;
    std::u32string lowerOutsideSpecials(const std::u32string& text) const;
    void basicTokenize(std::u32string_view text, std::vector<std::string>& out) const;
    void wordPiece(const std::u32string& word, std::vector<std::string>& out) const;

    Options options;
    std::unordered_map<std::string, int64_t> vocab;          // token -> its last line
    std::unordered_map<int64_t, std::string> idsToTokens;    // the inverse (later lines win)
    std::unordered_map<int64_t, Added> addedDecoder;         // id -> added token
    std::unordered_map<std::string, int64_t> addedEncoder;   // content -> id
    std::vector<std::u32string> addedContents;               // split off before anything else
    std::vector<std::u32string> lowerProtected;              // kept as written by lower-casing
    std::vector<std::string> specialTokens;                  // all_special_tokens, in order
    std::set<int64_t> specialIds;                            // all_special_ids
    std::unordered_set<std::string> legacyAdded;             // decoded as sub-texts of their own
    std::unordered_set<std::u32string> neverSplit;           // the config's never_split
    std::unordered_set<std::u32string> basicNeverSplit;      // + the special tokens
    std::string unkToken;
    int64_t unkVocabId = 0;  // vocab[unk_token]: what an unknown token string converts to
    int64_t cls = 0;
    int64_t sep = 0;
    int64_t unk = 0;
    std::optional<int64_t> pad;
    std::optional<int64_t> mask;
    std::optional<int64_t> bos;
    std::optional<int64_t> maxLength;
};

}  // namespace sa
