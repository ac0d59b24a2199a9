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
