// MainWindow: models — opening a diffusers folder or a single-file checkpoint (menu, chooser,
// drops, recent models), loading progress and cancel, the status line, and keeping the model in
// use when a load fails or is cancelled.
#include "ui/main_window.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>

#include "core/pipeline/set_request.h"
#include "ui/adapters_panel.h"
#include "ui/charts_panel.h"
#include "ui/layer_plan_panel.h"
#include "ui/reference_pane.h"
#include "ui/resources.h"

namespace sa::ui {

void MainWindow::loadModel(const QString& path) {
    loadModel(path, isCheckpointFile(path) ? settings_->checkpointOptions(path) : CheckpointOptions{});
}

void MainWindow::loadModel(const QString& path, const CheckpointOptions& options) {
    if (running_) return;  // the chooser and the menus are disabled meanwhile
    if (loading_) {
        // A later request (the command line's --model while the last model loads, an opened
        // set's model) replaces the load under way: it starts once that one has stopped.
        pendingLoad_ = PendingLoad{path, options};
        if (auto* w = worker()) w->cancelLoad();
        return;
    }
    modelReady_ = false;
    modelFolder_ = path;
    loadingOptions_ = options;
    setLoading(true);
    eta_->setText(tr("Loading the model…"));
    statusBar()->showMessage(tr("Loading %1…").arg(QDir::toNativeSeparators(path)));
    if (const int index = model_->findData(path); index >= 0) model_->setCurrentIndex(index);
    if (auto* w = worker()) w->beginLoad();
    emit modelRequested(path, settings_->device(), options);
}

bool MainWindow::startPendingLoad() {
    if (!pendingLoad_) return false;
    const auto next = std::move(*pendingLoad_);
    pendingLoad_.reset();
    setLoading(false);
    loadModel(next.path, next.options);
    return true;
}

void MainWindow::setLoading(bool loading) {
    loading_ = loading;
    progress_->setRange(0, 100);
    progress_->setValue(0);
    if (!loading) eta_->setToolTip({});
    updateActions();
}

void MainWindow::updateActions() {
    const bool busy = running_ || loading_;
    generate_->setEnabled(!busy && modelReady_);
    generateAction_->setEnabled(!busy);
    cancel_->setEnabled(busy);
    cancelAction_->setEnabled(busy);
    cancel_->setToolTip(loading_ ? tr("Stop loading; the model in use stays (Esc).") : tr("Stop the run; the previous set stays (Esc)."));
    model_->setEnabled(!busy);
    for (auto* a : {chooseModel_, openCheckpoint_, checkpointOptions_, openSet_}) a->setEnabled(!busy);
    exportSet_->setEnabled(!running_);
    exportSelected_->setEnabled(!running_);
}

// Core names what it loads ("UNet (model.diffusion_model.*, config: sd15.yaml)", "text encoder 1 (…)",
// "ready"): the part before the parenthesis, in the user's words.
static QString loadingText(const QString& what) {
    const auto part = what.section(" (", 0, 0).trimmed();
    if (part == "ready") return MainWindow::tr("Checking the model…");
    if (part.startsWith("text encoder")) {
        const auto number = part.mid(12).trimmed();
        return number.isEmpty() ? MainWindow::tr("Loading the text encoder…") : MainWindow::tr("Loading text encoder %1…").arg(number);
    }
    return MainWindow::tr("Loading %1…").arg(part);
}

void MainWindow::onLoadProgress(double fraction, const QString& what) {
    if (!loading_) return;  // a report queued before the load ended
    progress_->setValue(static_cast<int>(std::lround(100 * std::clamp(fraction, 0.0, 1.0))));
    eta_->setText(loadingText(what));
    eta_->setToolTip(what);
}

void MainWindow::onModelLoaded(const ModelInfo& info) {
    setLoading(false);
    modelReady_ = true;
    modelFolder_ = info.folder;
    loadedFolder_ = info.folder;
    const bool demo = info.folder == bundledDemoModel();
    settings_->setModelFolder(demo ? QString() : info.folder);  // also the most recent model
    if (info.singleFile) settings_->setCheckpointOptions(info.folder, info.options);
    refreshModelChooser();
    modelWidth_ = info.width;
    modelHeight_ = info.height;
    adapters_->setModelSize(info.width, info.height);
    // The plan to restore: an opened set's, else the last one used (read before setLayers()
    // announces the preset, which would overwrite the saved plan).
    const auto savedPlan = settings_->planJson();
    plan_->setLayers(info.layers);
    const auto paths = info.selfAttentionPaths();
    try {
        if (pendingPlan_) plan_->setPlan(LayerPlan::fromJson(*pendingPlan_, paths, "set.json plan"));
        else if (!savedPlan.isEmpty())
            plan_->setPlan(LayerPlan::fromJson(nlohmann::json::parse(savedPlan.toStdString()), paths, "saved plan"));
        else plan_->applyPreset(QString::fromStdString(defaultPreset(!reference_->image().empty())));
    } catch (const std::exception&) {
        // A plan saved for another model: the preset for the mode.
        plan_->applyPreset(QString::fromStdString(defaultPreset(!reference_->image().empty())));
    }
    pendingPlan_.reset();
    overlayPanel_->setLayers(paths);
    charts_->setLayers(paths);
    modelHasCaptioner_ = info.hasCaptioner;
    reference_->setCaptionerAvailable(captionerAvailable());
    refreshMetricsNote();
    captionIfEmpty();
    // The status line: what was found (family, prediction, weights) and, on hover, what the
    // loader assumed.
    statusBar()->showMessage(tr("Loaded %1").arg(demo ? tr("the demo model") : modelDisplayName(info.folder)), 5000);
    modelStatus_->setText(info.description);
    QString tip = QDir::toNativeSeparators(info.folder);
    if (!info.options.isAuto()) tip += "\n" + tr("Checkpoint options: %1").arg(info.options.toJson());
    if (!info.notes.isEmpty()) tip += "\n\n" + tr("The loader assumed:") + "\n• " + info.notes.join("\n• ");
    modelStatus_->setToolTip(tip);
    modelNotes_->setToolTip(tip);
    modelNotes_->setVisible(!info.notes.isEmpty());
    eta_->setText(tr("Ready."));
    updateActions();
    startPendingLoad();
}

void MainWindow::keepLoadedModel() {
    setLoading(false);
    if (!pendingLoad_) pendingPlan_.reset();  // a set's plan waits for the load that replaces this one
    modelFolder_ = loadedFolder_;
    modelReady_ = !loadedFolder_.isEmpty();
    updateActions();
    refreshModelChooser();
    eta_->setText(modelReady_ ? tr("Ready.") : tr("No model loaded."));
}

void MainWindow::onModelFailed(const QString& path, const QString& message) {
    keepLoadedModel();
    if (startPendingLoad()) return;  // replaced by a later request: its outcome is what counts
    // Nothing loaded yet (a start-up model that fails): the demo model keeps the studio usable.
    const bool fallBack = !modelReady_ && !bundledDemoModel().isEmpty() && path != bundledDemoModel();
    const QString kept = modelReady_ ? "\n\n" + tr("%1 stays loaded.").arg(loadedFolder_ == bundledDemoModel() ? tr("The demo model")
                                                                                                   : modelDisplayName(loadedFolder_))
                         : fallBack ? "\n\n" + tr("The demo model is loaded instead.")
                                    : QString();
    if (!isCheckpointFile(path)) {
        showError(tr("Model"), tr("Could not load the model in %1:\n%2\n\nChoose a diffusers folder (model_index.json, "
                                  "unet/, vae/, text_encoder/, tokenizer/, scheduler/).").arg(path, message) + kept);
        if (fallBack) loadModel(bundledDemoModel());
        return;
    }
    auto* box = errorBox(tr("Model"), tr("Could not load %1:\n%2\n\nReal SD 1.x, 2.x and SDXL checkpoints load with the "
                                         "default options; an unusual file may need its config YAML, prediction type or "
                                         "text-encoder heads (Checkpoint Options).").arg(modelDisplayName(path), message) + kept);
    // Offer the options right there, with the ones that failed filled in.
    auto* options = box->addButton(tr("Checkpoint &Options…"), QMessageBox::ActionRole);
    const auto tried = loadingOptions_;
    connect(options, &QPushButton::clicked, this, [this, path, tried] { checkpointOptionsDialog(path, tried); });
    if (fallBack) loadModel(bundledDemoModel());
}

void MainWindow::onModelLoadCancelled(const QString& path) {
    keepLoadedModel();
    if (startPendingLoad()) return;
    statusBar()->showMessage(tr("Loading %1 was cancelled.").arg(modelDisplayName(path)), 8000);
    if (modelReady_) eta_->setText(tr("Cancelled: %1 stays loaded.").arg(loadedFolder_ == bundledDemoModel() ? tr("the demo model")
                                                                                                    : modelDisplayName(loadedFolder_)));
}

void MainWindow::refreshModelChooser() {
    const QSignalBlocker block(model_);
    model_->clear();
    const auto demo = bundledDemoModel();
    if (!demo.isEmpty()) model_->addItem(tr("Demo model (bundled)"), demo);
    // Recent models, most recent first; those that are gone are forgotten.
    QStringList recent;
    for (const auto& path : settings_->recentModels())
        if (path != demo && isModelPath(path)) recent << path;
    if (recent != settings_->recentModels()) settings_->setRecentModels(recent);
    if (!loadedFolder_.isEmpty() && loadedFolder_ != demo && !recent.contains(loadedFolder_)) recent.prepend(loadedFolder_);
    QStringList names;
    for (const auto& path : recent) names << modelDisplayName(path);
    for (qsizetype i = 0; i < recent.size(); ++i) {
        // Two "model.safetensors": tell them apart by their folders.
        const auto name = names.count(names[i]) > 1 ? tr("%1 (in %2)").arg(names[i], QFileInfo(QFileInfo(recent[i]).absolutePath()).fileName())
                                                    : names[i];
        model_->addItem(name, recent[i]);
        model_->setItemData(model_->count() - 1, QDir::toNativeSeparators(recent[i]), Qt::ToolTipRole);
    }
    model_->insertSeparator(model_->count());
    model_->addItem(tr("Open checkpoint…"), QString(kOpenCheckpointItem));
    model_->setItemData(model_->count() - 1, tr("A single-file .safetensors checkpoint (SD 1.x, 2.x, SDXL)."), Qt::ToolTipRole);
    model_->addItem(tr("Open model folder…"), QString(kOpenFolderItem));
    model_->setItemData(model_->count() - 1, tr("A diffusers folder (model_index.json, unet/, vae/, …)."), Qt::ToolTipRole);
    model_->setCurrentIndex(loadedFolder_.isEmpty() ? -1 : model_->findData(loadedFolder_));
}

void MainWindow::openCheckpointDialog() {
    const auto start = isCheckpointFile(modelFolder_) ? QFileInfo(modelFolder_).absolutePath() : settings_->checkpointFolder();
    // Pickle files can be chosen too: the loader explains why they are refused and how to convert them.
    const auto file = QFileDialog::getOpenFileName(this, tr("Open checkpoint"), start,
                                                   tr("Checkpoints (*.safetensors);;All files (*)"));
    if (file.isEmpty()) return refreshModelChooser();
    settings_->setCheckpointFolder(QFileInfo(file).absolutePath());
    loadModel(file);
}

void MainWindow::chooseModelDialog() {
    const auto folder = QFileDialog::getExistingDirectory(this, tr("Choose a diffusers model folder"),
                                                          QFileInfo(modelFolder_).isDir() ? modelFolder_ : QString());
    if (!folder.isEmpty()) loadModel(folder);
    else refreshModelChooser();
}

void MainWindow::checkpointOptionsDialog(const QString& file, const std::optional<CheckpointOptions>& start) {
    QString path = file;
    if (path.isEmpty()) {
        path = QFileDialog::getOpenFileName(this, tr("Open checkpoint"), settings_->checkpointFolder(),
                                            tr("Checkpoints (*.safetensors);;All files (*)"));
        if (path.isEmpty()) return;
        settings_->setCheckpointFolder(QFileInfo(path).absolutePath());
    }
    auto* dialog = new CheckpointOptionsDialog(path, start.value_or(settings_->checkpointOptions(path)), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, path] { loadModel(path, dialog->options()); });
    dialog->open();
}

bool MainWindow::acceptModelDrop(QDropEvent* event) {
    if (running_ || loading_ || droppedModelPath(event->mimeData()).isEmpty()) return false;
    event->acceptProposedAction();
    if (event->type() == QEvent::Drop) loadModel(droppedModelPath(event->mimeData()));
    return true;
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
    if (watched == model_ && (event->type() == QEvent::DragEnter || event->type() == QEvent::DragMove || event->type() == QEvent::Drop)) {
        if (!acceptModelDrop(static_cast<QDropEvent*>(event))) event->ignore();
        return true;
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!acceptModelDrop(event)) QMainWindow::dragEnterEvent(event);
}

void MainWindow::dropEvent(QDropEvent* event) {
    if (!acceptModelDrop(event)) QMainWindow::dropEvent(event);
}

}  // namespace sa::ui
