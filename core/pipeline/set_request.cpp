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
    parseVaeTilingMode(spec.vaeTiling, fmt::format("{}: 'vae_tiling'", where));
    if (spec.vaeTileSize < 0)
        fail("{}: 'vae_tile_size' must be positive, or 0 for the VAE's sample_size (got {})", where, spec.vaeTileSize);
    for (size_t i = 0; i < spec.loras.size(); ++i) {
        if (spec.loras[i].file.empty()) fail("{}: 'loras[{}].file' is empty", where, i);
        if (!std::isfinite(spec.loras[i].weight))
            fail("{}: 'loras[{}].weight' must be a finite number (got {})", where, i, spec.loras[i].weight);
    }
    if (const auto& c = spec.control) {
        if (c->model.empty()) fail("{}: 'control.model' is empty: name the ControlNet folder", where);
        if (c->kind != "canny" && c->kind != "map") fail("{}: 'control.kind' must be canny or map (got '{}')", where, c->kind);
        if (c->mode != "every-image" && c->mode != "targets-only")
            fail("{}: 'control.mode' must be every-image or targets-only (got '{}')", where, c->mode);
        const size_t images = spec.targets.size() + 1;
        if (c->images.size() != 1 && c->images.size() != images)
            fail("{}: 'control.images' has {} entries: give one control image for every image, or one per image "
                 "({}, the reference first)", where, c->images.size(), images);
        for (const auto& [field, value] : {std::pair{"low", c->low}, {"high", c->high}, {"scale", c->scale}})
            if (!std::isfinite(value) || value < 0)
                fail("{}: 'control.{}' must be a finite number ≥ 0 (got {})", where, field, value);
        if (c->low > c->high) fail("{}: 'control.low' {} is above 'control.high' {}", where, c->low, c->high);
        if (!(c->start >= 0 && c->start < c->end && c->end <= 1))
            fail("{}: 'control.start' and 'control.end' must satisfy 0 ≤ start < end ≤ 1 (got {} and {})", where,
                 c->start, c->end);
    }
    if (const auto& p = spec.panorama) {
        if (p->width <= 0) fail("{}: 'panorama.width' must be positive (got {})", where, p->width);
        if (p->window < 0 || p->stride < 0)
            fail("{}: 'panorama.window' and 'panorama.stride' must be positive, or 0 for the model's defaults", where);
        if (p->viewBatch < 1) fail("{}: 'panorama.view_batch' must be at least 1 (got {})", where, p->viewBatch);
        if (spec.control)
            fail("{}: a panorama cannot be steered by a ControlNet (the reference code's panorama_call has no control); "
                 "remove one of the two", where);
        if (withReferenceImage)
            fail("{}: a panorama takes its reference from text (the first prompt), as the reference code's "
                 "panorama_call does; remove the reference image or the panorama", where);
    }
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
    request.generation.vaeTiling = {.mode = parseVaeTilingMode(spec.vaeTiling, "set: 'vae_tiling'"),
                                    .tileSize = spec.vaeTileSize};
    if (model.vae && request.generation.vaeTiling.mode != VaeTilingMode::Off)
        vaeTileGeometry(model.vae->config(), request.generation.vaeTiling);  // a tile size that does not fit: now
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

std::string defaultPreset(bool withReferenceImage) { return withReferenceImage ? "transfer" : "attention-only"; }

double defaultGuidance(bool withReferenceImage) { return withReferenceImage ? 10.0 : 7.5; }

double defaultInversionGuidance() { return ImageSetSpec{}.inversionGuidance; }

namespace {
bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
}  // namespace

namespace {

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '.' || isSpace(text.back()))) text.pop_back();
    while (!text.empty() && isSpace(text.front())) text.erase(0, 1);
    return text;
}

bool startsWithWord(const std::string& text, const std::string& word) {
    return text.rfind(word, 0) == 0 && (text.size() == word.size() || isSpace(text[word.size()]));
}

// Nouns that name how an image was made. "picture", "image", "photo" alone name no style.
const char* const kMedia[] = {"painting", "drawing", "sketch", "illustration", "cartoon", "watercolor", "watercolour",
                              "photograph", "photo", "print", "engraving", "etching", "woodcut", "poster", "rendering",
                              "render", "mosaic", "sculpture", "doodle", "comic", "anime", "pixel art", "oil painting",
                              "portrait", "graphic", "vector art", "digital art", "artwork", "collage", "tapestry"};
const char* const kNoStyle[] = {"picture", "image", "photo", "photograph", "close up", "closeup", "view"};

// "a watercolor painting of a fox": the words between the article and " of ", when they end in a medium.
bool splitMediumFirst(const std::string& caption, CaptionParts& parts) {
    std::string rest = caption;
    for (const char* article : {"a", "an", "the"})
        if (startsWithWord(rest, article)) {
            rest = trimmed(rest.substr(std::string(article).size()));
            break;
        }
    const auto of = rest.find(" of ");
    if (of == std::string::npos) return false;
    const std::string head = rest.substr(0, of);
    bool medium = false;
    for (const char* m : kMedia) {
        const std::string word = m;
        medium = medium || (head.size() >= word.size() && head.compare(head.size() - word.size(), word.size(), word) == 0);
    }
    bool plain = false;
    for (const char* word : kNoStyle) plain = plain || head == word;
    if (!medium && !plain) return false;
    parts.subject = trimmed(rest.substr(of + 4));
    parts.style = plain ? "" : head;
    return !parts.subject.empty();
}

// "… in the style of ukiyo-e", "… in watercolor": a trailing phrase naming a medium or a style.
bool splitStyleLast(const std::string& caption, CaptionParts& parts) {
    for (const char* marker : {" in the style of ", " in a style of ", " in style of "}) {
        const auto at = caption.rfind(marker);
        if (at != std::string::npos && at > 0) {
            parts = {trimmed(caption.substr(0, at)), "in the style of " + trimmed(caption.substr(at + std::string(marker).size()))};
            return true;
        }
    }
    const auto at = caption.rfind(" in ");
    if (at == std::string::npos || at == 0) return false;
    const std::string tail = trimmed(caption.substr(at + 4));
    for (const char* m : kMedia)
        if (tail == m || tail == std::string("a ") + m || tail == std::string(m) + " style") {
            parts = {trimmed(caption.substr(0, at)), tail};
            return true;
        }
    return false;
}

}  // namespace

CaptionParts splitCaption(const std::string& captionIn) {
    const std::string caption = trimmed(captionIn);
    CaptionParts parts;
    if (const auto comma = caption.find(','); comma != std::string::npos) {
        parts = {trimmed(caption.substr(0, comma)), trimmed(caption.substr(comma + 1))};
        if (!parts.style.empty()) return parts;
    }
    if (splitMediumFirst(caption, parts) || splitStyleLast(caption, parts)) return parts;
    return {caption, ""};
}

std::string styleWords(const std::string& caption) { return splitCaption(caption).style; }

std::string joinCaption(const CaptionParts& parts) {
    const auto subject = trimmed(parts.subject), style = trimmed(parts.style);
    if (style.empty()) return subject;
    if (subject.empty()) return style;
    return subject + ", " + style;
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
