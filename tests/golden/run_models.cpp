// Golden runners: unet_*, vae_*, scheduler_ddim.
#include "golden/golden_case.h"

namespace sa::test {
namespace {

RegisterRunner unet("unet_", [](const GoldenCase& c, RunResult& out) {
    torch::NoGradGuard noGrad;
    auto model = cachedModel(c.modelFolder());
    for (const auto& group : c.groups()) {
        if (!c.has(group + "sample")) continue;
        AddedCond added;
        if (c.has(group + "text_embeds")) {
            added.textEmbeds = c.tensor(group + "text_embeds");
            added.timeIds = c.tensor(group + "time_ids");
        }
        std::map<std::string, torch::Tensor> debug;
        out.tensors[group + "noise_pred"] =
            model->unet->forward(c.tensor(group + "sample"), c.tensor(group + "timestep"),
                                 c.tensor(group + "encoder_hidden_states"), added.textEmbeds.defined() ? &added : nullptr,
                                 &debug);
        for (const auto& [name, value] : debug) out.tensors[group + name] = value;
    }
});

RegisterRunner vae("vae_", [](const GoldenCase& c, RunResult& out) {
    torch::NoGradGuard noGrad;
    auto model = cachedModel(c.modelFolder());
    auto dist = model->vae->encode(c.tensor("image"));
    out.tensors["latent_dist.mean"] = dist.mean;
    out.tensors["latent_dist.logvar"] = dist.logvar;
    out.tensors["latent_dist.std"] = dist.std;
    out.tensors["decoded"] = model->vae->decode(c.tensor("latent"));
});

std::vector<int64_t> numbersAfter(const std::string& name, const std::string& prefix) {
    return {std::stoll(name.substr(prefix.size()))};
}

RegisterRunner scheduler("scheduler_ddim", [](const GoldenCase& c, RunResult& out) {
    auto config = DDIMSchedulerConfig::fromJson(JsonConfig(c.params().at("config"), c.name + " params.config"));
    DDIMScheduler model(config);
    out.tensors["alphas_cumprod"] = model.alphasCumprod();
    out.tensors["final_alpha_cumprod"] = model.finalAlphaCumprod().reshape({1});
    // The style-aligned notebooks build DDIMScheduler(beta_start=0.00085, beta_end=0.012,
    // beta_schedule="scaled_linear", clip_sample=False, set_alpha_to_one=False): steps_offset 0.
    auto notebookConfig = config;
    notebookConfig.steps_offset = 0;
    for (const auto& name : c.tensorNames()) {
        for (const auto& [prefix, cfg] : {std::pair{std::string("timesteps_"), config},
                                          std::pair{std::string("notebook_timesteps_"), notebookConfig}}) {
            if (name.rfind(prefix, 0) != 0) continue;
            DDIMScheduler s(cfg);
            s.setTimesteps(static_cast<int>(numbersAfter(name, prefix)[0]));
            out.tensors[name] = torch::tensor(s.timesteps(), torch::kLong);
        }
    }
    model.setTimesteps(c.params().at("step.num_inference_steps").get<int>());
    for (int64_t t : c.params().at("step.timesteps").get<std::vector<int64_t>>()) {
        auto step = model.step(c.tensor("step.model_output"), t, c.tensor("step.sample"));
        out.tensors[fmt::format("step.t{}.prev_sample", t)] = step.prevSample;
        out.tensors[fmt::format("step.t{}.pred_original_sample", t)] = step.predOriginalSample;
    }
});

}  // namespace
}  // namespace sa::test
