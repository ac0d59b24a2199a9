// Painting helpers of the styles. Integer pixel arithmetic throughout (and our own blur) so the
// pixels do not depend on the CPU's SIMD paths or on floating-point contraction.
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/data/procedural_internal.h"

namespace sa::data::detail {

// a → b by t / 255.
Color mix(Color a, Color b, int t) {
    Color out;
    for (int c = 0; c < 3; ++c) out[c] = uint8_t((a[c] * (255 - t) + b[c] * t + 127) / 255);
    return out;
}

// Colour jitter that keeps the hue: a shared brightness shift plus a smaller per-channel one.
Color jitter(Color col, Rng& rng, int amount) {
    const int shared = rng.uniformInt(-amount, amount);
    Color out;
    for (int c = 0; c < 3; ++c) out[c] = clamp8(col[c] + shared + rng.uniformInt(-amount / 2, amount / 2));
    return out;
}

namespace {

int colorDistance(Color a, Color b) { return std::abs(a[0] - b[0]) + std::abs(a[1] - b[1]) + std::abs(a[2] - b[2]); }

}  // namespace

Colors pickColors(const std::vector<Color>& palette, Color dark, Color light, Rng& rng, int jitterAmount,
                  const std::vector<Color>& avoid) {
    std::vector<Color> usable;  // palette entries that stand out from the colours to avoid
    for (const auto& p : palette)
        if (std::none_of(avoid.begin(), avoid.end(), [&](Color a) { return colorDistance(a, p) < 110; })) usable.push_back(p);
    for (size_t i = usable.size(); i > 1; --i) std::swap(usable[i - 1], usable[size_t(rng.uniformInt(0, int(i) - 1))]);
    Colors colors;
    for (size_t i = 0; i < 3; ++i) colors.c[i] = jitter(usable[i % usable.size()], rng, jitterAmount);
    colors.c[3] = dark;
    colors.c[4] = light;
    return colors;
}

cv::Mat canvas(int dim, Color c) { return cv::Mat(dim, dim, CV_8UC3, cv::Scalar(c[0], c[1], c[2])); }

void paint(cv::Mat& img, const cv::Mat& mask, Color c) { img.setTo(cv::Scalar(c[0], c[1], c[2]), mask); }

// img → c by mask·strength/255 (·modulate/255 where given), per pixel, in integers.
void blend(cv::Mat& img, const cv::Mat& mask, Color c, int strength, const cv::Mat& modulate) {
    for (int y = 0; y < img.rows; ++y) {
        auto* p = img.ptr<uint8_t>(y);
        const auto* m = mask.ptr<uint8_t>(y);
        const auto* g = modulate.empty() ? nullptr : modulate.ptr<uint8_t>(y);
        for (int x = 0; x < img.cols; ++x, p += 3) {
            if (!m[x]) continue;
            int a = m[x] * strength / 255;
            if (g) a = a * g[x] / 255;
            for (int k = 0; k < 3; ++k) p[k] = uint8_t((p[k] * (255 - a) + c[k] * a + 127) / 255);
        }
    }
}

// Saturating img += src · numerator / 256 (light adds up: glows).
void addScaled(cv::Mat& img, const cv::Mat& src, int numerator) {
    auto* p = img.ptr<uint8_t>(0);
    const auto* s = src.ptr<uint8_t>(0);
    for (size_t i = 0, n = img.total() * 3; i < n; ++i) p[i] = clamp8(p[i] + s[i] * numerator / 256);
}

// Brightness noise of ±amplitude per pixel (one value for all channels).
void addNoise(cv::Mat& img, int amplitude, Rng& rng) {
    for (int y = 0; y < img.rows; ++y) {
        auto* p = img.ptr<uint8_t>(y);
        for (int x = 0; x < img.cols; ++x, p += 3) {
            const int d = rng.uniformInt(-amplitude, amplitude);
            for (int k = 0; k < 3; ++k) p[k] = clamp8(p[k] + d);
        }
    }
}

// The mask's bounding box grown by `margin` (clipped): per-part work stays near the part.
cv::Rect around(const cv::Mat& mask, int margin) {
    const cv::Rect box = cv::boundingRect(mask);
    if (box.empty()) return {};
    const cv::Rect grown(box.x - margin, box.y - margin, box.width + 2 * margin, box.height + 2 * margin);
    return grown & cv::Rect(0, 0, mask.cols, mask.rows);
}

// Pixels within `inside` of the boundary inside the mask and within `outside` of it outside
// (each side at least one working pixel when asked for, so small images keep their outlines).
cv::Mat ring(const cv::Mat& full, double inside, double outside) {
    if (inside > 0) inside = std::max(inside, 1.0);
    if (outside > 0) outside = std::max(outside, 1.0);
    cv::Mat out(full.size(), CV_8U, cv::Scalar(0));
    const cv::Rect roi = around(full, int(std::ceil(outside)) + 2);
    if (roi.empty()) return out;
    const cv::Mat mask = full(roi);
    cv::Mat result = out(roi), dist, band;
    if (inside > 0) {
        cv::distanceTransform(mask, dist, cv::DIST_L2, cv::DIST_MASK_5);
        cv::compare(dist, inside, band, cv::CMP_LE);
        result |= band & mask;
    }
    if (outside > 0) {
        const cv::Mat inverse = ~mask;
        cv::distanceTransform(inverse, dist, cv::DIST_L2, cv::DIST_MASK_5);
        cv::compare(dist, outside, band, cv::CMP_LE);
        result |= band & inverse;
    }
    return out;
}

cv::Mat shifted(const cv::Mat& src, int dx, int dy) {
    cv::Mat out(src.size(), src.type(), cv::Scalar::all(0));
    const cv::Rect from(std::max(0, -dx), std::max(0, -dy), src.cols - std::abs(dx), src.rows - std::abs(dy));
    if (from.width <= 0 || from.height <= 0) return out;
    src(from).copyTo(out(cv::Rect(std::max(0, dx), std::max(0, dy), from.width, from.height)));
    return out;
}

// Box blur with running sums and clamped borders, any channel count, integer rounding.
cv::Mat boxBlur(const cv::Mat& src, int r) {
    if (r <= 0) return src.clone();
    const int ch = src.channels(), w = src.cols, h = src.rows, n = 2 * r + 1;
    cv::Mat tmp(src.size(), src.type()), out(src.size(), src.type());
    for (int y = 0; y < h; ++y) {
        const auto* s = src.ptr<uint8_t>(y);
        auto* d = tmp.ptr<uint8_t>(y);
        for (int c = 0; c < ch; ++c) {
            int sum = 0;
            for (int i = -r; i <= r; ++i) sum += s[std::clamp(i, 0, w - 1) * ch + c];
            for (int x = 0; x < w; ++x) {
                d[x * ch + c] = uint8_t((sum + n / 2) / n);
                sum += s[std::min(x + r + 1, w - 1) * ch + c] - s[std::max(x - r, 0) * ch + c];
            }
        }
    }
    std::vector<int> sums(size_t(w * ch));
    for (int i = -r; i <= r; ++i) {
        const auto* s = tmp.ptr<uint8_t>(std::clamp(i, 0, h - 1));
        for (int j = 0; j < w * ch; ++j) sums[size_t(j)] += s[j];
    }
    for (int y = 0; y < h; ++y) {
        auto* d = out.ptr<uint8_t>(y);
        const auto* add = tmp.ptr<uint8_t>(std::min(y + r + 1, h - 1));
        const auto* sub = tmp.ptr<uint8_t>(std::max(y - r, 0));
        for (int j = 0; j < w * ch; ++j) {
            d[j] = uint8_t((sums[size_t(j)] + n / 2) / n);
            sums[size_t(j)] += add[j] - sub[j];
        }
    }
    return out;
}

// ≈ Gaussian blur of the given sigma: three box passes.
cv::Mat blur(const cv::Mat& src, double sigma) {
    const int r = int(std::lround((std::sqrt(4 * sigma * sigma + 1) - 1) / 2));
    return boxBlur(boxBlur(boxBlur(src, r), r), r);
}

// Mean of each ss × ss block: the anti-aliasing step from working to output resolution.
cv::Mat downsample(const cv::Mat& img, int ss) {
    if (ss == 1) return img.clone();
    const int dim = img.rows / ss, area = ss * ss;
    cv::Mat out(dim, dim, CV_8UC3);
    std::vector<int> sums(size_t(dim * 3));
    for (int y = 0; y < dim; ++y) {
        std::fill(sums.begin(), sums.end(), 0);
        for (int dy = 0; dy < ss; ++dy) {
            const auto* s = img.ptr<uint8_t>(y * ss + dy);
            for (int x = 0; x < dim * ss; ++x)
                for (int k = 0; k < 3; ++k) sums[size_t((x / ss) * 3 + k)] += s[x * 3 + k];
        }
        auto* d = out.ptr<uint8_t>(y);
        for (int i = 0; i < dim * 3; ++i) d[i] = uint8_t((sums[size_t(i)] + area / 2) / area);
    }
    return out;
}

// Smooth noise in 0..255 with about `cells` blobs across: random lattice, bilinear (bit-exact
// variant), blurred, then stretched to the full range.
cv::Mat valueNoise(int dim, int cells, Rng& rng) {
    cv::Mat lattice(cells + 1, cells + 1, CV_8U);
    for (int i = 0; i < lattice.rows * lattice.cols; ++i) lattice.data[i] = rng.byte();
    cv::Mat up;
    cv::resize(lattice, up, cv::Size(dim, dim), 0, 0, cv::INTER_LINEAR_EXACT);
    up = blur(up, dim / double(cells) / 3);
    double lo = 0, hi = 0;
    cv::minMaxLoc(up, &lo, &hi);
    const int l = int(lo), span = std::max(1, int(hi) - int(lo));
    for (int i = 0; i < dim * dim; ++i) up.data[i] = uint8_t((up.data[i] - l) * 255 / span);
    return up;
}

// Independent random value per output pixel, spread over its ss × ss working block, so the
// texture survives the final downsampling (paper grain, chalk dust).
cv::Mat grain(const Scene& s, Rng& rng) {
    cv::Mat small(s.size, s.size, CV_8U), big;
    for (int i = 0; i < s.size * s.size; ++i) small.data[i] = rng.byte();
    cv::resize(small, big, cv::Size(s.W, s.W), 0, 0, cv::INTER_NEAREST);
    return big;
}

cv::Mat remap8(const cv::Mat& src, const std::array<uint8_t, 256>& lut) {
    cv::Mat out(src.size(), CV_8U);
    for (size_t i = 0; i < src.total(); ++i) out.data[i] = lut[src.data[i]];
    return out;
}

// Parallel lines over the whole canvas at `angleDeg`, with a little jitter of offset and angle.
cv::Mat hatch(int dim, double angleDeg, double spacing, double thickness, double jitterFraction, Rng& rng) {
    cv::Mat mask(dim, dim, CV_8U, cv::Scalar(0));
    const double a = angleDeg * 3.14159265358979323846 / 180;
    const cv::Point2d dir(detCos(a), detSin(a)), normal(-dir.y, dir.x), centre(dim / 2.0, dim / 2.0);
    const int t = std::max(1, int(std::lround(thickness)));
    for (double o = -0.75 * dim; o <= 0.75 * dim; o += spacing) {
        const double off = o + rng.uniform(-jitterFraction, jitterFraction) * spacing;
        const double tilt = rng.uniform(-0.03, 0.03);
        const cv::Point2d d = dir + tilt * normal, base = centre + off * normal;
        const cv::Point2d p0 = base - d * dim, p1 = base + d * dim;
        cv::line(mask, cv::Point(int(std::lround(p0.x * 16)), int(std::lround(p0.y * 16))),
                 cv::Point(int(std::lround(p1.x * 16)), int(std::lround(p1.y * 16))), cv::Scalar(255), t, cv::LINE_8, 4);
    }
    return mask;
}

// A lattice of dots, rows offset by half a step (the 45° screen of halftone printing).
cv::Mat dots(int dim, double spacing, double radius, cv::Point2d phase) {
    cv::Mat mask(dim, dim, CV_8U, cv::Scalar(0));
    const int r16 = int(std::lround(radius * 16));
    int row = 0;
    for (double y = phase.y - spacing; y < dim + spacing; y += spacing / 2, ++row)
        for (double x = phase.x - spacing + (row % 2) * spacing / 2; x < dim + spacing; x += spacing)
            cv::circle(mask, cv::Point(int(std::lround(x * 16)), int(std::lround(y * 16))), r16, cv::Scalar(255), cv::FILLED,
                       cv::LINE_8, 4);
    return mask;
}

cv::Mat lineMask(const Scene& s, const Part& part, double widthOutputPixels) {
    return rasterLines(part, s.ss, s.W, widthOutputPixels * s.unit());
}

}  // namespace sa::data::detail
