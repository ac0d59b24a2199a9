// The data set's public face: names, captions, posing a subject and the index → sample mapping.
// Determinism: our own PRNG (procedural_internal.h), our own sin/cos, integer rasterisation
// (cv::fillPoly / cv::polylines with sub-pixel shift) and integer image arithmetic in the styles.
#include "core/data/procedural_dataset.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/data/procedural_internal.h"

namespace sa::data {
namespace detail {

double detSin(double x) {
    constexpr double kPi = 3.14159265358979323846;
    x -= 2 * kPi * std::floor(x / (2 * kPi) + 0.5);  // → [-π, π]
    if (x > kPi / 2) x = kPi - x;
    else if (x < -kPi / 2) x = -kPi - x;
    // Taylor series on [-π/2, π/2]: the 19th-order term is below 1e-15.
    const double x2 = x * x;
    double term = x, sum = x;
    for (int n = 1; n <= 9; ++n) {
        term *= -x2 / double((2 * n) * (2 * n + 1));
        sum += term;
    }
    return sum;
}

double detCos(double x) { return detSin(x + 1.57079632679489661923); }

namespace {

constexpr int kShift = 4;  // sub-pixel bits of the rasteriser

std::vector<cv::Point> toRaster(const Path& path, double factor) {
    std::vector<cv::Point> out;
    out.reserve(path.size());
    const double k = factor * (1 << kShift);
    for (const auto& p : path) out.emplace_back(int(std::lround(p.x * k)), int(std::lround(p.y * k)));
    return out;
}

void drawStrokes(cv::Mat& mask, const std::vector<Path>& strokes, const std::vector<bool>& closed,
                 double factor, double width) {
    const int thickness = std::max(1, int(std::lround(width * factor)));
    for (size_t i = 0; i < strokes.size(); ++i) {
        const std::vector<std::vector<cv::Point>> pts{toRaster(strokes[i], factor)};
        cv::polylines(mask, pts, i < closed.size() && closed[i], cv::Scalar(255), thickness, cv::LINE_8, kShift);
    }
}

}  // namespace

cv::Mat rasterRegion(const Part& part, double factor, int dim) {
    cv::Mat mask(dim, dim, CV_8U, cv::Scalar(0));
    // One call per polygon: several contours in one cv::fillPoly call would XOR their overlaps.
    for (const auto& poly : part.fills) {
        const std::vector<std::vector<cv::Point>> pts{toRaster(poly, factor)};
        cv::fillPoly(mask, pts, cv::Scalar(255), cv::LINE_8, kShift);
    }
    drawStrokes(mask, part.strokes, part.strokeClosed, factor, part.strokeWidth);
    return mask;
}

cv::Mat rasterLines(const Part& part, double factor, int dim, double widthPixels) {
    cv::Mat mask(dim, dim, CV_8U, cv::Scalar(0));
    drawStrokes(mask, part.strokes, part.strokeClosed, factor, widthPixels);
    return mask;
}

}  // namespace detail

using namespace detail;

namespace {

// Bijective 64-bit mix (the splitmix64 finaliser): distinct inputs stay distinct.
uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void checkSubject(int subject) {
    if (subject < 0 || subject >= int(subjectNames().size()))
        fail("procedural data set: subject {} out of range [0, {})", subject, subjectNames().size());
}

void checkStyle(int style) {
    if (style < 0 || style > heldOutStyle())
        fail("procedural data set: style {} out of range [0, {}] ({} is the held-out style)", style, heldOutStyle(), heldOutStyle());
}

void checkVariant(int variant) {
    if (variant < 0 || variant >= styleVariants())
        fail("procedural data set: style variant {} out of range [0, {})", variant, styleVariants());
}

void checkSize(int size) {
    if (size < 32) fail("procedural data set: image size {} is below the minimum of 32", size);
    if (size > 4096) fail("procedural data set: image size {} is above the maximum of 4096", size);
}

template <typename F>
void forEachPoint(Shape& shape, F&& f) {
    for (auto& part : shape) {
        for (auto& path : part.fills)
            for (auto& p : path) f(p);
        for (auto& path : part.strokes)
            for (auto& p : path) f(p);
    }
}

cv::Rect2d boundsOf(const Shape& shape) {
    double x0 = std::numeric_limits<double>::max(), y0 = x0, x1 = -x0, y1 = -x0;
    for (const auto& part : shape) {
        const double pad = part.isLine ? 0.0 : part.strokeWidth / 2;
        auto add = [&](const Path& path, double r) {
            for (const auto& p : path) {
                x0 = std::min(x0, p.x - r), y0 = std::min(y0, p.y - r);
                x1 = std::max(x1, p.x + r), y1 = std::max(y1, p.y + r);
            }
        };
        for (const auto& path : part.fills) add(path, 0);
        for (const auto& path : part.strokes) add(path, pad);
    }
    return {x0, y0, x1 - x0, y1 - y0};
}

// Random pose: mirror, rotation ±25°, the larger side 0.55–0.9 of the canvas, position jitter
// that keeps the subject inside the canvas where it fits.
Shape poseSubject(Shape shape, int size, Rng& rng) {
    const cv::Rect2d unitBox = boundsOf(shape);
    const cv::Point2d centre(unitBox.x + unitBox.width / 2, unitBox.y + unitBox.height / 2);
    const double extent = std::max(unitBox.width, unitBox.height);

    const bool mirror = rng.chance(0.5);
    const double angle = rng.uniform(-25.0, 25.0) * 3.14159265358979323846 / 180.0;
    const double scale = rng.uniform(0.55, 0.9);
    const double k = scale * size / extent;
    const double c = detCos(angle), s = detSin(angle);
    forEachPoint(shape, [&](cv::Point2d& p) {
        const double x = (mirror ? centre.x - p.x : p.x - centre.x) * k, y = (p.y - centre.y) * k;
        p = {c * x - s * y, s * x + c * y};
    });
    for (auto& part : shape) part.strokeWidth *= k;

    const cv::Rect2d box = boundsOf(shape);
    const double margin = 0.03 * size;
    auto place = [&](double lo, double hi) { return lo <= hi ? rng.uniform(lo, hi) : (lo + hi) / 2; };
    const double cx = place(margin - box.x, size - margin - (box.x + box.width));
    const double cy = place(margin - box.y, size - margin - (box.y + box.height));
    forEachPoint(shape, [&](cv::Point2d& p) { p += cv::Point2d(cx, cy); });
    return shape;
}

}  // namespace

const std::vector<std::string>& subjectNames() {
    static const std::vector<std::string> names{"house", "tree", "fish",   "cat",  "boat",     "star",
                                                "cup",   "car",  "flower", "bird", "mountain", "key"};
    return names;
}

const std::vector<std::string>& styleNames() {
    static const std::vector<std::string> names{"flat pastel", "neon outline",  "pencil hatching", "watercolor",
                                                "pixel art",   "stained glass", "pop art dots",    "ukiyo-e waves",
                                                "chalkboard",  "blueprint"};
    return names;
}

int styleVariants() { return 3; }

int heldOutStyle() { return int(styleNames().size()); }

const std::string& heldOutStyleName() {
    static const std::string name = "cross stitch";
    return name;
}

std::string styleName(int style) {
    checkStyle(style);
    return style == heldOutStyle() ? heldOutStyleName() : styleNames()[size_t(style)];
}

std::string captionFor(int subject, int style) {
    checkSubject(subject);
    checkStyle(style);
    const std::string& name = subjectNames()[size_t(subject)];
    const bool vowel = std::string_view("aeiou").find(name.front()) != std::string_view::npos;
    return fmt::format("{} {}, {} style", vowel ? "an" : "a", name, styleName(style));
}

namespace {

// Shape and pose depend on (seed, subject) only, so one seed shows the same pose in every style
// (and subjectMask matches drawSample); colours and textures also depend on the style.
Shape posedShape(int subject, uint64_t seed, int size) {
    Rng rng(mix64(seed ^ mix64(0x5eed0000ULL + uint64_t(subject))));
    return poseSubject(subjectShape(subject, rng), size, rng);
}

}  // namespace

Sample drawSample(int subject, int style, uint64_t seed, int size, int variant) {
    checkSubject(subject);
    checkStyle(style);
    checkVariant(variant);
    checkSize(size);

    Scene scene;
    scene.size = size;
    scene.ss = size <= 128 ? 4 : size <= 256 ? 2 : 1;
    scene.W = size * scene.ss;
    scene.variant = variant;
    scene.parts = posedShape(subject, seed, size);
    scene.bounds = boundsOf(scene.parts);
    scene.silhouette = cv::Mat(scene.W, scene.W, CV_8U, cv::Scalar(0));
    for (const auto& part : scene.parts) {
        if (part.isLine) {
            scene.masks.emplace_back();
            continue;
        }
        scene.masks.push_back(rasterRegion(part, scene.ss, scene.W));
        scene.silhouette |= scene.masks.back();
    }

    Rng styleRng(mix64(seed ^ mix64(0x57e1e000ULL + uint64_t(subject) * 64 + uint64_t(style))));
    Sample sample;
    sample.image = renderStyle(style, scene, styleRng);
    sample.subject = subject;
    sample.style = style;
    sample.variant = variant;
    sample.caption = captionFor(subject, style);
    return sample;
}

cv::Mat subjectMask(int subject, uint64_t seed, int size) {
    checkSubject(subject);
    checkSize(size);
    cv::Mat mask(size, size, CV_8U, cv::Scalar(0));
    for (const auto& part : posedShape(subject, seed, size))
        if (!part.isLine) mask |= rasterRegion(part, 1.0, size);
    return mask;
}

ProceduralDataset::ProceduralDataset(uint64_t seed, int size, int split, int variants, int onlyStyle)
    : seed_(seed), size_(size), split_(split), variants_(variants), onlyStyle_(onlyStyle) {
    if (onlyStyle != -1) checkStyle(onlyStyle);
    checkSize(size);
    if (split != 0 && split != 1) fail("procedural data set: split must be 0 (train) or 1 (held-out), got {}", split);
    if (variants < 1 || variants > styleVariants())
        fail("procedural data set: variants must be in [1, {}], got {}", styleVariants(), variants);
}

int64_t ProceduralDataset::pairs() const {
    return int64_t(subjectNames().size() * (onlyStyle_ >= 0 ? 1 : styleNames().size()));
}

uint64_t ProceduralDataset::sampleSeed(int64_t index) const {
    if (index < 0) fail("procedural data set: negative index {}", index);
    // (index, split) → 2·index + split is injective and mix64 is a bijection, so no two indices,
    // and in particular no two splits, share a drawing seed.
    return mix64(mix64(seed_) + 2 * uint64_t(index) + uint64_t(split_));
}

std::string ProceduralDataset::captionAt(int64_t index) const {
    if (index < 0) fail("procedural data set: negative index {}", index);
    const int64_t pair = index % pairs(), subjects = int64_t(subjectNames().size());
    return captionFor(int(pair % subjects), onlyStyle_ >= 0 ? onlyStyle_ : int(pair / subjects));
}

Sample ProceduralDataset::at(int64_t index) const {
    const uint64_t seed = sampleSeed(index);
    const int64_t pair = index % pairs();
    const int subjects = int(subjectNames().size());
    const int variant = int(mix64(seed ^ 0x100c5ULL) % uint64_t(variants_));
    return drawSample(int(pair % subjects), onlyStyle_ >= 0 ? onlyStyle_ : int(pair / subjects), seed, size_,
                      onlyStyle_ == heldOutStyle() ? 0 : variant);
}

}  // namespace sa::data
