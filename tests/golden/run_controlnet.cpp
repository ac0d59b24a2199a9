// Golden runner: controlnet_* — (a) the ControlNet's residuals, (b) the UNet with them (plain and
// under StyleAligned), (c) whole StyleAligned runs under the stock pipeline's and the
// style-aligned demo's control semantics.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "core/io/control_image.h"
#include "core/io/image.h"
#include "core/pipeline/style_aligned_pipeline.h"
#include "core/style/style_aligned_handler.h"
#include "golden/golden_case.h"

namespace sa::test {
namespace {

nlohmann::json readJson(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open " + file.string());
    return nlohmann::json::parse(in);
}

// StyleAlignedArgs from the case's argument objects; a field this runner does not know fails.
StyleAlignedArgs styleArgs(const nlohmann::json& j) {
    static const std::map<std::string, bool StyleAlignedArgs::*> flags{
        {"share_group_norm", &StyleAlignedArgs::share_group_norm}, {"share_layer_norm", &StyleAlignedArgs::share_layer_norm},
        {"share_attention", &StyleAlignedArgs::share_attention},   {"adain_queries", &StyleAlignedArgs::adain_queries},
        {"adain_keys", &StyleAlignedArgs::adain_keys},             {"adain_values", &StyleAlignedArgs::adain_values},
        {"full_attention_share", &StyleAlignedArgs::full_attention_share}};
    static const std::map<std::string, double StyleAlignedArgs::*> numbers{
        {"shared_score_scale", &StyleAlignedArgs::shared_score_scale},
        {"shared_score_shift", &StyleAlignedArgs::shared_score_shift},
        {"only_self_level", &StyleAlignedArgs::only_self_level}};
    StyleAlignedArgs args;
    for (const auto& [key, value] : j.items()) {
        if (flags.count(key))
            args.*flags.at(key) = value.get<bool>();
        else if (numbers.count(key))
            args.*numbers.at(key) = value.get<double>();
        else
            throw std::runtime_error("unknown StyleAlignedArgs field in the case: " + key);
    }
    return args;
}

std::set<std::string> stringSet(const nlohmann::json& list) {
    auto v = list.get<std::vector<std::string>>();
    return {v.begin(), v.end()};
}

// The prompt a run uses: "generation_sd15.prompt_embeds[1] (…)" names a row of another case,
// whose params.prompts hold the text that row encodes.
std::string runPrompt(const GoldenCase& c, const std::string& what) {
    static const std::regex pattern(R"(^(\w+)\.prompt_embeds\[(\d+)\])");
    std::smatch m;
    const auto text = c.params().at("run_prompts").at(what).get<std::string>();
    if (!std::regex_search(text, m, pattern)) throw std::runtime_error("unreadable run_prompts." + what + ": " + text);
    const auto other = readJson(c.root / "cases" / (m[1].str() + ".json"));
    return other.at("params").at("prompts").at(std::stoul(m[2].str())).get<std::string>();
}

// |a − b| ≤ the case's tolerance for `name` (inputs this runner recomputes rather than reads).
void expectMatchesInput(const GoldenCase& c, const std::string& name, const torch::Tensor& actual) {
    const auto atol = readJson(c.root / "tolerances.json").at("cases").at(c.name).at(name).at("suggested_atol").get<double>();
    const auto expected = c.tensor(name);
    ASSERT_EQ(actual.sizes().vec(), expected.sizes().vec()) << name;
    const double diff = (actual.to(torch::kFloat64) - expected.to(torch::kFloat64)).abs().max().item<double>();
    EXPECT_LE(diff, atol) << c.name << ": recomputed input " << name;
    std::cout << fmt::format("  {:<48} max|Δ| {:.3e}  atol {:.0e} (input, recomputed)\n", c.name + "/" + name, diff, atol);
}

// The two control semantics the cases record, by tensor-name prefix.
const std::map<std::string, ControlMode> kSemantics{{"pipe.", ControlMode::EveryImage}, {"demo.", ControlMode::TargetsOnly}};

RegisterRunner controlnet("controlnet_", [](const GoldenCase& c, RunResult& out) {
    torch::NoGradGuard noGrad;
    const auto& p = c.params();
    auto model = cachedModel(c.modelFolder());
    const auto folder = c.root / p.at("controlnet_folder").get<std::string>();
    auto net = loadControlNet(folder, model->unet->config()).net;
    const double scale = p.at("controlnet_conditioning_scale").get<double>();
    const int height = p.at("height").get<int>(), width = p.at("width").get<int>();
    EXPECT_EQ(net->config().numDownResiduals(), p.at("n_down_block_res_samples").get<int>());
    EXPECT_EQ(net->config().conditioningDownscale(), p.at("vae_scale_factor").get<int>());

    // The control map prepared as the pipelines do equals the case's ControlNet input, from the
    // uint8 tensor and from the PNG beside the cases.
    const auto rgb = c.tensor("control_image");  // [H, W, 3] uint8
    const auto map = tensorToImage(rgb.permute({2, 0, 1}).to(torch::kFloat32) / 255.0);
    auto prepared = controlImageTensor(map, width, height);
    const auto cond = c.tensor("controlnet_cond");
    EXPECT_TRUE(torch::equal(prepared.expand_as(cond), cond)) << "prepared control image differs from controlnet_cond";
    const auto png = c.root / "cases" / "control_image.png";
    if (std::filesystem::exists(png)) {
        const auto read = readControlImage(png);
        EXPECT_TRUE(torch::equal(controlImageTensor(read.image, width, height), prepared)) << png;
    }

    // (a) residuals.
    AddedCond added;
    if (c.has("text_embeds")) added = {c.tensor("text_embeds"), c.tensor("time_ids")};
    const AddedCond* addedPtr = added.textEmbeds.defined() ? &added : nullptr;
    const auto sample = c.tensor("sample"), timestep = c.tensor("timestep"), context = c.tensor("encoder_hidden_states");
    std::map<std::string, torch::Tensor> debug;
    const auto residuals = net->forward(sample, timestep, context, cond, scale, addedPtr, false, &debug);
    for (size_t i = 0; i < residuals.down.size(); ++i)
        out.tensors[fmt::format("controlnet.down_block_res_samples.{}", i)] = residuals.down[i];
    out.tensors["controlnet.mid_block_res_sample"] = residuals.mid;
    out.tensors["controlnet.cond_embedding"] = debug.at("cond_embedding");

    // (b) the UNet with those residuals: plain, then under each StyleAligned variant.
    auto& unet = model->unet;
    out.tensors["unet.no_control.noise_pred"] = unet->forward(sample, timestep, context, addedPtr);
    const auto plain = unet->forward(sample, timestep, context, addedPtr, nullptr, &residuals);
    out.tensors["unet.plain.noise_pred"] = plain;
    for (const auto& [variant, spec] : p.at("unet_variants").items()) {
        StyleAlignedHandler handler;
        handler.attach(unet, LayerPlan::fromArgs(unet->selfAttentionPaths(), styleArgs(spec.at("args"))));
        const std::set<std::string> shared(handler.sharedLayers().begin(), handler.sharedLayers().end());
        EXPECT_EQ(shared, stringSet(spec.at("shared_layers"))) << variant << ": shared layers differ";
        out.tensors["unet." + variant + ".noise_pred"] = unet->forward(sample, timestep, context, addedPtr, nullptr, &residuals);
        handler.detach();
    }
    EXPECT_TRUE(torch::equal(unet->forward(sample, timestep, context, addedPtr, nullptr, &residuals), plain))
        << "the UNet with residuals differs after the handlers were detached";

    // (c) whole runs: a reference and n_targets targets from the prompts the case names.
    StyleAlignedRequest request;
    auto& g = request.generation;
    g.prompts = {runPrompt(c, "reference")};
    g.prompts.resize(1 + p.at("n_targets").get<size_t>(), runPrompt(c, "targets"));
    g.steps = p.at("num_inference_steps").get<int>();
    g.guidanceScale = p.at("guidance_scale").get<double>();
    g.height = height;
    g.width = width;
    g.initLatents = c.tensor("run.init_latents");
    request.plan = LayerPlan::fromArgs(unet->selfAttentionPaths(), styleArgs(p.at("style_aligned_args")));
    const auto active = request.plan.activeLayers();
    EXPECT_EQ(std::set<std::string>(active.begin(), active.end()), stringSet(p.at("run_shared_layers")));
    // The prompts encode to the embeddings the runs were made with.
    auto conditioning = makeConditioning(*model, {g.prompts[0], g.prompts[1]}, g.negativePrompt, height, width);
    expectMatchesInput(c, "run.prompt_embeds", conditioning.cond.context);
    expectMatchesInput(c, "run.negative_prompt_embeds", conditioning.uncond.context);
    if (c.has("run.pooled_prompt_embeds")) {
        expectMatchesInput(c, "run.pooled_prompt_embeds", conditioning.cond.pooled);
        expectMatchesInput(c, "run.negative_pooled_prompt_embeds", conditioning.uncond.pooled);
    }

    std::shared_ptr<StableDiffusionModel> shared(model.get(), [](auto*) {});
    for (const auto& [prefix, description] : p.at("semantics").items()) {
        if (!kSemantics.count(prefix)) {
            out.unsupported[prefix] = "control semantics this runner does not know: " + description.get<std::string>();
            continue;
        }
        g.control = ControlRequest{.net = net, .images = prepared, .scale = scale, .mode = kSemantics.at(prefix),
                                   .label = folder.string()};
        bool first = true;
        g.control.observer = [&, prefix = prefix](const ControlTrace& t) {
            if (!std::exchange(first, false)) return;  // step 0
            const std::map<std::string, torch::Tensor> seen{{"controlnet_sample", t.sample},
                                                            {"controlnet_encoder_hidden_states", t.context},
                                                            {"controlnet_text_embeds", t.textEmbeds},
                                                            {"controlnet_time_ids", t.timeIds},
                                                            {"mid_block_additional_residual", t.residuals.mid}};
            for (const auto& [name, value] : seen)
                if (c.has(prefix + "step0." + name)) out.tensors[prefix + "step0." + name] = value.clone();
        };
        std::vector<torch::Tensor> perStep;
        auto result = StyleAlignedPipeline(shared).generate(request, [&](StepEvent& e) {
            if (e.phase == StepPhase::Generation) perStep.push_back(e.latents.clone());
        });
        EXPECT_FALSE(first) << prefix << ": the ControlNet never ran";
        out.tensors[prefix + "timesteps"] = torch::tensor(result.timesteps, torch::kLong);
        out.tensors[prefix + "latents_per_step"] = torch::stack(perStep);
        out.tensors[prefix + "latents"] = result.latents;
        out.tensors[prefix + "images"] = result.images;
    }
});

}  // namespace
}  // namespace sa::test
