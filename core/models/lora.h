#pragma once
// LoRA files read into low-rank adapters on the networks' Linear / Conv2d layers
// (core/models/layers.h), as diffusers v0.25 load_lora_weights does on its legacy (non-PEFT) path:
// each adapted layer computes W·x + scale · (alpha / rank) · up(down(x)).
//
// Formats (safetensors only; key layouts in core/models/lora_names.h):
//   kohya / A1111 (LoRA and LoCon)  lora_unet_<layer path, '.'→'_'> (diffusers or original SGM
//                                   layout), lora_te_ / lora_te1_ / lora_te2_; .lora_down.weight,
//                                   .lora_up.weight, .alpha
//   diffusers                       unet.<layer>.lora.{down,up}.weight,
//                                   text_encoder[_2].<layer>.lora_linear_layer.{down,up}.weight,
//                                   the older …processor.to_q_lora.{down,up}.weight, and PEFT's
//                                   .lora_A.weight / .lora_B.weight; .alpha where stored
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/io/safetensors.h"
#include "core/models/clip_text_model.h"
#include "core/models/layers.h"
#include "core/models/unet_2d_condition.h"

namespace sa {

enum class LoraNetwork { Unet, TextEncoder, TextEncoder2 };
const char* loraNetworkName(LoraNetwork network);  // "UNet", "text encoder", "text encoder 2"

// The networks a LoRA can reach; a null one has no layers to adapt.
struct LoraNetworks {
    UNet2DConditionModelImpl* unet = nullptr;
    CLIPTextModelImpl* textEncoder = nullptr;
    CLIPTextModelImpl* textEncoder2 = nullptr;  // SDXL
    std::string family;  // the model's family in words ("SD 1.x", "SD 2.x", "SDXL"; "SD" when unknown)

    torch::nn::Module* network(LoraNetwork which) const;
};

// Every layer of `network` that takes adapters, by module path ("down_blocks.0.resnets.0.conv1").
std::vector<std::pair<std::string, AdaptableLayer*>> adaptableLayers(torch::nn::Module& network);
// The layer at `path`, or an error naming the network and the path.
AdaptableLayer& adaptableLayer(const LoraNetworks& networks, LoraNetwork network, const std::string& path);

enum class LoraFormat { Kohya, Diffusers };
const char* loraFormatName(LoraFormat format);  // "kohya", "diffusers"

// One adapted layer as the file stores it (the file's dtype; cast when attached).
struct LoraLayer {
    LoraNetwork network = LoraNetwork::Unet;
    std::string path;      // the layer's module path in its network
    std::string fileStem;  // the file's key without the part suffix, for messages
    torch::Tensor down;    // [r, in] or [r, in, kh, kw]
    torch::Tensor up;      // [out, r] or [out, r, 1, 1]
    double factor = 1.0;   // alpha / r; 1 without an alpha
};

struct LoraFile {
    std::filesystem::path path;
    LoraFormat format = LoraFormat::Kohya;
    std::vector<LoraLayer> layers;
    std::vector<std::string> unmatched;  // keys that reach no layer (kept only with allowUnmatched)
    std::map<std::string, std::string> metadata;
};

struct LoraReadOptions {
    // Keys that match no layer are returned in LoraFile::unmatched (for a warning) while the rest
    // loads, instead of failing. Shape errors still fail, and so does a file of which nothing matches.
    bool allowUnmatched = false;
};

// Reads `path` (a .safetensors file, or a folder holding pytorch_lora_weights.safetensors) for
// these networks and checks it whole before returning: keys that match no layer (all listed in
// one error), a down without its up, shapes that do not fit the layer, a LoRA made for another
// family (said in words). Pickle files are refused.
LoraFile readLora(const std::filesystem::path& path, const LoraNetworks& networks, const LoraReadOptions& options = {});

// What family a LoRA file was made for, with the evidence ("SDXL", "it has lora_te2_ keys for
// SDXL's second text encoder"), from its keys, its metadata or its cross-attention width.
struct LoraFamilyGuess {
    std::string family;
    std::string reason;
};
std::optional<LoraFamilyGuess> guessLoraFamily(const SafetensorsFile& file);

// Adds one adapter per layer of `file`, cast to the layer's dtype and device, reading `scale`.
void attachLora(const LoraFile& file, const LoraNetworks& networks, std::shared_ptr<const double> scale);
// Writes `layers` as a kohya / A1111 file (lora_unet_ / lora_te_ stems, .lora_down.weight,
// .lora_up.weight and .alpha = factor · rank), the format most front ends read; `dtype` for the
// weights (fp16 for shipping).
void saveKohyaLora(const std::filesystem::path& path, const std::vector<LoraLayer>& layers,
                   const std::map<std::string, std::string>& metadata = {}, torch::ScalarType dtype = torch::kFloat16);
// Removes the adapters that read `scale` from every layer of the networks.
void detachLora(const LoraNetworks& networks, const double* scale);

}  // namespace sa
