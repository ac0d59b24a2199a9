// stylealigned-bench: speed ratios measured in one run on one model and one setting.
//
//   0. The fixed costs apart: text encoding, VAE decode, DDIM inversion of the reference (at guidance 2,
//      the reference code's, and at 1, the default, which skips the unconditional pass).
//   1. StyleAligned set vs plain generation of the same images (overhead of sharing).
//   2. Warm vs cold re-run with the reference cache (1 reference + N targets; the targets'
//      prompts change between runs, the reference does not), text mode and image mode.
//   Peak RSS of the process at the end.
//
// --shape sd15|sd2|sdxl builds the full-size networks with random weights in memory (the real
// SD 1.5 / SD 2.x / SDXL architectures: bench/random_model.h) instead of loading --model.
//
// --only-shared times the StyleAligned set alone (a memory measurement: e.g. SDXL 1024² with
// --steps 1 --repeat 1).
//
// --write DIR (with --shape) saves that random model as a diffusers folder and exits, so that
// bench/diffusers_compare.py and `stylealigned generate` can load the very same weights.
//
// --profile DIR writes LibTorch profiler traces of one denoising step (plain and StyleAligned, after
// a warm-up) to DIR/plain.json and DIR/stylealigned.json, and of the VAE decode of the set to
// DIR/decode.json, then exits; bench/profile_summary.py
// sums them by op class.
//
// --controlnet times the StyleAligned set with a ControlNet of the UNet's size (random weights) against the
// same set without, as a ratio.
//
// --panorama times a MultiDiffusion panorama (core/pipeline/panorama.h) 4 windows wide, the window
// being the set's square size, with --view-batch N views per UNet call (default 4), against a
// StyleAligned set of 1 reference + N targets at that square size: seconds per view per step vs
// seconds per target per step, and their ratio (the cost of cutting, averaging and the reference
// riding along in every view batch), then exits.
//
// usage: stylealigned-bench [--model DIR | --shape S] [--targets N] [--steps N] [--height H --width W]
//                           [--repeat R] [--threads N] [--skip-rerun] [--only-shared] [--profile DIR]
//                           [--write DIR] [--panorama [--view-batch N]] [--controlnet]
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <functional>

#include <fmt/format.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include "app/cli_support.h"
#include "bench/random_model.h"
#include "core/pipeline/diffusers_export.h"
#include "core/models/controlnet_model.h"
#include "core/pipeline/panorama.h"
#include "core/pipeline/prompt_encoding.h"
#include "core/common/runtime.h"
#include "core/pipeline/style_aligned_pipeline.h"

using namespace sa;

namespace {

double seconds(const std::function<void()>& work, int repeat) {
    double best = 1e30;
    for (int i = 0; i < repeat; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return best;
}

// --panorama: a panorama's seconds per view per step against a square set's per target per step.
void panoramaTiming(const std::shared_ptr<StableDiffusionModel>& model, const StyleAlignedRequest& square,
                    int viewBatch, int repeat) {
    const auto& g = square.generation;
    if (g.height != g.width) throw Error("--panorama: the window is the set's square size; give --height = --width");
    PanoramaRequest panorama;
    panorama.referencePrompt = g.prompts.front();
    panorama.prompt = "a village, pixel art style";
    panorama.steps = g.steps;
    panorama.window = g.height / model->vaeScaleFactor();
    panorama.height = g.height;
    panorama.width = 4 * g.width;
    panorama.viewBatchSize = viewBatch;
    panorama.plan = square.plan;
    PanoramaPipeline pipeline(model);
    PanoramaResult run;
    const double tPanorama = seconds([&] { run = pipeline.generate(panorama, {}, nullptr, false); }, repeat);
    const auto views = static_cast<double>(run.layout.views.size());
    const double perView = tPanorama / (views * g.steps);

    auto set = square;
    set.generation.prompts.resize(static_cast<size_t>(viewBatch) + 1, panorama.prompt);
    set.generation.seeds.clear();
    StyleAlignedPipeline sets(model);
    const double tSet = seconds([&] { sets.generate(set, {}, nullptr, false); }, repeat);
    const double perTarget = tSet / (static_cast<double>(viewBatch) * g.steps);
    fmt::print("\npanorama {}x{} ({} views, window {} stride {}, {} per batch), {} steps\n", panorama.width,
               panorama.height, run.layout.views.size(), run.layout.window, run.layout.stride, viewBatch, g.steps);
    fmt::print("{:<44} {:>9.3f} s\n{:<44} {:>9.4f} s\n", "panorama (no decode)", tPanorama, "  per view per step",
               perView);
    fmt::print("{:<44} {:>9.3f} s\n{:<44} {:>9.4f} s\n", fmt::format("square set, 1 + {} images", viewBatch), tSet,
               "  per target per step", perTarget);
    fmt::print("{:<44} {:>9.3f}x\n", "panorama view / square target", perView / perTarget);
}

// --controlnet: a StyleAligned set steered by a ControlNet (the UNet's encoder config, random weights, one
// control map for every image, the diffusers pipeline's semantics) against the same set without one.
void controlNetTiming(const std::shared_ptr<StableDiffusionModel>& model, const StyleAlignedRequest& request, int repeat) {
    const auto& g = request.generation;
    ControlNetModel net(ControlNetConfig::fromUNet(model->unet->config()));
    net->to(model->device, model->dtype);
    net->eval();
    for (auto& p : net->parameters()) p.set_requires_grad(false);
    auto controlled = request;
    controlled.generation.control.net = net;
    controlled.generation.control.images = torch::rand({1, 3, g.height, g.width}, at::detail::createCPUGenerator(7));
    StyleAlignedPipeline pipeline(model);
    const double tPlain = seconds([&] { pipeline.generate(request, {}, nullptr, false); }, repeat);
    const double tControl = seconds([&] { pipeline.generate(controlled, {}, nullptr, false); }, repeat);
    int64_t parameters = 0;
    for (const auto& p : net->parameters()) parameters += p.numel();
    fmt::print("\nControlNet ({:.0f} M parameters), every image controlled, {} steps\n", parameters / 1e6, g.steps);
    fmt::print("{:<44} {:>9.3f} s\n{:<44} {:>9.3f} s\n{:<44} {:>9.3f}x\n", "StyleAligned set", tPlain,
               "StyleAligned set + ControlNet", tControl, "ControlNet overhead (per step)", tControl / tPlain);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        cli::Args args(argc, argv, 1, {"skip-rerun", "only-shared", "panorama", "controlnet"});
        args.expectOnly({"model", "shape", "targets", "steps", "height", "width", "repeat", "threads", "skip-rerun",
                         "only-shared", "profile", "write", "panorama", "view-batch", "controlnet"});
        configureRuntime(args.getInt("threads", 0));
        const std::string folder = args.has("shape") ? "random " + args.get("shape")
                                   : args.get("model", std::string(STYLEALIGNED_SOURCE_DIR) + "/tests/data/golden/tiny-sd15");
        const auto loadStart = std::chrono::steady_clock::now();
        auto model = args.has("shape") ? randomModel(args.get("shape")) : StableDiffusionModel::load(folder);
        const double tLoad = std::chrono::duration<double>(std::chrono::steady_clock::now() - loadStart).count();
        if (args.has("write")) {
            if (!args.has("shape")) throw Error("--write needs --shape (a loaded model is already on disk)");
            saveAsDiffusers(*model, args.get("write"));
            fmt::print("wrote {} as a diffusers folder to {}\n", folder, args.get("write"));
            return 0;
        }
        const int targets = args.getInt("targets", 4), repeat = args.getInt("repeat", 3);
        StyleAlignedRequest request;
        auto& g = request.generation;
        g.steps = args.getInt("steps", 20);
        g.height = args.getInt("height", 0);
        g.width = args.getInt("width", 0);
        g.guidanceScale = 7.5;
        g.prompts = {"a house, pixel art style"};
        const char* subjects[] = {"a tree", "a fish", "a cat", "a boat", "a star", "a cup", "a car", "a bird"};
        for (int i = 0; i < targets; ++i) g.prompts.push_back(fmt::format("{}, pixel art style", subjects[i % 8]));
        g = resolveRequest(*model, g);
        request.plan = LayerPlan::paperDefault(model->unet->selfAttentionPaths());
        fmt::print("model {}  |  {}x{}, {} steps, 1 reference + {} targets, {} threads, best of {}\n", folder, g.width,
                   g.height, g.steps, targets, torch::get_num_threads(), repeat);

        fmt::print("{:<44} {:>9.3f} s\n", args.has("shape") ? "build (random weights)" : "load", tLoad);
        if (args.has("profile")) {
            const std::filesystem::path dir = args.get("profile");
            std::filesystem::create_directories(dir);
            auto oneStep = request;
            oneStep.generation.steps = 1;
            StyleAlignedPipeline shared(model);
            TextToImagePipeline plainOnly(model);
            plainOnly.generate(oneStep.generation, {}, nullptr, false);  // warm-up
            shared.generate(oneStep, {}, nullptr, false);
            {
                torch::autograd::profiler::RecordProfile trace((dir / "plain.json").string());
                plainOnly.generate(oneStep.generation, {}, nullptr, false);
            }
            {
                torch::autograd::profiler::RecordProfile trace((dir / "stylealigned.json").string());
                shared.generate(oneStep, {}, nullptr, false);
            }
            {
                torch::NoGradGuard noGrad;
                const auto latents = torch::randn({static_cast<int64_t>(g.prompts.size()), model->latentChannels(),
                                                   g.height / model->vaeScaleFactor(), g.width / model->vaeScaleFactor()});
                decodeLatents(*model, latents);  // warm-up
                torch::autograd::profiler::RecordProfile trace((dir / "decode.json").string());
                decodeLatents(*model, latents);
            }
            fmt::print("wrote plain.json, stylealigned.json and decode.json to {}\n", dir.string());
            return 0;
        }
        auto peak = [] {
            rusage usage{};
            getrusage(RUSAGE_SELF, &usage);
            return usage.ru_maxrss / (1024.0 * 1024.0);
        };
        if (args.has("controlnet")) {
            controlNetTiming(model, request, repeat);
            fmt::print("\npeak RSS {:.2f} GiB\n", peak());
            return 0;
        }
        if (args.has("panorama")) {
            panoramaTiming(model, request, args.getInt("view-batch", 4, 1), repeat);
            fmt::print("\npeak RSS {:.2f} GiB\n", peak());
            return 0;
        }
        if (args.has("only-shared")) {
            StyleAlignedPipeline pipeline(model);
            const double t = seconds([&] { pipeline.generate(request, {}, nullptr, false); }, repeat);
            fmt::print("{:<44} {:>9.3f} s\n\npeak RSS {:.2f} GiB\n", "StyleAligned set (one batch)", t, peak());
            return 0;
        }
        {
            torch::NoGradGuard noGrad;
            const double tText = seconds([&] { encodePrompts(*model, g.prompts); }, repeat);
            const auto latents = torch::randn({static_cast<int64_t>(g.prompts.size()), model->latentChannels(),
                                               g.height / model->vaeScaleFactor(), g.width / model->vaeScaleFactor()});
            const double tDecode = seconds([&] { decodeLatents(*model, latents); }, repeat);
            torch::manual_seed(0);
            const auto image = torch::rand({1, 3, g.height, g.width}) * 2 - 1;
            // At the reference code's guidance 2 (always guided) and at the studio's default 1 (conditional only).
            const double tInvert = seconds([&] { ddimInversion(*model, image, g.prompts[0], g.steps, 2.0); }, repeat);
            const double tInvert1 = seconds([&] { ddimInversion(*model, image, g.prompts[0], g.steps, 1.0); }, repeat);
            fmt::print("{:<44} {:>9.3f} s\n{:<44} {:>9.3f} s\n{:<44} {:>9.3f} s\n{:<44} {:>9.3f} s   ratio {:.3f}x\n",
                       fmt::format("text encoding ({} prompts)", g.prompts.size()), tText,
                       fmt::format("VAE decode ({} images)", g.prompts.size()), tDecode,
                       fmt::format("DDIM inversion, guidance 2 ({} steps)", g.steps), tInvert,
                       fmt::format("DDIM inversion, guidance 1 ({} steps)", g.steps), tInvert1, tInvert / tInvert1);
        }
        StyleAlignedPipeline pipeline(model);
        TextToImagePipeline plain(model);
        const double tPlain = seconds([&] { plain.generate(g, {}, nullptr, false); }, repeat);
        const double tShared = seconds([&] { pipeline.generate(request, {}, nullptr, false); }, repeat);
        fmt::print("\n{:<44} {:>9.3f} s\n{:<44} {:>9.3f} s   ratio {:.3f}x (goal <= 1.25x at 512²)\n",
                   "plain generation (same images)", tPlain, "StyleAligned set (one batch)", tShared, tShared / tPlain);

        auto rerun = [&](StyleAlignedRequest r, const char* label) {
            // Cold: a fresh cache (records the reference). Warm: new target prompts, cached reference.
            double cold = 1e30, warm = 1e30;
            for (int i = 0; i < repeat; ++i) {
                ReferenceCache cache;
                const auto t0 = std::chrono::steady_clock::now();
                pipeline.generate(r, {}, nullptr, false, &cache);
                const auto t1 = std::chrono::steady_clock::now();
                r.generation.prompts.back() = fmt::format("a key {}, pixel art style", i);
                const auto hit = pipeline.generate(r, {}, nullptr, false, &cache);
                const auto t2 = std::chrono::steady_clock::now();
                if (!hit.referenceFromCache) throw Error("benchmark: the warm run missed the cache");
                cold = std::min(cold, std::chrono::duration<double>(t1 - t0).count());
                warm = std::min(warm, std::chrono::duration<double>(t2 - t1).count());
            }
            fmt::print("{:<44} {:>9.3f} s\n{:<44} {:>9.3f} s   ratio {:.3f}x (goal >= 1.4x)\n",
                       fmt::format("cold run, {}", label), cold, fmt::format("warm re-run, {}", label), warm, cold / warm);
        };
        if (args.has("skip-rerun")) {
            fmt::print("\npeak RSS {:.2f} GiB\n", peak());
            return 0;
        }
        fmt::print("\n");
        rerun(request, "text mode");
        auto withImage = request;
        torch::manual_seed(0);
        withImage.referenceImage = torch::rand({1, 3, g.height, g.width}) * 2 - 1;
        withImage.offset = std::min(5, g.steps - 1);
        withImage.plan = LayerPlan::preset("transfer", model->unet->selfAttentionPaths());
        rerun(withImage, "image mode (inversion + transfer)");
        fmt::print("\npeak RSS {:.2f} GiB\n", peak());
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "stylealigned-bench: error: {}\n", e.what());
        return 1;
    }
}
