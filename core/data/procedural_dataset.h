#pragma once
// A procedural, deterministic data set of iconic subjects drawn in distinct styles ("a fish,
// pixel art style"): the training world of the bundled demo model and of its style judge.
// Each subject is a fixed composition of primitives that every style renders, so a subject is
// recognisable by shape and a style by palette, stroke, texture and background. Pose, scale,
// position and colours vary per seed so that models learn concepts rather than pictures.
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace sa::data {

struct Sample {
    cv::Mat image;        // 8-bit BGR, size × size
    int subject = 0;      // index into subjectNames()
    int style = 0;        // index into styleNames()
    std::string caption;  // "a fish, pixel art style"
};

const std::vector<std::string>& subjectNames();
const std::vector<std::string>& styleNames();

// "a <subject>, <style> style" ("an" before a subject that starts with a vowel).
std::string captionFor(int subject, int style);

// Deterministic: the same (subject, style, seed, size) gives the same pixels on every machine
// (with the same OpenCV build: only its integer drawing and morphology routines are used).
// Throws sa::Error for an unknown subject / style or a size outside [32, 4096].
Sample drawSample(int subject, int style, uint64_t seed, int size = 64);

// The subject's silhouette (CV_8U, 0 / 255, size × size) where drawSample(subject, any style,
// seed, size) draws it: pose depends on (subject, seed) only. For judges and tests that need to
// tell foreground from background.
cv::Mat subjectMask(int subject, uint64_t seed, int size = 64);

// Index → (subject, style, seed): consecutive indices cycle through every (subject, style) pair,
// so any window of pairs() indices covers each pair once. `split` 0 = train, 1 = held-out; the
// two splits never share a drawing seed, so evaluation never sees a training picture.
class ProceduralDataset {
public:
    ProceduralDataset(uint64_t seed, int size = 64, int split = 0);
    Sample at(int64_t index) const;  // index ≥ 0; the data set is unbounded
    int64_t pairs() const;           // subjects × styles
    int size() const { return size_; }
    int split() const { return split_; }

    // The drawing seed of `index` (exposed so tests can check that splits are disjoint).
    uint64_t sampleSeed(int64_t index) const;

private:
    uint64_t seed_;
    int size_;
    int split_;
};

}  // namespace sa::data
