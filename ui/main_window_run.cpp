// MainWindow: a run — the request from the widgets, progress, live previews and overlays, the
// result, cancellation and the per-image actions that start a new run.
#include "ui/main_window.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QDoubleSpinBox>
#include <QStatusBar>

#include "core/pipeline/set_request.h"
#include "ui/adapters_panel.h"
#include "ui/charts_panel.h"
#include "ui/control_panel.h"
#include "ui/image_convert.h"
#include "ui/layer_plan_panel.h"
#include "ui/reference_pane.h"
#include "ui/results_grid.h"
#include "ui/subject_list.h"

namespace sa::ui {
namespace {

QString formatSeconds(double s) {
    return s < 60 ? MainWindow::tr("%1 s").arg(s, 0, 'f', 1) : MainWindow::tr("%1 min %2 s").arg(int(s) / 60).arg(int(s) % 60);
}

}  // namespace

StudioRequest MainWindow::currentRequest() const {
    StudioRequest r;
    auto& spec = r.spec;
    spec.model = modelFolder_.toStdString();
    if (isCheckpointFile(modelFolder_)) {  // the options it loads with travel in set.json
        LoadOptions options;
        settings_->checkpointOptions(modelFolder_).applyTo(options);
        spec.modelOptions = modelOptionsToJson(options);
    }
    // The reference's prompt is its two caption fields joined; the style field alone is appended
    // to every new subject.
    spec.referencePrompt = reference_->caption().toStdString();
    std::vector<std::string> subjects;
    for (const auto& s : subjects_->subjects()) subjects.push_back(s.toStdString());
    spec.targets = styledPrompts(subjects, reference_->styleWords().toStdString());
    // The CLIP text score compares each new image with its subject alone (an opened set's
    // subjects carry the style words: they go, as the CLI's evaluation does).
    for (const auto& s : subjects) r.subjects.push_back(splitCaption(s).subject);
    if (!setExtras_.targets.empty() && reference_->caption() == setExtras_.caption && subjects_->subjects() == setExtras_.subjects) {
        spec.referencePrompt = setExtras_.referencePrompt;
        spec.targets = setExtras_.targets;
    }
    spec.seeds = consecutiveSeeds(static_cast<uint64_t>(seed_->value()), spec.targets.size() + 1);
    for (const auto& [index, seed] : seedOverrides_)
        if (index < static_cast<int>(spec.seeds.size())) spec.seeds[static_cast<size_t>(index)] = seed;
    spec.steps = steps_->value();
    spec.guidance = guidance_->value();
    spec.offset = offset_->value();
    spec.plan = plan_->plan().toJson();
    // LoRAs, ControlNet, size and panorama: the Adapters tab.
    adapters_->applyTo(spec);
    r.controlSources = adapters_->controlSources();
    // Settings without a control here, kept from an opened set (the CLI writes them).
    spec.negativePrompt = setExtras_.negativePrompt;
    spec.inversionGuidance = setExtras_.inversionGuidance;
    spec.vaeTiling = vaeTiling_.toStdString();
    spec.vaeTileSize = setExtras_.vaeTileSize;
    r.reference = reference_->image();
    if (!r.reference.empty()) spec.referenceImage = "reference.png";
    return r;
}

void MainWindow::generate() { startRun(/*newSeedUnlessLocked=*/true); }

void MainWindow::startRun(bool newSeedUnlessLocked) {
    if (running_ || !modelReady_) return;
    if (subjects_->subjects().isEmpty()) return showError(tr("Subjects"), tr("Add at least one new subject (one prompt per image)."));
    if (reference_->caption().isEmpty())
        return showError(tr("Caption"), reference_->image().empty()
                                            ? tr("Describe the reference to generate (e.g. \"a house, stained glass style\"), or drop a reference image.")
                                            : tr("The reference needs a caption: what it shows and its style (e.g. \"a fish, pixel art style\")."));
    if (const auto problem = adapters_->problem(!reference_->image().empty()); !problem.isEmpty()) {
        showTab(2);
        return showError(tr("Adapters"), problem);
    }
    try {  // what the Adapters tab cannot refuse alone (a step range, thresholds): before the run, not in it
        const auto spec = currentRequest().spec;
        validateSpec(spec, tr("Adapters").toStdString(), !reference_->image().empty());
    } catch (const std::exception& e) {
        showTab(2);
        return showError(tr("Adapters"), QString::fromUtf8(e.what()));
    }
    if (newSeedUnlessLocked && !lockSeed_->isChecked()) {
        const QSignalBlocker block(seed_);
        seed_->setValue(static_cast<int>(randomSeed()));
        seedOverrides_.clear();
    }
    settings_->setSteps(steps_->value());
    settings_->setGuidance(guidance_->value());
    settings_->setOffset(offset_->value());
    settings_->setSubjects(subjects_->subjects());
    if (auto control = adapters_->controlPanel()->spec()) {  // the next control starts from these settings
        control->images.clear();
        settings_->setControlDefaults(*control);
    }
    const auto request = currentRequest();
    resetGrid(request);
    overlays_.clear();
    pointIsLive_ = point_.has_value();
    setRunning(true);
    if (auto* w = worker()) w->beginRun();
    emit generationRequested(request);
}

void MainWindow::cancel() {
    if (!worker() || !(running_ || loading_)) return;
    if (loading_) {
        pendingLoad_.reset();
        worker()->cancelLoad();  // the model in use stays
    } else {
        worker()->cancel();
    }
    eta_->setText(tr("Cancelling…"));
}

void MainWindow::setRunning(bool running) {
    running_ = running;
    updateActions();
    if (running) {
        worstStallMs_ = 0;
        stallClock_.start();
        lastTick_ = 0;
        stallTimer_.start();
        progress_->setValue(0);
        eta_->setText(tr("Starting…"));  // until the first step (a panorama's takes every view)
    } else {
        stallTimer_.stop();
    }
}

QStringList MainWindow::gridTitles(const ImageSetSpec& spec) const {
    QStringList titles;
    const auto prompts = spec.allPrompts();
    for (size_t i = 0; i < prompts.size(); ++i) titles << (i == 0 ? tr("Reference") : QString::fromStdString(prompts[i]));
    return titles;
}

void MainWindow::resetGrid(const StudioRequest& request) {
    QStringList tooltips;
    const auto prompts = request.spec.allPrompts();
    for (size_t i = 0; i < prompts.size(); ++i) {
        tooltips << tr("%1\nseed %2").arg(QString::fromStdString(prompts[i])).arg(request.spec.seeds.at(i)) + "\n\n" +
                        (i == 0 ? tr("Double-click: enlarge · right-click: save or more")
                                : tr("Click: see where this point attends in the reference · double-click: enlarge · "
                                     "right-click: re-roll, save or more"));
    }
    grid_->reset(gridTitles(request.spec), tooltips, tileAspects(request.spec));
    if (!request.reference.empty()) grid_->tile(0)->setImage(toQImage(request.reference), false);
}

void MainWindow::onRunStarted(const RunInfo& info) {
    runInfo_ = info;
    progress_->setRange(0, 100);
    overlayPanel_->setSteps(info.steps);
    QStringList tokens;
    if (!info.tokens.empty())
        for (const auto& t : info.tokens.front()) tokens << QString::fromStdString(t);
    overlayPanel_->setTokens(tokens);
    runSummary_->setText(info.panoramas > 0 ? tr("%1 panoramas, each denoised window by window behind the same reference.").arg(info.panoramas)
                         : info.referenceCached ? tr("Reusing the cached reference: only the new images run.")
                                                : tr("Computing the reference branch (it is cached for the next run)."));
    if (!info.notes.empty()) {  // what the adapters adapted (skipped LoRA keys, resized control maps)
        QStringList notes;
        for (const auto& note : info.notes) notes << QString::fromStdString(note);
        statusBar()->showMessage(notes.join(" · "), 15000);
    }
}

void MainWindow::onStep(const StepUpdate& u) {
    progress_->setValue(u.units > 0 ? 100 * u.done / u.units : 0);
    const QString phase = u.phase == RunPhase::Inversion   ? tr("Inverting the reference")
                          : u.phase == RunPhase::Reference ? tr("Reference branch")
                          : u.phase == RunPhase::Panorama  ? tr("Panorama %1/%2").arg(u.part + 1).arg(u.parts)
                                                           : tr("Generating");
    eta_->setText(tr("%1: step %2/%3 · %4 elapsed · about %5 left")
                      .arg(phase)
                      .arg(u.step + 1)
                      .arg(u.total)
                      .arg(formatSeconds(u.elapsed), formatSeconds(u.eta)));
    for (const auto& [index, image] : u.previews)
        if (index < grid_->count()) grid_->tile(index)->setImage(toQImage(image), false);
    if (!u.attention.empty()) {
        overlays_.add(u.attention);
        charts_->setShareHistory(overlays_.shareHistory(), u.total);
        refreshOverlays();
    }
}

void MainWindow::onFinished(const SetResult& result) {
    setRunning(false);
    lastResult_ = result;
    lastOverlays_ = overlays_;
    showResult(result);
    progress_->setValue(100);
    const QString reference = result.spec.panorama   ? tr("panoramas %1 px wide").arg(result.spec.panorama->width)
                              : result.referenceFromCache ? tr("reference reused from the cache")
                                                          : tr("reference branch %1").arg(formatSeconds(result.referenceSeconds));
    runSummary_->setText(tr("Set of %1 images in %2 (%3). Longest event-loop stall: %4 ms.")
                          .arg(result.images.size())
                          .arg(formatSeconds(result.totalSeconds), reference)
                          .arg(worstStallMs_, 0, 'f', 0));
    // The worker measures the set with CLIP / DINO next (when the Models page sets them).
    const bool measuring = visionModel(VisionRole::Clip).loaded || visionModel(VisionRole::Dino).loaded;
    eta_->setText(measuring ? tr("Done. Measuring the set (CLIP / DINO)…") : tr("Done."));
    SetMetrics metrics{.seconds = result.totalSeconds, .referenceFromCache = result.referenceFromCache};
    if (!result.verdicts.empty()) {
        double subject = 0, style = 0;
        for (size_t i = 1; i < result.verdicts.size(); ++i) {
            subject += result.verdicts[i].subjectConfidence;
            style += result.verdicts[i].styleMatchesReference;
        }
        const double n = std::max<double>(1, static_cast<double>(result.verdicts.size()) - 1);
        metrics.subjectConfidence = subject / n;
        metrics.styleAgreement = style / n;
    }
    charts_->addSet(metrics);
    refreshOverlays();
    emit runEnded();
}

void MainWindow::showResult(const SetResult& result) {
    const auto prompts = result.spec.allPrompts();
    QStringList tooltips;
    for (const auto& prompt : prompts) tooltips << QString::fromStdString(prompt);
    const auto titles = gridTitles(result.spec);
    QList<double> aspects;
    for (const auto& image : result.images) aspects << (image.empty() ? 1.0 : double(image.cols) / image.rows);
    grid_->reset(titles, tooltips, aspects);
    for (size_t i = 0; i < result.images.size(); ++i) {
        auto* tile = grid_->tile(static_cast<int>(i));
        tile->setImage(toQImage(result.images[i]), true);
        if (i < result.verdicts.size()) {
            const auto& v = result.verdicts[i];
            const QString style = v.look > 0 ? tr("%1, look %2").arg(QString::fromStdString(v.style)).arg(v.look)
                                             : QString::fromStdString(v.style);
            tile->setBadge(QString::fromStdString(v.subject), i == 0 || v.styleMatchesReference);
            tile->setTitle(titles.at(static_cast<int>(i)),
                           tr("%1\nseed %2\njudge: %3 (%4 %), %5 style (%6 %)")
                               .arg(QString::fromStdString(prompts.at(i)))
                               .arg(result.spec.seeds.at(i))
                               .arg(QString::fromStdString(v.subject))
                               .arg(100 * v.subjectConfidence, 0, 'f', 0)
                               .arg(style)
                               .arg(100 * v.styleConfidence, 0, 'f', 0));
        }
    }
}

void MainWindow::onRunAborted(const QString& message) {
    setRunning(false);
    eta_->setText(message.isEmpty() ? tr("Cancelled.") : tr("Failed."));
    runSummary_->setText(message.isEmpty() ? tr("Cancelled: the previous set is shown again.") : QString());
    // Never lose the user's work: the last finished set comes back, with its overlays.
    overlays_ = lastOverlays_;
    if (lastResult_) showResult(*lastResult_);
    else grid_->reset({}, {});
    refreshOverlays();
    if (!message.isEmpty())
        showError(tr("Generation failed"), tr("%1\n\nCheck the prompts, the reference and the model, then try again.").arg(message));
    emit runEnded();
}

void MainWindow::refreshOverlays() {
    const auto view = overlayPanel_->view();
    const int targets = grid_->count() - 1;
    for (int i = 0; i < grid_->count(); ++i) {
        auto* tile = grid_->tile(i);
        tile->setMarker(i == pointTarget_ && point_ ? point_ : std::nullopt);
        cv::Mat map;
        if (i > 0 && view.mode == OverlayMode::ReferenceShare) map = overlays_.shareMap(view, i - 1);
        if (i > 0 && view.mode == OverlayMode::TokenAttention) map = overlays_.tokenMap(view, i - 1);
        tile->setOverlay(map.empty() ? QImage() : heatMap(map, QSize(128, 128), view.mode == OverlayMode::ReferenceShare ? 1.0 : 0),
                         view.opacity);
    }
    // Point mode: where the chosen point of a target attends, drawn over the reference.
    if (grid_->count() > 0 && view.mode == OverlayMode::PointAttention && point_ && pointTarget_ > 0 && pointTarget_ <= targets) {
        QPointF snapped;
        const auto map = overlays_.pointMap(view, pointTarget_ - 1, *point_, pointIsLive_, &snapped);
        grid_->tile(0)->setOverlay(map.empty() ? QImage() : heatMap(map, QSize(128, 128)), view.opacity);
        if (!map.empty() && !pointIsLive_) grid_->tile(pointTarget_)->setMarker(snapped);
        overlayPanel_->setPointHint(map.empty() ? tr("No map for this point yet: it is recorded during the next run.")
                                                : pointIsLive_ ? tr("Point followed live during the run.")
                                                               : tr("Nearest recorded point (8 × 8 grid of the last step)."));
    }
}

void MainWindow::onPointPicked(int index, QPointF point) {
    if (index == 0) return;  // points are chosen on new images; their maps are drawn over the reference
    point_ = point;
    pointTarget_ = index;
    pointIsLive_ = running_;
    if (auto* w = worker()) w->setProbePoint(static_cast<float>(point.x()), static_cast<float>(point.y()));
    overlayPanel_->setMode(OverlayMode::PointAttention);
    refreshOverlays();
}

void MainWindow::rerollImage(int index) {
    if (running_) return;
    seedOverrides_[index] = randomSeed();
    startRun(/*newSeedUnlessLocked=*/false);  // only this image gets a new seed
}

void MainWindow::useImageAsReference(int index) {
    if (!lastResult_ || index >= static_cast<int>(lastResult_->images.size())) return;
    const auto prompts = lastResult_->spec.allPrompts();
    reference_->setImage(lastResult_->images[static_cast<size_t>(index)], tr("image %1 of the last set").arg(index));
    if (!reference_->image().empty() && prompts.size() > static_cast<size_t>(index))
        reference_->setCaption(QString::fromStdString(prompts[static_cast<size_t>(index)]));
}

}  // namespace sa::ui
