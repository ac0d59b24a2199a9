#include "core/io/image.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string_view>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"

namespace sa {

namespace {

// Largest image readImage decodes (about 11600 × 11600): OpenCV's own limit (2^30 pixels) lets a
// header of a few bytes ask for gigabytes (16-bit RGBA: 8 GB) before any pixel is read.
constexpr uint64_t kMaxImagePixels = uint64_t{1} << 27;

struct ImageHeader {
    const char* format = nullptr;  // nullptr: not a format readImage accepts
    uint64_t width = 0, height = 0;  // 0 × 0: the header does not say (damaged)
};

uint32_t bigEndian(const std::string& b, size_t at, int bytes) {
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<uint8_t>(b[at + i]);
    return v;
}
uint32_t littleEndian(const std::string& b, size_t at, int bytes) {
    uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(b[at + i]);
    return v;
}

// The size of the first (or only) image of a TIFF file: tags ImageWidth (256), ImageLength (257).
ImageHeader tiffHeader(const std::string& b) {
    ImageHeader h{"TIFF"};
    const bool big = b[0] == 'M';
    const auto read = [&](size_t at, int bytes) { return big ? bigEndian(b, at, bytes) : littleEndian(b, at, bytes); };
    const uint64_t ifd = read(4, 4);
    if (ifd + 2 > b.size()) return h;
    const uint64_t entries = read(ifd, 2);
    for (uint64_t i = 0; i < entries && ifd + 2 + 12 * (i + 1) <= b.size(); ++i) {
        const size_t at = ifd + 2 + 12 * i;
        const uint32_t tag = read(at, 2), type = read(at + 2, 2);
        const uint32_t value = type == 3 ? read(at + 8, 2) : type == 4 ? read(at + 8, 4) : 0;  // SHORT, LONG
        if (tag == 256) h.width = value;
        if (tag == 257) h.height = value;
    }
    return h;
}

// The formats the studio offers (PNG, JPEG, WebP, BMP, TIFF), told by their signature, with the
// size their header declares. Other formats OpenCV decodes are refused: their decoders see little
// use and have had flaws (OpenCV 4.6's Radiance HDR reader leaks an open file per damaged file).
ImageHeader readHeader(const std::string& b) {
    const auto starts = [&](std::string_view magic, size_t at = 0) {
        return at <= b.size() && b.compare(at, magic.size(), magic) == 0;
    };
    if (starts("\x89PNG\r\n\x1a\n") && b.size() >= 24 && starts("IHDR", 12))
        return {"PNG", bigEndian(b, 16, 4), bigEndian(b, 20, 4)};
    if (starts("\x89PNG")) return {"PNG"};
    if (starts("\xff\xd8\xff")) {
        // Walk the marker segments to the frame header (SOF0..SOF15 but DHT, JPG, DAC).
        for (size_t at = 2; at + 4 <= b.size();) {
            if (static_cast<uint8_t>(b[at]) != 0xff) break;
            const uint8_t marker = static_cast<uint8_t>(b[at + 1]);
            if (marker == 0xff) {  // fill byte
                ++at;
                continue;
            }
            if (marker == 0xd9 || marker == 0xda) break;  // end of image / start of scan: no frame header
            if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
                if (at + 9 > b.size()) break;
                return {"JPEG", bigEndian(b, at + 7, 2), bigEndian(b, at + 5, 2)};
            }
            at += 2 + bigEndian(b, at + 2, 2);
        }
        return {"JPEG"};
    }
    if (starts("RIFF") && b.size() >= 30 && starts("WEBP", 8)) {
        if (starts("VP8 ", 12)) return {"WebP", littleEndian(b, 26, 2) & 0x3fffu, littleEndian(b, 28, 2) & 0x3fffu};
        if (starts("VP8L", 12)) {
            const uint32_t bits = littleEndian(b, 21, 4);
            return {"WebP", (bits & 0x3fffu) + 1, ((bits >> 14) & 0x3fffu) + 1};
        }
        if (starts("VP8X", 12)) return {"WebP", littleEndian(b, 24, 3) + 1ull, littleEndian(b, 27, 3) + 1ull};
        return {"WebP"};
    }
    if (starts("BM") && b.size() >= 26) {
        if (littleEndian(b, 14, 4) == 12) return {"BMP", littleEndian(b, 18, 2), littleEndian(b, 20, 2)};  // OS/2
        const auto height = static_cast<int32_t>(littleEndian(b, 22, 4));                              // < 0: top-down
        return {"BMP", littleEndian(b, 18, 4), static_cast<uint64_t>(std::abs(static_cast<int64_t>(height)))};
    }
    if ((starts(std::string_view("II*\0", 4)) || starts(std::string_view("MM\0*", 4))) && b.size() >= 8)
        return tiffHeader(b);
    return {};
}

std::string readBytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail("{}: cannot read", path.string());
    return bytes;
}

}  // namespace

cv::Mat readImage(const std::filesystem::path& path) {
    if (!std::filesystem::exists(path)) fail("{}: no such file", path.string());
    if (!std::filesystem::is_regular_file(path)) fail("{}: not a file", path.string());
    // Decoded from memory after a look at the header, so that the size is checked before OpenCV
    // allocates for it.
    const auto bytes = readBytes(path);
    if (bytes.size() > INT_MAX) fail("{}: file too large for an image", path.string());
    const auto header = readHeader(bytes);
    if (!header.format)
        fail("{}: not an image file, or not in a supported format (PNG, JPEG, WebP, BMP, TIFF)", path.string());
    if (header.width == 0 || header.height == 0)
        fail("{}: damaged {} file (no image size in its header)", path.string(), header.format);
    if (header.width * header.height > kMaxImagePixels)
        fail("{}: {} × {} pixels is too large (at most {} megapixels; scale it down first)", path.string(),
             header.width, header.height, kMaxImagePixels >> 20);
    cv::Mat image;
    try {
        image = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char*>(bytes.data())),
                             cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        fail("{}: cannot decode image ({})", path.string(), e.what());
    }
    if (image.empty()) fail("{}: damaged {} file, OpenCV cannot decode it", path.string(), header.format);
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
    // Centre-crop to the target's aspect ratio, then resize: resizing first (to cover the target)
    // would make an image as long as the source is thin (a 1 × 100000 strip → gigabytes).
    const double scale = std::max(static_cast<double>(width) / bgr.cols, static_cast<double>(height) / bgr.rows);
    const int cropW = std::clamp(static_cast<int>(std::lround(width / scale)), 1, bgr.cols);
    const int cropH = std::clamp(static_cast<int>(std::lround(height / scale)), 1, bgr.rows);
    const cv::Mat crop = bgr(cv::Rect((bgr.cols - cropW) / 2, (bgr.rows - cropH) / 2, cropW, cropH));
    if (crop.cols == width && crop.rows == height) return crop.clone();
    cv::Mat resized;
    cv::resize(crop, resized, {width, height}, 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
    return resized;
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
