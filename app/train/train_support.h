#pragma once
// Shared pieces of the training tools: data batches, resumable checkpoints, the loss log (CSV +
// PNG plot) and the demo model's fixed configuration.
#include <filesystem>
#include <future>
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "app/cli_support.h"
#include "core/data/procedural_dataset.h"

namespace sa::train {

namespace fs = std::filesystem;

struct TrainOptions {
    fs::path out;    // the folder being built (resources/models/demo, or an add-on's)
    fs::path base;   // add-ons: the demo model they are trained for
    fs::path work;   // checkpoints, logs, previews
    int steps = 0;   // 0: the stage's default
    int batch = 0;
    double lr = 0;
    uint64_t seed = 1234;
    int size = 64;   // image size
};

// A batch of procedural samples: images [B, 3, S, S] in [-1, 1] and labels.
struct Batch {
    torch::Tensor images;
    torch::Tensor subjects, styles, variants;  // int64 [B]
    std::vector<std::string> captions;
};
Batch makeBatch(const data::ProceduralDataset& dataset, int64_t first, int64_t count);

// Batch `step` of an endless stream (batch i holds samples i·size …), prepared on a second thread
// while the current step trains.
class BatchStream {
public:
    BatchStream(const data::ProceduralDataset& dataset, int batchSize, int firstStep);
    Batch next();

private:
    std::future<Batch> fetch(int step);
    const data::ProceduralDataset& dataset_;
    int batchSize_;
    int step_;
    std::future<Batch> pending_;
};

// Sets every parameter group's learning rate (Options: the optimizer's options type).
template <typename Options>
void setLearningRate(torch::optim::Optimizer& optimizer, double lr) {
    for (auto& group : optimizer.param_groups()) static_cast<Options&>(group.options()).lr(lr);
}

// BGR uint8 image ↔ [3, S, S] float in [-1, 1].
torch::Tensor sampleTensor(const cv::Mat& bgr);

// Resumable state: module + optimizer + step, saved atomically every few hundred steps.
class Checkpoint {
public:
    Checkpoint(fs::path folder, std::string name) : folder_(std::move(folder)), name_(std::move(name)) {}
    // Returns the step to continue from (0 when there is no checkpoint).
    int load(torch::nn::Module& module, torch::optim::Optimizer& optimizer) const;
    // The module only (another stage starting from this one); throws when there is no checkpoint.
    int loadModule(torch::nn::Module& module) const;
    void save(torch::nn::Module& module, torch::optim::Optimizer& optimizer, int step) const;

private:
    fs::path folder_;
    std::string name_;
};

// Appends "step,name=value..." rows to a CSV and draws the smoothed curves into a PNG. Resuming at
// step `resumeAt` (> 0) keeps the rows of the steps before it; 0 starts a new CSV.
class LossLog {
public:
    LossLog(fs::path csv, int resumeAt);
    void add(int step, const std::map<std::string, double>& values);
    void plot(const fs::path& png, const std::string& title) const;

private:
    fs::path csv_;
    std::vector<std::string> names_;
    std::vector<std::pair<int, std::vector<double>>> rows_;
};

// What every stage does around its steps: resume from its checkpoint, one loss row and a progress
// update per step, and every `saveEvery` steps (and at the last) the checkpoint and the loss plot.
// A stop request (Ctrl-C, SIGTERM) is honoured at the top of the next step: stopIfRequested saves the
// steps done so far and throws Cancelled, so hours of training lose nothing to a stop, and a stop during
// the last step still lets the stage write its model.
class StageProgress {
public:
    StageProgress(const TrainOptions& options, const std::string& name, std::string plotTitle, int steps,
                  int saveEvery, torch::nn::Module& module, torch::optim::Optimizer& optimizer);
    int firstStep() const { return first_; }
    // Called first in every step (`step`: the steps done so far).
    void stopIfRequested(int step);
    void stepDone(int step, const std::map<std::string, double>& losses);
    void finish() { bar_.finish(); }

private:
    Checkpoint checkpoint_;
    torch::nn::Module& module_;
    torch::optim::Optimizer& optimizer_;
    int first_, saved_, steps_, saveEvery_;
    LossLog log_;
    fs::path plot_;
    std::string plotTitle_;
    cli::ProgressBar bar_;
};

// The demo model's networks (DESIGN §5): 64×64 images, f = 4 latents (4 × 16 × 16).
nlohmann::json demoVaeConfig();
nlohmann::json demoTextEncoderConfig();
nlohmann::json demoUNetConfig();
nlohmann::json demoSchedulerConfig();
nlohmann::json demoModelIndex();

void writeJson(const fs::path& file, const nlohmann::json& json);
// Linear warm-up then cosine decay to 10 %.
double learningRate(double base, int step, int total, int warmup);

int trainVae(const TrainOptions& options);
int trainUNet(const TrainOptions& options);  // every look of every style, balanced
int trainJudge(const TrainOptions& options);
int trainControlNet(const TrainOptions& options);  // add-on: Canny ControlNet for the model in `base`
int trainLora(const TrainOptions& options);        // add-on: the held-out style as a LoRA

}  // namespace sa::train
