#pragma once
// The sets stylealigned-eval measures (app/eval.cpp): what each set asks for, its reference image,
// and the five runs of the paper's table; and the demo judge's measures.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "core/data/procedural_dataset.h"
#include "core/eval/judge.h"
#include "core/style/layer_plan.h"
#include "core/models/blip_captioner.h"
#include "core/pipeline/set_request.h"
#include "core/pipeline/stable_diffusion_model.h"

namespace sa {

struct EvalSet {
    std::vector<std::string> prompts;   // reference first, then the 4 targets, style words included
    std::vector<std::string> subjects;  // the 4 targets' subjects without the style words (CLIP text score)
    std::vector<int> subjectIds;        // demo model: the data set's subject of each image (judge)
    torch::Tensor referenceImage;       // [1, 3, H, W] in [-1, 1]: the image-mode reference
    std::string referenceCaption;       // its caption (the inversion prompt)
    int referenceStyle = -1, referenceLook = -1;  // demo: the drawn style and look of referenceImage
    uint64_t seed = 0;
};

// What the judge said of one target, and the reference it was held against.
struct JudgedTarget {
    int referenceStyle = 0, referenceLook = 0;
    int style = 0, look = 0;  // the target's, as judged
    bool subjectRight = false, lookAgrees = false, styleAgrees = false;
    double similarity = 0;  // style-descriptor cosine target ↔ reference
};

// A proportion with its 95 % Wilson score interval.
struct Proportion {
    int hits = 0, total = 0;
    std::string str() const;  // "62.5 % [47.1, 75.8]"
};

// The judge's measures of one method over all sets (demo model). Every target is scored against
// an explicit reference: the set's own image 0 in text mode, the dropped image's drawn look in
// image mode (for plain generation too, so both rows answer "does the set take this image's look").
struct JudgeScore {
    std::string name;
    bool verbose = false;  // one line per set: each image's judged subject, style and look
    std::vector<JudgedTarget> targets;
    // images [5, 3, H, W] in [0, 1]; targets are images 1…4. `reference`: the verdict (style, look)
    // and style descriptor [D] they are held against.
    void add(Judge& judge, const torch::Tensor& images, const std::vector<int>& subjects,
             const JudgeVerdict& reference, const torch::Tensor& referenceDescriptor);
    // " n | a | b | c | d |" over the targets whose reference look passes `keep`.
    std::string row(const std::function<bool(const JudgedTarget&)>& keep) const;
};
// Each style's favourite look: the one plain generation draws most often among `plain`'s targets
// judged in that style. Index by style; -1 for a style never drawn.
std::vector<int> favouriteLooks(const JudgeScore& plain, int styles, int looks);

// PSNR in dB of two images in [0, 1] of the same size.
double psnr(const torch::Tensor& a, const torch::Tensor& b);

// How a mode's sets are made (the CLI's options; defaults as the CLI's).
struct ModeSettings {
    std::optional<LayerPlan> plan;  // none: the CLI's default preset for the mode
    std::optional<double> guidance;  // none: the mode's defaultGuidance
};
// From the reference image: also the inversion's settings.
struct ImageModeSettings : ModeSettings {
    double inversionGuidance = defaultInversionGuidance();
    int offset = 5;
};

// Which methods a run makes: all, or plain generation and one mode (to tune that mode).
enum class EvalMethods { All, PlainAndText, PlainAndImage };

class EvalSets {
public:
    // The demo model (its folder has judge/) gets the procedural data set's subjects and styles;
    // any other model a fixed list of styles and subjects.
    EvalSets(std::shared_ptr<StableDiffusionModel> model, const std::filesystem::path& folder, uint64_t seed);

    Judge* judge() { return judge_ ? &*judge_ : nullptr; }
    // Set k. Without the demo's data set the reference image is the model's plain image of the
    // reference prompt, captioned by `captioner` when given (else its prompt is its caption).
    EvalSet at(int k, int steps, double guidance, BlipCaptioner* captioner);
    // Plain, StyleAligned from text, from the reference image, no AdaIN, full attention sharing (the
    // ablations change the text mode's plan): each [5, 3, H, W] in [0, 1], reference first; those
    // `methods` leaves out are undefined. Plain generation runs at the text mode's guidance.
    std::vector<torch::Tensor> run(const EvalSet& set, int steps, const ModeSettings& text = {},
                                   const ImageModeSettings& image = {}, EvalMethods methods = EvalMethods::All);
    // Which look plain generation draws per style (demo model).
    void printLookHistogram(int perStyle, int steps, double guidance);
    // The judge on `count` held-out data-set pictures as drawn and after the model's VAE round trip
    // (encode, decode: what every generated picture goes through): how often it names the drawn
    // look, overall and for the look it names worst after the round trip (demo model).
    void printVaeRoundTrip(int count);

private:
    std::shared_ptr<StableDiffusionModel> model_;
    std::optional<Judge> judge_;
    std::optional<data::ProceduralDataset> heldOut_;  // demo: the reference images
    uint64_t seed_;
};

}  // namespace sa
