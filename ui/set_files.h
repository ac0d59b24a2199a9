#pragma once
// Reading and writing a set folder from the studio: the CLI's format (image_NN.png, grid.png,
// set.json, reference.png) plus the attention maps shown in the studio.
#include <QImage>
#include <QString>
#include <opencv2/core.hpp>

#include "core/io/image_set.h"

namespace sa::ui {

struct LoadedSet {
    ImageSetSpec spec;
    QString folder;
    cv::Mat reference;            // reference.png (image mode)
    std::vector<cv::Mat> images;  // image_NN.png that exist (empty Mat for a missing one)
    std::vector<cv::Mat> controlSources;  // the control images (control_NN.png), read as the CLI reads them
};

// set.json and its images; throws sa::Error naming the file that is wrong.
LoadedSet loadSet(const QString& setJson);

// Writes the set (and reference.png in image mode; the control images as control_NN.png, named so
// in set.json), then `attentionMaps` as attention_NN.png (heat map over each image, NN its index in
// the set). A panorama set's grid has one image per row. Returns the files written.
std::vector<std::string> exportSet(const QString& folder, ImageSetSpec spec, const cv::Mat& reference,
                                   const std::vector<cv::Mat>& images, const std::vector<std::pair<int, QImage>>& attentionMaps,
                                   const std::vector<cv::Mat>& controlSources = {});

// Writes the chosen images only (image_NN.png), keeping their indices in the names.
std::vector<std::string> exportImages(const QString& folder, const std::vector<std::pair<int, cv::Mat>>& images);

}  // namespace sa::ui
