#include "core/models/hub_folder.h"

#include <fstream>

#include "core/io/state_dict.h"

namespace sa {
namespace fs = std::filesystem;
namespace {

std::string architectureLabel(const std::string& arch) {
    struct Known {
        const char* prefix;
        const char* label;
    };
    static const Known known[] = {
        {"BlipForConditionalGeneration", "a BLIP captioner"},
        {"BlipForImageTextRetrieval", "a BLIP image-text retrieval model (no captioning decoder)"},
        {"BlipForQuestionAnswering", "a BLIP question-answering model"},
        {"Blip2", "a BLIP-2 model"},
        {"CLIPModel", "a CLIP model"},
        {"CLIPVisionModel", "a CLIP image tower"},
        {"CLIPTextModel", "a CLIP text encoder"},
        {"ViT", "a ViT (DINO) image model"},
        {"Dinov2", "a DINOv2 model"},
        {"Bert", "a BERT text model"},
        {"UNet2DConditionModel", "a Stable Diffusion UNet"},
        {"AutoencoderKL", "a VAE"},
    };
    for (const auto& k : known)
        if (arch.rfind(k.prefix, 0) == 0) return k.label;
    return "a model";
}

}  // namespace

std::string describeModelFolder(const fs::path& folder) {
    std::error_code ec;
    if (!fs::exists(folder, ec)) return "nothing (the folder does not exist)";
    if (!fs::is_directory(folder, ec)) return "a file, not a folder";
    if (fs::exists(folder / "model_index.json")) return "a Stable Diffusion pipeline (model_index.json)";
    if (!fs::exists(folder / "config.json")) return "no model (no config.json)";
    try {
        std::ifstream in(folder / "config.json");
        const auto json = nlohmann::json::parse(in);
        if (json.contains("_class_name") && json["_class_name"].is_string()) {
            const auto name = json["_class_name"].get<std::string>();
            return fmt::format("{} ({})", architectureLabel(name), name);
        }
        if (json.contains("architectures") && json["architectures"].is_array() && !json["architectures"].empty() &&
            json["architectures"][0].is_string()) {
            const auto arch = json["architectures"][0].get<std::string>();
            return fmt::format("{} ({})", architectureLabel(arch), arch);
        }
        if (json.contains("model_type") && json["model_type"].is_string())
            return fmt::format("a model of type '{}'", json["model_type"].get<std::string>());
    } catch (const std::exception&) {
        return "a config.json that is not valid JSON";
    }
    return "a config.json without architectures";
}

JsonConfig openModelConfig(const fs::path& folder, const std::vector<std::string>& accepted, const std::string& expected) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) fail("{}: not a folder; expected {}", folder.string(), expected);
    if (!fs::exists(folder / "config.json") || fs::exists(folder / "model_index.json"))
        fail("{}: this folder holds {}; expected {}", folder.string(), describeModelFolder(folder), expected);
    auto config = JsonConfig::load(folder / "config.json");
    const auto archs = config.json().value("architectures", nlohmann::json::array());
    bool found = false;
    if (archs.is_array())
        for (const auto& a : archs)
            found = found || (a.is_string() && std::find(accepted.begin(), accepted.end(), a.get<std::string>()) != accepted.end());
    if (!found) fail("{}: this folder holds {}; expected {}", folder.string(), describeModelFolder(folder), expected);
    return config;
}

std::shared_ptr<const SafetensorsFile> openHubWeights(const fs::path& folder, const std::string& what) {
    if (fs::exists(folder / "model.safetensors.index.json") && !fs::exists(folder / "model.safetensors"))
        fail("{}: sharded weights (model.safetensors.index.json) are not supported for {}; save the model as one "
             "model.safetensors",
             folder.string(), what);
    return SafetensorsFile::open(findWeightsFile(folder, {"model.safetensors"}));
}

void loadHubWeights(torch::nn::Module& module, const SafetensorsFile& file, const NameTable& names, const std::string& what,
                    torch::Device device) {
    loadMapped(module, file, names, what + " weights do not match " + (file.path().parent_path() / "config.json").string());
    module.to(device);
    module.eval();
    for (auto& p : module.parameters()) p.set_requires_grad(false);
}

fs::path requireFile(const fs::path& folder, const std::string& name, const std::string& purpose) {
    auto path = folder / name;
    if (!fs::exists(path)) fail("{}: {} is missing ({})", folder.string(), name, purpose);
    return path;
}

}  // namespace sa
