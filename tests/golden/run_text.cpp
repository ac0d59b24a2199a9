// Golden runners: tokenizer, text_encoders.
#include "golden/golden_case.h"

#include "core/pipeline/prompt_encoding.h"

namespace sa::test {
namespace {

// Tensor groups are named after the tokenizer folder ("tokenizer.", "tokenizer_2."); the
// folder is looked up in the golden model folders.
std::filesystem::path tokenizerFolder(const GoldenCase& c, const std::string& name) {
    for (const auto& entry : std::filesystem::directory_iterator(c.root))
        if (entry.path().filename().string().rfind("tiny-", 0) == 0 && std::filesystem::exists(entry.path() / name / "vocab.json"))
            return entry.path() / name;
    throw std::runtime_error("no model folder has a tokenizer '" + name + "'");
}

RegisterRunner tokenizer("tokenizer", [](const GoldenCase& c, RunResult& out) {
    const auto prompts = c.params().at("prompts").get<std::vector<std::string>>();
    for (const auto& group : c.groups()) {
        const std::string name = group.substr(0, group.size() - 1);
        auto tok = ClipTokenizer::fromFolder(tokenizerFolder(c, name));
        std::vector<torch::Tensor> ids, masks;
        for (const auto& prompt : prompts) {
            auto encoded = tok(prompt);
            ids.push_back(torch::tensor(encoded.ids, torch::kLong));
            masks.push_back(torch::tensor(encoded.attentionMask, torch::kLong));
        }
        out.tensors[group + "input_ids"] = torch::stack(ids);
        out.tensors[group + "attention_mask"] = torch::stack(masks);
    }
});

// "sd15.text_encoder.*" → tiny-sd15/text_encoder
RegisterRunner textEncoders("text_encoders", [](const GoldenCase& c, RunResult& out) {
    torch::NoGradGuard noGrad;
    std::set<std::string> encoders;
    for (const auto& name : c.tensorNames())
        if (name.size() > 10 && name.compare(name.size() - 10, 10, ".input_ids") == 0)
            encoders.insert(name.substr(0, name.size() - 9));  // keeps the trailing '.'
    for (const auto& prefix : encoders) {
        const auto dot = prefix.find('.');
        const auto folder = c.root / ("tiny-" + prefix.substr(0, dot)) / prefix.substr(dot + 1, prefix.size() - dot - 2);
        auto encoder = loadTextEncoder(folder);
        auto result = encoder->forward(c.tensor(prefix + "input_ids"));
        out.tensors[prefix + "last_hidden_state"] = result.lastHiddenState;
        out.tensors[prefix + "hidden_states_m2"] = result.hiddenStates[result.hiddenStates.size() - 2];
        out.tensors[prefix + "pooler_output"] = result.pooled;
        out.tensors[prefix + "hidden_states_all"] = torch::stack(result.hiddenStates);
        if (result.textEmbeds.defined()) out.tensors[prefix + "text_embeds"] = result.textEmbeds;
    }
});

}  // namespace
}  // namespace sa::test
