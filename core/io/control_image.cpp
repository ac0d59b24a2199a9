#include "core/io/control_image.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/io/image.h"
#include "core/io/pil_resize.h"

namespace sa {
namespace {

// 8-bit grey / BGR / BGRA → BGR, saying what changed. Alpha is dropped, as PIL's convert("RGB")
// does (diffusers resizes RGBA premultiplied first; maps are normally opaque, so the alpha goes
// before the resize here).
cv::Mat toBgr(const cv::Mat& image, const std::string& what, std::vector<std::string>* notes) {
    if (image.empty()) fail("{}: empty image", what);
    if (image.depth() != CV_8U) fail("{}: expected an 8-bit image", what);
    cv::Mat bgr;
    switch (image.channels()) {
        case 1:
            cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
            if (notes) notes->push_back("grey map expanded to RGB");
            return bgr;
        case 3:
            return image;
        case 4:
            cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
            if (notes) notes->push_back("alpha channel dropped");
            return bgr;
        default:
            fail("{}: {} channels (expected grey, RGB or RGBA)", what, image.channels());
    }
}

}  // namespace

std::string ControlImage::note() const {
    return fmt::format("{}", fmt::join(notes, "; "));
}

ControlImage readControlImage(const std::filesystem::path& path) {
    // readImage checks the file (format by content, declared size, damage) before any decoding of
    // ours; it composites alpha on white, so the map is decoded again with its own channels.
    (void)readImage(path);
    cv::Mat raw;
    try {
        raw = cv::imread(path.string(), cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        fail("{}: cannot decode image ({})", path.string(), e.what());
    }
    if (raw.empty()) fail("{}: OpenCV cannot decode this image", path.string());
    ControlImage out;
    if (raw.depth() == CV_16U) {
        raw.convertTo(raw, CV_8U, 1.0 / 257.0);
        out.notes.push_back("16-bit map scaled to 8 bits");
    }
    out.image = toBgr(raw, path.string(), &out.notes);
    return out;
}

cv::Mat cannyEdges(const cv::Mat& image, double low, double high) {
    if (!(low >= 0 && high >= 0 && low <= high))
        fail("Canny thresholds must satisfy 0 ≤ low ≤ high (got {} and {})", low, high);
    const auto bgr = toBgr(image, "Canny input", nullptr);
    cv::Mat edges, out;
    cv::Canny(bgr, edges, low, high);  // on all three channels at once, as cv2.Canny(HWC3 image)
    cv::cvtColor(edges, out, cv::COLOR_GRAY2BGR);
    return out;
}

double edgesNear(const cv::Mat& edges, const cv::Mat& other) {
    if (edges.size() != other.size())
        fail("edge maps of different sizes ({}x{} and {}x{})", edges.cols, edges.rows, other.cols, other.rows);
    if (edges.depth() != CV_8U || other.depth() != CV_8U) fail("edge maps must be 8-bit (as cannyEdges makes them)");
    cv::Mat mine, theirs, grown;
    cv::extractChannel(edges, mine, 0);
    cv::extractChannel(other, theirs, 0);
    const int total = cv::countNonZero(mine);
    if (total == 0) return 0;
    cv::dilate(theirs, grown, cv::Mat::ones(3, 3, CV_8U));
    return static_cast<double>(cv::countNonZero(mine & grown)) / total;
}

torch::Tensor controlImageTensor(const cv::Mat& image, int width, int height, std::vector<std::string>* notes) {
    if (width <= 0 || height <= 0) fail("control image target size {}x{} must be positive", width, height);
    auto bgr = toBgr(image, "control image", notes);
    if (bgr.cols != width || bgr.rows != height) {
        // VaeImageProcessor.resize, resize_mode "default": PIL Lanczos to exactly width × height.
        const bool stretched = static_cast<int64_t>(bgr.cols) * height != static_cast<int64_t>(bgr.rows) * width;
        if (notes)
            notes->push_back(fmt::format("resized from {}x{} to {}x{}{}", bgr.cols, bgr.rows, width, height,
                                         stretched ? " (aspect ratio not kept)" : ""));
        bgr = pilResize(bgr, width, height, PilFilter::Lanczos);
    }
    // pil_to_numpy: uint8 → float32, / 255.
    return (imageToRgbBytes(bgr).to(torch::kFloat32) / 255.0).permute({2, 0, 1}).unsqueeze(0).contiguous();
}

torch::Tensor controlImagesTensor(const std::vector<cv::Mat>& images, int width, int height,
                                  std::vector<std::string>* notes) {
    if (images.empty()) fail("no control images given");
    std::vector<torch::Tensor> rows;
    for (size_t i = 0; i < images.size(); ++i) {
        std::vector<std::string> own;
        rows.push_back(controlImageTensor(images[i], width, height, notes ? &own : nullptr));
        if (notes)
            for (const auto& n : own) notes->push_back(fmt::format("image {}: {}", i, n));
    }
    return torch::cat(rows);
}

}  // namespace sa
