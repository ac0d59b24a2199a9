// stylealigned-eval — the paper's table (Hertz et al. 2024, Table 1 / Fig. 7) for any model: for N
// sets of (a style, a reference subject, 4 new subjects), plain generation (the style words in every
// prompt), StyleAligned from text, StyleAligned from a reference image (DDIM inversion + transfer)
// and the ablations (no AdaIN, full attention sharing), measured with
//   --clip DIR  text alignment: CLIP cosine of each new image and its subject prompt without the style words
//   --dino DIR  set consistency: mean pairwise cosine of DINO ViT CLS embeddings over the set
// and, on the bundled demo model, with its judge: subject accuracy and look agreement (the same style
// in the same look) with a stated reference — in text mode the set's own image 0, in image mode the
// dropped image's drawn look, for plain generation too — each with a 95 % interval, split by whether
// the reference's look is its style's favourite (the look plain generation draws most), and the
// inversion's quality (PSNR of the reconstructed reference, whether the judge still sees its look). The sets: the demo's procedural subjects and styles on the demo
// model; a fixed list of styles and subjects on any other model, whose reference image is the
// model's own plain image of the reference prompt, captioned by --captioner DIR (BLIP) when given.
//
// usage: stylealigned-eval [--model DIR|FILE] [--clip DIR] [--dino DIR] [--captioner DIR] [--sets N] [--steps N]
//                          [--guidance G] [--seed S] [--threads N] [--device D] [--looks N] [--figure PNG] [--verbose]
//                          [--text-preset NAME | --text-plan FILE]
//                          [--image-preset NAME | --image-plan FILE] [--image-guidance G] [--inversion-guidance G]
//                          [--offset N] [--only-image | --only-text]
// The mode options are the CLI's (generate --preset / --plan / --guidance, and --inversion-guidance /
// --offset with --reference); --only-image / --only-text run plain generation and that mode only (tuning).
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
    VisionScore vision;
};

// The image-mode reference as the judge should see it: the drawn subject, style and look.
JudgeVerdict drawnVerdict(const EvalSet& set) {
    JudgeVerdict v;
    v.subject = set.subjectIds.front();
    v.style = set.referenceStyle;
    v.variant = set.referenceLook;
    return v;
}

// The reconstruction of the dropped image (image 0 of the image-mode run) against the input.
struct InversionScore {
    double psnrSum = 0;
    int sets = 0;
    Proportion inputLookSeen, reconstructionLookSeen;  // the judge sees the drawn look
    void add(Judge& judge, const EvalSet& set, const torch::Tensor& reconstruction) {
        const auto input = (set.referenceImage + 1) / 2;
        psnrSum += psnr(reconstruction, input.squeeze(0)), ++sets;
        const auto drawn = drawnVerdict(set);
        inputLookSeen.hits += sameLook(judge.judge(input).front(), drawn), ++inputLookSeen.total;
        reconstructionLookSeen.hits += sameLook(judge.judge(reconstruction.unsqueeze(0)).front(), drawn);
        ++reconstructionLookSeen.total;
    }
};

void printJudgeTables(const std::vector<JudgeScore>& rows, const std::vector<int>& favourite) {
    const std::pair<const char*, std::function<bool(const JudgedTarget&)>> splits[] = {
        {"all sets", [](const JudgedTarget&) { return true; }},
        {"reference in its style's favourite look",
         [&](const JudgedTarget& t) { return favourite.at(static_cast<size_t>(t.referenceStyle)) == t.referenceLook; }},
        {"reference in another look",
         [&](const JudgedTarget& t) { return favourite.at(static_cast<size_t>(t.referenceStyle)) != t.referenceLook; }}};
    for (const auto& [title, keep] : splits) {
        fmt::print("\njudge, {} (95 % Wilson intervals):\n\n", title);
        fmt::print("| method | targets | subject accuracy | look agreement | same style name | style similarity (Gram) |\n"
                   "|---|---|---|---|---|---|\n");
        for (const auto& row : rows) fmt::print("| {} |{}\n", row.name, row.row(keep));
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        cli::Args args(argc, argv, 1, {"verbose", "only-image", "only-text"});
        args.expectOnly({"model", "clip", "dino", "captioner", "sets", "steps", "seed", "threads", "device", "figure",
                         "looks", "guidance", "verbose", "text-preset", "text-plan", "image-preset", "image-plan",
                         "image-guidance", "inversion-guidance", "offset", "only-image", "only-text"});
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

        const int count = args.getInt("sets", 40, 1), steps = args.getInt("steps", 30, 2);
        // Each mode's layer plan: --MODE-preset NAME or --MODE-plan FILE, else the CLI's default preset.
        const auto paths = model->unet->selfAttentionPaths();
        auto planOption = [&](const std::string& mode) -> std::optional<LayerPlan> {
            const std::string preset = mode + "-preset", plan = mode + "-plan";
            if (args.has(preset) && args.has(plan)) fail("give --{} or --{}, not both", preset, plan);
            if (args.has(preset)) return LayerPlan::preset(args.get(preset), paths);
            if (args.has(plan)) return LayerPlan::load(args.get(plan), paths);
            return std::nullopt;
        };
        auto planName = [&](const std::string& mode, bool withImage) {
            return args.has(mode + "-plan") ? "plan " + args.get(mode + "-plan")
                                            : "preset " + args.get(mode + "-preset", defaultPreset(withImage));
        };
        ModeSettings text;
        text.plan = planOption("text");
        text.guidance = args.getDouble("guidance", defaultGuidance(false));  // plain generation's too
        const double guidance = *text.guidance;
        ImageModeSettings image;
        image.plan = planOption("image");
        image.guidance = args.getDouble("image-guidance", defaultGuidance(true));
        image.inversionGuidance = args.getDouble("inversion-guidance", image.inversionGuidance);
        image.offset = args.getInt("offset", image.offset, 0);
        if (args.has("only-image") && args.has("only-text")) fail("give --only-image or --only-text, not both");
        const EvalMethods which = args.has("only-image") ? EvalMethods::PlainAndImage
                                    : args.has("only-text") ? EvalMethods::PlainAndText
                                                            : EvalMethods::All;
        std::vector<Method> methods{{"plain (style words in prompt)"}, {"StyleAligned, text"},
                                    {"StyleAligned, reference image"}, {"ablation: no AdaIN"},
                                    {"ablation: full attention share"}};
        // Judge rows: each method's targets against a stated reference. Text modes: the set's own image 0
        // (the same image for plain and StyleAligned: the reference branch does not see the targets).
        // Image mode: the dropped image's drawn look, for plain generation too.
        enum JudgeRow { PlainText, SharedText, PlainImage, SharedImage, NoAdain, FullShare };
        std::vector<JudgeScore> judged{{"plain (style words in prompt), against its own image 0"},
                                       {"StyleAligned, text"},
                                       {"plain, against the reference image"},
                                       {"StyleAligned, reference image"},
                                       {"ablation: no AdaIN"},
                                       {"ablation: full attention share"}};
        for (auto& j : judged) j.verbose = args.has("verbose");
        InversionScore inversion;
        const std::string figure = args.get("figure");
        std::vector<cv::Mat> figureImages;
        cli::ProgressBar bar("sets");
        for (int k = 0; k < count; ++k) {
            const EvalSet set = sets.at(k, steps, guidance, captioner.get());
            const auto runs = sets.run(set, steps, text, image, which);
            for (size_t m = 0; m < methods.size(); ++m) {
                if (!runs[m].defined()) continue;
                auto images = tensorToImages(runs[m]);
                methods[m].vision.add(clip.get(), dino.get(), images, set);
                if (!figure.empty() && k < 4 && m < 3) figureImages.insert(figureImages.end(), images.begin(), images.end());
            }
            if (Judge* judge = sets.judge()) {
                auto ownReference = [&](JudgeRow row, const torch::Tensor& images) {
                    judged[row].add(*judge, images, set.subjectIds, judge->judge(images.slice(0, 0, 1)).front(),
                                    judge->styleDescriptor(images.slice(0, 0, 1))[0]);
                };
                const auto dropped = (set.referenceImage + 1) / 2;
                auto againstDropped = [&](JudgeRow row, const torch::Tensor& images) {
                    judged[row].add(*judge, images, set.subjectIds, drawnVerdict(set), judge->styleDescriptor(dropped)[0]);
                };
                ownReference(PlainText, runs[0]);
                againstDropped(PlainImage, runs[0]);
                if (runs[1].defined()) ownReference(SharedText, runs[1]);
                if (runs[2].defined()) {
                    againstDropped(SharedImage, runs[2]);
                    inversion.add(*judge, set, runs[2][0]);
                }
                if (runs[3].defined()) ownReference(NoAdain, runs[3]);
                if (runs[4].defined()) ownReference(FullShare, runs[4]);
            }
            bar.update(k + 1, count);
        }
        bar.finish();
        if (!figure.empty()) {
            writeImage(figure, makeGrid(figureImages, 5));
            const char* rows = which == EvalMethods::PlainAndImage ? "plain, StyleAligned image"
                               : which == EvalMethods::PlainAndText ? "plain, StyleAligned text"
                                                                    : "plain, StyleAligned text, StyleAligned image";
            fmt::print("wrote {} (per set: {}; reference first)\n", figure, rows);
        }
        fmt::print("\n{} sets × 4 targets, {} steps, guidance {} from text ({}) and {} from a reference image (inversion "
                   "guidance {}, offset {}, {}), model {}\n",
                   count, steps, guidance, planName("text", false), *image.guidance, image.inversionGuidance, image.offset,
                   planName("image", true), folder);
        if (clip || dino) {
            std::string header = "\n| method |", rule = "|---|";
            if (clip && clip->hasTextTower()) header += " CLIP text score ↑ |", rule += "---|";
            if (dino) header += " DINO set consistency ↑ |", rule += "---|";
            fmt::print("{}\n{}\n", header, rule);
            for (const auto& m : methods) {
                std::string line = "| " + m.name + " |";
                auto mean = [](double sum, int n) { return n > 0 ? fmt::format(" {:.4f} |", sum / n) : std::string(" – |"); };
                if (clip && clip->hasTextTower()) line += mean(m.vision.textScore, m.vision.targets);
                if (dino) line += mean(m.vision.consistency, m.vision.sets);
                fmt::print("{}\n", line);
            }
        }
        if (Judge* judge = sets.judge()) {
            const int styles = static_cast<int>(judge->config().styles.size()), looks = judge->config().style_variants;
            const auto favourite = favouriteLooks(judged[PlainText], styles, looks);
            fmt::print("\nfavourite look per style (most drawn by plain generation here):");
            for (int s = 0; s < styles; ++s) {
                const int look = favourite[static_cast<size_t>(s)];
                fmt::print("{} {} {}", s ? "," : "", judge->styleName(s), look < 0 ? "(not drawn)" : std::to_string(look + 1));
            }
            fmt::print("\n");
            printJudgeTables(judged, favourite);
            sets.printVaeRoundTrip(360);
            if (inversion.sets > 0)
                fmt::print("\ninversion of the reference image: PSNR of the reconstruction {:.2f} dB (mean over {} sets); the "
                           "judge sees the drawn look in the input {}, in the reconstruction {}\n",
                           inversion.psnrSum / inversion.sets, inversion.sets, inversion.inputLookSeen.str(),
                           inversion.reconstructionLookSeen.str());
        }
        if (const int perStyle = args.getInt("looks", 0); perStyle > 0) sets.printLookHistogram(perStyle, steps, guidance);
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "stylealigned-eval: error: {}\n", e.what());
        return 1;
    }
}
