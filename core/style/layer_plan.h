#pragma once
// The per-layer plan of StyleAligned (beyond the reference): for every self-attention layer,
// by diffusers path, whether and how strongly it borrows the reference's style.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/style/style_aligned_args.h"

namespace sa {

struct LayerSettings {
    bool share = true;           // attend to the reference's keys / values as well
    double shareStrength = 1.0;  // w ≥ 0: logits of reference tokens shifted by ln w (1: paper, 2: transfer)
    double keyScale = 1.0;       // s: reference keys scaled for the targets
    double adainQueries = 1.0;   // AdaIN blends in [0, 1]: (1-a)·x + a·AdaIN(x)
    double adainKeys = 1.0;
    double adainValues = 0.0;
    int firstStep = 0;           // active steps [firstStep, lastStep]; lastStep -1: to the end
    int lastStep = -1;

    bool activeAt(int step) const { return step < 0 || (step >= firstStep && (lastStep < 0 || step <= lastStep)); }
    // Does anything differ from the stock attention?
    bool changesAttention() const;
    double logitShift() const;  // ln w (−∞ for w = 0)
    bool operator==(const LayerSettings&) const = default;
};

struct LayerPlan {
    bool shareGroupNorm = true;
    bool shareLayerNorm = true;
    bool fullAttentionShare = false;  // ablation: every image attends to all images of its half
    // Every self-attention layer of the UNet; a layer whose settings change nothing keeps the
    // stock processor.
    std::map<std::string, LayerSettings> layers;

    // The plan equal to the reference handler registered with `args`.
    static LayerPlan fromArgs(const std::vector<std::string>& selfAttentionPaths, const StyleAlignedArgs& args);
    static LayerPlan paperDefault(const std::vector<std::string>& selfAttentionPaths);
    // "paper", "attention-only", "fine-style", "structure-style", "transfer", "only-self-0.5", … (see presetNames()).
    static LayerPlan preset(const std::string& name, const std::vector<std::string>& selfAttentionPaths);
    static std::vector<std::string> presetNames();

    nlohmann::json toJson() const;
    // Validates against the UNet's layers: an unknown path is an error listing the valid ones;
    // a layer missing from the JSON keeps the paper default; values out of range are errors.
    static LayerPlan fromJson(const nlohmann::json& json, const std::vector<std::string>& selfAttentionPaths,
                              const std::string& where);
    static LayerPlan load(const std::string& file, const std::vector<std::string>& selfAttentionPaths);
    void save(const std::string& file) const;

    // Paths whose settings change attention (get the shared processor).
    std::vector<std::string> activeLayers() const;
};

// Groups of layers for UI and presets: "down_blocks.1", "mid_block", "up_blocks.0".
std::string layerBlock(const std::string& path);

}  // namespace sa
