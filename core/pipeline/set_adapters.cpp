#include "core/pipeline/set_adapters.h"

#include <algorithm>

#include "core/common/error.h"
#include "core/io/control_image.h"
#include "core/io/image.h"

namespace sa {

void applyLoras(StableDiffusionModel& model, const std::vector<LoraEntry>& loras, bool allowUnmatched,
                std::vector<std::string>* notes) {
    const auto& attached = model.loras();
    const bool sameFiles = std::equal(attached.begin(), attached.end(), loras.begin(), loras.end(),
                                      [](const AttachedLora& a, const LoraEntry& e) { return a.path == e.file; });
    if (!sameFiles) {
        // Read every new file before touching the model: a bad one leaves the LoRAs in use as they were.
        const auto before = model.loras();
        model.removeAllLoras();
        try {
            for (const auto& entry : loras) {
                const auto lora = model.addLora(entry.file, entry.weight, {.allowUnmatched = allowUnmatched});
                if (notes && !lora.unmatched.empty())
                    notes->push_back(fmt::format("{}: {} keys match no layer and were skipped (first: {})",
                                                 entry.file, lora.unmatched.size(), lora.unmatched.front()));
            }
        } catch (...) {
            model.removeAllLoras();
            for (const auto& old : before) {
                model.addLora(old.path, old.weight, {.allowUnmatched = !old.unmatched.empty()}, old.name);
                model.setLoraEnabled(old.name, old.enabled);
            }
            throw;
        }
    }
    for (size_t i = 0; i < loras.size(); ++i) {
        const auto& name = model.loras()[i].name;
        model.setLoraWeight(name, loras[i].weight);
        model.setLoraEnabled(name, loras[i].enabled);
    }
}

const LoadedControlNet& ControlNetCache::get(const StableDiffusionModel& model, const std::filesystem::path& path) {
    const auto key = path.string() + "\n" + model.folder.string();
    auto found = loaded_.find(key);
    if (found == loaded_.end()) {
        loaded_.clear();  // one ControlNet at a time: they are as large as the UNet's encoder half
        found = loaded_.emplace(key, loadControlNet(path, model.unet->config(), model.device, model.dtype)).first;
    }
    return found->second;
}

std::vector<cv::Mat> controlMaps(const ControlSpec& control, const std::vector<cv::Mat>& sources) {
    if (control.kind == "map") return sources;
    std::vector<cv::Mat> maps;
    for (const auto& source : sources) maps.push_back(cannyEdges(source, control.low, control.high));
    return maps;
}

ControlRequest controlRequest(const ControlSpec& control, const LoadedControlNet& net, const std::vector<cv::Mat>& maps,
                              int width, int height, std::vector<std::string>* notes) {
    ControlRequest request;
    request.net = net.net;
    request.images = controlImagesTensor(maps, width, height, notes);
    request.scale = control.scale;
    request.start = control.start;
    request.end = control.end;
    request.mode = control.mode == "targets-only" ? ControlMode::TargetsOnly : ControlMode::EveryImage;
    request.label = net.source.string();
    return request;
}

std::vector<PanoramaRequest> panoramaRequests(const StableDiffusionModel& model, const ImageSetSpec& spec,
                                              const StyleAlignedRequest& request) {
    if (!spec.panorama) fail("the set has no panorama");
    const auto& p = *spec.panorama;
    std::vector<PanoramaRequest> requests;
    for (size_t i = 0; i < spec.targets.size(); ++i) {
        PanoramaRequest r;
        r.referencePrompt = spec.referencePrompt;
        r.prompt = spec.targets[i];
        r.negativePrompt = spec.negativePrompt;
        r.steps = spec.steps;
        r.guidanceScale = spec.guidance;
        r.height = spec.height;
        r.width = p.width;
        r.window = p.window;
        r.stride = p.stride;
        r.circularPadding = p.circular;
        r.viewBatchSize = p.viewBatch;
        r.seed = spec.seeds.front();
        // The panorama's own noise from its image's seed (the reference's stays seeds[0] in every run).
        GenerationRequest noise;
        noise.height = spec.height;
        noise.width = p.width;
        noise.seeds = {spec.seeds.at(i + 1)};
        r.initLatents = seededLatents(model, noise);
        r.plan = request.plan;
        r.vaeTiling = request.generation.vaeTiling;
        requests.push_back(std::move(r));
    }
    return requests;
}

std::vector<cv::Mat> generatePanoramaSet(const std::shared_ptr<StableDiffusionModel>& model,
                                         const std::vector<PanoramaRequest>& requests, const PanoramaSetCallback& onStep,
                                         const CancelToken* cancel) {
    std::vector<cv::Mat> images;
    for (size_t i = 0; i < requests.size(); ++i) {
        const int part = static_cast<int>(i);
        auto result = PanoramaPipeline(model).generate(
            requests[i], [&](PanoramaStepEvent& e) { if (onStep) onStep(part, e); }, cancel);
        if (i == 0) images.push_back(tensorToImage(result.referenceImage[0]));
        images.push_back(tensorToImage(result.image[0]));
    }
    return images;
}

}  // namespace sa
