// libFuzzer harness: set.json as the CLI and the studio read it back (ImageSetSpec::load in
// core/io/image_set.cpp), then its plan as requestFromSpec resolves it (LayerPlan::fromJson).
// An accepted set must survive toJson → fromJson unchanged.
#include "core/io/image_set.h"
#include "core/style/layer_plan.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static sa::fuzz::ScratchFile scratch("set.json");
    static const auto paths = sa::fuzz::sd15SelfAttentionPaths();
    const auto& path = scratch.write(data, size);
    sa::fuzz::expectOnlySaErrors(path.string(), [&] {
        const auto spec = sa::ImageSetSpec::load(path);
        const auto json = spec.toJson();
        if (sa::ImageSetSpec::fromJson(json, "round trip").toJson() != json)
            sa::fuzz::bug("set.json does not survive toJson → fromJson", json.dump());
        if (!spec.plan.is_null())
            sa::fuzz::expectOnlySaErrors("plan", [&] { (void)sa::LayerPlan::fromJson(spec.plan, paths, "plan"); });
    });
    return 0;
}
