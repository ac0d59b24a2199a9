// Golden runner: vision_extras — BLIP captioning, CLIP image tower, ViT (DINO). Tensor groups are
// named after model folders of the golden folder ("tiny-blip.", ...); what each folder holds (its
// config.json architectures) decides what is computed, so another golden folder with other models,
// sizes or images runs unchanged.
#include <gtest/gtest.h>

#include <fstream>

#include "core/eval/vision_metrics.h"
#include "core/io/image.h"
#include "core/models/blip_captioner.h"
#include "golden/golden_case.h"

namespace sa::test {
namespace {

std::string architecture(const std::filesystem::path& folder) {
    std::ifstream in(folder / "config.json");
    const auto json = nlohmann::json::parse(in);
    return json.at("architectures").at(0).get<std::string>();
}

// params.image: "cases/reference_image.png (…)" → the image, relative to the golden folder.
cv::Mat caseImage(const GoldenCase& c) {
    const auto text = c.params().at("image").get<std::string>();
    return readImage(c.root / text.substr(0, text.find(' ')));
}

// Our image processor against the reference's pixel_values (the case's input), with the input's
// tolerance: the resize is PIL's, bit for bit.
void checkPixels(const GoldenCase& c, const std::string& group, const torch::Tensor& pixels) {
    const auto expected = c.tensor(group + "pixel_values");
    ASSERT_EQ(pixels.sizes(), expected.sizes()) << group << "pixel_values: shape";
    const double maxDiff = (pixels - expected).abs().max().item<double>();
    EXPECT_LE(maxDiff, 5e-6) << group << "pixel_values: our image processor differs from the reference's";
    std::cout << fmt::format("  {:<48} max|Δ| {:.3e}  (image processor)\n", c.name + "/" + group + "pixel_values", maxDiff);
}

void runBlip(const GoldenCase& c, const std::string& group, const std::filesystem::path& folder, RunResult& out) {
    auto captioner = BlipCaptioner::load(folder);
    checkPixels(c, group, captioner->pixelValues(caseImage(c)));
    const auto pixels = c.tensor(group + "pixel_values");
    torch::NoGradGuard noGrad;
    auto image = captioner->model()->visionModel->forward(pixels).lastHiddenState;
    out.tensors[group + "vision_last_hidden_state"] = image;
    DecoderCache cache;
    out.tensors[group + "first_step_logits"] =
        captioner->model()->textDecoder->forward(captioner->prompt(""), image, cache);
    auto ids = captioner->generate(pixels, captioner->prompt(""), captioner->defaults());
    out.tensors[group + "generated_ids"] = ids;
    const auto captionKey = group + "caption";
    if (c.params().contains(captionKey)) EXPECT_EQ(captioner->decode(ids[0]), c.params().at(captionKey).get<std::string>());
}

void runClip(const GoldenCase& c, const std::string& group, const std::filesystem::path& folder, RunResult& out) {
    auto scorer = ClipScorer::load(folder);
    checkPixels(c, group, preprocessImage(caseImage(c), scorer->processor()));
    torch::NoGradGuard noGrad;
    auto result = scorer->vision()->forward(c.tensor(group + "pixel_values"));
    out.tensors[group + "image_embeds"] = result.imageEmbeds;
    out.tensors[group + "last_hidden_state"] = result.lastHiddenState;
}

void runVit(const GoldenCase& c, const std::string& group, const std::filesystem::path& folder, RunResult& out) {
    auto dino = DinoEmbedder::load(folder);
    checkPixels(c, group, preprocessImage(caseImage(c), dino->processor()));
    auto result = dino->forward(c.tensor(group + "pixel_values"));
    out.tensors[group + "last_hidden_state"] = result.lastHiddenState;
    out.tensors[group + "cls"] = result.lastHiddenState.select(1, 0);
    if (result.pooled.defined()) out.tensors[group + "pooler_output"] = result.pooled;
    // The embedder's own path (processor + CLS) gives the same feature.
    auto embedded = dino->embed({caseImage(c)});
    EXPECT_LE((embedded - out.tensors[group + "cls"]).abs().max().item<double>(), 1e-5);
}

RegisterRunner vision("vision_", [](const GoldenCase& c, RunResult& out) {
    for (const auto& group : c.groups()) {
        const auto folder = c.root / group.substr(0, group.size() - 1);
        ASSERT_TRUE(std::filesystem::exists(folder / "config.json")) << "no model folder " << folder;
        const auto arch = architecture(folder);
        SCOPED_TRACE(group + " (" + arch + ")");
        if (arch == "BlipForConditionalGeneration") runBlip(c, group, folder, out);
        else if (arch.rfind("CLIP", 0) == 0) runClip(c, group, folder, out);
        else if (arch == "ViTModel") runVit(c, group, folder, out);
        else ADD_FAILURE() << folder << ": no runner for " << arch;
    }
});

}  // namespace
}  // namespace sa::test
