#pragma once
// A procedural, deterministic data set of iconic subjects drawn in distinct styles ("a fish,
// pixel art style"): the training world of the bundled demo model and of its style judge.
// Each subject is a fixed composition of primitives that every style renders, so a subject is
// recognisable by shape and a style by palette, stroke, texture and background. Pose, scale,
// position and colours vary per seed so that models learn concepts rather than pictures.
//
// Each style has several looks (variants) under one name — pixel art by day, at night, at
// sunset; a blueprint, a whiteprint, a CAD screen — and the caption never says which. The
// style words are therefore ambiguous, as real style prompts are: plain generation picks a look
// at random, while StyleAligned should keep the reference's look across a set. The judge tells
// the looks apart, so "style agreement" means agreeing with the reference's look.
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace sa::data {

struct Sample {
    cv::Mat image;        // 8-bit BGR, size × size
    int subject = 0;      // index into subjectNames()
    int style = 0;        // index into styleNames()
    int variant = 0;      // the style's look, 0 … styleVariants() - 1 (not in the caption)
    std::string caption;  // "a fish, pixel art style"
};

const std::vector<std::string>& subjectNames();
const std::vector<std::string>& styleNames();
int styleVariants();  // looks per style (3)

// A style kept out of styleNames(), the base training data and the judge ("cross stitch", one
// look): what the demo LoRA teaches the demo model (resources/models/demo-lora). drawSample and
// captionFor take its index; ProceduralDataset draws it only when asked to.
int heldOutStyle();  // styleNames().size()
const std::string& heldOutStyleName();
std::string styleName(int style);  // a base style's name or the held-out one's

// "a <subject>, <style> style" ("an" before a subject that starts with a vowel).
std::string captionFor(int subject, int style);

// Deterministic: the same (subject, style, seed, size) gives the same pixels on every machine
// (with the same OpenCV build: only its integer drawing and morphology routines are used).
// Throws sa::Error for an unknown subject / style / variant or a size outside [32, 4096].
Sample drawSample(int subject, int style, uint64_t seed, int size = 64, int variant = 0);

// The subject's silhouette (CV_8U, 0 / 255, size × size) where drawSample(subject, any style,
// seed, size) draws it: pose depends on (subject, seed) only. For judges and tests that need to
// tell foreground from background.
cv::Mat subjectMask(int subject, uint64_t seed, int size = 64);

// Index → (subject, style, seed): consecutive indices cycle through every (subject, style) pair,
// so any window of pairs() indices covers each pair once. `split` 0 = train, 1 = held-out; the
// two splits never share a drawing seed, so evaluation never sees a training picture. The look
// of each sample is drawn from its seed among the first `variants` looks. `onlyStyle` ≥ 0 draws
// that style alone (any base style, or heldOutStyle() for the LoRA's data): indices then cycle
// through the subjects.
class ProceduralDataset {
public:
    ProceduralDataset(uint64_t seed, int size = 64, int split = 0, int variants = styleVariants(), int onlyStyle = -1);
    Sample at(int64_t index) const;  // index ≥ 0; the data set is unbounded
    std::string captionAt(int64_t index) const;  // at(index).caption, without drawing
    int64_t pairs() const;           // subjects × styles (subjects with onlyStyle)
    int size() const { return size_; }
    int split() const { return split_; }
    int variants() const { return variants_; }

    // The drawing seed of `index` (exposed so tests can check that splits are disjoint).
    uint64_t sampleSeed(int64_t index) const;

private:
    uint64_t seed_;
    int size_;
    int split_;
    int variants_;
    int onlyStyle_;
};

}  // namespace sa::data
