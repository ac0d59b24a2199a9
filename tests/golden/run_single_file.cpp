// Golden runner: single_file_* — a single-file checkpoint with its original YAML: config inference
// against params.unet_config / vae_config, every network's outputs, the fp16 file, the bad files.
#include <gtest/gtest.h>

#include "core/io/state_dict.h"
#include "core/pipeline/prompt_encoding.h"
#include "core/pipeline/single_file_model.h"
#include "golden/golden_case.h"

namespace sa::test {
namespace {

using nlohmann::json;

// diffusers writes per-block settings as one number when all blocks agree; ours are lists.
bool sameValue(const json& ours, const json& golden) {
    if (ours == golden) return true;
    if (ours.is_array() && !golden.is_array() && !ours.empty())
        return std::all_of(ours.begin(), ours.end(), [&](const json& v) { return sameValue(v, golden); });
    if (ours.is_number() && golden.is_number()) return std::abs(ours.get<double>() - golden.get<double>()) < 1e-12;
    return false;
}

// Every field of the golden config equals ours; null / false golden fields must be unset here.
// `sample_size` only sets the default image size and is not compared (README: "image_size as given").
void expectConfig(const std::string& label, const json& ours, const json& golden) {
    for (const auto& [key, value] : golden.items()) {
        if (key == "sample_size") continue;
        if (value.is_null() || value == false) {
            EXPECT_TRUE(!ours.contains(key) || ours[key].is_null() || ours[key] == false) << label << "." << key << " = " << ours[key];
            continue;
        }
        ASSERT_TRUE(ours.contains(key)) << label << ": no field " << key;
        EXPECT_TRUE(sameValue(ours[key], value)) << label << "." << key << ": ours " << ours[key] << ", golden " << value;
    }
}

LoadOptions optionsFor(const GoldenCase& c) {
    LoadOptions options;
    options.config = c.root / c.params().at("config").get<std::string>();
    // Heads and activation are in neither the file nor the YAML (README): the case gives them.
    for (const char* name : {"text_encoder", "text_encoder_2"}) {
        const auto& encoders = c.params().at("text_encoders");
        if (!encoders.contains(name)) continue;
        options.textEncoders.push_back({encoders[name].at("num_attention_heads").get<int>(),
                                        encoders[name].at("hidden_act").get<std::string>()});
    }
    return options;
}

void runNetworks(const GoldenCase& c, StableDiffusionModel& model, const std::string& group, RunResult& out) {
    torch::NoGradGuard noGrad;
    AddedCond added;
    if (c.has("unet.text_embeds")) {
        added.textEmbeds = c.tensor("unet.text_embeds");
        added.timeIds = c.tensor("unet.time_ids");
    }
    out.tensors[group + "unet.noise_pred"] =
        model.unet->forward(c.tensor("unet.sample"), c.tensor("unet.timestep"), c.tensor("unet.encoder_hidden_states"),
                            added.textEmbeds.defined() ? &added : nullptr);
    auto dist = model.vae->encode(c.tensor("vae.image"));
    out.tensors[group + "vae.latent_dist.mean"] = dist.mean;
    out.tensors[group + "vae.latent_dist.logvar"] = dist.logvar;
    out.tensors[group + "vae.decoded"] = model.vae->decode(c.tensor("vae.latent"));
}

RegisterRunner singleFile("single_file_", [](const GoldenCase& c, RunResult& out) {
    torch::NoGradGuard noGrad;
    const auto& p = c.params();
    const auto model = loadSingleFile(c.root / p.at("file").get<std::string>(), optionsFor(c));

    // Family (from the keys) and architecture (from the YAML).
    const std::map<std::string, std::string> families{{"sd1", "SD 1.x"}, {"sd2", "SD 2.x"}, {"sdxl", "SDXL"}};
    EXPECT_EQ(model->familyLabel, families.at(p.at("family").get<std::string>()));
    EXPECT_EQ(model->schedulerConfig.prediction_type, p.at("prediction_type").get<std::string>());
    expectConfig(c.name + " unet_config", model->unet->config().toJson(), p.at("unet_config"));
    expectConfig(c.name + " vae_config", model->vae->config().toJson(), p.at("vae_config"));

    // Text encoders: every output, and the UNet conditioning the family uses.
    std::vector<std::pair<CLIPTextModel, CLIPTextOutput>> encoded;
    for (auto [name, encoder] : {std::pair{"text_encoder.", model->textEncoder}, {"text_encoder_2.", model->textEncoder2}}) {
        if (!encoder || !c.has(std::string(name) + "input_ids")) continue;
        auto result = encoder->forward(c.tensor(std::string(name) + "input_ids"));
        out.tensors[std::string(name) + "last_hidden_state"] = result.lastHiddenState;
        out.tensors[std::string(name) + "hidden_states_m2"] = result.hiddenStates[result.hiddenStates.size() - 2];
        out.tensors[std::string(name) + "pooler_output"] = result.pooled;
        if (result.textEmbeds.defined()) out.tensors[std::string(name) + "text_embeds"] = result.textEmbeds;
        encoded.emplace_back(encoder, std::move(result));
    }
    std::vector<torch::Tensor> conditioning;
    for (size_t i = 0; i < encoded.size(); ++i)
        conditioning.push_back(conditioningState(*encoded[i].first, encoded[i].second, model->conditioning[i]));
    if (c.has("text_encoder.prompt_embeds")) out.tensors["text_encoder.prompt_embeds"] = conditioning[0];
    if (c.has("prompt_embeds")) out.tensors["prompt_embeds"] = torch::cat(conditioning, -1);

    runNetworks(c, *model, "", out);

    // Converted weights (debug): "weights.<module>.<diffusers name>".
    std::map<std::string, torch::nn::Module*> modules{{"unet", model->unet.get()}, {"vae", model->vae.get()},
                                                      {"text_encoder", model->textEncoder.get()}};
    if (model->textEncoder2) modules["text_encoder_2"] = model->textEncoder2.get();
    for (const auto& name : c.tensorNames("weights.")) {
        const auto rest = name.substr(8);
        const auto dot = rest.find('.');
        auto* module = modules.at(rest.substr(0, dot));
        out.tensors[name] = moduleTensors(*module).at(rest.substr(dot + 1));
    }

    // The same weights stored as float16, cast to float32.
    if (p.contains("fp16_file")) {
        const auto half = loadSingleFile(c.root / p.at("fp16_file").get<std::string>(), optionsFor(c));
        EXPECT_EQ(half->weightsDtype, "F16");
        runNetworks(c, *half, "fp16.", out);
    }

    // Bad inputs: a clear sa::Error naming the file, nothing loaded.
    for (const auto& bad : p.value("bad_files", json::array())) {
        const auto file = c.root / bad.at("file").get<std::string>();
        const auto doc = bad.at("error").get<std::string>();
        try {
            (void)loadSingleFile(file, optionsFor(c));
            ADD_FAILURE() << file << " loaded; expected: " << doc;
        } catch (const Error& e) {
            const std::string message = e.what();
            EXPECT_NE(message.find(file.string()), std::string::npos) << message;
            const bool notSd = doc.find("not a Stable Diffusion single-file checkpoint") != std::string::npos;
            EXPECT_NE(message.find(notSd ? "not a Stable Diffusion single-file checkpoint" : "truncated"), std::string::npos)
                << file << ": " << message;
            std::cout << "  bad file " << file.filename().string() << ": " << message << "\n";
        }
    }
});

}  // namespace
}  // namespace sa::test
