#pragma once
// set.json: every setting needed to reproduce a style-aligned set, written next to its images
// by the CLI and the studio (same format), and read back by both.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace sa {

struct ImageSetSpec {
    std::string model;                 // model folder or single file as given
    nlohmann::json modelOptions = nlohmann::json::object();  // a single file's load options (modelOptionsToJson)
    std::string referenceImage;        // file name inside the set folder ("" = text mode)
    std::string referencePrompt;       // prompt of image 0 (the caption in image mode)
    std::vector<std::string> targets;  // prompts of the new images, as sent to the model
    std::string negativePrompt;
    std::vector<uint64_t> seeds;       // one per image, reference first
    int steps = 50;
    double guidance = 7.5;
    int height = 0, width = 0;
    int offset = 5;
    double inversionGuidance = 2.0;
    nlohmann::json plan;               // LayerPlan::toJson()
    std::string vaeTiling = "off";     // VAE tiling: "auto", "on", "off" (sets saved before it had none: off)
    int vaeTileSize = 0;               // its tile side in pixels; 0: the VAE's sample_size
    std::vector<std::string> images;   // file names, reference first
    std::string grid;

    std::vector<std::string> allPrompts() const;  // reference prompt, then targets
    nlohmann::json toJson() const;
    static ImageSetSpec fromJson(const nlohmann::json& json, const std::string& where);
    static ImageSetSpec load(const std::filesystem::path& file);
};

// Writes image_NN.png, grid.png and set.json into `folder` (created), each file atomically; the
// spec's image/grid names are filled in. Returns the paths written.
std::vector<std::filesystem::path> writeImageSet(const std::filesystem::path& folder, ImageSetSpec& spec,
                                                 const std::vector<cv::Mat>& images, int gridColumns = 0);

}  // namespace sa
