// Tiled VAE decode / encode (issue 13): diffusers' enable_tiling() blend ramps, tile positions and
// crops; tiled against untiled on the golden tiny SD 1.5 VAE; the auto rule; set.json fields.
#include <fstream>

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/io/image_set.h"
#include "core/pipeline/set_request.h"
#include "core/models/vae_tiling.h"
#include "core/pipeline/stable_diffusion_model.h"
#include "support/expect_error.h"
#include "support/golden_dir.h"

namespace sa {
namespace {

// The golden SD 1.5 pipeline folder (model_index.json of a StableDiffusionPipeline).
std::filesystem::path goldenSd15() {
    for (const auto& entry : std::filesystem::directory_iterator(test::goldenDir())) {
        std::ifstream in(entry.path() / "model_index.json");
        if (!in) continue;
        const auto json = nlohmann::json::parse(in, nullptr, false);
        if (json.is_object() && json.value("_class_name", "") == "StableDiffusionPipeline") return entry.path();
    }
    return {};
}

AutoencoderKL goldenVae() {
    static AutoencoderKL vae = [] {
        const auto folder = goldenSd15();
        if (folder.empty()) throw Error("no StableDiffusionPipeline folder in the golden data");
        return loadVae(folder / "vae");
    }();
    return vae;
}

// Seeded N(0, 1) noise: statistically the same in every tile (as latents are), so that the tiles'
// own GroupNorm statistics differ from the whole image's as little as they can.
torch::Tensor noise(int64_t batch, int64_t channels, int64_t height, int64_t width, uint64_t seed) {
    auto generator = at::detail::createCPUGenerator(seed);
    return torch::randn({batch, channels, height, width}, generator);
}

// How far tiled is from untiled, in units of the untiled output's largest magnitude.
struct Distance {
    double worst = 0, mean = 0, range = 0;
};
Distance distance(const torch::Tensor& tiled, const torch::Tensor& untiled) {
    const auto diff = (tiled - untiled).abs();
    const double range = untiled.abs().max().item<double>();
    return {diff.max().item<double>() / range, diff.mean().item<double>() / range, range};
}

// Tolerances for the golden tiny VAE (random weights), relative to the output's range. Tiles are
// decoded apart, each normalized by its own GroupNorm statistics, so tiled is never untiled; but
// with the reference's positions, ramps and crops it stays within these, while each of these
// breakages goes beyond them (checked when this test was written): a reversed ramp, no blending,
// the overlap cropped from the wrong end, tiles one cell off. Correct: decode max 0.41–0.43, encode
// max 0.30–0.34, mean 0.035–0.036. Broken: decode max ≥ 0.79, encode max ≥ 0.55, mean ≥ 0.048.
// (The decode's mean error separates too little to test: 0.026–0.037 against ≥ 0.035.)
constexpr double kDecodeMax = 0.6, kEncodeMax = 0.45, kEncodeMean = 0.045;

// The smallest n' ≥ n that is not a multiple of `stride`.
int64_t notMultipleOf(int64_t n, int64_t stride) {
    while (n % stride == 0) ++n;
    return n;
}

// The smallest explicit tile size of at least `pixels` that fits the VAE.
int smallestTileOver(const AutoencoderKLConfig& config, int64_t pixels) {
    for (int tile = static_cast<int>(pixels);; ++tile) {
        try {
            return vaeTileGeometry(config, {.mode = VaeTilingMode::On, .tileSize = tile}).sampleTile;
        } catch (const Error&) {
        }
    }
}

// --- blend_v / blend_h -----------------------------------------------------------------------

// a's rows are 1, 2, 3, 4; b's are all 100 (5 rows); three columns.
torch::Tensor rowsOneToFour() { return torch::arange(1, 5, torch::kFloat32).view({1, 1, 4, 1}).expand({1, 1, 4, 3}).clone(); }

TEST(VaeTiling, BlendVRampsFromTheUpperTile) {
    const auto a = rowsOneToFour();
    auto b = torch::full({1, 1, 5, 3}, 100.0f);
    const auto* storage = b.data_ptr<float>();
    // extent 4: b[y] = a[y]·(1 − y/4) + b[y]·(y/4)
    auto out = blendV(a, b, 4);
    EXPECT_EQ(out.data_ptr<float>(), storage);  // in place, returned
    const std::vector<float> expected{1.0f, 2 * 0.75f + 25.0f, 3 * 0.5f + 50.0f, 4 * 0.25f + 75.0f, 100.0f};
    for (int64_t y = 0; y < 5; ++y)
        for (int64_t x = 0; x < 3; ++x) EXPECT_FLOAT_EQ(b[0][0][y][x].item<float>(), expected[static_cast<size_t>(y)]) << y;
    // extent 2: only a's last two rows take part: b[0] = a[2], b[1] = a[3]·½ + b[1]·½.
    b.fill_(100.0f);
    blendV(a, b, 2);
    EXPECT_FLOAT_EQ(b[0][0][0][0].item<float>(), 3.0f);
    EXPECT_FLOAT_EQ(b[0][0][1][0].item<float>(), 52.0f);
    EXPECT_FLOAT_EQ(b[0][0][2][0].item<float>(), 100.0f);
    // The extent is capped by the shorter of the two: b of 2 rows, extent 3 → e = 2.
    auto shortB = torch::full({1, 1, 2, 3}, 100.0f);
    blendV(a, shortB, 3);
    EXPECT_FLOAT_EQ(shortB[0][0][0][0].item<float>(), 3.0f);
    EXPECT_FLOAT_EQ(shortB[0][0][1][0].item<float>(), 52.0f);
    // extent 0 changes nothing.
    b.fill_(100.0f);
    blendV(a, b, 0);
    EXPECT_TRUE(torch::equal(b, torch::full({1, 1, 5, 3}, 100.0f)));
}

TEST(VaeTiling, BlendHRampsFromTheLeftTile) {
    const auto a = rowsOneToFour().transpose(2, 3).contiguous();  // columns 1, 2, 3, 4
    auto b = torch::full({1, 1, 3, 5}, 100.0f);
    blendH(a, b, 4);
    const std::vector<float> expected{1.0f, 26.5f, 51.5f, 76.0f, 100.0f};
    for (int64_t y = 0; y < 3; ++y)
        for (int64_t x = 0; x < 5; ++x) EXPECT_FLOAT_EQ(b[0][0][y][x].item<float>(), expected[static_cast<size_t>(x)]) << x;
    b.fill_(100.0f);
    blendH(a, b, 2);
    EXPECT_FLOAT_EQ(b[0][0][1][0].item<float>(), 3.0f);
    EXPECT_FLOAT_EQ(b[0][0][1][1].item<float>(), 52.0f);
    EXPECT_FLOAT_EQ(b[0][0][1][2].item<float>(), 100.0f);
}

// --- positions, ramps and crops against diffusers' own code ----------------------------------

// The synthetic per-tile networks of tests/unit/vae_tiling_reference.py, which runs diffusers
// v0.25.0's tiled_decode / tiled_encode on them: the result depends on where every tile starts,
// on each ramp and crop, and on blending with the neighbours as already blended (in place).
torch::Tensor withRamps(const torch::Tensor& tile, const torch::Tensor& resized) {
    const auto rows = torch::arange(resized.size(2), torch::kFloat32).view({1, 1, -1, 1});
    const auto cols = torch::arange(resized.size(3), torch::kFloat32).view({1, 1, 1, -1});
    return resized * (1 + tile.slice(2, 0, 1).slice(3, 0, 1)) + 0.1 * rows - 0.05 * cols;
}
torch::Tensor syntheticDecoder(const torch::Tensor& tile) {
    return withRamps(tile, tile.repeat_interleave(2, 2).repeat_interleave(2, 3));
}
torch::Tensor syntheticEncoder(const torch::Tensor& tile) {
    return withRamps(tile, tile.slice(2, 0, tile.size(2), 2).slice(3, 0, tile.size(3), 2));
}
torch::Tensor syntheticInput(int64_t channels, int64_t height, int64_t width) {
    const auto c = torch::arange(channels).view({-1, 1, 1});
    const auto i = torch::arange(height).view({1, -1, 1});
    const auto j = torch::arange(width).view({1, 1, -1});
    return ((131 * c + 13 * i + 7 * j).remainder(17).to(torch::kFloat32) / 8 - 1).unsqueeze(0);
}
std::pair<double, double> checksums(const torch::Tensor& t) {
    const auto flat = t.to(torch::kFloat64).flatten();
    const auto weights = (torch::arange(flat.numel()).remainder(7) + 1).to(torch::kFloat64);
    return {flat.sum().item<double>(), (flat * weights).sum().item<double>()};
}

TEST(VaeTiling, MatchesDiffusersOnASyntheticNetwork) {
    // tile_sample_min_size 16, tile_latent_min_size 8, overlap 0.25; sizes that are no multiple of
    // the strides, so the last tiles are partial.
    const VaeTileGeometry geometry{.factor = 2, .sampleTile = 16, .latentTile = 8, .overlap = 0.25};
    const auto decoded = tileAndBlend(syntheticInput(2, 17, 23), decodeTilePlan(geometry), syntheticDecoder);
    EXPECT_EQ(decoded.sizes().vec(), (std::vector<int64_t>{1, 2, 34, 46}));
    const auto [decodedSum, decodedWeighted] = checksums(decoded);
    EXPECT_NEAR(decodedSum, 1039.5054414644837, 1e-9 * 1039.5);
    EXPECT_NEAR(decodedWeighted, 4115.8654696829617, 1e-9 * 4115.9);
    EXPECT_FLOAT_EQ(decoded[0][1][13][21].item<float>(), 0.464062542f);

    const auto encoded = tileAndBlend(syntheticInput(2, 34, 46), encodeTilePlan(geometry), syntheticEncoder);
    EXPECT_EQ(encoded.sizes().vec(), (std::vector<int64_t>{1, 2, 17, 23}));
    const auto [encodedSum, encodedWeighted] = checksums(encoded);
    EXPECT_NEAR(encodedSum, 127.36249828711152, 1e-9 * 127.4);
    EXPECT_NEAR(encodedWeighted, 525.18944618850946, 1e-9 * 525.2);
    EXPECT_FLOAT_EQ(encoded[0][1][13][21].item<float>(), 1.7265625f);
}

TEST(VaeTiling, EveryImageOfABatchIsTiledAlone) {
    const VaeTileGeometry geometry{.factor = 2, .sampleTile = 16, .latentTile = 8, .overlap = 0.25};
    const auto one = syntheticInput(2, 17, 23);
    const auto batch = torch::cat({one, -one});
    const auto decoded = tileAndBlend(batch, decodeTilePlan(geometry), syntheticDecoder);
    EXPECT_TRUE(torch::equal(decoded[0], tileAndBlend(one, decodeTilePlan(geometry), syntheticDecoder)[0]));
    EXPECT_TRUE(torch::equal(decoded[1], tileAndBlend(-one, decodeTilePlan(geometry), syntheticDecoder)[0]));
}

TEST(VaeTiling, CancelStopsBeforeTheNextTile) {
    const VaeTileGeometry geometry{.factor = 2, .sampleTile = 16, .latentTile = 8, .overlap = 0.25};
    CancelToken cancel;
    int tiles = 0;
    const auto run = [&](const torch::Tensor& tile) {
        if (++tiles == 2) cancel.cancel();
        return syntheticDecoder(tile);
    };
    EXPECT_THROW(tileAndBlend(syntheticInput(2, 17, 23), decodeTilePlan(geometry), run, &cancel), Cancelled);
    EXPECT_EQ(tiles, 2);
}

// --- geometry and the auto rule --------------------------------------------------------------

TEST(VaeTiling, GeometryFromTheConfigOrAnExplicitTile) {
    const auto& config = goldenVae()->config();
    const int factor = goldenVae()->downscaleFactor();
    // Tile size 0: diffusers' tile_sample_min_size = sample_size, tile_latent_min_size = sample_size / factor.
    const auto g = vaeTileGeometry(config, {.mode = VaeTilingMode::On});
    EXPECT_EQ(g.factor, factor);
    EXPECT_EQ(g.sampleTile, config.sample_size);
    EXPECT_EQ(g.latentTile, config.sample_size / factor);
    const auto d = decodeTilePlan(g);
    EXPECT_EQ(d.tile, g.latentTile);
    EXPECT_EQ(d.stride, static_cast<int64_t>(g.latentTile * 0.75));
    EXPECT_EQ(d.blend, static_cast<int64_t>(g.sampleTile * 0.25));
    EXPECT_EQ(d.keep, g.sampleTile - d.blend);
    EXPECT_EQ(d.stride * factor, d.keep);  // tiles line up
    const auto e = encodeTilePlan(g);
    EXPECT_EQ(e.tile, g.sampleTile);
    EXPECT_EQ(e.stride, e.keep * factor);

    const auto explicitTile = vaeTileGeometry(config, {.mode = VaeTilingMode::On, .tileSize = 8 * factor});
    EXPECT_EQ(explicitTile.sampleTile, 8 * factor);
    EXPECT_EQ(explicitTile.latentTile, 8);
    // Not a multiple of the factor, or tiles that do not line up (a latent side of 6 with overlap
    // ¼: the latent stride 4 covers 4·factor pixels, the kept part is 6·factor − 1.5·factor).
    const auto geometryOf = [&](int tileSize, double overlap = 0.25) {
        return [&config, tileSize, overlap] {
            vaeTileGeometry(config, {.mode = VaeTilingMode::On, .tileSize = tileSize, .overlap = overlap});
        };
    };
    if (factor > 1) test::expectSaError(geometryOf(8 * factor + 1), {"multiple of"});
    test::expectSaError(geometryOf(6 * factor), {fmt::format("the nearest that does is {} px", 8 * factor)});
    test::expectSaError(geometryOf(0, 1.0), {"overlap"});
    // A sample_size that does not line up falls back to the nearest that does.
    auto odd = config;
    odd.sample_size = 6 * factor;
    EXPECT_EQ(vaeTileGeometry(odd, {.mode = VaeTilingMode::Auto}).sampleTile, 8 * factor);
    EXPECT_EQ(parseVaeTilingMode("auto", "x"), VaeTilingMode::Auto);
    test::expectSaError([&] { parseVaeTilingMode("yes", "--vae-tiling"); }, {"--vae-tiling: 'yes' is not auto, on or off"});
}

TEST(VaeTiling, AutoTilesOnlyWhenTheUntiledDecodeExceedsTheBudget) {
    // SD / SDXL's VAE: block_out_channels 128, 256, 512, 512 (3 tensors of 256 channels at full size).
    AutoencoderKLConfig sd;
    sd.block_out_channels = {128, 256, 512, 512};
    sd.sample_size = 512;
    EXPECT_EQ(untiledVaeBytes(sd, 1024, 1024, torch::kFloat32), int64_t{3} * 256 * 1024 * 1024 * 4);
    EXPECT_EQ(untiledVaeBytes(sd, 1024, 1024, torch::kFloat16), int64_t{3} * 256 * 1024 * 1024 * 2);
    const VaeTiling automatic{.mode = VaeTilingMode::Auto}, on{.mode = VaeTilingMode::On}, off{};
    EXPECT_FALSE(vaeTilesImage(sd, automatic, 512, 512, torch::kFloat32));
    EXPECT_FALSE(vaeTilesImage(sd, automatic, 768, 768, torch::kFloat32));  // 1.7 GiB
    EXPECT_TRUE(vaeTilesImage(sd, automatic, 1024, 1024, torch::kFloat32));  // 3 GiB
    EXPECT_FALSE(vaeTilesImage(sd, automatic, 1024, 1024, torch::kFloat16));  // 1.5 GiB
    EXPECT_TRUE(vaeTilesImage(sd, automatic, 512, 2048, torch::kFloat32));   // a panorama
    EXPECT_TRUE(vaeTilesImage(sd, on, 512, 520, torch::kFloat32));           // larger than a tile
    EXPECT_FALSE(vaeTilesImage(sd, on, 512, 512, torch::kFloat32));
    EXPECT_FALSE(vaeTilesImage(sd, off, 4096, 4096, torch::kFloat32));
    // SDXL's VAE has sample_size 1024: a 1024² image is one tile, never tiled.
    auto xl = sd;
    xl.sample_size = 1024;
    EXPECT_FALSE(vaeTilesImage(xl, automatic, 1024, 1024, torch::kFloat32));
    EXPECT_TRUE(vaeTilesImage(xl, automatic, 1024, 2048, torch::kFloat32));
}

// --- tiled against untiled on the golden tiny VAE --------------------------------------------

TEST(VaeTiling, TileAtLeastTheImageIsTheUntiledResultExactly) {
    torch::NoGradGuard noGrad;
    auto vae = goldenVae();
    const int factor = vae->downscaleFactor();
    const int latentTile = vaeTileGeometry(vae->config(), {.mode = VaeTilingMode::On}).latentTile;
    const int64_t h = latentTile + 2, w = latentTile + 5;  // larger than the VAE's own tile
    const auto latents = noise(1, vae->config().latent_channels, h, w, 1);
    const auto image = noise(1, vae->config().in_channels, h * factor, w * factor, 2);
    for (const int tile : {smallestTileOver(vae->config(), w * factor), smallestTileOver(vae->config(), w * factor + 4 * factor)}) {
        for (const auto mode : {VaeTilingMode::On, VaeTilingMode::Auto}) {
            const VaeTiling tiling{.mode = mode, .tileSize = tile};
            EXPECT_TRUE(torch::equal(vaeDecode(*vae, latents, tiling), vae->decode(latents))) << tile;
            EXPECT_TRUE(torch::equal(vaeEncode(*vae, image, tiling).mean, vae->encode(image).mean)) << tile;
        }
    }
    // Off: the batch in one call, exactly vae.decode.
    const auto batch = noise(2, vae->config().latent_channels, h, w, 3);
    EXPECT_TRUE(torch::equal(vaeDecode(*vae, batch, {}), vae->decode(batch)));
}

TEST(VaeTiling, SmallTilesDecodeCloseToUntiled) {
    torch::NoGradGuard noGrad;
    auto vae = goldenVae();
    const auto g = vaeTileGeometry(vae->config(), {.mode = VaeTilingMode::On});
    const int64_t h = 4 * g.latentTile, w = 4 * g.latentTile;  // 4 tiles each way
    const auto latents = noise(2, vae->config().latent_channels, h, w, 4);
    const auto untiled = vae->decode(latents);
    const auto tiled = vaeDecode(*vae, latents, {.mode = VaeTilingMode::On});
    ASSERT_EQ(tiled.sizes(), untiled.sizes());
    EXPECT_TRUE(torch::equal(tiled.narrow(0, 1, 1), tiledDecode(*vae, latents.narrow(0, 1, 1), g)));
    const auto d = distance(tiled, untiled);
    std::printf("tiled decode vs untiled: max |Δ| %.4g, mean |Δ| %.4g (output range %.3g)\n", d.worst * d.range,
                d.mean * d.range, d.range);
    EXPECT_LT(d.worst, kDecodeMax);
}

TEST(VaeTiling, SmallTilesEncodeCloseToUntiled) {
    torch::NoGradGuard noGrad;
    auto vae = goldenVae();
    const auto g = vaeTileGeometry(vae->config(), {.mode = VaeTilingMode::On});
    const int64_t height = 4 * g.sampleTile, width = 4 * g.sampleTile;
    const auto image = noise(1, vae->config().in_channels, height, width, 5);
    const auto untiled = vae->encode(image);
    const auto tiled = vaeEncode(*vae, image, {.mode = VaeTilingMode::On});
    ASSERT_EQ(tiled.mean.sizes(), untiled.mean.sizes());
    const auto d = distance(tiled.mean, untiled.mean);
    std::printf("tiled encode vs untiled (latent mean): max |Δ| %.4g, mean |Δ| %.4g (range %.3g)\n", d.worst * d.range,
                d.mean * d.range, d.range);
    EXPECT_LT(d.worst, kEncodeMax);
    EXPECT_LT(d.mean, kEncodeMean);
    // logvar and std follow from the same blended moments.
    EXPECT_TRUE(torch::allclose(tiled.std, torch::exp(0.5 * tiled.logvar)));
}

TEST(VaeTiling, SizesThatAreNoMultipleOfTheStride) {
    torch::NoGradGuard noGrad;
    auto vae = goldenVae();
    const int factor = vae->downscaleFactor();
    const VaeTiling tiling{.mode = VaeTilingMode::On};
    const auto g = vaeTileGeometry(vae->config(), tiling);
    const auto stride = decodeTilePlan(g).stride;
    const int64_t h = notMultipleOf(2 * g.latentTile + 3, stride), w = notMultipleOf(3 * g.latentTile - 1, stride);
    const auto latents = noise(1, vae->config().latent_channels, h, w, 6);
    const auto decoded = vaeDecode(*vae, latents, tiling);
    EXPECT_EQ(decoded.sizes().vec(), (std::vector<int64_t>{1, vae->config().out_channels, h * factor, w * factor}));
    const auto decodeDistance = distance(decoded, vae->decode(latents));
    EXPECT_LT(decodeDistance.worst, kDecodeMax);

    const int64_t height = h * factor, width = w * factor;
    ASSERT_NE(height % encodeTilePlan(g).stride, 0);
    ASSERT_NE(width % encodeTilePlan(g).stride, 0);
    const auto image = noise(1, vae->config().in_channels, height, width, 7);
    const auto encoded = vaeEncode(*vae, image, tiling);
    EXPECT_EQ(encoded.mean.sizes().vec(), (std::vector<int64_t>{1, vae->config().latent_channels, h, w}));
    const auto encodeDistance = distance(encoded.mean, vae->encode(image).mean);
    EXPECT_LT(encodeDistance.worst, kEncodeMax);
    EXPECT_LT(encodeDistance.mean, kEncodeMean);
    // Only wider than a tile: tiled along the width alone.
    const auto strip = noise(1, vae->config().latent_channels, g.latentTile / 2, w, 8);
    EXPECT_EQ(vaeDecode(*vae, strip, tiling).size(3), w * factor);
}

// --- set.json ---------------------------------------------------------------------------------

TEST(VaeTiling, SetJsonKeepsTheTilingAndOldSetsAreUntiled) {
    ImageSetSpec spec;
    spec.model = "m";
    spec.referencePrompt = "a fish, pixel art style.";
    spec.targets = {"a cat"};
    spec.seeds = {1, 2};
    spec.vaeTiling = "auto";
    spec.vaeTileSize = 256;
    auto json = spec.toJson();
    const auto back = ImageSetSpec::fromJson(json, "set.json");
    EXPECT_EQ(back.vaeTiling, "auto");
    EXPECT_EQ(back.vaeTileSize, 256);
    json.erase("vae_tiling");
    json.erase("vae_tile_size");
    const auto old = ImageSetSpec::fromJson(json, "set.json");
    EXPECT_EQ(old.toJson(), json);  // untiled sets are written as before
    EXPECT_EQ(old.vaeTiling, "off");
    EXPECT_EQ(old.vaeTileSize, 0);
    spec.vaeTiling = "yes";
    test::expectSaError([&] { validateSpec(spec, "set.json", false); },
                        {"set.json: 'vae_tiling': 'yes' is not auto, on or off"});
    spec.vaeTiling = "on";
    spec.vaeTileSize = -8;
    test::expectSaError([&] { validateSpec(spec, "set.json", false); }, {"'vae_tile_size'"});
}

}  // namespace
}  // namespace sa
