#include "core/models/lora.h"

#include <algorithm>
#include <unordered_map>

#include "core/common/error.h"
#include "core/io/state_dict.h"
#include "core/models/lora_names.h"

namespace sa {

const char* loraNetworkName(LoraNetwork network) {
    switch (network) {
        case LoraNetwork::Unet: return "UNet";
        case LoraNetwork::TextEncoder: return "text encoder";
        case LoraNetwork::TextEncoder2: return "text encoder 2";
    }
    return "?";
}

const char* loraFormatName(LoraFormat format) { return format == LoraFormat::Kohya ? "kohya" : "diffusers"; }

torch::nn::Module* LoraNetworks::network(LoraNetwork which) const {
    switch (which) {
        case LoraNetwork::Unet: return unet;
        case LoraNetwork::TextEncoder: return textEncoder;
        case LoraNetwork::TextEncoder2: return textEncoder2;
    }
    return nullptr;
}

std::vector<std::pair<std::string, AdaptableLayer*>> adaptableLayers(torch::nn::Module& network) {
    std::vector<std::pair<std::string, AdaptableLayer*>> layers;
    for (const auto& item : network.named_modules("", /*include_self=*/false))
        if (auto* layer = dynamic_cast<AdaptableLayer*>(item.value().get())) layers.emplace_back(item.key(), layer);
    return layers;
}

AdaptableLayer& adaptableLayer(const LoraNetworks& networks, LoraNetwork network, const std::string& path) {
    if (auto* module = networks.network(network))
        for (const auto& [name, layer] : adaptableLayers(*module))
            if (name == path) return *layer;
    fail("the {} has no Linear or Conv2d layer '{}'", loraNetworkName(network), path);
}

namespace {

bool startsWithAny(const std::string& key, std::initializer_list<const char*> prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(), [&](const char* p) { return key.starts_with(p); });
}

LoraFormat detectFormat(const SafetensorsFile& file) {
    const auto& tensors = file.tensors();
    auto any = [&](std::initializer_list<const char*> prefixes) {
        return std::any_of(tensors.begin(), tensors.end(), [&](const auto& t) { return startsWithAny(t.name, prefixes); });
    };
    if (any({"lora_unet_", "lora_te_", "lora_te1_", "lora_te2_"})) return LoraFormat::Kohya;
    if (any({"unet.", "text_encoder.", "text_encoder_2."})) return LoraFormat::Diffusers;
    std::vector<std::string> first;
    for (size_t i = 0; i < std::min<size_t>(tensors.size(), 3); ++i) first.push_back(tensors[i].name);
    fail("{}: not a LoRA file: no key starts with lora_unet_ / lora_te_ (kohya) or unet. / text_encoder. (diffusers){}",
         file.path().string(), first.empty() ? std::string(" (the file holds no tensors)")
                                             : fmt::format("; its keys begin {}", fmt::join(first, ", ")));
}

const char* familyOfWidth(int64_t width) {
    switch (width) {
        case 768: return "SD 1.x";
        case 1024: return "SD 2.x";
        case 2048: return "SDXL";
        default: return nullptr;
    }
}

// Both are said of the same model kind (an unknown "SD" fits SD 1.x and SD 2.x).
bool sameFamily(const std::string& lora, const std::string& model) {
    if (lora == model) return true;
    return model == "SD" && lora != "SDXL";
}

struct AdapterKeys {
    std::string down, up, alpha;
};

std::string& slotOf(AdapterKeys& keys, LoraPart part) {
    return part == LoraPart::Down ? keys.down : part == LoraPart::Up ? keys.up : keys.alpha;
}

// down [r, in, …kernel] and up [out, r, 1, 1…] against the layer's weight [out, in, …kernel].
bool fits(const std::vector<int64_t>& down, const std::vector<int64_t>& up, c10::IntArrayRef weight) {
    const auto dims = weight.size();
    if (down.size() != dims || up.size() != dims || down[0] <= 0) return false;
    if (!std::equal(down.begin() + 1, down.end(), weight.begin() + 1)) return false;
    if (up[0] != weight[0] || up[1] != down[0]) return false;
    return std::all_of(up.begin() + 2, up.end(), [](int64_t s) { return s == 1; });
}

std::unordered_map<std::string, AdaptableLayer*> layerIndex(torch::nn::Module* network) {
    std::unordered_map<std::string, AdaptableLayer*> index;
    if (network)
        for (const auto& [path, layer] : adaptableLayers(*network)) index.emplace(path, layer);
    return index;
}

}  // namespace

std::optional<LoraFamilyGuess> guessLoraFamily(const SafetensorsFile& file) {
    for (const auto& t : file.tensors())
        if (startsWithAny(t.name, {"lora_te2_", "text_encoder_2."}))
            return LoraFamilyGuess{"SDXL", fmt::format("it has weights for SDXL's second text encoder: {}", t.name)};
    // The cross-attention key projection reads the text embeddings: its down weight's in-features.
    for (const auto& t : file.tensors()) {
        const bool crossKey = t.name.find("attn2_to_k.lora_down") != std::string::npos ||
                              t.name.find("attn2.to_k.lora.down") != std::string::npos ||
                              t.name.find("attn2.to_k.lora_A") != std::string::npos ||
                              t.name.find("attn2.processor.to_k_lora.down") != std::string::npos;
        if (crossKey && t.shape.size() == 2)
            if (const char* family = familyOfWidth(t.shape[1]))
                return LoraFamilyGuess{family, fmt::format("its cross-attention reads {}-wide text embeddings: {}",
                                                           t.shape[1], t.name)};
    }
    const auto& meta = file.metadata();
    if (const auto it = meta.find("ss_base_model_version"); it != meta.end()) {
        const auto& v = it->second;
        const char* family = v.starts_with("sdxl") ? "SDXL" : v.starts_with("sd_v1") ? "SD 1.x"
                           : v.starts_with("sd_v2")  ? "SD 2.x" : nullptr;
        if (family) return LoraFamilyGuess{family, fmt::format("its metadata says ss_base_model_version {}", v)};
    }
    if (const auto it = meta.find("modelspec.architecture"); it != meta.end()) {
        const auto& v = it->second;
        const char* family = v.starts_with("stable-diffusion-xl") ? "SDXL" : v.starts_with("stable-diffusion-v1") ? "SD 1.x"
                           : v.starts_with("stable-diffusion-v2") ? "SD 2.x" : nullptr;
        if (family) return LoraFamilyGuess{family, fmt::format("its metadata says modelspec.architecture {}", v)};
    }
    return std::nullopt;
}

LoraFile readLora(const std::filesystem::path& given, const LoraNetworks& networks, const LoraReadOptions& options) {
    auto path = std::filesystem::is_directory(given) ? findWeightsFile(given, {"pytorch_lora_weights.safetensors"}) : given;
    auto extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    if (extension == ".bin" || extension == ".ckpt" || extension == ".pt" || extension == ".pth") refusePickle(path);
    const auto file = SafetensorsFile::open(path);

    LoraFile out;
    out.path = path;
    out.metadata = file->metadata();
    out.format = detectFormat(*file);
    const auto where = path.string();
    const auto guess = guessLoraFamily(*file);
    const bool otherFamily = guess && !sameFamily(guess->family, networks.family);
    // SDXL against SD 1.x / 2.x differs in every width and in the second text encoder: say so first.
    if (otherFamily && (guess->family == "SDXL" || networks.family == "SDXL"))
        fail("{}: this LoRA is for {} ({}); the model is {}", where, guess->family, guess->reason, networks.family);

    const auto names = out.format == LoraFormat::Kohya ? kohyaLoraNames(networks) : diffusersLoraNames(networks);
    LoadReport report;
    std::vector<std::string> unmatched;
    std::map<std::string, AdapterKeys> adapters;  // by stem
    for (const auto& t : file->tensors()) {
        const auto split = names.split(t.name);
        if (!split || !names.find(split->first)) {
            unmatched.push_back(split && names.ambiguous(split->first) ? t.name + " (names two layers)" : t.name);
            continue;
        }
        auto& slot = slotOf(adapters[split->first], split->second);
        if (!slot.empty()) report.unexpected.push_back(fmt::format("{} (repeats {})", t.name, slot));
        else slot = t.name;
    }

    std::map<LoraNetwork, std::unordered_map<std::string, AdaptableLayer*>> layers;
    for (const auto& [stem, keys] : adapters) {
        const auto& target = *names.find(stem);
        if (keys.down.empty() || keys.up.empty()) {
            report.missing.push_back(fmt::format("{}: {} weight without its {} weight", stem, keys.down.empty() ? "up" : "down",
                                                 keys.down.empty() ? "down" : "up"));
            continue;
        }
        auto& index = layers[target.network];
        if (index.empty()) index = layerIndex(networks.network(target.network));
        const auto& weight = index.at(target.path)->baseWeight();
        const auto& down = file->info(keys.down).shape;
        const auto& up = file->info(keys.up).shape;
        if (!fits(down, up, weight.sizes())) {
            report.misshaped.push_back(fmt::format("{}: down [{}] and up [{}] do not fit the {} layer {} [{}]", stem,
                                                   fmt::join(down, ", "), fmt::join(up, ", "),
                                                   loraNetworkName(target.network), target.path, fmt::join(weight.sizes(), ", ")));
            continue;
        }
        double factor = 1.0;
        if (!keys.alpha.empty()) {
            const auto alpha = file->tensor(keys.alpha);
            if (alpha.numel() != 1) {
                report.misshaped.push_back(fmt::format("{}: [{}] is not one number", keys.alpha, fmt::join(alpha.sizes(), ", ")));
                continue;
            }
            factor = alpha.to(torch::kFloat64).item<double>() / static_cast<double>(down[0]);
        }
        out.layers.push_back({target.network, target.path, stem, file->tensor(keys.down), file->tensor(keys.up), factor});
    }

    if (options.allowUnmatched) out.unmatched = unmatched;
    else report.unexpected.insert(report.unexpected.begin(), unmatched.begin(), unmatched.end());
    const auto note = otherFamily ? fmt::format("; this looks like a LoRA for {} ({})", guess->family, guess->reason) : "";
    if (!report.ok())
        fail("{}: this {} LoRA does not fit the model ({}){}{}:{}", where, loraFormatName(out.format), networks.family,
             note, report.unexpected.empty() ? "" : " (unexpected: keys that match no layer)", report.describe(20));
    if (out.layers.empty())
        fail("{}: no key of this {} LoRA matches a layer of the model ({}){}; keys begin {}", where,
             loraFormatName(out.format), networks.family, note,
             fmt::join(unmatched.begin(), unmatched.begin() + std::min<long>(3, static_cast<long>(unmatched.size())), ", "));
    return out;
}

void attachLora(const LoraFile& file, const LoraNetworks& networks, std::shared_ptr<const double> scale) {
    // Every layer is found before any adapter is added, so a failure leaves the model as it was.
    std::map<LoraNetwork, std::unordered_map<std::string, AdaptableLayer*>> index;
    std::vector<AdaptableLayer*> targets;
    for (const auto& l : file.layers) {
        auto& layers = index[l.network];
        if (layers.empty()) layers = layerIndex(networks.network(l.network));
        const auto it = layers.find(l.path);
        if (it == layers.end())
            fail("{}: the {} has no layer {} (for {})", file.path.string(), loraNetworkName(l.network), l.path, l.fileStem);
        targets.push_back(it->second);
    }
    for (size_t i = 0; i < targets.size(); ++i) {
        const auto& l = file.layers[i];
        const auto& w = targets[i]->baseWeight();
        targets[i]->adapters.push_back({l.down.to(w.device(), w.scalar_type()), l.up.to(w.device(), w.scalar_type()),
                                        l.factor, scale});
    }
}

void saveKohyaLora(const std::filesystem::path& path, const std::vector<LoraLayer>& layers,
                   const std::map<std::string, std::string>& metadata, torch::ScalarType dtype) {
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& l : layers) {
        const auto stem = kohyaLoraStem(l.network, l.path);
        if (tensors.count(stem + ".alpha")) fail("{}: two adapters for the {} layer {}", path.string(), loraNetworkName(l.network), l.path);
        tensors[stem + ".lora_down.weight"] = l.down.detach().to(torch::kCPU, dtype);
        tensors[stem + ".lora_up.weight"] = l.up.detach().to(torch::kCPU, dtype);
        tensors[stem + ".alpha"] = torch::tensor(static_cast<float>(l.factor * static_cast<double>(l.down.size(0))));
    }
    saveSafetensors(path, tensors, metadata);
}

void detachLora(const LoraNetworks& networks, const double* scale) {
    for (auto which : {LoraNetwork::Unet, LoraNetwork::TextEncoder, LoraNetwork::TextEncoder2})
        if (auto* network = networks.network(which))
            for (const auto& [path, layer] : adaptableLayers(*network))
                std::erase_if(layer->adapters, [&](const LowRankAdapter& a) { return a.scale.get() == scale; });
}

}  // namespace sa
