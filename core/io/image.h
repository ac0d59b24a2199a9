#pragma once
// Images between OpenCV, files and tensors. cv::Mat images are 8-bit BGR (OpenCV's order);
// tensors are RGB.
#include <filesystem>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/torch.h>

namespace sa {

// Reads an image file (PNG, JPEG, WebP, BMP, TIFF; told by content, not name) as 8-bit BGR. Alpha
// is composited on white, grey becomes BGR. Throws sa::Error naming the file when it is missing,
// not an image in one of these formats, damaged, or larger than 128 megapixels.
cv::Mat readImage(const std::filesystem::path& path);

// Writes an image atomically (temporary file + rename): never a half-written file.
void writeImage(const std::filesystem::path& path, const cv::Mat& image);

// [3, H, W] float in [0, 1] (RGB) → 8-bit BGR, rounding as diffusers' numpy_to_pil.
cv::Mat tensorToImage(const torch::Tensor& chw);
// A batch [N, 3, H, W] in [0, 1] → N images (tensorToImage of each).
std::vector<cv::Mat> tensorToImages(const torch::Tensor& batch);
// 8-bit BGR → [1, 3, H, W] float in [-1, 1] (RGB), as inversion.py's _encode_image.
torch::Tensor imageToTensor(const cv::Mat& bgr);
// 8-bit BGR → [H, W, 3] uint8 RGB.
torch::Tensor imageToRgbBytes(const cv::Mat& bgr);

// Resizes (area / cubic) and centre-crops to exactly width × height.
cv::Mat fitImage(const cv::Mat& bgr, int width, int height);

// Images side by side in rows of `columns`, `gap` pixels apart on a white background.
cv::Mat makeGrid(const std::vector<cv::Mat>& images, int columns, int gap = 4);

}  // namespace sa
