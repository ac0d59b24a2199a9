// StyleAligned beyond the golden cases: processor placement, layer plans, presets, step ranges
// and the reference cache.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <tuple>

#include "core/common/runtime.h"
#include "support/golden_dir.h"
#include "core/pipeline/set_request.h"
#include "core/pipeline/style_aligned_pipeline.h"
#include "core/style/attention_summary.h"
#include "core/style/style_aligned_handler.h"

namespace fs = std::filesystem;
using namespace sa;

namespace {

using sa::test::goldenDir;

std::shared_ptr<StableDiffusionModel> model(const std::string& name) {
    static std::map<std::string, std::shared_ptr<StableDiffusionModel>> cache;
    auto& slot = cache[name];
    if (!slot) slot = StableDiffusionModel::load(goldenDir() / name);
    return slot;
}

// The image size [height, width] of the golden folder's whole run for this model
// (cases/generation_<sd15|sdxl>.json): a size the model is known to work at. Without that case,
// the model's default size.
std::pair<int, int> imageSize(const std::string& name, const StableDiffusionModel& m) {
    const auto file = goldenDir() / "cases" / ("generation_" + name.substr(name.find('-') + 1) + ".json");
    if (std::ifstream in{file}) {
        const auto params = nlohmann::json::parse(in).at("params");
        return {params.at("height").get<int>(), params.at("width").get<int>()};
    }
    const int size = m.unet->config().sample_size * m.vaeScaleFactor();
    return {size, size};
}

struct UNetCall {
    torch::Tensor sample, t, context;
    AddedCond added;
};

// A CFG batch of 3 images for the model's UNet: latents of the golden image size, a context as
// long as the tokenizer's sequences.
UNetCall cfgBatch(const std::string& name, StableDiffusionModel& m) {
    torch::manual_seed(0);
    const auto& c = m.unet->config();
    const auto [height, width] = imageSize(name, m);
    const int factor = m.vaeScaleFactor();
    UNetCall call{torch::randn({6, c.in_channels, height / factor, width / factor}), torch::tensor(500),
                  torch::randn({6, m.tokenizer->maxLength(), c.cross_attention_dim[0]}), {}};
    if (m.isXL()) {
        const auto h = static_cast<float>(height), w = static_cast<float>(width);
        call.added.textEmbeds = torch::randn({6, m.textEncoder2->config().projection_dim});
        call.added.timeIds = torch::tensor({h, w, 0.f, 0.f, h, w}).repeat({6, 1});
    }
    return call;
}

torch::Tensor run(StableDiffusionModel& m, const UNetCall& call) {
    torch::NoGradGuard noGrad;
    return m.unet->forward(call.sample, call.t, call.context, m.isXL() ? &call.added : nullptr);
}

class StyleTest : public testing::TestWithParam<std::string> {};

// The UNet differentiates (the demo model's training runs through it): with gradients on, every
// attention layer takes its differentiable path, gives what the inference path gives, and the
// input's gradient arrives finite and non-zero.
TEST_P(StyleTest, UNetDifferentiatesAsTrainingNeeds) {
    auto m = model(GetParam());
    auto call = cfgBatch(GetParam(), *m);
    const auto expected = run(*m, call);
    auto sample = call.sample.clone().requires_grad_(true);
    auto out = m->unet->forward(sample, call.t, call.context, m->isXL() ? &call.added : nullptr);
    EXPECT_LT((out.detach() - expected).abs().max().item<double>(), 1e-4);
    out.square().mean().backward();
    ASSERT_TRUE(sample.grad().defined());
    EXPECT_TRUE(torch::isfinite(sample.grad()).all().item<bool>());
    EXPECT_GT(sample.grad().abs().max().item<double>(), 0.0);
}

// The shared processor runs on exactly the layers the plan names, once each per forward pass.
TEST_P(StyleTest, ProcessorRunsOnExactlyThePlannedLayers) {
    auto m = model(GetParam());
    const auto paths = m->unet->selfAttentionPaths();
    ASSERT_GE(paths.size(), 2u);
    LayerPlan plan = LayerPlan::paperDefault(paths);
    std::set<std::string> planned;
    for (size_t i = 0; i < paths.size(); ++i) {
        if (i % 2 == 1) plan.layers[paths[i]] = {.share = false, .adainQueries = 0, .adainKeys = 0};
        else planned.insert(paths[i]);
    }
    StyleAlignedHandler handler;
    handler.attach(m->unet, plan);
    std::map<std::string, int> calls;
    handler.setObserver([&](const SharedAttentionTrace& t) { ++calls[t.layer]; });
    run(*m, cfgBatch(GetParam(), *m));
    std::set<std::string> seen;
    for (const auto& [layer, count] : calls) {
        EXPECT_EQ(count, 1) << layer;
        seen.insert(layer);
    }
    EXPECT_EQ(seen, planned);
    EXPECT_EQ(std::set<std::string>(handler.sharedLayers().begin(), handler.sharedLayers().end()), planned);
}

// A processor set by path runs there and nowhere else; unknown paths are refused by name.
TEST_P(StyleTest, ProcessorsBySetPath) {
    auto m = model(GetParam());
    struct Counting : AttnProcessor {
        int calls = 0;
        torch::Tensor operator()(AttentionImpl& attn, const torch::Tensor& h, const torch::Tensor* e) override {
            ++calls;
            return (*DefaultAttnProcessor::shared())(attn, h, e);
        }
    };
    auto counting = std::make_shared<Counting>();
    const auto path = m->unet->attentionLayers().back().first;
    m->unet->setAttnProcessors({{path, counting}});
    run(*m, cfgBatch(GetParam(), *m));
    m->unet->setAttnProcessor(nullptr);
    EXPECT_EQ(counting->calls, 1);
    try {
        m->unet->setAttnProcessors({{"down_blocks.9.attn1", counting}});
        FAIL() << "unknown path accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("down_blocks.9.attn1"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << "valid paths are listed";
    }
}

// Outside its step range a layer is plain attention: step 1 of a plan active only at step 0
// gives the plain UNet output (GroupNorm sharing off).
TEST_P(StyleTest, StepRange) {
    auto m = model(GetParam());
    const auto call = cfgBatch(GetParam(), *m);
    const auto plain = run(*m, call);
    auto plan = LayerPlan::paperDefault(m->unet->selfAttentionPaths());
    plan.shareGroupNorm = false;
    for (auto& [path, s] : plan.layers) s.lastStep = 0;
    StyleAlignedHandler handler;
    handler.attach(m->unet, plan);
    handler.setStep(0);
    EXPECT_GT((run(*m, call) - plain).abs().max().item<double>(), 1e-4);
    handler.setStep(1);
    EXPECT_TRUE(torch::equal(run(*m, call), plain));
}

// AdaIN blends: 0 is the identity, 1 the reference's AdaIN; a strength of 1 (shift 0) and key
// scale 1 are the paper's defaults.
TEST_P(StyleTest, PlanAtPaperDefaultsEqualsArgsDefaults) {
    auto m = model(GetParam());
    const auto paths = m->unet->selfAttentionPaths();
    EXPECT_EQ(LayerPlan::preset("paper", paths).toJson(), LayerPlan::fromArgs(paths, {}).toJson());
    const auto attentionOnly = LayerPlan::preset("attention-only", paths);
    EXPECT_FALSE(attentionOnly.shareGroupNorm);
    EXPECT_FALSE(attentionOnly.shareLayerNorm);
    EXPECT_EQ(attentionOnly.toJson(),
              LayerPlan::fromArgs(paths, {.share_group_norm = false, .share_layer_norm = false}).toJson());
    auto json = LayerPlan::paperDefault(paths).toJson();
    EXPECT_EQ(LayerPlan::fromJson(json, paths, "test").toJson(), json);
    for (const auto& name : LayerPlan::presetNames()) {
        auto plan = LayerPlan::preset(name, paths);
        EXPECT_EQ(plan.layers.size(), paths.size()) << name;
        EXPECT_EQ(LayerPlan::fromJson(plan.toJson(), paths, name).toJson(), plan.toJson()) << name;
    }
}

TEST_P(StyleTest, PlanJsonIsValidated) {
    auto m = model(GetParam());
    const auto paths = m->unet->selfAttentionPaths();
    auto expectError = [&](const nlohmann::json& j, const std::string& needle) {
        try {
            LayerPlan::fromJson(j, paths, "plan.json");
            ADD_FAILURE() << "accepted: " << j.dump();
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("plan.json"), std::string::npos) << e.what();
        }
    };
    expectError({{"layers", {{"up_blocks.7.attn1", {{"share", true}}}}}}, paths.front());  // lists valid ones
    expectError({{"layers", {{paths.front(), {{"adain_q", 1.5}}}}}}, "adain_q");
    expectError({{"layers", {{paths.front(), {{"share_strength", -1}}}}}}, "share_strength");
    expectError({{"layers", {{paths.front(), {{"steps", {5, 2}}}}}}}, "steps");
    expectError({{"layers", {{paths.front(), {{"steps", {0.5, 2}}}}}}}, "steps");  // not truncated to 0
    expectError({{"layers", {{paths.front(), {{"steps", {0, 1e300}}}}}}}, "steps");
    expectError({{"layers", {{paths.front(), {{"share_strength", std::nan("")}}}}}}, "share_strength");
    expectError({{"layers", {{paths.front(), {{"key_scale", INFINITY}}}}}}, "key_scale");
    expectError({{"layers", {{paths.front(), {{"sharee", true}}}}}}, "sharee");
    expectError({{"bogus", 1}}, "bogus");
    expectError({{"preset", "nope"}}, "nope");
    expectError({{"preset", "only-self-nan"}}, "only-self-nan");  // found by fuzz_layer_plan: NaN passed the range check
    expectError({{"layers", {{paths.front(), {{"share", "yes"}}}}}}, "share");
}

StyleAlignedRequest smallRequest(const std::string& name, StableDiffusionModel& m, bool withImage) {
    StyleAlignedRequest r;
    r.generation.prompts = {"a house, pixel art", "a tree, pixel art", "a boat, pixel art"};
    r.generation.steps = 4;
    r.generation.guidanceScale = 7.5;
    std::tie(r.generation.height, r.generation.width) = imageSize(name, m);
    r.generation.seed = 7;
    r.plan = LayerPlan::preset("transfer", m.unet->selfAttentionPaths());
    r.offset = 1;
    if (withImage) {
        torch::manual_seed(3);
        r.referenceImage = torch::rand({1, 3, r.generation.height, r.generation.width}) * 2 - 1;
    }
    return r;
}

// Cached and uncached sets agree; a warm run (cache hit) equals the cold one bit for bit;
// new targets or seeds hit the cache, a new reference prompt does not.
TEST_P(StyleTest, ReferenceCache) {
    auto m = model(GetParam());
    StyleAlignedPipeline pipeline(m);
    for (bool withImage : {false, true}) {
        SCOPED_TRACE(withImage ? "image mode" : "text mode");
        auto request = smallRequest(GetParam(), *m, withImage);
        ReferenceCache cache;
        const auto inline_ = pipeline.generate(request, {}, nullptr, false);
        const auto cold = pipeline.generate(request, {}, nullptr, false, &cache);
        const auto warm = pipeline.generate(request, {}, nullptr, false, &cache);
        EXPECT_FALSE(cold.referenceFromCache);
        EXPECT_TRUE(warm.referenceFromCache);
        EXPECT_TRUE(torch::equal(cold.latents, warm.latents));
        const double diff = (cold.latents - inline_.latents).abs().max().item<double>();
        EXPECT_LT(diff, 1e-4) << "cached vs one-batch set";
        if (withImage) EXPECT_TRUE(torch::allclose(cold.zts, inline_.zts, 0, 1e-5));

        auto changed = request;
        changed.generation.prompts.back() = "a cat, pixel art";
        changed.generation.seed = 8;  // new target seeds... and a new reference seed in text mode
        changed.generation.seeds = {7, 20, 21};
        const auto hit = pipeline.generate(changed, {}, nullptr, false, &cache);
        EXPECT_TRUE(hit.referenceFromCache);
        const auto changedInline = pipeline.generate(changed, {}, nullptr, false);
        EXPECT_LT((hit.latents - changedInline.latents).abs().max().item<double>(), 1e-4);
        EXPECT_TRUE(torch::equal(hit.latents[0], cold.latents[0])) << "the reference is unchanged";

        changed.generation.prompts.front() = "a house, watercolor";
        EXPECT_FALSE(pipeline.generate(changed, {}, nullptr, false, &cache).referenceFromCache);
        EXPECT_EQ(cache.hits(), 2);
    }
}

// At inversion guidance 1 (the studio's default) the unconditional pass is skipped: the trajectory is
// the always-guided one's (CFG just above 1) to rounding; every other guidance, below 1 too, stays
// guided as inversion.py is.
TEST_P(StyleTest, InversionAtGuidanceOneSkipsTheUnconditionalPass) {
    auto m = model(GetParam());
    const auto request = smallRequest(GetParam(), *m, /*withImage=*/true);
    const auto& caption = request.generation.prompts.front();
    EXPECT_FALSE(inversionUsesCfg(1.0));
    for (double g : {0.0, 0.5, std::nextafter(1.0, 2.0), 2.0}) EXPECT_TRUE(inversionUsesCfg(g)) << g;
    const auto conditional = ddimInversion(*m, request.referenceImage, caption, 4, 1.0);
    const auto guided = ddimInversion(*m, request.referenceImage, caption, 4, std::nextafter(1.0, 2.0));
    const auto stronger = ddimInversion(*m, request.referenceImage, caption, 4, 2.0);
    const double scale = guided.abs().max().item<double>();
    EXPECT_LT((conditional - guided).abs().max().item<double>(), 1e-5 * scale);
    EXPECT_GT((stronger - guided).abs().max().item<double>(), 1e-3 * scale) << "guidance reaches the inversion";
}

// At the smallest image the model takes, its lowest UNet level is 1×1: one token, no spread for
// AdaIN. sa_handler divides 0 by 0 there (NaN, black targets); the layer is left as it is instead,
// in both mode, cached or not.
TEST_P(StyleTest, SingleTokenLayersStayFinite) {
    auto m = model(GetParam());
    StyleAlignedPipeline pipeline(m);
    const int side = m->vaeScaleFactor() << m->unet->numUpsamplers();
    for (bool withImage : {false, true}) {
        auto request = smallRequest(GetParam(), *m, false);
        request.generation.height = request.generation.width = side;
        if (withImage) {
            torch::manual_seed(3);
            request.referenceImage = torch::rand({1, 3, side, side}) * 2 - 1;
        }
        ReferenceCache cache;
        for (auto* c : {static_cast<ReferenceCache*>(nullptr), &cache}) {
            const auto result = pipeline.generate(request, {}, nullptr, true, c);
            EXPECT_TRUE(torch::isfinite(result.latents).all().item<bool>()) << (withImage ? "image" : "text");
            EXPECT_TRUE(torch::isfinite(result.images).all().item<bool>());
        }
    }
}

// Probes deliver, every step, a reference-share map per target and shared layer, point maps
// over the reference, and per-token cross-attention maps; the same with a cached reference.
TEST_P(StyleTest, AttentionProbes) {
    auto m = model(GetParam());
    StyleAlignedPipeline pipeline(m);
    auto request = smallRequest(GetParam(), *m, false);
    const auto noProbe = pipeline.generate(request, [](StepEvent& e) { EXPECT_TRUE(e.maps.empty()); }, nullptr, false);
    request.probe = AttentionProbe{.points = {{0.25f, 0.5f}, {0.9f, 0.1f}}, .crossAttention = true};
    const auto shared = request.plan.activeLayers();
    ReferenceCache cache;
    for (ReferenceCache* c : {static_cast<ReferenceCache*>(nullptr), &cache}) {
        int events = 0;
        std::vector<torch::Tensor> shares;
        pipeline.generate(request, [&](StepEvent& e) {
            if (e.phase != StepPhase::Generation) return;
            ++events;
            EXPECT_EQ(e.maps.step, e.step);
            ASSERT_EQ(e.maps.self.size(), shared.size());
            for (const auto& layer : e.maps.self) {
                EXPECT_EQ(layer.referenceShare.sizes().vec(), (std::vector<int64_t>{2, layer.height, layer.width}));
                EXPECT_GE(layer.referenceShare.min().item<float>(), 0.f);
                EXPECT_LE(layer.referenceShare.max().item<float>(), 1.f + 1e-5f);
                EXPECT_EQ(layer.pointMaps.sizes().vec(), (std::vector<int64_t>{2, 2, layer.height, layer.width}));
                // A point's attention over the reference sums to that point's reference share.
                EXPECT_LE(layer.pointMaps.sum({2, 3}).max().item<float>(), 1.f + 1e-5f);
                shares.push_back(layer.referenceShare);
            }
            ASSERT_FALSE(e.maps.cross.empty());
            for (const auto& layer : e.maps.cross) {
                EXPECT_EQ(layer.maps.size(0), c ? 2 : 3);
                EXPECT_EQ(layer.maps.size(1), m->tokenizer->maxLength());  // one map per token
                EXPECT_TRUE(torch::allclose(layer.maps.sum(1), torch::ones({layer.maps.size(0), layer.height, layer.width}), 1e-4, 1e-4));
            }
        }, nullptr, false, c);
        EXPECT_EQ(events, request.generation.steps);
        EXPECT_FALSE(shares.empty());
    }
    // Probing does not change the result.
    EXPECT_TRUE(torch::equal(pipeline.generate(request, {}, nullptr, false).latents, noProbe.latents));
}

// Live points: the probe reads them at every step, so a point set mid-run shows from the next
// step on; the summary for the studio reduces the maps to per-target images and averages.
TEST_P(StyleTest, LivePointsAndSummary) {
    auto m = model(GetParam());
    StyleAlignedPipeline pipeline(m);
    auto request = smallRequest(GetParam(), *m, false);
    auto live = std::make_shared<LivePoints>();
    request.probe = AttentionProbe{.crossAttention = true, .livePoints = live};
    const auto layers = m->unet->selfAttentionPaths();
    const std::vector<int> tokens{3, 2};
    std::vector<size_t> pointsPerStep;
    pipeline.generate(request, [&](StepEvent& e) {
        if (e.phase != StepPhase::Generation) return;
        const auto summary = summarizeAttention(e.maps, layers, 2, tokens);
        ASSERT_EQ(summary.share.size(), layers.size() + 1);
        ASSERT_EQ(summary.meanShare.size(), layers.size());
        const auto shared = request.plan.activeLayers();
        for (size_t l = 0; l < layers.size(); ++l) {
            const bool sharing = std::count(shared.begin(), shared.end(), layers[l]) > 0;
            EXPECT_EQ(std::isnan(summary.meanShare[l]), !sharing) << layers[l];
            ASSERT_EQ(summary.share[l].size(), 2u);
            for (const auto& map : summary.share[l]) EXPECT_EQ(map.empty(), !sharing);
        }
        // The average is at the finest grid and stays within [0, 1].
        for (const auto& map : summary.share.back()) {
            ASSERT_FALSE(map.empty());
            double lo, hi;
            cv::minMaxLoc(map, &lo, &hi);
            EXPECT_GE(lo, 0.0);
            EXPECT_LE(hi, 1.0 + 1e-5);
        }
        // Cross maps of the attn2 next to each shared attn1: as many as each target's tokens.
        for (size_t l = 0; l <= layers.size(); ++l)
            for (size_t t = 0; t < 2; ++t)
                if (!summary.cross[l][t].empty()) EXPECT_EQ(summary.cross[l][t].size(), static_cast<size_t>(tokens[t]));
        EXPECT_EQ(summary.cross.back()[0].size(), 3u);
        pointsPerStep.push_back(summary.points.back()[0].size());
        if (e.step == 0) live->set({{0.5f, 0.5f}, {0.1f, 0.9f}});
    }, nullptr, false);
    ASSERT_GE(pointsPerStep.size(), 2u);
    EXPECT_EQ(pointsPerStep.front(), 0u);
    EXPECT_EQ(pointsPerStep.back(), 2u);
}

INSTANTIATE_TEST_SUITE_P(TinyModels, StyleTest, testing::Values("tiny-sd15", "tiny-sdxl"),
                         [](const auto& info) { return info.param == "tiny-sd15" ? std::string("sd15") : std::string("sdxl"); });

TEST(AttentionSummary, CrossLayerOfASelfAttentionLayer) {
    EXPECT_EQ(crossLayerOf("up_blocks.1.attentions.0.transformer_blocks.0.attn1"), "up_blocks.1.attentions.0.transformer_blocks.0.attn2");
    EXPECT_EQ(crossLayerOf("mid_block.attentions.0.transformer_blocks.1.attn2"), "");
}

TEST(SetRequest, PromptsSeedsAndStyleWords) {
    EXPECT_EQ(styleWords("a fish, pixel art style."), "pixel art style");
    EXPECT_EQ(styleWords("a fish"), "");
    // Captioners name the medium first or last.
    auto parts = splitCaption("a watercolor painting of a fox in the snow");
    EXPECT_EQ(parts.subject, "a fox in the snow");
    EXPECT_EQ(parts.style, "watercolor painting");
    parts = splitCaption("a black and white photo of a dog.");
    EXPECT_EQ(parts.subject, "a dog");
    EXPECT_EQ(parts.style, "black and white photo");
    parts = splitCaption("a picture of a cat on a couch");  // a plain "picture of" names no style
    EXPECT_EQ(parts.subject, "a cat on a couch");
    EXPECT_EQ(parts.style, "");
    parts = splitCaption("a house by the sea in the style of ukiyo-e");
    EXPECT_EQ(parts.subject, "a house by the sea");
    EXPECT_EQ(parts.style, "in the style of ukiyo-e");
    parts = splitCaption("a bird on a branch in watercolor");
    EXPECT_EQ(parts.subject, "a bird on a branch");
    EXPECT_EQ(parts.style, "watercolor");
    parts = splitCaption("a cup of coffee on a table");  // "of" without a medium: all subject
    EXPECT_EQ(parts.subject, "a cup of coffee on a table");
    EXPECT_EQ(parts.style, "");
    EXPECT_EQ(splitCaption("").subject, "");
    EXPECT_EQ(joinCaption({"a fox ", " watercolor painting."}), "a fox, watercolor painting");
    EXPECT_EQ(joinCaption({"a fox", ""}), "a fox");
    EXPECT_EQ(styledPrompts({"a cat ", "a boat, pixel art style"}, "pixel art style"),
              (std::vector<std::string>{"a cat, pixel art style.", "a boat, pixel art style"}));
    EXPECT_EQ(styledPrompts({"a cat"}, ""), std::vector<std::string>{"a cat"});
    EXPECT_EQ(consecutiveSeeds(41, 3), (std::vector<uint64_t>{41, 42, 43}));
}

TEST(SetRequest, ResolvesTheSpecAgainstTheModel) {
    auto m = model("tiny-sd15");
    ImageSetSpec spec;
    spec.referencePrompt = "a bear, watercolor style";
    spec.targets = {"a cat, watercolor style."};
    spec.seeds = {5, 6};
    spec.steps = 3;
    spec.offset = 1;
    spec.plan = presetPlanJson("transfer");
    cv::Mat fitted;
    const auto request = requestFromSpec(*m, spec, cv::Mat(20, 30, CV_8UC3, cv::Scalar(10, 200, 30)), &fitted);
    EXPECT_EQ(request.generation.prompts, spec.allPrompts());
    EXPECT_GT(spec.width, 0);
    EXPECT_EQ(fitted.cols, spec.width);
    EXPECT_EQ(request.referenceImage.size(3), spec.width);
    EXPECT_TRUE(spec.plan.contains("layers"));  // the preset became an explicit plan
    EXPECT_NEAR(request.plan.layers.begin()->second.shareStrength, 2.0, 1e-12);  // transfer preset
    // With a reference image the offset must name one of the steps.
    spec.offset = spec.steps;
    EXPECT_THROW(requestFromSpec(*m, spec, cv::Mat(20, 30, CV_8UC3, cv::Scalar(10, 200, 30))), Error);
    EXPECT_NO_THROW(requestFromSpec(*m, spec, {}));  // text mode: no inversion, the offset is unused
    spec.offset = 1;
    spec.guidance = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(requestFromSpec(*m, spec, {}), Error);
    spec.guidance = 7.5;
    spec.targets = {"   "};
    EXPECT_THROW(requestFromSpec(*m, spec, {}), Error);
    spec.targets = {};
    EXPECT_THROW(requestFromSpec(*m, spec, {}), Error);
}

TEST(OnlySelfSwitch, MatchesReference) {
    // sa_handler._get_switch_vec
    EXPECT_EQ(onlySelfSwitch(6, 0.0), std::vector<bool>(6, false));
    EXPECT_EQ(onlySelfSwitch(6, 1.0), std::vector<bool>(6, true));
    EXPECT_EQ(onlySelfSwitch(6, 0.5), (std::vector<bool>{true, false, true, false, true, false}));
    EXPECT_EQ(onlySelfSwitch(6, 0.8), (std::vector<bool>{false, true, true, true, true, true}));
    EXPECT_EQ(onlySelfSwitch(17, 0.5), onlySelfSwitch(17, 0.5));
    EXPECT_EQ(onlySelfSwitch(4, 0.1), std::vector<bool>(4, false));  // the reference divides by zero here
}

}  // namespace

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    configureRuntime();
    return RUN_ALL_TESTS();
}
