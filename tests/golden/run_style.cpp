// Golden runners: style_aligned_unet_*, attention_probs_*.
#include <gtest/gtest.h>

#include "core/style/style_aligned_handler.h"
#include "golden/golden_case.h"

namespace sa::test {
namespace {

StyleAlignedArgs argsFromJson(const nlohmann::json& j) {
    StyleAlignedArgs a;
    a.share_group_norm = j.value("share_group_norm", a.share_group_norm);
    a.share_layer_norm = j.value("share_layer_norm", a.share_layer_norm);
    a.share_attention = j.value("share_attention", a.share_attention);
    a.adain_queries = j.value("adain_queries", a.adain_queries);
    a.adain_keys = j.value("adain_keys", a.adain_keys);
    a.adain_values = j.value("adain_values", a.adain_values);
    a.full_attention_share = j.value("full_attention_share", a.full_attention_share);
    a.shared_score_scale = j.value("shared_score_scale", a.shared_score_scale);
    a.shared_score_shift = j.value("shared_score_shift", a.shared_score_shift);
    a.only_self_level = j.value("only_self_level", a.only_self_level);
    static const std::set<std::string> known{"share_group_norm", "share_layer_norm", "share_attention", "adain_queries",
                                             "adain_keys", "adain_values", "full_attention_share",
                                             "shared_score_scale", "shared_score_shift", "only_self_level"};
    for (const auto& [key, value] : j.items())
        if (!known.count(key)) throw std::runtime_error("unknown StyleAlignedArgs field in golden params: " + key);
    return a;
}

struct UNetInputs {
    torch::Tensor sample, timestep, context;
    AddedCond added;
    const AddedCond* addedPtr() const { return added.textEmbeds.defined() ? &added : nullptr; }
};

UNetInputs unetInputs(const GoldenCase& c) {
    UNetInputs in{c.tensor("sample"), c.tensor("timestep"), c.tensor("encoder_hidden_states"), {}};
    if (c.has("text_embeds")) in.added = {c.tensor("text_embeds"), c.tensor("time_ids")};
    return in;
}

RegisterRunner styleAlignedUnet("style_aligned_unet_", [](const GoldenCase& c, RunResult& out) {
    torch::NoGradGuard noGrad;
    auto model = cachedModel(c.modelFolder());
    auto& unet = model->unet;
    const auto in = unetInputs(c);
    auto forward = [&] { return unet->forward(in.sample, in.timestep, in.context, in.addedPtr()); };
    const auto plain = forward();
    out.tensors["plain.noise_pred"] = plain;
    const auto paths = unet->selfAttentionPaths();
    for (const auto& [variant, spec] : c.params().at("variants").items()) {
        StyleAlignedHandler handler;
        handler.attach(unet, LayerPlan::fromArgs(paths, argsFromJson(spec.at("args"))));
        // The reference decided per layer between Default and Shared processors: same layers here.
        std::set<std::string> expectedShared;
        for (const auto& [name, processor] : spec.at("self_attention_processors").items())
            if (processor == "SharedAttentionProcessor") expectedShared.insert(name.substr(0, name.rfind(".processor")));
        const std::set<std::string> actualShared(handler.sharedLayers().begin(), handler.sharedLayers().end());
        EXPECT_EQ(actualShared, expectedShared) << "variant " << variant << ": shared layers differ";
        out.tensors[variant + ".noise_pred"] = forward();
        handler.detach();
        // After detach the UNet is the plain one, bit for bit (reference: after_remove diff 0).
        EXPECT_TRUE(torch::equal(forward(), plain)) << "variant " << variant << ": output after detach() differs";
    }
});

RegisterRunner attentionProbs("attention_probs_", [](const GoldenCase& c, RunResult& out) {
    torch::NoGradGuard noGrad;
    auto model = cachedModel(c.modelFolder());
    const auto layer = c.params().at("layer").get<std::string>();
    const auto in = unetInputs(c);
    StyleAlignedHandler handler;
    handler.attach(model->unet, LayerPlan::paperDefault(model->unet->selfAttentionPaths()));
    int seen = 0;
    handler.setObserver([&](const SharedAttentionTrace& t) {
        if (t.layer != layer) return;
        ++seen;
        out.tensors["layer_input"] = t.layerInput.clone();
        out.tensors["query"] = t.query.clone();
        out.tensors["key"] = t.key.clone();
        out.tensors["value"] = t.value.clone();
        out.tensors["probs"] = t.probs.clone();
        out.tensors["layer_output"] = t.output.clone();
    });
    out.tensors["noise_pred"] = model->unet->forward(in.sample, in.timestep, in.context, in.addedPtr());
    EXPECT_EQ(seen, 1) << "the observed layer ran " << seen << " times";
});

}  // namespace
}  // namespace sa::test
