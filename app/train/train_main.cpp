// stylealigned-train — trains the bundled demo model (DESIGN §5) from the procedural data set.
//
//   stylealigned-train all   --out resources/models/demo [--work build/train]   (every stage, resumable)
//   stylealigned-train vae | judge | unet   [--steps N] [--batch B] [--lr LR] [--seed S] [--threads N]
//   stylealigned-train controlnet | lora  [--base resources/models/demo] [--out DIR] ...   (add-ons)
//
// Stages, in order: the VAE; the judge; the UNet + text encoder on every look of every style.
// Add-ons for the finished model, each its own folder: a Canny ControlNet
// (resources/models/demo-controlnet-canny) and a LoRA for a style the model never saw
// (resources/models/demo-lora).
//
// Every stage checkpoints into --work every few hundred steps and resumes from there when run
// again; a stop (Ctrl-C, SIGTERM) ends the current step, saves the steps done and exits with 130.
#include <fmt/format.h>

#include "app/train/train_support.h"
#include "core/common/runtime.h"

using namespace sa;

int main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "--help") {
        fmt::print("usage: stylealigned-train <all|vae|judge|unet|controlnet|lora> --out DIR [--base DIR] [--work DIR] [--steps N] [--batch B] "
                   "[--lr LR] [--seed S] [--threads N]\n");
        return argc < 2 ? 2 : 0;
    }
    const std::string stage = argv[1];
    try {
        cli::Args args(argc, argv, 2, {});
        args.expectOnly({"out", "base", "work", "steps", "batch", "lr", "seed", "threads"});
        configureRuntime(args.getInt("threads", 0));
        cli::installInterruptHandler();
        train::TrainOptions o;
        const std::string models = std::string(STYLEALIGNED_SOURCE_DIR) + "/resources/models/";
        const std::string addOn = stage == "controlnet" ? "demo-controlnet-canny" : stage == "lora" ? "demo-lora" : "demo";
        o.out = args.get("out", models + addOn);
        o.base = args.get("base", models + "demo");
        o.work = args.get("work", std::string(STYLEALIGNED_SOURCE_DIR) + "/build/train");
        o.steps = args.getInt("steps", 0);
        o.batch = args.getInt("batch", 0);
        o.lr = args.getDouble("lr", 0);
        o.seed = args.getSeed("seed", 1234);
        if (stage == "vae") return train::trainVae(o);
        if (stage == "unet") return train::trainUNet(o);
        if (stage == "judge") return train::trainJudge(o);
        if (stage == "controlnet") return train::trainControlNet(o);
        if (stage == "lora") return train::trainLora(o);
        if (stage == "all") {
            if (args.has("steps")) fail("--steps applies to one stage; run the stages one by one to change it");
            return train::trainVae(o) || train::trainJudge(o) || train::trainUNet(o);
        }
        fail("unknown stage '{}' (all, vae, judge, unet, controlnet, lora)", stage);
    } catch (const Cancelled&) {
        fmt::print(stderr, "\nstylealigned-train: stopped; run the same command again to resume from its last checkpoint\n");
        return 130;
    } catch (const std::exception& e) {
        fmt::print(stderr, "\nstylealigned-train: error: {}\n", e.what());
        return 1;
    }
}
