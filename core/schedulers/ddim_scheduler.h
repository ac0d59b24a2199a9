#pragma once
// DDIMScheduler (diffusers schedulers/scheduling_ddim.py, v0.25) and the DDIM inversion step of
// google/style-aligned inversion.py (`_next_step`). A pure object: the sampling loop lives in
// core/pipeline.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/io/json_config.h"

namespace sa {

struct DDIMSchedulerConfig {
    int num_train_timesteps = 1000;
    double beta_start = 0.0001;
    double beta_end = 0.02;
    std::string beta_schedule = "linear";  // linear | scaled_linear | squaredcos_cap_v2
    std::vector<double> trained_betas;     // empty: use beta_schedule
    bool clip_sample = true;
    double clip_sample_range = 1.0;
    bool set_alpha_to_one = true;
    int steps_offset = 0;
    std::string prediction_type = "epsilon";  // epsilon | v_prediction | sample
    std::string timestep_spacing = "leading";  // linspace | leading | trailing
    bool rescale_betas_zero_snr = false;
    bool thresholding = false;
    double dynamic_thresholding_ratio = 0.995;
    double sample_max_value = 1.0;

    static DDIMSchedulerConfig fromJson(const JsonConfig& json);
    static DDIMSchedulerConfig load(const std::filesystem::path& configFile);
    nlohmann::json toJson() const;
};

struct DDIMStepOutput {
    torch::Tensor prevSample;
    torch::Tensor predOriginalSample;
};

class DDIMScheduler {
public:
    explicit DDIMScheduler(DDIMSchedulerConfig config);

    void setTimesteps(int numInferenceSteps);
    const std::vector<int64_t>& timesteps() const { return timesteps_; }
    int numInferenceSteps() const { return numInferenceSteps_; }

    // One reverse step x_t → x_{t-Δ}. With eta > 0 `generator` noise is added (variance_noise).
    DDIMStepOutput step(const torch::Tensor& modelOutput, int64_t timestep, const torch::Tensor& sample,
                        double eta = 0.0, const torch::Tensor& varianceNoise = {}) const;
    // One DDIM inversion step x_{t-Δ} → x_t, exactly inversion.py's `_next_step` (epsilon models).
    torch::Tensor inverseStep(const torch::Tensor& modelOutput, int64_t timestep, const torch::Tensor& sample) const;

    const torch::Tensor& alphasCumprod() const { return alphasCumprod_; }  // [T] float32
    const torch::Tensor& finalAlphaCumprod() const { return finalAlphaCumprod_; }  // 0-d float32
    float initNoiseSigma() const { return 1.0f; }
    const DDIMSchedulerConfig& config() const { return config_; }

private:
    torch::Tensor alphaAt(int64_t timestep) const;  // alphas_cumprod[t], or the final alpha for t < 0
    DDIMSchedulerConfig config_;
    torch::Tensor alphasCumprod_;
    torch::Tensor finalAlphaCumprod_;
    std::vector<int64_t> timesteps_;
    int numInferenceSteps_ = 0;
};

}  // namespace sa
