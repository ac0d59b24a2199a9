#pragma once
// The studio's one door into core (DESIGN §1): a QObject on its own thread that loads models,
// captions references and runs style-aligned sets, reporting by queued signals. Every public
// slot is meant to be invoked through a queued connection; cancel() and setProbePoint() are
// safe to call directly from the GUI thread.
#include <array>
#include <memory>
#include <mutex>
#include <optional>

#include <QObject>
#include <QThread>

#include "core/common/cancel.h"
#include "ui/studio_types.h"

namespace sa {
struct StableDiffusionModel;
class Judge;
class ReferenceCache;
class LivePoints;
}  // namespace sa

namespace sa::ui {

class GenerationWorker : public QObject {
    Q_OBJECT
public:
    GenerationWorker();
    ~GenerationWorker() override;

    // Cancels a run and a model load (closing the window).
    void cancel() {
        cancel_.cancel();
        loadCancel_.cancel();
    }
    void cancelLoad() { loadCancel_.cancel(); }
    // Called on the GUI thread right before a load is queued (as beginRun() for a run).
    void beginLoad() { loadCancel_.reset(); }
    // Called on the GUI thread right before a generation is queued: a cancel that comes while
    // the request still waits in the queue is then not lost.
    void beginRun() { cancel_.reset(); }
    // The query point (x, y in [0, 1] of a target) whose attention over the reference the
    // overlays show; takes effect at the next step of a running generation.
    void setProbePoint(float x, float y);
    void clearProbePoint();

public slots:
    // A diffusers folder or a single-file checkpoint (then with `options`). The model in use is
    // replaced only when the new one loaded: after a failure or a cancel the old one goes on.
    void loadModel(const QString& path, const QString& device, const sa::ui::CheckpointOptions& options);
    void caption(const cv::Mat& image);
    void generate(const sa::ui::StudioRequest& request);
    void clearCache();

signals:
    void modelLoaded(const sa::ui::ModelInfo& info);
    void modelFailed(const QString& path, const QString& message);
    void modelLoadCancelled(const QString& path);
    // Loading progress in [0, 1] and the part being loaded (core's words: "UNet (model.diffusion_model.*, …)"),
    // at most ~20 a second.
    void loadProgress(double fraction, const QString& what);
    void captioned(const QString& caption);
    void captionFailed(const QString& message);
    void runStarted(const sa::ui::RunInfo& info);
    void stepped(const sa::ui::StepUpdate& update);
    void finished(const sa::ui::SetResult& result);
    void failed(const QString& message);
    void cancelled();

private:
    void publishPoints();  // pointsMutex_ held

    std::shared_ptr<StableDiffusionModel> model_;
    std::unique_ptr<Judge> judge_;
    std::unique_ptr<ReferenceCache> cache_;
    std::shared_ptr<LivePoints> points_;  // what the probe reads: the user's point, + a grid at the last step
    std::mutex pointsMutex_;
    std::optional<std::array<float, 2>> userPoint_;
    bool gridActive_ = false;
    CancelToken cancel_;
    CancelToken loadCancel_;
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
