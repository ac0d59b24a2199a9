// The styles: each turns a posed Scene into a picture with its own palette, stroke, texture and
// background. Styles paint at the working resolution (size × ss) and box-filter down, which gives
// anti-aliased edges from integer-only drawing. Only integer pixel arithmetic and OpenCV's integer
// routines (drawing, morphology, chamfer distance) are used, so pixels are the same everywhere.
// Every style has three looks (Scene::variant) that keep its stroke and texture and change the
// palette and ground; look 0 is the style as first designed, and draws the same pixels as before
// looks existed (the first training stage's data).
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/data/procedural_internal.h"

namespace sa::data::detail {
namespace {

// ---- flat pastel: soft fills, no outline, a soft drop shadow -----------------------------------
// Looks: on a light pastel ground; on a deep night-blue ground; on cream paper with a plum outline.
cv::Mat flatPastel(const Scene& s, Rng& rng) {
    static const std::vector<std::vector<Color>> backgrounds{
        {rgb(0xF9CAD6), rgb(0xC2E8D3), rgb(0xD6CCF4), rgb(0xC6E2F6), rgb(0xFFDDB3)}, {rgb(0x2E3150), rgb(0x2A3A55)}, {rgb(0xFFF6E6)}};
    static const std::vector<Color> palette{rgb(0xF28BA3), rgb(0x7FCFA0), rgb(0x8FB0EE), rgb(0xFFC27A), rgb(0xB99BE0),
                                            rgb(0xF5DA6E), rgb(0x77C8D2), rgb(0xF29F86)};
    const Color bg = jitter(pick(backgrounds[size_t(s.variant)], rng), rng, 4);
    const Colors col = pickColors(palette, rgb(0x6E6085), rgb(0xFFFDF7), rng, 8, {bg});
    const double u = s.unit();
    cv::Mat img = canvas(s.W, bg);
    const cv::Mat shadow = blur(shifted(s.silhouette, iround(s.px(1.5 * u)), iround(s.px(2.0 * u))), s.px(0.8 * u));
    blend(img, shadow, s.variant == 1 ? rgb(0x101126) : rgb(0x7A6A8C), s.variant == 1 ? 120 : 50);
    for (size_t i = 0; i < s.parts.size(); ++i) {
        const Part& part = s.parts[i];
        if (part.isLine) paint(img, lineMask(s, part, 1.3), col[Role::Dark]);
        else paint(img, s.masks[i], col[part.role]);
    }
    if (s.variant == 2) paint(img, ring(s.silhouette, s.px(0.9 * u), s.px(0.5 * u)), rgb(0x5A3E6E));
    return downsample(img, s.ss);
}

// ---- neon outline: glowing tubes (blurred copy under a sharp line) on a dark wall ---------------
// Looks: every neon colour on black; pink / cyan / violet on deep purple; amber / gold on brown-black.
cv::Mat neonOutline(const Scene& s, Rng& rng) {
    static const std::vector<std::vector<Color>> palettes{
        {rgb(0xFF2BD6), rgb(0x00F0FF), rgb(0x39FF14), rgb(0xFFE81F), rgb(0xFF7A00), rgb(0xB44CFF), rgb(0xFF3355)},
        {rgb(0xFF2BD6), rgb(0x00F0FF), rgb(0xB44CFF), rgb(0x7A5CFF)},
        {rgb(0xFF7A00), rgb(0xFFE81F), rgb(0xFFB000), rgb(0xFF4A1C)}};
    static const std::vector<Color> walls{rgb(0x07060E), rgb(0x2A0845), rgb(0x1E0E02)};
    Colors col = pickColors(palettes[size_t(s.variant)], {}, {}, rng, 0);
    col.c[size_t(Role::Dark)] = col[Role::Secondary];
    col.c[size_t(Role::Light)] = mix(col[Role::Body], rgb(0xFFFFFF), 120);
    const double u = s.unit();
    cv::Mat tube(s.W, s.W, CV_8UC3, cv::Scalar::all(0)), fill = tube.clone();
    for (size_t i = 0; i < s.parts.size(); ++i) {
        const Part& part = s.parts[i];
        if (part.isLine) {
            paint(tube, lineMask(s, part, 1.4), col[Role::Body]);
            continue;
        }
        const Color c = col[part.role];
        paint(tube, s.masks[i], Color(0, 0, 0));  // later parts hide the tubes behind them
        paint(fill, s.masks[i], mix(Color(0, 0, 0), c, 22));
        if (part.role == Role::Dark) paint(tube, s.masks[i], c);
        else paint(tube, ring(s.masks[i], s.px(0.75 * u), s.px(0.75 * u)), c);
    }
    const cv::Mat glow = blur(tube, s.px(2.2 * u));
    cv::Mat img = canvas(s.W, jitter(walls[size_t(s.variant)], rng, 3));
    addScaled(img, fill, 256);
    addScaled(img, glow, 460);
    cv::Mat core = tube.clone();
    for (size_t i = 0; i < core.total() * 3; ++i) core.data[i] = uint8_t(core.data[i] == 0 ? 0 : 110 + core.data[i] * 145 / 255);
    addScaled(img, core, 256);
    return downsample(img, s.ss);
}

// ---- pencil hatching: hatching inside, a dark outline, paper --------------------------------------
// Looks: graphite on off-white; sepia ink on tan paper; blue ballpoint on ruled notebook paper.
cv::Mat pencilHatching(const Scene& s, Rng& rng) {
    static const std::vector<Color> papers{rgb(0xF2EFE7), rgb(0xE6D2A8), rgb(0xF8FAFF)}, leads{rgb(0x3A3A40), rgb(0x5B3418), rgb(0x1E3A9C)};
    const Color paper = jitter(papers[size_t(s.variant)], rng, 3), graphite = leads[size_t(s.variant)];
    const double u = s.unit(), angle = 45 + rng.uniform(-15, 15), spacing = s.px(3.0 * u), thick = s.px(0.6 * u);
    const cv::Mat hatchA = hatch(s.W, angle, spacing, thick, 0.15, rng);
    const cv::Mat hatchB = hatch(s.W, angle + 90, spacing, thick, 0.15, rng);
    const cv::Mat hatchC = hatch(s.W, angle - 50, spacing * 0.7, thick, 0.15, rng);
    std::array<uint8_t, 256> lut{};
    for (int i = 0; i < 256; ++i) lut[size_t(i)] = uint8_t(140 + i * 115 / 255);
    const cv::Mat tooth = remap8(grain(s, rng), lut);  // paper tooth breaks up the graphite
    cv::Mat img = canvas(s.W, paper);
    if (s.variant == 2) {  // the notebook's ruling, under the drawing
        cv::Mat rules(s.W, s.W, CV_8U, cv::Scalar(0));
        const int pitch = std::max(3, iround(s.px(6.0 * u))), first = rng.uniformInt(0, pitch - 1);
        for (int y = first; y < s.W; y += pitch) rules(cv::Rect(0, y, s.W, std::min(std::max(1, s.ss / 2), s.W - y))).setTo(255);
        blend(img, rules, rgb(0x8FB4E8), 200);
    }
    for (size_t i = 0; i < s.parts.size(); ++i) {
        const Part& part = s.parts[i];
        if (part.isLine) {
            blend(img, lineMask(s, part, 1.0), graphite, 230, tooth);
            continue;
        }
        const cv::Mat& mask = s.masks[i];
        paint(img, mask, paper);
        switch (part.role) {
            case Role::Body: blend(img, hatchA & mask, graphite, 150, tooth); break;
            case Role::Secondary: blend(img, (hatchA | hatchB) & mask, graphite, 170, tooth); break;
            case Role::Accent: blend(img, hatchC & mask, graphite, 190, tooth); break;
            case Role::Dark: blend(img, mask, graphite, 200, tooth); break;
            case Role::Light: break;
        }
        blend(img, ring(mask, s.px(0.6 * u), s.px(0.6 * u)), graphite, 240, tooth);
    }
    // A second, fainter pass of the contour slightly off: the sketcher's searching line.
    const cv::Mat contour = ring(s.silhouette, s.px(0.3 * u), s.px(0.3 * u));
    blend(img, shifted(contour, iround(s.px(0.9 * u)), iround(s.px(-0.7 * u))), graphite, 110, tooth);
    cv::Mat out = downsample(img, s.ss);
    addNoise(out, 5, rng);
    return out;
}

// ---- watercolor: bleeding washes with uneven, darker edges on paper ----------------------------
// Looks: a full box of colours on cream paper; cool blues and greens on grey-blue paper; warm
// reds and ochres on rose paper.
cv::Mat watercolor(const Scene& s, Rng& rng) {
    static const std::vector<std::vector<Color>> palettes{
        {rgb(0x3B6FB6), rgb(0x4E9A5B), rgb(0xD64F4F), rgb(0xDB9434), rgb(0x8E5BA8), rgb(0x2A9D8F), rgb(0xC8553D)},
        {rgb(0x3B6FB6), rgb(0x2A9D8F), rgb(0x4E9A5B), rgb(0x5C7FA6), rgb(0x2E4A8C)},
        {rgb(0xD64F4F), rgb(0xDB9434), rgb(0xC8553D), rgb(0xB5651D), rgb(0xE07A5F)}};
    static const std::vector<Color> papers{rgb(0xF7F0DE), rgb(0xDDE6EC), rgb(0xF5DCD6)};
    const std::vector<Color>& palette = palettes[size_t(s.variant)];
    const Color paper = jitter(papers[size_t(s.variant)], rng, 3);
    const Colors col = pickColors(palette, rgb(0x363B58), rgb(0xFBF8F0), rng, 12);
    const double u = s.unit();
    const cv::Mat edgeNoise = valueNoise(s.W, 10, rng), density = valueNoise(s.W, 5, rng);
    cv::Mat img = canvas(s.W, paper);

    // A wash: the soft mask pushed around by noise, bled, darker where the pigment pools.
    auto wash = [&](const cv::Mat& full, Color c, int opacity, double bleed) {
        const cv::Rect roi = around(full, iround(s.px(4 * u)));
        if (roi.empty()) return;
        const cv::Mat mask = full(roi), noise = edgeNoise(roi), dens = density(roi);
        const cv::Mat soft = blur(mask, s.px(1.3 * u));
        cv::Mat edge(mask.size(), CV_8U);
        for (int y = 0; y < mask.rows; ++y) {
            const auto* so = soft.ptr<uint8_t>(y);
            const auto* no = noise.ptr<uint8_t>(y);
            auto* e = edge.ptr<uint8_t>(y);
            for (int x = 0; x < mask.cols; ++x) e[x] = so[x] + (no[x] - 128) * 200 / 256 >= 128 ? 255 : 0;
        }
        cv::Mat alpha = blur(edge, s.px(bleed * u));
        const cv::Mat rim = ring(edge, s.px(0.9 * u), 0);
        for (int y = 0; y < mask.rows; ++y) {
            auto* a = alpha.ptr<uint8_t>(y);
            const auto* d = dens.ptr<uint8_t>(y);
            const auto* r = rim.ptr<uint8_t>(y);
            for (int x = 0; x < mask.cols; ++x) {
                int v = a[x] * opacity / 255 * (170 + d[x] * 85 / 255) / 255;
                if (r[x]) v += 45;  // pigment pools at the edge of a drying wash
                a[x] = clamp8(v);
            }
        }
        cv::Mat target = img(roi);
        blend(target, alpha, c);
    };

    if (rng.chance(0.85)) {  // a pale background wash behind the subject
        cv::Mat bgMask(s.W, s.W, CV_8U, cv::Scalar(0));
        const cv::Point centre(iround(s.px(s.bounds.x + s.bounds.width / 2 + rng.uniform(-6, 6) * u)),
                               iround(s.px(s.bounds.y + s.bounds.height / 2 + rng.uniform(-6, 6) * u)));
        cv::ellipse(bgMask, centre, cv::Size(iround(s.px(rng.uniform(22, 30) * u)), iround(s.px(rng.uniform(18, 26) * u))),
                    rng.uniform(0, 180), 0, 360, cv::Scalar(255), cv::FILLED);
        wash(bgMask, mix(paper, pick(palette, rng), 90), 150, 2.0);
    }
    for (size_t i = 0; i < s.parts.size(); ++i) {
        const Part& part = s.parts[i];
        if (part.isLine) {
            blend(img, blur(lineMask(s, part, 1.1), s.px(0.4 * u)), col[Role::Dark], 210);
            continue;
        }
        wash(s.masks[i], col[part.role], part.role == Role::Light ? 235 : 215, 0.7);
    }
    const int splatters = rng.uniformInt(2, 6);
    for (int i = 0; i < splatters; ++i) {
        cv::Mat spot(s.W, s.W, CV_8U, cv::Scalar(0));
        cv::circle(spot, cv::Point(rng.uniformInt(0, s.W - 1), rng.uniformInt(0, s.W - 1)),
                   std::max(1, iround(s.px(rng.uniform(0.4, 1.2) * u))), cv::Scalar(255), cv::FILLED);
        blend(img, blur(spot, s.px(0.3 * u)), pick(palette, rng), 150);
    }
    cv::Mat out = downsample(img, s.ss);
    addNoise(out, 3, rng);
    return out;
}

// ---- pixel art: a 22 × 22 sprite in the PICO-8 palette with a dark outline ---------------------
// Looks: one game's levels — by day (blue sky, grass), at night (navy sky, stars, dark grass), at
// sunset in the desert (orange sky, sand).
cv::Mat pixelArt(const Scene& s, Rng& rng) {
    struct Entry {
        uint32_t color, shade;
    };
    // PICO-8 colours with the darker neighbour used for sprite shading.
    static const std::vector<Entry> pico{{0xFF004D, 0x7E2553}, {0xFFA300, 0xAB5236}, {0xFFEC27, 0xFFA300},
                                         {0x00E436, 0x008751}, {0x29ADFF, 0x1D2B53}, {0xFF77A8, 0x7E2553},
                                         {0xAB5236, 0x7E2553}, {0x83769C, 0x5F574F}};
    struct Level {
        uint32_t sky, grass, earth, cloud;
    };
    static const std::vector<Level> levels{{0x29ADFF, 0x00E436, 0xAB5236, 0xFFF1E8},
                                           {0x1D2B53, 0x008751, 0x5F574F, 0x5F574F},
                                           {0xFFA300, 0xFFCCAA, 0xAB5236, 0xFF77A8}};
    const Level& level = levels[size_t(s.variant)];
    // One backdrop, like one game's level: sky, a dithered grass line, earth.
    const int block = std::max(2, s.size * 3 / 64), n = (s.size + block - 1) / block;  // 22 × 22 at 64 px
    const Color sky = rgb(level.sky), grass = rgb(level.grass), earth = rgb(level.earth), outline = rgb(0x000000);
    std::vector<Entry> usable;
    for (const auto& e : pico)
        if (e.color != 0x29ADFF && e.color != 0x00E436 && e.color != level.sky && e.color != level.grass) usable.push_back(e);
    for (size_t i = usable.size(); i > 1; --i) std::swap(usable[i - 1], usable[size_t(rng.uniformInt(0, int(i) - 1))]);
    auto roleEntry = [&](Role role) -> Entry {
        switch (role) {
            case Role::Dark: return s.variant == 1 ? Entry{0x7E2553, 0x000000} : Entry{0x1D2B53, 0x000000};
            case Role::Light: return {0xFFF1E8, 0xC2C3C7};
            default: return usable[size_t(role)];
        }
    };

    cv::Mat grid = canvas(n, sky);
    const int groundRows = std::max(3, n / 5);
    for (int y = n - groundRows; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            const int depth = y - (n - groundRows);
            if (depth > 0 || (x + y) % 2 == 0) grid.at<Color>(y, x) = depth > 1 ? earth : grass;  // dithered edge
        }
    const Color cloud = rgb(level.cloud);
    for (int i = rng.uniformInt(0, 2); i > 0; --i) {  // a cloud or two
        const int cx = rng.uniformInt(1, n - 5), cy = rng.uniformInt(1, n / 3);
        grid(cv::Rect(cx, cy, 4, 1)).setTo(cv::Scalar(cloud[0], cloud[1], cloud[2]));
        grid(cv::Rect(cx + 1, cy - 1, 2, 1)).setTo(cv::Scalar(cloud[0], cloud[1], cloud[2]));
    }
    if (s.variant == 1)  // stars
        for (int i = rng.uniformInt(4, 8); i > 0; --i) grid.at<Color>(rng.uniformInt(0, n / 2), rng.uniformInt(0, n - 1)) = rgb(0xFFF1E8);

    // Coverage of each sprite pixel from a 4× finer raster: truer silhouettes than point sampling.
    auto spriteMask = [&](const cv::Mat& fine) {
        cv::Mat m(n, n, CV_8U);
        for (int y = 0; y < n; ++y)
            for (int x = 0; x < n; ++x)
                m.at<uint8_t>(y, x) = cv::countNonZero(fine(cv::Rect(4 * x, 4 * y, 4, 4))) >= 6 ? 255 : 0;
        return m;
    };
    cv::Mat sprite(n, n, CV_8U, cv::Scalar(0));
    for (const auto& part : s.parts) {
        if (part.isLine) continue;
        const cv::Mat m = spriteMask(rasterRegion(part, 4.0 / block, 4 * n));
        const Entry e = roleEntry(part.role);
        paint(grid, m, rgb(e.color));
        // Shade the bottom-right rim of larger parts: the classic sprite light from top-left.
        if (cv::countNonZero(m) >= 20 && part.role != Role::Dark) paint(grid, m & ~shifted(m, -1, -1), rgb(e.shade));
        sprite |= m;
    }
    cv::Mat grown;
    cv::dilate(sprite, grown, cv::getStructuringElement(cv::MORPH_CROSS, cv::Size(3, 3)));
    paint(grid, grown & ~sprite, outline);
    for (const auto& part : s.parts)  // thin details over the outline, one sprite pixel wide
        if (part.isLine) paint(grid, rasterLines(part, 1.0 / block, n, block), rgb(roleEntry(part.role).color));

    cv::Mat big;
    cv::resize(grid, big, cv::Size(n * block, n * block), 0, 0, cv::INTER_NEAREST);
    return big(cv::Rect(0, 0, s.size, s.size)).clone();
}

// ---- stained glass: Voronoi cells of saturated glass between thick black lead, dim ground -----
// Looks: the ground glass is dusk blue / violet, amber / umber, or bottle green.
cv::Mat stainedGlass(const Scene& s, Rng& rng) {
    static const std::vector<Color> palette{rgb(0xC0172B), rgb(0x1F4FBF), rgb(0x1E9E4A), rgb(0xF0A818),
                                            rgb(0x7B2FBE), rgb(0x18A3A3), rgb(0xE8C547), rgb(0xE0562A)};
    static const std::vector<std::vector<Color>> grounds{{rgb(0x1E2B5A), rgb(0x301C46), rgb(0x14393A), rgb(0x27284A)},
                                                         {rgb(0x6A4312), rgb(0x7A3A14), rgb(0x5A4A1A), rgb(0x6E3026)},
                                                         {rgb(0x134A26), rgb(0x1E5A2E), rgb(0x104038), rgb(0x2E5A1C)}};
    const std::vector<Color>& dim = grounds[size_t(s.variant)];
    const Color lead = rgb(0x121212);
    const Colors col = pickColors(palette, rgb(0x4C4A63), rgb(0xF3E7C9), rng, 10);
    const double u = s.unit();
    const int W = s.W;

    // Cell seeds: a few large ones for the background, more inside the subject's box.
    auto seeds = [&](int count, cv::Rect2d box) {
        std::vector<cv::Point> pts;
        for (int i = 0; i < count; ++i)
            pts.emplace_back(iround(s.px(rng.uniform(box.x, box.x + box.width))), iround(s.px(rng.uniform(box.y, box.y + box.height))));
        return pts;
    };
    const std::vector<cv::Point> bgSeeds = seeds(rng.uniformInt(7, 10), cv::Rect2d(0, 0, s.size, s.size));
    const cv::Rect2d box(s.bounds.x - 2 * u, s.bounds.y - 2 * u, s.bounds.width + 4 * u, s.bounds.height + 4 * u);
    const std::vector<cv::Point> fgSeeds = seeds(rng.uniformInt(16, 22), box);
    auto nearest = [](const std::vector<cv::Point>& pts, int x, int y) {
        int best = 0;
        int64_t bestD = INT64_MAX;
        for (size_t i = 0; i < pts.size(); ++i) {
            const int64_t dx = pts[i].x - x, dy = pts[i].y - y, d = dx * dx + dy * dy;
            if (d < bestD) bestD = d, best = int(i);
        }
        return best;
    };

    // Which part is on top at each pixel (0 = background).
    cv::Mat top(W, W, CV_8U, cv::Scalar(0));
    for (size_t i = 0; i < s.parts.size(); ++i)
        if (!s.parts[i].isLine) top.setTo(cv::Scalar(double(i + 1)), s.masks[i]);

    std::vector<Color> bgColors;
    for (size_t i = 0; i < bgSeeds.size(); ++i) bgColors.push_back(jitter(pick(dim, rng), rng, 8));
    std::vector<std::vector<Color>> cellColors(s.parts.size());
    for (size_t i = 0; i < s.parts.size(); ++i)
        for (size_t k = 0; k < fgSeeds.size(); ++k) cellColors[i].push_back(jitter(col[s.parts[i].role], rng, 22));

    const cv::Mat texture = valueNoise(W, 14, rng);
    cv::Mat img(W, W, CV_8UC3), key(W, W, CV_32S);
    for (int y = 0; y < W; ++y) {
        auto* p = img.ptr<Color>(y);
        auto* k = key.ptr<int>(y);
        const auto* t = top.ptr<uint8_t>(y);
        const auto* tex = texture.ptr<uint8_t>(y);
        for (int x = 0; x < W; ++x) {
            Color c;
            if (t[x] == 0) {
                const int cell = nearest(bgSeeds, x, y);
                c = bgColors[size_t(cell)];
                k[x] = cell;
            } else {
                const int cell = nearest(fgSeeds, x, y);
                c = cellColors[size_t(t[x] - 1)][size_t(cell)];
                k[x] = 1000 * t[x] + cell;
            }
            const int gain = (t[x] == 0 ? 180 : 235) + tex[x] * 55 / 255;  // uneven glass thickness
            for (int ch = 0; ch < 3; ++ch) c[ch] = clamp8(c[ch] * gain / 255);
            p[x] = c;
        }
    }
    // Lead: every cell border, thickened; heavier lead around each part.
    cv::Mat border(W, W, CV_8U, cv::Scalar(0));
    for (int y = 0; y < W; ++y) {
        const auto* k = key.ptr<int>(y);
        const auto* below = key.ptr<int>(std::min(y + 1, W - 1));
        auto* b = border.ptr<uint8_t>(y);
        for (int x = 0; x < W; ++x)
            if (k[x] != k[std::min(x + 1, W - 1)] || k[x] != below[x]) b[x] = 255;
    }
    const int r = std::max(1, iround(s.px(0.4 * u)));
    cv::dilate(border, border, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * r + 1, 2 * r + 1)));
    paint(img, border, lead);
    for (size_t i = 0; i < s.parts.size(); ++i) {
        const Part& part = s.parts[i];
        if (part.isLine) paint(img, lineMask(s, part, 1.2), lead);
        else paint(img, ring(s.masks[i], s.px(0.8 * u), s.px(1.0 * u)), lead);
    }
    return downsample(img, s.ss);
}

// ---- pop art dots: Ben-Day dot fills, thick black outline, loud background ---------------------
// Looks: a warm ground (yellow, red, pink, orange); a cool ground (cyan, blue, green); black.
cv::Mat popArtDots(const Scene& s, Rng& rng) {
    static const std::vector<std::vector<Color>> grounds{{rgb(0xFFE11A), rgb(0xF2312E), rgb(0xFF5FA8), rgb(0xFF8A1E)},
                                                         {rgb(0x1CC6F0), rgb(0x3D6BF2), rgb(0x2DB84B)},
                                                         {rgb(0x161616)}};
    const std::vector<Color>& backgrounds = grounds[size_t(s.variant)];
    static const std::vector<Color> palette{rgb(0xF2312E), rgb(0x1F5FE0), rgb(0xFFE11A), rgb(0x1CC6F0), rgb(0xFF5FA8), rgb(0x2DB84B)};
    const Color bg = pick(backgrounds, rng);
    const Colors col = pickColors(palette, rgb(0x111111), rgb(0xFFFFFF), rng, 0, {bg});
    const Color outline = s.variant == 2 ? rgb(0xF4F4F4) : col[Role::Dark];  // a black ground takes a white outline
    const double u = s.unit();
    cv::Mat img = canvas(s.W, bg);
    const cv::Point2d phase(rng.uniform(0, s.px(6 * u)), rng.uniform(0, s.px(6 * u)));
    paint(img, dots(s.W, s.px(6.0 * u), s.px(1.7 * u), phase), mix(bg, rgb(0xFFFFFF), 95));
    const cv::Mat fine = dots(s.W, s.px(3.4 * u), s.px(1.05 * u), phase);
    for (size_t i = 0; i < s.parts.size(); ++i) {
        const Part& part = s.parts[i];
        if (part.isLine) {
            paint(img, lineMask(s, part, 1.7), outline);
            continue;
        }
        const cv::Mat& mask = s.masks[i];
        const Color c = col[part.role];
        if (part.role == Role::Dark || part.role == Role::Light) {
            paint(img, mask, c);
        } else {
            paint(img, mask, mix(c, rgb(0xFFFFFF), 150));
            paint(img, mask & fine, c);
        }
        paint(img, ring(mask, s.px(1.1 * u), s.px(1.1 * u)), outline);
    }
    return downsample(img, s.ss);
}

// ---- ukiyo-e waves: woodblock print, seigaiha waves, bokashi sky --------------------------------
// Looks: indigo sky and sea on beige; a vermilion dawn over a teal sea on peach paper; a moss-green print.
cv::Mat ukiyoeWaves(const Scene& s, Rng& rng) {
    struct Print {
        uint32_t paper, sky, sea, wave;
    };
    static const std::vector<Print> prints{{0xEADBBE, 0x2A3F6E, 0x9FB3C8, 0x2F4F7F},
                                           {0xF4CDB0, 0xC4452C, 0x8FC1B5, 0x1F6F66},
                                           {0xD5DDB0, 0x3E5B2E, 0xA9BF8E, 0x3A5A2C}};
    const Print& print = prints[size_t(s.variant)];
    static const std::vector<Color> palette{rgb(0x2F5E85), rgb(0xC4452C), rgb(0xD4A24C), rgb(0x8DAA91), rgb(0x5C7FA6)};
    const Color paper = jitter(rgb(print.paper), rng, 4), ink = rgb(0x1B2340);
    const Colors col = pickColors(palette, ink, rgb(0xF4ECD9), rng, 8);
    const double u = s.unit();
    const int W = s.W;
    cv::Mat img = canvas(W, paper);

    // Bokashi: the printer's indigo gradient along the top edge.
    const int band = iround(W * rng.uniform(0.18, 0.28));
    const Color sky = rgb(print.sky);
    for (int y = 0; y < band; ++y) {
        const int a = 170 * (band - y) / band;
        auto* p = img.ptr<Color>(y);
        for (int x = 0; x < W; ++x) p[x] = mix(p[x], sky, a);
    }
    // Seigaiha: rows of overlapping concentric half-circles below the horizon.
    const double horizon = s.px(s.size * rng.uniform(0.45, 0.62)), radius = s.px(8.0 * u);
    const Color sea = mix(paper, rgb(print.sea), 80), wave = mix(paper, rgb(print.wave), 150);
    const int t = std::max(1, iround(s.px(0.7 * u)));
    const double phase = rng.uniform(0, 2 * radius);
    int row = 0;
    for (double y = horizon + radius; y < W + 2 * radius; y += radius / 2, ++row) {
        for (double x = -phase + (row % 2) * radius; x < W + radius; x += 2 * radius) {
            const cv::Point c(iround(x * 16), iround(y * 16));
            cv::circle(img, c, iround(radius * 16), cv::Scalar(sea[0], sea[1], sea[2]), cv::FILLED, cv::LINE_8, 4);
            for (double k : {1.0, 0.72, 0.44})
                cv::circle(img, c, iround((radius * k - t / 2.0) * 16), cv::Scalar(wave[0], wave[1], wave[2]), t, cv::LINE_8, 4);
            cv::circle(img, c, iround(radius * 0.18 * 16), cv::Scalar(wave[0], wave[1], wave[2]), cv::FILLED, cv::LINE_8, 4);
        }
    }
    for (size_t i = 0; i < s.parts.size(); ++i) {
        const Part& part = s.parts[i];
        if (part.isLine) {
            paint(img, lineMask(s, part, 1.1), ink);
            continue;
        }
        paint(img, s.masks[i], col[part.role]);
        paint(img, ring(s.masks[i], s.px(0.65 * u), s.px(0.65 * u)), ink);
    }
    cv::Mat out = downsample(img, s.ss);
    addNoise(out, 4, rng);
    return out;
}

// ---- chalkboard: a board, grainy broken chalk outlines and scribbled chalk fills ---------------
// Looks: a green board, a black slate, a blue-grey board.
cv::Mat chalkboard(const Scene& s, Rng& rng) {
    static const std::vector<Color> boards{rgb(0x2F4A3A), rgb(0x262629), rgb(0x2C3E57)};
    static const std::vector<Color> palette{rgb(0xF6E27F), rgb(0xF4A6B8), rgb(0x9CCFEA), rgb(0xB8E0A6), rgb(0xF7C08A), rgb(0xD9C2F0)};
    const Color white = rgb(0xF4F4EC);
    const Colors col = pickColors(palette, white, white, rng, 6);
    const double u = s.unit();
    cv::Mat board = canvas(s.W, jitter(boards[size_t(s.variant)], rng, 4));
    // Half-erased chalk smudges.
    cv::Mat smudge = valueNoise(s.W, 4, rng);
    for (size_t i = 0; i < smudge.total(); ++i) smudge.data[i] = uint8_t(std::max(0, smudge.data[i] - 120) * 60 / 135);
    blend(board, smudge, rgb(0x8FA89A));

    std::array<uint8_t, 256> dustLut{};
    for (int i = 0; i < 256; ++i) dustLut[size_t(i)] = uint8_t(i < 50 ? 0 : 130 + (i - 50) * 125 / 205);
    const cv::Mat dust = remap8(grain(s, rng), dustLut);  // chalk skips over the board's pores
    cv::Mat gaps = valueNoise(s.W, 7, rng);
    for (size_t i = 0; i < gaps.total(); ++i) gaps.data[i] = gaps.data[i] < 40 ? 0 : 255;  // broken strokes
    cv::Mat lineTexture;
    cv::bitwise_and(dust, gaps, lineTexture);
    const cv::Mat scribble = hatch(s.W, 60 + rng.uniform(-20, 20), s.px(2.6 * u), s.px(1.1 * u), 0.3, rng);

    cv::Mat img = board.clone();
    for (size_t i = 0; i < s.parts.size(); ++i) {
        const Part& part = s.parts[i];
        if (part.isLine) {
            blend(img, lineMask(s, part, 1.1), white, 235, lineTexture);
            continue;
        }
        const cv::Mat& mask = s.masks[i];
        board.copyTo(img, mask);  // wipe what this part covers
        if (part.role == Role::Light) blend(img, mask, white, 180, dust);
        else if (part.role != Role::Dark) blend(img, scribble & mask, col[part.role], 170, dust);
        blend(img, ring(mask, s.px(0.8 * u), s.px(0.8 * u)), white, 245, lineTexture);
    }
    cv::Mat out = downsample(img, s.ss);
    addNoise(out, 3, rng);
    return out;
}

// ---- blueprint: a sheet with a grid, thin outlines, no fill, a dimension line -----------------
// Looks: white on a blue sheet; blue on a white sheet (whiteprint); green on a dark CAD screen.
cv::Mat blueprint(const Scene& s, Rng& rng) {
    static const std::vector<Color> sheets{rgb(0x1F4F9A), rgb(0xF1EEE4), rgb(0x0E1418)}, inks{rgb(0xEAF2FF), rgb(0x1F4F9A), rgb(0x4CE0B3)};
    const Color bg = jitter(sheets[size_t(s.variant)], rng, 6), pen = inks[size_t(s.variant)];
    const double u = s.unit();
    const int W = s.W, ss = s.ss;
    cv::Mat img = canvas(W, bg);

    // Grid on whole output pixels so it stays crisp: minor every 4 px, major every 16 px at 64.
    const int step = std::max(2, s.size / 16), offset = rng.uniformInt(0, step - 1);
    cv::Mat minor(W, W, CV_8U, cv::Scalar(0)), major = minor.clone();
    for (int k = 0, v = offset; v < s.size; ++k, v += step) {
        cv::Mat& target = (k % 4 == 0) ? major : minor;
        target(cv::Rect(v * ss, 0, ss, W)).setTo(255);
        target(cv::Rect(0, v * ss, W, ss)).setTo(255);
    }
    blend(img, minor, pen, 45);
    blend(img, major, pen, 90);

    // Painter's order on the ink: a part hides the lines of the parts behind it.
    cv::Mat ink(W, W, CV_8U, cv::Scalar(0));
    for (size_t i = 0; i < s.parts.size(); ++i) {
        const Part& part = s.parts[i];
        if (part.isLine) {
            ink |= lineMask(s, part, 0.8);
            continue;
        }
        ink.setTo(0, s.masks[i]);
        ink |= ring(s.masks[i], s.px(0.45 * u), s.px(0.45 * u));
    }
    // Dimension line under (or over) the subject: ticks at its extent.
    const int lw = std::max(1, iround(s.px(0.6 * u))), tick = iround(s.px(1.8 * u));
    const double below = s.bounds.y + s.bounds.height + 3.5 * u, above = s.bounds.y - 3.5 * u;
    const double dimY = below < s.size - 2 * u ? below : above > 2 * u ? above : -1;
    if (dimY > 0) {
        const int y = iround(s.px(dimY)), x0 = iround(s.px(s.bounds.x)), x1 = iround(s.px(s.bounds.x + s.bounds.width));
        cv::line(ink, {x0, y}, {x1, y}, cv::Scalar(255), lw);
        cv::line(ink, {x0, y - tick}, {x0, y + tick}, cv::Scalar(255), lw);
        cv::line(ink, {x1, y - tick}, {x1, y + tick}, cv::Scalar(255), lw);
    }
    blend(img, ink, pen, 245);
    cv::Mat out = downsample(img, ss);
    addNoise(out, 3, rng);
    return out;
}

}  // namespace

int styleCount() { return 10; }

cv::Mat renderStyle(int style, const Scene& scene, Rng& rng) {
    switch (style) {
        case 0: return flatPastel(scene, rng);
        case 1: return neonOutline(scene, rng);
        case 2: return pencilHatching(scene, rng);
        case 3: return watercolor(scene, rng);
        case 4: return pixelArt(scene, rng);
        case 5: return stainedGlass(scene, rng);
        case 6: return popArtDots(scene, rng);
        case 7: return ukiyoeWaves(scene, rng);
        case 8: return chalkboard(scene, rng);
        case 9: return blueprint(scene, rng);
        default: return crossStitch(scene, rng);
    }
}

}  // namespace sa::data::detail
