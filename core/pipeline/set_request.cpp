#include "core/pipeline/set_request.h"

#include <cctype>
#include <cmath>
#include <utility>

#include "core/io/image.h"
#include "core/pipeline/stable_diffusion_model.h"

namespace sa {

void validateSpec(const ImageSetSpec& spec, const std::string& where, bool withReferenceImage) {
    if (spec.steps < 1) fail("{}: 'steps' must be at least 1 (got {})", where, spec.steps);
    for (const auto& [field, value] : {std::pair{"guidance", spec.guidance}, {"inversion_guidance", spec.inversionGuidance}})
        if (!std::isfinite(value)) fail("{}: '{}' must be a finite number (got {})", where, field, value);
    for (const auto& [field, value] : {std::pair{"height", spec.height}, {"width", spec.width}})
        if (value < 0) fail("{}: '{}' must be positive, or 0 for the model's default (got {})", where, field, value);
    if (!spec.seeds.empty() && spec.seeds.size() != spec.targets.size() + 1)
        fail("{}: 'seeds' has {} entries for {} images", where, spec.seeds.size(), spec.targets.size() + 1);
    if (withReferenceImage && (spec.offset < 0 || spec.offset >= spec.steps))
        fail("{}: 'offset' {} must be between 0 and steps - 1 = {}", where, spec.offset, spec.steps - 1);
}

StyleAlignedRequest requestFromSpec(const StableDiffusionModel& model, ImageSetSpec& spec, const cv::Mat& reference,
                                    cv::Mat* fittedReference) {
    validateSpec(spec, "set", !reference.empty());
    if (spec.targets.empty()) fail("the set has no new subjects: add at least one prompt");
    for (const auto& prompt : spec.allPrompts())
        if (prompt.find_first_not_of(" \t\r\n") == std::string::npos)
            fail("{}", reference.empty() ? "a prompt is empty: every image needs one" : "the caption or a prompt is empty");
    const auto paths = model.unet->selfAttentionPaths();
    StyleAlignedRequest request;
    request.generation.prompts = spec.allPrompts();
    request.generation.negativePrompt = spec.negativePrompt;
    request.generation.seeds = spec.seeds;
    request.generation.steps = spec.steps;
    request.generation.guidanceScale = spec.guidance;
    request.generation.height = spec.height;
    request.generation.width = spec.width;
    request.generation = resolveRequest(model, request.generation);
    spec.height = request.generation.height;
    spec.width = request.generation.width;
    spec.seeds = request.generation.seeds;
    request.plan = spec.plan.is_null() ? LayerPlan::paperDefault(paths) : LayerPlan::fromJson(spec.plan, paths, "plan");
    spec.plan = request.plan.toJson();
    request.offset = spec.offset;
    request.inversionGuidance = spec.inversionGuidance;
    if (!reference.empty()) {
        auto fitted = fitImage(reference, spec.width, spec.height);
        request.referenceImage = imageToTensor(fitted);
        if (fittedReference) *fittedReference = fitted;
    }
    return request;
}

nlohmann::json presetPlanJson(const std::string& preset) {
    return {{"format", "stylealigned-layer-plan"}, {"version", 1}, {"preset", preset}};
}

std::string defaultPreset(bool withReferenceImage) { return withReferenceImage ? "transfer" : "paper"; }

namespace {
bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
}  // namespace

std::string styleWords(const std::string& caption) {
    const auto comma = caption.find(',');
    if (comma == std::string::npos) return "";
    auto style = caption.substr(comma + 1);
    while (!style.empty() && (style.back() == '.' || isSpace(style.back()))) style.pop_back();
    while (!style.empty() && isSpace(style.front())) style.erase(0, 1);
    return style;
}

std::vector<std::string> styledPrompts(const std::vector<std::string>& subjects, const std::string& style) {
    std::vector<std::string> out;
    for (auto subject : subjects) {
        while (!subject.empty() && isSpace(subject.back())) subject.pop_back();
        if (!style.empty() && subject.find(style) == std::string::npos) subject += ", " + style + ".";
        out.push_back(subject);
    }
    return out;
}

std::vector<uint64_t> consecutiveSeeds(uint64_t seed, size_t images) {
    std::vector<uint64_t> seeds;
    for (size_t i = 0; i < images; ++i) seeds.push_back(seed + i);
    return seeds;
}

}  // namespace sa
