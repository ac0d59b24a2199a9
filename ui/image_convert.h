#pragma once
// Conversions between core's images (cv::Mat, 8-bit BGR; attention maps CV_32F) and Qt's.
#include <QImage>
#include <opencv2/core.hpp>

namespace sa::ui {

QImage toQImage(const cv::Mat& bgr);   // deep copy, RGB888
cv::Mat toMat(const QImage& image);    // deep copy, 8-bit BGR (alpha composited on white)

// A heat map (CV_32F, any range) as a translucent colour image of `size`: values are scaled to
// [0, 1] by `maximum` (≤ 0: the map's own maximum), coloured with a perceptual colour map and
// given an alpha that grows with the value, so low attention leaves the image visible.
QImage heatMap(const cv::Mat& map, QSize size, double maximum = 0);

}  // namespace sa::ui
