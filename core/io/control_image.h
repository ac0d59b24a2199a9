#pragma once
// Control maps for a ControlNet (depth, edges, pose, …): read as the user gave them, Canny edges
// made from a photo, and the pipeline's control tensor prepared as diffusers' ControlNet
// pipelines do (prepare_image → VaeImageProcessor(do_convert_rgb=True, do_normalize=False)).
// What had to be adapted is reported as notes a UI can show, never silently.
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/torch.h>

namespace sa {

struct ControlImage {
    cv::Mat image;                   // 8-bit, 3 channels, BGR (OpenCV's order)
    std::vector<std::string> notes;  // "grey map expanded to RGB", "alpha channel dropped", …
    std::string note() const;        // the notes joined with "; " (empty when nothing changed)
};

// A control map used as is. 8-bit or 16-bit (scaled to 8), grey (expanded to RGB) or with alpha
// (dropped, not composited: a map's colours are data, a transparent background stays black
// where the map is black). Garbage, a missing file or an unsupported format is an sa::Error
// naming the file.
ControlImage readControlImage(const std::filesystem::path& path);

// Canny edges (OpenCV's Canny with hysteresis thresholds `low` < `high` on all channels at once,
// as controlnet_aux's CannyDetector and the diffusers examples run it): white edges on black,
// 3 channels. `image`: 8-bit grey, BGR or BGRA.
cv::Mat cannyEdges(const cv::Mat& image, double low = 100, double high = 200);

// How closely one edge map follows another: the share of `edges`' edge pixels with an edge pixel of
// `other` within 1 px (both Canny maps as cannyEdges makes them, the same size; 0 when `edges` has none).
// With the control's edges first and a picture's edges second, the recall of the control; swapped,
// the precision.
double edgesNear(const cv::Mat& edges, const cv::Mat& other);

// The pipeline's control tensor [1, 3, height, width], float in [0, 1], RGB, from an 8-bit grey,
// BGR or BGRA map: converted to RGB (alpha dropped), resized to width × height with PIL's Lanczos
// (VaeImageProcessor.resize, aspect ratio not kept) when its size differs, then / 255. `notes`,
// when given, receives what was changed.
torch::Tensor controlImageTensor(const cv::Mat& image, int width, int height, std::vector<std::string>* notes = nullptr);
// One map per image → [n, 3, height, width]; the notes name the image ("image 2: resized …").
torch::Tensor controlImagesTensor(const std::vector<cv::Mat>& images, int width, int height,
                                  std::vector<std::string>* notes = nullptr);

}  // namespace sa
