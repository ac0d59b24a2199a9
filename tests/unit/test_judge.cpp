// The shipped judge (resources/models/demo/judge) on held-out procedural samples: both heads
// must be right at least 95 % of the time, and its captions are the data set's captions.
#include <gtest/gtest.h>

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
    data::ProceduralDataset heldOut(/*seed=*/777, judge.config().image_size, /*split=*/1);
    std::vector<torch::Tensor> images;
    std::vector<data::Sample> samples;
    for (int64_t i = 0; i < 240; ++i) {
        samples.push_back(heldOut.at(i));
        images.push_back((imageToTensor(samples.back().image) + 1) / 2);
    }
    auto verdicts = judge.judge(torch::cat(images));
    int subjects = 0, styles = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
        subjects += verdicts[i].subject == samples[i].subject;
        styles += verdicts[i].style == samples[i].style;
        if (verdicts[i].subject == samples[i].subject && verdicts[i].style == samples[i].style)
            EXPECT_EQ(judge.caption(verdicts[i]), samples[i].caption);
    }
    EXPECT_GE(subjects, 228) << "subject accuracy " << subjects << "/240";
    EXPECT_GE(styles, 228) << "style accuracy " << styles << "/240";
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
