// Golden runners: generation_* (whole DDIM runs).
#include "golden/golden_case.h"

#include "core/pipeline/text_to_image.h"

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

// Runs the request and stores latents after every step, final latents and images under `prefix`.
void runGeneration(StableDiffusionModel& model, const GenerationRequest& request, const std::string& prefix,
                   RunResult& out) {
    std::vector<torch::Tensor> perStep;
    TextToImagePipeline pipeline(std::shared_ptr<StableDiffusionModel>(&model, [](auto*) {}));
    auto result = pipeline.generate(request, [&](StepEvent& e) { perStep.push_back(e.latents.clone()); });
    out.tensors[prefix + "latents_per_step"] = torch::stack(perStep);
    out.tensors[prefix + "latents"] = result.latents;
    out.tensors[prefix + "images"] = result.images;
    out.tensors["timesteps"] = torch::tensor(result.timesteps, torch::kLong);
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
    runGeneration(*model, request, "plain.", out);
    out.unsupported["sa."] = "StyleAligned generation is issue #4";
});

}  // namespace
}  // namespace sa::test
