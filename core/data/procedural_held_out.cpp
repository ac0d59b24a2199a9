// A style kept out of the base data set, the judge and styleNames(): what the demo model has
// never seen, so that a LoRA can teach it (resources/models/demo-lora, issue 15). Same rules as
// procedural_styles.cpp: integer drawing and pixel arithmetic only, the same pixels everywhere.
#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "core/data/procedural_internal.h"

namespace sa::data::detail {

// ---- cross stitch: every cell of an aida grid a thread-coloured X, backstitched outlines -----------
// One look: pale blue aida cloth (a grid of holes), embroidery-floss colours.
cv::Mat crossStitch(const Scene& s, Rng& rng) {
    static const std::vector<Color> floss{rgb(0xC8323C), rgb(0x2E5FA8), rgb(0x3C8C4A), rgb(0xE0A526),
                                          rgb(0xD8689A), rgb(0x8A5A32), rgb(0x6A4FA0), rgb(0x2A9A9A)};
    const Color cloth = jitter(rgb(0xD6E4EC), rng, 5), hole = mix(cloth, rgb(0x4A5A70), 120);
    const Colors col = pickColors(floss, rgb(0x2B2326), rgb(0xFAF8F2), rng, 6, {cloth});
    const double u = s.unit();
    const int cell = std::max(2, s.size / 16) * s.ss, n = s.W / cell;  // 16 × 16 stitches at 64 px
    cv::Mat img = canvas(s.W, cloth);
    const int holeRadius = std::max(1, s.ss / 3);
    for (int y = 0; y <= n; ++y)
        for (int x = 0; x <= n; ++x)
            cv::circle(img, {x * cell, y * cell}, holeRadius, cv::Scalar(hole[0], hole[1], hole[2]), cv::FILLED);

    // A cell takes the thread of the last part (painter's order) that covers its centre.
    const int thread = std::max(1, int(s.px(0.9 * u)));
    const int inset = std::max(1, cell / 8);
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            const cv::Point centre(x * cell + cell / 2, y * cell + cell / 2);
            const Color* c = nullptr;
            for (size_t i = 0; i < s.parts.size(); ++i)
                if (!s.parts[i].isLine && s.masks[i].at<uint8_t>(centre)) c = &col[s.parts[i].role];
            if (!c) continue;
            const Color under = mix(*c, rgb(0x000000), 70), over = jitter(*c, rng, 10);
            const cv::Point a(x * cell + inset, y * cell + inset), b((x + 1) * cell - inset, (y + 1) * cell - inset);
            cv::line(img, {a.x, b.y}, {b.x, a.y}, cv::Scalar(under[0], under[1], under[2]), thread);
            cv::line(img, a, b, cv::Scalar(over[0], over[1], over[2]), thread);  // the top stitch
        }
    // Backstitch: the subject's outline and its line details in dark floss.
    cv::Mat back = ring(s.silhouette, s.px(0.5 * u), 0);
    for (const auto& part : s.parts)
        if (part.isLine) back |= lineMask(s, part, 0.9);
    blend(img, back, col[Role::Dark], 230);
    cv::Mat out = downsample(img, s.ss);
    addNoise(out, 3, rng);
    return out;
}

}  // namespace sa::data::detail
