// stylealigned-eval — the paper's table (Hertz et al. 2024, Table 1 / Fig. 7) for any model: for N
// sets of (a style, a reference subject, 4 new subjects), plain generation (the style words in every
// prompt), StyleAligned from text, StyleAligned from a reference image (DDIM inversion + transfer)
// and the ablations (no AdaIN, full attention sharing), measured with
//   --clip DIR  text alignment: CLIP cosine of each new image and its subject prompt without the style words
//   --dino DIR  set consistency: mean pairwise cosine of DINO ViT CLS embeddings over the set
// and, on the bundled demo model, with its judge (subject accuracy, style agreement with the
// reference in the same look). The sets: the demo's procedural subjects and styles on the demo
// model; a fixed list of styles and subjects on any other model, whose reference image is the
// model's own plain image of the reference prompt, captioned by --captioner DIR (BLIP) when given.
//
// usage: stylealigned-eval [--model DIR|FILE] [--clip DIR] [--dino DIR] [--captioner DIR] [--sets N] [--steps N]
//                          [--guidance G] [--seed S] [--threads N] [--device D] [--looks N] [--figure PNG] [--verbose]
#include <fmt/format.h>

#include "app/cli_support.h"
#include "app/eval_sets.h"
#include "core/common/runtime.h"
#include "core/eval/vision_metrics.h"
#include "core/io/image.h"
#include "core/models/blip_captioner.h"
#include "core/pipeline/set_request.h"

using namespace sa;

namespace {

// The paper's two measures, accumulated over sets.
struct VisionScore {
    double textScore = 0, consistency = 0;
    int targets = 0, sets = 0;
    void add(ClipScorer* clip, DinoEmbedder* dino, const std::vector<cv::Mat>& images, const EvalSet& set) {
        if (clip && clip->hasTextTower()) {
            const std::vector<cv::Mat> targetImages(images.begin() + 1, images.end());
            for (double s : clip->textScores(targetImages, set.subjects)) textScore += s, ++targets;
        }
        if (dino) consistency += meanPairwiseCosine(dino->embed(images)), ++sets;
    }
};

struct Method {
    std::string name;
    JudgeScore judge;
    VisionScore vision;
};

}  // namespace

int main(int argc, char** argv) {
    try {
        cli::Args args(argc, argv, 1, {"verbose"});
        args.expectOnly({"model", "clip", "dino", "captioner", "sets", "steps", "seed", "threads", "device", "figure",
                         "looks", "guidance", "verbose"});
        configureRuntime(args.getInt("threads", 0));
        const auto device = selectDevice(args.get("device", "auto"));
        const std::string folder = args.get("model", std::string(STYLEALIGNED_SOURCE_DIR) + "/resources/models/demo");
        LoadOptions loadOptions;
        loadOptions.device = device;
        auto model = StableDiffusionModel::load(folder, loadOptions);
        auto clip = args.has("clip") ? ClipScorer::load(args.get("clip"), device) : nullptr;
        auto dino = args.has("dino") ? DinoEmbedder::load(args.get("dino"), device) : nullptr;
        auto captioner = args.has("captioner") ? BlipCaptioner::load(args.get("captioner"), device) : nullptr;
        if (clip && !clip->hasTextTower())
            fmt::print(stderr, "note: {} is a CLIP image tower without a text tower: no CLIP text score\n",
                       args.get("clip"));
        EvalSets sets(model, folder, args.getSeed("seed", 100));
        if (!sets.judge() && !clip && !dino)
            fail("nothing to measure with: give --clip DIR and / or --dino DIR (the demo model's judge is only in the "
                 "demo model)");

        const double guidance = args.getDouble("guidance", 7.5);  // text modes; from a reference image: 10
        const int count = args.getInt("sets", 12, 1), steps = args.getInt("steps", 30, 2);
        std::vector<Method> methods{{"plain (style words in prompt)"}, {"StyleAligned, text"},
                                    {"StyleAligned, reference image"}, {"ablation: no AdaIN"},
                                    {"ablation: full attention share"}};
        for (auto& m : methods) m.judge.name = m.name, m.judge.verbose = args.has("verbose");
        const std::string figure = args.get("figure");
        std::vector<cv::Mat> figureImages;
        cli::ProgressBar bar("sets");
        for (int k = 0; k < count; ++k) {
            const EvalSet set = sets.at(k, steps, guidance, captioner.get());
            const auto runs = sets.run(set, steps, guidance);
            for (size_t m = 0; m < methods.size(); ++m) {
                auto images = tensorToImages(runs[m]);
                if (sets.judge()) methods[m].judge.add(*sets.judge(), runs[m], set.subjectIds);
                methods[m].vision.add(clip.get(), dino.get(), images, set);
                if (!figure.empty() && k < 4 && m < 3) figureImages.insert(figureImages.end(), images.begin(), images.end());
            }
            bar.update(k + 1, count);
        }
        bar.finish();
        if (!figure.empty()) {
            writeImage(figure, makeGrid(figureImages, 5));
            fmt::print("wrote {} (per set: plain, StyleAligned text, StyleAligned image; reference first)\n", figure);
        }
        fmt::print("\n{} sets × 4 targets, {} steps, guidance {}, model {}\n\n", count, steps, guidance, folder);
        std::string header = "| method |", rule = "|---|";
        if (clip && clip->hasTextTower()) header += " CLIP text score ↑ |", rule += "---|";
        if (dino) header += " DINO set consistency ↑ |", rule += "---|";
        if (sets.judge())
            header += " subject accuracy | style agreement (same look) | same style name | style similarity (Gram) |",
                rule += "---|---|---|---|";
        fmt::print("{}\n{}\n", header, rule);
        for (const auto& m : methods) {
            std::string line = "| " + m.name + " |";
            if (clip && clip->hasTextTower()) line += fmt::format(" {:.4f} |", m.vision.textScore / m.vision.targets);
            if (dino) line += fmt::format(" {:.4f} |", m.vision.consistency / m.vision.sets);
            if (sets.judge()) line += m.judge.row();
            fmt::print("{}\n", line);
        }
        if (const int perStyle = args.getInt("looks", 0); perStyle > 0) sets.printLookHistogram(perStyle, steps, guidance);
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "stylealigned-eval: error: {}\n", e.what());
        return 1;
    }
}
