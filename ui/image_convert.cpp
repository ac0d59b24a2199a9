#include "ui/image_convert.h"

#include <QPainter>
#include <opencv2/imgproc.hpp>

namespace sa::ui {

QImage toQImage(const cv::Mat& bgr) {
    if (bgr.empty()) return {};
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, bgr.channels() == 1 ? cv::COLOR_GRAY2RGB : cv::COLOR_BGR2RGB);
    return QImage(rgb.data, rgb.cols, rgb.rows, static_cast<qsizetype>(rgb.step), QImage::Format_RGB888).copy();
}

cv::Mat toMat(const QImage& image) {
    if (image.isNull()) return {};
    QImage flat(image.size(), QImage::Format_RGB888);
    flat.fill(Qt::white);
    {
        QPainter painter(&flat);
        painter.drawImage(0, 0, image);
    }
    cv::Mat rgb(flat.height(), flat.width(), CV_8UC3, flat.bits(), static_cast<size_t>(flat.bytesPerLine()));
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    return bgr;
}

QImage heatMap(const cv::Mat& map, QSize size, double maximum) {
    if (map.empty() || size.isEmpty()) return {};
    cv::Mat resized;
    cv::resize(map, resized, cv::Size(size.width(), size.height()), 0, 0, cv::INTER_CUBIC);
    double lo = 0, hi = 0;
    cv::minMaxLoc(resized, &lo, &hi);
    const double top = maximum > 0 ? maximum : std::max(hi, 1e-12);
    cv::Mat unit;
    resized.convertTo(unit, CV_8U, 255.0 / top);
    cv::Mat colours;
    cv::applyColorMap(unit, colours, cv::COLORMAP_INFERNO);
    QImage out(size, QImage::Format_ARGB32);
    for (int y = 0; y < size.height(); ++y) {
        auto* line = reinterpret_cast<QRgb*>(out.scanLine(y));
        const auto* value = unit.ptr<uint8_t>(y);
        const auto* bgr = colours.ptr<cv::Vec3b>(y);
        for (int x = 0; x < size.width(); ++x) {
            const int alpha = std::min(255, 60 + value[x] * 3 / 4);
            line[x] = qRgba(bgr[x][2], bgr[x][1], bgr[x][0], alpha);
        }
    }
    return out;
}

}  // namespace sa::ui
