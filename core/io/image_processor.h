#pragma once
// transformers' image processors for the vision towers (BlipImageProcessor, CLIPImageProcessor,
// ViTImageProcessor and the legacy *FeatureExtractor configs), read from preprocessor_config.json:
// convert to RGB, resize with PIL's filter (to {height, width}, or the shortest edge to N keeping
// the aspect ratio), centre-crop, rescale by 1/255, normalise with the mean / std — in that order
// and in the reference's precision (rescale in double then float32, normalise in float32).
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "core/io/json_config.h"
#include "core/io/pil_resize.h"

namespace sa {

struct ImageProcessorConfig {
    std::string type;  // "BlipImageProcessor", "CLIPImageProcessor", "ViTImageProcessor", ...
    bool do_resize = true;
    int height = 224, width = 224;  // resize target (do_resize and shortest_edge == 0)
    int shortest_edge = 0;          // > 0: resize so the shorter side is this long
    PilFilter resample = PilFilter::Bilinear;
    bool do_center_crop = false;
    int crop_height = 224, crop_width = 224;
    bool do_rescale = true;
    double rescale_factor = 1.0 / 255.0;
    bool do_normalize = true;
    std::vector<float> image_mean{0.5f, 0.5f, 0.5f}, image_std{0.5f, 0.5f, 0.5f};

    // preprocessor_config.json; unknown fields and values are refused with the file and field.
    static ImageProcessorConfig fromJson(const JsonConfig& json);
    static ImageProcessorConfig load(const std::filesystem::path& file);

    // The pixel size the processor produces (what the model's image_size must be).
    int outputHeight() const;
    int outputWidth() const;
};

// An 8-bit BGR (or grey) image → pixel_values [1, 3, H, W] float32.
torch::Tensor preprocessImage(const cv::Mat& image, const ImageProcessorConfig& config);
// Several images → [N, 3, H, W].
torch::Tensor preprocessImages(const std::vector<cv::Mat>& images, const ImageProcessorConfig& config);

}  // namespace sa
