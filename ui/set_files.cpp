#include "ui/set_files.h"

#include <filesystem>

#include <fmt/format.h>

#include "core/common/error.h"
#include "core/io/control_image.h"
#include "core/io/image.h"
#include "ui/image_convert.h"

namespace fs = std::filesystem;

namespace sa::ui {

LoadedSet loadSet(const QString& setJson) {
    LoadedSet set;
    const fs::path file = setJson.toStdString();
    set.spec = ImageSetSpec::load(file);
    set.folder = QString::fromStdString(file.parent_path().string());
    const auto folder = file.parent_path();
    if (!set.spec.referenceImage.empty()) set.reference = readImage(folder / set.spec.referenceImage);
    if (!set.spec.images.empty() && set.spec.images.size() != set.spec.allPrompts().size())
        fail("{}: {} images listed for {} prompts", file.string(), set.spec.images.size(), set.spec.allPrompts().size());
    for (const auto& name : set.spec.images)
        set.images.push_back(fs::exists(folder / name) ? readImage(folder / name) : cv::Mat());
    if (set.spec.control) {  // names in the set's folder (absolute paths stay as they are)
        for (auto& name : set.spec.control->images) {
            const auto path = (folder / name).lexically_normal();
            set.controlSources.push_back(readControlImage(path).image);
            name = path.string();
        }
    }
    return set;
}

std::vector<std::string> exportSet(const QString& folderName, ImageSetSpec spec, const cv::Mat& reference,
                                   const std::vector<cv::Mat>& images, const std::vector<std::pair<int, QImage>>& attentionMaps,
                                   const std::vector<cv::Mat>& controlSources) {
    const fs::path folder = folderName.toStdString();
    std::vector<std::string> written;
    fs::create_directories(folder);
    if (!reference.empty()) {
        spec.referenceImage = "reference.png";
        writeImage(folder / spec.referenceImage, reference);
        written.push_back((folder / spec.referenceImage).string());
    } else {
        spec.referenceImage.clear();
    }
    if (spec.control) {  // the control images beside the set, as the CLI writes them
        if (controlSources.size() != spec.control->images.size())
            fail("{}: {} control images for {} in the set", folder.string(), controlSources.size(), spec.control->images.size());
        for (size_t i = 0; i < controlSources.size(); ++i) {
            spec.control->images[i] = fmt::format("control_{:02d}.png", i);
            writeImage(folder / spec.control->images[i], controlSources[i]);
            written.push_back((folder / spec.control->images[i]).string());
        }
    }
    for (const auto& file : writeImageSet(folder, spec, images, spec.panorama ? 1 : 0)) written.push_back(file.string());
    for (const auto& [index, map] : attentionMaps) {
        const auto file = folder / fmt::format("attention_{:02d}.png", index);
        writeImage(file, toMat(map));
        written.push_back(file.string());
    }
    return written;
}

std::vector<std::string> exportImages(const QString& folderName, const std::vector<std::pair<int, cv::Mat>>& images) {
    const fs::path folder = folderName.toStdString();
    fs::create_directories(folder);
    std::vector<std::string> written;
    for (const auto& [index, image] : images) {
        const auto file = folder / fmt::format("image_{:02d}.png", index);
        writeImage(file, image);
        written.push_back(file.string());
    }
    return written;
}

}  // namespace sa::ui
