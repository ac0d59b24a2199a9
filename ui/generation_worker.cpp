#include "ui/generation_worker.h"

#include <chrono>
#include <cmath>

#include "core/common/runtime.h"
#include "core/eval/judge.h"
#include "core/io/image.h"
#include "core/pipeline/reference_cache.h"
#include "core/pipeline/set_adapters.h"
#include "core/pipeline/set_request.h"
#include "core/pipeline/stable_diffusion_model.h"
#include "core/pipeline/style_aligned_pipeline.h"

namespace sa::ui {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::vector<LayerInfo> describeLayers(const UNet2DConditionModelImpl& unet) {
    const auto& config = unet.config();
    const int blocks = static_cast<int>(config.block_out_channels.size());
    std::vector<LayerInfo> layers;
    for (const auto& path : unet.selfAttentionPaths()) {
        LayerInfo info{path, layerBlock(path), config.sample_size};
        const auto block = info.block;
        if (block == "mid_block") {
            info.grid = config.sample_size >> (blocks - 1);
        } else {
            const int index = std::stoi(block.substr(block.find('.') + 1));
            info.grid = config.sample_size >> (block.rfind("down", 0) == 0 ? index : blocks - 1 - index);
        }
        layers.push_back(info);
    }
    return layers;
}

// BPE tokens of a prompt as a reader sees them ("fish</w>" → "fish"), at most the model's 75.
std::vector<std::string> readableTokens(const ClipTokenizer& tokenizer, const std::string& prompt) {
    std::vector<std::string> out;
    for (auto token : tokenizer.tokenize(prompt)) {
        if (token.size() >= 4 && token.compare(token.size() - 4, 4, "</w>") == 0) token.resize(token.size() - 4);
        out.push_back(token);
        if (static_cast<int>(out.size()) == tokenizer.maxLength() - 2) break;
    }
    return out;
}

// 8 × 8 query points: after a run the overlays answer a click from the nearest of them.
std::vector<std::array<float, 2>> pointGrid() {
    std::vector<std::array<float, 2>> grid;
    for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 8; ++x) grid.push_back({(x + 0.5f) / 8, (y + 0.5f) / 8});
    return grid;
}

}  // namespace

std::vector<std::string> ModelInfo::selfAttentionPaths() const {
    std::vector<std::string> paths;
    for (const auto& layer : layers) paths.push_back(layer.path);
    return paths;
}

GenerationWorker::GenerationWorker()
    : cache_(std::make_unique<ReferenceCache>()),
      controlNets_(std::make_unique<ControlNetCache>()),
      points_(std::make_shared<LivePoints>()) {
    qRegisterMetaType<sa::ui::CheckpointOptions>();
    qRegisterMetaType<sa::ui::ModelInfo>();
    qRegisterMetaType<sa::ui::StudioRequest>();
    qRegisterMetaType<sa::ui::RunInfo>();
    qRegisterMetaType<sa::ui::StepUpdate>();
    qRegisterMetaType<sa::ui::SetResult>();
    qRegisterMetaType<sa::ui::SetMeasures>();
    qRegisterMetaType<sa::ui::VisionRole>();
    qRegisterMetaType<sa::ui::VisionModelInfo>();
    qRegisterMetaType<sa::ui::LoraCheck>();
    qRegisterMetaType<cv::Mat>();
}

GenerationWorker::~GenerationWorker() = default;

void GenerationWorker::publishPoints() {
    std::vector<std::array<float, 2>> points;
    if (userPoint_) points.push_back(*userPoint_);
    if (gridActive_)
        for (const auto& p : pointGrid()) points.push_back(p);
    points_->set(points);
}

void GenerationWorker::setProbePoint(float x, float y) {
    std::lock_guard lock(pointsMutex_);
    userPoint_ = std::array<float, 2>{x, y};
    publishPoints();
}

void GenerationWorker::clearProbePoint() {
    std::lock_guard lock(pointsMutex_);
    userPoint_.reset();
    publishPoints();
}

void GenerationWorker::loadModel(const QString& path, const QString& device, const CheckpointOptions& checkpoint) {
    try {
        configureRuntime(0);
        LoadOptions options;
        options.device = selectDevice(device.toStdString());
        checkpoint.applyTo(options);
        options.cancel = &loadCancel_;
        // The loader reports after every tensor: pass on at most one report per 50 ms (and the last).
        std::optional<Clock::time_point> lastReport;
        options.progress = [&](double fraction, const std::string& what) {
            const auto now = Clock::now();
            if (lastReport && now - *lastReport < std::chrono::milliseconds(50) && fraction < 1.0) return;
            lastReport = now;
            emit loadProgress(fraction, QString::fromStdString(what));
        };
        auto model = StableDiffusionModel::load(path.toStdString(), options);
        std::unique_ptr<Judge> judge;
        const auto judgeFolder = model->folder / "judge";
        if (!model->singleFile && std::filesystem::exists(judgeFolder / "config.json"))
            judge = std::make_unique<Judge>(Judge::load(judgeFolder));
        // Everything the window is told is computed before the swap: a failure here keeps the old model.
        ModelInfo info;
        info.folder = path;
        info.singleFile = model->singleFile;
        info.options = model->singleFile ? checkpoint : CheckpointOptions{};
        info.layers = describeLayers(*model->unet);
        const auto size = resolveRequest(*model, GenerationRequest{.prompts = {"x"}});
        info.width = size.width;
        info.height = size.height;
        info.hasCaptioner = static_cast<bool>(judge);
        info.summary = QString::fromStdString(model->summary());
        loadCancel_.throwIfCancelled();  // the last chance to keep the old model
        model_ = std::move(model);
        judge_ = std::move(judge);
        cache_->clear();
        controlNets_->clear();  // made for the old model's UNet
        for (const auto& note : model_->notes) info.notes << QString::fromStdString(note);
        info.description = QString::fromStdString(fmt::format("{} · {}×{} · {} self-attention layers · {}", model_->summary(),
                                                              info.width, info.height, info.layers.size(), options.device.str()));
        emit modelLoaded(info);
    } catch (const Cancelled&) {
        emit modelLoadCancelled(path);
    } catch (const std::exception& e) {
        emit modelFailed(path, QString::fromUtf8(e.what()));
    }
}

void GenerationWorker::clearCache() { cache_->clear(); }

void GenerationWorker::generate(const StudioRequest& studio) {
    const auto started = Clock::now();
    // Whatever happens, the grid of query points is for one run's last step only.
    struct GridOff {
        GenerationWorker* w;
        ~GridOff() {
            std::lock_guard lock(w->pointsMutex_);
            w->gridActive_ = false;
            w->publishPoints();
        }
    } gridOff{this};
    try {
        if (!model_) fail("no model is loaded: choose a model folder first");
        SetResult out;
        out.spec = studio.spec;
        out.controlSources = studio.controlSources;
        auto request = requestFromSpec(*model_, out.spec, studio.reference, &out.reference);
        // Before the cache lookup: the LoRAs and a control of the reference are part of its key.
        auto notes = applyAdapters(studio, out.spec, request);
        if (out.spec.panorama) return generatePanoramas(studio, out, request, std::move(notes), started);
        const auto& g = request.generation;
        const int steps = g.steps, images = static_cast<int>(g.prompts.size()), targets = images - 1;
        const bool withImage = request.referenceImage.defined();
        // The pipeline caches the reference branch unless the plan needs the whole batch at once.
        const bool cacheable = !request.plan.fullAttentionShare && images > 1;
        const bool cached = cacheable && cache_->contains(referenceKey(*model_, request));

        RunInfo info{images, steps, cached, {}, std::move(notes)};
        std::vector<int> tokenCounts;
        for (int t = 1; t < images; ++t) {
            info.tokens.push_back(readableTokens(*model_->tokenizer, g.prompts[static_cast<size_t>(t)]));
            tokenCounts.push_back(static_cast<int>(info.tokens.back().size()));
        }
        emit runStarted(info);
        if (studio.overlays) {
            request.probe = AttentionProbe{.crossAttention = true, .livePoints = points_};
        }

        const int inversionUnits = withImage && !cached ? steps : 0;
        const int referenceUnits = cacheable && !cached ? steps : 0;
        const int units = inversionUnits + referenceUnits + steps;
        const auto layers = model_->unet->selfAttentionPaths();
        double decodeSeconds = 0;
        int decodeEvery = 1;
        StepCallback callback = [&](StepEvent& e) {
            StepUpdate u;
            u.step = e.step;
            u.total = e.total;
            u.stepSeconds = e.seconds;
            u.units = units;
            switch (e.phase) {
                case StepPhase::Inversion: u.phase = RunPhase::Inversion; u.done = e.step + 1; break;
                case StepPhase::Reference: u.phase = RunPhase::Reference; u.done = inversionUnits + e.step + 1; break;
                case StepPhase::Generation:
                    u.phase = RunPhase::Generation;
                    u.done = inversionUnits + referenceUnits + e.step + 1;
                    break;
            }
            u.elapsed = secondsSince(started);
            u.eta = u.elapsed / u.done * (units - u.done);
            // Previews cost a VAE decode: keep them under a quarter of the step time.
            const bool last = e.step + 1 == e.total;
            if (e.x0Preview.defined() && (e.step % decodeEvery == 0 || last)) {
                const auto t0 = Clock::now();
                auto previews = tensorToImages(decodeLatents(*model_, e.x0Preview, g.vaeTiling, &cancel_));
                decodeSeconds = secondsSince(t0);
                decodeEvery = std::max(1, static_cast<int>(std::ceil(decodeSeconds / std::max(1e-3, 0.25 * e.seconds))));
                for (size_t i = 0; i < previews.size(); ++i) u.previews[static_cast<int>(i)] = previews[i];
            }
            if (!e.maps.empty()) u.attention = summarizeAttention(e.maps, layers, targets, tokenCounts);
            // Before the last set step: add a grid of query points so that clicks after the run
            // have an answer.
            if (studio.overlays && e.phase == StepPhase::Generation && e.step + 2 == e.total) {
                std::lock_guard lock(pointsMutex_);
                gridActive_ = true;
                publishPoints();
            }
            emit stepped(u);
        };
        auto result = StyleAlignedPipeline(model_).generate(request, callback, &cancel_, true, cacheable ? cache_.get() : nullptr);
        out.images = tensorToImages(result.images);
        out.referenceFromCache = result.referenceFromCache;
        out.referenceSeconds = result.referenceSeconds;
        out.totalSeconds = secondsSince(started);
        if (judge_) {
            const auto verdicts = judge_->judge(result.images);
            const bool looks = judge_->config().style_variants > 1;
            for (const auto& v : verdicts)
                out.verdicts.push_back({judge_->subjectName(v.subject), judge_->styleName(v.style), looks ? v.variant + 1 : 0,
                                        v.subjectConfidence, v.styleConfidence, sameLook(v, verdicts.front())});
        }
        emit finished(out);
        // The paper's measures come after the images: the set is on screen while they compute.
        if (clip_ || dino_) emit measured(measure(out, studio.subjects));
    } catch (const Cancelled&) {
        emit cancelled();
    } catch (const std::exception& e) {
        emit failed(QString::fromUtf8(e.what()));
    }
}

WorkerThread::WorkerThread() : worker_(new GenerationWorker) {
    thread_.setObjectName("generation");
    worker_->moveToThread(&thread_);
    QObject::connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_.start();
}

WorkerThread::~WorkerThread() { stop(); }

void WorkerThread::stop() {
    if (!thread_.isRunning()) return;
    worker_->cancel();
    thread_.quit();
    thread_.wait();
    worker_ = nullptr;  // deleted with the thread (QThread::finished → deleteLater)
}

}  // namespace sa::ui
