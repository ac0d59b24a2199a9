// MainWindow: the Adapters tab — LoRAs checked by the worker before they get a row, the ControlNet
// and its settings remembered, the control rows named after the set's images, and the shape of
// each tile of a run (panoramas are wide).
#include "ui/main_window.h"

#include <QStatusBar>

#include "ui/adapters_panel.h"
#include "ui/control_panel.h"
#include "ui/lora_list.h"
#include "ui/reference_pane.h"
#include "ui/resources.h"
#include "ui/subject_list.h"

namespace sa::ui {

void MainWindow::connectAdapters() {
    auto* loras = adapters_->loraList();
    auto* control = adapters_->controlPanel();
    connect(loras, &LoraList::addRequested, this, [this](const QString& file) {
        if (!modelReady_) return showError(tr("LoRA"), tr("%1: a LoRA is checked against the model it adapts; wait until the model has loaded.").arg(file));
        emit loraCheckRequested(file);
    });
    connect(this, &MainWindow::loraCheckRequested, worker(), &GenerationWorker::checkLora);
    connect(worker(), &GenerationWorker::loraChecked, this, &MainWindow::onLoraChecked);
    connect(loras, &LoraList::errorOccurred, this, [this](const QString& m) { showError(tr("LoRA"), m); });
    connect(loras, &LoraList::folderUsed, this, [this](const QString& f) { settings_->setLoraFolder(f); });
    connect(control, &ControlPanel::errorOccurred, this, [this](const QString& m) { showError(tr("ControlNet"), m); });
    connect(control, &ControlPanel::imageFolderUsed, this, [this](const QString& f) { settings_->setControlImageFolder(f); });
    connect(control, &ControlPanel::controlNetFolderChosen, this, [this](const QString& folder) {
        auto defaults = settings_->controlDefaults();
        defaults.model = folder.toStdString();
        settings_->setControlDefaults(defaults);
    });
    connect(subjects_, &SubjectList::changed, this, &MainWindow::refreshAdapterTitles);
    connect(reference_, &ReferencePane::imageChanged, this, [this](const cv::Mat& image) { adapters_->setReferenceImage(!image.empty()); });
}

void MainWindow::restoreAdapterSettings() {
    // Until the user picks their own, the demo model's add-ons are what the tab starts with: Add
    // LoRA… opens in its LoRA folder, and its Canny ControlNet is the ControlNet.
    const QString loraFolder = settings_->loraFolder();
    adapters_->loraList()->setStartFolder(!loraFolder.isEmpty() ? loraFolder : findResource("models/demo-lora"));
    adapters_->controlPanel()->setStartFolder(settings_->controlImageFolder());
    auto control = settings_->controlDefaults();
    if (control.model.empty()) control.model = findResource("models/demo-controlnet-canny").toStdString();
    adapters_->controlPanel()->setDefaults(control);
    adapters_->setReferenceImage(!reference_->image().empty());
    refreshAdapterTitles();
}

void MainWindow::onLoraChecked(const LoraCheck& check) {
    if (!check.error.isEmpty()) return showError(tr("LoRA"), check.error);
    auto* list = adapters_->loraList();
    if (list->contains(check.file)) return;  // asked twice before the first answer
    list->addEntry(LoraEntry{.file = check.file.toStdString()}, tr("%1 format, %2 layers").arg(check.format).arg(check.layers));
    statusBar()->showMessage(tr("LoRA %1 added: %2 layers").arg(check.file).arg(check.layers), 8000);
}

void MainWindow::refreshAdapterTitles() {
    QStringList titles{tr("Reference")};
    titles << subjects_->subjects();
    adapters_->setImageTitles(titles);
}

QList<double> MainWindow::tileAspects(const ImageSetSpec& spec) const {
    const int width = spec.width > 0 ? spec.width : modelWidth_, height = spec.height > 0 ? spec.height : modelHeight_;
    const double set = width > 0 && height > 0 ? double(width) / height : 1.0;
    QList<double> aspects;
    for (size_t i = 0; i <= spec.targets.size(); ++i) {
        // A panorama set: the square reference (one window), then the panoramas.
        if (spec.panorama && height > 0) aspects << (i == 0 ? 1.0 : double(spec.panorama->width) / height);
        else aspects << set;
    }
    return aspects;
}

}  // namespace sa::ui
