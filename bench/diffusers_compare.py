#!/usr/bin/python3
"""The reference implementation's speed on the same job as stylealigned-bench's first two lines:
diffusers 0.25 + google/style-aligned sa_handler.py, the denoising loop of 1 reference + N targets
(classifier-free guidance 7.5, DDIM), plain and with StyleAligned at the paper's defaults.

Text embeddings are random tensors of the right shape: text encoding is well under 1 % of the
run, and transformers is not packaged in Debian. Runs on Debian's python3-torch with the diffusers
and huggingface_hub sources on PYTHONPATH plus bench/pyshim (pure-Python stand-ins for the two
calls diffusers and sa_handler make into safetensors and einops). See README ▸ Benchmark.
"""
import argparse
import json
import os
import time
import types

import torch
import torch.nn.functional as F


def _sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False):
    """torch 2.0's scaled_dot_product_attention as its CPU math path computes it (Debian ships
    torch 1.13, which has no fused kernel either: both sides run the same GEMMs)."""
    scores = query @ key.transpose(-2, -1) / (query.shape[-1] ** 0.5)
    if attn_mask is not None:
        scores = scores + attn_mask
    return scores.softmax(-1) @ value


if not hasattr(F, "scaled_dot_product_attention"):
    F.scaled_dot_product_attention = _sdpa  # diffusers' AttnProcessor2_0 and sa_handler call it

from diffusers import DDIMScheduler, UNet2DConditionModel  # noqa: E402

import sa_handler  # noqa: E402


def best_of(repeat, work):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="diffusers folder (unet/, vae/, scheduler/)")
    parser.add_argument("--targets", type=int, default=4)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--height", type=int, default=0)
    parser.add_argument("--width", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    unet = UNet2DConditionModel.from_pretrained(args.model, subfolder="unet").eval()
    scheduler = DDIMScheduler.from_pretrained(args.model, subfolder="scheduler")
    with open(os.path.join(args.model, "vae", "config.json")) as f:
        factor = 2 ** (len(json.load(f)["block_out_channels"]) - 1)
    height = args.height or unet.config.sample_size * factor
    width = args.width or unet.config.sample_size * factor
    n = 1 + args.targets
    cross = unet.config.cross_attention_dim
    cross = cross[0] if isinstance(cross, (list, tuple)) else cross
    generator = torch.Generator().manual_seed(0)
    context = torch.randn(2 * n, 77, cross, generator=generator)  # [uncond; cond]
    shape = (n, unet.config.in_channels, height // factor, width // factor)

    def loop():  # StableDiffusionPipeline.__call__'s denoising loop
        scheduler.set_timesteps(args.steps)
        latents = torch.randn(shape, generator=torch.Generator().manual_seed(1)) * scheduler.init_noise_sigma
        for t in scheduler.timesteps:
            x = scheduler.scale_model_input(torch.cat([latents] * 2), t)
            noise = unet(x, t, encoder_hidden_states=context).sample
            uncond, cond = noise.chunk(2)
            latents = scheduler.step(uncond + 7.5 * (cond - uncond), t, latents).prev_sample

    print(f"diffusers 0.25 + sa_handler | model {args.model} | {width}x{height}, {args.steps} steps, "
          f"1 reference + {args.targets} targets, {torch.get_num_threads()} threads, best of {args.repeat}")
    with torch.no_grad():
        loop()  # warm-up
        plain = best_of(args.repeat, loop)
        handler = sa_handler.Handler(types.SimpleNamespace(unet=unet))
        handler.register(sa_handler.StyleAlignedArgs())
        loop()
        shared = best_of(args.repeat, loop)
    print(f"{'plain generation (same images)':<44} {plain:9.3f} s")
    print(f"{'StyleAligned set (one batch)':<44} {shared:9.3f} s   ratio {shared / plain:.3f}x")


if __name__ == "__main__":
    main()
