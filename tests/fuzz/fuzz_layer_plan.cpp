// libFuzzer harness: layer-plan JSON as the studio saves and loads it (LayerPlan::load in
// core/style/layer_plan.cpp), against Stable Diffusion 1.5's layer names. An accepted plan must
// survive toJson → fromJson unchanged.
#include "core/style/layer_plan.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static sa::fuzz::ScratchFile scratch("plan.json");
    static const auto paths = sa::fuzz::sd15SelfAttentionPaths();
    const auto& path = scratch.write(data, size);
    sa::fuzz::expectOnlySaErrors(path.string(), [&] {
        const auto plan = sa::LayerPlan::load(path.string(), paths);
        const auto back = sa::LayerPlan::fromJson(plan.toJson(), paths, "round trip");
        if (back.layers != plan.layers || back.shareGroupNorm != plan.shareGroupNorm ||
            back.shareLayerNorm != plan.shareLayerNorm || back.fullAttentionShare != plan.fullAttentionShare)
            sa::fuzz::bug("layer plan does not survive toJson → fromJson", plan.toJson().dump());
        (void)plan.activeLayers();
    });
    return 0;
}
