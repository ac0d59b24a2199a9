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
        "  txt2img    plain text-to-image, one image per --prompt\n\n"
        "generate options:\n"
        "  --model DIR             diffusers model folder (default: the bundled demo model)\n"
        "  --reference IMG         reference image (PNG/JPEG/...); needs --caption\n"
        "  --caption TEXT          what the reference shows, e.g. \"a fish, pixel art style\"\n"
        "  --style TEXT            style words appended to every new prompt (default: the caption after its\n"
        "                          first comma; in text mode nothing)\n"
        "  --prompt TEXT           a new subject; repeat. Without --reference the first one is the reference\n"
        "  --negative TEXT         negative prompt\n"
        "  --seed S                seed of image 0; image i uses S+i (default 0)\n"
        "  --steps N               DDIM steps (default 50)\n"
        "  --guidance G            guidance scale (default 10 with --reference, else 7.5)\n"
        "  --offset K              the reference starts from inversion latent K (default 5)\n"
        "  --inversion-guidance G  guidance during DDIM inversion (default 2)\n"
        "  --preset NAME           layer plan preset: paper, transfer, fine-style, structure-style,\n"
        "                          only-self-<level> (default: transfer with --reference, else paper)\n"
        "  --plan FILE             layer plan JSON (as saved by the studio)\n"
        "  --height H --width W    image size (default: the model's)\n"
        "  --set FILE              re-run a set.json (same pixels); other set options are ignored\n"
        "  --device NAME           auto, cpu, cuda, cuda:N (default auto)\n"
        "  --threads N             CPU threads (default: all cores, or $STYLEALIGNED_THREADS)\n"
        "  --out DIR               writes image_NN.png, grid.png, set.json (and reference.png)\n\n"
        "txt2img options: --model --prompt --negative --steps --guidance --seed --height --width\n"
        "                 --device --threads --out\n");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        printUsage();
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    try {
        sa::cli::Args args(argc, argv, 2, {});
        if (command == "generate") return sa::cli::runGenerate(args, argv[0]);
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
