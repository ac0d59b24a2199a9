// stylealigned-bench: speed ratios measured in one run on one model and one setting.
//
//   1. StyleAligned set vs plain generation of the same images (overhead of sharing).
//   2. Warm vs cold re-run with the reference cache (1 reference + N targets; the targets'
//      prompts change between runs, the reference does not), text mode and image mode.
//
// usage: stylealigned-bench [--model DIR] [--targets N] [--steps N] [--height H --width W]
//                           [--repeat R] [--threads N]
#include <chrono>
#include <functional>

#include <fmt/format.h>

#include "app/cli_support.h"
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

}  // namespace

int main(int argc, char** argv) {
    try {
        cli::Args args(argc, argv, 1, {});
        args.expectOnly({"model", "targets", "steps", "height", "width", "repeat", "threads"});
        configureRuntime(args.getInt("threads", 0));
        const std::string folder = args.get("model", std::string(STYLEALIGNED_SOURCE_DIR) + "/tests/data/golden/tiny-sd15");
        auto model = StableDiffusionModel::load(folder);
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

        StyleAlignedPipeline pipeline(model);
        TextToImagePipeline plain(model);
        const double tPlain = seconds([&] { plain.generate(g, {}, nullptr, false); }, repeat);
        const double tShared = seconds([&] { pipeline.generate(request, {}, nullptr, false); }, repeat);
        fmt::print("\n{:<44} {:>9.3f} s\n{:<44} {:>9.3f} s   ratio {:.3f}x (goal <= 1.15x)\n",
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
        fmt::print("\n");
        rerun(request, "text mode");
        auto withImage = request;
        torch::manual_seed(0);
        withImage.referenceImage = torch::rand({1, 3, g.height, g.width}) * 2 - 1;
        withImage.offset = std::min(5, g.steps - 1);
        withImage.plan = LayerPlan::preset("transfer", model->unet->selfAttentionPaths());
        rerun(withImage, "image mode (inversion + transfer)");
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "stylealigned-bench: error: {}\n", e.what());
        return 1;
    }
}
