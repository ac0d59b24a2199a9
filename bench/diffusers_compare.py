#!/usr/bin/python3
"""The reference implementation's speed on the same job as stylealigned-bench: diffusers 0.25 +
google/style-aligned sa_handler.py. Prints, in one run: loading the UNet and VAE, the denoising
loop of 1 reference + N targets (classifier-free guidance 7.5, DDIM) plain and with StyleAligned at
the paper's defaults, the VAE decode of the N + 1 latents, and peak RSS.

Real sizes: `stylealigned-bench --shape sd15 --write DIR` saves the full-size random network as a
diffusers folder; both programs then load the very same weights.

Text embeddings are random tensors of the right shape (transformers is not packaged in Debian;
text encoding is well under 1 % of a run, so this favours the reference slightly). Runs on
Debian's python3-torch with the diffusers and huggingface_hub sources on PYTHONPATH plus
bench/pyshim (pure-Python stand-ins for the calls diffusers and sa_handler make into safetensors
and einops). See README ▸ Benchmark.
"""
import argparse
import json
import os
import resource
import time
import types

import torch
import torch.nn.functional as F

SDPA_BLOCK_BYTES = 1 << 30


def _sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False):
    """torch 2.0's scaled_dot_product_attention as its CPU math path computes it (Debian ships
    torch 1.13, which has no fused kernel either: both sides run the same GEMMs). Batches whose
    logits would pass 1 GiB are computed a few batch rows at a time, as later torch versions' CPU
    kernels bound their memory: without it the reference's shared attention needs over 24 GB at
    SD 1.5 512² and is killed."""
    logits_per_row = query[0].numel() // query.shape[-1] * key.shape[-2] * query.element_size()
    rows = max(1, SDPA_BLOCK_BYTES // max(1, logits_per_row))
    outputs = []
    for start in range(0, query.shape[0], rows):
        q, k, v = query[start:start + rows], key[start:start + rows], value[start:start + rows]
        scores = q @ k.transpose(-2, -1) / (q.shape[-1] ** 0.5)
        if attn_mask is not None:
            scores = scores + (attn_mask[start:start + rows] if attn_mask.shape[0] == query.shape[0] else attn_mask)
        outputs.append(scores.softmax(-1) @ v)
    return outputs[0] if len(outputs) == 1 else torch.cat(outputs)


if not hasattr(F, "scaled_dot_product_attention"):
    F.scaled_dot_product_attention = _sdpa  # diffusers' AttnProcessor2_0 and sa_handler call it

from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel  # noqa: E402

import sa_handler  # noqa: E402


def best_of(repeat, work):
    """The shortest of `repeat` runs, and the last run's result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_rss_gib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024.0 * 1024.0)


def conditioning(unet, n, height, width, generator):
    """[uncond; cond] text embeddings and, for SDXL, the pooled embeddings and size ids."""
    cross = unet.config.cross_attention_dim
    cross = cross[0] if isinstance(cross, (list, tuple)) else cross
    context = torch.randn(2 * n, 77, cross, generator=generator)
    extra = {}
    if unet.config.addition_embed_type == "text_time":
        pooled = unet.config.projection_class_embeddings_input_dim - 6 * unet.config.addition_time_embed_dim
        time_ids = torch.tensor([height, width, 0, 0, height, width], dtype=torch.float32).repeat(2 * n, 1)
        extra["added_cond_kwargs"] = {"text_embeds": torch.randn(2 * n, pooled, generator=generator), "time_ids": time_ids}
    return context, extra


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="diffusers folder (unet/, vae/, scheduler/)")
    parser.add_argument("--targets", type=int, default=4)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--height", type=int, default=0)
    parser.add_argument("--width", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs before each timed loop")
    parser.add_argument("--job", metavar="DIR",
                        help="the whole job once, as a user runs it: load, StyleAligned loop, decode, PNGs into DIR "
                             "(time the process from outside: bench/compare_job.sh)")
    parser.add_argument("--only", choices=["all", "plain", "shared"], default="all",
                        help="time only one loop (for a memory measurement, e.g. SDXL 1024² with --steps 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    start = time.perf_counter()
    unet = UNet2DConditionModel.from_pretrained(args.model, subfolder="unet").eval()
    vae = AutoencoderKL.from_pretrained(args.model, subfolder="vae").eval()
    load = time.perf_counter() - start
    scheduler = DDIMScheduler.from_pretrained(args.model, subfolder="scheduler")
    with open(os.path.join(args.model, "vae", "config.json")) as f:
        factor = 2 ** (len(json.load(f)["block_out_channels"]) - 1)
    height = args.height or unet.config.sample_size * factor
    width = args.width or unet.config.sample_size * factor
    n = 1 + args.targets
    context, extra = conditioning(unet, n, height, width, torch.Generator().manual_seed(0))
    shape = (n, unet.config.in_channels, height // factor, width // factor)

    def loop():  # StableDiffusion(XL)Pipeline.__call__'s denoising loop
        scheduler.set_timesteps(args.steps)
        latents = torch.randn(shape, generator=torch.Generator().manual_seed(1)) * scheduler.init_noise_sigma
        for t in scheduler.timesteps:
            x = scheduler.scale_model_input(torch.cat([latents] * 2), t)
            noise = unet(x, t, encoder_hidden_states=context, **extra).sample
            uncond, cond = noise.chunk(2)
            latents = scheduler.step(uncond + 7.5 * (cond - uncond), t, latents).prev_sample
        return latents

    if args.job:
        return run_job(args, unet, vae, loop, load)
    print(f"diffusers 0.25 + sa_handler | model {args.model} | {width}x{height}, {args.steps} steps, "
          f"1 reference + {args.targets} targets, {torch.get_num_threads()} threads, best of {args.repeat}")
    print(f"{'load UNet + VAE (from_pretrained)':<44} {load:9.3f} s")
    with torch.no_grad():
        if args.only in ("all", "plain"):
            for _ in range(args.warmup):
                loop()
            plain, latents = best_of(args.repeat, loop)
            print(f"{'plain generation (same images)':<44} {plain:9.3f} s")
            decode, _ = best_of(args.repeat, lambda: vae.decode(latents / vae.config.scaling_factor).sample)
            print(f"{f'VAE decode ({n} images)':<44} {decode:9.3f} s")
        if args.only in ("all", "shared"):
            handler = sa_handler.Handler(types.SimpleNamespace(unet=unet))
            handler.register(sa_handler.StyleAlignedArgs())
            for _ in range(args.warmup):
                loop()
            shared, _ = best_of(args.repeat, loop)
            ratio = f"   ratio {shared / plain:.3f}x" if args.only == "all" else ""
            print(f"{'StyleAligned set (one batch)':<44} {shared:9.3f} s{ratio}")
    print(f"\npeak RSS {peak_rss_gib():.2f} GiB")


def run_job(args, unet, vae, loop, load):
    """One StyleAligned set from start to PNGs, with the stages timed (the process's own start-up and
    imports are timed from outside)."""
    from PIL import Image

    os.makedirs(args.job, exist_ok=True)
    with torch.no_grad():
        handler = sa_handler.Handler(types.SimpleNamespace(unet=unet))
        handler.register(sa_handler.StyleAlignedArgs())
        start = time.perf_counter()
        latents = loop()
        denoise = time.perf_counter() - start
        start = time.perf_counter()
        images = vae.decode(latents / vae.config.scaling_factor).sample
        decode = time.perf_counter() - start
        start = time.perf_counter()
        pixels = (images / 2 + 0.5).clamp(0, 1).permute(0, 2, 3, 1).mul(255).round().to(torch.uint8)
        for i, image in enumerate(pixels):  # VaeImageProcessor.postprocess + PIL save, as the pipeline's user does
            Image.frombytes("RGB", (image.shape[1], image.shape[0]), image.contiguous().numpy().tobytes()).save(
                os.path.join(args.job, f"image_{i:02d}.png"))
        write = time.perf_counter() - start
    print(f"job: load {load:.3f} s, StyleAligned loop {denoise:.3f} s, decode {decode:.3f} s, write {write:.3f} s, "
          f"peak RSS {peak_rss_gib():.2f} GiB")


if __name__ == "__main__":
    main()
