#include "core/io/image_processor.h"

#include <cmath>

#include <opencv2/imgproc.hpp>

namespace sa {
namespace {

struct ProcessorDefaults {
    const char* type;
    PilFilter resample;
    bool squareIntSize;  // a legacy "size": N means N × N (else the shortest edge)
};

// The processor classes whose preprocess is convert → resize → crop → rescale → normalise.
const ProcessorDefaults kProcessors[] = {
    {"BlipImageProcessor", PilFilter::Bicubic, true},   {"CLIPImageProcessor", PilFilter::Bicubic, false},
    {"CLIPFeatureExtractor", PilFilter::Bicubic, false}, {"ViTImageProcessor", PilFilter::Bilinear, true},
    {"ViTFeatureExtractor", PilFilter::Bilinear, true},
};

int positiveSize(const JsonConfig& j, const std::string& field, const nlohmann::json& value) {
    if (!value.is_number_integer() || value.get<int64_t>() <= 0 || value.get<int64_t>() > 8192)
        fail("{}: {} = {} must be a whole number of pixels between 1 and 8192", j.where(), field, value.dump());
    return value.get<int>();
}

// "size" / "crop_size": {"height", "width"}, {"shortest_edge"} or a legacy number.
void readSize(const JsonConfig& j, const std::string& field, bool squareInt, int& height, int& width, int* shortest) {
    const auto v = j.get<nlohmann::json>(field, nullptr);  // marks the field as read
    if (v.is_null()) return;
    if (v.is_number()) {
        const int n = positiveSize(j, field, v);
        if (squareInt || !shortest) height = width = n;
        else *shortest = n;
        return;
    }
    if (!v.is_object()) fail("{}: {} must be a number or an object, got {}", j.where(), field, v.dump());
    for (const auto& [key, value] : v.items()) {
        if (key == "height") height = positiveSize(j, field + ".height", value);
        else if (key == "width") width = positiveSize(j, field + ".width", value);
        else if (key == "shortest_edge" && shortest) *shortest = positiveSize(j, field + ".shortest_edge", value);
        else fail("{}: {}.{} is not supported (height / width{})", j.where(), field, key, shortest ? " / shortest_edge" : "");
    }
    if (shortest && *shortest > 0) return;
    if (!v.contains("height") || !v.contains("width"))
        fail("{}: {} needs both height and width, got {}", j.where(), field, v.dump());
}

std::vector<float> threeFloats(const JsonConfig& j, const std::string& field, std::vector<float> fallback) {
    auto values = j.get<std::vector<double>>(field, {fallback.begin(), fallback.end()});
    if (values.size() != 3) fail("{}: {} must have 3 entries (R, G, B), got {}", j.where(), field, values.size());
    std::vector<float> out;
    for (double v : values) {
        if (!std::isfinite(v)) fail("{}: {} holds a value that is not finite", j.where(), field);
        out.push_back(static_cast<float>(v));
    }
    return out;
}

// image_transforms.center_crop: crop, padding with zeros where the image is smaller.
cv::Mat centerCrop(const cv::Mat& image, int cropHeight, int cropWidth) {
    auto floorDiv2 = [](int v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); };
    int top = floorDiv2(image.rows - cropHeight), left = floorDiv2(image.cols - cropWidth);
    if (top >= 0 && left >= 0 && top + cropHeight <= image.rows && left + cropWidth <= image.cols)
        return image(cv::Rect(left, top, cropWidth, cropHeight)).clone();
    const int newHeight = std::max(cropHeight, image.rows), newWidth = std::max(cropWidth, image.cols);
    cv::Mat padded = cv::Mat::zeros(newHeight, newWidth, image.type());
    // Floor, as transformers 4.36 (an odd difference leaves the result a pixel short; the model's
    // size check then says so — only a crop larger than the resized image gets here).
    const int topPad = (newHeight - image.rows) / 2, leftPad = (newWidth - image.cols) / 2;
    image.copyTo(padded(cv::Rect(leftPad, topPad, image.cols, image.rows)));
    top += topPad, left += leftPad;
    const int y0 = std::max(0, top), x0 = std::max(0, left);
    const int y1 = std::min(newHeight, top + cropHeight), x1 = std::min(newWidth, left + cropWidth);
    return padded(cv::Rect(x0, y0, x1 - x0, y1 - y0)).clone();
}

}  // namespace

ImageProcessorConfig ImageProcessorConfig::fromJson(const JsonConfig& j) {
    ImageProcessorConfig c;
    c.type = j.get<std::string>("image_processor_type", j.get<std::string>("feature_extractor_type", ""));
    const ProcessorDefaults* defaults = nullptr;
    for (const auto& p : kProcessors)
        if (c.type == p.type) defaults = &p;
    if (!defaults)
        fail("{}: image_processor_type '{}' is not supported (BlipImageProcessor, CLIPImageProcessor, "
             "ViTImageProcessor and their FeatureExtractor forms)",
             j.where(), c.type);
    c.resample = pilFilterFromInt(j.get<int>("resample", static_cast<int>(defaults->resample)), j.where() + " resample");
    c.do_resize = j.get<bool>("do_resize", true);
    const bool clip = !defaults->squareIntSize;
    if (clip) c.shortest_edge = 224;
    readSize(j, "size", defaults->squareIntSize, c.height, c.width, clip ? &c.shortest_edge : nullptr);
    if (c.shortest_edge > 0) c.height = c.width = c.shortest_edge;
    c.do_center_crop = j.get<bool>("do_center_crop", clip);
    c.crop_height = c.crop_width = 224;
    readSize(j, "crop_size", true, c.crop_height, c.crop_width, nullptr);
    c.do_rescale = j.get<bool>("do_rescale", true);
    c.rescale_factor = j.get<double>("rescale_factor", c.rescale_factor);
    if (!(c.rescale_factor > 0) || !std::isfinite(c.rescale_factor))
        fail("{}: rescale_factor must be a positive number", j.where());
    c.do_normalize = j.get<bool>("do_normalize", true);
    const std::vector<float> clipMean{0.48145466f, 0.4578275f, 0.40821073f}, clipStd{0.26862954f, 0.26130258f, 0.27577711f};
    c.image_mean = threeFloats(j, "image_mean", clip || c.type[0] == 'B' ? clipMean : c.image_mean);
    c.image_std = threeFloats(j, "image_std", clip || c.type[0] == 'B' ? clipStd : c.image_std);
    for (float s : c.image_std)
        if (s == 0.0f) fail("{}: image_std has a zero entry (division by zero)", j.where());
    j.expectOneOf("do_convert_rgb", {true});  // the towers take RGB
    j.ignore({"processor_class", "feature_extractor_type", "image_processor_type"});
    j.finish();
    return c;
}

ImageProcessorConfig ImageProcessorConfig::load(const std::filesystem::path& file) {
    return fromJson(JsonConfig::load(file));
}

int ImageProcessorConfig::outputHeight() const { return do_center_crop ? crop_height : height; }
int ImageProcessorConfig::outputWidth() const { return do_center_crop ? crop_width : width; }

torch::Tensor preprocessImage(const cv::Mat& image, const ImageProcessorConfig& c) {
    if (image.empty() || image.depth() != CV_8U) fail("image processor: expected an 8-bit image");
    cv::Mat rgb;
    if (image.channels() == 1) cv::cvtColor(image, rgb, cv::COLOR_GRAY2RGB);
    else if (image.channels() == 3) cv::cvtColor(image, rgb, cv::COLOR_BGR2RGB);
    else if (image.channels() == 4) cv::cvtColor(image, rgb, cv::COLOR_BGRA2RGB);  // convert("RGB") drops alpha
    // (Images from files come through readImage, which composites alpha on white: the models see
    // what the artist sees, where transformers would see the colours under transparent pixels.)
    else fail("image processor: {} channels are not an image", image.channels());
    if (c.do_resize) {
        int height = c.height, width = c.width;
        if (c.shortest_edge > 0) {  // get_resize_output_image_size(default_to_square=False)
            const int shortSide = std::min(rgb.rows, rgb.cols), longSide = std::max(rgb.rows, rgb.cols);
            const int newLong = static_cast<int>(static_cast<double>(c.shortest_edge) * longSide / shortSide);
            height = rgb.rows <= rgb.cols ? c.shortest_edge : newLong;
            width = rgb.rows <= rgb.cols ? newLong : c.shortest_edge;
        }
        rgb = pilResize(rgb, width, height, c.resample);
    }
    if (c.do_center_crop) rgb = centerCrop(rgb, c.crop_height, c.crop_width);
    auto bytes = torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, {static_cast<int64_t>(rgb.step[0]), 3, 1}, torch::kUInt8);
    auto pixels = bytes.permute({2, 0, 1}).to(torch::kFloat64);
    if (c.do_rescale) pixels = pixels * c.rescale_factor;  // numpy: uint8 × float → float64, then float32
    pixels = pixels.to(torch::kFloat32);
    if (c.do_normalize) {
        auto mean = torch::tensor(c.image_mean).view({3, 1, 1}), std = torch::tensor(c.image_std).view({3, 1, 1});
        pixels = (pixels - mean) / std;
    }
    return pixels.unsqueeze(0).contiguous();
}

torch::Tensor preprocessImages(const std::vector<cv::Mat>& images, const ImageProcessorConfig& config) {
    std::vector<torch::Tensor> batch;
    for (const auto& image : images) batch.push_back(preprocessImage(image, config));
    return torch::cat(batch);
}

}  // namespace sa
