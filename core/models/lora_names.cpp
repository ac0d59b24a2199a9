#include "core/models/lora_names.h"

#include <algorithm>

#include "core/models/single_file_names.h"

namespace sa {

void LoraNameTable::suffix(const std::string& suffix, LoraPart part) {
    suffixes_.emplace_back(suffix, part);
    std::stable_sort(suffixes_.begin(), suffixes_.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

void LoraNameTable::layer(const std::string& stem, const LoraTarget& target) {
    const auto [it, inserted] = layers_.emplace(stem, target);
    if (!inserted && !(it->second == target)) ambiguous_.insert(stem);
}

std::optional<std::pair<std::string, LoraPart>> LoraNameTable::split(const std::string& key) const {
    for (const auto& [suffix, part] : suffixes_)
        if (key.size() > suffix.size() && key.ends_with(suffix))
            return std::pair{key.substr(0, key.size() - suffix.size()), part};
    return std::nullopt;
}

const LoraTarget* LoraNameTable::find(const std::string& stem) const {
    if (ambiguous(stem)) return nullptr;
    const auto it = layers_.find(stem);
    return it == layers_.end() ? nullptr : &it->second;
}

namespace {

std::string underscored(std::string path) {
    std::replace(path.begin(), path.end(), '.', '_');
    return path;
}

// `prefix` + each adaptable layer's path as `rename` writes it (nothing: no alias for that layer).
template <typename Rename>
void addLayers(LoraNameTable& table, const LoraNetworks& networks, LoraNetwork network, const std::string& prefix,
               Rename rename) {
    auto* module = networks.network(network);
    if (!module) return;
    for (const auto& [path, layer] : adaptableLayers(*module))
        if (const std::optional<std::string> name = rename(path)) table.layer(prefix + *name, {network, path});
}

std::optional<std::string> samePath(const std::string& path) { return path; }

// `path` with its tail `from` replaced by `to`, for the first pair whose `from` ends it
// ("…attn1.to_out.0" → "…attn1.processor.to_out"); nothing when none does.
std::optional<std::string> renamedTail(const std::string& path,
                                       std::initializer_list<std::pair<const char*, const char*>> tails) {
    for (const auto& [from, to] : tails)
        if (path.ends_with(from)) return path.substr(0, path.size() - std::string(from).size()) + to;
    return std::nullopt;
}

}  // namespace

LoraNameTable kohyaLoraNames(const LoraNetworks& networks) {
    LoraNameTable t;
    t.suffix(".lora_down.weight", LoraPart::Down);
    t.suffix(".lora_up.weight", LoraPart::Up);
    t.suffix(".alpha", LoraPart::Alpha);
    for (const auto network : {LoraNetwork::Unet, LoraNetwork::TextEncoder, LoraNetwork::TextEncoder2})
        if (auto* module = networks.network(network))
            for (const auto& [path, layer] : adaptableLayers(*module)) t.layer(kohyaLoraStem(network, path), {network, path});
    if (networks.unet) {
        // sd-scripts names SDXL's UNet layers by the original SGM module paths.
        const auto sgm = unetNameTable(networks.unet->config(), "");
        addLayers(t, networks, LoraNetwork::Unet, "lora_unet_", [&](const std::string& p) -> std::optional<std::string> {
            const auto source = sgm.find(p + ".weight");
            if (!source || !source->key.ends_with(".weight")) return std::nullopt;
            return underscored(source->key.substr(0, source->key.size() - 7));
        });
    }
    addLayers(t, networks, LoraNetwork::TextEncoder, "lora_te1_", [](const std::string& p) { return underscored(p); });
    return t;
}

std::string kohyaLoraStem(LoraNetwork network, const std::string& path) {
    const char* prefix = network == LoraNetwork::Unet ? "lora_unet_" : network == LoraNetwork::TextEncoder ? "lora_te_" : "lora_te2_";
    return prefix + underscored(path);
}

LoraNameTable diffusersLoraNames(const LoraNetworks& networks) {
    LoraNameTable t;
    t.suffix(".lora.down.weight", LoraPart::Down);  // LoRACompatibleLinear / Conv (save_lora_weights)
    t.suffix(".lora.up.weight", LoraPart::Up);
    t.suffix(".lora_linear_layer.down.weight", LoraPart::Down);  // PatchedLoraProjection (text encoders)
    t.suffix(".lora_linear_layer.up.weight", LoraPart::Up);
    t.suffix("_lora.down.weight", LoraPart::Down);  // attention processors (diffusers < 0.18)
    t.suffix("_lora.up.weight", LoraPart::Up);
    t.suffix(".lora_A.weight", LoraPart::Down);  // PEFT
    t.suffix(".lora_B.weight", LoraPart::Up);
    t.suffix(".alpha", LoraPart::Alpha);
    const std::pair<LoraNetwork, const char*> prefixes[] = {{LoraNetwork::Unet, "unet."},
                                                            {LoraNetwork::TextEncoder, "text_encoder."},
                                                            {LoraNetwork::TextEncoder2, "text_encoder_2."}};
    for (const auto& [network, prefix] : prefixes) addLayers(t, networks, network, prefix, samePath);
    addLayers(t, networks, LoraNetwork::Unet, "unet.", [](const std::string& p) {
        return renamedTail(p, {{".to_q", ".processor.to_q"}, {".to_k", ".processor.to_k"},
                               {".to_v", ".processor.to_v"}, {".to_out.0", ".processor.to_out"}});
    });
    for (const auto& [network, prefix] : prefixes) {
        if (network == LoraNetwork::Unet) continue;
        addLayers(t, networks, network, prefix, [](const std::string& p) {
            return renamedTail(p, {{"self_attn.q_proj", "self_attn.to_q"}, {"self_attn.k_proj", "self_attn.to_k"},
                                   {"self_attn.v_proj", "self_attn.to_v"}, {"self_attn.out_proj", "self_attn.to_out"}});
        });
    }
    return t;
}

}  // namespace sa
