#include "core/io/image.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"

namespace sa {

cv::Mat readImage(const std::filesystem::path& path) {
    if (!std::filesystem::exists(path)) fail("{}: no such file", path.string());
    if (!std::filesystem::is_regular_file(path)) fail("{}: not a file", path.string());
    cv::Mat image;
    try {
        image = cv::imread(path.string(), cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        fail("{}: cannot decode image ({})", path.string(), e.what());
    }
    if (image.empty()) fail("{}: not an image file, or a format OpenCV cannot read", path.string());
    if (image.depth() == CV_16U) image.convertTo(image, CV_8U, 1.0 / 257.0);
    if (image.depth() != CV_8U) fail("{}: unsupported pixel depth", path.string());
    if (image.channels() == 1) cv::cvtColor(image, image, cv::COLOR_GRAY2BGR);
    if (image.channels() == 4) {
        cv::Mat bgr(image.size(), CV_8UC3);
        for (int y = 0; y < image.rows; ++y)
            for (int x = 0; x < image.cols; ++x) {
                const auto& p = image.at<cv::Vec4b>(y, x);
                const int a = p[3];
                for (int c = 0; c < 3; ++c) bgr.at<cv::Vec3b>(y, x)[c] = static_cast<uint8_t>((p[c] * a + 255 * (255 - a) + 127) / 255);
            }
        image = bgr;
    }
    if (image.channels() != 3) fail("{}: unsupported number of channels ({})", path.string(), image.channels());
    return image;
}

void writeImage(const std::filesystem::path& path, const cv::Mat& image) {
    auto tmp = path;
    tmp += ".partial" + path.extension().string();
    bool ok = false;
    try {
        ok = cv::imwrite(tmp.string(), image);
    } catch (const cv::Exception& e) {
        fail("{}: cannot write image ({})", path.string(), e.what());
    }
    if (!ok) fail("{}: cannot write image (folder missing or not writable?)", path.string());
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) fail("{}: cannot move the written image into place ({})", path.string(), ec.message());
}

cv::Mat tensorToImage(const torch::Tensor& chw) {
    if (chw.dim() != 3 || chw.size(0) != 3) fail("expected a [3, H, W] image tensor, got [{}]", fmt::join(chw.sizes(), ", "));
    auto bytes = (chw.detach().to(torch::kCPU, torch::kFloat32).clamp(0, 1) * 255).round().to(torch::kUInt8);
    bytes = bytes.flip({0}).permute({1, 2, 0}).contiguous();  // RGB → BGR, HWC
    cv::Mat wrapped(static_cast<int>(bytes.size(0)), static_cast<int>(bytes.size(1)), CV_8UC3, bytes.data_ptr());
    return wrapped.clone();
}

torch::Tensor imageToRgbBytes(const cv::Mat& bgr) {
    if (bgr.type() != CV_8UC3) fail("expected an 8-bit 3-channel image");
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).clone();
}

std::vector<cv::Mat> tensorToImages(const torch::Tensor& batch) {
    std::vector<cv::Mat> out;
    for (int64_t i = 0; i < batch.size(0); ++i) out.push_back(tensorToImage(batch[i]));
    return out;
}

torch::Tensor imageToTensor(const cv::Mat& bgr) {
    auto rgb = imageToRgbBytes(bgr).to(torch::kFloat32) / 255.0;
    return (rgb * 2 - 1).permute({2, 0, 1}).unsqueeze(0).contiguous();
}

cv::Mat fitImage(const cv::Mat& bgr, int width, int height) {
    const double scale = std::max(static_cast<double>(width) / bgr.cols, static_cast<double>(height) / bgr.rows);
    const int w = std::max(width, static_cast<int>(std::lround(bgr.cols * scale)));
    const int h = std::max(height, static_cast<int>(std::lround(bgr.rows * scale)));
    cv::Mat resized;
    cv::resize(bgr, resized, {w, h}, 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
    return resized(cv::Rect((w - width) / 2, (h - height) / 2, width, height)).clone();
}

cv::Mat makeGrid(const std::vector<cv::Mat>& images, int columns, int gap) {
    if (images.empty()) fail("no images for a grid");
    columns = std::max(1, std::min(columns, static_cast<int>(images.size())));
    const int rows = (static_cast<int>(images.size()) + columns - 1) / columns;
    int cellW = 0, cellH = 0;
    for (const auto& im : images) {
        cellW = std::max(cellW, im.cols);
        cellH = std::max(cellH, im.rows);
    }
    cv::Mat grid(rows * cellH + (rows + 1) * gap, columns * cellW + (columns + 1) * gap, CV_8UC3, cv::Scalar(255, 255, 255));
    for (size_t i = 0; i < images.size(); ++i) {
        const int r = static_cast<int>(i) / columns, c = static_cast<int>(i) % columns;
        images[i].copyTo(grid(cv::Rect(gap + c * (cellW + gap), gap + r * (cellH + gap), images[i].cols, images[i].rows)));
    }
    return grid;
}

}  // namespace sa
