"""Reference numbers for tests/unit/test_vae_tiling.cpp (VaeTiling.MatchesDiffusersOnASyntheticNetwork).

Runs diffusers v0.25.0's own AutoencoderKL.tiled_decode / tiled_encode / blend_v / blend_h, taken
verbatim from its source file, around a synthetic per-tile "network" (so only torch is needed), and
prints the checksums the C++ test pins. Usage:

    python3 vae_tiling_reference.py PATH/TO/diffusers/src/diffusers/models/autoencoders/autoencoder_kl.py
"""
import ast
import sys
import types
import typing

import torch


def reference_methods(path):
    tree = ast.parse(open(path).read())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "AutoencoderKL")
    wanted = {"blend_v", "blend_h", "tiled_encode", "tiled_decode"}
    methods = [n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name in wanted]
    for m in methods:
        m.decorator_list = []
    module = ast.Module(body=methods, type_ignores=[])
    namespace = {
        "torch": torch,
        "Union": typing.Union, "Tuple": typing.Tuple,
        "DecoderOutput": lambda sample: sample, "AutoencoderKLOutput": lambda latent_dist: latent_dist,
        "DiagonalGaussianDistribution": lambda moments: moments,  # the blended moments themselves
    }
    namespace["torch"].FloatTensor = torch.Tensor
    exec(compile(ast.fix_missing_locations(module), path, "exec"), namespace)
    return {name: namespace[name] for name in wanted}


def ramps(out):
    rows = torch.arange(out.shape[2], dtype=torch.float32).view(1, 1, -1, 1)
    cols = torch.arange(out.shape[3], dtype=torch.float32).view(1, 1, 1, -1)
    return rows, cols


def synthetic_decoder(tile):  # 2x nearest upsampling, scaled by the tile's first cell, plus in-tile ramps
    up = tile.repeat_interleave(2, 2).repeat_interleave(2, 3)
    rows, cols = ramps(up)
    return up * (1 + tile[:, :, :1, :1]) + 0.1 * rows - 0.05 * cols


def synthetic_encoder(tile):  # every second pixel, scaled by the tile's first pixel, plus in-tile ramps
    down = tile[:, :, ::2, ::2]
    rows, cols = ramps(down)
    return down * (1 + tile[:, :, :1, :1]) + 0.1 * rows - 0.05 * cols


def synthetic_input(channels, height, width):  # exact in float32: ((131 c + 13 i + 7 j) mod 17) / 8 - 1
    c = torch.arange(channels).view(-1, 1, 1)
    i = torch.arange(height).view(1, -1, 1)
    j = torch.arange(width).view(1, 1, -1)
    return (((131 * c + 13 * i + 7 * j) % 17).to(torch.float32) / 8 - 1).unsqueeze(0)


def checksums(t):
    flat = t.double().flatten()
    weights = (torch.arange(flat.numel()) % 7 + 1).double()
    return flat.sum().item(), (flat * weights).sum().item()


def main():
    m = reference_methods(sys.argv[1])
    vae = types.SimpleNamespace(
        tile_sample_min_size=16, tile_latent_min_size=8, tile_overlap_factor=0.25,
        decoder=synthetic_decoder, post_quant_conv=lambda z: z,
        encoder=synthetic_encoder, quant_conv=lambda h: h)
    for name in ("blend_v", "blend_h"):
        setattr(vae, name, types.MethodType(m[name], vae))
    decoded = m["tiled_decode"](vae, synthetic_input(2, 17, 23))
    encoded = m["tiled_encode"](vae, synthetic_input(2, 34, 46))
    for label, t in (("decode", decoded), ("encode", encoded)):
        total, weighted = checksums(t)
        print(f"{label}: shape {list(t.shape)} sum {total:.17g} weighted {weighted:.17g} "
              f"[0,1,13,21] {t[0, 1, 13, 21].item():.9g}")


if __name__ == "__main__":
    main()
