// set.json's adapter fields (issue 15): LoRAs, a ControlNet and panoramas survive the round trip,
// sets without them read and write as before, and bad values are refused naming the field.
#include <gtest/gtest.h>

#include "core/io/image_set.h"
#include "core/pipeline/set_request.h"
#include "support/expect_error.h"

namespace sa {
namespace {

ImageSetSpec textSet() {
    ImageSetSpec spec;
    spec.model = "model";
    spec.referencePrompt = "a fish, pixel art style";
    spec.targets = {"a tree, pixel art style", "a cat, pixel art style"};
    spec.seeds = {1, 2, 3};
    return spec;
}

TEST(ImageSetAdapters, RoundTripAndOlderSets) {
    auto spec = textSet();
    const auto plain = spec.toJson();
    for (const char* key : {"loras", "control", "panorama"}) EXPECT_FALSE(plain.contains(key)) << key;
    spec.loras = {{"/loras/ink.safetensors", 0.6, true}, {"/loras/paper.safetensors", 1.2, false}};
    spec.control = ControlSpec{.model = "/cn/canny",
                               .kind = "map",
                               .images = {"control_00.png", "control_01.png", "control_02.png"},
                               .low = 50,
                               .high = 150,
                               .scale = 0.8,
                               .start = 0.1,
                               .end = 0.9,
                               .mode = "targets-only"};
    spec.panorama = PanoramaSpec{.width = 2048, .window = 64, .stride = 8, .circular = true, .viewBatch = 3};
    const auto json = spec.toJson();
    const auto back = ImageSetSpec::fromJson(json, "set.json");
    EXPECT_EQ(back.loras, spec.loras);
    EXPECT_EQ(back.control, spec.control);
    EXPECT_EQ(back.panorama, spec.panorama);
    EXPECT_EQ(back.toJson(), json);
    auto controlled = back, panorama = back;
    controlled.panorama.reset();
    panorama.control.reset();
    EXPECT_NO_THROW(validateSpec(controlled, "set.json", false));
    EXPECT_NO_THROW(validateSpec(panorama, "set.json", false));
    test::expectSaError([&] { validateSpec(back, "set.json", false); }, {"panorama cannot be steered by a ControlNet"});

    // Fields left out take their defaults.
    auto partial = json;
    partial["control"] = {{"model", "/cn"}, {"images", {"control.png"}}};
    partial["loras"] = {{{"file", "a.safetensors"}}};
    const auto defaults = ImageSetSpec::fromJson(partial, "set.json");
    EXPECT_EQ(defaults.control, (ControlSpec{.model = "/cn", .images = {"control.png"}}));
    EXPECT_EQ(defaults.loras, (std::vector<LoraEntry>{{"a.safetensors", 1.0, true}}));
}

TEST(ImageSetAdapters, WrongTypesNameTheField) {
    auto json = textSet().toJson();
    auto withField = [&](const char* key, nlohmann::json value) {
        auto broken = json;
        broken[key] = std::move(value);
        return broken;
    };
    test::expectSaError([&] { ImageSetSpec::fromJson(withField("loras", "x.safetensors"), "s.json"); },
                        {"s.json", "'loras' is not a list"});
    test::expectSaError([&] { ImageSetSpec::fromJson(withField("loras", {{{"weight", 1}}}), "s.json"); },
                        {"'loras[0]' needs a 'file'"});
    test::expectSaError([&] { ImageSetSpec::fromJson(withField("loras", {{{"file", "a"}, {"weight", "high"}}}), "s.json"); },
                        {"'loras[0].weight' has the wrong type"});
    test::expectSaError([&] { ImageSetSpec::fromJson(withField("control", 3), "s.json"); },
                        {"'control' is not an object"});
    test::expectSaError([&] { ImageSetSpec::fromJson(withField("control", {{"scale", "x"}}), "s.json"); },
                        {"'control.scale' has the wrong type"});
    test::expectSaError([&] { ImageSetSpec::fromJson(withField("panorama", {{"width", 2.5}}), "s.json"); },
                        {"'panorama.width'", "not a whole number"});
}

TEST(ImageSetAdapters, BadValuesAreRefusedBeforeTheModelLoads) {
    struct Case {
        std::function<void(ImageSetSpec&)> change;
        std::vector<std::string> mentions;
        bool withReferenceImage = false;
    };
    const ControlSpec control{.model = "/cn", .images = {"c.png"}};
    const std::vector<Case> cases = {
        {[](auto& s) { s.loras = {{"", 1.0, true}}; }, {"'loras[0].file' is empty"}},
        {[](auto& s) { s.loras = {{"a", std::nan(""), true}}; }, {"'loras[0].weight'", "finite"}},
        {[&](auto& s) { s.control = control, s.control->model = ""; }, {"'control.model' is empty"}},
        {[&](auto& s) { s.control = control, s.control->kind = "depth"; }, {"'control.kind'", "'depth'"}},
        {[&](auto& s) { s.control = control, s.control->mode = "all"; }, {"'control.mode'", "'all'"}},
        {[&](auto& s) { s.control = control, s.control->images = {"a.png", "b.png"}; },
         {"'control.images' has 2 entries", "one per image (3"}},
        {[&](auto& s) { s.control = control, s.control->scale = -1; }, {"'control.scale'"}},
        {[&](auto& s) { s.control = control, s.control->low = 300; }, {"'control.low' 300 is above 'control.high' 200"}},
        {[&](auto& s) { s.control = control, s.control->start = 0.8, s.control->end = 0.2; },
         {"0 ≤ start < end ≤ 1"}},
        {[](auto& s) { s.panorama = PanoramaSpec{.width = 0}; }, {"'panorama.width' must be positive"}},
        {[](auto& s) { s.panorama = PanoramaSpec{.width = 512, .viewBatch = 0}; }, {"'panorama.view_batch'"}},
        {[](auto& s) { s.panorama = PanoramaSpec{.width = 512}; }, {"takes its reference from text"}, true},
    };
    for (const auto& c : cases) {
        auto spec = textSet();
        c.change(spec);
        test::expectSaError([&] { validateSpec(spec, "set.json", c.withReferenceImage); }, c.mentions);
    }
}

}  // namespace
}  // namespace sa
