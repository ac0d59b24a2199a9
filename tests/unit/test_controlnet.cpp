// ControlNet beyond the golden cases: configs, folders and files that are refused, the UNet's
// residual checks, control maps (Canny, preparation, reading), the control request's checks and
// the pipelines' control semantics (scale, step range, the reference cache).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/io/control_image.h"
#include "core/io/safetensors.h"
#include "core/io/state_dict.h"
#include "core/pipeline/style_aligned_pipeline.h"
#include "support/expect_error.h"
#include "support/golden_dir.h"
#include "support/scratch_folder.h"

namespace fs = std::filesystem;
using namespace sa;
using sa::test::expectSaError;
using sa::test::goldenDir;
using sa::test::ScratchFolder;

namespace {

nlohmann::json readJson(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open " + file.string());
    return nlohmann::json::parse(in);
}

void writeJson(const fs::path& file, const nlohmann::json& json) {
    std::ofstream(file) << json.dump(2);
}

// A tiny model of the golden folder, its ControlNet (tiny-controlnet-<family>) and the image
// size of the golden ControlNet case (else the model's default size).
struct Tiny {
    std::shared_ptr<StableDiffusionModel> model;
    ControlNetModel net{nullptr};
    fs::path folder;
    int height = 0, width = 0;
};

const Tiny& tiny(const std::string& family) {
    static std::map<std::string, Tiny> cache;
    if (auto it = cache.find(family); it != cache.end()) return it->second;
    Tiny t;
    t.model = StableDiffusionModel::load(goldenDir() / ("tiny-" + family));
    t.folder = goldenDir() / ("tiny-controlnet-" + family);
    t.net = loadControlNet(t.folder, t.model->unet->config()).net;
    const auto caseFile = goldenDir() / "cases" / ("controlnet_" + family + ".json");
    if (fs::exists(caseFile)) {
        const auto params = readJson(caseFile).at("params");
        t.height = params.at("height").get<int>();
        t.width = params.at("width").get<int>();
    } else {
        t.height = t.width = t.model->unet->config().sample_size * t.model->vaeScaleFactor();
    }
    return cache.emplace(family, std::move(t)).first->second;
}

std::string otherFamily(const std::string& family) { return family == "sd15" ? "sdxl" : "sd15"; }

// A CFG-sized batch of random ControlNet / UNet inputs at the family's size.
struct Inputs {
    torch::Tensor sample, t, context, cond;
    AddedCond added;
    const AddedCond* addedPtr() const { return added.textEmbeds.defined() ? &added : nullptr; }
};

Inputs randomInputs(const Tiny& t, int64_t rows = 4) {
    torch::manual_seed(3);
    const auto& c = t.model->unet->config();
    const int factor = t.model->vaeScaleFactor();
    Inputs in{torch::randn({rows, c.in_channels, t.height / factor, t.width / factor}), torch::tensor(400),
              torch::randn({rows, t.model->tokenizer->maxLength(), c.cross_attention_dim[0]}),
              torch::rand({rows, t.net->config().conditioning_channels, t.height, t.width}), {}};
    if (t.model->isXL()) {
        const auto h = static_cast<float>(t.height), w = static_cast<float>(t.width);
        in.added = {torch::randn({rows, t.model->textEncoder2->config().projection_dim}),
                    torch::tensor({h, w, 0.f, 0.f, h, w}).repeat({rows, 1})};
    }
    return in;
}

UNetResiduals residualsOf(ControlNetModel net, const Inputs& in, double scale = 1.0, bool guess = false) {
    torch::NoGradGuard noGrad;
    return net->forward(in.sample, in.t, in.context, in.cond, scale, in.addedPtr(), guess);
}

// A ControlNet built from `config` holding the weights of `from`.
ControlNetModel withWeights(const ControlNetConfig& config, ControlNetModel from) {
    torch::NoGradGuard noGrad;
    ControlNetModel net(config);
    auto source = from->named_parameters();
    for (auto& p : net->named_parameters()) p.value().copy_(source[p.key()]);
    net->eval();
    return net;
}

class ControlNetTest : public testing::TestWithParam<std::string> {};

// A ControlNet this project writes (stylealigned-train controlnet: config.json from toJson and
// the weights) loads back as the same network.
TEST_P(ControlNetTest, WrittenFolderLoadsBackTheSame) {
    const auto& t = tiny(GetParam());
    ScratchFolder scratch("sa_controlnet_write");
    const auto& config = t.net->config();
    EXPECT_EQ(ControlNetConfig::fromJson(JsonConfig(config.toJson(), "written")).toJson(), config.toJson());
    writeJson(scratch.path / "config.json", config.toJson());
    auto net = t.net;
    saveStateDict(*net, scratch.path / "diffusion_pytorch_model.safetensors");
    auto back = loadControlNet(scratch.path, t.model->unet->config()).net;
    const auto in = randomInputs(t, 2);
    const auto a = residualsOf(t.net, in), b = residualsOf(back, in);
    ASSERT_EQ(a.down.size(), b.down.size());
    for (size_t i = 0; i < a.down.size(); ++i) EXPECT_TRUE(torch::equal(a.down[i], b.down[i])) << i;
    EXPECT_TRUE(torch::equal(a.mid, b.mid));
}

// Config values this port would not honour are refused, naming the file and the key.
TEST_P(ControlNetTest, ConfigValuesThatChangeBehaviourAreRefused) {
    const auto json = readJson(tiny(GetParam()).folder / "config.json");
    const auto config = ControlNetConfig::fromJson(JsonConfig(json, "cn.json"));
    EXPECT_EQ(config.numDownResiduals(), static_cast<int>(tiny(GetParam()).net->controlnetDownBlocks.size()));
    const std::vector<std::pair<std::string, nlohmann::json>> refused{
        {"controlnet_conditioning_channel_order", "xyz"},
        {"class_embed_type", "timestep"},
        {"num_class_embeds", 10},
        {"encoder_hid_dim", 32},
        {"mid_block_type", "UNetMidBlock2D"},
        {"conditioning_embedding_out_channels", nlohmann::json::array()},
        {"conditioning_channels", 0},
        {"resnet_time_scale_shift", "scale_shift"},
        {"addition_embed_type", "text"},
        {"_class_name", "UNet2DConditionModel"}};
    for (const auto& [key, value] : refused) {
        SCOPED_TRACE(key);
        auto bad = json;
        bad[key] = value;
        expectSaError([&] { ControlNetConfig::fromJson(JsonConfig(bad, "cn.json")); }, {"cn.json", key});
    }
}

// A ControlNet whose residuals or inputs would not fit the UNet is refused, naming the field.
TEST_P(ControlNetTest, ControlNetThatDoesNotFitTheUNetIsRefused) {
    const auto& t = tiny(GetParam());
    const auto& unet = t.model->unet->config();
    const auto json = readJson(t.folder / "config.json");
    auto changed = [&](const std::string& key, const nlohmann::json& value) {
        auto j = json;
        j[key] = value;
        return ControlNetConfig::fromJson(JsonConfig(j, "cn.json"));
    };
    auto wider = json.at("block_out_channels");
    for (auto& v : wider) v = v.get<int>() * 2;
    expectSaError([&] { checkControlNetFits(changed("block_out_channels", wider), unet, "cn"); }, {"cn", "block_out_channels"});
    expectSaError([&] { checkControlNetFits(changed("layers_per_block", unet.layers_per_block + 1), unet, "cn"); },
                  {"layers_per_block"});
    expectSaError([&] { checkControlNetFits(changed("cross_attention_dim", unet.cross_attention_dim[0] + 8), unet, "cn"); },
                  {"cross_attention_dim"});
    expectSaError([&] { checkControlNetFits(changed("in_channels", unet.in_channels + 1), unet, "cn"); }, {"in_channels"});
    auto other = json;
    if (unet.addition_embed_type) {
        other["addition_embed_type"] = nullptr;
    } else {
        other["addition_embed_type"] = "text_time";
        other["addition_time_embed_dim"] = 8;
        other["projection_class_embeddings_input_dim"] = 56;
    }
    expectSaError([&] { checkControlNetFits(ControlNetConfig::fromJson(JsonConfig(other, "cn.json")), unet, "cn"); },
                  {"addition_embed_type"});
    // The other family's ControlNet, loaded for this UNet.
    const auto& o = tiny(otherFamily(GetParam()));
    expectSaError([&] { loadControlNet(o.folder, unet); }, {"config.json", "does not fit"});
}

// Missing, unexpected and mis-shaped weights are listed together.
TEST_P(ControlNetTest, WeightsThatDoNotMatchAreListed) {
    const auto& t = tiny(GetParam());
    ScratchFolder scratch("cn");
    fs::copy_file(t.folder / "config.json", scratch.path / "config.json");
    auto tensors = SafetensorsFile::open(t.folder / "diffusion_pytorch_model.safetensors")->all();
    tensors.erase("controlnet_mid_block.weight");
    tensors["controlnet_down_blocks.0.weight"] = tensors["controlnet_down_blocks.0.weight"].flatten(1);
    tensors["controlnet_extra.weight"] = torch::zeros({2});
    saveSafetensors(scratch.path / "diffusion_pytorch_model.safetensors", tensors);
    expectSaError([&] { loadControlNet(scratch.path, t.model->unet->config()); },
                  {"controlnet_mid_block.weight", "controlnet_extra.weight", "controlnet_down_blocks.0.weight"});
    fs::remove(scratch.path / "diffusion_pytorch_model.safetensors");
    scratch.write("diffusion_pytorch_model.bin", "pickle");
    expectSaError([&] { loadControlNet(scratch.path, t.model->unet->config()); }, {"pickle"});
    expectSaError([&] { loadControlNet(scratch.path / "none", t.model->unet->config()); }, {"none", "no such ControlNet"});
}

// A lone .safetensors in diffusers layout loads with its config derived from the UNet and its
// own weights' shapes, and computes what the folder computes; a config beside it is used; a
// pickle is refused.
TEST_P(ControlNetTest, SingleFileInDiffusersLayout) {
    const auto& t = tiny(GetParam());
    const auto& unet = t.model->unet->config();
    ScratchFolder scratch("cn");
    const auto file = scratch.path / "my-controlnet.safetensors";
    fs::copy_file(t.folder / "diffusion_pytorch_model.safetensors", file);
    const auto derived = loadControlNet(file, unet);
    ASSERT_FALSE(derived.notes.empty());
    EXPECT_NE(derived.notes.front().find("derived"), std::string::npos) << derived.notes.front();
    EXPECT_EQ(derived.net->config().conditioning_embedding_out_channels, t.net->config().conditioning_embedding_out_channels);
    EXPECT_EQ(derived.net->config().transformer_layers_per_block, t.net->config().transformer_layers_per_block);
    const auto in = randomInputs(t, 2);
    const auto a = residualsOf(derived.net, in), b = residualsOf(t.net, in);
    ASSERT_EQ(a.down.size(), b.down.size());
    for (size_t i = 0; i < a.down.size(); ++i) EXPECT_TRUE(torch::equal(a.down[i], b.down[i])) << i;
    EXPECT_TRUE(torch::equal(a.mid, b.mid));

    fs::copy_file(t.folder / "config.json", scratch.path / "my-controlnet.json");
    const auto beside = loadControlNet(file, unet);
    ASSERT_FALSE(beside.notes.empty());
    EXPECT_NE(beside.notes.front().find("my-controlnet.json"), std::string::npos);

    scratch.write("model.ckpt", "pickle");
    expectSaError([&] { loadControlNet(scratch.path / "model.ckpt", unet); }, {"model.ckpt", "pickle"});
}

// A diffusers ControlNet name in the original ControlNet repository's layout (LDM openaimodel
// names; diffusers convert_from_ckpt.py read backwards), written out here on its own so that the
// loader's table is checked against an independent spelling.
std::string originalKey(const std::string& name, int layers, int hintBlocks) {
    static const std::map<std::string, std::string> resnetParts{
        {"norm1", "in_layers.0"}, {"conv1", "in_layers.2"}, {"time_emb_proj", "emb_layers.1"},
        {"norm2", "out_layers.0"}, {"conv2", "out_layers.3"}, {"conv_shortcut", "skip_connection"}};
    auto resnet = [](const std::string& rest) {
        const auto dot = rest.find('.');
        return resnetParts.at(rest.substr(0, dot)) + rest.substr(dot);
    };
    auto level = [&](const std::string& block, const std::string& layer) {
        return 1 + std::stoi(block) * (layers + 1) + std::stoi(layer);
    };
    static const std::vector<std::pair<std::string, std::string>> renamed{
        {"conv_in.", "input_blocks.0.0."},
        {"time_embedding.linear_1.", "time_embed.0."},
        {"time_embedding.linear_2.", "time_embed.2."},
        {"add_embedding.linear_1.", "label_emb.0.0."},
        {"add_embedding.linear_2.", "label_emb.0.2."},
        {"mid_block.attentions.0.", "middle_block.1."},
        {"controlnet_mid_block.", "middle_block_out.0."},
        {"controlnet_cond_embedding.conv_in.", "input_hint_block.0."}};
    for (const auto& [from, to] : renamed)
        if (name.rfind(from, 0) == 0) return to + name.substr(from.size());
    std::smatch m;
    if (std::regex_match(name, m, std::regex(R"(down_blocks\.(\d+)\.resnets\.(\d+)\.(.*))")))
        return fmt::format("input_blocks.{}.0.{}", level(m[1], m[2]), resnet(m[3]));
    if (std::regex_match(name, m, std::regex(R"(down_blocks\.(\d+)\.attentions\.(\d+)\.(.*))")))
        return fmt::format("input_blocks.{}.1.{}", level(m[1], m[2]), m[3].str());
    if (std::regex_match(name, m, std::regex(R"(down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.*))")))
        return fmt::format("input_blocks.{}.0.op.{}", (std::stoi(m[1]) + 1) * (layers + 1), m[2].str());
    if (std::regex_match(name, m, std::regex(R"(mid_block\.resnets\.(\d)\.(.*))")))
        return fmt::format("middle_block.{}.{}", 2 * std::stoi(m[1]), resnet(m[2]));
    if (std::regex_match(name, m, std::regex(R"(controlnet_cond_embedding\.blocks\.(\d+)\.(.*))")))
        return fmt::format("input_hint_block.{}.{}", 2 * (std::stoi(m[1]) + 1), m[2].str());
    if (std::regex_match(name, m, std::regex(R"(controlnet_cond_embedding\.conv_out\.(.*))")))
        return fmt::format("input_hint_block.{}.{}", 2 * (hintBlocks + 1), m[1].str());
    if (std::regex_match(name, m, std::regex(R"(controlnet_down_blocks\.(\d+)\.(.*))")))
        return fmt::format("zero_convs.{}.0.{}", m[1].str(), m[2].str());
    throw std::runtime_error("no original name for " + name);
}

// Files in the original ControlNet layout, with the "control_model." namespace (beside other
// networks' keys) or without, load with a derived config and compute what the folder computes.
TEST_P(ControlNetTest, SingleFileInOriginalLayout) {
    const auto& t = tiny(GetParam());
    ScratchFolder scratch("cn");
    const auto& config = t.net->config();
    const int hintBlocks = 2 * (static_cast<int>(config.conditioning_embedding_out_channels.size()) - 1);
    const auto diffusers = SafetensorsFile::open(t.folder / "diffusion_pytorch_model.safetensors")->all();
    const auto in = randomInputs(t, 2);
    const auto expected = residualsOf(t.net, in);
    for (const std::string prefix : {"control_model.", ""}) {
        SCOPED_TRACE("prefix '" + prefix + "'");
        std::map<std::string, torch::Tensor> original;
        for (const auto& [name, value] : diffusers)
            original[prefix + originalKey(name, config.layers_per_block, hintBlocks)] = value;
        if (!prefix.empty()) original["model.diffusion_model.out.2.weight"] = torch::zeros({1});  // another network
        const auto file = scratch.path / (prefix.empty() ? "bare.safetensors" : "namespaced.safetensors");
        saveSafetensors(file, original);
        const auto loaded = loadControlNet(file, t.model->unet->config());
        EXPECT_EQ(loaded.net->config().conditioning_embedding_out_channels, config.conditioning_embedding_out_channels);
        const auto actual = residualsOf(loaded.net, in);
        for (size_t i = 0; i < actual.down.size(); ++i) EXPECT_TRUE(torch::equal(actual.down[i], expected.down[i])) << i;
        EXPECT_TRUE(torch::equal(actual.mid, expected.mid));
        original.erase(prefix + "middle_block_out.0.bias");
        saveSafetensors(file, original);
        expectSaError([&] { loadControlNet(file, t.model->unet->config()); }, {"controlnet_mid_block.bias"});
    }
}

// The UNet takes exactly one residual per skip connection, of the skip's shape, and a mid one.
TEST_P(ControlNetTest, UNetRefusesResidualsThatDoNotFit) {
    const auto& t = tiny(GetParam());
    torch::NoGradGuard noGrad;
    const auto in = randomInputs(t);
    const auto residuals = residualsOf(t.net, in);
    auto forward = [&](const UNetResiduals& r) {
        return t.model->unet->forward(in.sample, in.t, in.context, in.addedPtr(), nullptr, &r);
    };
    const auto plain = t.model->unet->forward(in.sample, in.t, in.context, in.addedPtr());
    EXPECT_FALSE(torch::equal(forward(residuals), plain));
    auto fewer = residuals;
    fewer.down.pop_back();
    expectSaError([&] { forward(fewer); }, {"down residuals", std::to_string(residuals.down.size())});
    auto misshaped = residuals;
    misshaped.down[1] = misshaped.down[1].narrow(2, 0, misshaped.down[1].size(2) - 1);
    expectSaError([&] { forward(misshaped); }, {"residual down 1"});
    auto noMid = residuals;
    noMid.mid = torch::Tensor();
    expectSaError([&] { forward(noMid); }, {"mid"});
    // Zero residuals change nothing.
    auto zeros = residuals;
    for (auto& r : zeros.down) r = torch::zeros_like(r);
    zeros.mid = torch::zeros_like(zeros.mid);
    EXPECT_TRUE(torch::equal(forward(zeros), plain));
}

// global_pool_conditions averages every residual over its map (the UNet broadcasts it); guess
// mode scales the residuals log-spaced from 0.1 to 1; "bgr" flips the image's channels.
TEST_P(ControlNetTest, PoolingGuessModeAndChannelOrder) {
    const auto& t = tiny(GetParam());
    torch::NoGradGuard noGrad;
    const auto in = randomInputs(t);
    const auto plain = residualsOf(t.net, in, 0.5);

    auto pooledConfig = t.net->config();
    pooledConfig.global_pool_conditions = true;
    const auto pooled = residualsOf(withWeights(pooledConfig, t.net), in, 0.5);
    for (size_t i = 0; i < plain.down.size(); ++i) {
        EXPECT_EQ(pooled.down[i].size(2), 1);
        EXPECT_TRUE(torch::allclose(pooled.down[i], plain.down[i].mean({2, 3}, true), 1e-5, 1e-6)) << i;
    }
    EXPECT_TRUE(torch::allclose(pooled.mid, plain.mid.mean({2, 3}, true), 1e-5, 1e-6));
    EXPECT_NO_THROW(t.model->unet->forward(in.sample, in.t, in.context, in.addedPtr(), nullptr, &pooled));

    const auto guessed = residualsOf(t.net, in, 0.5, /*guess=*/true);
    const auto n = static_cast<int64_t>(plain.down.size());
    const auto scales = torch::logspace(-1, 0, n + 1);
    for (int64_t i = 0; i < n; ++i)
        EXPECT_TRUE(torch::allclose(guessed.down[i], plain.down[i] * 2 * scales[i] * 0.5, 1e-5, 1e-6)) << i;
    EXPECT_TRUE(torch::allclose(guessed.mid, plain.mid, 1e-5, 1e-6)) << "the mid residual takes the full scale";

    auto bgrConfig = t.net->config();
    bgrConfig.controlnet_conditioning_channel_order = "bgr";
    auto flipped = in;
    flipped.cond = in.cond.flip({1});
    const auto bgr = residualsOf(withWeights(bgrConfig, t.net), flipped, 0.5);
    EXPECT_TRUE(torch::equal(bgr.mid, plain.mid));
}

// The control request is checked before anything runs.
TEST_P(ControlNetTest, ControlRequestIsChecked) {
    const auto& t = tiny(GetParam());
    GenerationRequest r;
    r.prompts = {"a", "b", "c"};
    r.height = t.height;
    r.width = t.width;
    r.steps = 2;
    r.control = {.net = t.net, .images = torch::rand({1, 3, t.height, t.width}), .label = "my-cn"};
    EXPECT_NO_THROW(resolveRequest(*t.model, r));
    auto bad = r;
    bad.control.images = torch::rand({1, 3, t.height / 2, t.width});
    expectSaError([&] { resolveRequest(*t.model, bad); }, {"my-cn", "control images"});
    bad = r;
    bad.control.images = torch::rand({2, 3, t.height, t.width});
    expectSaError([&] { resolveRequest(*t.model, bad); }, {"control images", "1 or 3"});
    bad = r;
    bad.control.start = 0.6;
    bad.control.end = 0.5;
    expectSaError([&] { resolveRequest(*t.model, bad); }, {"control range"});
    bad = r;
    bad.control.mode = ControlMode::TargetsOnly;
    bad.control.guessMode = true;
    expectSaError([&] { resolveRequest(*t.model, bad); }, {"guess mode"});
    bad = r;
    bad.control.net = tiny(otherFamily(GetParam())).net;
    expectSaError([&] { resolveRequest(*t.model, bad); }, {"my-cn", "does not fit"});
    bad = r;
    bad.control.mode = ControlMode::TargetsOnly;
    expectSaError([&] { TextToImagePipeline(t.model).generate(bad, {}, nullptr, false); }, {"TargetsOnly"});
}

// Scale 0 or a step outside [start, end] runs no ControlNet: the images equal an uncontrolled
// run bit for bit; diffusers' controlnet_keep decides the controlled steps.
TEST_P(ControlNetTest, ScaleAndStepRange) {
    const auto& t = tiny(GetParam());
    GenerationRequest r;
    r.prompts = {"a red house", "a blue car"};
    r.height = t.height;
    r.width = t.width;
    r.steps = 4;
    TextToImagePipeline pipeline(t.model);
    const auto uncontrolled = pipeline.generate(r, {}, nullptr, false).latents;
    int runs = 0;
    r.control = {.net = t.net, .images = torch::rand({2, 3, t.height, t.width}), .scale = 0.0,
                 .observer = [&](const ControlTrace&) { ++runs; }};
    EXPECT_TRUE(torch::equal(pipeline.generate(r, {}, nullptr, false).latents, uncontrolled));
    EXPECT_EQ(runs, 0);
    r.control.scale = 0.7;
    r.control.start = 0.25;
    r.control.end = 0.75;
    std::vector<double> scales;
    for (int i = 0; i < r.steps; ++i) scales.push_back(r.control.scaleAt(i, r.steps));
    EXPECT_EQ(scales, (std::vector<double>{0.0, 0.7, 0.7, 0.0}));
    const auto controlled = pipeline.generate(r, {}, nullptr, false).latents;
    EXPECT_EQ(runs, 2);
    EXPECT_FALSE(torch::equal(controlled, uncontrolled));
}

// With the reference cache, a controlled set equals the one-batch set; the reference's control
// is part of the key under EveryImage and not under TargetsOnly (the reference is uncontrolled).
TEST_P(ControlNetTest, ReferenceCacheWithControl) {
    const auto& t = tiny(GetParam());
    StyleAlignedPipeline pipeline(t.model);
    for (auto mode : {ControlMode::EveryImage, ControlMode::TargetsOnly}) {
        SCOPED_TRACE(mode == ControlMode::EveryImage ? "EveryImage" : "TargetsOnly");
        StyleAlignedRequest request;
        auto& g = request.generation;
        g.prompts = {"a house, watercolor", "a dog", "a cat"};
        g.height = t.height;
        g.width = t.width;
        g.steps = 2;
        g.seed = 5;
        torch::manual_seed(9);
        g.control = {.net = t.net, .images = torch::rand({3, 3, t.height, t.width}), .scale = 0.8, .mode = mode};
        request.plan = LayerPlan::paperDefault(t.model->unet->selfAttentionPaths());
        ReferenceCache cache;
        const auto inline_ = pipeline.generate(request, {}, nullptr, false);
        const auto cold = pipeline.generate(request, {}, nullptr, false, &cache);
        const auto warm = pipeline.generate(request, {}, nullptr, false, &cache);
        EXPECT_TRUE(warm.referenceFromCache);
        EXPECT_TRUE(torch::equal(cold.latents, warm.latents));
        EXPECT_LT((cold.latents - inline_.latents).abs().max().item<double>(), 1e-4) << "cached vs one-batch set";

        auto uncontrolled = request;
        uncontrolled.generation.control = {};
        const auto plain = pipeline.generate(uncontrolled, {}, nullptr, false);
        const bool referenceMoved = !torch::allclose(plain.latents[0], inline_.latents[0], 0, 1e-6);
        EXPECT_EQ(referenceMoved, mode == ControlMode::EveryImage) << "the reference row under control";
        EXPECT_FALSE(torch::allclose(plain.latents[1], inline_.latents[1], 0, 1e-6)) << "a target under control";

        auto newMap = request;
        newMap.generation.control.images = newMap.generation.control.images.clone();
        newMap.generation.control.images[0].fill_(0.5);
        const auto key = referenceKey(*t.model, {resolveRequest(*t.model, g), request.plan});
        const auto newKey = referenceKey(*t.model, {resolveRequest(*t.model, newMap.generation), request.plan});
        const auto plainKey = referenceKey(*t.model, {resolveRequest(*t.model, uncontrolled.generation), request.plan});
        EXPECT_EQ(key != newKey, mode == ControlMode::EveryImage);
        EXPECT_EQ(key != plainKey, mode == ControlMode::EveryImage);
    }
}

INSTANTIATE_TEST_SUITE_P(TinyModels, ControlNetTest, testing::Values("sd15", "sdxl"),
                         [](const auto& info) { return info.param; });

// A white rectangle on black: edges on its outline only, white on black, three equal channels;
// grey and BGRA inputs give the same edges.
TEST(ControlImage, CannyEdges) {
    cv::Mat image(48, 64, CV_8UC3, cv::Scalar(0, 0, 0));
    cv::rectangle(image, cv::Rect(16, 12, 30, 20), cv::Scalar(255, 255, 255), cv::FILLED);
    const auto edges = cannyEdges(image, 100, 200);
    ASSERT_EQ(edges.type(), CV_8UC3);
    std::vector<cv::Mat> channels;
    cv::split(edges, channels);
    EXPECT_EQ(cv::countNonZero(channels[0] != channels[1]), 0);
    EXPECT_EQ(cv::countNonZero(channels[0] != channels[2]), 0);
    int onOutline = 0, elsewhere = 0;
    for (int y = 0; y < edges.rows; ++y)
        for (int x = 0; x < edges.cols; ++x) {
            const auto v = channels[0].at<uint8_t>(y, x);
            EXPECT_TRUE(v == 0 || v == 255);
            if (!v) continue;
            const bool nearOutline = (x >= 15 && x <= 46 && y >= 11 && y <= 32) && !(x >= 17 && x <= 44 && y >= 13 && y <= 30);
            (nearOutline ? onOutline : elsewhere)++;
        }
    EXPECT_EQ(elsewhere, 0);
    EXPECT_GE(onOutline, 80) << "most of the rectangle's 96-pixel outline";
    cv::Mat grey, bgra;
    cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
    cv::cvtColor(image, bgra, cv::COLOR_BGR2BGRA);
    EXPECT_EQ(cv::norm(cannyEdges(grey, 100, 200), edges, cv::NORM_INF), 0);
    EXPECT_EQ(cv::norm(cannyEdges(bgra, 100, 200), edges, cv::NORM_INF), 0);
    expectSaError([&] { cannyEdges(image, -1, 200); }, {"Canny"});
    expectSaError([&] { cannyEdges(image, 200, 100); }, {"Canny"});
}

// Edge agreement: a map against itself and one shifted by a pixel is 1, shifted by three nearly 0; half
// the edges present is a recall of ½ and a precision of 1; no edges is 0; maps of two sizes or not 8-bit
// are refused.
TEST(ControlImage, EdgesNear) {
    auto rectangleEdges = [](int dx, int dy) {
        cv::Mat image(48, 64, CV_8UC3, cv::Scalar(0, 0, 0));
        cv::rectangle(image, cv::Rect(16 + dx, 12 + dy, 30, 20), cv::Scalar(255, 255, 255), cv::FILLED);
        return cannyEdges(image);
    };
    const auto edges = rectangleEdges(0, 0);
    EXPECT_DOUBLE_EQ(edgesNear(edges, edges), 1.0);
    const auto moved = rectangleEdges(1, 1);  // every edge pixel within 1 px of one of the original
    EXPECT_DOUBLE_EQ(edgesNear(edges, moved), 1.0);
    EXPECT_LT(edgesNear(edges, rectangleEdges(3, 3)), 0.1);  // the outlines only cross
    cv::Mat left = edges.clone();
    left.colRange(32, 64).setTo(0);  // the left half of the outline
    const double recall = edgesNear(edges, left);
    EXPECT_GT(recall, 0.4);
    EXPECT_LT(recall, 0.6);
    EXPECT_DOUBLE_EQ(edgesNear(left, edges), 1.0);
    const cv::Mat none(48, 64, CV_8UC3, cv::Scalar(0, 0, 0));
    EXPECT_EQ(edgesNear(none, edges), 0.0);
    EXPECT_EQ(edgesNear(edges, none), 0.0);
    expectSaError([&] { edgesNear(edges, cv::Mat(32, 32, CV_8UC3, cv::Scalar(0, 0, 0))); }, {"different sizes"});
    cv::Mat floats;
    edges.convertTo(floats, CV_32F);
    expectSaError([&] { edgesNear(floats, edges); }, {"8-bit"});
}

// prepare_image: RGB order, uint8 / 255, grey expanded, alpha dropped (not composited), resized
// to the generation size, each change noted.
TEST(ControlImage, PreparedAsThePipelinesDo) {
    cv::Mat bgr(10, 20, CV_8UC3, cv::Scalar(0, 0, 0));
    bgr.at<cv::Vec3b>(2, 3) = {255, 128, 7};  // B, G, R
    std::vector<std::string> notes;
    const auto t = controlImageTensor(bgr, 20, 10, &notes);
    EXPECT_TRUE(notes.empty());
    ASSERT_EQ(t.sizes().vec(), (std::vector<int64_t>{1, 3, 10, 20}));
    EXPECT_FLOAT_EQ(t[0][0][2][3].item<float>(), 7.0f / 255.0f);
    EXPECT_FLOAT_EQ(t[0][1][2][3].item<float>(), 128.0f / 255.0f);
    EXPECT_FLOAT_EQ(t[0][2][2][3].item<float>(), 1.0f);

    cv::Mat grey(10, 20, CV_8UC1, cv::Scalar(77));
    const auto g = controlImageTensor(grey, 20, 10, &notes);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("grey"), std::string::npos);
    EXPECT_TRUE(torch::equal(g[0][0], g[0][2]));

    notes.clear();
    cv::Mat bgra(10, 20, CV_8UC4, cv::Scalar(30, 20, 10, 0));  // fully transparent
    const auto a = controlImageTensor(bgra, 20, 10, &notes);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("alpha"), std::string::npos);
    EXPECT_FLOAT_EQ(a[0][0][0][0].item<float>(), 10.0f / 255.0f) << "colours kept, not composited on white";

    notes.clear();
    cv::Mat flat(10, 20, CV_8UC3, cv::Scalar(40, 40, 40));
    const auto resized = controlImageTensor(flat, 30, 30, &notes);
    ASSERT_EQ(resized.sizes().vec(), (std::vector<int64_t>{1, 3, 30, 30}));
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("resized from 20x10 to 30x30"), std::string::npos) << notes[0];
    EXPECT_NE(notes[0].find("aspect ratio"), std::string::npos);
    EXPECT_TRUE(torch::allclose(resized, torch::full_like(resized, 40.0f / 255.0f)));

    notes.clear();
    const auto two = controlImagesTensor({bgr, grey}, 20, 10, &notes);
    EXPECT_EQ(two.size(0), 2);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0].rfind("image 1: ", 0), 0u) << notes[0];

    expectSaError([&] { controlImageTensor(cv::Mat(), 20, 10); }, {"empty"});
    expectSaError([&] { controlImageTensor(cv::Mat(10, 20, CV_16UC3), 20, 10); }, {"8-bit"});
    expectSaError([&] { controlImageTensor(bgr, 0, 10); }, {"size"});
}

// A map file is read with its own channels; damaged files are refused, naming them.
TEST(ControlImage, ReadControlImage) {
    ScratchFolder scratch("cn_image");
    cv::Mat bgra(8, 8, CV_8UC4, cv::Scalar(30, 20, 10, 0));
    cv::imwrite((scratch.path / "alpha.png").string(), bgra);
    const auto alpha = readControlImage(scratch.path / "alpha.png");
    EXPECT_NE(alpha.note().find("alpha"), std::string::npos) << alpha.note();
    EXPECT_EQ(alpha.image.type(), CV_8UC3);
    EXPECT_EQ(alpha.image.at<cv::Vec3b>(0, 0), cv::Vec3b(30, 20, 10));

    cv::imwrite((scratch.path / "grey.png").string(), cv::Mat(8, 8, CV_8UC1, cv::Scalar(9)));
    const auto grey = readControlImage(scratch.path / "grey.png");
    EXPECT_NE(grey.note().find("grey"), std::string::npos);
    EXPECT_EQ(grey.image.at<cv::Vec3b>(3, 3), cv::Vec3b(9, 9, 9));

    cv::imwrite((scratch.path / "deep.png").string(), cv::Mat(8, 8, CV_16UC3, cv::Scalar(65535, 0, 257)));
    const auto deep = readControlImage(scratch.path / "deep.png");
    EXPECT_NE(deep.note().find("16-bit"), std::string::npos);
    EXPECT_EQ(deep.image.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 0, 1));

    cv::imwrite((scratch.path / "plain.png").string(), cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)));
    EXPECT_TRUE(readControlImage(scratch.path / "plain.png").notes.empty());

    scratch.write("junk.png", "this is not an image");
    expectSaError([&] { readControlImage(scratch.path / "junk.png"); }, {"junk.png"});
    expectSaError([&] { readControlImage(scratch.path / "missing.png"); }, {"missing.png"});
}

}  // namespace
