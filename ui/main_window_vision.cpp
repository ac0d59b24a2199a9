// MainWindow: the Models page's vision models — a BLIP captioner for references on real models,
// CLIP and DINO for the paper's measures of every finished set (issue 12).
#include "ui/main_window.h"

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QStatusBar>

#include "ui/charts_panel.h"
#include "ui/models_dialog.h"
#include "ui/reference_pane.h"

namespace sa::ui {
namespace {

size_t slot(VisionRole role) { return static_cast<size_t>(role); }

}  // namespace

void MainWindow::setVisionModel(VisionRole role, const QString& folder) {
    settings_->setVisionModelFolder(role, folder);
    vision_[slot(role)] = VisionModelInfo{.role = role, .folder = folder};  // loading
    modelsDialog_->setLoading(role, folder);
    reference_->setCaptionerAvailable(captionerAvailable());
    refreshMetricsNote();
    emit visionModelRequested(role, folder, settings_->device());
}

void MainWindow::onVisionModelChanged(const VisionModelInfo& info) {
    if (info.folder != vision_[slot(info.role)].folder) return;  // a load the user has replaced since
    vision_[slot(info.role)] = info;
    modelsDialog_->showInfo(info);
    if (!info.error.isEmpty())
        statusBar()->showMessage(tr("%1 did not load: see Settings ▸ Models.").arg(QDir::toNativeSeparators(info.folder)), 10000);
    reference_->setCaptionerAvailable(captionerAvailable());
    refreshMetricsNote();
    if (info.role == VisionRole::Captioner) captionIfEmpty();
}

bool MainWindow::captionerAvailable() const { return modelHasCaptioner_ || visionModel(VisionRole::Captioner).loaded; }

void MainWindow::requestCaption(const cv::Mat& image) {
    reference_->setCaptioning(true);
    if (auto* w = worker()) w->beginCaption();
    emit captionRequested(image);
}

void MainWindow::captionIfEmpty() {
    if (modelReady_ && captionerAvailable() && !reference_->image().empty() && reference_->caption().isEmpty())
        requestCaption(reference_->image());
}

void MainWindow::onCaptioned(const QString& caption, const QString& captioner) {
    reference_->setCaptioning(false);
    reference_->setCaption(caption);
    if (captioner.isEmpty()) reference_->setCaptionSource(tr("the demo judge"));
    else reference_->setCaptionSource("BLIP", QDir::toNativeSeparators(captioner));
}

void MainWindow::refreshMetricsNote() {
    const auto& clip = visionModel(VisionRole::Clip);
    const auto& dino = visionModel(VisionRole::Dino);
    QStringList notes;
    if (clip.loaded && !clip.textTower)
        notes << tr("No CLIP text score: %1 holds only the CLIP image tower; the text score needs a full CLIPModel folder "
                    "(Settings ▸ Models).").arg(QFileInfo(clip.folder).fileName());
    for (const auto* failed : {&clip, &dino})
        if (!failed->error.isEmpty())
            notes << tr("%1 did not load (Settings ▸ Models).").arg(QFileInfo(failed->folder).fileName());
    if (modelReady_ && !modelHasCaptioner_ && clip.folder.isEmpty() && dino.folder.isEmpty())
        notes << tr("Choose CLIP and DINO folders in Settings ▸ Models to measure every set (CLIP text score, DINO set "
                    "consistency).");
    charts_->setNote(notes.join('\n'));
}

void MainWindow::onMeasured(const SetMeasures& measures) {
    if (charts_->setCount() > 0) charts_->setMeasures(charts_->setCount() - 1, measures.clipTextScore, measures.dinoConsistency);
    refreshMetricsNote();
    if (!measures.error.isEmpty()) {
        charts_->setNote((charts_->note().isEmpty() ? QString() : charts_->note() + '\n') +
                         tr("Measuring the last set failed: %1").arg(measures.error));
    }
    if (running_ || loading_) return;  // the next run's progress owns the line
    QStringList values;
    if (measures.clipTextScore) values << tr("CLIP text score %1").arg(*measures.clipTextScore, 0, 'f', 3);
    if (measures.dinoConsistency) values << tr("DINO set consistency %1").arg(*measures.dinoConsistency, 0, 'f', 3);
    eta_->setText(values.isEmpty() ? tr("Done.") : tr("Done. %1.").arg(values.join(" · ")));
}

}  // namespace sa::ui
