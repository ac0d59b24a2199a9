#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/ (committed; rerun only to change them).

Small valid inputs as the product writes them, plus slightly broken variants. Python's standard
library only; the image seeds need ImageMagick's `convert` and are skipped without it.
"""
import json
import os
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus")


def out(harness, name, data):
    folder = os.path.join(CORPUS, harness)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# ---- safetensors ------------------------------------------------------------------------------
DTYPE_SIZE = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def safetensors(tensors, metadata=None, pad=True, header_override=None):
    """tensors: list of (name, dtype, shape); data is a counting byte pattern."""
    header, blob, offset = {}, b"", 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape in tensors:
        n = DTYPE_SIZE[dtype]
        for d in shape:
            n *= d
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + n]}
        blob += bytes((offset + i) % 251 for i in range(n))
        offset += n
    text = header_override if header_override is not None else json.dumps(header, separators=(",", ":"))
    text = text.encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + blob


def safetensors_seeds():
    h = "safetensors"
    mixed = [("a.weight", "F32", [2, 3]), ("b.half", "F16", [4]), ("c.bf16", "BF16", [2, 2]),
             ("d.ids", "I64", [1]), ("e.bytes", "U8", [3]), ("f.mask", "BOOL", [2]), ("g.scalar", "F64", []),
             ("h.i32", "I32", [1, 1]), ("i.i16", "I16", [2]), ("j.i8", "I8", [2])]
    out(h, "mixed_dtypes_metadata", safetensors(mixed, {"format": "pt", "note": "fuzz seed"}))
    out(h, "f16_bf16_only", safetensors([("x", "F16", [2, 2]), ("y", "BF16", [3])]))
    out(h, "empty_header", safetensors([]))
    out(h, "metadata_only", safetensors([], {"format": "pt"}))
    out(h, "zero_sized", safetensors([("empty", "F32", [0, 3]), ("one", "F32", [1])]))
    out(h, "unpadded", safetensors([("w", "F32", [2])], pad=False))
    # Slightly broken: each of these must be refused with an sa::Error.
    out(h, "bad_dtype", safetensors([("w", "F32", [2])], header_override='{"w":{"dtype":"F8","shape":[2],"data_offsets":[0,8]}}'))
    out(h, "overlap", safetensors([("a", "F32", [2]), ("b", "F32", [2])],
                                  header_override='{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                                                  '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}'))
    out(h, "lying_shape", safetensors([("w", "F32", [2])], header_override='{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}'))
    out(h, "truncated", safetensors(mixed)[:-5])
    out(h, "header_too_long", struct.pack("<Q", 1 << 40) + b"{}")
    out(h, "metadata_not_string", safetensors([], header_override='{"__metadata__":{"n":1}}'))
    out(h, "negative_offset", safetensors([("w", "F32", [1])], header_override='{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}'))


# ---- config.json ------------------------------------------------------------------------------
def config_seeds():
    h = "config_json"
    golden = os.path.join(ROOT, "tests", "data", "golden")
    os.makedirs(os.path.join(CORPUS, h), exist_ok=True)
    for model in ("tiny-sd15", "tiny-sdxl"):
        for module, name in (("unet", "config.json"), ("vae", "config.json"), ("text_encoder", "config.json"),
                             ("text_encoder_2", "config.json"), ("scheduler", "scheduler_config.json")):
            src = os.path.join(golden, model, module, name)
            if os.path.exists(src):
                shutil.copyfile(src, os.path.join(CORPUS, h, f"{model}_{module}.json"))
    # The vision models (issue 12): config.json and preprocessor_config.json of each tower.
    for model in ("tiny-blip", "tiny-clip-vision", "tiny-vit"):
        for name in ("config.json", "preprocessor_config.json"):
            src = os.path.join(golden, model, name)
            if os.path.exists(src):
                shutil.copyfile(src, os.path.join(CORPUS, h, f"{model}_{name}"))
    out(h, "clip_legacy_processor.json", json.dumps({"feature_extractor_type": "CLIPFeatureExtractor", "size": 8,
                                                      "crop_size": 12, "resample": 0, "do_center_crop": True}))
    out(h, "vit_legacy_processor.json", json.dumps({"feature_extractor_type": "ViTFeatureExtractor", "size": 6,
                                                     "resample": 1, "image_mean": [0.5, 0.5, 0.5]}))
    with open(os.path.join(golden, "tiny-sd15", "unet", "config.json")) as f:
        unet = json.load(f)
    broken = dict(unet, norm_num_groups="8")
    out(h, "unet_wrong_type.json", json.dumps(broken))
    broken = dict(unet, cross_attention_dim=[32, 32, 32])
    out(h, "unet_list_wrong_length.json", json.dumps(broken))
    broken = dict(unet, class_embed_type="timestep")
    out(h, "unet_unknown_key.json", json.dumps(broken))
    broken = dict(unet, attention_head_dim=0, num_attention_heads=None)
    out(h, "unet_zero_heads.json", json.dumps(broken))
    out(h, "scheduler_trained_betas.json", json.dumps({"_class_name": "DDIMScheduler", "num_train_timesteps": 3,
                                                        "trained_betas": [0.1, 0.2, 0.3], "prediction_type": "v_prediction",
                                                        "timestep_spacing": "trailing"}))
    out(h, "not_an_object.json", "[1, 2, 3]")
    out(h, "truncated.json", json.dumps(unet)[:200])


# ---- layer plans and set.json ---------------------------------------------------------------------
def sd15_paths():
    paths = [f"down_blocks.{b}.attentions.{a}.transformer_blocks.0.attn1" for b in range(3) for a in range(2)]
    paths.append("mid_block.attentions.0.transformer_blocks.0.attn1")
    paths += [f"up_blocks.{b}.attentions.{a}.transformer_blocks.0.attn1" for b in range(1, 4) for a in range(3)]
    return paths


def layer(share=True, strength=1.0, key_scale=1.0, q=1.0, k=1.0, v=0.0, steps=(0, -1)):
    return {"share": share, "share_strength": strength, "key_scale": key_scale, "adain_q": q, "adain_k": k,
            "adain_v": v, "steps": list(steps)}


def plan(layers, group_norm=True):
    # As LayerPlan::toJson writes it.
    return {"format": "stylealigned-layer-plan", "version": 1, "share_group_norm": group_norm,
            "share_layer_norm": True, "full_attention_share": False, "layers": layers}


def plan_seeds():
    h = "layer_plan"
    paths = sd15_paths()
    out(h, "paper.json", json.dumps(plan({p: layer() for p in paths}), indent=2))
    fine = {p: (layer() if p.startswith("up_blocks") else layer(False, q=0.0, k=0.0)) for p in paths}
    out(h, "fine_style.json", json.dumps(plan(fine), indent=2))
    out(h, "transfer_steps.json", json.dumps(plan({paths[-1]: layer(strength=2.0, v=0.5, steps=(3, 20))}, False)))
    for preset in ("transfer", "structure-style", "only-self-0.5"):
        out(h, f"preset_{preset}.json", json.dumps({"format": "stylealigned-layer-plan", "version": 1, "preset": preset}))
    out(h, "unknown_layer.json", json.dumps(plan({"down_blocks.9.attentions.0.transformer_blocks.0.attn1": layer()})))
    out(h, "out_of_range.json", json.dumps(plan({paths[0]: layer(q=1.5, steps=(5, 2))})))
    out(h, "wrong_types.json", json.dumps(plan({paths[0]: {"share": "yes", "steps": "all"}})))
    return {p: layer() for p in paths}


def set_seeds(paper_layers):
    h = "set_json"
    base = {"format": "stylealigned-set", "version": 1, "model": "resources/demo-model",
            "reference_image": "reference.png", "reference_prompt": "a fish, pixel art style.",
            "targets": ["a house, pixel art style.", "a tree, pixel art style."],
            "negative_prompt": "", "seeds": [42, 43, 44], "steps": 50, "guidance": 7.5, "height": 64, "width": 64,
            "offset": 5, "inversion_guidance": 2.0, "plan": plan(paper_layers),
            "images": ["image_00.png", "image_01.png", "image_02.png"], "grid": "grid.png"}
    out(h, "image_mode.json", json.dumps(base, indent=2))
    text = dict(base, reference_image=None, plan={"format": "stylealigned-layer-plan", "version": 1, "preset": "paper"},
                images=[], grid="")
    out(h, "text_mode_preset.json", json.dumps(text))
    out(h, "plan_null.json", json.dumps(dict(base, plan=None)))
    out(h, "seed_count_mismatch.json", json.dumps(dict(base, seeds=[1])))
    out(h, "wrong_version.json", json.dumps(dict(base, version=2)))
    out(h, "wrong_types.json", json.dumps(dict(base, steps="fifty", seeds=[-1, 2.5, "x"])))


# ---- images -----------------------------------------------------------------------------------
def image_seeds():
    if not shutil.which("convert"):
        print("convert (ImageMagick) not found: image seeds skipped", file=sys.stderr)
        return
    folder = os.path.join(CORPUS, "image")
    os.makedirs(folder, exist_ok=True)
    src = "gradient:red-blue"
    for name, args in (("rgb.png", ["-size", "6x4", src, "PNG24:"]),
                       ("rgba16.png", ["-size", "3x3", src, "-alpha", "set", "PNG64:"]),
                       ("rgba.png", ["-size", "5x3", src, "-alpha", "set", "-channel", "A", "-evaluate", "set", "50%", "+channel", "PNG32:"]),
                       ("gray16.png", ["-size", "4x4", "gradient:black-white", "-depth", "16", "PNG48:"]),
                       ("palette.png", ["-size", "4x2", src, "PNG8:"]),
                       ("rgb.jpg", ["-size", "16x8", src, "-quality", "50"]),
                       ("progressive.jpg", ["-size", "8x8", src, "-interlace", "Plane"]),
                       ("rgb.bmp", ["-size", "3x2", src, "BMP3:"]),
                       ("gray.bmp", ["-size", "4x2", "gradient:black-white", "-type", "Grayscale", "BMP3:"]),
                       ("rgb.webp", ["-size", "8x8", src, "-quality", "50"]),
                       ("rgb.tiff", ["-size", "4x3", src, "-compress", "none"]),
                       ("rgb.ppm", ["-size", "3x3", src]),
                       ("gray.pgm", ["-size", "3x2", "gradient:black-white"])):
        target = os.path.join(folder, name)
        prefix = ""
        if args[-1].endswith(":"):
            prefix, args = args[-1], args[:-1]
        subprocess.run(["convert", *args, prefix + target], check=True)
    with open(os.path.join(folder, "rgb.png"), "rb") as f:
        png = f.read()
    out("image", "truncated.png", png[: len(png) // 2])
    out("image", "not_an_image.txt", "P6\n3 3\n255\n")


# ---- single files and their original YAML configs --------------------------------------------
GOLDEN_SINGLE = os.path.join(ROOT, "tests", "data", "golden", "single_file")


def read_header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))


def single_file_seeds():
    """Every key of the golden single files with each dimension cut to at most 2 (so the seeds stay
    small; the mapper's checks then refuse them at different depths), and the golden bad files."""
    for name in ("sd15", "sd2", "sdxl"):
        header = read_header(os.path.join(GOLDEN_SINGLE, name + ".safetensors"))
        metadata = header.pop("__metadata__", None)
        tensors = [(key, "F16", [min(d, 2) for d in info["shape"]]) for key, info in sorted(header.items())]
        out("single_file", name + "_small.safetensors", safetensors(tensors, metadata))
    for bad in ("not_sd.safetensors", "truncated_header.safetensors"):
        shutil.copy(os.path.join(GOLDEN_SINGLE, bad), os.path.join(CORPUS, "single_file", bad))


def original_yaml_seeds():
    for name in ("sd15", "sd2", "sdxl"):
        shutil.copy(os.path.join(GOLDEN_SINGLE, name + ".yaml"), os.path.join(CORPUS, "original_yaml", name + ".yaml"))
    out("original_yaml", "flow.yaml", "model: {target: ldm.models.diffusion.ddpm.LatentDiffusion, params: "
        "{unet_config: {target: ldm.modules.diffusionmodules.openaimodel.UNetModel, params: {model_channels: 32, "
        "channel_mult: [1], attention_resolutions: [1], num_res_blocks: 1, num_heads: 1, context_dim: 8}}, "
        "cond_stage_config: {target: ldm.modules.encoders.modules.FrozenCLIPEmbedder}, first_stage_config: "
        "{target: ldm.models.autoencoder.AutoencoderKL, params: {embed_dim: 4, ddconfig: {z_channels: 4, ch: 32, "
        "ch_mult: [1], num_res_blocks: 1}}}}}\n")
    out("original_yaml", "anchors.yaml", "a: &x [1, 2]\nb: *x\nmodel: !!str 3\n")
    out("original_yaml", "not_a_map.yaml", "- 1\n- 2\n")


# ---- wordpiece ----------------------------------------------------------------------------------
# One input = vocab.txt, tokenizer_config.json, text, special_tokens_map.json, separated by 0x1E.
WORDPIECE_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[DEC]", ".", ",", "!", "'", "a", "photo", "of",
                   "the", "cat", "##s", "un", "##aff", "##able", "cafe", "日", "本", "don", "t", "n't", "##ing"]


def wordpiece_config(decoder=True, **changes):
    config = {"tokenizer_class": "BertTokenizer", "do_lower_case": True, "do_basic_tokenize": True,
              "tokenize_chinese_chars": True, "strip_accents": None, "never_split": None, "model_max_length": 64,
              "bos_token": "[DEC]", "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
              "unk_token": "[UNK]", "mask_token": "[MASK]", "clean_up_tokenization_spaces": True}
    if decoder:
        config["added_tokens_decoder"] = {
            str(i): {"content": t, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False,
                     "special": True} for i, t in enumerate(WORDPIECE_VOCAB[:6])}
    config.update(changes)
    return json.dumps(config, ensure_ascii=False)


def wordpiece_seeds():
    h = "wordpiece"
    vocab = "\n".join(WORDPIECE_VOCAB) + "\n"
    text = "A photo of THE Cats, un-affable! Café 日本 don't [SEP] [sep]\x01\u00a0[DEC]x"
    sep = "\x1e"
    out(h, "blip", vocab + sep + wordpiece_config() + sep + text)
    out(h, "vocab_only", vocab)
    out(h, "legacy_map", vocab + sep + wordpiece_config(decoder=False, bos_token=None) + sep + text + sep +
        json.dumps({"bos_token": {"content": "[DEC]", "lstrip": False}, "additional_special_tokens": ["cafe"]}))
    out(h, "crlf_dupes", vocab.replace("\n", "\r\n") + "cat\r\n\r\n\rdon" + sep + "{}" + sep + text)
    out(h, "cased_never_split", vocab + sep + wordpiece_config(do_lower_case=False, strip_accents=True,
                                                               never_split=["Cats,"], tokenize_chinese_chars=False,
                                                               clean_up_tokenization_spaces=False) + sep + text)
    out(h, "no_basic_split_special", vocab + sep + wordpiece_config(do_basic_tokenize=False, split_special_tokens=True)
        + sep + text)
    added = json.loads(wordpiece_config())
    added["added_tokens_decoder"]["40"] = {"content": "<foo>", "special": False}
    added["additional_special_tokens"] = [{"content": "<foo>", "normalized": True}]
    out(h, "added_tokens", vocab + sep + json.dumps(added) + sep + "x<foo>s <FOO> cats")
    out(h, "bad_special", vocab + sep + wordpiece_config(mask_token="[NOPE]") + sep + text)


if __name__ == "__main__":
    safetensors_seeds()
    config_seeds()
    set_seeds(plan_seeds())
    image_seeds()
    single_file_seeds()
    original_yaml_seeds()
    wordpiece_seeds()
