#pragma once
// The key layouts of LoRA files: one LoraNameTable per format (as stable-diffusion.cpp's
// name_conversion.cpp does for checkpoints). A key is an adapter stem plus a part suffix
// ("lora_unet_down_blocks_0_resnets_0_conv1" + ".lora_down.weight"); the table maps stems to the
// layers of the loaded networks. kohya stems are module paths with every '.' replaced by '_',
// which no string edit can invert ("down_blocks" vs "down.blocks"), so the tables are built
// forwards, from the networks' own layer paths.
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/models/lora.h"

namespace sa {

enum class LoraPart { Down, Up, Alpha };

struct LoraTarget {
    LoraNetwork network;
    std::string path;  // the layer's module path in that network
    bool operator==(const LoraTarget& other) const = default;
};

class LoraNameTable {
public:
    // Keys ending with `suffix` hold `part` of the adapter named by the rest. Longer suffixes win.
    void suffix(const std::string& suffix, LoraPart part);
    // `stem` names the adapter of `target`. A stem given for two different layers is ambiguous:
    // find() reports it as such.
    void layer(const std::string& stem, const LoraTarget& target);

    // The stem and part of `key`, or nothing when no suffix matches.
    std::optional<std::pair<std::string, LoraPart>> split(const std::string& key) const;
    const LoraTarget* find(const std::string& stem) const;
    bool ambiguous(const std::string& stem) const { return ambiguous_.count(stem) != 0; }

private:
    std::vector<std::pair<std::string, LoraPart>> suffixes_;  // longest first
    std::unordered_map<std::string, LoraTarget> layers_;
    std::set<std::string> ambiguous_;
};

// kohya / A1111: lora_unet_<path> in diffusers layout and in the original SGM / LDM layout
// (input_blocks / middle_block / output_blocks, through core/models/single_file_names.h), lora_te_
// (and lora_te1_) for the text encoder, lora_te2_ for SDXL's second one.
LoraNameTable kohyaLoraNames(const LoraNetworks& networks);
// The kohya stem this project writes for a layer (diffusers layout; lora_te_ for the first text
// encoder): the same rule kohyaLoraNames reads with.
std::string kohyaLoraStem(LoraNetwork network, const std::string& path);
// diffusers: unet.<path>, text_encoder.<path>, text_encoder_2.<path>, with the legacy attention
// processor names (…attn1.processor.to_q, …self_attn.to_q) as aliases.
LoraNameTable diffusersLoraNames(const LoraNetworks& networks);

}  // namespace sa
