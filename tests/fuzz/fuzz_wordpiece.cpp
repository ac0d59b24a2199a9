// libFuzzer harness: a BERT WordPiece tokenizer folder (WordPieceTokenizer::fromFolder), then the
// tokenizer on text: tokenize, encode (with and without truncation), decode.
//
// The input is up to four parts separated by the byte 0x1E (record separator): vocab.txt,
// tokenizer_config.json, the text, special_tokens_map.json. A missing part means no such file
// (and a fixed text). Loading may refuse with an sa::Error naming the folder; once loaded, nothing
// may throw, every truncated encoding fits its length, and decoding yields valid UTF-8.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text/unicode_text.h"
#include "core/text/wordpiece_tokenizer.h"
#include "tests/fuzz/fuzz_common.h"

namespace {

std::vector<std::string_view> splitParts(std::string_view input) {
    std::vector<std::string_view> parts;
    for (size_t cut; parts.size() < 3 && (cut = input.find('\x1e')) != std::string_view::npos;) {
        parts.push_back(input.substr(0, cut));
        input.remove_prefix(cut + 1);
    }
    parts.push_back(input);
    return parts;
}

void exercise(const sa::WordPieceTokenizer& tok, const std::string& text) {
    (void)tok.tokenize(text);
    const auto ids = tok.encode(text);
    for (size_t maxLength : {3, 5}) {
        if (tok.encode(text, true, maxLength).size() > maxLength)
            sa::fuzz::bug("encode ignored max_length", text);
    }
    // Ids of every kind: the encoding, then arbitrary ones (negative, out of range) from the text.
    std::vector<int64_t> arbitrary = ids;
    for (unsigned char c : text) arbitrary.push_back(static_cast<int64_t>(c) - 8);
    for (bool skip : {true, false}) {
        for (const std::vector<int64_t>* list : {&ids, &std::as_const(arbitrary)}) {
            const std::string decoded = tok.decode(*list, skip);
            if (sa::text::toUtf8(sa::text::decodeUtf8(decoded)) != decoded)
                sa::fuzz::bug("decode produced invalid UTF-8", decoded);
        }
    }
    (void)tok.encode(tok.decode(ids), false);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const sa::fuzz::ScratchFolder folder("wordpiece");
    const auto parts = splitParts(std::string_view(reinterpret_cast<const char*>(data), size));
    const auto part = [&](size_t i) -> std::optional<std::string_view> {
        return i < parts.size() ? std::optional(parts[i]) : std::nullopt;
    };
    folder.put("vocab.txt", part(0));
    folder.put("tokenizer_config.json", part(1));
    folder.put("special_tokens_map.json", part(3));
    const std::string text(part(2).value_or("Hello, [CLS] Café unaffable 日本語 don't\t[SEP]x"));

    std::optional<sa::WordPieceTokenizer> tok;
    sa::fuzz::expectOnlySaErrors(folder.path().string(),
                                 [&] { tok = sa::WordPieceTokenizer::fromFolder(folder.path()); });
    if (tok) sa::fuzz::expectOnlySaErrors("(no error expected once loaded)", [&] { exercise(*tok, text); });
    return 0;
}
