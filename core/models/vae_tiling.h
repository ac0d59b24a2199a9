#pragma once
// Tiled VAE encode / decode for large images (issue 13): diffusers v0.25.0
// AutoencoderKL.enable_tiling() — tiled_encode, tiled_decode, blend_v, blend_h. Overlapping tiles
// go through the network one at a time (one image at a time); each tile's first rows and columns
// are ramped linearly from its upper and left neighbours and the overlap is cropped, so memory is
// bounded by one tile whatever the image size. Tile positions, ramps and crops are the
// reference's: a diffusers run with enable_tiling() and the same tile size computes the same.
#include <functional>
#include <string>

#include <torch/torch.h>

#include "core/common/cancel.h"
#include "core/models/autoencoder_kl.h"

namespace sa {

enum class VaeTilingMode { Off, On, Auto };

struct VaeTiling {
    VaeTilingMode mode = VaeTilingMode::Off;
    int tileSize = 0;       // tile side in pixels, a multiple of the VAE factor; 0: the VAE's sample_size
    double overlap = 0.25;  // diffusers' tile_overlap_factor
    bool operator==(const VaeTiling&) const = default;
};

std::string vaeTilingModeName(VaeTilingMode mode);  // "off", "on", "auto"
// Throws "<where>: '<text>' is not auto, on or off".
VaeTilingMode parseVaeTilingMode(const std::string& text, const std::string& where);

// Auto tiles an image whose untiled activations would exceed this (see untiledVaeBytes).
inline constexpr int64_t kAutoTilingBytes = int64_t{2} << 30;

// Estimated peak activation memory of one untiled VAE decode of a height × width image: the
// decoder's largest tensors are at full resolution, where a ResNet block holds its input, its
// normalized copy and a convolution output at once (~3 tensors of the level's widest channel
// count). SD / SDXL in float32: 3 KiB per pixel (3 GiB at 1024²). The encoder needs less.
int64_t untiledVaeBytes(const AutoencoderKLConfig& config, int64_t height, int64_t width, torch::ScalarType dtype);

// diffusers' tile_sample_min_size (pixels), tile_latent_min_size and tile_overlap_factor.
struct VaeTileGeometry {
    int factor = 8;  // pixels per latent cell
    int sampleTile = 512;
    int latentTile = 64;
    double overlap = 0.25;
};

// The geometry of `tiling` for this VAE. An explicit tile size must be a multiple of the VAE
// factor whose tiles line up (the stride over the input equals the part of each output tile kept,
// so the result has exactly the untiled shape; with overlap 0.25: a latent side that is a multiple
// of 4), else sa::Error suggesting the nearest size that does. Tile size 0 takes the VAE's
// sample_size (diffusers' choice), or the nearest size that lines up when it does not.
VaeTileGeometry vaeTileGeometry(const AutoencoderKLConfig& config, const VaeTiling& tiling);

// Whether a height × width (pixels) image is tiled: never when Off; when On, if it is larger than
// the tile in either direction (diffusers' condition); when Auto, if in addition its untiled
// decode would need more than kAutoTilingBytes (untiledVaeBytes in `dtype`).
bool vaeTilesImage(const AutoencoderKLConfig& config, const VaeTiling& tiling, int64_t height, int64_t width,
                   torch::ScalarType dtype);

// How one direction cuts its input: tiles of `tile` cells every `stride` cells along height and
// width; the output tiles blend their first `blend` rows / columns with their neighbours' last
// ones and keep their first `keep` rows / columns.
struct TilePlan {
    int64_t tile = 0, stride = 0, blend = 0, keep = 0;
};
TilePlan decodeTilePlan(const VaeTileGeometry& geometry);  // latent cells in, pixels out
TilePlan encodeTilePlan(const VaeTileGeometry& geometry);  // pixels in, latent cells out

// blend_v / blend_h: with e = min(a's rows, b's rows, extent), b's row y < e becomes
// a[rows(a) - e + y] · (1 - y/e) + b[y] · (y/e) (columns for blendH), in place; returns b.
torch::Tensor blendV(const torch::Tensor& a, torch::Tensor b, int64_t extent);
torch::Tensor blendH(const torch::Tensor& a, torch::Tensor b, int64_t extent);

// The tiling loop of tiled_encode / tiled_decode around any per-tile network `run`
// ([1, C, h, w] → [1, C', h', w']): one image of the batch and one tile at a time, row by row,
// holding only the previous row of blended tiles. Checks `cancel` before every tile.
using TileFunction = std::function<torch::Tensor(const torch::Tensor&)>;
torch::Tensor tileAndBlend(const torch::Tensor& input, const TilePlan& plan, const TileFunction& run,
                           const CancelToken* cancel = nullptr);

// tiled_decode (post_quant_conv and decoder per tile) / tiled_encode (encoder and quant_conv per
// tile, the moments blended), always tiled with `geometry`.
torch::Tensor tiledDecode(AutoencoderKLImpl& vae, const torch::Tensor& latents, const VaeTileGeometry& geometry,
                          const CancelToken* cancel = nullptr);
LatentDistribution tiledEncode(AutoencoderKLImpl& vae, const torch::Tensor& image, const VaeTileGeometry& geometry,
                               const CancelToken* cancel = nullptr);

// vae.decode / vae.encode under `tiling`. Off: the whole batch in one call (the reference's
// default). On: one image at a time (diffusers' enable_slicing), each tiled when vaeTilesImage says
// so. Auto: images that need no tiles several at a time, as many as fit in kAutoTilingBytes
// (convolutions run a little faster on a batch), the others one at a time in tiles.
torch::Tensor vaeDecode(AutoencoderKLImpl& vae, const torch::Tensor& latents, const VaeTiling& tiling,
                        const CancelToken* cancel = nullptr);
LatentDistribution vaeEncode(AutoencoderKLImpl& vae, const torch::Tensor& image, const VaeTiling& tiling,
                             const CancelToken* cancel = nullptr);

}  // namespace sa
