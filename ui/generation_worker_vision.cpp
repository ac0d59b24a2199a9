// GenerationWorker: the Models page's vision models (issue 12) — loading a BLIP captioner, a CLIP
// and a DINO folder, captioning references, and the paper's measures of a finished set.
#include "ui/generation_worker.h"

#include "core/common/runtime.h"
#include "core/eval/judge.h"
#include "core/eval/vision_metrics.h"
#include "core/models/blip_captioner.h"
#include "core/models/hub_folder.h"
#include "core/pipeline/set_request.h"

namespace sa::ui {

void GenerationWorker::loadVisionModel(VisionRole role, const QString& folder, const QString& device) {
    VisionModelInfo info{.role = role, .folder = folder};
    // The role's previous model goes first: a folder that fails leaves the role empty, as the
    // Models page shows it, rather than a model the page no longer names.
    switch (role) {
        case VisionRole::Captioner: captioner_.reset(); break;
        case VisionRole::Clip: clip_.reset(); break;
        case VisionRole::Dino: dino_.reset(); break;
    }
    if (folder.isEmpty()) return emit visionModelChanged(info);
    const std::filesystem::path path = folder.toStdString();
    info.holds = QString::fromStdString(describeModelFolder(path));
    try {
        configureRuntime(0);
        const auto target = selectDevice(device.toStdString());
        switch (role) {
            case VisionRole::Captioner: captioner_ = BlipCaptioner::load(path, target); break;
            case VisionRole::Clip:
                clip_ = ClipScorer::load(path, target);
                info.textTower = clip_->hasTextTower();
                break;
            case VisionRole::Dino: dino_ = DinoEmbedder::load(path, target); break;
        }
        info.loaded = true;
    } catch (const std::exception& e) {
        info.error = QString::fromUtf8(e.what());
    }
    emit visionModelChanged(info);
}

void GenerationWorker::caption(const cv::Mat& image) {
    try {
        if (judge_) return emit captioned(QString::fromStdString(judge_->caption(image)), {});
        if (!captioner_)
            fail("this model has no captioner: type what the reference shows and its style, or choose a BLIP captioner "
                 "in Settings ▸ Models");
        const auto text = captioner_->caption(image, "", captioner_->defaults(), &captionCancel_);
        emit captioned(QString::fromStdString(text), QString::fromStdString(captioner_->folder().string()));
    } catch (const Cancelled&) {
        emit captionFailed({});
    } catch (const std::exception& e) {
        emit captionFailed(QString::fromUtf8(e.what()));
    }
}

SetMeasures GenerationWorker::measure(const SetResult& set, const std::vector<std::string>& subjects) {
    SetMeasures measures;
    try {
        const std::vector<cv::Mat> targets(set.images.begin() + 1, set.images.end());
        // Text alignment: each new image against its subject alone, without the style words.
        if (clip_ && clip_->hasTextTower() && !targets.empty() && subjects.size() == targets.size()) {
            const auto scores = clip_->textScores(targets, subjects);
            double sum = 0;
            for (double s : scores) sum += s;
            measures.clipTextScore = sum / static_cast<double>(scores.size());
        }
        // Set consistency: every pair of the set's images, the reference included.
        if (dino_ && set.images.size() >= 2) measures.dinoConsistency = meanPairwiseCosine(dino_->embed(set.images));
    } catch (const std::exception& e) {
        measures.error = QString::fromUtf8(e.what());
    }
    return measures;
}

}  // namespace sa::ui
