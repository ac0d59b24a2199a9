#include "app/train/train_support.h"

#include <fstream>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "core/io/files.h"
#include "core/io/image.h"

namespace sa::train {

torch::Tensor sampleTensor(const cv::Mat& bgr) { return imageToTensor(bgr).squeeze(0); }

Batch makeBatch(const data::ProceduralDataset& dataset, int64_t first, int64_t count) {
    Batch b;
    std::vector<torch::Tensor> images;
    std::vector<int64_t> subjects, styles, variants;
    for (int64_t i = 0; i < count; ++i) {
        auto s = dataset.at(first + i);
        images.push_back(sampleTensor(s.image));
        subjects.push_back(s.subject);
        styles.push_back(s.style);
        variants.push_back(s.variant);
        b.captions.push_back(s.caption);
    }
    b.images = torch::stack(images);
    b.subjects = torch::tensor(subjects, torch::kLong);
    b.styles = torch::tensor(styles, torch::kLong);
    b.variants = torch::tensor(variants, torch::kLong);
    return b;
}

BatchStream::BatchStream(const data::ProceduralDataset& dataset, int batchSize, int firstStep)
    : dataset_(dataset), batchSize_(batchSize), step_(firstStep), pending_(fetch(firstStep)) {}

std::future<Batch> BatchStream::fetch(int step) {
    return std::async(std::launch::async, [this, step] { return makeBatch(dataset_, int64_t{step} * batchSize_, batchSize_); });
}

Batch BatchStream::next() {
    auto batch = pending_.get();
    pending_ = fetch(++step_);
    return batch;
}

int Checkpoint::load(torch::nn::Module& module, torch::optim::Optimizer& optimizer) const {
    const auto file = folder_ / (name_ + ".ckpt");
    if (!fs::exists(file)) return 0;
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    module.load(archive);
    torch::serialize::InputArchive optimizerArchive;
    archive.read("optimizer", optimizerArchive);
    optimizer.load(optimizerArchive);
    torch::Tensor step;
    archive.read("step", step);
    return static_cast<int>(step.item<int64_t>());
}

int Checkpoint::loadModule(torch::nn::Module& module) const {
    const auto file = folder_ / (name_ + ".ckpt");
    if (!fs::exists(file)) fail("no checkpoint {} (train the '{}' stage first)", file.string(), name_);
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    module.load(archive);
    torch::Tensor step;
    archive.read("step", step);
    return static_cast<int>(step.item<int64_t>());
}

void Checkpoint::save(torch::nn::Module& module, torch::optim::Optimizer& optimizer, int step) const {
    fs::create_directories(folder_);
    torch::serialize::OutputArchive archive, optimizerArchive;
    module.save(archive);
    optimizer.save(optimizerArchive);
    archive.write("optimizer", optimizerArchive);
    archive.write("step", torch::tensor(int64_t{step}));
    const auto file = folder_ / (name_ + ".ckpt");
    archive.save_to((file.string() + ".partial"));
    fs::rename(file.string() + ".partial", file);
}

LossLog::LossLog(fs::path csv, int resumeAt) : csv_(std::move(csv)) {
    fs::create_directories(csv_.parent_path());
    if (resumeAt <= 0 || !fs::exists(csv_)) {
        std::ofstream(csv_, std::ios::trunc);
        return;
    }
    std::ifstream in(csv_);
    std::string header, line;
    if (std::getline(in, header)) {
        std::stringstream names(header);
        std::string name;
        std::getline(names, name, ',');  // "step"
        while (std::getline(names, name, ',')) names_.push_back(name);
    }
    // Rows from before the checkpoint only: steps logged after it (a run killed between checkpoints)
    // are trained again, and the curve must not run back over them.
    std::string kept = header.empty() ? "" : header + "\n";
    while (std::getline(in, line)) {
        std::stringstream row(line);
        std::string cell;
        std::getline(row, cell, ',');
        const int step = std::stoi(cell);
        if (step >= resumeAt) continue;
        std::vector<double> values;
        while (std::getline(row, cell, ',')) values.push_back(std::stod(cell));
        rows_.emplace_back(step, values);
        kept += line + "\n";
    }
    in.close();
    writeFileAtomically(csv_, kept);
}

void LossLog::add(int step, const std::map<std::string, double>& values) {
    const bool first = names_.empty();
    if (first)
        for (const auto& [name, v] : values) names_.push_back(name);
    std::vector<double> row;
    for (const auto& name : names_) row.push_back(values.count(name) ? values.at(name) : 0.0);
    rows_.emplace_back(step, row);
    std::ofstream out(csv_, std::ios::app);
    if (first && fs::file_size(csv_) == 0) out << "step," << fmt::format("{}", fmt::join(names_, ",")) << "\n";
    out << step << "," << fmt::format("{}", fmt::join(row, ",")) << "\n";
}

void LossLog::plot(const fs::path& png, const std::string& title) const {
    const int w = 800, h = 480, left = 70, right = 20, top = 40, bottom = 50;
    cv::Mat canvas(h, w, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::putText(canvas, title, {left, 25}, cv::FONT_HERSHEY_SIMPLEX, 0.6, {0, 0, 0}, 1, cv::LINE_AA);
    if (rows_.size() < 2) {
        writeImage(png, canvas);
        return;
    }
    // Log-scale y of exponentially smoothed series.
    const cv::Scalar colours[] = {{200, 80, 30}, {30, 140, 30}, {30, 30, 200}, {150, 0, 150}, {0, 150, 150}};
    std::vector<std::vector<double>> smooth(names_.size());
    double lo = 1e30, hi = -1e30;
    for (size_t k = 0; k < names_.size(); ++k) {
        double ema = rows_.front().second[k];
        for (const auto& [step, values] : rows_) {
            ema = 0.95 * ema + 0.05 * values[k];
            smooth[k].push_back(std::log10(std::max(ema, 1e-8)));
            lo = std::min(lo, smooth[k].back());
            hi = std::max(hi, smooth[k].back());
        }
    }
    if (hi - lo < 1e-6) hi = lo + 1;
    const double s0 = rows_.front().first, s1 = std::max<double>(rows_.back().first, s0 + 1);
    auto px = [&](double step) { return left + static_cast<int>((step - s0) / (s1 - s0) * (w - left - right)); };
    auto py = [&](double v) { return top + static_cast<int>((hi - v) / (hi - lo) * (h - top - bottom)); };
    cv::rectangle(canvas, {left, top}, {w - right, h - bottom}, {0, 0, 0});
    for (int i = 0; i <= 4; ++i) {
        const double v = lo + (hi - lo) * i / 4;
        cv::putText(canvas, fmt::format("{:.2g}", std::pow(10.0, v)), {5, py(v) + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.4, {0, 0, 0});
    }
    cv::putText(canvas, fmt::format("step {:.0f}", s0), {left, h - 20}, cv::FONT_HERSHEY_SIMPLEX, 0.4, {0, 0, 0});
    cv::putText(canvas, fmt::format("step {:.0f}", s1), {w - right - 90, h - 20}, cv::FONT_HERSHEY_SIMPLEX, 0.4, {0, 0, 0});
    for (size_t k = 0; k < names_.size(); ++k) {
        for (size_t i = 1; i < rows_.size(); ++i)
            cv::line(canvas, {px(rows_[i - 1].first), py(smooth[k][i - 1])}, {px(rows_[i].first), py(smooth[k][i])},
                     colours[k % 5], 1, cv::LINE_AA);
        cv::putText(canvas, names_[k], {w - right - 200, top + 20 + 18 * static_cast<int>(k)}, cv::FONT_HERSHEY_SIMPLEX,
                    0.5, colours[k % 5], 1, cv::LINE_AA);
    }
    writeImage(png, canvas);
}

StageProgress::StageProgress(const TrainOptions& o, const std::string& name, std::string plotTitle, int steps,
                             int saveEvery, torch::nn::Module& module, torch::optim::Optimizer& optimizer)
    : checkpoint_(o.work / "checkpoints", name),
      module_(module),
      optimizer_(optimizer),
      first_(checkpoint_.load(module, optimizer)),
      saved_(first_),
      steps_(steps),
      saveEvery_(saveEvery),
      log_(o.work / (name + "_loss.csv"), first_),
      plot_(o.work / (name + "_loss.png")),
      plotTitle_(std::move(plotTitle)),
      bar_(first_ > 0 ? fmt::format("{} (resumed at {})", name, first_) : name, first_) {}

void StageProgress::stopIfRequested(int step) {
    if (!cli::interruptToken().cancelled()) return;
    if (step > saved_) {
        checkpoint_.save(module_, optimizer_, step);
        log_.plot(plot_, plotTitle_);
    }
    bar_.finish();
    fmt::print(stderr, "checkpoint saved at step {} of {}\n", step, steps_);
    throw Cancelled();
}

void StageProgress::stepDone(int step, const std::map<std::string, double>& losses) {
    log_.add(step, losses);
    bar_.update(step + 1, steps_);
    if ((step + 1) % saveEvery_ == 0 || step + 1 == steps_) {
        checkpoint_.save(module_, optimizer_, step + 1);
        log_.plot(plot_, plotTitle_);
        saved_ = step + 1;
    }
}

void writeJson(const fs::path& file, const nlohmann::json& json) {
    fs::create_directories(file.parent_path());
    writeFileAtomically(file, json.dump(2) + "\n");
}

double learningRate(double base, int step, int total, int warmup) {
    if (step < warmup) return base * (step + 1) / warmup;
    const double progress = static_cast<double>(step - warmup) / std::max(1, total - warmup);
    return base * (0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * std::min(progress, 1.0))));
}

nlohmann::json demoVaeConfig() {
    return {{"_class_name", "AutoencoderKL"}, {"_diffusers_version", "0.25.0"}, {"act_fn", "silu"},
            {"block_out_channels", {16, 32, 64}},
            {"down_block_types", {"DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"}},
            {"up_block_types", {"UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"}},
            {"in_channels", 3}, {"out_channels", 3}, {"latent_channels", 4}, {"layers_per_block", 1},
            {"norm_num_groups", 8}, {"sample_size", 64}, {"scaling_factor", 1.0}, {"force_upcast", true}};
}

nlohmann::json demoTextEncoderConfig() {
    return {{"architectures", {"CLIPTextModel"}}, {"model_type", "clip_text_model"}, {"vocab_size", 49408},
            {"hidden_size", 64}, {"intermediate_size", 256}, {"num_hidden_layers", 3}, {"num_attention_heads", 4},
            {"max_position_embeddings", 77}, {"hidden_act", "quick_gelu"}, {"layer_norm_eps", 1e-5},
            {"projection_dim", 64}, {"bos_token_id", 0}, {"eos_token_id", 2}, {"pad_token_id", 1},
            {"torch_dtype", "float32"}};
}

nlohmann::json demoUNetConfig() {
    return {{"_class_name", "UNet2DConditionModel"}, {"_diffusers_version", "0.25.0"}, {"act_fn", "silu"},
            {"attention_head_dim", 4}, {"block_out_channels", {64, 128, 128}},
            {"down_block_types", {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"}},
            {"up_block_types", {"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"}},
            {"mid_block_type", "UNetMidBlock2DCrossAttn"}, {"cross_attention_dim", 64}, {"in_channels", 4},
            {"out_channels", 4}, {"layers_per_block", 1}, {"norm_num_groups", 16}, {"norm_eps", 1e-5},
            {"sample_size", 16}, {"flip_sin_to_cos", true}, {"freq_shift", 0}, {"downsample_padding", 1},
            {"transformer_layers_per_block", 1}, {"use_linear_projection", false}};
}

nlohmann::json demoSchedulerConfig() {
    return {{"_class_name", "DDIMScheduler"}, {"_diffusers_version", "0.25.0"}, {"beta_start", 0.00085},
            {"beta_end", 0.012}, {"beta_schedule", "scaled_linear"}, {"clip_sample", false},
            {"num_train_timesteps", 1000}, {"prediction_type", "epsilon"}, {"set_alpha_to_one", false},
            {"steps_offset", 1}, {"timestep_spacing", "leading"}, {"trained_betas", nullptr}};
}

nlohmann::json demoModelIndex() {
    return {{"_class_name", "StableDiffusionPipeline"}, {"_diffusers_version", "0.25.0"},
            {"scheduler", {"diffusers", "DDIMScheduler"}}, {"text_encoder", {"transformers", "CLIPTextModel"}},
            {"tokenizer", {"transformers", "CLIPTokenizer"}}, {"unet", {"diffusers", "UNet2DConditionModel"}},
            {"vae", {"diffusers", "AutoencoderKL"}}, {"safety_checker", {nullptr, nullptr}},
            {"feature_extractor", {nullptr, nullptr}}, {"requires_safety_checker", false}};
}

}  // namespace sa::train
