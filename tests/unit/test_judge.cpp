// The shipped judge (resources/models/demo/judge) on held-out procedural samples: both heads
// must be right at least 95 % of the time — the style head on the style and on its look — and its
// captions are the data set's captions.
#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/data/procedural_dataset.h"
#include "core/eval/judge.h"
#include "core/io/image.h"

using namespace sa;

TEST(Judge, HeldOutAccuracyAndCaptions) {
    const std::filesystem::path folder = std::string(STYLEALIGNED_SOURCE_DIR) + "/resources/models/demo/judge";
    if (!std::filesystem::exists(folder / "config.json")) GTEST_SKIP() << "no shipped judge at " << folder;
    auto judge = Judge::load(folder);
    EXPECT_EQ(judge.config().subjects, data::subjectNames());
    EXPECT_EQ(judge.config().styles, data::styleNames());
    EXPECT_EQ(judge.config().style_variants, data::styleVariants());
    data::ProceduralDataset heldOut(/*seed=*/777, judge.config().image_size, /*split=*/1);
    std::vector<torch::Tensor> images;
    std::vector<data::Sample> samples;
    for (int64_t i = 0; i < 240; ++i) {
        samples.push_back(heldOut.at(i));
        images.push_back((imageToTensor(samples.back().image) + 1) / 2);
    }
    auto verdicts = judge.judge(torch::cat(images));
    int subjects = 0, styles = 0, looks = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
        subjects += verdicts[i].subject == samples[i].subject;
        styles += verdicts[i].style == samples[i].style;
        looks += verdicts[i].style == samples[i].style && verdicts[i].variant == samples[i].variant;
        EXPECT_GT(verdicts[i].styleConfidence, 0.f);
        EXPECT_LE(verdicts[i].variantConfidence, 1.0001f);
        if (verdicts[i].subject == samples[i].subject && verdicts[i].style == samples[i].style)
            EXPECT_EQ(judge.caption(verdicts[i]), samples[i].caption);
    }
    EXPECT_GE(subjects, 228) << "subject accuracy " << subjects << "/240";
    EXPECT_GE(styles, 228) << "style accuracy " << styles << "/240";
    EXPECT_GE(looks, 228) << "style and look accuracy " << looks << "/240";
}

// The Gram style descriptor sees style, not subject: two different subjects drawn in one style
// are closer than one subject drawn in two styles, for most pairs.
TEST(Judge, StyleDescriptorSeparatesStylesNotSubjects) {
    const std::filesystem::path folder = std::string(STYLEALIGNED_SOURCE_DIR) + "/resources/models/demo/judge";
    if (!std::filesystem::exists(folder / "config.json")) GTEST_SKIP() << "no shipped judge at " << folder;
    auto judge = Judge::load(folder);
    const int size = judge.config().image_size;
    auto image = [&](int subject, int style, uint64_t seed) { return (imageToTensor(data::drawSample(subject, style, seed, size).image) + 1) / 2; };
    int right = 0, pairs = 0;
    for (int style = 0; style < 10; ++style)
        for (int subject = 0; subject < 12; subject += 3) {
            const int otherSubject = (subject + 5) % 12, otherStyle = (style + 3) % 10;
            auto d = judge.styleDescriptor(torch::cat({image(subject, style, 900 + style), image(otherSubject, style, 950 + style),
                                                       image(subject, otherStyle, 990 + style)}));
            const double sameStyle = (d[0] * d[1]).sum().item<double>(), sameSubject = (d[0] * d[2]).sum().item<double>();
            right += sameStyle > sameSubject;
            ++pairs;
        }
    EXPECT_GE(right, pairs * 9 / 10) << right << "/" << pairs;
}

// styleSimilarity: held-out cross-stitch pictures (a style the judge never saw) are closer to other
// cross-stitch pictures' centre than pictures of every base style are; a set is most like itself; no
// examples is an error.
TEST(Judge, StyleSimilarityToAStylesExamples) {
    const std::filesystem::path folder = std::string(STYLEALIGNED_SOURCE_DIR) + "/resources/models/demo/judge";
    if (!std::filesystem::exists(folder / "config.json")) GTEST_SKIP() << "no shipped judge at " << folder;
    auto judge = Judge::load(folder);
    const int size = judge.config().image_size;
    auto pictures = [&](int style, uint64_t seed) {
        const data::ProceduralDataset set(seed, size, 1, 1, style);
        std::vector<torch::Tensor> images;
        for (int i = 0; i < 12; ++i) images.push_back((imageToTensor(set.at(i).image) + 1) / 2);
        return torch::cat(images);
    };
    const auto examples = pictures(data::heldOutStyle(), 1), others = pictures(data::heldOutStyle(), 2);
    const double self = judge.styleSimilarity(examples, examples), same = judge.styleSimilarity(others, examples);
    EXPECT_GT(self, same);
    EXPECT_LE(self, 1.0 + 1e-6);
    for (int style = 0; style < static_cast<int>(data::styleNames().size()); ++style)
        EXPECT_GT(same, judge.styleSimilarity(pictures(style, 3), examples)) << data::styleNames()[static_cast<size_t>(style)];
    EXPECT_THROW(judge.styleSimilarity(examples, examples.slice(0, 0, 0)), Error);
}

// The style head's classes are style · looks + look: the verdict's style sums its looks'
// probabilities, its look is the likeliest look of that style; a bad look count is refused.
TEST(Judge, LooksOfTheStyleHead) {
    nlohmann::json json{{"_class_name", "StyleAlignedJudge"}, {"subjects", {"cup", "key"}}, {"styles", {"ink", "neon", "chalk"}},
                        {"style_variants", 2}, {"image_size", 32}, {"channels", {8, 16}}};
    torch::manual_seed(3);
    auto config = JudgeConfig::fromJson(JsonConfig(json, "judge/config.json"));
    JudgeNet net(config);
    net->eval();
    Judge judge(config, net);
    auto images = torch::rand({6, 3, 32, 32});
    auto verdicts = judge.judge(images);
    torch::NoGradGuard noGrad;
    auto probs = std::get<1>(net->forward(images)).softmax(1).view({6, 3, 2});
    ASSERT_EQ(std::get<1>(net->forward(images)).size(1), 6);
    for (int64_t i = 0; i < 6; ++i) {
        const auto& v = verdicts[static_cast<size_t>(i)];
        auto styleProbs = probs[i].sum(1);
        EXPECT_EQ(v.style, styleProbs.argmax().item<int64_t>());
        EXPECT_EQ(v.variant, probs[i][v.style].argmax().item<int64_t>());
        EXPECT_NEAR(v.styleConfidence, styleProbs[v.style].item<float>(), 1e-6);
        EXPECT_NEAR(v.variantConfidence, (probs[i][v.style][v.variant] / styleProbs[v.style]).item<float>(), 1e-5);
    }
    EXPECT_TRUE(sameLook(verdicts[0], verdicts[0]));
    JudgeVerdict other = verdicts[0];
    other.variant = 1 - other.variant;
    EXPECT_FALSE(sameLook(verdicts[0], other));

    json["style_variants"] = 0;
    try {
        JudgeConfig::fromJson(JsonConfig(json, "judge/config.json"));
        FAIL() << "style_variants 0 accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("style_variants"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("judge/config.json"), std::string::npos) << e.what();
    }
}
