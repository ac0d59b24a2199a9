// Golden runner: lora_* — every LoRA file of params.files attached to the case's model: the UNet
// output without LoRA and at each of params.lora_scales, the merged text-encoder (and UNet) weights,
// and the UNet with the LoRA fused into its weights (diffusers' fuse_lora). The layers each file
// reaches are checked against params.loaded. The shared cached model is left without LoRAs.
#include <gtest/gtest.h>

#include <functional>
#include <regex>

#include "core/models/lora.h"
#include "golden/golden_case.h"

namespace sa::test {
namespace {

// Merged weights are recorded at lora_scale 1.0 (README, "Combination cases": pipe.fuse_lora(lora_scale=1.0)).
constexpr double kMergeScale = 1.0;

// Removes every LoRA from the cached model when the runner ends, however it ends.
struct DetachAll {
    StableDiffusionModel& model;
    ~DetachAll() { model.removeAllLoras(); }
};

// diffusers' fuse_lora on the UNet for the length of `run`: each adapted layer's weight replaced by
// its merged weight and its adapters set aside; afterwards both are put back as they were.
torch::Tensor runFused(UNet2DConditionModelImpl& unet, const std::function<torch::Tensor()>& run) {
    struct Saved {
        AdaptableLayer* layer;
        torch::Tensor weight;
        std::vector<LowRankAdapter> adapters;
    };
    std::vector<Saved> saved;
    struct Restore {
        std::vector<Saved>& saved;
        ~Restore() {
            for (auto& s : saved) {
                s.layer->baseWeight().copy_(s.weight);
                s.layer->adapters = std::move(s.adapters);
            }
        }
    } restore{saved};
    for (const auto& [path, layer] : adaptableLayers(unet)) {
        if (layer->adapters.empty()) continue;
        saved.push_back({layer, layer->baseWeight().clone(), layer->adapters});
        layer->baseWeight().copy_(layer->mergedWeight());
        layer->adapters.clear();
    }
    return run();
}

std::vector<std::string> adaptedLayers(torch::nn::Module& network, const std::string& suffix = "") {
    std::vector<std::string> paths;
    for (const auto& [path, layer] : adaptableLayers(network))
        if (!layer->adapters.empty()) paths.push_back(path + suffix);
    std::sort(paths.begin(), paths.end());
    return paths;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

RegisterRunner lora("lora_", [](const GoldenCase& c, RunResult& out) {
    torch::NoGradGuard noGrad;
    auto model = cachedModel(c.modelFolder());
    ASSERT_TRUE(model->loras().empty()) << "the cached model carries LoRAs from another runner";
    DetachAll detach{*model};
    const auto sample = c.tensor("sample"), timestep = c.tensor("timestep"), context = c.tensor("encoder_hidden_states");
    auto unet = [&] { return model->unet->forward(sample, timestep, context); };
    out.tensors["plain.noise_pred"] = unet();
    const auto plain = out.tensors["plain.noise_pred"];

    const std::regex fusedName(R"(^[^.]+\.fused_([0-9.eE+-]+)\.noise_pred$)");
    for (const auto& [format, file] : c.params().at("files").items()) {
        SCOPED_TRACE("LoRA " + format);
        const auto name = model->addLora(c.root / file.get<std::string>()).name;
        const auto& loaded = c.params().at("loaded").at(format);
        EXPECT_EQ(adaptedLayers(*model->unet), sorted(loaded.at("unet_modules").get<std::vector<std::string>>()));
        EXPECT_EQ(adaptedLayers(*model->textEncoder, ".weight"),
                  sorted(loaded.at("te_merged_params").get<std::vector<std::string>>()));

        for (double scale : c.params().at("lora_scales").get<std::vector<double>>()) {
            model->setLoraWeight(name, scale);
            out.tensors[fmt::format("{}.scale_{:g}.noise_pred", format, scale)] = unet();
        }
        for (const auto& tensor : c.tensorNames(format + ".")) {
            std::smatch m;
            if (std::regex_match(tensor, m, fusedName)) {
                model->setLoraWeight(name, std::stod(m[1]));
                out.tensors[tensor] = runFused(*model->unet, unet);
            }
        }
        model->setLoraWeight(name, kMergeScale);
        for (const auto& [kind, network] : {std::pair{std::string(".te_merged."), LoraNetwork::TextEncoder},
                                            std::pair{std::string(".unet_merged."), LoraNetwork::Unet}})
            for (const auto& tensor : c.tensorNames(format + kind)) {
                const auto parameter = tensor.substr(format.size() + kind.size());
                ASSERT_TRUE(parameter.ends_with(".weight")) << tensor;
                out.tensors[tensor] = model->mergedLoraWeight(network, parameter.substr(0, parameter.size() - 7));
            }

        // Off and removed, the UNet is the base one bit for bit.
        model->setLoraEnabled(name, false);
        EXPECT_TRUE(torch::equal(unet(), plain)) << "switched off";
        model->removeLora(name);
        EXPECT_TRUE(torch::equal(unet(), plain)) << "removed";
        EXPECT_TRUE(adaptedLayers(*model->unet).empty());
    }
});

}  // namespace
}  // namespace sa::test
