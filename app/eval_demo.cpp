// stylealigned-eval — the paper's table on the demo model (issue 5): for N sets of
// (reference style, 4 new subjects), the judge's subject accuracy and style agreement with the
// reference for plain generation, StyleAligned from text, StyleAligned from a reference image
// (inversion + transfer) and the ablations (no AdaIN, full attention sharing). Style agreement
// means the same style in the same look as the reference: the captions name the style, never the
// look, so plain generation picks a look at random and a set is consistent only if it shares one.
//
// usage: stylealigned-eval [--model DIR] [--sets N] [--steps N] [--guidance G] [--seed S] [--threads N] [--looks N]
//                          [--figure PNG] [--verbose]
//
// --looks N also prints which look plain generation draws for each style (N images per style):
// the style words leave the look open, so a model that learnt the data draws every look.
// --figure writes the first sets as a picture: per set, one row each for plain generation,
// StyleAligned from text and StyleAligned from the reference image (reference first).
#include <fmt/format.h>

#include "app/cli_support.h"
#include "core/common/runtime.h"
#include "core/data/procedural_dataset.h"
#include "core/eval/judge.h"
#include "core/io/image.h"
#include "core/pipeline/style_aligned_pipeline.h"

using namespace sa;

namespace {

struct Score {
    int subjectsRight = 0, looksAgree = 0, stylesAgree = 0, targets = 0;
    double similarity = 0;  // sum of style-descriptor cosines target ↔ reference
    std::string name;
    bool verbose = false;   // one line per set: each image's judged subject, style and look
    void add(Judge& judge, const torch::Tensor& images, const std::vector<int>& subjects) {
        auto verdicts = judge.judge(images);
        auto styles = judge.styleDescriptor(images);
        if (verbose) {
            std::string line;
            for (const auto& v : verdicts) line += fmt::format(" | {} / {} {}", judge.subjectName(v.subject), judge.styleName(v.style), v.variant + 1);
            fmt::print(stderr, "{}:{}\n", name, line);
        }
        for (size_t i = 1; i < verdicts.size(); ++i) {
            subjectsRight += verdicts[i].subject == subjects[i];
            looksAgree += sameLook(verdicts[i], verdicts[0]);
            stylesAgree += verdicts[i].style == verdicts[0].style;
            similarity += (styles[static_cast<int64_t>(i)] * styles[0]).sum().item<double>();
            ++targets;
        }
    }
};

void printLookHistogram(const std::shared_ptr<StableDiffusionModel>& model, Judge& judge, int perStyle, int steps, double guidance,
                        uint64_t seed) {
    const auto& styles = data::styleNames();
    const int looks = judge.config().style_variants, subjects = static_cast<int>(data::subjectNames().size());
    fmt::print("\nlooks drawn by plain generation ({} images per style, guidance {}, judged):\n\n| style |", perStyle, guidance);
    for (int look = 0; look < looks; ++look) fmt::print(" look {} |", look + 1);
    std::string rule = "|---|";
    for (int column = 0; column <= looks; ++column) rule += "---|";
    fmt::print(" another style |\n{}\n", rule);
    for (int style = 0; style < static_cast<int>(styles.size()); ++style) {
        GenerationRequest request;
        for (int i = 0; i < perStyle; ++i) request.prompts.push_back(data::captionFor((style + i * 5) % subjects, style));
        request.steps = steps;
        request.guidanceScale = guidance;
        request.seed = seed + 1000 * static_cast<uint64_t>(style);
        std::vector<int> count(static_cast<size_t>(looks) + 1, 0);
        for (const auto& v : judge.judge(TextToImagePipeline(model).generate(request).images))
            ++count[v.style == style ? static_cast<size_t>(v.variant) : static_cast<size_t>(looks)];
        fmt::print("| {} |", styles[static_cast<size_t>(style)]);
        for (int c : count) fmt::print(" {} |", c);
        fmt::print("\n");
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        cli::Args args(argc, argv, 1, {"verbose"});
        args.expectOnly({"model", "sets", "steps", "seed", "threads", "figure", "looks", "guidance", "verbose"});
        const double guidance = args.getDouble("guidance", 7.5);  // text modes; from a reference image: 10
        const std::string figure = args.get("figure", std::string());
        std::vector<cv::Mat> figureImages;
        auto keep = [&](int set, const torch::Tensor& images) {
            if (figure.empty() || set >= 4) return images;
            for (auto& image : tensorToImages(images)) figureImages.push_back(image);
            return images;
        };
        configureRuntime(args.getInt("threads", 0));
        const std::string folder = args.get("model", std::string(STYLEALIGNED_SOURCE_DIR) + "/resources/models/demo");
        auto model = StableDiffusionModel::load(folder);
        auto judge = Judge::load(std::filesystem::path(folder) / "judge");
        const int sets = args.getInt("sets", 12), steps = args.getInt("steps", 30);
        const uint64_t seed = args.getSeed("seed", 100);
        const auto& subjects = data::subjectNames();
        const auto& styles = data::styleNames();
        const auto paths = model->unet->selfAttentionPaths();
        data::ProceduralDataset heldOut(seed, model->unet->config().sample_size * model->vaeScaleFactor(), 1);

        const std::vector<std::string> methods{"plain (style words in prompt)", "StyleAligned, text", "StyleAligned, reference image",
                                               "ablation: no AdaIN", "ablation: full attention share"};
        std::vector<Score> scores(methods.size());
        for (size_t m = 0; m < methods.size(); ++m) scores[m].name = methods[m], scores[m].verbose = args.has("verbose");
        cli::ProgressBar bar("sets");
        for (int k = 0; k < sets; ++k) {
            const int style = k % static_cast<int>(styles.size());
            std::vector<int> setSubjects;
            for (int i = 0; i < 5; ++i) setSubjects.push_back((k * 7 + i * 5) % static_cast<int>(subjects.size()));
            StyleAlignedRequest request;
            for (int s : setSubjects) request.generation.prompts.push_back(data::captionFor(s, style));
            request.generation.steps = steps;
            request.generation.guidanceScale = guidance;
            request.generation.seed = seed + 10 * static_cast<uint64_t>(k);
            request.plan = LayerPlan::paperDefault(paths);

            scores[0].add(judge, keep(k, TextToImagePipeline(model).generate(request.generation).images), setSubjects);
            StyleAlignedPipeline pipeline(model);
            scores[1].add(judge, keep(k, pipeline.generate(request).images), setSubjects);

            auto withImage = request;
            const auto sample = heldOut.at(static_cast<int64_t>(setSubjects[0] + style * subjects.size()) + 120 * k);
            withImage.referenceImage = imageToTensor(sample.image);
            withImage.generation.prompts[0] = judge.caption(judge.judge((withImage.referenceImage + 1) / 2).front());
            withImage.plan = LayerPlan::preset("transfer", paths);
            withImage.offset = std::min(5, steps - 1);
            withImage.generation.guidanceScale = 10.0;
            scores[2].add(judge, keep(k, pipeline.generate(withImage).images), setSubjects);

            auto noAdain = request;
            for (auto& [path, s] : noAdain.plan.layers) s.adainQueries = s.adainKeys = 0;
            scores[3].add(judge, pipeline.generate(noAdain).images, setSubjects);
            auto full = request;
            full.plan.fullAttentionShare = true;
            scores[4].add(judge, pipeline.generate(full).images, setSubjects);
            bar.update(k + 1, sets);
        }
        bar.finish();
        if (!figure.empty()) {
            writeImage(figure, makeGrid(figureImages, 5));
            fmt::print("wrote {} (per set: plain, StyleAligned text, StyleAligned image; reference first)\n", figure);
        }
        fmt::print("\n{} sets × 4 targets, {} steps, guidance {}, model {}\n\n", sets, steps, guidance, folder);
        fmt::print("| method | subject accuracy | style agreement with the reference (same look) | same style name | "
                   "style similarity (Gram cosine) |\n|---|---|---|---|---|\n");
        for (size_t m = 0; m < methods.size(); ++m) {
            const Score& s = scores[m];
            fmt::print("| {} | {:.1f} % | {:.1f} % | {:.1f} % | {:.3f} |\n", methods[m], 100.0 * s.subjectsRight / s.targets,
                       100.0 * s.looksAgree / s.targets, 100.0 * s.stylesAgree / s.targets, s.similarity / s.targets);
        }
        if (const int perStyle = args.getInt("looks", 0); perStyle > 0) printLookHistogram(model, judge, perStyle, steps, guidance, seed);
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "stylealigned-eval: error: {}\n", e.what());
        return 1;
    }
}
