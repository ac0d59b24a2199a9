#pragma once
// The studio's one door into core (DESIGN §1): a QObject on its own thread that loads models,
// captions references and runs style-aligned sets, reporting by queued signals. Every public
// slot is meant to be invoked through a queued connection; cancel() and setProbePoint() are
// safe to call directly from the GUI thread.
#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

#include <QObject>
#include <QThread>

#include "core/common/cancel.h"
#include "ui/studio_types.h"

namespace sa {
struct StableDiffusionModel;
class BlipCaptioner;
class ClipScorer;
class DinoEmbedder;
class Judge;
class ReferenceCache;
class LivePoints;
class ControlNetCache;
struct StyleAlignedRequest;
}  // namespace sa

namespace sa::ui {

class GenerationWorker : public QObject {
    Q_OBJECT
public:
    GenerationWorker();
    ~GenerationWorker() override;

    // Cancels a run, a model load and a caption (closing the window).
    void cancel() {
        cancel_.cancel();
        loadCancel_.cancel();
        captionCancel_.cancel();
    }
    void cancelLoad() { loadCancel_.cancel(); }
    // Called on the GUI thread right before a load is queued (as beginRun() for a run).
    void beginLoad() { loadCancel_.reset(); }
    // Called on the GUI thread right before a generation is queued: a cancel that comes while
    // the request still waits in the queue is then not lost.
    void beginRun() { cancel_.reset(); }
    void beginCaption() { captionCancel_.reset(); }
    // The query point (x, y in [0, 1] of a target) whose attention over the reference the
    // overlays show; takes effect at the next step of a running generation.
    void setProbePoint(float x, float y);
    void clearProbePoint();

public slots:
    // A diffusers folder or a single-file checkpoint (then with `options`). The model in use is
    // replaced only when the new one loaded: after a failure or a cancel the old one goes on.
    void loadModel(const QString& path, const QString& device, const sa::ui::CheckpointOptions& options);
    // The model's judge (the demo model) captions, else the Models page's BLIP captioner.
    void caption(const cv::Mat& image);
    void generate(const sa::ui::StudioRequest& request);
    // A folder of the Models page (ui/generation_worker_vision.cpp); "" clears the role. A folder
    // that does not load leaves the role empty and says why.
    void loadVisionModel(sa::ui::VisionRole role, const QString& folder, const QString& device);
    void clearCache();
    // Reads a LoRA file for the loaded model and checks it whole (family, keys, shapes) without
    // attaching it (ui/generation_worker_adapters.cpp); answers with loraChecked.
    void checkLora(const QString& file);

signals:
    void modelLoaded(const sa::ui::ModelInfo& info);
    void modelFailed(const QString& path, const QString& message);
    void modelLoadCancelled(const QString& path);
    // Loading progress in [0, 1] and the part being loaded (core's words: "UNet (model.diffusion_model.*, …)"),
    // at most ~20 a second.
    void loadProgress(double fraction, const QString& what);
    // `captioner`: the BLIP folder that captioned, "" for the model's judge.
    void captioned(const QString& caption, const QString& captioner);
    void captionFailed(const QString& message);
    void runStarted(const sa::ui::RunInfo& info);
    void stepped(const sa::ui::StepUpdate& update);
    void finished(const sa::ui::SetResult& result);
    // After finished(), when the Models page sets CLIP or DINO: the set's measures.
    void measured(const sa::ui::SetMeasures& measures);
    void visionModelChanged(const sa::ui::VisionModelInfo& info);
    void loraChecked(const sa::ui::LoraCheck& check);
    void failed(const QString& message);
    void cancelled();

private:
    void publishPoints();  // pointsMutex_ held
    SetMeasures measure(const SetResult& set, const std::vector<std::string>& subjects);
    // The set's LoRAs onto the model (weights set in place) and its ControlNet into `request`, as
    // the CLI does (core/pipeline/set_adapters.h); returns what was adapted, for the user.
    std::vector<std::string> applyAdapters(const StudioRequest& studio, const ImageSetSpec& spec,
                                           StyleAlignedRequest& request);
    // A panorama set: every target a panorama beside the shared square reference, previews of the
    // whole panorama in its tile, progress over all of them.
    void generatePanoramas(const StudioRequest& studio, SetResult& out, const StyleAlignedRequest& request,
                           std::vector<std::string> notes, std::chrono::steady_clock::time_point started);

    std::shared_ptr<StableDiffusionModel> model_;
    std::unique_ptr<Judge> judge_;
    // The Models page's optional vision models (any may be null).
    std::shared_ptr<BlipCaptioner> captioner_;
    std::shared_ptr<ClipScorer> clip_;
    std::shared_ptr<DinoEmbedder> dino_;
    std::unique_ptr<ReferenceCache> cache_;
    std::unique_ptr<ControlNetCache> controlNets_;  // the ControlNet in use, loaded once per model
    std::shared_ptr<LivePoints> points_;  // what the probe reads: the user's point, + a grid at the last step
    std::mutex pointsMutex_;
    std::optional<std::array<float, 2>> userPoint_;
    bool gridActive_ = false;
    CancelToken cancel_;
    CancelToken loadCancel_;
    CancelToken captionCancel_;
};

// The worker's thread: owns the worker, quits and joins on destruction (after cancelling).
class WorkerThread {
public:
    WorkerThread();
    ~WorkerThread();
    void stop();  // cancels the run and joins the thread; later requests are ignored
    GenerationWorker* worker() const { return worker_; }

private:
    QThread thread_;
    GenerationWorker* worker_;
};

}  // namespace sa::ui
