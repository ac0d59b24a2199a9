#pragma once
// Private to core/data: the PRNG, the subject geometry, the style renderers and their painting
// helpers of the procedural data set. Everything here must give the same bits on every machine, hence no std:: distributions,
// no libm trigonometry and no floating-point OpenCV filters (see procedural_dataset.cpp).
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace sa::data::detail {

inline uint64_t splitMix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// xoshiro256** seeded through splitmix64; uniform/normal helpers are ours so the stream is fixed.
class Rng {
public:
    explicit Rng(uint64_t seed) {
        for (auto& s : state_) s = splitMix64(seed);
    }
    uint64_t next() {
        const uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }  // [0, 1)
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    int uniformInt(int lo, int hi) { return lo + int(next() % uint64_t(hi - lo + 1)); }  // [lo, hi]
    bool chance(double p) { return uniform() < p; }
    // Irwin–Hall of 4 uniforms, rescaled to unit variance: close enough to normal for jitter.
    double normal() {
        double s = 0;
        for (int i = 0; i < 4; ++i) s += uniform();
        return (s - 2.0) * 1.7320508075688772;
    }
    uint8_t byte() { return uint8_t(next() >> 56); }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::array<uint64_t, 4> state_{};
};

// sin/cos from + and * only: libm results may differ in the last bit between platforms.
double detSin(double radians);
double detCos(double radians);

// ---- geometry ---------------------------------------------------------------------------------
using Path = std::vector<cv::Point2d>;

// What a part is, so each style can pick its colours / treatment.
enum class Role : uint8_t { Body, Secondary, Accent, Dark, Light };

// One paint layer of a subject, in painter's order. A region is the union of filled polygons and
// thick strokes (a mug handle, a key ring); a line layer is thin detail (whiskers, steam) whose
// width each style chooses.
struct Part {
    Role role = Role::Body;
    bool isLine = false;
    std::vector<Path> fills;
    std::vector<Path> strokes;
    std::vector<bool> strokeClosed;
    double strokeWidth = 0;  // of `strokes`, same units as the points
};
using Shape = std::vector<Part>;

// The subject in unit coordinates (x right, y down, roughly [-1, 1]); `rng` varies proportions.
Shape subjectShape(int subject, Rng& rng);
int subjectCount();

// ---- rendering ---------------------------------------------------------------------------------
// A posed subject: parts in output-pixel coordinates, plus masks at the working resolution
// (size × ss) that most styles paint through.
struct Scene {
    int size = 64;
    int ss = 4;   // supersampling factor: styles render at W = size·ss then box-filter down
    int W = 256;
    int variant = 0;  // the style's look (see styleVariants())
    Shape parts;  // output-pixel coordinates
    std::vector<cv::Mat> masks;  // per part (empty for line parts), CV_8U 0/255, W × W
    cv::Mat silhouette;          // union of the region masks
    cv::Rect2d bounds;           // of all parts, output pixels

    double px(double outputPixels) const { return outputPixels * ss; }  // → working pixels
    double unit() const { return size / 64.0; }  // style measures are given for a 64 px image
};

// Rasterises a part at `factor` × output resolution into a dim × dim mask.
cv::Mat rasterRegion(const Part& part, double factor, int dim);
cv::Mat rasterLines(const Part& part, double factor, int dim, double widthPixels);

cv::Mat renderStyle(int style, const Scene& scene, Rng& rng);
int styleCount();  // the base styles; index styleCount() is the held-out one
cv::Mat crossStitch(const Scene& scene, Rng& rng);  // the held-out style (procedural_held_out.cpp)

// ---- painting helpers (procedural_paint.cpp) ----------------------------------------------------
using Color = cv::Vec3b;  // BGR, as OpenCV stores it

inline Color rgb(uint32_t hex) { return Color(uint8_t(hex & 0xff), uint8_t((hex >> 8) & 0xff), uint8_t((hex >> 16) & 0xff)); }
inline uint8_t clamp8(int v) { return uint8_t(v < 0 ? 0 : v > 255 ? 255 : v); }
inline int iround(double v) { return int(std::lround(v)); }

template <typename T>
const T& pick(const std::vector<T>& items, Rng& rng) {
    return items[size_t(rng.uniformInt(0, int(items.size()) - 1))];
}

Color mix(Color a, Color b, int t);  // a → b by t / 255
Color jitter(Color col, Rng& rng, int amount);

// Colours of the five roles.
struct Colors {
    std::array<Color, 5> c;
    const Color& operator[](Role role) const { return c[size_t(role)]; }
};
// Three distinct palette entries (none close to a colour in `avoid`), jittered, then dark, light.
Colors pickColors(const std::vector<Color>& palette, Color dark, Color light, Rng& rng, int jitterAmount,
                  const std::vector<Color>& avoid = {});

cv::Mat canvas(int dim, Color c);
void paint(cv::Mat& img, const cv::Mat& mask, Color c);
void blend(cv::Mat& img, const cv::Mat& mask, Color c, int strength = 255, const cv::Mat& modulate = {});
void addScaled(cv::Mat& img, const cv::Mat& src, int numerator);
void addNoise(cv::Mat& img, int amplitude, Rng& rng);

cv::Rect around(const cv::Mat& mask, int margin);
cv::Mat ring(const cv::Mat& mask, double inside, double outside);
cv::Mat shifted(const cv::Mat& src, int dx, int dy);
cv::Mat boxBlur(const cv::Mat& src, int radius);
cv::Mat blur(const cv::Mat& src, double sigma);
cv::Mat downsample(const cv::Mat& img, int ss);

cv::Mat valueNoise(int dim, int cells, Rng& rng);
cv::Mat grain(const Scene& s, Rng& rng);
cv::Mat remap8(const cv::Mat& src, const std::array<uint8_t, 256>& lut);
cv::Mat hatch(int dim, double angleDeg, double spacing, double thickness, double jitterFraction, Rng& rng);
cv::Mat dots(int dim, double spacing, double radius, cv::Point2d phase);
cv::Mat lineMask(const Scene& s, const Part& part, double widthOutputPixels);

}  // namespace sa::data::detail
