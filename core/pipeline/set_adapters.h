#pragma once
// What a set asks of the model beyond its prompts (set.json "loras", "control", "panorama"), turned
// into model state and pipeline requests the same way for the CLI and the studio, so that reopening
// a set reproduces its pixels.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/io/image_set.h"
#include "core/pipeline/panorama.h"
#include "core/pipeline/style_aligned_pipeline.h"

namespace sa {

// Makes the model's LoRAs those of `loras`, in that order: weights and switches are set in place
// (no reload); a different list of files re-attaches them in order (the adapters' sum is then
// computed in the same order as a fresh load). A LoRA file that fails to load leaves the model's
// LoRAs as they were. `notes` receives warnings (keys a LoRA skipped with `allowUnmatched`).
void applyLoras(StableDiffusionModel& model, const std::vector<LoraEntry>& loras, bool allowUnmatched = false,
                std::vector<std::string>* notes = nullptr);

// Loaded ControlNets by path, kept between runs (a ControlNet is loaded once per model).
class ControlNetCache {
public:
    // The ControlNet at `path` for `model` (loaded, and checked against its UNet, on first use).
    const LoadedControlNet& get(const StableDiffusionModel& model, const std::filesystem::path& path);
    void clear() { loaded_.clear(); }

private:
    std::map<std::string, LoadedControlNet> loaded_;  // key: path + the model's folder
};

// The control maps of a set from its sources (8-bit images as read): Canny edges of each with the
// spec's thresholds, or the sources as they are ("map").
std::vector<cv::Mat> controlMaps(const ControlSpec& control, const std::vector<cv::Mat>& sources);

// The pipeline's control: the maps prepared at the set's size (one for every image, or one per image),
// scale, step range and mode. `notes` receives what was adapted (resized maps, channels).
ControlRequest controlRequest(const ControlSpec& control, const LoadedControlNet& net, const std::vector<cv::Mat>& maps,
                              int width, int height, std::vector<std::string>* notes = nullptr);

// A panorama set's runs: one PanoramaRequest per target, all with the set's reference prompt and the
// reference drawn from seeds[0] (so every panorama shares the same reference), each panorama from its
// own seed. `spec` must be resolved (requestFromSpec) and have a panorama.
std::vector<PanoramaRequest> panoramaRequests(const StableDiffusionModel& model, const ImageSetSpec& spec,
                                              const StyleAlignedRequest& request);

// Runs every panorama of the set (one PanoramaPipeline run per request, in order) and returns the
// set's images: the square reference (the same in every run, kept once), then each panorama.
// `onStep(part, event)` sees every step of run `part`.
using PanoramaSetCallback = std::function<void(int part, PanoramaStepEvent& event)>;
std::vector<cv::Mat> generatePanoramaSet(const std::shared_ptr<StableDiffusionModel>& model,
                                         const std::vector<PanoramaRequest>& requests,
                                         const PanoramaSetCallback& onStep = {}, const CancelToken* cancel = nullptr);

}  // namespace sa
