// stylealigned — the command-line front end of StyleAligned Studio.
#include <fmt/format.h>

#include "app/cli_commands.h"
#include "core/common/error.h"

namespace {

void printUsage() {
    fmt::print(
        "usage: stylealigned <command> [options]\n\n"
        "commands:\n"
        "  generate   a style-aligned set: from a reference image (DDIM inversion + transfer) or from text\n"
        "  txt2img    plain text-to-image, one image per --prompt\n"
        "  convert    writes a model (a single-file checkpoint) as a diffusers folder\n\n"
        "model options (every command):\n"
        "  --model PATH            a diffusers model folder, or a single-file .safetensors checkpoint (SD 1.x,\n"
        "                          SD 2.x, SDXL base in the original layout; default: the bundled demo model)\n"
        "  --config YAML           the checkpoint's original config (default: <file>.yaml beside it, else the\n"
        "                          family's standard config: v1-inference, v2-inference-v, sd_xl_base)\n"
        "  --prediction-type T     epsilon or v_prediction: overrides the config (SD 2.x without a YAML\n"
        "                          assumes v_prediction, the 768 px models; 512 px base models need epsilon)\n"
        "  --text-encoder-heads N  attention heads of the text encoder(s) (default: width / 64, as the real\n"
        "                          models); \"N,M\" for SDXL's two encoders\n"
        "  --text-encoder-act A    quick_gelu or gelu (default: quick_gelu for CLIP-L, gelu for OpenCLIP)\n"
        "  --device NAME           auto, cpu, cuda, cuda:N (default auto)\n"
        "  --threads N             CPU threads (default: all cores, or $STYLEALIGNED_THREADS)\n\n"
        "generate options:\n"
        "  --reference IMG         reference image (PNG/JPEG/...); captioned by --captioner, or give --caption\n"
        "  --caption TEXT          what the reference shows, e.g. \"a fish, pixel art style\"\n"
        "  --captioner DIR         a BLIP captioning folder (Salesforce/blip-image-captioning-base) that\n"
        "                          captions the reference when --caption is not given\n"
        "  --caption-prefix TEXT   conditional captioning: the caption starts with TEXT (\"a painting of\")\n"
        "  --caption-beams N       beam search with N beams (default: the captioner's config, greedy)\n"
        "  --caption-max-length N  caption length in tokens, [DEC] included (default: the config's, 20)\n"
        "  --style TEXT            style words appended to every new prompt (default: the caption's style\n"
        "                          part: after its first comma, or the medium in \"a watercolor painting\n"
        "                          of ...\"; in text mode nothing)\n"
        "  --prompt TEXT           a new subject; repeat. Without --reference the first one is the reference\n"
        "  --negative TEXT         negative prompt\n"
        "  --seed S                seed of image 0; image i uses S+i (default 0)\n"
        "  --steps N               DDIM steps (default 50)\n"
        "  --guidance G            guidance scale (default 10 with --reference, else 7.5)\n"
        "  --offset K              the reference starts from inversion latent K (default 5)\n"
        "  --inversion-guidance G  guidance during DDIM inversion (default 1)\n"
        "  --preset NAME           layer plan preset: paper, attention-only, transfer, fine-style,\n"
        "                          structure-style, only-self-<level> (default: transfer with\n"
        "                          --reference, else attention-only: shared attention, norms not shared)\n"
        "  --plan FILE             layer plan JSON (as saved by the studio)\n"
        "  --height H --width W    image size (default: the model's)\n"
        "  --vae-tiling MODE       auto, on or off (default auto). on / auto: a set's images decode in\n"
        "                          bounded memory, large ones in overlapping tiles blended at the seams\n"
        "                          (diffusers' enable_tiling); the reference encodes the same way. on: one\n"
        "                          by one, every image larger than a tile tiled; auto: tiles those whose\n"
        "                          untiled decode would need over 2 GiB (SD / SDXL in float32: over ~700k\n"
        "                          pixels), the others decode together as far as they fit in 2 GiB\n"
        "  --vae-tile PX           tile side in pixels (default: the VAE's sample_size, 512 for SD 1.x,\n"
        "                          1024 for SDXL); a multiple of the VAE factor whose tiles line up\n"
        "  --lora FILE[:W]         a LoRA (kohya / A1111 or diffusers .safetensors) at weight W (default 1);\n"
        "                          repeat for several. --lora-skip-unmatched loads a file whose keys do not all\n"
        "                          match the model (they are listed), instead of refusing it\n"
        "  --controlnet DIR        a ControlNet (diffusers folder) steering the images' layout, with:\n"
        "  --control IMG           its source image: once for every image, or once per image (reference first)\n"
        "  --control-kind K        canny (default: the image's edges) or map (the image is the control map:\n"
        "                          depth, edges, pose, ...)\n"
        "  --canny LOW,HIGH        Canny thresholds (default 100,200)\n"
        "  --control-scale S       conditioning scale (default 1)\n"
        "  --control-range A,B     the fraction of the steps it acts on (default 0,1)\n"
        "  --control-mode M        every-image (default, as diffusers' ControlNet pipelines: the reference too)\n"
        "                          or targets-only (the reference uncontrolled, as style-aligned's controlnet demo)\n"
        "  --panorama-width PX     every target a MultiDiffusion panorama PX wide (text mode); with\n"
        "                          --panorama-window N --panorama-stride N (latent cells; default: the model's\n"
        "                          size and 1/8 of it), --panorama-circular (a 360° panorama) and\n"
        "                          --panorama-view-batch N (views per UNet call, default 1)\n"
        "  --set FILE              re-run a set.json (same pixels); other set options but --vae-tiling and\n"
        "                          --vae-tile are ignored\n"
        "  --out DIR               writes image_NN.png, grid.png, set.json (and reference.png)\n\n"
        "txt2img options: --prompt --negative --steps --guidance --seed --height --width --vae-tiling\n"
        "                 --vae-tile --out\n"
        "convert options: --out DIR (a new folder: model_index.json, unet/, vae/, text_encoder/, ...)\n");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        printUsage();
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    try {
        sa::cli::Args args(argc, argv, 2, {"lora-skip-unmatched", "panorama-circular"});
        if (command == "generate") return sa::cli::runGenerate(args);
        if (command == "convert") return sa::cli::runConvert(args);
        if (command == "txt2img") return sa::cli::runTxt2Img(args);
        fmt::print(stderr, "stylealigned: unknown command '{}'\n\n", command);
        printUsage();
        return 2;
    } catch (const sa::Cancelled&) {
        fmt::print(stderr, "\nstylealigned: cancelled; nothing was written\n");
        return 130;
    } catch (const std::exception& e) {
        fmt::print(stderr, "\nstylealigned: error: {}\n", e.what());
        return 1;
    }
}
