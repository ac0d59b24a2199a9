#pragma once
// The sets stylealigned-eval measures (app/eval.cpp): what each set asks for, its reference image,
// and the five runs of the paper's table; and the demo judge's measures.
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "core/data/procedural_dataset.h"
#include "core/eval/judge.h"
#include "core/models/blip_captioner.h"
#include "core/pipeline/stable_diffusion_model.h"

namespace sa {

struct EvalSet {
    std::vector<std::string> prompts;   // reference first, then the 4 targets, style words included
    std::vector<std::string> subjects;  // the 4 targets' subjects without the style words (CLIP text score)
    std::vector<int> subjectIds;        // demo model: the data set's subject of each image (judge)
    torch::Tensor referenceImage;       // [1, 3, H, W] in [-1, 1]: the image-mode reference
    std::string referenceCaption;       // its caption (the inversion prompt)
    uint64_t seed = 0;
};

// The judge's measures of the demo model (subject accuracy, style agreement with the reference).
struct JudgeScore {
    int subjectsRight = 0, looksAgree = 0, stylesAgree = 0, targets = 0;
    double similarity = 0;  // sum of style-descriptor cosines target ↔ reference
    std::string name;
    bool verbose = false;   // one line per set: each image's judged subject, style and look
    void add(Judge& judge, const torch::Tensor& images, const std::vector<int>& subjects);
    std::string row() const;  // " a % | b % | c % | d |"
};

class EvalSets {
public:
    // The demo model (its folder has judge/) gets the procedural data set's subjects and styles;
    // any other model a fixed list of styles and subjects.
    EvalSets(std::shared_ptr<StableDiffusionModel> model, const std::filesystem::path& folder, uint64_t seed);

    Judge* judge() { return judge_ ? &*judge_ : nullptr; }
    // Set k. Without the demo's data set the reference image is the model's plain image of the
    // reference prompt, captioned by `captioner` when given (else its prompt is its caption).
    EvalSet at(int k, int steps, double guidance, BlipCaptioner* captioner);
    // Plain, StyleAligned from text, from the reference image, no AdaIN, full attention sharing:
    // each [5, 3, H, W] in [0, 1], reference first.
    std::vector<torch::Tensor> run(const EvalSet& set, int steps, double guidance);
    // Which look plain generation draws per style (demo model).
    void printLookHistogram(int perStyle, int steps, double guidance);

private:
    std::shared_ptr<StableDiffusionModel> model_;
    std::optional<Judge> judge_;
    std::optional<data::ProceduralDataset> heldOut_;  // demo: the reference images
    uint64_t seed_;
};

}  // namespace sa
