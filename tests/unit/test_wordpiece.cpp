// WordPieceTokenizer (transformers 4.36's slow BertTokenizer) on small vocabularies written by the
// tests, and against the captions of the golden cases (decode, then re-encode).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/safetensors.h"
#include "core/text/wordpiece_tokenizer.h"
#include "support/expect_error.h"
#include "support/golden_dir.h"
#include "support/scratch_folder.h"

namespace fs = std::filesystem;
using nlohmann::json;
using sa::WordPieceTokenizer;
using Tokens = std::vector<std::string>;
using Ids = std::vector<int64_t>;

namespace {

// Line index = id. "[DEC]" is BLIP's decoder start (its bos_token).
const std::vector<std::string> kVocab = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[DEC]", ".", ",", "!", "?", "'", "[", "]", "(",
    ")", "^", "¿", "—", "+", "hello", "world", "cafe", "café", "Cafe", "nandu", "the", "cat",
    "##s", "play", "##ing", "un", "##aff", "##able", "##ab", "日", "本", "語", "日本語", "テキ",
    "a", "##a", "ab", "##c", "##bcd", "don", "t", "n't", "'m", "'s", "'ve", "'re", "i", "it", "we",
    "they", "like", "c", "sep", "οδοσ", "οδος"};

std::string joinLines(const std::vector<std::string>& lines, const std::string& eol = "\n") {
    std::string out;
    for (const std::string& line : lines) out += line + eol;
    return out;
}

// tokenizer_config.json as BLIP ships it (uncased, bos [DEC], the specials in added_tokens_decoder).
json blipConfig() {
    json config = {{"tokenizer_class", "BertTokenizer"}, {"do_lower_case", true},
                   {"do_basic_tokenize", true},         {"tokenize_chinese_chars", true},
                   {"strip_accents", nullptr},           {"never_split", nullptr},
                   {"model_max_length", 64},             {"clean_up_tokenization_spaces", true},
                   {"bos_token", "[DEC]"},               {"cls_token", "[CLS]"},
                   {"sep_token", "[SEP]"},               {"pad_token", "[PAD]"},
                   {"unk_token", "[UNK]"},               {"mask_token", "[MASK]"}};
    const std::vector<std::string> specials = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[DEC]"};
    for (size_t id = 0; id < specials.size(); ++id) {
        config["added_tokens_decoder"][std::to_string(id)] = {
            {"content", specials[id]}, {"lstrip", false}, {"normalized", false},
            {"rstrip", false},         {"single_word", false}, {"special", true}};
    }
    return config;
}

// A tokenizer folder holding vocab.txt (and tokenizer_config.json unless `config` is null).
class Folder : public sa::test::ScratchFolder {
public:
    explicit Folder(const json& config = blipConfig(), const std::string& vocab = joinLines(kVocab))
        : ScratchFolder("sa_test_wordpiece") {
        write("vocab.txt", vocab);
        if (!config.is_null()) write("tokenizer_config.json", config.dump());
    }
    WordPieceTokenizer load() const { return WordPieceTokenizer::fromFolder(path); }
};

WordPieceTokenizer withConfig(const std::function<void(json&)>& change) {
    json config = blipConfig();
    change(config);
    return Folder(config).load();
}

void expectLoadError(const fs::path& folder, const std::vector<std::string>& mentions) {
    SCOPED_TRACE(folder.string());
    sa::test::expectSaError([&] { (void)WordPieceTokenizer::fromFolder(folder); }, mentions);
}

}  // namespace

// ---- BasicTokenizer ---------------------------------------------------------------------------------

TEST(WordPieceTokenizer, LowerCasesAndStripsAccents) {
    const auto tok = Folder().load();
    EXPECT_EQ(tok.tokenize("Café Ñandú"), (Tokens{"cafe", "nandu"}));
    EXPECT_EQ(tok.tokenize("CAFE\u0301"), (Tokens{"cafe"}));  // NFC, lower, NFD, Mn dropped
    // PreTrainedTokenizer.tokenize lowers one character at a time: a final capital sigma becomes
    // σ, not the ς that str.lower() of the whole word would give.
    EXPECT_EQ(tok.tokenize("ΟΔΟΣ"), (Tokens{"οδοσ"}));
    EXPECT_EQ(withConfig([](json& c) { c["strip_accents"] = false; }).tokenize("Café"),
              (Tokens{"café"}));
    const auto cased = withConfig([](json& c) { c["do_lower_case"] = false; });
    EXPECT_EQ(cased.tokenize("Café"), (Tokens{"[UNK]"}));
    EXPECT_EQ(cased.tokenize("ΟΔΟΣ"), (Tokens{"[UNK]"}));
    EXPECT_EQ(withConfig([](json& c) {
                  c["do_lower_case"] = false;
                  c["strip_accents"] = true;
              }).tokenize("Café"),
              (Tokens{"Cafe"}));
}

TEST(WordPieceTokenizer, SplitsOnPunctuation) {
    const auto tok = Folder().load();
    EXPECT_EQ(tok.tokenize("hello,world!"), (Tokens{"hello", ",", "world", "!"}));
    EXPECT_EQ(tok.tokenize("(hello)"), (Tokens{"(", "hello", ")"}));
    EXPECT_EQ(tok.tokenize("hello^world"), (Tokens{"hello", "^", "world"}));  // ASCII, not P*
    EXPECT_EQ(tok.tokenize("¿hello?"), (Tokens{"¿", "hello", "?"}));          // Po
    EXPECT_EQ(tok.tokenize("hello—world"), (Tokens{"hello", "—", "world"}));  // Pd
    EXPECT_EQ(tok.tokenize("hello€"), (Tokens{"[UNK]"}));                     // Sc stays in the word
}

TEST(WordPieceTokenizer, SplitsCjkIdeographsOnly) {
    const auto tok = Folder().load();
    EXPECT_EQ(tok.tokenize("日本語"), (Tokens{"日", "本", "語"}));
    EXPECT_EQ(tok.tokenize("テキ"), (Tokens{"テキ"}));  // katakana are no CJK ideographs
    EXPECT_EQ(withConfig([](json& c) { c["tokenize_chinese_chars"] = false; }).tokenize("日本語"),
              (Tokens{"日本語"}));
}

TEST(WordPieceTokenizer, RemovesControlCharacters) {
    const auto tok = Folder().load();
    EXPECT_EQ(tok.tokenize("hel\x01lo\u200b wor\x7fld\u00ad"), (Tokens{"hello", "world"}));
    EXPECT_EQ(tok.tokenize("\thello\u00a0world\r\n\u3000the\u2028cat "),
              (Tokens{"hello", "world", "the", "cat"}));
    EXPECT_EQ(tok.tokenize(std::string("hel\0lo", 6)), (Tokens{"hello"}));
    EXPECT_EQ(tok.tokenize("hel\xff" "lo\xc0\xaf"), (Tokens{"hello"}));  // invalid UTF-8 → U+FFFD
    EXPECT_TRUE(tok.tokenize(" \x01\t\n").empty());
}

TEST(WordPieceTokenizer, NeverSplitKeepsTokensWhole) {
    const auto tok = withConfig([](json& c) { c["never_split"] = {"c++"}; });
    // C++ is lowered before the never_split check, so the entry must be lower case to match.
    EXPECT_EQ(tok.tokenize("i like C++"), (Tokens{"i", "like", "c++"}));
    EXPECT_EQ(tok.encode("c++", false), (Ids{tok.unkId()}));  // not in vocab.txt
    EXPECT_EQ(Folder().load().tokenize("i like C++"), (Tokens{"i", "like", "c", "+", "+"}));
    const auto cased = withConfig([](json& c) {
        c["do_lower_case"] = false;
        c["never_split"] = {"C++"};
    });
    EXPECT_EQ(cased.tokenize("C++ c++"), (Tokens{"C++", "c", "+", "+"}));
}

TEST(WordPieceTokenizer, WithoutBasicTokenizationOnlySplitsOnWhitespace) {
    const auto tok = withConfig([](json& c) { c["do_basic_tokenize"] = false; });
    EXPECT_EQ(tok.tokenize(" hello  cats\tHello hello,"), (Tokens{"hello", "cat", "##s", "[UNK]", "[UNK]"}));
}

// ---- WordPiece ----------------------------------------------------------------------------------------

TEST(WordPieceTokenizer, GreedyLongestMatchFirst) {
    const auto tok = Folder().load();
    EXPECT_EQ(tok.tokenize("unaffable"), (Tokens{"un", "##aff", "##able"}));  // not ##ab
    EXPECT_EQ(tok.tokenize("playing cats"), (Tokens{"play", "##ing", "cat", "##s"}));
    EXPECT_EQ(tok.tokenize("abc"), (Tokens{"ab", "##c"}));
    // Greedy: "ab" + "##c" leave "d" unmatched, so the word is unknown although a + ##bcd exists.
    EXPECT_EQ(tok.tokenize("abcd"), (Tokens{"[UNK]"}));
}

TEST(WordPieceTokenizer, UnknownAndOverlongWords) {
    const auto tok = Folder().load();
    EXPECT_EQ(tok.tokenize("the qzx cat"), (Tokens{"the", "[UNK]", "cat"}));
    EXPECT_EQ(tok.encode("qzx", false), (Ids{tok.unkId()}));
    Tokens hundred{"a"};
    hundred.resize(100, "##a");
    EXPECT_EQ(tok.tokenize(std::string(100, 'a')), hundred);
    EXPECT_EQ(tok.tokenize(std::string(101, 'a')), (Tokens{"[UNK]"}));  // max_input_chars_per_word
}

// ---- added and special tokens -------------------------------------------------------------------

TEST(WordPieceTokenizer, SpecialTokensInTextStayWhole) {
    const auto tok = Folder().load();
    EXPECT_EQ(tok.tokenize("hello [SEP] world"), (Tokens{"hello", "[SEP]", "world"}));
    EXPECT_EQ(tok.tokenize("[CLS]hello[MASK]"), (Tokens{"[CLS]", "hello", "[MASK]"}));
    EXPECT_EQ(tok.tokenize("[DEC]the cat"), (Tokens{"[DEC]", "the", "cat"}));
    // Case-sensitive: other spellings are lowered and split as text.
    EXPECT_EQ(tok.tokenize("[sep]"), (Tokens{"[", "sep", "]"}));
    EXPECT_EQ(tok.tokenize("[Sep]"), (Tokens{"[", "sep", "]"}));
    EXPECT_EQ(tok.encode("[SEP]"), (Ids{tok.clsId(), tok.sepId(), tok.sepId()}));
    // split_special_tokens skips the cut, but the BasicTokenizer still keeps a word that is a
    // special token whole (and WordPiece finds it in vocab.txt); only inside words it is split.
    EXPECT_EQ(withConfig([](json& c) { c["split_special_tokens"] = true; })
                  .tokenize("[SEP] [SEP]hello"),
              (Tokens{"[SEP]", "[", "sep", "]", "hello"}));
}

TEST(WordPieceTokenizer, NonSpecialAddedTokensDecodeAsTheirOwnText) {
    const auto tok = withConfig([](json& c) {
        c["added_tokens_decoder"]["900"] = {{"content", "<foo>"}, {"special", false}};
    });
    EXPECT_EQ(tok.tokenize("the<foo>cat"), (Tokens{"the", "<foo>", "cat"}));
    EXPECT_EQ(tok.tokenToId("<foo>"), 900);
    EXPECT_EQ(tok.idToToken(900), "<foo>");
    // _decode: an added token splits the tokens around it, so "##s" is not glued to it.
    EXPECT_EQ(tok.decode({tok.tokenToId("cat"), 900, tok.tokenToId("##s")}), "cat <foo> ##s");
}

TEST(WordPieceTokenizer, AccessorsFollowTheFolder) {
    const auto tok = Folder().load();
    const auto id = [](const std::string& t) {
        return static_cast<int64_t>(std::find(kVocab.begin(), kVocab.end(), t) - kVocab.begin());
    };
    EXPECT_EQ(tok.padId(), id("[PAD]"));
    EXPECT_EQ(tok.unkId(), id("[UNK]"));
    EXPECT_EQ(tok.clsId(), id("[CLS]"));
    EXPECT_EQ(tok.sepId(), id("[SEP]"));
    EXPECT_EQ(tok.maskId(), id("[MASK]"));
    EXPECT_EQ(tok.bosId(), id("[DEC]"));
    EXPECT_EQ(tok.tokenToId("hello"), id("hello"));
    EXPECT_EQ(tok.tokenToId("no such token"), id("[UNK]"));
    EXPECT_EQ(tok.idToToken(id("##s")), "##s");
    EXPECT_EQ(tok.idToToken(-1), "[UNK]");
    EXPECT_EQ(tok.vocabSize(), kVocab.size());
    EXPECT_EQ(tok.modelMaxLength(), 64);
    // BertTokenizer's defaults without tokenizer_config.json: no bos, no length limit.
    const auto plain = Folder(nullptr).load();
    EXPECT_EQ(plain.bosId(), std::nullopt);
    EXPECT_EQ(plain.modelMaxLength(), std::nullopt);
    EXPECT_EQ(plain.tokenize("Café"), (Tokens{"cafe"}));
    EXPECT_EQ(withConfig([](json& c) { c["model_max_length"] = 1e30; }).modelMaxLength(), std::nullopt);
}

TEST(WordPieceTokenizer, VocabLinesAsPythonReadsThem) {
    // CRLF and lone CR end lines; a repeated token keeps its last line; an empty line is the
    // token "" (readlines + rstrip("\n")).
    const std::string vocab = "[PAD]\r\n[UNK]\r[CLS]\n[SEP]\r\n[MASK]\r\nfoo\r\nbar\r\nfoo\r\n\r\n";
    const auto tok = Folder(nullptr, vocab).load();
    EXPECT_EQ(tok.tokenToId("[CLS]"), 2);
    EXPECT_EQ(tok.tokenToId("foo"), 7);
    EXPECT_EQ(tok.tokenToId("bar"), 6);
    EXPECT_EQ(tok.idToToken(5), "[UNK]");  // the first "foo" line has no id of its own
    EXPECT_EQ(tok.idToToken(8), "");
    EXPECT_EQ(tok.vocabSize(), 8u);
    EXPECT_EQ(Folder(nullptr, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]").load().vocabSize(), 5u);
}

TEST(WordPieceTokenizer, SpecialTokensMapOnlyWithoutAddedTokensDecoder) {
    // 4.36 reads special_tokens_map.json only for configs saved before added_tokens_decoder.
    json legacy = blipConfig();
    legacy.erase("added_tokens_decoder");
    legacy.erase("bos_token");
    Folder old(legacy);
    old.write("special_tokens_map.json", json{{"bos_token", "[DEC]"}}.dump());
    EXPECT_EQ(old.load().bosId(), 5);
    json current = blipConfig();
    current.erase("bos_token");
    Folder saved(current);
    saved.write("special_tokens_map.json", json{{"bos_token", "[DEC]"}}.dump());
    EXPECT_EQ(saved.load().bosId(), std::nullopt);
}

// ---- encode / decode --------------------------------------------------------------------------

TEST(WordPieceTokenizer, EncodeAddsClsSepAndTruncates) {
    const auto tok = Folder().load();
    const int64_t the = tok.tokenToId("the");
    const int64_t cat = tok.tokenToId("cat");
    const std::string text = "the cat the cat the cat";
    EXPECT_EQ(tok.encode(text), (Ids{tok.clsId(), the, cat, the, cat, the, cat, tok.sepId()}));
    EXPECT_EQ(tok.encode(text, true, 5), (Ids{tok.clsId(), the, cat, the, tok.sepId()}));
    EXPECT_EQ(tok.encode(text, false, 3), (Ids{the, cat, the}));
    EXPECT_EQ(tok.encode(text, true, 100).size(), 8u);
    EXPECT_EQ(tok.encode("", true, 2), (Ids{tok.clsId(), tok.sepId()}));
    sa::test::expectSaError([&] { (void)tok.encode(text, true, 2); }, {"max length 2"});
}

TEST(WordPieceTokenizer, DecodeRoundTripAndCleanUp) {
    const auto tok = Folder().load();
    const auto ids = tok.encode("Hello, world! The cats don't play.");
    EXPECT_EQ(tok.decode(ids), "hello, world! the cats don't play.");
    EXPECT_EQ(tok.decode(ids, false), "[CLS] hello, world! the cats don't play. [SEP]");
    const auto decode = [&](const Tokens& tokens) {
        Ids out;
        for (const std::string& t : tokens) out.push_back(tok.tokenToId(t));
        return tok.decode(out);
    };
    EXPECT_EQ(decode({"hello", "?", "world", ".", "!", ","}), "hello? world.!,");
    EXPECT_EQ(decode({"i", "'m", "it", "'s", "we", "'ve", "they", "'re"}), "i'm it's we've they're");
    EXPECT_EQ(decode({"don", "n't", "it", "'", "t"}), "donn't it't");
    EXPECT_EQ(decode({"play", "##ing", "[SEP]", "##s"}), "playings");  // specials skipped first
    // Skipping goes by id: the unknown token's id is special, an id outside the vocabulary is not.
    EXPECT_EQ(tok.decode({tok.tokenToId("cat"), tok.unkId(), 100000}), "cat [UNK]");
    EXPECT_EQ(withConfig([](json& c) { c["clean_up_tokenization_spaces"] = false; })
                  .decode(tok.encode("hello, world!")),
              "hello , world !");
}

// ---- refused folders ------------------------------------------------------------------------------

TEST(WordPieceTokenizerLoad, RefusesBadFolders) {
    expectLoadError(sa::test::goldenDir() / "no-such-folder", {"no-such-folder"});
    {
        Folder clip;
        fs::remove(clip.path / "vocab.txt");
        expectLoadError(clip.path, {"vocab.txt"});
        clip.write("vocab.json", R"({"a</w>": 0})");
        clip.write("merges.txt", "#version: 0.2\n");
        expectLoadError(clip.path, {clip.path.string(), "BPE", "not a BERT WordPiece"});
    }
    const auto broken = [](const std::string& config, const std::vector<std::string>& mentions) {
        Folder folder;
        folder.write("tokenizer_config.json", config);
        expectLoadError(folder.path, mentions);
    };
    broken("{ not json", {"tokenizer_config.json", "invalid JSON"});
    broken("[]", {"tokenizer_config.json", "object"});
    broken(R"({"mask_token": "[NOPE]"})", {"tokenizer_config.json", "mask_token", "[NOPE]", "vocab.txt"});
    broken(R"({"unk_token": null})", {"unk_token", "null"});
    broken(R"({"do_lower_case": "yes"})", {"tokenizer_config.json", "do_lower_case"});
    broken(R"({"tokenizer_class": "CLIPTokenizer"})", {"tokenizer_class", "CLIPTokenizer"});
    broken(R"({"never_split": "abc"})", {"never_split"});
    broken(R"({"model_max_length": -3})", {"model_max_length"});
    broken(R"({"added_tokens_decoder": {"x": {"content": "a"}}})", {"added_tokens_decoder.x"});
    broken(R"({"cls_token": {"content": "[CLS]", "single_word": true}})", {"cls_token.single_word"});
    {
        Folder folder(nullptr, "[PAD]\n[UN\xffK]\n");
        expectLoadError(folder.path, {"vocab.txt", "line 2", "UTF-8"});
    }
    {
        Folder folder(nullptr, "");
        expectLoadError(folder.path, {"vocab.txt", "no tokens"});
    }
    {
        Folder folder(nullptr, "[PAD]\n[CLS]\n[SEP]\n[MASK]\n");  // BertTokenizer's default [UNK]
        expectLoadError(folder.path, {folder.path.string(), "unk_token", "[UNK]"});
    }
    {
        json legacy = blipConfig();
        legacy.erase("added_tokens_decoder");
        Folder folder(legacy);
        folder.write("special_tokens_map.json", "{");
        expectLoadError(folder.path, {"special_tokens_map.json", "invalid JSON"});
    }
}

// ---- golden: captions of the reference models ------------------------------------------------------

// For every golden tokenizer folder with a vocab.txt and every golden case whose params give a
// `<folder>.caption` and whose tensors a `<folder>.generated_ids`: the ids decode to the caption,
// and the caption encodes (without specials) to the ids between bos and the first sep.
TEST(WordPieceTokenizerGolden, CaptionsDecodeAndReencode) {
    const fs::path golden = sa::test::goldenDir();
    int checked = 0;
    for (const auto& folder : fs::directory_iterator(golden)) {
        if (!fs::exists(folder.path() / "vocab.txt")) continue;
        const std::string name = folder.path().filename().string();
        const auto tok = WordPieceTokenizer::fromFolder(folder.path());
        for (const auto& file : fs::directory_iterator(golden / "cases")) {
            if (file.path().extension() != ".json") continue;
            const json spec = json::parse(std::ifstream(file.path()));
            const json params = spec.value("params", json::object());
            const auto caption = params.find(name + ".caption");
            const std::string tensorName = name + ".generated_ids";
            if (caption == params.end() || !caption->is_string() ||
                !spec.value("tensors", json::object()).contains(tensorName))
                continue;
            SCOPED_TRACE(file.path().string() + ": " + tensorName);
            auto tensors = sa::SafetensorsFile::open(fs::path(file.path()).replace_extension(".safetensors"));
            const auto tensor = tensors->tensor(tensorName).to(torch::kInt64).contiguous();
            ASSERT_EQ(tensor.numel(), tensor.size(-1)) << "one caption, one row of ids";
            const Ids ids(tensor.data_ptr<int64_t>(), tensor.data_ptr<int64_t>() + tensor.numel());

            EXPECT_EQ(tok.decode(ids), caption->get<std::string>());
            ASSERT_TRUE(tok.bosId().has_value()) << folder.path() << " has no bos_token";
            ASSERT_FALSE(ids.empty());
            EXPECT_EQ(ids.front(), *tok.bosId());
            const auto sep = std::find(ids.begin() + 1, ids.end(), tok.sepId());
            EXPECT_EQ(tok.encode(caption->get<std::string>(), false), Ids(ids.begin() + 1, sep));
            ++checked;
        }
    }
    EXPECT_GT(checked, 0) << "no golden case gives a caption for a vocab.txt folder in " << golden;
}
