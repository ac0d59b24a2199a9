// ClipTokenizer against the golden `tokenizer` case (transformers' slow CLIPTokenizer) and the
// normalization rules of its reference code path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/expect_error.h"
#include "support/golden_dir.h"
#include "support/scratch_folder.h"
#include "core/common/error.h"
#include "core/text/clip_tokenizer.h"

#ifndef SA_DEFAULT_GOLDEN_DIR
#error "SA_DEFAULT_GOLDEN_DIR must name the golden data folder"
#endif

namespace fs = std::filesystem;
using nlohmann::json;
using Tokens = std::vector<std::string>;

namespace {

using sa::test::goldenDir;

json loadTokenizerCase() {
    const fs::path file = goldenDir() / "cases" / "tokenizer.json";
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open " + file.string());
    return json::parse(in);
}

// Every model folder's `<name>/` tokenizer folder, e.g. name "tokenizer_2" -> tiny-sdxl/tokenizer_2.
std::vector<fs::path> tokenizerFolders(const std::string& name) {
    std::vector<fs::path> folders;
    for (const auto& entry : fs::directory_iterator(goldenDir())) {
        if (fs::exists(entry.path() / name / "vocab.json")) folders.push_back(entry.path() / name);
    }
    std::sort(folders.begin(), folders.end());
    return folders;
}

sa::ClipTokenizer firstTokenizer(const std::string& name) {
    const auto folders = tokenizerFolders(name);
    if (folders.empty()) throw std::runtime_error("no " + name + "/ folder in " + goldenDir().string());
    return sa::ClipTokenizer::fromFolder(folders.front());
}

// What padding="max_length", truncation=True makes of untruncated [bos, ..., eos] ids.
sa::TokenizerOutput padded(std::vector<int64_t> ids, size_t maxLength, int64_t padId) {
    if (ids.size() > maxLength) {
        const int64_t eos = ids.back();
        ids.resize(maxLength - 1);
        ids.push_back(eos);
    }
    sa::TokenizerOutput out;
    out.attentionMask.assign(ids.size(), 1);
    out.attentionMask.resize(maxLength, 0);
    ids.resize(maxLength, padId);
    out.ids = std::move(ids);
    return out;
}

// A copy of a tokenizer folder in a fresh temporary directory, removed on destruction.
class ScratchFolder : public sa::test::ScratchFolder {
public:
    explicit ScratchFolder(const fs::path& source) : sa::test::ScratchFolder("sa_test_text", source) {}
};

void expectLoadError(const fs::path& folder, const std::vector<std::string>& mentions) {
    SCOPED_TRACE(folder.string());
    sa::test::expectSaError([&] { (void)sa::ClipTokenizer::fromFolder(folder); }, mentions);
}

}  // namespace

// ---- golden case: every prompt, every tokenizer the params describe ----------------------------

TEST(ClipTokenizerGolden, EveryPromptMatchesReference) {
    const json params = loadTokenizerCase().at("params");
    const json& prompts = params.at("prompts");
    ASSERT_FALSE(prompts.empty());
    const std::string suffix = ".bpe_tokens";
    int checkedFolders = 0;
    for (const auto& [key, bpeTokens] : params.items()) {
        if (!key.ends_with(suffix)) continue;
        const std::string name = key.substr(0, key.size() - suffix.size());
        const json& untruncated = params.at(name + ".untruncated_ids");
        const auto padId = params.at(name + ".pad_token_id").get<int64_t>();
        ASSERT_EQ(bpeTokens.size(), prompts.size()) << key;
        ASSERT_EQ(untruncated.size(), prompts.size()) << name;
        const auto folders = tokenizerFolders(name);
        ASSERT_FALSE(folders.empty()) << "no " << name << "/ folder in " << goldenDir();
        for (const fs::path& folder : folders) {
            SCOPED_TRACE(folder.string());
            const auto tok = sa::ClipTokenizer::fromFolder(folder);
            EXPECT_EQ(tok.bosId(), params.at("bos_token_id").get<int64_t>());
            EXPECT_EQ(tok.eosId(), params.at("eos_token_id").get<int64_t>());
            EXPECT_EQ(tok.padId(), padId);
            for (size_t i = 0; i < prompts.size(); ++i) {
                const auto prompt = prompts[i].get<std::string>();
                SCOPED_TRACE("prompt " + std::to_string(i) + ": " + prompt);
                EXPECT_EQ(tok.tokenize(prompt), bpeTokens[i].get<Tokens>());
                const auto ids = untruncated[i].get<std::vector<int64_t>>();
                EXPECT_EQ(tok.encode(prompt), ids);
                const auto expected = padded(ids, static_cast<size_t>(tok.maxLength()), padId);
                const auto out = tok(prompt);
                EXPECT_EQ(out.ids, expected.ids);
                EXPECT_EQ(out.attentionMask, expected.attentionMask);
            }
            ++checkedFolders;
        }
    }
    EXPECT_GT(checkedFolders, 0) << "the tokenizer case lists no *.bpe_tokens";
}

// ---- padding, truncation, empty input -----------------------------------------------------------

TEST(ClipTokenizer, EmptyAndWhitespaceOnlyPromptsAreBosEosPad) {
    for (const std::string name : {"tokenizer", "tokenizer_2"}) {
        const auto tok = firstTokenizer(name);
        for (const std::string prompt : {"", "   \t\n  ", "\x01\x7f"}) {
            EXPECT_TRUE(tok.tokenize(prompt).empty());
            const auto out = tok(prompt);
            ASSERT_EQ(out.ids.size(), static_cast<size_t>(tok.maxLength()));
            std::vector<int64_t> ids(out.ids.size(), tok.padId());
            ids[0] = tok.bosId();
            ids[1] = tok.eosId();
            EXPECT_EQ(out.ids, ids);
            std::vector<int64_t> mask(out.ids.size(), 0);
            mask[0] = mask[1] = 1;
            EXPECT_EQ(out.attentionMask, mask);
        }
    }
}

TEST(ClipTokenizer, TruncationKeepsEosLast) {
    const auto tok = firstTokenizer("tokenizer");
    const auto maxLength = static_cast<size_t>(tok.maxLength());  // model_max_length of the folder
    ASSERT_GE(maxLength, 2u);
    std::string prompt;
    const size_t words = maxLength + 23;  // "cat" is one token: bos + words + eos is too long
    for (size_t i = 0; i < words; ++i) prompt += "cat ";
    const auto full = tok.encode(prompt);
    ASSERT_EQ(full.size(), words + 2);
    const auto out = tok(prompt);
    ASSERT_EQ(out.ids.size(), maxLength);
    EXPECT_EQ(out.ids.back(), tok.eosId());
    EXPECT_TRUE(std::equal(out.ids.begin(), out.ids.end() - 1, full.begin()));
    EXPECT_EQ(static_cast<size_t>(std::count(out.attentionMask.begin(), out.attentionMask.end(), 1)), maxLength);
}

// ---- normalization: BasicTokenizer(strip_accents=False, do_split_on_punc=False) + pattern ----------

TEST(ClipTokenizer, InvalidUtf8IsDroppedNotFatal) {
    const auto tok = firstTokenizer("tokenizer");
    EXPECT_EQ(tok.tokenize("a\xff\xfe" "b"), tok.tokenize("ab"));
    EXPECT_EQ(tok.tokenize("x\xed\xa0\x80y"), tok.tokenize("xy"));   // UTF-8-encoded surrogate
    EXPECT_EQ(tok.tokenize("\xc0\xaf" "cat"), tok.tokenize("cat"));  // overlong '/'
    EXPECT_EQ(tok.tokenize("cat\xf0\x9f\x8e"), tok.tokenize("cat"));  // truncated emoji
    EXPECT_EQ(tok.tokenize("caf\xc3"), tok.tokenize("caf"));
    EXPECT_NO_THROW(tok(std::string("\x80\x80\xbf\xf5\xf8\xfc\xfe\xff", 8)));
}

TEST(ClipTokenizer, NormalizerMatchesPythonTextRules) {
    const auto tok = firstTokenizer("tokenizer");
    // str.lower(): full mapping with Final_Sigma, per whitespace-separated word.
    EXPECT_EQ(tok.tokenize("ΟΔΟΣ ΣΑ"), tok.tokenize("οδος σα"));
    EXPECT_EQ(tok.tokenize("İstanbul"), tok.tokenize("i\u0307stanbul"));
    // NFC before lowering.
    EXPECT_EQ(tok.tokenize("cafe\u0301"), tok.tokenize("café"));
    // CJK ideographs become words of their own; Hangul and kana do not.
    EXPECT_EQ(tok.tokenize("日本語"), tok.tokenize("日 本 語"));
    EXPECT_NE(tok.tokenize("テキスト"), tok.tokenize("テ キ ス ト"));
    // Control / format characters vanish (no space), Zs and U+2028 separate words.
    EXPECT_EQ(tok.tokenize("a\x0c" "b\u200dc\u00ad"), tok.tokenize("abc"));
    EXPECT_EQ(tok.tokenize("a\u00a0b\u3000c\u2028d"), tok.tokenize("a b c d"));
    // The pattern: contractions, single digits, punctuation runs.
    EXPECT_EQ(tok.tokenize("it's"), (Tokens{"it</w>", "'s</w>"}));
    EXPECT_EQ(tok.tokenize("2024"), (Tokens{"2</w>", "0</w>", "2</w>", "4</w>"}));
    EXPECT_EQ(tok.tokenize("?!"), (Tokens{"?!</w>"}));
    // re.IGNORECASE: U+017F (long s) completes "'s"; U+0345 matches no class and is skipped.
    EXPECT_EQ(tok.tokenize("x'\u017fun"), tok.tokenize("x '\u017f un"));
    EXPECT_NE(tok.tokenize("x'\u017fun"), tok.tokenize("x ' \u017fun"));
    EXPECT_EQ(tok.tokenize("a\u0345b"), tok.tokenize("a b"));
}

TEST(ClipTokenizer, SpecialTokensInText) {
    const auto tok = firstTokenizer("tokenizer");
    // Literal added tokens are cut out before normalization and kept whole.
    EXPECT_EQ(tok.tokenize("a<|endoftext|>b"), (Tokens{"a</w>", "<|endoftext|>", "b</w>"}));
    EXPECT_EQ(tok.encode("<|startoftext|>"),
              (std::vector<int64_t>{tok.bosId(), tok.bosId(), tok.eosId()}));
    // Other spellings reach the pattern after lower(): whole only where the pattern starts there.
    EXPECT_EQ(tok.tokenize("<|EndOfText|>"), (Tokens{"<|endoftext|>"}));
    EXPECT_EQ(tok.tokenize(",<|ENDOFTEXT|>"), tok.tokenize(",<| endoftext |>"));
}

TEST(ClipTokenizer, Tokenizer2SplitsOnItsPadTokenBang) {
    const auto tok1 = firstTokenizer("tokenizer");
    const auto tok2 = firstTokenizer("tokenizer_2");
    EXPECT_EQ(tok2.padId(), 0);
    EXPECT_EQ(tok2.tokenize("wow!?"), (Tokens{"wow</w>", "!", "?</w>"}));
    EXPECT_EQ(tok1.tokenize("wow!?"), (Tokens{"wow</w>", "!?</w>"}));
    EXPECT_EQ(tok2.encode("a!b"), (std::vector<int64_t>{tok2.bosId(), tok2.tokenToId("a</w>"), 0,
                                                        tok2.tokenToId("b</w>"), tok2.eosId()}));
}

// ---- loading errors -----------------------------------------------------------------------------

TEST(ClipTokenizerLoad, MissingVocabNamesTheFile) {
    ScratchFolder folder(tokenizerFolders("tokenizer").at(0));
    fs::remove(folder.path / "vocab.json");
    expectLoadError(folder.path, {"vocab.json"});
}

TEST(ClipTokenizerLoad, MissingMergesNamesTheFile) {
    ScratchFolder folder(tokenizerFolders("tokenizer").at(0));
    fs::remove(folder.path / "merges.txt");
    expectLoadError(folder.path, {"merges.txt"});
}

TEST(ClipTokenizerLoad, BadConfigNamesFileAndField) {
    ScratchFolder folder(tokenizerFolders("tokenizer").at(0));
    const fs::path config = folder.path / "tokenizer_config.json";
    json j;
    {
        std::ifstream in(config);
        j = json::parse(in);
    }
    const auto maxLength = j.at("model_max_length");
    j.erase("model_max_length");
    std::ofstream(config) << j.dump();
    expectLoadError(folder.path, {"tokenizer_config.json", "model_max_length"});

    j["model_max_length"] = maxLength;
    j["pad_token"] = "<|no such token|>";
    std::ofstream(config) << j.dump();
    fs::remove(folder.path / "special_tokens_map.json");
    expectLoadError(folder.path, {"pad_token", "<|no such token|>"});

    std::ofstream(config) << "{ not json";
    expectLoadError(folder.path, {"tokenizer_config.json", "invalid JSON"});
}

TEST(ClipTokenizerLoad, MissingFolder) {
    expectLoadError(goldenDir() / "no-such-folder", {"no-such-folder"});
}
