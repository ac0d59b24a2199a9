// LoRA (core/models/lora, StableDiffusionModel's LoRA list): reading both formats and their older
// key layouts, the errors (unmatched keys, shapes, another family, bad files), weights, switching
// and removal against fresh loads, merged weights, and the reference cache key. The models and
// LoRA files are the golden folder's (the lora_* case names them), so any folder of the same
// structure is checked the same way.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/io/safetensors.h"
#include "core/models/lora.h"
#include "core/pipeline/reference_cache.h"
#include "core/pipeline/style_aligned_pipeline.h"
#include "support/expect_error.h"
#include "support/golden_dir.h"
#include "support/scratch_folder.h"

namespace fs = std::filesystem;
using nlohmann::json;
using sa::test::expectSaError;
using sa::test::goldenDir;

namespace {

// The first lora_* case: its model folder, files and inputs.
struct LoraCase {
    std::string name;
    json params;
    std::shared_ptr<const sa::SafetensorsFile> tensors;

    fs::path model() const { return goldenDir() / ("tiny-" + name.substr(name.rfind('_') + 1)); }
    fs::path file(const std::string& format) const { return goldenDir() / params.at("files").at(format).get<std::string>(); }
    std::vector<std::string> formats() const {
        std::vector<std::string> out;
        for (const auto& [format, file] : params.at("files").items()) out.push_back(format);
        return out;
    }
};

const LoraCase& loraCase() {
    static const LoraCase c = [] {
        std::vector<fs::path> found;
        for (const auto& entry : fs::directory_iterator(goldenDir() / "cases"))
            if (entry.path().extension() == ".json" && entry.path().stem().string().starts_with("lora_"))
                found.push_back(entry.path());
        if (found.empty()) throw std::runtime_error("no lora_* case in " + goldenDir().string());
        std::sort(found.begin(), found.end());
        const auto stem = found.front().stem().string();
        return LoraCase{stem, json::parse(std::ifstream(found.front())).at("params"),
                        sa::SafetensorsFile::open(found.front().parent_path() / (stem + ".safetensors"))};
    }();
    return c;
}

// The golden model folder of the other family than `folder`'s (SDXL for SD, SD for SDXL).
fs::path otherFamilyModel(const fs::path& folder) {
    auto className = [](const fs::path& f) {
        std::ifstream in(f / "model_index.json");
        return in ? json::parse(in).value("_class_name", "") : std::string();
    };
    const auto mine = className(folder);
    for (const auto& entry : fs::directory_iterator(goldenDir())) {
        const auto other = className(entry.path());
        if (!other.empty() && other != mine) return entry.path();
    }
    throw std::runtime_error("no model folder of another pipeline class in " + goldenDir().string());
}

torch::Tensor unetOutput(sa::StableDiffusionModel& model) {
    torch::NoGradGuard noGrad;
    const auto& t = *loraCase().tensors;
    return model.unet->forward(t.tensor("sample"), t.tensor("timestep"), t.tensor("encoder_hidden_states"));
}

torch::Tensor textOutput(sa::StableDiffusionModel& model) {
    torch::NoGradGuard noGrad;
    const auto& c = model.textEncoder->config();
    const auto ids = torch::arange(c.max_position_embeddings, torch::kLong).remainder(c.vocab_size).unsqueeze(0);
    return model.textEncoder->forward(ids).lastHiddenState;
}

std::shared_ptr<sa::StableDiffusionModel> loadModel(const fs::path& folder = loraCase().model()) {
    return sa::StableDiffusionModel::load(folder);
}

std::string underscored(std::string path) {
    std::replace(path.begin(), path.end(), '.', '_');
    return path;
}

// A random rank-`rank` adapter for `layer`: {down, up}.
std::pair<torch::Tensor, torch::Tensor> randomAdapter(const sa::AdaptableLayer& layer, int64_t rank = 2) {
    auto down = layer.baseWeight().sizes().vec();
    auto up = down;
    down[0] = rank;
    up[1] = rank;
    std::fill(up.begin() + 2, up.end(), 1);
    return {torch::randn(down) * 0.1, torch::randn(up) * 0.1};
}

// A kohya file: for each (file stem, layer) an adapter of random weights and alpha = rank.
std::map<std::string, torch::Tensor> kohyaTensors(const std::vector<std::pair<std::string, sa::AdaptableLayer*>>& stems) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& [stem, layer] : stems) {
        auto [down, up] = randomAdapter(*layer);
        out[stem + ".lora_down.weight"] = down;
        out[stem + ".lora_up.weight"] = up;
        out[stem + ".alpha"] = torch::tensor(static_cast<float>(down.size(0)));
    }
    return out;
}

// The first `count` layers of `network` under kohya names with `prefix`.
std::vector<std::pair<std::string, sa::AdaptableLayer*>> kohyaStems(torch::nn::Module& network, const std::string& prefix,
                                                                     size_t count) {
    std::vector<std::pair<std::string, sa::AdaptableLayer*>> stems;
    for (const auto& [path, layer] : sa::adaptableLayers(network))
        if (stems.size() < count) stems.emplace_back(prefix + underscored(path), layer);
    return stems;
}

std::map<std::string, torch::Tensor> withRenamedKeys(const sa::SafetensorsFile& file,
                                                     const std::vector<std::pair<std::string, std::string>>& renames) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& [name, value] : file.all()) {
        auto key = name;
        for (const auto& [from, to] : renames)
            if (const auto at = key.find(from); at != std::string::npos) key.replace(at, from.size(), to);
        out[key] = value;
    }
    return out;
}

}  // namespace

TEST(Lora, ReadsBothGoldenFormats) {
    const auto& c = loraCase();
    auto model = loadModel();
    for (const auto& format : c.formats()) {
        SCOPED_TRACE(format);
        const auto file = sa::readLora(c.file(format), model->loraNetworks());
        EXPECT_EQ(sa::loraFormatName(file.format), format);
        EXPECT_TRUE(file.unmatched.empty());
        size_t unetLayers = 0;
        for (const auto& layer : file.layers) {
            unetLayers += layer.network == sa::LoraNetwork::Unet;
            const auto& alpha = c.params.at(format).at("alpha");
            const double expected = alpha.is_null() ? 1.0 : alpha.get<double>() / c.params.at(format).at("rank").get<double>();
            EXPECT_DOUBLE_EQ(layer.factor, expected) << layer.fileStem;
            EXPECT_EQ(layer.down.size(0), c.params.at(format).at("rank").get<int64_t>());
        }
        EXPECT_EQ(unetLayers, c.params.at("loaded").at(format).at("unet_modules").size());
    }
    // A diffusers LoRA folder is read through its pytorch_lora_weights.safetensors.
    const auto folder = c.file("diffusers").parent_path();
    EXPECT_EQ(sa::readLora(folder, model->loraNetworks()).layers.size(),
              sa::readLora(c.file("diffusers"), model->loraNetworks()).layers.size());
}

// What this project writes (the demo LoRA, stylealigned-train lora) is a kohya file that reads
// back to the very same adapters, from either golden format.
TEST(Lora, SavedKohyaFileReadsBackTheSameAdapters) {
    const auto& c = loraCase();
    sa::test::ScratchFolder scratch("sa_lora_save");
    auto model = loadModel();
    for (const auto& format : c.formats()) {
        SCOPED_TRACE(format);
        const auto original = sa::readLora(c.file(format), model->loraNetworks());
        const auto file = scratch.path / (format + ".safetensors");
        sa::saveKohyaLora(file, original.layers, {{"ss_network_dim", "test"}}, torch::kFloat32);
        const auto back = sa::readLora(file, model->loraNetworks());
        EXPECT_EQ(back.format, sa::LoraFormat::Kohya);
        EXPECT_EQ(back.metadata.at("ss_network_dim"), "test");
        ASSERT_EQ(back.layers.size(), original.layers.size());
        std::map<std::pair<sa::LoraNetwork, std::string>, const sa::LoraLayer*> byPath;
        for (const auto& l : back.layers) byPath[{l.network, l.path}] = &l;
        for (const auto& l : original.layers) {
            const auto* b = byPath.at({l.network, l.path});
            EXPECT_NEAR(b->factor, l.factor, 1e-6) << l.path;
            EXPECT_TRUE(torch::equal(b->down, l.down.to(torch::kFloat32))) << l.path;
            EXPECT_TRUE(torch::equal(b->up, l.up.to(torch::kFloat32))) << l.path;
        }
    }
}

TEST(Lora, OlderAndPeftKeyLayoutsGiveTheSameOutput) {
    const auto& c = loraCase();
    sa::test::ScratchFolder scratch("sa_lora");
    auto model = loadModel();
    const auto original = sa::SafetensorsFile::open(c.file("diffusers"));
    model->addLora(c.file("diffusers"));
    const auto expected = unetOutput(*model);
    const auto expectedText = textOutput(*model);
    model->removeAllLoras();
    const std::map<std::string, std::vector<std::pair<std::string, std::string>>> layouts{
        {"peft", {{".lora.down.weight", ".lora_A.weight"}, {".lora.up.weight", ".lora_B.weight"},
                  {".lora_linear_layer.down.weight", ".lora_A.weight"}, {".lora_linear_layer.up.weight", ".lora_B.weight"}}},
        // diffusers < 0.18 attention processors: attn1.processor.to_q_lora.down.weight, self_attn.to_q_lora.…
        {"attn_procs", {{".to_out.0.lora.", ".processor.to_out_lora."}, {".to_q.lora.", ".processor.to_q_lora."},
                        {".to_k.lora.", ".processor.to_k_lora."}, {".to_v.lora.", ".processor.to_v_lora."},
                        {".q_proj.lora_linear_layer.", ".to_q_lora."}, {".k_proj.lora_linear_layer.", ".to_k_lora."},
                        {".v_proj.lora_linear_layer.", ".to_v_lora."}, {".out_proj.lora_linear_layer.", ".to_out_lora."}}}};
    for (const auto& [layout, renames] : layouts) {
        SCOPED_TRACE(layout);
        const auto path = scratch.path / (layout + ".safetensors");
        const auto tensors = withRenamedKeys(*original, renames);
        ASSERT_NE(tensors.begin()->first, original->tensors().front().name);
        sa::saveSafetensors(path, tensors);
        model->addLora(path);
        EXPECT_TRUE(torch::equal(unetOutput(*model), expected));
        EXPECT_TRUE(torch::equal(textOutput(*model), expectedText));
        model->removeAllLoras();
    }
}

TEST(Lora, KohyaSgmNamesReachTheDiffusersLayers) {
    // sd-scripts names SDXL's UNet layers by the original module tree. The expected layers follow
    // diffusers' _maybe_map_sgm_blocks_to_diffusers: input_blocks.k ← down block (k-1)/(L+1),
    // layer (k-1)%(L+1); output_blocks.k ← up block k/(L+1), layer k%(L+1); middle_block.0/1/2.
    auto model = loadModel(otherFamilyModel(loraCase().model()));
    if (!model->isXL()) model = loadModel(loraCase().model());
    const auto& config = model->unet->config();
    const int per = config.layers_per_block + 1;
    const auto networks = model->loraNetworks();
    const auto attention = static_cast<int>(std::find(config.down_block_types.begin(), config.down_block_types.end(),
                                                      "CrossAttnDownBlock2D") - config.down_block_types.begin());
    ASSERT_LT(attention, static_cast<int>(config.down_block_types.size()));
    const std::vector<std::pair<std::string, std::string>> names{
        {fmt::format("input_blocks_{}_1_transformer_blocks_0_attn1_to_k", 1 + attention * per),
         fmt::format("down_blocks.{}.attentions.0.transformer_blocks.0.attn1.to_k", attention)},
        {fmt::format("input_blocks_{}_0_in_layers_2", 2), "down_blocks.0.resnets.1.conv1"},
        {fmt::format("input_blocks_{}_0_op", per), "down_blocks.0.downsamplers.0.conv"},
        {"middle_block_1_proj_in", "mid_block.attentions.0.proj_in"},
        {"middle_block_2_emb_layers_1", "mid_block.resnets.1.time_emb_proj"},
        {fmt::format("output_blocks_{}_0_out_layers_3", per + 1), "up_blocks.1.resnets.1.conv2"},
        {"output_blocks_0_0_skip_connection", "up_blocks.0.resnets.0.conv_shortcut"},
        {"time_embed_0", "time_embedding.linear_1"},
        {"out_2", "conv_out"}};
    std::vector<std::pair<std::string, sa::AdaptableLayer*>> stems;
    for (const auto& [sgm, path] : names)
        stems.emplace_back("lora_unet_" + sgm, &sa::adaptableLayer(networks, sa::LoraNetwork::Unet, path));
    sa::test::ScratchFolder scratch("sa_lora");
    const auto tensors = kohyaTensors(stems);
    sa::saveSafetensors(scratch.path / "sgm.safetensors", tensors);
    model->addLora(scratch.path / "sgm.safetensors");
    for (const auto& [sgm, layer] : stems) {
        ASSERT_EQ(layer->adapters.size(), 1u) << sgm;
        EXPECT_TRUE(torch::equal(layer->adapters[0].down, tensors.at(sgm + ".lora_down.weight"))) << sgm;
        EXPECT_DOUBLE_EQ(layer->adapters[0].factor, 1.0);
    }
}

// A fresh model, a scratch folder and the golden kohya file's tensors, to be edited into a bad file.
class EditedKohyaLora : public ::testing::Test {
protected:
    sa::test::ScratchFolder scratch{"sa_lora"};
    std::shared_ptr<sa::StableDiffusionModel> model = loadModel();
    std::shared_ptr<const sa::SafetensorsFile> original = sa::SafetensorsFile::open(loraCase().file("kohya"));
    std::map<std::string, torch::Tensor> tensors = original->all();
};

TEST_F(EditedKohyaLora, UnmatchedKeysAreListedInOneErrorOrReturned) {
    const std::vector<std::string> strays{"lora_unet_no_such_block_0_to_q.lora_down.weight",
                                          "lora_unet_down_blocks_0_resnets_0_conv1.hada_w1_a",
                                          "lora_te_text_model_encoder_layers_0_mlp_fc3.alpha"};
    for (const auto& s : strays) tensors[s] = torch::zeros({2, 2});
    const auto path = scratch.path / "strays.safetensors";
    sa::saveSafetensors(path, tensors, original->metadata());
    auto mentions = strays;
    mentions.push_back(path.string());
    const auto base = unetOutput(*model);
    expectSaError([&] { model->addLora(path); }, mentions);
    EXPECT_TRUE(model->loras().empty());
    EXPECT_TRUE(torch::equal(unetOutput(*model), base));

    sa::LoraReadOptions lenient;
    lenient.allowUnmatched = true;
    const auto attached = model->addLora(path, 1.0, lenient);
    EXPECT_EQ(std::set<std::string>(attached.unmatched.begin(), attached.unmatched.end()),
              std::set<std::string>(strays.begin(), strays.end()));
    EXPECT_EQ(attached.layers, static_cast<int>(sa::readLora(loraCase().file("kohya"), model->loraNetworks()).layers.size()));
}

TEST_F(EditedKohyaLora, ShapeMismatchAndIncompleteAdaptersAreRefused) {
    // One down weight one input wider than its layer, one adapter without its up weight.
    std::string widened, upless;
    for (const auto& [name, value] : tensors)
        if (name.ends_with(".lora_down.weight") && value.dim() == 2) {
            if (widened.empty()) widened = name;
            else if (upless.empty()) upless = name;
        }
    ASSERT_FALSE(upless.empty());
    tensors[widened] = torch::zeros({tensors[widened].size(0), tensors[widened].size(1) + 1}, tensors[widened].scalar_type());
    const auto stem = upless.substr(0, upless.find('.'));
    tensors.erase(stem + ".lora_up.weight");
    const auto path = scratch.path / "misshaped.safetensors";
    sa::saveSafetensors(path, tensors);
    expectSaError([&] { model->addLora(path); },
                  {path.string(), widened.substr(0, widened.find('.')), "do not fit", stem, "without its up weight"});
    EXPECT_TRUE(model->loras().empty());
}

TEST(Lora, AnotherFamilysLoraIsRefusedInWords) {
    const auto& c = loraCase();
    sa::test::ScratchFolder scratch("sa_lora");
    auto model = loadModel();
    auto other = loadModel(otherFamilyModel(c.model()));
    auto& xl = model->isXL() ? *model : *other;
    auto& sd = model->isXL() ? *other : *model;
    ASSERT_TRUE(xl.isXL());
    ASSERT_FALSE(sd.isXL());

    // An SDXL LoRA (sd-scripts: lora_te1_ / lora_te2_ for its two text encoders) on SD.
    auto stems = kohyaStems(*xl.textEncoder2, "lora_te2_", 2);
    for (auto& s : kohyaStems(*xl.textEncoder, "lora_te1_", 2)) stems.push_back(s);
    const auto xlPath = scratch.path / "xl.safetensors";
    sa::saveSafetensors(xlPath, kohyaTensors(stems));
    expectSaError([&] { sd.addLora(xlPath); }, {xlPath.string(), "for SDXL", "second text encoder", "the model is SD"});

    // An SD 1.x LoRA, so its metadata says, on SDXL.
    const auto sdPath = scratch.path / "sd1.safetensors";
    sa::saveSafetensors(sdPath, kohyaTensors(kohyaStems(*sd.textEncoder, "lora_te_", 2)),
                        {{"ss_base_model_version", "sd_v1"}});
    expectSaError([&] { xl.addLora(sdPath); }, {sdPath.string(), "for SD 1.x", "ss_base_model_version", "the model is SDXL"});
    EXPECT_TRUE(xl.loras().empty());
    EXPECT_TRUE(sd.loras().empty());
}

TEST(Lora, BadFilesAreRefusedNamingThem) {
    const auto& c = loraCase();
    sa::test::ScratchFolder scratch("sa_lora");
    auto model = loadModel();
    const auto pickle = scratch.path / "style.ckpt";
    scratch.write("style.ckpt", "PK\x03\x04 not read");
    expectSaError([&] { model->addLora(pickle); }, {pickle.string(), "pickle"});

    std::ifstream in(c.file("kohya"), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    scratch.write("truncated.safetensors", bytes.substr(0, bytes.size() / 2));
    expectSaError([&] { model->addLora(scratch.path / "truncated.safetensors"); },
                  {(scratch.path / "truncated.safetensors").string()});
    scratch.write("text.safetensors", "this is not a safetensors file at all");
    expectSaError([&] { model->addLora(scratch.path / "text.safetensors"); }, {(scratch.path / "text.safetensors").string()});

    const auto notLora = scratch.path / "weights.safetensors";
    sa::saveSafetensors(notLora, {{"conv_in.weight", torch::zeros({2, 2})}});
    expectSaError([&] { model->addLora(notLora); }, {notLora.string(), "not a LoRA file", "conv_in.weight"});
    EXPECT_TRUE(model->loras().empty());
}

TEST(Lora, WeightsAndSwitchingMatchFreshLoadsAndOffIsTheBaseBitForBit) {
    const auto& c = loraCase();
    auto model = loadModel();
    const auto base = unetOutput(*model);
    const auto baseText = textOutput(*model);
    const auto scales = c.params.at("lora_scales").get<std::vector<double>>();
    ASSERT_GE(scales.size(), 2u);
    const auto name = model->addLora(c.file("kohya"), scales[0]).name;
    const auto first = unetOutput(*model);
    EXPECT_FALSE(torch::equal(first, base));
    EXPECT_FALSE(torch::equal(textOutput(*model), baseText));

    model->setLoraWeight(name, scales[1]);
    auto fresh = loadModel();
    fresh->addLora(c.file("kohya"), scales[1]);
    EXPECT_TRUE(torch::equal(unetOutput(*model), unetOutput(*fresh)));
    EXPECT_TRUE(torch::equal(textOutput(*model), textOutput(*fresh)));

    model->setLoraEnabled(name, false);
    EXPECT_TRUE(torch::equal(unetOutput(*model), base));
    EXPECT_TRUE(torch::equal(textOutput(*model), baseText));
    model->setLoraEnabled(name, true);
    model->setLoraWeight(name, scales[0]);
    EXPECT_TRUE(torch::equal(unetOutput(*model), first));
    model->setLoraWeight(name, 0.0);
    EXPECT_TRUE(torch::equal(unetOutput(*model), base));

    expectSaError([&] { model->setLoraWeight("no such lora", 1.0); }, {"no such lora", name});
    expectSaError([&] { model->addLora(c.file("kohya")); }, {"already attached", name});
}

TEST(Lora, SeveralAtOnceAndRemovalRestoresBitForBit) {
    const auto& c = loraCase();
    const auto formats = c.formats();
    ASSERT_GE(formats.size(), 2u);
    auto model = loadModel();
    const auto base = unetOutput(*model);
    const auto baseText = textOutput(*model);
    const auto a = model->addLora(c.file(formats[0]), 0.6).name;
    const auto b = model->addLora(c.file(formats[1]), 1.0).name;
    EXPECT_EQ(model->loras().size(), 2u);
    const auto both = unetOutput(*model);

    auto onlyB = loadModel();
    onlyB->addLora(c.file(formats[1]), 1.0);
    EXPECT_FALSE(torch::equal(both, unetOutput(*onlyB)));
    model->removeLora(a);
    EXPECT_TRUE(torch::equal(unetOutput(*model), unetOutput(*onlyB)));
    EXPECT_TRUE(torch::equal(textOutput(*model), textOutput(*onlyB)));
    model->removeLora(b);
    EXPECT_TRUE(model->loras().empty());
    EXPECT_TRUE(torch::equal(unetOutput(*model), base));
    EXPECT_TRUE(torch::equal(textOutput(*model), baseText));
    for (const auto& [path, layer] : sa::adaptableLayers(*model->unet)) EXPECT_TRUE(layer->adapters.empty()) << path;
}

TEST(Lora, MergedWeightIsBasePlusScaledProducts) {
    const auto& c = loraCase();
    auto model = loadModel();
    const auto file = sa::readLora(loraCase().file("kohya"), model->loraNetworks());
    const double weight = c.params.at("lora_scales").back().get<double>();
    const auto name = model->addLora(c.file("kohya"), weight).name;
    bool sawConv = false;
    for (const auto& layer : file.layers) {
        const auto w = sa::adaptableLayer(model->loraNetworks(), layer.network, layer.path).baseWeight();
        const auto product = torch::mm(layer.up.to(torch::kFloat32).flatten(1), layer.down.to(torch::kFloat32).flatten(1));
        const auto expected = w + weight * layer.factor * product.reshape(w.sizes());
        EXPECT_TRUE(torch::allclose(model->mergedLoraWeight(layer.network, layer.path), expected, 1e-6, 1e-6)) << layer.path;
        sawConv |= w.dim() == 4;
    }
    EXPECT_TRUE(sawConv);
    model->setLoraEnabled(name, false);
    const auto& first = file.layers.front();
    EXPECT_TRUE(torch::equal(model->mergedLoraWeight(first.network, first.path),
                             sa::adaptableLayer(model->loraNetworks(), first.network, first.path).baseWeight()));
    expectSaError([&] { model->mergedLoraWeight(sa::LoraNetwork::Unet, "no.such.layer"); }, {"no.such.layer", "UNet"});
}

TEST(Lora, SignatureAndReferenceCacheKeyFollowTheLoraSet) {
    const auto& c = loraCase();
    auto model = loadModel();
    sa::StyleAlignedRequest request;
    request.generation.prompts = {"a reference", "a target"};
    request.generation.steps = 2;
    request.generation = sa::resolveRequest(*model, request.generation);
    request.plan = sa::LayerPlan::paperDefault(model->unet->selfAttentionPaths());
    const auto baseKey = sa::referenceKey(*model, request);
    EXPECT_EQ(model->loraSignature(), "");

    const auto name = model->addLora(c.file("kohya"), 1.0).name;
    const auto one = model->loraSignature();
    EXPECT_NE(one, "");
    EXPECT_NE(sa::referenceKey(*model, request), baseKey);
    model->setLoraWeight(name, 0.6);
    EXPECT_NE(model->loraSignature(), one);
    model->setLoraEnabled(name, false);
    EXPECT_EQ(model->loraSignature(), "");
    EXPECT_EQ(sa::referenceKey(*model, request), baseKey);
    model->setLoraEnabled(name, true);
    const auto other = model->addLora(c.file("diffusers"), 1.0).name;
    EXPECT_NE(model->loraSignature(), "");
    model->removeLora(other);
    model->setLoraWeight(name, 1.0);
    EXPECT_EQ(model->loraSignature(), one);

    // A cached reference is replayed under the same LoRAs only.
    sa::ReferenceCache cache;
    sa::StyleAlignedPipeline pipeline(model);
    pipeline.generate(request, {}, nullptr, false, &cache);
    EXPECT_TRUE(pipeline.generate(request, {}, nullptr, false, &cache).referenceFromCache);
    model->setLoraWeight(name, 0.6);
    EXPECT_FALSE(pipeline.generate(request, {}, nullptr, false, &cache).referenceFromCache);
    model->removeLora(name);
    EXPECT_FALSE(pipeline.generate(request, {}, nullptr, false, &cache).referenceFromCache);
}
