// Golden runner: panorama_* (MultiDiffusion + StyleAligned, google/style-aligned panorama_call).
// Every run of params.runs is generated from the case's inputs; the views, view batches, UNet
// calls and shared layers it lists are checked, the tensors are compared by the harness.
#include <gtest/gtest.h>

#include "core/pipeline/panorama.h"
#include "golden/golden_case.h"

namespace sa::test {
namespace {

// The boolean StyleAlignedArgs the panorama demo sets (an unknown key is an error, never ignored).
StyleAlignedArgs panoramaArgs(const nlohmann::json& j) {
    StyleAlignedArgs a;
    const std::map<std::string, bool StyleAlignedArgs::*> fields{
        {"share_group_norm", &StyleAlignedArgs::share_group_norm}, {"share_layer_norm", &StyleAlignedArgs::share_layer_norm},
        {"share_attention", &StyleAlignedArgs::share_attention},   {"adain_queries", &StyleAlignedArgs::adain_queries},
        {"adain_keys", &StyleAlignedArgs::adain_keys},             {"adain_values", &StyleAlignedArgs::adain_values},
        {"full_attention_share", &StyleAlignedArgs::full_attention_share}};
    for (const auto& [key, value] : j.items()) {
        auto field = fields.find(key);
        if (field == fields.end()) throw std::runtime_error("panorama golden: unhandled style_aligned_args field " + key);
        a.*(field->second) = value.get<bool>();
    }
    return a;
}

// A run's setting, falling back to the case-wide parameter.
template <typename T>
T setting(const nlohmann::json& run, const nlohmann::json& params, const std::string& key) {
    return run.contains(key) ? run.at(key).get<T>() : params.at(key).get<T>();
}

torch::Tensor viewsTensor(const std::vector<PanoramaView>& views) {
    std::vector<int64_t> flat;
    for (const auto& v : views) flat.insert(flat.end(), {v.top, v.bottom, v.left, v.right});
    return torch::tensor(flat, torch::kLong).reshape({static_cast<int64_t>(views.size()), 4});
}

RegisterRunner panorama("panorama_", [](const GoldenCase& c, RunResult& out) {
    torch::NoGradGuard noGrad;
    auto model = cachedModel(c.modelFolder());
    const auto& p = c.params();
    ASSERT_EQ(model->vaeScaleFactor(), p.at("vae_scale_factor").get<int>());
    Conditioning conditioning;
    conditioning.cond.context = c.tensor("prompt_embeds");
    conditioning.uncond.context = c.tensor("negative_prompt_embeds");
    const auto plan = LayerPlan::fromArgs(model->unet->selfAttentionPaths(), panoramaArgs(p.at("style_aligned_args")));

    for (const auto& [name, run] : p.at("runs").items()) {
        // A run named "x." owns the tensors "x.*"; the main run's carry no prefix.
        const std::string prefix = name.back() == '.' ? name : "";
        SCOPED_TRACE("run " + name);
        PanoramaRequest r;
        r.height = setting<int>(run, p, "height");
        r.width = setting<int>(run, p, "width");
        r.window = setting<int>(run, p, "window_size");
        r.stride = setting<int>(run, p, "stride");
        r.circularPadding = setting<bool>(run, p, "circular_padding");
        r.viewBatchSize = setting<int>(run, p, "view_batch_size");
        r.steps = setting<int>(run, p, "num_inference_steps");
        r.guidanceScale = setting<double>(run, p, "guidance_scale");
        r.initLatents = c.tensor(prefix + "init_latents");
        r.initReferenceLatent =
            c.tensor(c.has(prefix + "init_reference_latent") ? prefix + "init_reference_latent" : "init_reference_latent");
        r.conditioning = conditioning;
        r.plan = plan;
        r.vaeTiling = {VaeTilingMode::Off};  // the reference decodes untiled
        r.allowUncoveredEdges = true;        // whatever the shape, as the reference computes it

        std::vector<torch::Tensor> latentsPerStep, referencePerStep;
        auto collect = [&](PanoramaStepEvent& e) {
            latentsPerStep.push_back(e.latents.clone());
            referencePerStep.push_back(e.referenceLatent.clone());
            EXPECT_EQ(e.x0Preview.sizes(), e.latents.sizes());
        };
        std::shared_ptr<StableDiffusionModel> shared(model.get(), [](auto*) {});
        const auto result = PanoramaPipeline(shared).generate(r, collect);

        const auto& layout = result.layout;
        EXPECT_EQ(layout.latentHeight, run.at("latent_hw").at(0).get<int64_t>());
        EXPECT_EQ(layout.latentWidth, run.at("latent_hw").at(1).get<int64_t>());
        EXPECT_EQ(static_cast<int64_t>(layout.views.size()), run.at("n_views").get<int64_t>());
        std::vector<PanoramaView> expectedViews;
        for (const auto& v : run.at("views")) expectedViews.push_back({v.at(0), v.at(1), v.at(2), v.at(3)});
        EXPECT_EQ(layout.views, expectedViews);
        std::vector<int64_t> batchSizes;
        for (const auto& [begin, end] : layout.batches) batchSizes.push_back(static_cast<int64_t>(end - begin));
        EXPECT_EQ(batchSizes, run.at("view_batches").get<std::vector<int64_t>>());
        EXPECT_EQ(result.unetCalls, run.at("unet_calls").get<int>());
        const auto expectedShared = run.at("shared_layers").get<std::set<std::string>>();
        EXPECT_EQ(std::set<std::string>(result.sharedLayers.begin(), result.sharedLayers.end()), expectedShared);

        out.tensors[prefix + "views"] = viewsTensor(layout.views);
        out.tensors[prefix + "timesteps"] = torch::tensor(result.timesteps, torch::kLong);
        out.tensors[prefix + "latents_per_step"] = torch::stack(latentsPerStep);
        out.tensors[prefix + "reference_latents_per_step"] = torch::stack(referencePerStep);
        out.tensors[prefix + "latents"] = result.latents;
        out.tensors[prefix + "reference_latent"] = result.referenceLatent;
        out.tensors[prefix + "image"] = result.image;
        out.tensors[prefix + "reference_image"] = result.referenceImage;
    }
});

}  // namespace
}  // namespace sa::test
