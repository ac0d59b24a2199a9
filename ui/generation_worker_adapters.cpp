// GenerationWorker: what a set asks beyond prompts — LoRAs, a ControlNet and MultiDiffusion
// panoramas — applied exactly as the CLI applies them (core/pipeline/set_adapters.h), so that a set
// made here reproduces with `stylealigned generate --set` and the other way round.
#include "ui/generation_worker.h"

#include <cmath>

#include <QFileInfo>

#include "core/io/image.h"
#include "core/models/lora.h"
#include "core/pipeline/panorama.h"
#include "core/pipeline/set_adapters.h"
#include "core/pipeline/stable_diffusion_model.h"

namespace sa::ui {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

void GenerationWorker::checkLora(const QString& file) {
    LoraCheck check{.file = file};
    try {
        if (!model_) fail("{}: no model is loaded; a LoRA is checked against the model it adapts", file.toStdString());
        const auto lora = readLora(file.toStdString(), model_->loraNetworks());
        check.format = loraFormatName(lora.format);
        check.layers = static_cast<int>(lora.layers.size());
    } catch (const std::exception& e) {
        check.error = QString::fromUtf8(e.what());
        // The message names the file for the user, whatever part of core wrote it.
        if (!check.error.contains(QFileInfo(file).fileName())) check.error = file + ": " + check.error;
    }
    emit loraChecked(check);
}

std::vector<std::string> GenerationWorker::applyAdapters(const StudioRequest& studio, const ImageSetSpec& spec,
                                                         StyleAlignedRequest& request) {
    std::vector<std::string> notes;
    applyLoras(*model_, spec.loras, /*allowUnmatched=*/false, &notes);
    if (spec.control) {
        auto& g = request.generation;
        const auto& net = controlNets_->get(*model_, spec.control->model);
        notes.insert(notes.end(), net.notes.begin(), net.notes.end());
        g.control = controlRequest(*spec.control, net, controlMaps(*spec.control, studio.controlSources), g.width, g.height,
                                   &notes);
    }
    return notes;
}

void GenerationWorker::generatePanoramas(const StudioRequest& studio, SetResult& out, const StyleAlignedRequest& request,
                                         std::vector<std::string> notes, Clock::time_point started) {
    const auto requests = panoramaRequests(*model_, out.spec, request);
    const int parts = static_cast<int>(requests.size()), steps = out.spec.steps, units = parts * steps;
    RunInfo info{.images = parts + 1, .steps = steps, .notes = std::move(notes), .panoramas = parts};
    emit runStarted(info);
    const bool circular = out.spec.panorama->circular;
    int decodeEvery = 1;
    PanoramaSetCallback callback = [&](int part, PanoramaStepEvent& e) {
        const auto& tiling = requests[static_cast<size_t>(part)].vaeTiling;
        StepUpdate u{.phase = RunPhase::Panorama, .step = e.step, .total = e.total};
        u.part = part;
        u.parts = parts;
        u.units = units;
        u.done = part * steps + e.step + 1;
        u.stepSeconds = e.seconds;
        u.elapsed = secondsSince(started);
        u.eta = u.elapsed / u.done * (units - u.done);
        // The whole panorama's predicted clean image (and the reference's, once): a decode of a
        // wide image costs, so keep previews under a quarter of the step time.
        if (e.step % decodeEvery == 0 || e.step + 1 == e.total) {
            const auto t0 = Clock::now();
            u.previews[part + 1] = tensorToImage(decodePanorama(*model_, e.x0Preview, circular, tiling, &cancel_)[0]);
            if (part == 0) u.previews[0] = tensorToImage(decodeLatents(*model_, e.referenceX0Preview, tiling, &cancel_)[0]);
            const double decodeSeconds = secondsSince(t0);
            decodeEvery = std::max(1, static_cast<int>(std::ceil(decodeSeconds / std::max(1e-3, 0.25 * e.seconds))));
        }
        emit stepped(u);
    };
    out.images = generatePanoramaSet(model_, requests, callback, &cancel_);
    out.totalSeconds = secondsSince(started);
    emit finished(out);  // the demo judge sees square images of the model's size: no verdicts for panoramas
    if (clip_ || dino_) emit measured(measure(out, studio.subjects));
}

}  // namespace sa::ui
