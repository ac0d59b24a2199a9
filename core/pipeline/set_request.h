#pragma once
// From a set description (set.json, shared by the CLI and the studio) to the pipeline's request,
// so that both front ends build exactly the same run from the same settings.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/io/image_set.h"
#include "core/pipeline/style_aligned_pipeline.h"

namespace sa {

// Resolves `spec` against the model (size, seeds, plan → explicit per-layer JSON) and builds
// the request. `reference` (RGB8, any size) is fitted to the set's size; empty: text mode.
// `fittedReference` receives the fitted image (what the set is generated from).
StyleAlignedRequest requestFromSpec(const StableDiffusionModel& model, ImageSetSpec& spec, const cv::Mat& reference,
                                    cv::Mat* fittedReference = nullptr);

// Checks the spec's numbers without the model (so a front end can refuse a bad set.json before
// loading anything): steps ≥ 1, finite guidance and inversion guidance, sizes ≥ 0 (0: the
// model's default), seeds one per image, with a reference image 0 ≤ offset < steps, VAE tiling
// auto / on / off and a tile size ≥ 0 (whether it fits the VAE is checked with the model). Throws
// sa::Error "<where>: '<field>' ...", with the set.json field names. What needs the model (size
// multiples, the plan's layers) is checked by requestFromSpec.
void validateSpec(const ImageSetSpec& spec, const std::string& where, bool withReferenceImage);

// The plan a new set starts from: the reference's "transfer" preset with an image, else
// "attention-only" (the reference's SDXL text-to-image arguments: norms not shared). Measured on the
// demo model's 40 sets against "paper" (StyleAlignedArgs' defaults, GroupNorm shared): subjects
// 85.6 % vs 81.2 %, look agreement 88.1 % vs 87.5 % (resources/models/demo/README.md).
nlohmann::json presetPlanJson(const std::string& preset);
std::string defaultPreset(bool withReferenceImage);
// The guidance a new set starts from, CLI and studio alike: 10 with a reference image (the reference
// code's transfer setting: the inverted reference needs the stronger pull toward each new prompt),
// 7.5 from text (diffusers' default).
double defaultGuidance(bool withReferenceImage);
// The inversion guidance a new set starts from (ImageSetSpec's default, where the measurement is cited).
double defaultInversionGuidance();

// A reference's caption split into what the image shows and the style words appended to every
// new subject. The demo's captions put the style after a comma ("a fish, pixel art style.");
// captioners such as BLIP name the medium first ("a watercolor painting of a fox in the snow" →
// subject "a fox in the snow", style "watercolor painting") or last ("a fox in the snow in
// watercolor", "… in the style of ukiyo-e"). A plain "a picture / photo / image of" names no
// style; without any of these forms the whole caption is the subject.
struct CaptionParts {
    std::string subject;
    std::string style;
};
CaptionParts splitCaption(const std::string& caption);
// The style part of splitCaption.
std::string styleWords(const std::string& caption);
// The caption the inversion uses, rebuilt from (possibly edited) parts: "subject, style".
std::string joinCaption(const CaptionParts& parts);

// The target prompts as sent to the model: each subject with ", <style>." appended (when a
// style is known and the subject does not already name it).
std::vector<std::string> styledPrompts(const std::vector<std::string>& subjects, const std::string& style);

// Seeds of a set: one per image, reference first, counting up from `seed`.
std::vector<uint64_t> consecutiveSeeds(uint64_t seed, size_t images);

}  // namespace sa
