// stylealigned — the command-line front end of StyleAligned Studio.
//
//   stylealigned txt2img --model DIR --prompt TEXT [--prompt TEXT ...] [--negative TEXT]
//                        [--steps N] [--guidance G] [--seed S] [--height H] [--width W]
//                        [--device auto|cpu|cuda] [--threads N] --out DIR
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "app/cli_support.h"
#include "core/common/runtime.h"
#include "core/io/image.h"
#include "core/pipeline/text_to_image.h"

namespace fs = std::filesystem;
using namespace sa;

namespace {

void printUsage() {
    fmt::print(
        "usage: stylealigned <command> [options]\n\n"
        "commands:\n"
        "  txt2img   generate one image per --prompt\n\n"
        "txt2img options:\n"
        "  --model DIR        diffusers model folder (model_index.json, unet/, vae/, ...)\n"
        "  --prompt TEXT      a prompt; repeat for several images\n"
        "  --negative TEXT    negative prompt (default: empty)\n"
        "  --steps N          DDIM steps (default 50)\n"
        "  --guidance G       classifier-free guidance scale (default 7.5)\n"
        "  --seed S           seed of image 0; image i uses S+i (default 0)\n"
        "  --height H, --width W   image size in pixels (default: the model's)\n"
        "  --device NAME      auto, cpu, cuda, cuda:N (default auto)\n"
        "  --threads N        CPU threads (default: all cores, or $STYLEALIGNED_THREADS)\n"
        "  --out DIR          output folder (created); writes image_NN.png and grid.png\n");
}

int runTxt2Img(const cli::Args& args) {
    args.expectOnly({"model", "prompt", "negative", "steps", "guidance", "seed", "height", "width", "device", "threads", "out"});
    if (!args.has("model")) fail("--model DIR is required");
    if (!args.has("out")) fail("--out DIR is required");
    GenerationRequest request;
    request.prompts = args.all("prompt");
    if (request.prompts.empty()) fail("give at least one --prompt");
    request.negativePrompt = args.get("negative");
    request.steps = args.getInt("steps", 50);
    request.guidanceScale = args.getDouble("guidance", 7.5);
    request.seed = args.getSeed("seed", 0);
    request.height = args.getInt("height", 0);
    request.width = args.getInt("width", 0);

    configureThreads(args.getInt("threads", 0));
    LoadOptions options;
    options.device = selectDevice(args.get("device", "auto"));
    fmt::print(stderr, "loading {} on {} ({} threads)\n", args.get("model"), options.device.str(), torch::get_num_threads());
    auto model = StableDiffusionModel::load(args.get("model"), options);

    const fs::path out = args.get("out");
    fs::create_directories(out);
    cli::installInterruptHandler();
    TextToImagePipeline pipeline(model);
    cli::ProgressBar bar("txt2img");
    auto result = pipeline.generate(
        request, [&](StepEvent& e) { bar.update(e.step + 1, e.total); }, &cli::interruptToken());
    bar.finish();

    std::vector<cv::Mat> images;
    for (int64_t i = 0; i < result.images.size(0); ++i) {
        images.push_back(tensorToImage(result.images[i]));
        const auto file = out / fmt::format("image_{:02d}.png", i);
        writeImage(file, images.back());
        fmt::print("{}\n", file.string());
    }
    writeImage(out / "grid.png", makeGrid(images, static_cast<int>(images.size())));
    fmt::print("{}\n", (out / "grid.png").string());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        printUsage();
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    try {
        cli::Args args(argc, argv, 2, {});
        if (command == "txt2img") return runTxt2Img(args);
        fmt::print(stderr, "stylealigned: unknown command '{}'\n\n", command);
        printUsage();
        return 2;
    } catch (const Cancelled&) {
        fmt::print(stderr, "\nstylealigned: cancelled; no files were written for the unfinished run\n");
        return 130;
    } catch (const std::exception& e) {
        fmt::print(stderr, "\nstylealigned: error: {}\n", e.what());
        return 1;
    }
}
