#pragma once
// StyleAligned Studio's main window: reference and subjects on the left, the set in the middle,
// the layer plan and the attention overlays on the right. Widgets only render and report; the
// GenerationWorker (on its own thread) does the work.
#include <memory>
#include <optional>

#include <QElapsedTimer>
#include <QMainWindow>
#include <QTimer>
#include <QTranslator>

#include "ui/checkpoint_options.h"
#include "ui/generation_worker.h"
#include "ui/overlay_panel.h"
#include "ui/settings.h"

class QAction;
class QComboBox;
class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QDragEnterEvent;
class QDropEvent;
class QMenu;
class QMessageBox;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QSplitter;
class QTabWidget;
class QToolButton;

namespace sa::ui {

class ReferencePane;
class SubjectList;
class ResultsGrid;
class LayerPlanPanel;
class ChartsPanel;
class ModelsDialog;
class AdaptersPanel;

// A random seed in [0, 10⁹) for the seed box and re-rolls.
uint64_t randomSeed();

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(std::unique_ptr<Settings> settings = std::make_unique<Settings>(), QWidget* parent = nullptr);
    ~MainWindow() override;

    // What Generate would send now (also what tests inspect).
    StudioRequest currentRequest() const;
    bool isRunning() const { return running_; }
    bool isModelReady() const { return modelReady_; }
    bool isLoadingModel() const { return loading_; }
    QString modelPath() const { return loadedFolder_; }  // the model the worker holds
    const std::optional<SetResult>& lastResult() const { return lastResult_; }
    QString lastError() const { return lastError_; }
    double worstStallMs() const { return worstStallMs_; }
    const OverlayStore& overlays() const { return overlays_; }

    ReferencePane* referencePane() const { return reference_; }
    SubjectList* subjectList() const { return subjects_; }
    LayerPlanPanel* layerPlanPanel() const { return plan_; }
    OverlayPanel* overlayPanel() const { return overlayPanel_; }
    ResultsGrid* resultsGrid() const { return grid_; }
    ChartsPanel* chartsPanel() const { return charts_; }
    AdaptersPanel* adaptersPanel() const { return adapters_; }
    ModelsDialog* modelsDialog() const { return modelsDialog_; }
    // What the worker made of the Models page's folder for `role`.
    const VisionModelInfo& visionModel(VisionRole role) const { return vision_[static_cast<size_t>(role)]; }
    GenerationWorker* worker() const { return thread_->worker(); }
    QSpinBox* stepsBox() const { return steps_; }
    QSpinBox* seedBox() const { return seed_; }
    QString vaeTiling() const { return vaeTiling_; }  // "auto", "on", "off": Settings ▸ VAE Tiling

public slots:
    // A diffusers folder or a single-file checkpoint (with the options remembered for it, or the
    // given ones). The model in use stays until the new one has loaded.
    void loadModel(const QString& path);
    void loadModel(const QString& path, const sa::ui::CheckpointOptions& options);
    void generate();
    void cancel();
    bool exportSetTo(const QString& folder);
    bool openSet(const QString& setJson);
    void setLanguage(const QString& language);  // "", "en", "ko"
    void setVaeTiling(const QString& mode);     // "auto", "on", "off" (remembered)
    void showTab(int index);                    // 0 = layer plan, 1 = attention, 2 = adapters
    // A folder of the Models page ("" = none): remembered, then loaded on the worker.
    void setVisionModel(sa::ui::VisionRole role, const QString& folder);

signals:
    void generationRequested(const sa::ui::StudioRequest& request);
    void modelRequested(const QString& path, const QString& device, const sa::ui::CheckpointOptions& options);
    void captionRequested(const cv::Mat& image);
    void visionModelRequested(sa::ui::VisionRole role, const QString& folder, const QString& device);
    void loraCheckRequested(const QString& file);
    void runEnded();  // finished, cancelled or failed

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildUi();
    void buildMenus();
    void retranslate();
    void connectWorker();
    void restoreSettings();
    void startRun(bool newSeedUnlessLocked);
    void setRunning(bool running);
    void showError(const QString& title, const QString& message);
    QMessageBox* errorBox(const QString& title, const QString& message);  // shown, window-modal, deletes itself
    QStringList gridTitles(const ImageSetSpec& spec) const;  // "Reference", then the target prompts
    void resetGrid(const StudioRequest& request);
    void refreshOverlays();
    // Models (ui/main_window_model.cpp).
    void onModelLoaded(const ModelInfo& info);
    void onLoadProgress(double fraction, const QString& what);
    void onModelFailed(const QString& path, const QString& message);
    void onModelLoadCancelled(const QString& path);
    void keepLoadedModel();  // after a failed or cancelled load: back to the model the worker holds
    void setLoading(bool loading);
    bool startPendingLoad();  // the request that replaced the load just ended, if any
    void updateActions();    // what is enabled, from running_ / loading_ / modelReady_
    void refreshModelChooser();
    bool acceptModelDrop(QDropEvent* event);  // drag enter, move and drop: a checkpoint or a folder
    void openCheckpointDialog();
    // The options of a single file ("": choose one first), then a load with them.
    void checkpointOptionsDialog(const QString& file, const std::optional<CheckpointOptions>& start = {});
    // Vision models, captions and measures (ui/main_window_vision.cpp).
    void onVisionModelChanged(const VisionModelInfo& info);
    bool captionerAvailable() const;  // the model's judge, or a BLIP captioner
    void requestCaption(const cv::Mat& image);
    void captionIfEmpty();  // a reference without a caption, once a captioner is there
    void onCaptioned(const QString& caption, const QString& captioner);
    void onMeasured(const SetMeasures& measures);
    void refreshMetricsNote();
    // Adapters (ui/main_window_adapters.cpp).
    void connectAdapters();
    void restoreAdapterSettings();
    void onLoraChecked(const LoraCheck& check);
    void refreshAdapterTitles();  // the control rows' titles: "Reference", then the subjects
    QList<double> tileAspects(const ImageSetSpec& spec) const;  // what each tile of a run will show
    void onRunStarted(const RunInfo& info);
    void onStep(const StepUpdate& update);
    void onFinished(const SetResult& result);
    void onRunAborted(const QString& message);
    void showResult(const SetResult& result);
    void onPointPicked(int index, QPointF point);
    void rerollImage(int index);
    void useImageAsReference(int index);
    void saveImage(int index);
    void enlargeImage(int index);
    void exportSetDialog();
    void exportSelectedDialog();
    void openSetDialog();
    void chooseModelDialog();
    void loadPlanDialog();
    void savePlanDialog();

    // Chooser entries that are actions, not models (their item data).
    static constexpr const char* kOpenCheckpointItem = ":open-checkpoint";
    static constexpr const char* kOpenFolderItem = ":open-folder";

    std::unique_ptr<Settings> settings_;
    std::unique_ptr<WorkerThread> thread_;
    QTranslator translator_;

    ReferencePane* reference_;
    SubjectList* subjects_;
    ResultsGrid* grid_;
    LayerPlanPanel* plan_;
    OverlayPanel* overlayPanel_;
    ChartsPanel* charts_;
    AdaptersPanel* adapters_;
    ModelsDialog* modelsDialog_;
    QSplitter* splitter_;
    QTabWidget* tabs_;
    QComboBox* model_;
    QSpinBox *seed_, *steps_, *offset_;
    QDoubleSpinBox* guidance_;
    QCheckBox* lockSeed_;
    QToolButton* randomSeed_;
    QPushButton *generate_, *cancel_;
    QProgressBar* progress_;
    QLabel *modelStatus_, *modelNotes_;  // the status line: what was loaded, and what the loader assumed
    QLabel *eta_, *modelLabel_, *seedLabel_, *stepsLabel_, *guidanceLabel_, *offsetLabel_, *runSummary_;
    QMenu *fileMenu_, *runMenu_, *viewMenu_, *languageMenu_, *settingsMenu_, *helpMenu_;
    QAction *openReference_, *pasteReference_, *openSet_, *exportSet_, *exportSelected_, *chooseModel_, *openCheckpoint_,
        *checkpointOptions_, *loadPlan_,
        *savePlan_, *quit_, *generateAction_, *cancelAction_, *randomizeAction_, *about_, *langSystem_, *langEnglish_,
        *langKorean_, *models_;
    QMenu* vaeTilingMenu_;
    QAction *tilingAuto_, *tilingOn_, *tilingOff_;
    QString vaeTiling_ = "auto";

    QString modelFolder_;   // the model in use or being loaded (a folder or a single file)
    QString loadedFolder_;  // the model the worker holds
    CheckpointOptions loadingOptions_;  // those of the load under way (or the last one)
    int modelWidth_ = 0, modelHeight_ = 0;  // the loaded model's default image size
    struct PendingLoad {
        QString path;
        CheckpointOptions options;
    };
    std::optional<PendingLoad> pendingLoad_;
    bool modelReady_ = false, running_ = false, loading_ = false, pointIsLive_ = false, modelHasCaptioner_ = false;
    std::optional<QPointF> point_;
    int pointTarget_ = -1;
    std::array<VisionModelInfo, 3> vision_;  // by VisionRole
    std::optional<SetResult> lastResult_;
    std::map<int, uint64_t> seedOverrides_;  // image index → seed (re-rolled images)
    RunInfo runInfo_;
    OverlayStore overlays_;      // the maps shown (the running set's, or the last finished one's)
    OverlayStore lastOverlays_;  // the last finished set's
    // Settings of an opened set that have no control in the window (kept for its re-runs).
    struct SetExtras {
        std::string negativePrompt;
        double inversionGuidance = ImageSetSpec{}.inversionGuidance;  // defaultInversionGuidance()
        int vaeTileSize = 0;
        // The set's prompts verbatim while its caption and subjects stand as opened: the caption
        // fields do not keep every character of a prompt (a CLI set's "…, watercolor style." loses
        // its full stop; unstyled targets would get the style appended).
        QString caption;
        QStringList subjects;
        std::string referencePrompt;
        std::vector<std::string> targets;
    } setExtras_;
    QString lastError_;
    std::optional<nlohmann::json> pendingPlan_;  // a plan from an opened set, applied once its model is loaded

    // Event-loop stall meter: a 10 ms timer; the longest gap between its ticks during a run.
    QTimer stallTimer_;
    QElapsedTimer stallClock_;
    qint64 lastTick_ = 0;
    double worstStallMs_ = 0;
};

}  // namespace sa::ui
