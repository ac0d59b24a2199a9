// Single-file checkpoints (core/pipeline/single_file_model, original_config, diffusers_export):
// the YAML reader, family detection, bad input, overrides, progress / cancel and the conversion to
// a diffusers folder. Every expectation comes from the golden folder's single_file_* cases, so any
// folder of the same structure is checked the same way.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "core/io/image_set.h"
#include "core/io/safetensors.h"
#include "core/pipeline/diffusers_export.h"
#include "core/pipeline/original_config.h"
#include "core/pipeline/prompt_encoding.h"
#include "core/pipeline/single_file_model.h"
#include "support/golden_dir.h"

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

namespace {

using sa::test::goldenDir;

struct Case {
    std::string name;
    json params;
    fs::path file() const { return goldenDir() / params.at("file").get<std::string>(); }
    fs::path yaml() const { return goldenDir() / params.at("config").get<std::string>(); }
    // The text-encoder settings no file holds (README: use params.text_encoders).
    sa::LoadOptions options() const {
        sa::LoadOptions o;
        o.config = yaml();
        for (const char* name : {"text_encoder", "text_encoder_2"})
            if (params.at("text_encoders").contains(name)) {
                const auto& e = params.at("text_encoders").at(name);
                o.textEncoders.push_back({e.at("num_attention_heads").get<int>(), e.at("hidden_act").get<std::string>()});
            }
        return o;
    }
};

std::vector<Case> singleFileCases() {
    std::vector<Case> cases;
    for (const auto& entry : fs::directory_iterator(goldenDir() / "cases")) {
        const auto stem = entry.path().stem().string();
        if (entry.path().extension() != ".json" || stem.rfind("single_file_", 0) != 0) continue;
        cases.push_back({stem, json::parse(std::ifstream(entry.path())).at("params")});
    }
    std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
    return cases;
}

const Case& caseOf(const std::string& family) {
    static const auto cases = singleFileCases();
    for (const auto& c : cases)
        if (c.params.at("family") == family) return c;
    throw std::runtime_error("no single_file case of family " + family + " in " + goldenDir().string());
}

class TempDir {
public:
    TempDir() : path_(fs::temp_directory_path() / fmt::format("sa_single_file_{}_{}", ::getpid(), counter_++)) {
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
    static inline int counter_ = 0;
};

std::string slurp(const fs::path& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), {}};
}

template <typename F>
std::string errorOf(F&& f) {
    try {
        f();
    } catch (const sa::Error& e) {
        return e.what();
    }
    return "(no error)";
}

sa::CheckpointFamily familyOf(const std::string& name) {
    return name == "sd1" ? sa::CheckpointFamily::SD1 : name == "sd2" ? sa::CheckpointFamily::SD2 : sa::CheckpointFamily::SDXL;
}

TEST(SingleFile, GoldenCasesArePresent) { EXPECT_FALSE(singleFileCases().empty()); }

TEST(SingleFile, FamilyFromKeyPrefixes) {
    for (const auto& c : singleFileCases()) {
        auto file = sa::SafetensorsFile::open(c.file());
        EXPECT_EQ(sa::detectFamily(*file), familyOf(c.params.at("family"))) << c.name;
    }
}

TEST(SingleFile, YamlGivesTheGoldenArchitecture) {
    for (const auto& c : singleFileCases()) {
        const auto config = sa::readOriginalConfig(c.yaml());
        EXPECT_EQ(config.family, familyOf(c.params.at("family"))) << c.name;
        EXPECT_EQ(config.scheduler.prediction_type, c.params.at("prediction_type")) << c.name;
        EXPECT_EQ(config.unet.block_out_channels, c.params.at("unet_config").at("block_out_channels").get<std::vector<int>>());
        EXPECT_EQ(config.vae.scaling_factor, c.params.at("vae_config").at("scaling_factor").get<double>());
    }
}

// Standard configurations of the real models (no golden data involved).
TEST(SingleFile, BuiltInConfigurationsAreTheRealOnes) {
    const auto sd1 = sa::builtinOriginalConfig(sa::CheckpointFamily::SD1);
    EXPECT_EQ(sd1.unet.block_out_channels, (std::vector<int>{320, 640, 1280, 1280}));
    EXPECT_EQ(sd1.unet.num_attention_heads, (std::vector<int>{8, 8, 8, 8}));
    EXPECT_EQ(sd1.unet.cross_attention_dim[0], 768);
    EXPECT_EQ(sd1.scheduler.prediction_type, "epsilon");
    const auto sd2 = sa::builtinOriginalConfig(sa::CheckpointFamily::SD2);
    EXPECT_EQ(sd2.unet.num_attention_heads, (std::vector<int>{5, 10, 20, 20}));
    EXPECT_TRUE(sd2.unet.use_linear_projection);
    EXPECT_EQ(sd2.scheduler.prediction_type, "v_prediction");
    EXPECT_EQ(sd2.textConditioning.at(0), (sa::TextConditioning{-2, true}));
    const auto xl = sa::builtinOriginalConfig(sa::CheckpointFamily::SDXL);
    EXPECT_EQ(xl.unet.down_block_types, (std::vector<std::string>{"DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"}));
    EXPECT_EQ(xl.unet.transformer_layers_per_block, (std::vector<int>{1, 2, 10}));
    EXPECT_EQ(xl.unet.addition_time_embed_dim, 256);
    EXPECT_EQ(xl.unet.projection_class_embeddings_input_dim, 2816);
    EXPECT_EQ(xl.vae.scaling_factor, 0.13025);
    EXPECT_EQ(xl.textConditioning, (std::vector<sa::TextConditioning>{{11, false}, {-2, false}}));
}

// A YAML that contradicts the weights: the error names the key and both shapes.
TEST(SingleFile, YamlContradictingTheWeightsNamesKeyAndShapes) {
    const auto& c = caseOf("sd1");
    const int context = c.params.at("ldm_params").at("context_dim").get<int>();
    TempDir dir;
    auto yaml = std::regex_replace(slurp(c.yaml()), std::regex("context_dim: " + std::to_string(context)),
                                   "context_dim: " + std::to_string(context + 16));
    ASSERT_NE(yaml, slurp(c.yaml()));
    std::ofstream(dir.path() / "wrong.yaml") << yaml;
    auto options = c.options();
    options.config = dir.path() / "wrong.yaml";
    const auto msg = errorOf([&] { (void)sa::loadSingleFile(c.file(), options); });
    EXPECT_THAT(msg, HasSubstr("attn2.to_k.weight: file ["));
    EXPECT_THAT(msg, HasSubstr(fmt::format(", {}] vs config [", context)));
    EXPECT_THAT(msg, HasSubstr(fmt::format(", {}]", context + 16)));
    EXPECT_THAT(msg, HasSubstr("wrong.yaml"));
}

TEST(SingleFile, BadYamlIsAClearError) {
    const auto& c = caseOf("sd1");
    const auto text = slurp(c.yaml());
    const std::vector<std::pair<std::string, std::string>> edits{
        {"ldm.modules.diffusionmodules.openaimodel.UNetModel", "my.custom.UNet"},
        {"num_res_blocks: 2", "num_res_blocks: 2\n        use_scale_shift_norm: True"},
        {"num_res_blocks: 2", "num_res_blocks: 2\n        flux_capacitor: 3"},
        {"num_res_blocks: 2", "num_res_blocks: two"},
        {"model:", "model: [unbalanced"},
    };
    const std::vector<std::string> expected{"unknown target 'my.custom.UNet' at model.params.unet_config.target",
                                            "use_scale_shift_norm = true is not supported",
                                            "unsupported field 'model.params.unet_config.params.flux_capacitor'",
                                            "'model.params.unet_config.params.num_res_blocks' has the wrong type",
                                            "not valid YAML"};
    for (size_t i = 0; i < edits.size(); ++i) {
        const auto at = text.find(edits[i].first);
        ASSERT_NE(at, std::string::npos) << edits[i].first;
        auto edited = text;
        edited.replace(at, edits[i].first.size(), edits[i].second);
        const auto msg = errorOf([&] { (void)sa::parseOriginalConfig(edited, "edited.yaml"); });
        EXPECT_THAT(msg, HasSubstr("edited.yaml")) << msg;
        EXPECT_THAT(msg, HasSubstr(expected[i])) << msg;
    }
    EXPECT_THAT(errorOf([] { (void)sa::readOriginalConfig("/nonexistent/x.yaml"); }), HasSubstr("/nonexistent/x.yaml"));
    // Found by fuzz_original_yaml (its corpus keeps the input): a key that is not a name escaped
    // as yaml-cpp's BadConversion.
    EXPECT_THAT(errorOf([] { (void)sa::parseOriginalConfig("model: {target: ldm.models.diffusion.ddpm.LatentDiffusion, "
                                                           "params: {unet_config: {target: ldm.modules.diffusionmodules."
                                                           "openaimodel.UNetModel, params: {? [a] : 1}}}}", "k.yaml"); }),
                HasSubstr("k.yaml"));
}

TEST(SingleFile, YamlOfAnotherFamilyIsRefused) {
    const auto& sd1 = caseOf("sd1");
    const auto& xl = caseOf("sdxl");
    auto options = sd1.options();
    options.config = xl.yaml();
    EXPECT_THAT(errorOf([&] { (void)sa::loadSingleFile(sd1.file(), options); }), HasSubstr("describes an SDXL model"));
}

// Without the YAML beside it, the standard configuration is used: the tiny file then fails with
// the key and both shapes, before any network is built.
TEST(SingleFile, BuiltInConfigurationAgainstOtherWeights) {
    const auto& c = caseOf("sd1");
    TempDir dir;
    fs::copy_file(c.file(), dir.path() / "model.safetensors");
    auto options = c.options();
    options.config.clear();
    const auto msg = errorOf([&] { (void)sa::loadSingleFile(dir.path() / "model.safetensors", options); });
    EXPECT_THAT(msg, HasSubstr("built-in SD 1.x configuration"));
    EXPECT_THAT(msg, HasSubstr("] vs config ["));
    EXPECT_THAT(msg, HasSubstr("model.diffusion_model."));
}

TEST(SingleFile, YamlBesideTheFileIsFound) {
    const auto& c = caseOf("sd1");
    TempDir dir;
    fs::copy_file(c.file(), dir.path() / "mine.safetensors");
    fs::copy_file(c.yaml(), dir.path() / "mine.yaml");
    auto options = c.options();
    options.config.clear();
    auto model = sa::loadSingleFile(dir.path() / "mine.safetensors", options);
    EXPECT_EQ(model->configSource, "mine.yaml");
    EXPECT_THAT(model->summary(), HasSubstr("SD 1.x"));
}

TEST(SingleFile, TextEncoderHeadsMustBeGivenForOddWidths) {
    for (const auto& c : singleFileCases()) {
        auto options = c.options();
        for (auto& e : options.textEncoders) e.heads.reset();
        bool realWidths = true;
        for (const auto& [name, e] : c.params.at("text_encoders").items()) realWidths &= e.at("hidden_size").get<int>() % 64 == 0;
        if (realWidths) continue;
        EXPECT_THAT(errorOf([&] { (void)sa::loadSingleFile(c.file(), options); }), HasSubstr("number of heads")) << c.name;
    }
}

TEST(SingleFile, PredictionTypeOverride) {
    const auto& c = caseOf("sd2");
    auto options = c.options();
    options.predictionType = "epsilon";
    auto model = sa::loadSingleFile(c.file(), options);
    EXPECT_EQ(model->schedulerConfig.prediction_type, "epsilon");
    options.predictionType = "x0";
    EXPECT_THAT(errorOf([&] { (void)sa::loadSingleFile(c.file(), options); }), HasSubstr("prediction type 'x0'"));
}

TEST(SingleFile, PickleCheckpointsAreRefusedWithAHint) {
    TempDir dir;
    std::ofstream(dir.path() / "model.ckpt") << "PK\x03\x04 pickle";
    const auto msg = errorOf([&] { (void)sa::StableDiffusionModel::load(dir.path() / "model.ckpt"); });
    EXPECT_THAT(msg, HasSubstr("model.ckpt"));
    EXPECT_THAT(msg, HasSubstr("Convert it to safetensors"));
}

TEST(SingleFile, ProgressAndCancel) {
    const auto& c = caseOf("sd1");
    auto options = c.options();
    std::vector<double> fractions;
    options.progress = [&](double f, const std::string&) { fractions.push_back(f); };
    (void)sa::loadSingleFile(c.file(), options);
    ASSERT_GT(fractions.size(), 3u);
    EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
    EXPECT_EQ(fractions.back(), 1.0);

    sa::CancelToken cancel;
    options.cancel = &cancel;
    options.progress = [&](double f, const std::string&) { if (f > 0.2) cancel.cancel(); };
    EXPECT_THROW((void)sa::loadSingleFile(c.file(), options), sa::Cancelled);
}

// convert: the diffusers folder loads back and computes exactly what the single file computes.
TEST(SingleFile, ConvertedFolderMatchesTheFile) {
    for (const auto& c : singleFileCases()) {
        SCOPED_TRACE(c.name);
        auto model = sa::loadSingleFile(c.file(), c.options());
        TempDir dir;
        sa::saveAsDiffusers(*model, dir.path() / "converted");
        EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1) << "only the folder";
        auto folder = sa::StableDiffusionModel::load(dir.path() / "converted");
        EXPECT_EQ(folder->schedulerConfig.prediction_type, model->schedulerConfig.prediction_type);
        torch::NoGradGuard noGrad;
        const std::vector<std::string> prompts{"a photo of a cat", ""};
        auto a = sa::encodePrompts(*model, prompts), b = sa::encodePrompts(*folder, prompts);
        EXPECT_TRUE(torch::equal(a.context, b.context));
        if (a.pooled.defined()) EXPECT_TRUE(torch::equal(a.pooled, b.pooled));
        const auto channels = model->unet->config().in_channels;
        auto sample = torch::randn({2, channels, 8, 8}, torch::Generator(at::detail::createCPUGenerator(7)));
        sa::AddedCond added{a.pooled, torch::ones({2, 6})};
        auto* cond = model->isXL() ? &added : nullptr;
        EXPECT_TRUE(torch::equal(model->unet->forward(sample, torch::tensor(500), a.context, cond),
                                 folder->unet->forward(sample, torch::tensor(500), b.context, cond)));
        EXPECT_THAT(errorOf([&] { sa::saveAsDiffusers(*model, dir.path() / "converted"); }), HasSubstr("already exists"));
    }
}

}  // namespace

namespace {

// A small safetensors file with these (name → shape) float16 tensors of zeros.
fs::path writeFile(const fs::path& file, const std::vector<std::pair<std::string, std::vector<int64_t>>>& tensors) {
    std::map<std::string, torch::Tensor> map;
    for (const auto& [name, shape] : tensors) map[name] = torch::zeros(shape, torch::kFloat16);
    sa::saveSafetensors(file, map);
    return file;
}

TEST(SingleFile, OtherKindsOfFilesSayWhatTheyAre) {
    TempDir dir;
    const std::vector<std::pair<std::vector<std::pair<std::string, std::vector<int64_t>>>, std::string>> cases{
        {{{"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", {4, 8}}}, "it is a LoRA"},
        {{{"encoder.down.0.block.0.conv1.weight", {4, 4}}, {"decoder.conv_in.weight", {4, 4}}}, "a VAE alone"},
        {{{"model.diffusion_model.input_blocks.0.0.weight", {32, 9, 3, 3}}, {"first_stage_model.quant_conv.weight", {8, 8, 1, 1}},
          {"cond_stage_model.transformer.text_model.final_layer_norm.weight", {8}}}, "9 input channels"},
    };
    int i = 0;
    for (const auto& [tensors, expected] : cases) {
        const auto file = writeFile(dir.path() / fmt::format("file{}.safetensors", i++), tensors);
        const auto msg = errorOf([&] { (void)sa::loadSingleFile(file); });
        EXPECT_THAT(msg, HasSubstr(expected));
        EXPECT_THAT(msg, HasSubstr(file.string()));
    }
}

// A header that announces wide text-encoder layers it does not hold is refused before any
// network is allocated, naming the missing weights.
TEST(SingleFile, TextEncoderSizesAreCheckedBeforeBuilding) {
    TempDir dir;
    const std::string te = "cond_stage_model.transformer.text_model.";
    const auto file = writeFile(dir.path() / "odd.safetensors",
                                {{te + "embeddings.token_embedding.weight", {1, 4096}},
                                 {te + "embeddings.position_embedding.weight", {1, 4096}},
                                 {te + "encoder.layers.0.layer_norm1.weight", {4096}},
                                 {te + "encoder.layers.0.mlp.fc1.weight", {1, 4096}},
                                 {"model.diffusion_model.out.2.bias", {4}},
                                 {"first_stage_model.quant_conv.bias", {8}}});
    sa::LoadOptions options;
    options.textEncoders = {{1, std::nullopt}};
    const auto msg = errorOf([&] { (void)sa::loadSingleFile(file, options); });
    EXPECT_THAT(msg, HasSubstr("does not describe this file's networks"));
    EXPECT_THAT(msg, HasSubstr(te + "encoder.layers.0.self_attn.q_proj.weight"));
}

TEST(SingleFile, SingleFileOptionsAreRefusedForFolders) {
    sa::LoadOptions options;
    options.config = caseOf("sd1").yaml();
    EXPECT_THAT(errorOf([&] { (void)sa::StableDiffusionModel::load(goldenDir() / "tiny-sd15", options); }),
                HasSubstr("single-file checkpoints only"));
}

}  // namespace

namespace {

// set.json keeps a single file's load options; they come back as they were, bad ones are refused.
TEST(SingleFile, ModelOptionsRoundTripThroughSetJson) {
    sa::LoadOptions options = caseOf("sdxl").options();
    options.predictionType = "epsilon";
    sa::ImageSetSpec spec;
    spec.model = caseOf("sdxl").file().string();
    spec.modelOptions = sa::modelOptionsToJson(options);
    spec.seeds = {1};
    const auto back = sa::ImageSetSpec::fromJson(spec.toJson(), "set.json");
    sa::LoadOptions loaded;
    sa::modelOptionsFromJson(back.modelOptions, loaded, "set.json");
    EXPECT_EQ(loaded.config, options.config);
    EXPECT_EQ(loaded.predictionType, options.predictionType);
    ASSERT_EQ(loaded.textEncoders.size(), options.textEncoders.size());
    for (size_t i = 0; i < loaded.textEncoders.size(); ++i) {
        EXPECT_EQ(loaded.textEncoders[i].heads, options.textEncoders[i].heads);
        EXPECT_EQ(loaded.textEncoders[i].hiddenAct, options.textEncoders[i].hiddenAct);
    }
    EXPECT_TRUE(sa::modelOptionsToJson(sa::LoadOptions{}).empty());
    EXPECT_FALSE(sa::ImageSetSpec::fromJson(sa::ImageSetSpec{.seeds = {1}}.toJson(), "x").modelOptions.contains("config"));
    for (const auto& bad : {json{{"text_encoder_heads", {-1}}}, json{{"flux", 1}}, json{{"config", 3}}}) {
        sa::LoadOptions o;
        EXPECT_THAT(errorOf([&] { sa::modelOptionsFromJson(bad, o, "set.json"); }), HasSubstr("set.json")) << bad;
    }
}

}  // namespace
