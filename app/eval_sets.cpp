#include "app/eval_sets.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/data/procedural_dataset.h"
#include "core/io/image.h"
#include "core/pipeline/set_request.h"
#include "core/pipeline/style_aligned_pipeline.h"

namespace sa {
namespace {

// Styles and subjects for models other than the demo (the paper's sets pair a style description
// with four objects; these are in the same spirit).
const char* const kStyles[] = {"watercolor painting", "pixel art", "origami paper craft", "minimalist line drawing",
                               "oil painting with thick brush strokes", "3d render, claymation", "pop art",
                               "stained glass window", "ukiyo-e woodblock print", "flat vector illustration"};
const char* const kSubjects[] = {"a cat", "a house", "a bicycle", "a tree", "a lighthouse", "a teapot", "an owl",
                                 "a sailboat", "a mushroom", "a guitar", "a fox", "a castle", "a hot air balloon",
                                 "a robot", "a bowl of fruit", "a penguin"};

}  // namespace

void JudgeScore::add(Judge& judge, const torch::Tensor& images, const std::vector<int>& subjects,
                     const JudgeVerdict& reference, const torch::Tensor& referenceDescriptor) {
    auto verdicts = judge.judge(images);
    auto styles = judge.styleDescriptor(images);
    if (verbose) {
        std::string line = fmt::format(" | against {} {}", judge.styleName(reference.style), reference.variant + 1);
        for (const auto& v : verdicts)
            line += fmt::format(" | {} / {} {}", judge.subjectName(v.subject), judge.styleName(v.style), v.variant + 1);
        fmt::print(stderr, "{}:{}\n", name, line);
    }
    for (size_t i = 1; i < verdicts.size(); ++i) {
        const auto& v = verdicts[i];
        targets.push_back({.referenceStyle = reference.style,
                           .referenceLook = reference.variant,
                           .style = v.style,
                           .look = v.variant,
                           .subjectRight = v.subject == subjects[i],
                           .lookAgrees = sameLook(v, reference),
                           .styleAgrees = v.style == reference.style,
                           .similarity = (styles[static_cast<int64_t>(i)] * referenceDescriptor).sum().item<double>()});
    }
}

std::string Proportion::str() const {
    if (total == 0) return "–";
    // Wilson score interval, z = 1.96.
    const double z = 1.96, n = total, p = hits / n, z2 = z * z;
    const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
    return fmt::format("{:.1f} % [{:.1f}, {:.1f}]", 100 * p, 100 * (centre - half), 100 * (centre + half));
}

std::string JudgeScore::row(const std::function<bool(const JudgedTarget&)>& keep) const {
    Proportion subject, look, style;
    double similarity = 0;
    for (const auto& t : targets) {
        if (!keep(t)) continue;
        subject.hits += t.subjectRight, look.hits += t.lookAgrees, style.hits += t.styleAgrees;
        ++subject.total, ++look.total, ++style.total;
        similarity += t.similarity;
    }
    return fmt::format(" {} | {} | {} | {} | {} |", subject.total, subject.str(), look.str(), style.str(),
                       subject.total ? fmt::format("{:.3f}", similarity / subject.total) : "–");
}

std::vector<int> favouriteLooks(const JudgeScore& plain, int styles, int looks) {
    std::vector<std::vector<int>> count(static_cast<size_t>(styles), std::vector<int>(static_cast<size_t>(looks), 0));
    for (const auto& t : plain.targets)
        if (t.style >= 0 && t.style < styles && t.look >= 0 && t.look < looks) ++count[t.style][t.look];
    std::vector<int> favourite(static_cast<size_t>(styles), -1);
    for (int s = 0; s < styles; ++s) {
        const auto& c = count[static_cast<size_t>(s)];
        const auto best = std::max_element(c.begin(), c.end());
        if (*best > 0) favourite[static_cast<size_t>(s)] = static_cast<int>(best - c.begin());
    }
    return favourite;
}

double psnr(const torch::Tensor& a, const torch::Tensor& b) {
    const double mse = (a.to(torch::kFloat64) - b.to(torch::kFloat64)).pow(2).mean().item<double>();
    return mse > 0 ? 10.0 * std::log10(1.0 / mse) : std::numeric_limits<double>::infinity();
}

EvalSets::EvalSets(std::shared_ptr<StableDiffusionModel> model, const std::filesystem::path& folder, uint64_t seed)
    : model_(std::move(model)), seed_(seed) {
    if (std::filesystem::is_directory(folder) && std::filesystem::exists(folder / "judge" / "config.json")) {
        judge_ = Judge::load(folder / "judge");
        heldOut_.emplace(seed, model_->unet->config().sample_size * model_->vaeScaleFactor(), 1);
    }
}

EvalSet EvalSets::at(int k, int steps, double guidance, BlipCaptioner* captioner) {
    EvalSet set;
    set.seed = seed_ + 10 * static_cast<uint64_t>(k);
    if (judge_) {  // the demo: procedural subjects and styles, a held-out reference image
        const auto& subjects = data::subjectNames();
        const int style = k % static_cast<int>(data::styleNames().size());
        for (int i = 0; i < 5; ++i) set.subjectIds.push_back((k * 7 + i * 5) % static_cast<int>(subjects.size()));
        for (int s : set.subjectIds) set.prompts.push_back(data::captionFor(s, style));
        for (size_t i = 1; i < set.prompts.size(); ++i) set.subjects.push_back(splitCaption(set.prompts[i]).subject);
        const auto sample = heldOut_->at(static_cast<int64_t>(set.subjectIds[0] + style * subjects.size()) + 120 * k);
        set.referenceImage = imageToTensor(sample.image);
        set.referenceStyle = sample.style;
        set.referenceLook = sample.variant;
        set.referenceCaption = judge_->caption(judge_->judge((set.referenceImage + 1) / 2).front());
        return set;
    }
    const int styles = static_cast<int>(std::size(kStyles)), subjects = static_cast<int>(std::size(kSubjects));
    const std::string style = kStyles[k % styles];
    std::vector<std::string> names;
    for (int i = 0; i < 5; ++i) names.push_back(kSubjects[(k * 7 + i * 3) % subjects]);
    set.prompts = styledPrompts(names, style);
    set.subjects.assign(names.begin() + 1, names.end());
    GenerationRequest reference;
    reference.prompts = {set.prompts[0]};
    reference.steps = steps;
    reference.guidanceScale = guidance;
    reference.seed = set.seed + 5;  // not the set's own first seed: the inversion must work for it
    const auto image = TextToImagePipeline(model_).generate(reference).images;
    set.referenceImage = image * 2 - 1;
    set.referenceCaption = captioner ? captioner->caption(tensorToImage(image[0]), "", captioner->defaults())
                                     : set.prompts[0];
    return set;
}

std::vector<torch::Tensor> EvalSets::run(const EvalSet& set, int steps, const ModeSettings& text,
                                         const ImageModeSettings& image, EvalMethods methods) {
    const auto paths = model_->unet->selfAttentionPaths();
    StyleAlignedRequest request;
    request.generation.prompts = set.prompts;
    request.generation.steps = steps;
    request.generation.guidanceScale = text.guidance.value_or(defaultGuidance(false));
    request.generation.seed = set.seed;
    request.plan = text.plan ? *text.plan : LayerPlan::preset(defaultPreset(false), paths);
    StyleAlignedPipeline pipeline(model_);
    std::vector<torch::Tensor> out;
    out.push_back(TextToImagePipeline(model_).generate(request.generation).images);
    out.push_back(methods == EvalMethods::PlainAndImage ? torch::Tensor() : pipeline.generate(request).images);
    if (methods == EvalMethods::PlainAndText) {
        out.resize(5);
        return out;
    }

    auto withImage = request;
    withImage.referenceImage = set.referenceImage;
    withImage.generation.prompts[0] = set.referenceCaption;
    withImage.plan = image.plan ? *image.plan : LayerPlan::preset(defaultPreset(true), paths);
    withImage.offset = std::min(image.offset, steps - 1);
    withImage.inversionGuidance = image.inversionGuidance;
    withImage.generation.guidanceScale = image.guidance.value_or(defaultGuidance(true));
    out.push_back(pipeline.generate(withImage).images);
    if (methods == EvalMethods::PlainAndImage) {
        out.resize(5);
        return out;
    }

    auto noAdain = request;
    for (auto& [path, s] : noAdain.plan.layers) s.adainQueries = s.adainKeys = 0;
    out.push_back(pipeline.generate(noAdain).images);
    auto full = request;
    full.plan.fullAttentionShare = true;
    out.push_back(pipeline.generate(full).images);
    return out;
}

void EvalSets::printVaeRoundTrip(int count) {
    if (!judge_) fail("the VAE round-trip check needs the demo model's judge");
    torch::NoGradGuard noGrad;
    const int looks = judge_->config().style_variants;
    const size_t classes = data::styleNames().size() * static_cast<size_t>(looks);
    std::vector<Proportion> clean(classes), roundTrip(classes);
    for (int first = 0; first < count; first += 60) {
        std::vector<torch::Tensor> pictures;
        std::vector<size_t> drawn;
        for (int i = first; i < std::min(count, first + 60); ++i) {
            const auto sample = heldOut_->at(1'000'000 + i);  // far from the sets' reference pictures
            pictures.push_back(imageToTensor(sample.image));
            drawn.push_back(static_cast<size_t>(sample.style * looks + sample.variant));
        }
        const auto images = torch::cat(pictures).to(model_->device, model_->dtype);
        const auto decoded = model_->vae->decode(model_->vae->encode(images).mean).clamp(-1, 1);
        const auto asDrawn = judge_->judge((images + 1) / 2), afterRoundTrip = judge_->judge((decoded + 1) / 2);
        for (size_t k = 0; k < drawn.size(); ++k) {
            auto named = [&](const JudgeVerdict& v) { return static_cast<size_t>(v.style * looks + v.variant) == drawn[k]; };
            clean[drawn[k]].hits += named(asDrawn[k]), ++clean[drawn[k]].total;
            roundTrip[drawn[k]].hits += named(afterRoundTrip[k]), ++roundTrip[drawn[k]].total;
        }
    }
    Proportion allClean, allRoundTrip;
    size_t worst = 0;
    for (size_t c = 0; c < classes; ++c) {
        allClean.hits += clean[c].hits, allClean.total += clean[c].total;
        allRoundTrip.hits += roundTrip[c].hits, allRoundTrip.total += roundTrip[c].total;
        auto rate = [&](size_t k) { return roundTrip[k].total ? double(roundTrip[k].hits) / roundTrip[k].total : 1.0; };
        if (rate(c) < rate(worst)) worst = c;
    }
    fmt::print("\nthe judge names the drawn look of {} held-out pictures: as drawn {}, after the VAE round trip {} "
               "(worst: {} look {}, {})\n",
               allClean.total, allClean.str(), allRoundTrip.str(), data::styleNames()[worst / static_cast<size_t>(looks)],
               worst % static_cast<size_t>(looks) + 1, roundTrip[worst].str());
}

void EvalSets::printLookHistogram(int perStyle, int steps, double guidance) {
    if (!judge_) fail("--looks needs the demo model's judge");
    const auto& styles = data::styleNames();
    const int looks = judge_->config().style_variants, subjects = static_cast<int>(data::subjectNames().size());
    fmt::print("\nlooks drawn by plain generation ({} images per style, guidance {}, judged):\n\n| style |", perStyle,
               guidance);
    for (int look = 0; look < looks; ++look) fmt::print(" look {} |", look + 1);
    std::string rule = "|---|";
    for (int column = 0; column <= looks; ++column) rule += "---|";
    fmt::print(" another style |\n{}\n", rule);
    for (int style = 0; style < static_cast<int>(styles.size()); ++style) {
        GenerationRequest request;
        for (int i = 0; i < perStyle; ++i) request.prompts.push_back(data::captionFor((style + i * 5) % subjects, style));
        request.steps = steps;
        request.guidanceScale = guidance;
        request.seed = seed_ + 1000 * static_cast<uint64_t>(style);
        std::vector<int> count(static_cast<size_t>(looks) + 1, 0);
        for (const auto& v : judge_->judge(TextToImagePipeline(model_).generate(request).images))
            ++count[v.style == style ? static_cast<size_t>(v.variant) : static_cast<size_t>(looks)];
        fmt::print("| {} |", styles[static_cast<size_t>(style)]);
        for (int c : count) fmt::print(" {} |", c);
        fmt::print("\n");
    }
}

}  // namespace sa
