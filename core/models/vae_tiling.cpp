#include "core/models/vae_tiling.h"

#include <algorithm>
#include <cmath>

#include "core/common/error.h"

namespace sa {

std::string vaeTilingModeName(VaeTilingMode mode) {
    switch (mode) {
        case VaeTilingMode::Off: return "off";
        case VaeTilingMode::On: return "on";
        case VaeTilingMode::Auto: return "auto";
    }
    return "off";
}

VaeTilingMode parseVaeTilingMode(const std::string& text, const std::string& where) {
    for (auto mode : {VaeTilingMode::Auto, VaeTilingMode::On, VaeTilingMode::Off})
        if (text == vaeTilingModeName(mode)) return mode;
    fail("{}: '{}' is not auto, on or off", where, text);
}

int64_t untiledVaeBytes(const AutoencoderKLConfig& config, int64_t height, int64_t width, torch::ScalarType dtype) {
    const auto& ch = config.block_out_channels;
    const int levels = static_cast<int>(ch.size());
    int64_t largest = 0;
    for (int level = 0; level < levels; ++level) {  // level 0: full resolution
        // The decoder's block at this level makes ch[level] channels from the level below's
        // ch[level + 1], upsampled to this resolution.
        const int64_t channels = std::max(ch[level], ch[std::min(level + 1, levels - 1)]);
        largest = std::max(largest, channels * (height >> level) * (width >> level));
    }
    constexpr int64_t kLiveTensors = 3;  // a ResNet block's input, normalized copy and conv output
    return kLiveTensors * largest * static_cast<int64_t>(c10::elementSize(dtype));
}

namespace {

// diffusers' overlap_size (stride), blend_extent and row_limit (keep) for tiles of `inputTile`
// cells that become `outputTile` cells.
TilePlan tilePlan(int64_t inputTile, int64_t outputTile, double overlap) {
    const auto blend = static_cast<int64_t>(outputTile * overlap);
    return {.tile = inputTile, .stride = static_cast<int64_t>(inputTile * (1 - overlap)), .blend = blend,
            .keep = outputTile - blend};
}

}  // namespace

TilePlan decodeTilePlan(const VaeTileGeometry& g) { return tilePlan(g.latentTile, g.sampleTile, g.overlap); }

TilePlan encodeTilePlan(const VaeTileGeometry& g) { return tilePlan(g.sampleTile, g.latentTile, g.overlap); }

namespace {

VaeTileGeometry geometryOf(int factor, int sampleTile, double overlap) {
    return {.factor = factor, .sampleTile = sampleTile, .latentTile = sampleTile / factor, .overlap = overlap};
}

// The tiles line up when each direction's stride over its input is exactly the part of an output
// tile it keeps: then every tile but the last contributes `keep` rows and the last the rest, so
// the concatenation has the untiled shape and every kept row sits where the untiled one would.
bool linesUp(const VaeTileGeometry& g) {
    const auto d = decodeTilePlan(g);
    const auto e = encodeTilePlan(g);
    return g.latentTile >= 1 && d.stride >= 1 && e.stride >= 1 && e.keep >= 1 && d.stride * g.factor == d.keep &&
           e.stride == e.keep * g.factor;
}

// The tile size nearest `pixels` (ties: the larger) that is a multiple of the factor and lines up.
int nearestTileSize(int factor, int pixels, double overlap) {
    const int start = std::max(1, pixels / factor);
    for (int d = 0; d < 4096; ++d)
        for (int latent : {start + d, start - d})
            if (latent >= 1 && linesUp(geometryOf(factor, latent * factor, overlap))) return latent * factor;
    fail("no VAE tile size lines up with overlap {}", overlap);
}

}  // namespace

VaeTileGeometry vaeTileGeometry(const AutoencoderKLConfig& config, const VaeTiling& tiling) {
    const int factor = 1 << (static_cast<int>(config.block_out_channels.size()) - 1);
    if (!std::isfinite(tiling.overlap) || tiling.overlap < 0 || tiling.overlap >= 1)
        fail("VAE tile overlap {} must be at least 0 and below 1", tiling.overlap);
    if (tiling.tileSize < 0) fail("VAE tile size {} must be positive (or 0 for the VAE's sample_size)", tiling.tileSize);
    if (tiling.tileSize == 0) {
        const auto g = geometryOf(factor, config.sample_size, tiling.overlap);
        return config.sample_size % factor == 0 && linesUp(g)
                   ? g
                   : geometryOf(factor, nearestTileSize(factor, config.sample_size, tiling.overlap), tiling.overlap);
    }
    const auto g = geometryOf(factor, tiling.tileSize, tiling.overlap);
    if (tiling.tileSize % factor != 0 || !linesUp(g))
        fail("VAE tile size {} px does not fit this VAE: tiles must be a multiple of {} px whose overlapping parts line "
             "up (overlap {}); the nearest that does is {} px",
             tiling.tileSize, factor, tiling.overlap, nearestTileSize(factor, tiling.tileSize, tiling.overlap));
    return g;
}

bool vaeTilesImage(const AutoencoderKLConfig& config, const VaeTiling& tiling, int64_t height, int64_t width,
                   torch::ScalarType dtype) {
    if (tiling.mode == VaeTilingMode::Off) return false;
    const auto g = vaeTileGeometry(config, tiling);  // validates the tile size in every mode but Off
    const bool largerThanTile = height > g.sampleTile || width > g.sampleTile;
    if (tiling.mode == VaeTilingMode::On) return largerThanTile;
    return largerThanTile && untiledVaeBytes(config, height, width, dtype) > kAutoTilingBytes;
}

namespace {

// Row (dim 2) or column (dim 3) by row as the reference's Python loop, so that every ramp weight
// and every product is rounded exactly as there (tensor × Python float).
torch::Tensor blendAlong(const torch::Tensor& a, torch::Tensor b, int64_t extent, int64_t dim) {
    const int64_t e = std::min({a.size(dim), b.size(dim), extent});
    for (int64_t i = 0; i < e; ++i) {
        const double w = static_cast<double>(i) / static_cast<double>(e);
        b.select(dim, i).copy_(a.select(dim, a.size(dim) - e + i) * (1 - w) + b.select(dim, i) * w);
    }
    return b;
}

}  // namespace

torch::Tensor blendV(const torch::Tensor& a, torch::Tensor b, int64_t extent) { return blendAlong(a, std::move(b), extent, 2); }

torch::Tensor blendH(const torch::Tensor& a, torch::Tensor b, int64_t extent) { return blendAlong(a, std::move(b), extent, 3); }

torch::Tensor tileAndBlend(const torch::Tensor& input, const TilePlan& plan, const TileFunction& run,
                           const CancelToken* cancel) {
    if (input.dim() != 4) fail("tiled VAE: expected a [B, C, H, W] tensor, got [{}]", fmt::join(input.sizes(), ", "));
    if (plan.tile < 1 || plan.stride < 1 || plan.keep < 1 || plan.blend < 0)
        fail("tiled VAE: tile {}, stride {}, blend {}, keep {} is not a tiling", plan.tile, plan.stride, plan.blend, plan.keep);
    const int64_t height = input.size(2), width = input.size(3);
    std::vector<torch::Tensor> images;
    for (int64_t n = 0; n < input.size(0); ++n) {
        const auto image = input.narrow(0, n, 1);
        // The reference decodes every tile first and then blends in place, row by row, each tile
        // with its upper and left neighbours as already blended; only the previous row is needed.
        std::vector<torch::Tensor> above, strips;
        for (int64_t i = 0; i < height; i += plan.stride) {
            std::vector<torch::Tensor> row, kept;
            for (int64_t j = 0; j < width; j += plan.stride) {
                throwIfCancelled(cancel);
                auto tile = run(image.slice(2, i, i + plan.tile).slice(3, j, j + plan.tile));
                if (!above.empty()) tile = blendV(above[row.size()], tile, plan.blend);
                if (!row.empty()) tile = blendH(row.back(), tile, plan.blend);
                kept.push_back(tile.slice(2, 0, plan.keep).slice(3, 0, plan.keep));
                row.push_back(std::move(tile));
            }
            strips.push_back(torch::cat(kept, 3));
            above = std::move(row);
        }
        images.push_back(torch::cat(strips, 2));
    }
    return torch::cat(images);
}

torch::Tensor tiledDecode(AutoencoderKLImpl& vae, const torch::Tensor& latents, const VaeTileGeometry& geometry,
                          const CancelToken* cancel) {
    torch::NoGradGuard noGrad;  // inference only: tiles are blended in place
    return tileAndBlend(latents, decodeTilePlan(geometry), [&](const torch::Tensor& z) { return vae.decode(z); }, cancel);
}

namespace {

// tiled_encode up to the posterior: the blended moments.
torch::Tensor tiledMoments(AutoencoderKLImpl& vae, const torch::Tensor& image, const VaeTileGeometry& geometry,
                           const CancelToken* cancel) {
    torch::NoGradGuard noGrad;
    return tileAndBlend(image, encodeTilePlan(geometry), [&](const torch::Tensor& x) { return vae.encodeMoments(x); },
                        cancel);
}

// Image by image, each tiled when `tiling` says so; `run` untiled, `tiled` with the geometry.
torch::Tensor imageByImage(AutoencoderKLImpl& vae, const torch::Tensor& input, int64_t pixelsPerCell,
                           const VaeTiling& tiling, const CancelToken* cancel,
                           const std::function<torch::Tensor(const torch::Tensor&)>& run,
                           const std::function<torch::Tensor(const torch::Tensor&, const VaeTileGeometry&)>& tiled) {
    if (input.dim() != 4 || input.size(0) == 0) return run(input);  // the network says what is wrong
    const bool tiles = vaeTilesImage(vae.config(), tiling, input.size(2) * pixelsPerCell, input.size(3) * pixelsPerCell,
                                     input.scalar_type());
    const auto geometry = tiles ? vaeTileGeometry(vae.config(), tiling) : VaeTileGeometry{};
    // Auto: untiled images go through together while their activations stay in the budget (convolutions
    // are a little faster on a batch); On: one by one, as promised.
    int64_t batch = 1;
    if (!tiles && tiling.mode == VaeTilingMode::Auto) {
        const auto perImage = untiledVaeBytes(vae.config(), input.size(2) * pixelsPerCell, input.size(3) * pixelsPerCell,
                                              input.scalar_type());
        batch = std::max<int64_t>(1, kAutoTilingBytes / std::max<int64_t>(1, perImage));
    }
    std::vector<torch::Tensor> outputs;
    for (int64_t n = 0; n < input.size(0); n += batch) {
        throwIfCancelled(cancel);
        const auto some = input.narrow(0, n, std::min(batch, input.size(0) - n));
        outputs.push_back(tiles ? tiled(some, geometry) : run(some));
    }
    return outputs.size() == 1 ? outputs.front() : torch::cat(outputs);
}

}  // namespace

LatentDistribution tiledEncode(AutoencoderKLImpl& vae, const torch::Tensor& image, const VaeTileGeometry& geometry,
                               const CancelToken* cancel) {
    return LatentDistribution::fromMoments(tiledMoments(vae, image, geometry, cancel));
}

torch::Tensor vaeDecode(AutoencoderKLImpl& vae, const torch::Tensor& latents, const VaeTiling& tiling,
                        const CancelToken* cancel) {
    if (tiling.mode == VaeTilingMode::Off) return vae.decode(latents);
    return imageByImage(
        vae, latents, vae.downscaleFactor(), tiling, cancel, [&](const torch::Tensor& z) { return vae.decode(z); },
        [&](const torch::Tensor& z, const VaeTileGeometry& g) { return tiledDecode(vae, z, g, cancel); });
}

LatentDistribution vaeEncode(AutoencoderKLImpl& vae, const torch::Tensor& image, const VaeTiling& tiling,
                             const CancelToken* cancel) {
    if (tiling.mode == VaeTilingMode::Off) return vae.encode(image);
    return LatentDistribution::fromMoments(imageByImage(
        vae, image, 1, tiling, cancel, [&](const torch::Tensor& x) { return vae.encodeMoments(x); },
        [&](const torch::Tensor& x, const VaeTileGeometry& g) { return tiledMoments(vae, x, g, cancel); }));
}

}  // namespace sa
