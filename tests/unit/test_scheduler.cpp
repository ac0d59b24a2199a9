// DDIMScheduler beyond the golden case (which covers "leading" spacing and epsilon prediction):
// the other spacings, prediction types, zero-terminal-SNR rescaling and the inversion step.
#include <gtest/gtest.h>

#include "core/schedulers/ddim_scheduler.h"

using namespace sa;

namespace {

DDIMSchedulerConfig sdConfig() {
    DDIMSchedulerConfig c;
    c.beta_start = 0.00085;
    c.beta_end = 0.012;
    c.beta_schedule = "scaled_linear";
    c.clip_sample = false;
    c.set_alpha_to_one = false;
    return c;
}

std::vector<int64_t> timesteps(DDIMSchedulerConfig c, const std::string& spacing, int steps, int offset = 0) {
    c.timestep_spacing = spacing;
    c.steps_offset = offset;
    DDIMScheduler s(c);
    s.setTimesteps(steps);
    return s.timesteps();
}

TEST(DDIM, TimestepSpacings) {
    // diffusers: linspace → np.linspace(0, 999, n).round()[::-1]; trailing → round(arange(1000, 0, -1000/n)) - 1
    EXPECT_EQ(timesteps(sdConfig(), "linspace", 10), (std::vector<int64_t>{999, 888, 777, 666, 555, 444, 333, 222, 111, 0}));
    EXPECT_EQ(timesteps(sdConfig(), "trailing", 10), (std::vector<int64_t>{999, 899, 799, 699, 599, 499, 399, 299, 199, 99}));
    EXPECT_EQ(timesteps(sdConfig(), "leading", 4, 1), (std::vector<int64_t>{751, 501, 251, 1}));
    EXPECT_EQ(timesteps(sdConfig(), "trailing", 3), (std::vector<int64_t>{999, 666, 332}));
    EXPECT_EQ(timesteps(sdConfig(), "linspace", 4), (std::vector<int64_t>{999, 666, 333, 0}));
    EXPECT_THROW(timesteps(sdConfig(), "leading", 0), Error);
    EXPECT_THROW(timesteps(sdConfig(), "leading", 1001), Error);
}

// A model that predicts exactly (ε, x0 or v) makes the step recover x0 for every prediction type.
TEST(DDIM, PredictionTypesRecoverTheCleanSample) {
    torch::manual_seed(0);
    auto x0 = torch::randn({2, 4, 8, 8}), eps = torch::randn({2, 4, 8, 8});
    for (const std::string type : {"epsilon", "sample", "v_prediction"}) {
        auto c = sdConfig();
        c.prediction_type = type;
        DDIMScheduler s(c);
        s.setTimesteps(10);
        const int64_t t = s.timesteps()[3];
        auto a = s.alphasCumprod()[t];
        auto xt = a.sqrt() * x0 + (1 - a).sqrt() * eps;
        auto output = type == "epsilon" ? eps : type == "sample" ? x0 : a.sqrt() * eps - (1 - a).sqrt() * x0;
        auto step = s.step(output, t, xt);
        EXPECT_TRUE(torch::allclose(step.predOriginalSample, x0, 1e-4, 1e-4)) << type;
        auto prev = s.alphasCumprod()[t - 100];
        EXPECT_TRUE(torch::allclose(step.prevSample, prev.sqrt() * x0 + (1 - prev).sqrt() * eps, 1e-4, 1e-4)) << type;
    }
}

TEST(DDIM, ClipSampleAndFinalAlpha) {
    auto c = sdConfig();
    c.clip_sample = true;
    c.clip_sample_range = 0.5;
    c.prediction_type = "sample";
    DDIMScheduler s(c);
    s.setTimesteps(10);
    auto out = s.step(torch::full({1, 4, 2, 2}, 3.0), s.timesteps()[0], torch::zeros({1, 4, 2, 2}));
    EXPECT_FLOAT_EQ(out.predOriginalSample.max().item<float>(), 0.5f);
    c.set_alpha_to_one = true;
    EXPECT_FLOAT_EQ(DDIMScheduler(c).finalAlphaCumprod().item<float>(), 1.0f);
    c.set_alpha_to_one = false;
    DDIMScheduler t(c);
    EXPECT_FLOAT_EQ(t.finalAlphaCumprod().item<float>(), t.alphasCumprod()[0].item<float>());
}

TEST(DDIM, RescaleZeroTerminalSnr) {
    auto c = sdConfig();
    c.rescale_betas_zero_snr = true;
    DDIMScheduler s(c);
    EXPECT_NEAR(s.alphasCumprod()[-1].item<float>(), 0.0f, 1e-6);
    EXPECT_NEAR(s.alphasCumprod()[0].item<float>(), DDIMScheduler(sdConfig()).alphasCumprod()[0].item<float>(), 1e-6);
}

// The inversion step undoes a DDIM step when the model output is the same (eta = 0).
TEST(DDIM, InverseStepUndoesStep) {
    torch::manual_seed(1);
    DDIMScheduler s(sdConfig());
    s.setTimesteps(10);
    auto x = torch::randn({1, 4, 8, 8}), eps = torch::randn({1, 4, 8, 8});
    const int64_t t = s.timesteps()[4];  // x at t → x at t - 100 → back at t
    auto back = s.inverseStep(eps, t, s.step(eps, t, x).prevSample);
    EXPECT_TRUE(torch::allclose(back, x, 1e-4, 1e-4));
}

TEST(DDIM, ConfigErrors) {
    EXPECT_THROW(DDIMSchedulerConfig::fromJson(JsonConfig({{"prediction_type", "x"}}, "s.json")), Error);
    EXPECT_THROW(DDIMSchedulerConfig::fromJson(JsonConfig({{"beta_schedule", "cosine"}}, "s.json")), Error);
    EXPECT_THROW(DDIMSchedulerConfig::fromJson(JsonConfig({{"trained_betas", {0.1, 0.2}}}, "s.json")), Error);
    EXPECT_NO_THROW(DDIMSchedulerConfig::fromJson(JsonConfig({{"_class_name", "PNDMScheduler"}, {"skip_prk_steps", true}}, "s.json")));
}

}  // namespace
