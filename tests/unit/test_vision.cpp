// The vision models' plumbing around the golden numbers (tests/golden/run_vision.cpp): PIL's resize
// rules, the image processors' configs, token generation (greedy, beam search, the logits
// processors) on a decoder whose answers are known, the hub folders' bad inputs, and the metrics.
// Model folders are found in the golden folder by what their config.json says they are.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include <opencv2/imgcodecs.hpp>

#include "core/common/runtime.h"
#include "core/eval/vision_metrics.h"
#include "core/io/image.h"
#include "core/io/image_processor.h"
#include "core/io/pil_resize.h"
#include "core/io/state_dict.h"
#include "core/models/blip_captioner.h"
#include "core/models/text_generation.h"
#include "support/expect_error.h"
#include "support/golden_dir.h"
#include "support/scratch_folder.h"

namespace sa::test {
namespace {
namespace fs = std::filesystem;

#define REQUIRE_FOLDER(var, arch)                                              \
    const fs::path var = goldenModelFolder(arch);                                   \
    if (var.empty()) GTEST_SKIP() << "the golden folder has no " << arch << " model"

cv::Mat gradient(int width, int height) {
    cv::Mat image(height, width, CV_8UC3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) image.at<cv::Vec3b>(y, x) = {uchar(x * 7 % 256), uchar(y * 13 % 256), uchar((x + y) * 5 % 256)};
    return image;
}

// ---- PIL resize -----------------------------------------------------------------------------------

TEST(PilResize, BoxHalvingIsTheRoundedMeanOfEachPairPerPass) {
    const cv::Mat image = gradient(8, 6);
    const cv::Mat out = pilResize(image, 4, 3, PilFilter::Box);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 4; ++x)
            for (int c = 0; c < 3; ++c) {
                // Horizontal pass first, rounded to 8 bits ((a + b + 1) / 2 in 22-bit fixed point), then vertical.
                auto h = [&](int row) {
                    return (image.at<cv::Vec3b>(row, 2 * x)[c] + image.at<cv::Vec3b>(row, 2 * x + 1)[c] + 1) / 2;
                };
                EXPECT_EQ(out.at<cv::Vec3b>(y, x)[c], (h(2 * y) + h(2 * y + 1) + 1) / 2) << x << "," << y;
            }
}

TEST(PilResize, SameSizeIsACopyAndConstantsStayConstant) {
    const cv::Mat image = gradient(9, 7);
    EXPECT_EQ(cv::norm(pilResize(image, 9, 7, PilFilter::Bicubic), image, cv::NORM_INF), 0);
    const cv::Mat flat(11, 13, CV_8UC3, cv::Scalar(17, 200, 99));
    for (auto filter : {PilFilter::Bilinear, PilFilter::Bicubic, PilFilter::Lanczos, PilFilter::Hamming, PilFilter::Box})
        for (auto [w, h] : {std::pair{5, 4}, {30, 25}, {13, 3}})
            EXPECT_EQ(cv::norm(pilResize(flat, w, h, filter), cv::Mat(h, w, CV_8UC3, cv::Scalar(17, 200, 99)), cv::NORM_INF), 0)
                << static_cast<int>(filter) << " " << w << "×" << h;
}

TEST(PilResize, NearestDoublingRepeatsPixels) {
    const cv::Mat image = gradient(5, 4);
    const cv::Mat out = pilResize(image, 10, 8, PilFilter::Nearest);
    for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 10; ++x) EXPECT_EQ(out.at<cv::Vec3b>(y, x), image.at<cv::Vec3b>(y / 2, x / 2));
}

TEST(PilResize, RefusesWhatIsNotAFilter) {
    expectSaError([] { pilFilterFromInt(7, "preprocessor_config.json"); }, {"preprocessor_config.json", "7"});
}

// ---- image processors -----------------------------------------------------------------------------

ImageProcessorConfig processor(const nlohmann::json& json) { return ImageProcessorConfig::fromJson(JsonConfig(json, "pp.json")); }

TEST(ImageProcessor, ClipShortestEdgeKeepsTheAspectThenCrops) {
    auto c = processor({{"image_processor_type", "CLIPImageProcessor"}, {"size", {{"shortest_edge", 20}}},
                        {"crop_size", {{"height", 20}, {"width", 20}}}});
    EXPECT_TRUE(c.do_center_crop);
    EXPECT_EQ(preprocessImage(gradient(60, 40), c).sizes(), (std::vector<int64_t>{1, 3, 20, 20}));
    // Legacy forms: "size": 224 is the shortest edge for CLIP, a square for ViT.
    auto legacy = processor({{"feature_extractor_type", "CLIPFeatureExtractor"}, {"size", 24}, {"crop_size", 24}});
    EXPECT_EQ(legacy.shortest_edge, 24);
    auto vit = processor({{"feature_extractor_type", "ViTFeatureExtractor"}, {"size", 24}});
    EXPECT_EQ(vit.shortest_edge, 0);
    EXPECT_EQ(vit.height, 24);
    EXPECT_EQ(vit.resample, PilFilter::Bilinear);
}

TEST(ImageProcessor, NormalisesInFloat32AfterADoubleRescale) {
    auto c = processor({{"image_processor_type", "ViTImageProcessor"}, {"size", {{"height", 2}, {"width", 2}}},
                        {"image_mean", {0.5, 0.25, 0.125}}, {"image_std", {0.5, 0.5, 0.25}}});
    const cv::Mat bgr(2, 2, CV_8UC3, cv::Scalar(10, 20, 30));  // B, G, R
    auto pixels = preprocessImage(bgr, c);
    const float r = static_cast<float>(30 * (1.0 / 255.0));
    EXPECT_EQ(pixels[0][0][0][0].item<float>(), (r - 0.5f) / 0.5f);  // channel 0 is red
    // Grey and alpha images become RGB.
    EXPECT_EQ(preprocessImage(cv::Mat(3, 3, CV_8UC1, cv::Scalar(9)), c).size(1), 3);
    EXPECT_EQ(preprocessImage(cv::Mat(3, 3, CV_8UC4, cv::Scalar(1, 2, 3, 0)), c).size(1), 3);
}

TEST(ImageProcessor, BadConfigsNameTheField) {
    expectSaError([] { processor({{"image_processor_type", "SamImageProcessor"}}); }, {"pp.json", "SamImageProcessor"});
    expectSaError([] { processor({{"image_processor_type", "ViTImageProcessor"}, {"image_mean", {0.5, 0.5}}}); },
                  {"image_mean", "3 entries"});
    expectSaError([] { processor({{"image_processor_type", "ViTImageProcessor"}, {"image_std", {0.5, 0, 0.5}}}); },
                  {"image_std"});
    expectSaError([] { processor({{"image_processor_type", "ViTImageProcessor"}, {"size", {{"height", -3}, {"width", 4}}}}); },
                  {"size.height"});
    expectSaError([] { processor({{"image_processor_type", "ViTImageProcessor"}, {"do_pad_to_square", true}}); },
                  {"do_pad_to_square"});
    expectSaError([] { processor({{"image_processor_type", "BlipImageProcessor"}, {"resample", 9}}); }, {"resample"});
}

// ---- generation -----------------------------------------------------------------------------------
// Vocabulary: 0 pad, 1 eos, 2 A, 3 B, 4 C. The next-token distribution depends on the whole row
// seen so far (so a beam search that reorders the cache wrongly gets other answers).
class TableDecoder : public StepDecoder {
public:
    std::map<std::vector<int64_t>, std::vector<double>> table;  // history → probabilities
    std::vector<double> fallback{0.0, 1.0, 0.0, 0.0, 0.0};      // eos
    std::vector<std::vector<int64_t>> rows;

    torch::Tensor next(const torch::Tensor& ids) override {
        if (rows.empty()) rows.resize(ids.size(0));
        EXPECT_EQ(static_cast<size_t>(ids.size(0)), rows.size());
        std::vector<torch::Tensor> logits;
        for (int64_t r = 0; r < ids.size(0); ++r) {
            for (int64_t t = 0; t < ids.size(1); ++t) rows[r].push_back(ids[r][t].item<int64_t>());
            auto it = table.find(rows[r]);
            auto p = torch::zeros({10}, torch::kFloat64);  // ids 5 … 9 (the prompts') are never likely
            const auto& probabilities = it == table.end() ? fallback : it->second;
            p.slice(0, 0, 5).copy_(torch::tensor(probabilities, torch::kFloat64));
            logits.push_back(p.clamp_min(1e-30).log().to(torch::kFloat32));
        }
        return torch::stack(logits);
    }
    void select(const torch::Tensor& index) override {
        std::vector<std::vector<int64_t>> picked;
        for (int64_t i = 0; i < index.numel(); ++i) picked.push_back(rows[index[i].item<int64_t>()]);
        rows = picked;
    }
    void expand(int64_t beams) override { beamsAsked = beams; }
    int64_t beamsAsked = 0;
};

std::vector<int64_t> ids(const torch::Tensor& t) { return {t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel()}; }

// Greedy takes A (0.5) then only weak continuations; B (0.4) leads to a sure C then eos.
TableDecoder trap() {
    TableDecoder d;
    d.table[{9}] = {0, 0.1, 0.5, 0.4, 0};
    d.table[{9, 2}] = {0, 0.3, 0.35, 0.35, 0};
    d.table[{9, 3}] = {0, 0.0, 0, 0, 1.0};
    d.table[{9, 2, 2}] = {0, 1.0, 0, 0, 0};
    d.table[{9, 2, 3}] = {0, 1.0, 0, 0, 0};
    d.table[{9, 3, 4}] = {0, 1.0, 0, 0, 0};
    return d;
}

TEST(Generation, GreedyFollowsTheArgmaxAndStopsAtEos) {
    auto d = trap();
    GenerationOptions o;
    auto out = generateTokens(d, torch::tensor({int64_t{9}}).view({1, 1}), 1, 0, o);
    EXPECT_EQ(ids(out), (std::vector<int64_t>{9, 2, 2, 1}));  // ties: the first index wins
    o.max_new_tokens = 1;
    auto trap2 = trap();
    EXPECT_EQ(ids(generateTokens(trap2, torch::tensor({int64_t{9}}).view({1, 1}), 1, 0, o)), (std::vector<int64_t>{9, 2}));
}

TEST(Generation, BeamSearchFindsTheLikelierSequence) {
    auto d = trap();
    GenerationOptions o;
    o.num_beams = 2;
    auto out = generateTokens(d, torch::tensor({int64_t{9}}).view({1, 1}), 1, 0, o);
    // 9 B C eos: 0.4 · 1 · 1 against 9 A A eos: 0.5 · 0.35 · 1 (and 9 A eos: 0.15).
    EXPECT_EQ(ids(out), (std::vector<int64_t>{9, 3, 4, 1}));
    EXPECT_EQ(d.beamsAsked, 2);
}

TEST(Generation, ProcessorsShapeTheChoice) {
    GenerationOptions o;
    o.min_length = 3;  // eos forbidden while the row (prompt included) is shorter than 3
    TableDecoder early;
    early.table[{9}] = {0, 0.9, 0.1, 0, 0};
    early.fallback = {0, 0.6, 0.0, 0.4, 0};
    EXPECT_EQ(ids(generateTokens(early, torch::tensor({int64_t{9}}).view({1, 1}), 1, 0, o)), (std::vector<int64_t>{9, 2, 3, 1}));

    GenerationOptions penalty;
    penalty.repetition_penalty = 2.0;
    penalty.max_length = 3;
    TableDecoder repeat;
    repeat.fallback = {0, 0, 0.3, 0.25, 0.2};  // logits are log-probs (negative): × penalty for seen tokens
    EXPECT_EQ(ids(generateTokens(repeat, torch::tensor({int64_t{9}}).view({1, 1}), 1, 0, penalty)),
              (std::vector<int64_t>{9, 2, 3}));

    GenerationOptions ngram;
    ngram.no_repeat_ngram_size = 2;
    ngram.max_length = 5;
    TableDecoder loop;
    loop.fallback = {0, 0, 0.5, 0.3, 0.2};
    EXPECT_EQ(ids(generateTokens(loop, torch::tensor({int64_t{9}}).view({1, 1}), 1, 0, ngram)),
              (std::vector<int64_t>{9, 2, 2, 3, 2}));  // "2 2" may not appear twice
}

TEST(Generation, FinishedRowsArePadded) {
    TableDecoder d;
    d.table[{7}] = {0, 1.0, 0, 0, 0};
    d.fallback = {0, 0.1, 0.9, 0, 0};
    GenerationOptions o;
    o.max_length = 4;
    auto out = generateTokens(d, torch::tensor({int64_t{7}, int64_t{8}}).view({2, 1}), 1, 0, o);
    EXPECT_EQ(ids(out.contiguous()), (std::vector<int64_t>{7, 1, 0, 0, 8, 2, 2, 2}));
    GenerationOptions bad;
    bad.num_beams = 0;
    expectSaError([&] { generateTokens(d, torch::tensor({int64_t{7}}).view({1, 1}), 1, 0, bad); }, {"num_beams"});
}

// ---- hub folders: what users point the app at -----------------------------------------------------

TEST(VisionFolders, AWrongKindSaysWhatItIsAndWhatWasExpected) {
    REQUIRE_FOLDER(vit, "ViTModel");
    REQUIRE_FOLDER(blip, "BlipForConditionalGeneration");
    expectSaError([&] { BlipCaptioner::load(vit); }, {vit.string(), "ViTModel", "expected a BLIP captioning folder"});
    expectSaError([&] { DinoEmbedder::load(blip); }, {"BlipForConditionalGeneration", "expected a DINO folder"});
    expectSaError([&] { ClipScorer::load(goldenDir() / "tiny-sd15"); }, {"Stable Diffusion pipeline", "expected a CLIP"});
    expectSaError([&] { BlipCaptioner::load(goldenDir() / "no-such-folder"); }, {"no-such-folder"});
}

TEST(VisionFolders, MissingFilesAndPicklesAreRefusedWithTheirNames) {
    REQUIRE_FOLDER(blip, "BlipForConditionalGeneration");
    {
        ScratchFolder copy("blip", blip);
        fs::remove(copy.path / "preprocessor_config.json");
        expectSaError([&] { BlipCaptioner::load(copy.path); }, {"preprocessor_config.json", "missing"});
    }
    {
        ScratchFolder copy("blip", blip);
        fs::rename(copy.path / "model.safetensors", copy.path / "pytorch_model.bin");
        expectSaError([&] { BlipCaptioner::load(copy.path); }, {"pytorch_model.bin"});
    }
    {
        ScratchFolder copy("blip", blip);
        const auto size = fs::file_size(copy.path / "model.safetensors");
        fs::resize_file(copy.path / "model.safetensors", size / 2);
        expectSaError([&] { BlipCaptioner::load(copy.path); }, {"model.safetensors"});
    }
    {
        ScratchFolder copy("blip", blip);
        auto config = nlohmann::json::parse(std::ifstream(blip / "config.json"));
        config["vision_config"]["image_size"] = config["vision_config"]["patch_size"].get<int>() * 2;
        copy.write("config.json", config.dump());
        expectSaError([&] { BlipCaptioner::load(copy.path); }, {"preprocessor_config.json", "image_size"});
    }
}

TEST(VisionFolders, TheCaptionerTakesGreyAlphaAndSixteenBitImages) {
    REQUIRE_FOLDER(blip, "BlipForConditionalGeneration");
    auto captioner = BlipCaptioner::load(blip);
    ScratchFolder dir("images");
    cv::Mat grey(40, 50, CV_8UC1, cv::Scalar(90)), alpha(40, 50, CV_8UC4, cv::Scalar(10, 200, 30, 128));
    cv::Mat deep(40, 50, CV_16UC3, cv::Scalar(1000, 30000, 65535));
    cv::imwrite((dir.path / "grey.png").string(), grey);
    cv::imwrite((dir.path / "alpha.png").string(), alpha);
    cv::imwrite((dir.path / "deep.png").string(), deep);
    for (const char* name : {"grey.png", "alpha.png", "deep.png"}) {
        auto ids = captioner->generate(captioner->pixelValues(readImage(dir.path / name)), captioner->prompt(""),
                                       captioner->defaults());
        EXPECT_LE(ids.size(1), captioner->defaults().max_length) << name;
    }
    // A photo straight from a camera is resized, not refused (PIL's filter over the whole image).
    const cv::Mat large = gradient(4000, 3000);
    const auto pixels = captioner->pixelValues(large);
    EXPECT_EQ(pixels.size(2), captioner->model()->config().vision.image_size);
    EXPECT_TRUE(torch::isfinite(pixels).all().item<bool>());
    dir.write("notes.png", "this is not an image");
    expectSaError([&] { readImage(dir.path / "notes.png"); }, {"notes.png"});
}

TEST(VisionFolders, BeamSearchAndAPrefixCaption) {
    REQUIRE_FOLDER(blip, "BlipForConditionalGeneration");
    auto captioner = BlipCaptioner::load(blip);
    auto pixels = captioner->pixelValues(gradient(64, 48));
    auto options = captioner->defaults();
    options.num_beams = 3;
    auto beams = captioner->generate(pixels, captioner->prompt(""), options);
    EXPECT_EQ(beams.size(0), 1);
    EXPECT_LE(beams.size(1), options.max_length);
    // A prefix is the caption's start ([DEC] + its tokens) and stays in the result.
    auto vocab = WordPieceTokenizer::fromFolder(blip);
    std::string prefix;  // the vocabulary's first plain word
    for (int64_t id = 0; id < static_cast<int64_t>(vocab.vocabSize()) && prefix.empty(); ++id) {
        const auto token = vocab.idToToken(id);
        if (!token.empty() && std::all_of(token.begin(), token.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
            prefix = token;
    }
    ASSERT_FALSE(prefix.empty());
    auto prompt = captioner->prompt(prefix);
    auto ids = captioner->generate(pixels, prompt, captioner->defaults());
    EXPECT_TRUE(torch::equal(ids.slice(1, 0, prompt.size(1)), prompt));
    EXPECT_EQ(captioner->decode(ids[0]).rfind(prefix, 0), 0u);
}

// ---- metrics --------------------------------------------------------------------------------------

TEST(VisionMetrics, MeanPairwiseCosine) {
    auto e = torch::tensor({1.0, 0.0, 0.0, 1.0, 1.0, 1.0}).view({3, 2});
    const double s = 1 / std::sqrt(2.0);
    EXPECT_NEAR(meanPairwiseCosine(e), (0.0 + s + s) / 3, 1e-12);
    expectSaError([] { meanPairwiseCosine(torch::ones({1, 4})); }, {"two images"});
}

// A full CLIPModel folder from the golden image tower and a text tower of the same projection
// width: the text score is the cosine of the two towers' embeddings, each from its own keys.
TEST(VisionMetrics, ClipTextScoreUsesBothTowersOfACLIPModelFolder) {
    REQUIRE_FOLDER(vision, "CLIPVisionModelWithProjection");
    ScratchFolder dir("clipmodel");
    auto visionConfig = nlohmann::json::parse(std::ifstream(vision / "config.json"));
    const int projection = visionConfig.at("projection_dim");
    CLIPTextConfig text;
    text.hidden_size = 16, text.intermediate_size = 24, text.num_hidden_layers = 1, text.num_attention_heads = 2;
    text.with_projection = true, text.projection_dim = projection;
    torch::manual_seed(3);
    CLIPTextModel textModel(text);
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& [name, t] : moduleTensors(*textModel)) tensors[name] = t.detach().clone();
    auto file = SafetensorsFile::open(vision / "model.safetensors");
    for (const auto& [name, t] : file->all()) tensors[name] = t;
    tensors["logit_scale"] = torch::tensor(2.0);
    saveSafetensors(dir.path / "model.safetensors", tensors);
    auto textJson = text.toJson();
    textJson.erase("architectures");
    visionConfig.erase("architectures");
    nlohmann::json config{{"architectures", {"CLIPModel"}}, {"model_type", "clip"}, {"projection_dim", projection},
                          {"text_config", textJson}, {"vision_config", visionConfig}};
    dir.write("config.json", config.dump());
    fs::copy_file(vision / "preprocessor_config.json", dir.path / "preprocessor_config.json");

    auto scorer = ClipScorer::load(dir.path);
    ASSERT_TRUE(scorer->hasTextTower());
    const std::vector<cv::Mat> images{gradient(40, 30), gradient(30, 40)};
    const std::vector<std::string> prompts{"a cat", "a lighthouse"};
    auto scores = scorer->textScores(images, prompts);
    auto expected = torch::cosine_similarity(scorer->imageEmbeds(images).to(torch::kFloat64),
                                             scorer->textEmbeds(prompts).to(torch::kFloat64), 1);
    ASSERT_EQ(scores.size(), 2u);
    for (size_t i = 0; i < 2; ++i) EXPECT_NEAR(scores[i], expected[static_cast<int64_t>(i)].item<double>(), 1e-12);
    // The image tower alone: embeddings, and a text score refused with the reason.
    auto towerOnly = ClipScorer::load(vision);
    EXPECT_FALSE(towerOnly->hasTextTower());
    EXPECT_TRUE(torch::allclose(towerOnly->imageEmbeds(images), scorer->imageEmbeds(images)));
    expectSaError([&] { towerOnly->textEmbeds(prompts); }, {"CLIPModel"});
}

}  // namespace
}  // namespace sa::test

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    sa::configureRuntime();
    return RUN_ALL_TESTS();
}
