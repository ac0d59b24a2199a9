#include "core/schedulers/ddim_scheduler.h"

#include <cmath>

namespace sa {
namespace {

// Float32 betas exactly as diffusers builds them.
torch::Tensor makeBetas(const DDIMSchedulerConfig& c) {
    const auto f32 = torch::kFloat32;
    const int n = c.num_train_timesteps;
    if (!c.trained_betas.empty()) return torch::tensor(c.trained_betas, torch::kFloat64).to(f32);
    if (c.beta_schedule == "linear") return torch::linspace(c.beta_start, c.beta_end, n, f32);
    if (c.beta_schedule == "scaled_linear")
        return torch::linspace(std::sqrt(c.beta_start), std::sqrt(c.beta_end), n, f32).pow(2);
    // squaredcos_cap_v2: betas_for_alpha_bar with the cosine alpha_bar, max_beta 0.999 (float64 math).
    auto alphaBar = [](double t) { return std::pow(std::cos((t + 0.008) / 1.008 * M_PI / 2), 2); };
    std::vector<double> betas;
    for (int i = 0; i < n; ++i) {
        const double t1 = static_cast<double>(i) / n, t2 = static_cast<double>(i + 1) / n;
        betas.push_back(std::min(1 - alphaBar(t2) / alphaBar(t1), 0.999));
    }
    return torch::tensor(betas, torch::kFloat64).to(f32);
}

// diffusers rescale_zero_terminal_snr (arXiv 2305.08891, Algorithm 1).
torch::Tensor rescaleZeroTerminalSnr(const torch::Tensor& betas) {
    auto alphasBarSqrt = (1 - betas).cumprod(0).sqrt();
    auto first = alphasBarSqrt[0].clone(), last = alphasBarSqrt[-1].clone();
    alphasBarSqrt = alphasBarSqrt - last;
    alphasBarSqrt = alphasBarSqrt * first / (first - last);
    auto alphasBar = alphasBarSqrt.pow(2);
    auto alphas = torch::cat({alphasBar.slice(0, 0, 1), alphasBar.slice(0, 1) / alphasBar.slice(0, 0, -1)});
    return 1 - alphas;
}

}  // namespace

DDIMSchedulerConfig DDIMSchedulerConfig::fromJson(const JsonConfig& j) {
    DDIMSchedulerConfig c;
    j.expectOneOf("_class_name", {"DDIMScheduler", "PNDMScheduler", "EulerDiscreteScheduler",
                                  "DPMSolverMultistepScheduler", "LMSDiscreteScheduler",
                                  "EulerAncestralDiscreteScheduler"});
    c.num_train_timesteps = j.get<int>("num_train_timesteps", 1000);
    c.beta_start = j.get<double>("beta_start", 0.0001);
    c.beta_end = j.get<double>("beta_end", 0.02);
    j.expectOneOf("beta_schedule", {"linear", "scaled_linear", "squaredcos_cap_v2"});
    c.beta_schedule = j.get<std::string>("beta_schedule", "linear");
    c.trained_betas = j.get<std::vector<double>>("trained_betas", {});
    if (!c.trained_betas.empty() && static_cast<int>(c.trained_betas.size()) != c.num_train_timesteps)
        fail("{}: trained_betas has {} entries, num_train_timesteps is {}", j.where(), c.trained_betas.size(),
             c.num_train_timesteps);
    c.clip_sample = j.get<bool>("clip_sample", true);
    c.clip_sample_range = j.get<double>("clip_sample_range", 1.0);
    c.set_alpha_to_one = j.get<bool>("set_alpha_to_one", true);
    c.steps_offset = j.get<int>("steps_offset", 0);
    j.expectOneOf("prediction_type", {"epsilon", "v_prediction", "sample"});
    c.prediction_type = j.get<std::string>("prediction_type", "epsilon");
    j.expectOneOf("timestep_spacing", {"linspace", "leading", "trailing"});
    c.timestep_spacing = j.get<std::string>("timestep_spacing", "leading");
    c.rescale_betas_zero_snr = j.get<bool>("rescale_betas_zero_snr", false);
    c.thresholding = j.get<bool>("thresholding", false);
    c.dynamic_thresholding_ratio = j.get<double>("dynamic_thresholding_ratio", 0.995);
    c.sample_max_value = j.get<double>("sample_max_value", 1.0);
    // Keys of other schedulers' configs (a model folder ships e.g. a PNDM config; DDIM is built
    // from the same betas, as diffusers' `DDIMScheduler.from_config` does).
    j.ignore({"skip_prk_steps", "interpolation_type", "use_karras_sigmas", "algorithm_type", "solver_order",
              "solver_type", "lower_order_final", "timestep_type", "sigma_min", "sigma_max", "euler_at_final",
              "use_lu_lambdas", "final_sigmas_type", "variance_type", "lambda_min_clipped", "use_exponential_sigmas",
              "use_beta_sigmas"});
    j.finish();
    return c;
}

DDIMSchedulerConfig DDIMSchedulerConfig::load(const std::filesystem::path& configFile) {
    return fromJson(JsonConfig::load(configFile));
}

nlohmann::json DDIMSchedulerConfig::toJson() const {
    nlohmann::json j = {{"_class_name", "DDIMScheduler"},
                        {"num_train_timesteps", num_train_timesteps},
                        {"beta_start", beta_start},
                        {"beta_end", beta_end},
                        {"beta_schedule", beta_schedule},
                        {"clip_sample", clip_sample},
                        {"clip_sample_range", clip_sample_range},
                        {"set_alpha_to_one", set_alpha_to_one},
                        {"steps_offset", steps_offset},
                        {"prediction_type", prediction_type},
                        {"timestep_spacing", timestep_spacing},
                        {"rescale_betas_zero_snr", rescale_betas_zero_snr},
                        {"thresholding", thresholding},
                        {"dynamic_thresholding_ratio", dynamic_thresholding_ratio},
                        {"sample_max_value", sample_max_value}};
    j["trained_betas"] = trained_betas.empty() ? nlohmann::json(nullptr) : nlohmann::json(trained_betas);
    return j;
}

DDIMScheduler::DDIMScheduler(DDIMSchedulerConfig config) : config_(std::move(config)) {
    auto betas = makeBetas(config_);
    if (config_.rescale_betas_zero_snr) betas = rescaleZeroTerminalSnr(betas);
    alphasCumprod_ = (1 - betas).cumprod(0);
    finalAlphaCumprod_ = config_.set_alpha_to_one ? torch::tensor(1.0f) : alphasCumprod_[0].clone();
}

void DDIMScheduler::setTimesteps(int n) {
    const int total = config_.num_train_timesteps;
    if (n <= 0 || n > total)
        fail("DDIM: num_inference_steps {} must be between 1 and num_train_timesteps {}", n, total);
    numInferenceSteps_ = n;
    timesteps_.clear();
    const auto& spacing = config_.timestep_spacing;
    if (spacing == "linspace") {
        // np.linspace(0, T-1, n).round()[::-1]
        // numpy: i * step with step = (T-1)/(n-1), the last value set to T-1 exactly.
        const double stepSize = n == 1 ? 0.0 : static_cast<double>(total - 1) / (n - 1);
        for (int i = n - 1; i >= 0; --i) {
            const double v = (i == n - 1 && n > 1) ? total - 1 : i * stepSize;
            timesteps_.push_back(static_cast<int64_t>(std::nearbyint(v)));
        }
    } else if (spacing == "leading") {
        const int ratio = total / n;
        for (int i = n - 1; i >= 0; --i) timesteps_.push_back(static_cast<int64_t>(i) * ratio + config_.steps_offset);
    } else {  // trailing: np.round(np.arange(T, 0, -T/n)) - 1
        const double ratio = static_cast<double>(total) / n;
        for (int i = 0; i < n; ++i) timesteps_.push_back(static_cast<int64_t>(std::nearbyint(total - i * ratio)) - 1);
    }
}

torch::Tensor DDIMScheduler::alphaAt(int64_t t) const {
    if (t < 0) return finalAlphaCumprod_;
    if (t >= config_.num_train_timesteps) fail("DDIM: timestep {} is out of range", t);
    return alphasCumprod_[t];
}

DDIMStepOutput DDIMScheduler::step(const torch::Tensor& modelOutput, int64_t timestep, const torch::Tensor& sample,
                                   double eta, const torch::Tensor& varianceNoise) const {
    if (numInferenceSteps_ == 0) fail("DDIM: setTimesteps must be called before step");
    const int64_t prevTimestep = timestep - config_.num_train_timesteps / numInferenceSteps_;
    const auto dev = sample.device();
    auto alphaProdT = alphaAt(timestep).to(dev);
    auto alphaProdTPrev = alphaAt(prevTimestep).to(dev);
    auto betaProdT = 1 - alphaProdT;

    torch::Tensor predOriginal, predEpsilon;
    const auto& type = config_.prediction_type;
    if (type == "epsilon") {
        predOriginal = (sample - betaProdT.pow(0.5) * modelOutput) / alphaProdT.pow(0.5);
        predEpsilon = modelOutput;
    } else if (type == "sample") {
        predOriginal = modelOutput;
        predEpsilon = (sample - alphaProdT.pow(0.5) * predOriginal) / betaProdT.pow(0.5);
    } else {  // v_prediction
        predOriginal = alphaProdT.pow(0.5) * sample - betaProdT.pow(0.5) * modelOutput;
        predEpsilon = alphaProdT.pow(0.5) * modelOutput + betaProdT.pow(0.5) * sample;
    }
    if (config_.thresholding) {
        // Dynamic thresholding (Imagen): per-sample quantile of |x0|, clamped to [1, max].
        auto flat = predOriginal.reshape({predOriginal.size(0), -1}).abs().to(torch::kFloat32);
        auto s = torch::quantile(flat, config_.dynamic_thresholding_ratio, 1)
                     .clamp(1.0, config_.sample_max_value)
                     .unsqueeze(1);
        auto shaped = predOriginal.reshape({predOriginal.size(0), -1});
        predOriginal = (torch::clamp(shaped, -s, s) / s).reshape(predOriginal.sizes()).to(sample.scalar_type());
    } else if (config_.clip_sample) {
        predOriginal = predOriginal.clamp(-config_.clip_sample_range, config_.clip_sample_range);
    }
    auto betaProdTPrev = 1 - alphaProdTPrev;
    auto variance = (betaProdTPrev / betaProdT) * (1 - alphaProdT / alphaProdTPrev);
    auto stdDevT = eta * variance.pow(0.5);
    auto direction = (1 - alphaProdTPrev - stdDevT.pow(2)).pow(0.5) * predEpsilon;
    auto prev = alphaProdTPrev.pow(0.5) * predOriginal + direction;
    if (eta > 0) {
        if (!varianceNoise.defined()) fail("DDIM: eta > 0 needs variance noise");
        prev = prev + stdDevT * varianceNoise;
    }
    return {prev, predOriginal};
}

torch::Tensor DDIMScheduler::inverseStep(const torch::Tensor& modelOutput, int64_t timestep,
                                         const torch::Tensor& sample) const {
    if (numInferenceSteps_ == 0) fail("DDIM: setTimesteps must be called before inverseStep");
    // inversion.py: (t, t_next) = (min(t - T/n, 999), t)
    const int64_t current = std::min<int64_t>(timestep - config_.num_train_timesteps / numInferenceSteps_, 999);
    const int64_t next = timestep;
    const auto dev = sample.device();
    auto alphaProdT = alphaAt(current).to(dev);
    auto alphaProdTNext = alphaAt(next).to(dev);
    auto betaProdT = 1 - alphaProdT;
    auto nextOriginal = (sample - betaProdT.pow(0.5) * modelOutput) / alphaProdT.pow(0.5);
    auto nextDirection = (1 - alphaProdTNext).pow(0.5) * modelOutput;
    return alphaProdTNext.pow(0.5) * nextOriginal + nextDirection;
}

}  // namespace sa
