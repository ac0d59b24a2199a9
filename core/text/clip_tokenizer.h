#pragma once
// CLIP byte-level BPE tokenizer, exact to transformers' slow `CLIPTokenizer` in the configuration
// diffusers runs it: ftfy not installed, so text is normalized by
// `BasicTokenizer(strip_accents=False, do_split_on_punc=False)` (reference: transformers
// models/clip/tokenization_clip.py, tokenization_utils.py `PreTrainedTokenizer.tokenize`).
// Qt-free and LibTorch-free; the Unicode rules are shared with the other tokenizers
// (core/text/unicode_text.h).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sa {

struct TokenizerOutput {
    std::vector<int64_t> ids;            // maxLength() ids: bos, tokens, eos, then padding
    std::vector<int64_t> attentionMask;  // 1 for bos/tokens/eos, 0 for padding
};

class ClipTokenizer {
public:
    // Loads vocab.json, merges.txt, tokenizer_config.json and (optional) special_tokens_map.json /
    // added_tokens.json of a diffusers tokenizer folder. Throws sa::Error naming file and field.
    static ClipTokenizer fromFolder(const std::filesystem::path& dir);

    // The same vocabulary padding with `token`, which becomes a special (never split) token as in
    // SDXL's tokenizer_2 (pad_token "!"). Throws when `token` is not in the vocabulary.
    ClipTokenizer withPadToken(const std::string& token) const;

    // BPE token strings (byte-level alphabet, "</w>" word ends); literal added tokens
    // ("<|startoftext|>", tokenizer_2's pad "!") stay single tokens. Invalid UTF-8 bytes are
    // replaced by U+FFFD, which the normalizer then drops.
    std::vector<std::string> tokenize(const std::string& utf8Text) const;
    // [bos] + ids + [eos], not truncated.
    std::vector<int64_t> encode(const std::string& utf8Text) const;
    // padding="max_length", truncation=True, max_length=maxLength(): the text is cut to
    // maxLength() - 2 tokens so eos stays last, then padded with padId().
    TokenizerOutput operator()(const std::string& utf8Text) const;

    int64_t bosId() const { return bos; }
    int64_t eosId() const { return eos; }
    int64_t padId() const { return pad; }
    int maxLength() const { return modelMaxLength; }

    // Token string -> id as `convert_tokens_to_ids`: added tokens, then vocab, then unk.
    int64_t tokenToId(const std::string& token) const;

private:
    ClipTokenizer() = default;
    std::vector<std::string> tokenizeSegment(std::u32string_view text) const;
    std::vector<std::string> bpe(const std::string& word) const;

    std::unordered_map<std::string, int64_t> vocab;
    std::unordered_map<std::string, int> mergeRanks;  // key: "first second"
    std::vector<std::u32string> addedTokens;          // split off before normalization
    std::unordered_map<std::string, int64_t> addedIds;
    bool splitSpecialTokens = false;
    int64_t bos = 0;
    int64_t eos = 0;
    int64_t pad = 0;
    int64_t unk = 0;
    int modelMaxLength = 0;
};

}  // namespace sa
