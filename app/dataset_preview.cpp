// stylealigned-dataset-preview: a contact sheet of the procedural data set (one row per look of
// each style, one column per subject) to check by eye that subjects, styles and looks read as
// intended; with --examples DIR it writes the example references that ship in resources/examples
// (one per style, a different subject and look each, from seeds outside the training split).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/data/procedural_dataset.h"

namespace {

void usage() {
    std::fprintf(stderr, "usage: stylealigned-dataset-preview --out FILE.png [--seed S] [--size N]\n"
                         "       stylealigned-dataset-preview --examples DIR [--size N]\n");
}

std::string fileName(std::string text) {
    std::replace(text.begin(), text.end(), ' ', '_');
    return text;
}

int writeExamples(const std::string& folder, int size) {
    const auto& subjects = sa::data::subjectNames();
    const auto& styles = sa::data::styleNames();
    for (size_t style = 0; style < styles.size(); ++style) {
        const int subject = static_cast<int>((style * 5 + 3) % subjects.size());
        const int look = static_cast<int>(style) % sa::data::styleVariants();
        const auto sample = sa::data::drawSample(subject, static_cast<int>(style), 7'000'000 + style, size, look);
        const auto file = folder + "/" + fileName(subjects[size_t(subject)] + " " + styles[style]) + ".png";
        if (!cv::imwrite(file, sample.image)) {
            std::fprintf(stderr, "could not write %s\n", file.c_str());
            return 1;
        }
        std::printf("%s\n", file.c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string out, examples;
    uint64_t seed = 0;
    int size = 64;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            usage();
            return 0;
        }
        if (i + 1 >= argc) {
            usage();
            return 2;
        }
        const std::string value = argv[++i];
        if (arg == "--out") out = value;
        else if (arg == "--examples") examples = value;
        else if (arg == "--seed") seed = std::strtoull(value.c_str(), nullptr, 10);
        else if (arg == "--size") size = std::atoi(value.c_str());
        else {
            std::fprintf(stderr, "unknown option %s\n", arg.c_str());
            usage();
            return 2;
        }
    }
    if (out.empty() && examples.empty()) {
        usage();
        return 2;
    }
    try {
        if (!examples.empty()) return writeExamples(examples, size);
        const auto& subjects = sa::data::subjectNames();
        const auto& styles = sa::data::styleNames();
        const int zoom = 2, cell = size * zoom, gap = 4, left = 150, top = 26;
        const int looks = sa::data::styleVariants();
        // One row per look of each style, then the held-out style (the demo LoRA's).
        const int cols = int(subjects.size()), rows = int(styles.size()) * looks + 1;
        cv::Mat sheet(top + rows * (cell + gap), left + cols * (cell + gap), CV_8UC3, cv::Scalar(40, 40, 40));
        const auto font = cv::FONT_HERSHEY_SIMPLEX;
        const double headScale = std::min(0.5, cell / 180.0);  // "mountain" must fit its column
        for (int c = 0; c < cols; ++c)
            cv::putText(sheet, subjects[size_t(c)], {left + c * (cell + gap) + 2, top - 8}, font, headScale, {235, 235, 235}, 1,
                        cv::LINE_AA);
        for (int r = 0; r < rows; ++r) {
            const int y = top + r * (cell + gap);
            const bool heldOut = r + 1 == rows;
            const int style = heldOut ? sa::data::heldOutStyle() : r / looks, look = heldOut ? 0 : r % looks;
            const std::string label = heldOut ? sa::data::heldOutStyleName() + " (held out)" : styles[size_t(style)] + " " + std::to_string(look + 1);
            cv::putText(sheet, label, {6, y + cell / 2 + 5}, font, 0.45, {235, 235, 235}, 1, cv::LINE_AA);
            for (int c = 0; c < cols; ++c) {
                const sa::data::Sample sample = sa::data::drawSample(c, style, seed, size, look);
                cv::Mat zoomed;
                cv::resize(sample.image, zoomed, {cell, cell}, 0, 0, cv::INTER_NEAREST);
                zoomed.copyTo(sheet(cv::Rect(left + c * (cell + gap), y, cell, cell)));
            }
        }
        if (!cv::imwrite(out, sheet)) {
            std::fprintf(stderr, "could not write %s\n", out.c_str());
            return 1;
        }
        std::printf("wrote %s (%zu styles x %d looks and the held-out style x %d subjects, %d px samples)\n", out.c_str(),
                    styles.size(), looks, cols, size);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
