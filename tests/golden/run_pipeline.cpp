// Golden runners: generation_* (whole DDIM runs).
#include <gtest/gtest.h>
#include "golden/golden_case.h"

#include "core/io/image.h"
#include "core/pipeline/style_aligned_pipeline.h"

namespace sa::test {
namespace {

GenerationRequest requestFrom(const GoldenCase& c) {
    const auto& p = c.params();
    GenerationRequest r;
    r.prompts = p.at("prompts").get<std::vector<std::string>>();
    r.steps = p.at("num_inference_steps").get<int>();
    r.guidanceScale = p.at("guidance_scale").get<double>();
    r.height = p.at("height").get<int>();
    r.width = p.at("width").get<int>();
    r.initLatents = c.tensor("init_latents");
    return r;
}

StyleAlignedArgs argsFrom(const nlohmann::json& p) {
    StyleAlignedArgs args;
    if (p.contains("style_aligned_args") && p.at("style_aligned_args").is_object()) {
        const auto& j = p.at("style_aligned_args");
        args.shared_score_shift = j.value("shared_score_shift", 0.0);
        args.shared_score_scale = j.value("shared_score_scale", 1.0);
        args.adain_values = j.value("adain_values", false);
    }
    return args;
}

// Runs the request (plain when `plan` is null) and stores latents after every step, final
// latents and images under `prefix`.
StyleAlignedResult runGeneration(StableDiffusionModel& model, StyleAlignedRequest request, const std::string& prefix,
                                 RunResult& out, bool styleAligned) {
    std::vector<torch::Tensor> perStep;
    auto collect = [&](StepEvent& e) {
        if (e.phase == StepPhase::Generation) perStep.push_back(e.latents.clone());
    };
    std::shared_ptr<StableDiffusionModel> shared(&model, [](auto*) {});
    StyleAlignedResult result;
    if (styleAligned)
        result = StyleAlignedPipeline(shared).generate(request, collect);
    else
        static_cast<GenerationResult&>(result) = TextToImagePipeline(shared).generate(request.generation, collect);
    out.tensors[prefix + "latents_per_step"] = torch::stack(perStep);
    out.tensors[prefix + "latents"] = result.latents;
    out.tensors[prefix + "images"] = result.images;
    out.tensors["timesteps"] = torch::tensor(result.timesteps, torch::kLong);
    return result;
}

RegisterRunner generation("generation_", [](const GoldenCase& c, RunResult& out) {
    torch::NoGradGuard noGrad;
    auto model = cachedModel(c.modelFolder());
    auto request = requestFrom(c);
    auto conditioning = makeConditioning(*model, request.prompts, request.negativePrompt, request.height, request.width);
    out.tensors["prompt_embeds"] = conditioning.cond.context;
    out.tensors["negative_prompt_embeds"] = conditioning.uncond.context;
    if (model->isXL()) {
        out.tensors["pooled_prompt_embeds"] = conditioning.cond.pooled;
        out.tensors["negative_pooled_prompt_embeds"] = conditioning.uncond.pooled;
        out.tensors["add_time_ids"] = conditioning.timeIds;
    }
    StyleAlignedRequest sa{request, LayerPlan::fromArgs(model->unet->selfAttentionPaths(), argsFrom(c.params()))};
    runGeneration(*model, sa, "plain.", out, false);
    runGeneration(*model, sa, "sa.", out, true);
});

RegisterRunner transfer("transfer_", [](const GoldenCase& c, RunResult& out) {
    torch::NoGradGuard noGrad;
    auto model = cachedModel(c.modelFolder());
    const auto& p = c.params();
    StyleAlignedRequest request{requestFrom(c), LayerPlan::fromArgs(model->unet->selfAttentionPaths(), argsFrom(p))};
    request.inversionGuidance = p.at("inversion_guidance_scale").get<double>();
    request.offset = p.at("offset").get<int>();
    ASSERT_EQ(request.generation.prompts.front(), p.at("src_prompt").get<std::string>());
    auto rgb = c.tensor("reference_image");  // [H, W, 3] uint8
    request.referenceImage = (rgb.to(torch::kFloat32) / 255.0 * 2 - 1).permute({2, 0, 1}).unsqueeze(0);
    auto cond = inversionConditioning(*model, request.generation.prompts.front(), request.generation.height,
                                      request.generation.width);
    out.tensors["inversion.prompt_embeds"] = torch::cat({cond.uncond.context, cond.cond.context});
    if (model->isXL()) {
        out.tensors["inversion.text_embeds"] = torch::cat({cond.uncond.pooled, cond.cond.pooled});
        out.tensors["inversion.time_ids"] = cond.timeIds.repeat({2, 1});
    }
    auto result = runGeneration(*model, request, "", out, true);
    out.tensors["zts"] = result.zts;
    out.tensors["zT"] = result.zts[request.offset];
});

}  // namespace
}  // namespace sa::test
