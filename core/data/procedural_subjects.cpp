// The subjects: each an iconic composition of polygons, ellipses and strokes in unit coordinates
// (x right, y down, about [-1, 1]), listed in painter's order. Roles let every style colour the
// same geometry its own way. Small random changes of proportion keep pictures from repeating.
#include <cmath>

#include "core/data/procedural_internal.h"

namespace sa::data::detail {
namespace {

constexpr double kDeg = 3.14159265358979323846 / 180.0;

Path ellipse(double cx, double cy, double rx, double ry, double rotDeg = 0, int n = 48) {
    Path path;
    const double c = detCos(rotDeg * kDeg), s = detSin(rotDeg * kDeg);
    for (int i = 0; i < n; ++i) {
        const double a = 2 * 3.14159265358979323846 * i / n;
        const double x = rx * detCos(a), y = ry * detSin(a);
        path.emplace_back(cx + c * x - s * y, cy + s * x + c * y);
    }
    return path;
}

Path circle(double cx, double cy, double r) { return ellipse(cx, cy, r, r); }

// Open arc from a0 to a1 degrees (0° = +x, 90° = +y i.e. down).
Path arc(double cx, double cy, double rx, double ry, double a0, double a1, int n = 24) {
    Path path;
    for (int i = 0; i <= n; ++i) {
        const double a = (a0 + (a1 - a0) * i / n) * kDeg;
        path.emplace_back(cx + rx * detCos(a), cy + ry * detSin(a));
    }
    return path;
}

Path rect(double x0, double y0, double x1, double y1) { return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}; }

Path roundRect(double x0, double y0, double x1, double y1, double r) {
    Path path;
    auto corner = [&](double cx, double cy, double a0) {
        const Path a = arc(cx, cy, r, r, a0, a0 + 90, 6);
        path.insert(path.end(), a.begin(), a.end());
    };
    corner(x1 - r, y0 + r, -90);
    corner(x1 - r, y1 - r, 0);
    corner(x0 + r, y1 - r, 90);
    corner(x0 + r, y0 + r, 180);
    return path;
}

Path star(double cx, double cy, double outer, double inner, int points, double rotDeg) {
    Path path;
    for (int i = 0; i < 2 * points; ++i) {
        const double a = (rotDeg - 90 + 180.0 * i / points) * kDeg;
        const double r = i % 2 == 0 ? outer : inner;
        path.emplace_back(cx + r * detCos(a), cy + r * detSin(a));
    }
    return path;
}

Path mirrored(Path path) {
    for (auto& p : path) p.x = -p.x;
    return path;
}

Part region(Role role, std::vector<Path> fills) {
    Part part;
    part.role = role;
    part.fills = std::move(fills);
    return part;
}

Part strokeRegion(Role role, std::vector<Path> strokes, bool closed, double width) {
    Part part;
    part.role = role;
    part.strokes = std::move(strokes);
    part.strokeClosed.assign(part.strokes.size(), closed);
    part.strokeWidth = width;
    return part;
}

// Thin detail lines; most styles draw them in their ink, `role` says what they would be in colour.
Part lines(std::vector<Path> strokes, Role role = Role::Dark) {
    Part part = strokeRegion(role, std::move(strokes), false, 0);
    part.isLine = true;
    return part;
}

// ±fraction around 1: the proportion jitter of a subject.
double vary(Rng& rng, double fraction) { return 1.0 + rng.uniform(-fraction, fraction); }

Shape house(Rng& rng) {
    const double roofTop = -0.88 * vary(rng, 0.08), wall = 0.65 * vary(rng, 0.08);
    const double eave = wall + 0.22;
    const double doorX = rng.chance(0.5) ? -0.42 : 0.1;  // door left or right of centre
    const double windowX = doorX < 0 ? 0.1 : -0.48;
    Shape s;
    s.push_back(region(Role::Accent, {rect(0.28, -0.82, 0.5, -0.3)}));  // chimney behind the roof
    s.push_back(region(Role::Body, {rect(-wall, -0.1, wall, 0.9)}));
    s.push_back(region(Role::Secondary, {{{-eave, -0.05}, {0, roofTop}, {eave, -0.05}}}));
    s.push_back(region(Role::Dark, {rect(doorX, 0.36, doorX + 0.32, 0.9)}));
    s.push_back(region(Role::Light, {rect(windowX, 0.18, windowX + 0.38, 0.54)}));
    const double wx = windowX + 0.19, wy = 0.36;
    s.push_back(lines({{{wx, 0.18}, {wx, 0.54}}, {{windowX, wy}, {windowX + 0.38, wy}}}));
    return s;
}

Shape tree(Rng& rng) {
    const double crown = vary(rng, 0.08), trunkW = 0.13 * vary(rng, 0.15);
    Shape s;
    s.push_back(region(Role::Secondary, {{{-trunkW - 0.04, 0.95}, {-trunkW, 0.1}, {trunkW, 0.1}, {trunkW + 0.04, 0.95}}}));
    s.push_back(region(Role::Body, {circle(0, -0.38, 0.52 * crown), circle(-0.42 * crown, -0.02, 0.4 * crown),
                                    circle(0.42 * crown, -0.02, 0.4 * crown), circle(0, 0.1, 0.38 * crown)}));
    if (rng.chance(0.5)) {  // fruit
        std::vector<Path> fruit;
        const double spots[4][2] = {{-0.3, -0.3}, {0.25, -0.5}, {0.35, 0.1}, {-0.15, 0.12}};
        for (const auto& p : spots) fruit.push_back(circle(p[0] * crown, p[1] * crown, 0.075));
        s.push_back(region(Role::Accent, fruit));
    }
    return s;
}

Shape fish(Rng& rng) {
    const double len = 0.62 * vary(rng, 0.06), h = 0.4 * vary(rng, 0.1), tail = vary(rng, 0.12);
    Shape s;
    s.push_back(region(Role::Secondary, {{{0.3, 0}, {0.95, -0.45 * tail}, {0.8, 0}, {0.95, 0.45 * tail}}}));
    s.push_back(region(Role::Secondary, {{{-0.3, -h * 0.7}, {0.0, -h - 0.24}, {0.22, -h * 0.6}}}));
    s.push_back(region(Role::Body, {ellipse(-0.12, 0, len, h)}));
    s.push_back(region(Role::Accent, {{{-0.16, 0.12}, {0.06, 0.2}, {-0.1, 0.34}}}));  // pectoral fin
    s.push_back(lines({arc(-0.62, 0, 0.3, h * 0.8, -55, 55, 12)}));              // gill
    s.push_back(region(Role::Dark, {circle(-0.5, -0.08, 0.085)}));
    return s;
}

Shape cat(Rng& rng) {
    const double ear = vary(rng, 0.1);
    Shape s;
    s.push_back(strokeRegion(Role::Body, {{{0.3, 0.86}, {0.62, 0.84}, {0.82, 0.7}, {0.9, 0.48}, {0.88, 0.26}, {0.96, 0.1}}},
                             false, 0.15));
    s.push_back(region(Role::Body, {ellipse(0, 0.5, 0.44, 0.42)}));
    const Path earL{{-0.4, -0.42}, {-0.36, -0.42 - 0.48 * ear}, {-0.06, -0.66}};
    s.push_back(region(Role::Body, {circle(0, -0.28, 0.42), earL, mirrored(earL)}));
    const Path innerL{{-0.32, -0.5}, {-0.31, -0.44 - 0.36 * ear}, {-0.14, -0.62}};
    s.push_back(region(Role::Accent, {innerL, mirrored(innerL)}));
    s.push_back(region(Role::Secondary, {ellipse(0, 0.55, 0.22, 0.28)}));  // chest
    s.push_back(region(Role::Dark, {ellipse(-0.16, -0.32, 0.07, 0.1), ellipse(0.16, -0.32, 0.07, 0.1)}));
    s.push_back(region(Role::Accent, {{{-0.07, -0.18}, {0.07, -0.18}, {0, -0.1}}}));
    const Path w1{{-0.12, -0.12}, {-0.58, -0.2}}, w2{{-0.12, -0.07}, {-0.56, -0.01}};
    s.push_back(lines({w1, w2, mirrored(w1), mirrored(w2)}));
    return s;
}

Shape boat(Rng& rng) {
    const double sail = vary(rng, 0.08);
    Shape s;
    s.push_back(region(Role::Secondary, {rect(-0.045, -0.92, 0.045, 0.4)}));  // mast
    s.push_back(region(Role::Light, {{{0.09, -0.86 * sail}, {0.09, 0.26}, {0.74 * sail, 0.26}}}));
    s.push_back(region(Role::Accent, {{{-0.09, -0.62 * sail}, {-0.09, 0.26}, {-0.6 * sail, 0.26}}}));
    s.push_back(region(Role::Body, {{{-0.95, 0.34}, {0.95, 0.34}, {0.62, 0.78}, {-0.62, 0.78}}}));
    s.push_back(region(Role::Accent, {{{0.045, -0.92}, {0.3, -0.84}, {0.045, -0.76}}}));  // pennant
    return s;
}

Shape starShape(Rng& rng) {
    const double inner = 0.4 * vary(rng, 0.1);
    Shape s;
    s.push_back(region(Role::Body, {star(0, 0.06, 0.98, inner, 5, 0)}));
    if (rng.chance(0.5)) s.push_back(region(Role::Secondary, {star(0, 0.06, 0.42, inner * 0.42, 5, 0)}));
    return s;
}

Shape cup(Rng& rng) {
    const double w = 0.5 * vary(rng, 0.08), top = -0.45 * vary(rng, 0.1);
    Shape s;
    std::vector<Path> steam;
    for (double x : {-0.22, 0.12}) {
        Path p;
        for (int i = 0; i <= 12; ++i) {
            const double t = i / 12.0;
            p.emplace_back(x + 0.07 * detSin(t * 2 * 3.14159265358979323846), top - 0.12 - 0.42 * t);
        }
        steam.push_back(p);
    }
    s.push_back(lines(steam, Role::Light));
    s.push_back(region(Role::Secondary, {ellipse(-0.05, 0.84, 0.82, 0.13)}));  // saucer
    s.push_back(strokeRegion(Role::Body, {ellipse(w - 0.02, 0.17, 0.3, 0.28)}, true, 0.16));  // handle
    s.push_back(region(Role::Body, {roundRect(-w - 0.05, top, w - 0.05, 0.82, 0.16)}));
    s.push_back(region(Role::Accent, {rect(-w - 0.05, 0.12, w - 0.05, 0.32)}));
    s.push_back(region(Role::Dark, {ellipse(-0.05, top, w, 0.09)}));  // the drink seen from above
    return s;
}

Shape car(Rng& rng) {
    const double roof = -0.45 * vary(rng, 0.1), wheel = 0.24 * vary(rng, 0.08);
    Shape s;
    s.push_back(region(Role::Secondary, {{{-0.52, 0.02}, {-0.3, roof}, {0.34, roof}, {0.62, 0.02}}}));
    const double wt = roof + 0.09;
    s.push_back(region(Role::Light, {{{-0.41, 0.0}, {-0.25, wt}, {-0.01, wt}, {-0.01, 0.0}},
                                     {{0.07, 0.0}, {0.07, wt}, {0.29, wt}, {0.47, 0.0}}}));
    s.push_back(region(Role::Body, {roundRect(-0.95, -0.02, 0.95, 0.45, 0.13)}));
    s.push_back(region(Role::Dark, {circle(-0.52, 0.45, wheel), circle(0.52, 0.45, wheel)}));
    s.push_back(region(Role::Light, {circle(-0.52, 0.45, wheel * 0.4), circle(0.52, 0.45, wheel * 0.4)}));
    s.push_back(region(Role::Accent, {ellipse(0.86, 0.1, 0.07, 0.06)}));  // headlight
    return s;
}

Shape flower(Rng& rng) {
    const int petals = rng.uniformInt(5, 7);
    const double petal = vary(rng, 0.08);
    Shape s;
    s.push_back(strokeRegion(Role::Secondary, {{{0, 0.0}, {0.05, 0.35}, {0.02, 0.65}, {-0.02, 0.98}}}, false, 0.1));
    s.push_back(region(Role::Secondary, {ellipse(0.28, 0.58, 0.26, 0.1, -30), ellipse(-0.26, 0.74, 0.22, 0.09, 30)}));
    std::vector<Path> ring;
    const double turn = rng.uniform(0, 360.0 / petals);
    for (int i = 0; i < petals; ++i) {
        const double a = turn + 360.0 * i / petals;
        ring.push_back(ellipse(0.3 * detCos(a * kDeg), -0.36 + 0.3 * detSin(a * kDeg), 0.27 * petal, 0.15 * petal, a));
    }
    s.push_back(region(Role::Body, ring));
    s.push_back(region(Role::Accent, {circle(0, -0.36, 0.17)}));
    return s;
}

Shape bird(Rng& rng) {
    const double tail = vary(rng, 0.12);
    Shape s;
    s.push_back(lines({{{-0.02, 0.42}, {-0.08, 0.82}}, {{0.18, 0.42}, {0.14, 0.82}},
                       {{-0.18, 0.84}, {0.0, 0.82}}, {{0.04, 0.84}, {0.22, 0.82}}}));
    s.push_back(region(Role::Secondary, {{{0.4, 0.08}, {0.96, -0.28 * tail}, {1.0, 0.02}, {0.5, 0.3}}}));
    s.push_back(region(Role::Body, {ellipse(0.05, 0.12, 0.56, 0.37, -8), circle(-0.44, -0.3, 0.3)}));
    s.push_back(region(Role::Accent, {{{-0.7, -0.4}, {-0.99, -0.26}, {-0.7, -0.18}}}));  // beak
    s.push_back(region(Role::Secondary, {{{-0.12, 0.02}, {0.12, -0.1}, {0.42, -0.02}, {0.5, 0.1}, {0.15, 0.24}}}));  // wing
    s.push_back(region(Role::Dark, {circle(-0.5, -0.35, 0.07)}));
    return s;
}

// A snow cap: the top `depth` of triangle (left, peak, right) with a zig-zag lower edge.
Path snowCap(cv::Point2d left, cv::Point2d peak, cv::Point2d right, double depth) {
    const cv::Point2d a = peak + depth * (left - peak), b = peak + depth * (right - peak);
    const cv::Point2d d = (b - a) * (1.0 / 4);
    const double dip = 0.09;
    return {peak, b, a + 3 * d + cv::Point2d(0, dip), a + 2 * d, a + d + cv::Point2d(0, dip), a};
}

Shape mountain(Rng& rng) {
    const double backPeak = -0.85 * vary(rng, 0.06), frontPeak = -0.4 * vary(rng, 0.15);
    const cv::Point2d bl(-0.3, 0.75), bp(0.32, backPeak), br(0.98, 0.75);
    const cv::Point2d fl(-0.98, 0.75), fp(-0.36, frontPeak), fr(0.38, 0.75);
    Shape s;
    s.push_back(region(Role::Secondary, {{bl, bp, br}}));
    s.push_back(region(Role::Light, {snowCap(bl, bp, br, 0.3)}));
    s.push_back(region(Role::Body, {{fl, fp, fr}}));
    s.push_back(region(Role::Light, {snowCap(fl, fp, fr, 0.28)}));
    return s;
}

Shape key(Rng& rng) {
    const double bow = 0.27 * vary(rng, 0.08);
    Part part = strokeRegion(Role::Body, {circle(-0.62, 0, bow)}, true, 0.17);
    part.fills = {rect(-0.38, -0.1, 0.95, 0.1), rect(0.52, 0.05, 0.65, 0.4), rect(0.76, 0.05, 0.9, 0.3)};
    Shape s{part};
    s.push_back(region(Role::Accent, {rect(-0.36, -0.17, -0.25, 0.17)}));  // collar
    return s;
}

}  // namespace

int subjectCount() { return 12; }

Shape subjectShape(int subject, Rng& rng) {
    switch (subject) {
        case 0: return house(rng);
        case 1: return tree(rng);
        case 2: return fish(rng);
        case 3: return cat(rng);
        case 4: return boat(rng);
        case 5: return starShape(rng);
        case 6: return cup(rng);
        case 7: return car(rng);
        case 8: return flower(rng);
        case 9: return bird(rng);
        case 10: return mountain(rng);
        default: return key(rng);
    }
}

}  // namespace sa::data::detail
