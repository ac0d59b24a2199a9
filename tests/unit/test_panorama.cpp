// MultiDiffusion panoramas beyond the golden case: the views get_views computes for other sizes,
// validation, defaults, and the pipeline on the golden folder's tiny models (one view equals a
// StyleAligned set of two, seeding, previews, tiled decoding, cancellation).
#include <gtest/gtest.h>

#include "core/pipeline/panorama.h"
#include "core/pipeline/style_aligned_pipeline.h"
#include "support/expect_error.h"
#include "support/golden_dir.h"

using namespace sa;
using sa::test::expectSaError;

namespace {

using Views = std::vector<PanoramaView>;

// A request of latent sizes at VAE factor 8 (the pipeline's own unit).
PanoramaRequest latentRequest(int height, int width, int window, int stride, bool circular = false) {
    PanoramaRequest r;
    r.height = height * 8;
    r.width = width * 8;
    r.window = window;
    r.stride = stride;
    r.circularPadding = circular;
    return r;
}

// Expected lists written out from diffusers' StableDiffusionPanoramaPipeline.get_views.
TEST(PanoramaViews, AsGetViewsComputesThem) {
    // SD 512 × 2048, the pipeline's defaults: 25 views along one row.
    auto sd = panoramaViews(64, 256, 64, 8, false);
    ASSERT_EQ(sd.size(), 25u);
    EXPECT_EQ(sd.front(), (PanoramaView{0, 64, 0, 64}));
    EXPECT_EQ(sd[1], (PanoramaView{0, 64, 8, 72}));
    EXPECT_EQ(sd.back(), (PanoramaView{0, 64, 192, 256}));
    // Circular: a view every stride up to the width, the last ones wrapping (32 views).
    auto circular = panoramaViews(64, 256, 64, 8, true);
    ASSERT_EQ(circular.size(), 32u);
    EXPECT_EQ(circular.back(), (PanoramaView{0, 64, 248, 312}));
    // Two directions: rows first, then columns.
    EXPECT_EQ(panoramaViews(12, 20, 8, 4, false),
              (Views{{0, 8, 0, 8}, {0, 8, 4, 12}, {0, 8, 8, 16}, {0, 8, 12, 20},
                     {4, 12, 0, 8}, {4, 12, 4, 12}, {4, 12, 8, 16}, {4, 12, 12, 20}}));
    EXPECT_EQ(panoramaViews(80, 80, 64, 8, false).size(), 9u);
    EXPECT_EQ(panoramaViews(80, 80, 64, 8, false)[4], (PanoramaView{8, 72, 8, 72}));
    // A width that is not a multiple of the stride: the wrap reaches past the start.
    EXPECT_EQ(panoramaViews(8, 25, 8, 4, true),
              (Views{{0, 8, 0, 8}, {0, 8, 4, 12}, {0, 8, 8, 16}, {0, 8, 12, 20}, {0, 8, 16, 24}, {0, 8, 20, 28}}));
    // No larger than the window: one view, even with circular padding.
    EXPECT_EQ(panoramaViews(8, 8, 8, 3, true), (Views{{0, 8, 0, 8}}));
    // Sizes the views do not reach: the reference stops short of the edges.
    EXPECT_EQ(panoramaViews(10, 13, 8, 3, false), (Views{{0, 8, 0, 8}, {0, 8, 3, 11}}));
}

TEST(PanoramaViews, BatchesOfViewBatchSize) {
    auto r = latentRequest(8, 24, 8, 4);
    for (const auto& [size, expected] : std::vector<std::pair<int, std::vector<std::pair<size_t, size_t>>>>{
             {1, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}}}, {3, {{0, 3}, {3, 5}}}, {5, {{0, 5}}}, {25, {{0, 5}}}}) {
        r.viewBatchSize = size;
        EXPECT_EQ(panoramaLayout(r, 8).batches, expected) << "view batch size " << size;
    }
}

TEST(PanoramaViews, RefusesWhatTheReferenceCannotDo) {
    auto layout = [](PanoramaRequest r) { return [r] { (void)panoramaLayout(r, 8); }; };
    auto r = latentRequest(8, 24, 8, 4);
    r.width = 24 * 8 + 4;
    expectSaError(layout(r), {"196x64", "multiples of the VAE factor 8"});
    expectSaError(layout(latentRequest(8, 6, 8, 4)), {"48x64", "smaller than the window of 8 latents (64x64 px)"});
    expectSaError(layout(latentRequest(7, 24, 8, 4)), {"smaller than the window"});
    expectSaError(layout(latentRequest(8, 24, 8, 0)), {"stride must be positive"});
    expectSaError(layout(latentRequest(8, 24, 8, -2)), {"stride must be positive"});
    expectSaError(layout(latentRequest(8, 24, 8, 9)), {"stride 9 is larger than the window 8"});
    expectSaError(layout(latentRequest(8, 24, 0, 4)), {"window must be at least 1"});
    r = latentRequest(8, 24, 8, 4);
    r.viewBatchSize = 0;
    expectSaError(layout(r), {"view batch size must be at least 1"});
    r = latentRequest(8, 24, 8, 4);
    r.steps = 0;
    expectSaError(layout(r), {"steps"});
    // Circular padding with two rows of views (the reference slices them wrongly).
    expectSaError(layout(latentRequest(12, 24, 8, 4, true)), {"circular padding", "single row of views", "96 px",
                                                              "64 px", "2 rows"});
    EXPECT_NO_THROW((void)panoramaLayout(latentRequest(8, 24, 8, 4, true), 8));
    // Sizes whose last rows / columns no view reaches.
    expectSaError(layout(latentRequest(8, 13, 8, 3)), {"width 104 px", "columns 11..12 uncovered", "88 or 112 px"});
    expectSaError(layout(latentRequest(10, 11, 8, 3)), {"height 80 px", "rows 8..9 uncovered", "64 or 88 px"});
    expectSaError(layout(latentRequest(9, 8, 8, 4, true)), {"height 72 px", "rows 8..8 uncovered"});
    r = latentRequest(10, 13, 8, 3);
    r.allowUncoveredEdges = true;
    EXPECT_EQ(panoramaLayout(r, 8).views.size(), 2u);
    // Circular views cover every column whenever the stride fits the window.
    EXPECT_NO_THROW((void)panoramaLayout(latentRequest(8, 25, 8, 4, true), 8));
}

// The request's default decode tiles an SD-size panorama (512 × 2048, the pipeline's default; with
// circular padding 128 px wider), so it fits; the 512² reference image is decoded whole.
TEST(PanoramaViews, DefaultDecodeTilesAnSdPanorama) {
    AutoencoderKLConfig sd;
    sd.block_out_channels = {128, 256, 512, 512};
    sd.layers_per_block = 2;
    sd.sample_size = 512;
    const PanoramaRequest r;
    EXPECT_EQ(r.vaeTiling.mode, VaeTilingMode::Auto);
    EXPECT_TRUE(vaeTilesImage(sd, r.vaeTiling, 512, 2048, torch::kFloat32));
    EXPECT_TRUE(vaeTilesImage(sd, r.vaeTiling, 512, 2048 + 2 * 8 * 8, torch::kFloat32));
    EXPECT_FALSE(vaeTilesImage(sd, r.vaeTiling, 512, 512, torch::kFloat32));
}

// ---- the pipeline on the tiny models ---------------------------------------------------------

std::shared_ptr<StableDiffusionModel> model(const std::string& name) {
    static std::map<std::string, std::shared_ptr<StableDiffusionModel>> cache;
    auto& slot = cache[name];
    if (!slot) slot = StableDiffusionModel::load(sa::test::goldenDir() / name);
    return slot;
}

class PanoramaModel : public testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        m = model(GetParam());
        factor = m->vaeScaleFactor();
        window = m->unet->config().sample_size / 2;
    }
    // A small run: a window-high panorama `columns` windows wide, views every window / 2.
    PanoramaRequest request(int columns, bool circular = false) const {
        PanoramaRequest r;
        r.referencePrompt = "a poster in a papercut art style";
        r.prompt = "a village in a papercut art style";
        r.steps = 2;
        r.window = window;
        r.stride = window / 2;
        r.height = window * factor;
        r.width = columns * window * factor;
        r.circularPadding = circular;
        r.viewBatchSize = 2;
        r.seed = 7;
        return r;
    }
    std::shared_ptr<StableDiffusionModel> m;
    int factor = 8, window = 8;
};

TEST_P(PanoramaModel, DefaultsFollowTheModel) {
    const auto r = resolvePanoramaRequest(*m, PanoramaRequest{});
    const int sampleSize = m->unet->config().sample_size;
    EXPECT_EQ(r.window, sampleSize);
    EXPECT_EQ(r.stride, std::max(1, sampleSize / 8));
    EXPECT_EQ(r.height, sampleSize * factor);
    EXPECT_EQ(r.width, 4 * sampleSize * factor);
    auto bad = request(2);
    bad.initLatents = torch::zeros({1, m->latentChannels(), window, window});
    expectSaError([&] { (void)resolvePanoramaRequest(*m, bad); }, {"panorama initial latents", "expected [1"});
    bad = request(2);
    bad.initReferenceLatent = torch::zeros({1, m->latentChannels(), window, 2 * window});
    expectSaError([&] { (void)resolvePanoramaRequest(*m, bad); }, {"initial reference latent"});
    bad = request(2);
    bad.conditioning = makeConditioning(*m, {"one prompt"}, "", bad.height, bad.height);
    expectSaError([&] { (void)resolvePanoramaRequest(*m, bad); }, {"2 rows, [reference, panorama]"});
    bad = request(2);
    bad.window = -1;
    expectSaError([&] { (void)resolvePanoramaRequest(*m, bad); }, {"window and stride must be positive"});
}

// With one view the panorama batch is the StyleAligned set [reference, panorama] itself.
TEST_P(PanoramaModel, OneViewIsAStyleAlignedSetOfTwo) {
    auto r = request(1);
    r.vaeTiling = {};
    const auto panorama = PanoramaPipeline(m).generate(r);
    ASSERT_EQ(panorama.layout.views.size(), 1u);

    StyleAlignedRequest set;
    set.generation.prompts = {r.referencePrompt, r.prompt};
    set.generation.steps = r.steps;
    set.generation.guidanceScale = r.guidanceScale;
    set.generation.height = set.generation.width = r.height;
    const auto noise = [&](uint64_t seed) {
        auto g = at::detail::createCPUGenerator(seed);
        return torch::randn({1, m->latentChannels(), window, window}, g);
    };
    set.generation.initLatents = torch::cat({noise(r.seed), noise(r.seed + 1)});
    set.plan = LayerPlan::paperDefault(m->unet->selfAttentionPaths());
    const auto expected = StyleAlignedPipeline(m).generate(set);
    EXPECT_LE((panorama.referenceLatent - expected.latents[0]).abs().max().item<double>(), 1e-5);
    EXPECT_LE((panorama.latents - expected.latents[1]).abs().max().item<double>(), 1e-5);
    EXPECT_LE((panorama.image - expected.images[1]).abs().max().item<double>(), 1e-5);
    EXPECT_LE((panorama.referenceImage - expected.images[0]).abs().max().item<double>(), 1e-5);
    EXPECT_EQ(panorama.timesteps, expected.timesteps);
}

// Every step shows the whole panorama (latents and predicted x0, averaged over the views) and the
// reference; the decode is tiled as asked.
TEST_P(PanoramaModel, StepPreviewsAndTiledDecode) {
    auto r = request(4);
    r.vaeTiling = {VaeTilingMode::On, 2 * window * factor};
    std::vector<PanoramaStepEvent> events;
    const auto result = PanoramaPipeline(m).generate(r, [&](PanoramaStepEvent& e) { events.push_back(e); });
    ASSERT_EQ(static_cast<int>(events.size()), r.steps);
    const std::vector<int64_t> panoramaShape{1, m->latentChannels(), window, 4 * window};
    const std::vector<int64_t> referenceShape{1, m->latentChannels(), window, window};
    for (int i = 0; i < r.steps; ++i) {
        const auto& e = events[static_cast<size_t>(i)];
        EXPECT_EQ(e.step, i);
        EXPECT_EQ(e.total, r.steps);
        EXPECT_EQ(e.timestep, result.timesteps[static_cast<size_t>(i)]);
        EXPECT_EQ(e.latents.sizes().vec(), panoramaShape);
        EXPECT_EQ(e.x0Preview.sizes().vec(), panoramaShape);
        EXPECT_EQ(e.referenceLatent.sizes().vec(), referenceShape);
        EXPECT_EQ(e.referenceX0Preview.sizes().vec(), referenceShape);
        EXPECT_FALSE(torch::allclose(e.x0Preview, e.latents));
    }
    EXPECT_TRUE(torch::equal(events.back().latents, result.latents));
    EXPECT_TRUE(torch::equal(events.back().referenceLatent, result.referenceLatent));
    EXPECT_EQ(result.unetCalls, r.steps * static_cast<int>(result.layout.batches.size()));
    EXPECT_EQ(result.image.sizes().vec(), (std::vector<int64_t>{1, 3, r.height, r.width}));
    EXPECT_EQ(result.referenceImage.sizes().vec(), (std::vector<int64_t>{1, 3, r.height, r.height}));
    EXPECT_TRUE(torch::equal(result.image, decodePanorama(*m, result.latents, false, r.vaeTiling)));
    EXPECT_FALSE(torch::allclose(result.image, decodePanorama(*m, result.latents, false, {}), 0, 1e-4));
}

// The seeds the request documents: the reference from `seed`, the panorama from `seed + 1`.
TEST_P(PanoramaModel, SeedsAndCircularDecode) {
    auto r = request(3, true);
    const auto seeded = PanoramaPipeline(m).generate(r, {}, nullptr, false);
    // A view every stride up to the width: the last one wraps past it by window − stride.
    EXPECT_EQ(seeded.layout.views.back().right, 3 * window + window - r.stride);
    auto explicitNoise = r;
    auto g = at::detail::createCPUGenerator(r.seed);
    explicitNoise.initReferenceLatent = torch::randn({1, m->latentChannels(), window, window}, g);
    auto g1 = at::detail::createCPUGenerator(r.seed + 1);
    explicitNoise.initLatents = torch::randn({1, m->latentChannels(), window, 3 * window}, g1);
    explicitNoise.seed = 99;
    const auto same = PanoramaPipeline(m).generate(explicitNoise, {}, nullptr, false);
    EXPECT_TRUE(torch::equal(seeded.latents, same.latents));
    EXPECT_TRUE(torch::equal(seeded.referenceLatent, same.referenceLatent));
    r.seed = 8;
    EXPECT_FALSE(torch::equal(seeded.latents, PanoramaPipeline(m).generate(r, {}, nullptr, false).latents));

    // decode_latents_with_padding: the wrapped columns decoded beside the panorama, then cropped.
    const auto image = decodePanorama(*m, seeded.latents, true);
    const auto pad = std::min<int64_t>(8, seeded.latents.size(3));
    const auto wide = decodeLatents(*m, torch::cat({seeded.latents.slice(3, -pad), seeded.latents,
                                                    seeded.latents.slice(3, 0, pad)}, 3));
    EXPECT_EQ(image.sizes().vec(), (std::vector<int64_t>{1, 3, r.height, r.width}));
    EXPECT_TRUE(torch::equal(image, wide.slice(3, pad * factor, pad * factor + r.width)));
}

// Cancelling stops between view batches and leaves the UNet as it was.
TEST_P(PanoramaModel, CancelStopsAndDetaches) {
    torch::NoGradGuard noGrad;
    const auto& c = m->unet->config();
    torch::manual_seed(3);
    auto sample = torch::randn({2, c.in_channels, window, window});
    auto context = torch::randn({2, m->tokenizer->maxLength(), c.cross_attention_dim[0]});
    AddedCond added;
    if (m->isXL()) {
        const auto px = static_cast<float>(window * factor);
        added = {torch::randn({2, m->textEncoder2->config().projection_dim}),
                 torch::tensor({px, px, 0.f, 0.f, px, px}).repeat({2, 1})};
    }
    auto forward = [&] { return m->unet->forward(sample, torch::tensor(500), context, m->isXL() ? &added : nullptr); };
    const auto before = forward();
    CancelToken cancel;
    int steps = 0;
    EXPECT_THROW(PanoramaPipeline(m).generate(request(3), [&](PanoramaStepEvent&) { ++steps, cancel.cancel(); }, &cancel),
                 Cancelled);
    EXPECT_EQ(steps, 1);
    EXPECT_TRUE(torch::equal(forward(), before));
}

INSTANTIATE_TEST_SUITE_P(TinyModels, PanoramaModel, testing::Values("tiny-sd15", "tiny-sdxl"),
                         [](const auto& info) { return info.param.substr(5); });

}  // namespace
