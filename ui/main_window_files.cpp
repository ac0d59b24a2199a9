// MainWindow: files — export and open sets, save and enlarge images, plan dialogs (models: main_window_model.cpp).
#include "ui/main_window.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QPainter>
#include <QSpinBox>
#include <QStatusBar>
#include <QVBoxLayout>

#include "core/io/image.h"
#include "ui/adapters_panel.h"
#include "ui/image_convert.h"
#include "ui/layer_plan_panel.h"
#include "ui/reference_pane.h"
#include "ui/results_grid.h"
#include "ui/set_files.h"
#include "ui/subject_list.h"

namespace sa::ui {

void MainWindow::saveImage(int index) {
    if (!lastResult_ || index >= static_cast<int>(lastResult_->images.size())) return;
    auto file = QFileDialog::getSaveFileName(this, tr("Save image"),
                                             settings_->exportFolder() + QString("/image_%1.png").arg(index, 2, 10, QChar('0')),
                                             tr("PNG images (*.png)"));
    if (file.isEmpty()) return;
    if (!file.endsWith(".png", Qt::CaseInsensitive)) file += ".png";
    try {
        writeImage(file.toStdString(), lastResult_->images[static_cast<size_t>(index)]);
        settings_->setExportFolder(QFileInfo(file).absolutePath());
    } catch (const std::exception& e) {
        showError(tr("Save image"), QString::fromUtf8(e.what()));
    }
}

void MainWindow::enlargeImage(int index) {
    auto* tile = grid_->tile(index);
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tile->toolTip().section('\n', 0, 0));
    auto* label = new QLabel(dialog);
    const QImage image = tile->image();
    const int side = std::max(512, std::min(image.width(), 1024));
    label->setPixmap(QPixmap::fromImage(image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(label);
    dialog->show();
}

bool MainWindow::exportSetTo(const QString& folder) {
    if (!lastResult_) {
        showError(tr("Export"), tr("Nothing to export yet: generate a set first."));
        return false;
    }
    try {
        std::vector<std::pair<int, QImage>> maps;
        const auto view = overlayPanel_->view();
        for (int t = 0; t + 1 < static_cast<int>(lastResult_->images.size()); ++t) {
            const auto map = overlays_.shareMap(view, t);
            if (map.empty()) continue;
            QImage composed = toQImage(lastResult_->images[static_cast<size_t>(t + 1)]).convertToFormat(QImage::Format_ARGB32);
            {
                QPainter painter(&composed);
                painter.setOpacity(view.opacity);
                painter.drawImage(composed.rect(), heatMap(map, composed.size(), 1.0));
            }
            maps.emplace_back(t + 1, composed);
        }
        const auto written = sa::ui::exportSet(folder, lastResult_->spec, lastResult_->reference, lastResult_->images, maps,
                                               lastResult_->controlSources);
        settings_->setExportFolder(folder);
        statusBar()->showMessage(tr("Exported %1 files to %2").arg(written.size()).arg(folder), 8000);
        return true;
    } catch (const std::exception& e) {
        showError(tr("Export"), tr("Could not export to %1:\n%2").arg(folder, QString::fromUtf8(e.what())));
        return false;
    }
}

void MainWindow::exportSetDialog() {
    const auto folder = QFileDialog::getExistingDirectory(this, tr("Export set to folder"), settings_->exportFolder());
    if (!folder.isEmpty()) exportSetTo(folder);
}

void MainWindow::exportSelectedDialog() {
    if (!lastResult_) return showError(tr("Export"), tr("Nothing to export yet: generate a set first."));
    const auto selected = grid_->selectedIndices();
    if (selected.isEmpty()) return showError(tr("Export"), tr("No image is selected: Ctrl+click images to select them."));
    const auto folder = QFileDialog::getExistingDirectory(this, tr("Export selected images to folder"), settings_->exportFolder());
    if (folder.isEmpty()) return;
    try {
        std::vector<std::pair<int, cv::Mat>> images;
        for (int i : selected) images.emplace_back(i, lastResult_->images.at(static_cast<size_t>(i)));
        exportImages(folder, images);
        settings_->setExportFolder(folder);
        statusBar()->showMessage(tr("Exported %1 images to %2").arg(images.size()).arg(folder), 8000);
    } catch (const std::exception& e) {
        showError(tr("Export"), QString::fromUtf8(e.what()));
    }
}

bool MainWindow::openSet(const QString& setJson) {
    if (running_) return false;  // during a model load (the start-up one, say) the set's model follows it
    try {
        const auto set = loadSet(setJson);
        const auto& spec = set.spec;
        const QString model = QString::fromStdString(spec.model);
        const QString modelFolder = isModelPath(model) ? model : modelFolder_;
        const bool sameModel = modelFolder == modelFolder_ && modelReady_;
        // Validate the plan before touching any widget (with another model: once it is loaded).
        std::optional<LayerPlan> plan;
        if (sameModel) plan = LayerPlan::fromJson(spec.plan, plan_->layerPaths(), setJson.toStdString());

        reference_->setCaptionerAvailable(false);  // keep the set's caption
        reference_->setImage(set.reference, set.reference.empty() ? QString() : set.folder + "/reference.png");
        reference_->setCaption(QString::fromStdString(spec.referencePrompt));
        QStringList subjects;
        for (const auto& t : spec.targets) subjects << QString::fromStdString(t);
        subjects_->setSubjects(subjects);
        // The seed box holds seeds up to 999 999 999; others (and non-consecutive ones) are kept
        // per image.
        const uint64_t base = std::min<uint64_t>(spec.seeds.front(), static_cast<uint64_t>(seed_->maximum()));
        {
            const QSignalBlocker block(seed_);
            seed_->setValue(static_cast<int>(base));
        }
        seedOverrides_.clear();
        for (size_t i = 0; i < spec.seeds.size(); ++i)
            if (spec.seeds[i] != base + i) seedOverrides_[static_cast<int>(i)] = spec.seeds[i];
        steps_->setValue(spec.steps);
        guidance_->setValue(spec.guidance);
        offset_->setValue(spec.offset);
        lockSeed_->setChecked(true);
        setExtras_ = {spec.negativePrompt, spec.inversionGuidance, spec.vaeTileSize, reference_->caption(),
                      subjects_->subjects(), spec.referencePrompt, spec.targets};
        adapters_->restore(spec, set.controlSources);  // LoRAs, control (images read beside the set), size, panorama
        setVaeTiling(QString::fromStdString(spec.vaeTiling));

        SetResult restored;
        restored.spec = spec;
        restored.reference = set.reference;
        restored.controlSources = set.controlSources;
        const bool complete = !set.images.empty() && std::none_of(set.images.begin(), set.images.end(), [](const auto& m) { return m.empty(); });
        lastResult_.reset();
        overlays_.clear();
        lastOverlays_.clear();
        if (complete) {
            restored.images = set.images;
            lastResult_ = restored;
            showResult(restored);
        } else {
            resetGrid(currentRequest());
        }
        if (sameModel) {
            plan_->setPlan(*plan);
            reference_->setCaptionerAvailable(captionerAvailable());
        } else {
            pendingPlan_ = spec.plan;
            // A single file loads with the options the set was made with.
            if (!(loading_ && modelFolder == modelFolder_))  // else: already on its way
                loadModel(modelFolder, !isCheckpointFile(modelFolder) ? CheckpointOptions{}
                                       : spec.modelOptions.empty() ? settings_->checkpointOptions(modelFolder)
                                                                   : CheckpointOptions::fromSetJson(spec.modelOptions, setJson.toStdString()));
        }
        runSummary_->setText(tr("Opened %1").arg(setJson));
        return true;
    } catch (const std::exception& e) {
        showError(tr("Open set"), tr("Could not open %1:\n%2").arg(setJson, QString::fromUtf8(e.what())));
        return false;
    }
}

void MainWindow::openSetDialog() {
    const auto file = QFileDialog::getOpenFileName(this, tr("Open set"), settings_->exportFolder(), tr("Image sets (set.json)"));
    if (!file.isEmpty()) openSet(file);
}

void MainWindow::loadPlanDialog() {
    const auto file = QFileDialog::getOpenFileName(this, tr("Load layer plan"), settings_->planFolder(), tr("Layer plans (*.json)"));
    plan_->loadFromFile(file);
}

void MainWindow::savePlanDialog() {
    auto file = QFileDialog::getSaveFileName(this, tr("Save layer plan"), settings_->planFolder() + "/plan.json", tr("Layer plans (*.json)"));
    if (!file.isEmpty() && !file.endsWith(".json")) file += ".json";
    plan_->saveToFile(file);
}

}  // namespace sa::ui
