#include "core/io/pil_resize.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/common/error.h"

namespace sa {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

double sinc(double x) {
    if (x == 0.0) return 1.0;
    x *= M_PI;
    return std::sin(x) / x;
}

struct Filter {
    double (*weight)(double);
    double support;
};

Filter filterFor(PilFilter f) {
    switch (f) {
        case PilFilter::Box: return {[](double x) { return x > -0.5 && x <= 0.5 ? 1.0 : 0.0; }, 0.5};
        case PilFilter::Bilinear: return {[](double x) { x = std::fabs(x); return x < 1.0 ? 1.0 - x : 0.0; }, 1.0};
        case PilFilter::Hamming:
            return {[](double x) {
                        x = std::fabs(x);
                        if (x == 0.0) return 1.0;
                        if (x >= 1.0) return 0.0;
                        x *= M_PI;
                        return std::sin(x) / x * (0.54f + 0.46f * std::cos(x));  // float literals, as Pillow
                    },
                    1.0};
        case PilFilter::Bicubic:
            return {[](double x) {
                        constexpr double a = -0.5;
                        x = std::fabs(x);
                        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
                        return 0.0;
                    },
                    2.0};
        case PilFilter::Lanczos:
            return {[](double x) { return x >= -3.0 && x < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0; }, 3.0};
        case PilFilter::Nearest: break;
    }
    fail("pilResize: no convolution filter for NEAREST");
}

// precompute_coeffs + normalize_coeffs_8bpc: per output pixel the first input pixel, the count,
// and fixed-point weights.
struct Coefficients {
    int ksize = 0;
    std::vector<int> first, count;
    std::vector<int32_t> weights;  // outSize × ksize
};

Coefficients coefficients(int inSize, int outSize, const Filter& filter) {
    const double scale = static_cast<double>(inSize) / outSize;
    const double filterScale = std::max(scale, 1.0);
    const double support = filter.support * filterScale;
    Coefficients c;
    c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
    c.first.resize(outSize);
    c.count.resize(outSize);
    c.weights.assign(static_cast<size_t>(outSize) * c.ksize, 0);
    std::vector<double> k(c.ksize);
    for (int xx = 0; xx < outSize; ++xx) {
        const double center = (xx + 0.5) * scale;
        const double ss = 1.0 / filterScale;
        int xmin = static_cast<int>(center - support + 0.5);  // C truncation, as Pillow
        if (xmin < 0) xmin = 0;
        int xmax = static_cast<int>(center + support + 0.5);
        if (xmax > inSize) xmax = inSize;
        xmax -= xmin;
        double total = 0.0;
        for (int x = 0; x < xmax; ++x) {
            k[x] = filter.weight((x + xmin - center + 0.5) * ss);
            total += k[x];
        }
        for (int x = 0; x < xmax; ++x) {
            const double w = total != 0.0 ? k[x] / total : k[x];
            c.weights[static_cast<size_t>(xx) * c.ksize + x] =
                static_cast<int32_t>(w < 0 ? -0.5 + w * (1 << kPrecisionBits) : 0.5 + w * (1 << kPrecisionBits));
        }
        c.first[xx] = xmin;
        c.count[xx] = xmax;
    }
    return c;
}

uint8_t clip8(int64_t v) {
    if (v >= (int64_t{1} << kPrecisionBits << 8)) return 255;
    if (v <= 0) return 0;
    return static_cast<uint8_t>(v >> kPrecisionBits);
}

// out(y, x) = Σ_k in(row(y, k), col(x, k)) · w: `horizontal` walks along rows.
cv::Mat pass(const cv::Mat& in, int outSize, const Coefficients& c, bool horizontal, int rowOffset, int rows) {
    const int channels = in.channels();
    cv::Mat out = horizontal ? cv::Mat(rows, outSize, in.type()) : cv::Mat(outSize, in.cols, in.type());
    for (int y = 0; y < out.rows; ++y) {
        auto* dst = out.ptr<uint8_t>(y);
        for (int x = 0; x < out.cols; ++x) {
            const int o = horizontal ? x : y;
            const int32_t* w = &c.weights[static_cast<size_t>(o) * c.ksize];
            for (int ch = 0; ch < channels; ++ch) {
                int64_t sum = int64_t{1} << (kPrecisionBits - 1);
                for (int k = 0; k < c.count[o]; ++k) {
                    const uint8_t v = horizontal ? in.ptr<uint8_t>(y + rowOffset)[(c.first[o] + k) * channels + ch]
                                                 : in.ptr<uint8_t>(c.first[o] + k)[x * channels + ch];
                    sum += static_cast<int64_t>(v) * w[k];
                }
                dst[x * channels + ch] = clip8(sum);
            }
        }
    }
    return out;
}

// Image.resize(NEAREST): the affine transform's source positions, summed step by step in double
// (ImagingScaleAffine), not multiplied: the two differ at integer boundaries.
std::vector<int> nearestPositions(int inSize, int outSize) {
    const double step = static_cast<double>(static_cast<float>(inSize)) / outSize;
    std::vector<int> positions(outSize);
    double at = step * 0.5;
    for (int i = 0; i < outSize; ++i, at += step) positions[i] = std::min(static_cast<int>(at), inSize - 1);
    return positions;
}

cv::Mat nearest(const cv::Mat& in, int width, int height) {
    cv::Mat out(height, width, in.type());
    const auto xs = nearestPositions(in.cols, width), ys = nearestPositions(in.rows, height);
    const size_t pixel = in.elemSize();
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            std::memcpy(out.ptr<uint8_t>(y) + x * pixel, in.ptr<uint8_t>(ys[y]) + xs[x] * pixel, pixel);
    return out;
}

}  // namespace

PilFilter pilFilterFromInt(int value, const std::string& where) {
    if (value < 0 || value > 5)
        fail("{}: resample {} is not a PIL filter (0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming)",
             where, value);
    return static_cast<PilFilter>(value);
}

cv::Mat pilResize(const cv::Mat& image, int width, int height, PilFilter filter) {
    if (image.depth() != CV_8U || image.channels() < 1 || image.channels() > 4)
        fail("pilResize: expected an 8-bit image of 1–4 channels");
    if (width <= 0 || height <= 0) fail("pilResize: target size {}×{} must be positive", width, height);
    if (image.empty()) fail("pilResize: the image is empty");
    if (width == image.cols && height == image.rows) return image.clone();
    if (filter == PilFilter::Nearest) return nearest(image, width, height);
    const Filter f = filterFor(filter);
    const auto horizontal = coefficients(image.cols, width, f);
    auto vertical = coefficients(image.rows, height, f);
    cv::Mat current = image;
    if (width != image.cols) {
        // Only the rows the vertical pass reads (ybox_first … ybox_last).
        const int firstRow = vertical.first.front();
        const int lastRow = vertical.first.back() + vertical.count.back();
        current = pass(image, width, horizontal, true, firstRow, lastRow - firstRow);
        for (int& row : vertical.first) row -= firstRow;
    }
    if (height != image.rows) current = pass(current, height, vertical, false, 0, 0);
    return current;
}

}  // namespace sa
