#include "core/style/layer_plan.h"

#include <cmath>
#include <fstream>
#include <limits>

#include "core/common/error.h"
#include "core/io/files.h"
#include "core/io/json_config.h"

namespace sa {

std::vector<bool> onlySelfSwitch(int count, double level) {
    std::vector<bool> unshared(static_cast<size_t>(std::max(count, 0)), false);
    if (level <= 0.0) return unshared;
    if (level >= 1.0) return std::vector<bool>(unshared.size(), true);
    const bool flip = level > 0.5;
    if (flip) level = 1.0 - level;
    const int switches = static_cast<int>(level * count);  // Python int(): truncation
    if (switches > 0) {
        const int period = count / switches;
        for (int i = 0; i < count; ++i) unshared[i] = i % period == 0;
    }
    if (flip) unshared.flip();
    return unshared;
}

bool LayerSettings::changesAttention() const {
    return share || adainQueries > 0 || adainKeys > 0 || adainValues > 0;
}

double LayerSettings::logitShift() const {
    return shareStrength > 0 ? std::log(shareStrength) : -std::numeric_limits<double>::infinity();
}

std::string layerBlock(const std::string& path) {
    // "up_blocks.1.attentions.2.…" → "up_blocks.1"; "mid_block.attentions.0…" → "mid_block"
    const auto first = path.find('.');
    if (path.rfind("mid_block", 0) == 0 || first == std::string::npos) return path.substr(0, first);
    return path.substr(0, path.find('.', first + 1));
}

LayerPlan LayerPlan::fromArgs(const std::vector<std::string>& paths, const StyleAlignedArgs& args) {
    LayerPlan plan;
    plan.shareGroupNorm = args.share_group_norm;
    plan.shareLayerNorm = args.share_layer_norm;
    plan.fullAttentionShare = args.full_attention_share;
    const auto unshared = onlySelfSwitch(static_cast<int>(paths.size()), args.only_self_level);
    for (size_t i = 0; i < paths.size(); ++i) {
        LayerSettings s;
        if (unshared[i]) {
            s.share = false;
            s.adainQueries = s.adainKeys = s.adainValues = 0.0;
        } else {
            s.share = args.share_attention;
            s.shareStrength = std::exp(args.shared_score_shift);
            s.keyScale = args.shared_score_scale;
            s.adainQueries = args.adain_queries ? 1.0 : 0.0;
            s.adainKeys = args.adain_keys ? 1.0 : 0.0;
            s.adainValues = args.adain_values ? 1.0 : 0.0;
        }
        plan.layers[paths[i]] = s;
    }
    return plan;
}

LayerPlan LayerPlan::paperDefault(const std::vector<std::string>& paths) { return fromArgs(paths, {}); }

std::vector<std::string> LayerPlan::presetNames() {
    return {"paper",    "attention-only", "fine-style",    "structure-style",
            "transfer", "only-self-0.25", "only-self-0.5", "only-self-0.8"};
}

LayerPlan LayerPlan::preset(const std::string& name, const std::vector<std::string>& paths) {
    if (name == "paper") return paperDefault(paths);
    if (name == "attention-only") {
        // google/style-aligned's text-to-image setting for SDXL (style_aligned_sdxl.ipynb,
        // demo_stylealigned_sdxl.py) and the method as the paper states it: shared self-attention with
        // AdaIN of queries and keys; GroupNorm / LayerNorm statistics are not shared.
        StyleAlignedArgs args;
        args.share_group_norm = false;
        args.share_layer_norm = false;
        return fromArgs(paths, args);
    }
    if (name == "transfer") {  // the reference's setting for a real reference image
        StyleAlignedArgs args;
        args.shared_score_shift = std::log(2.0);
        return fromArgs(paths, args);
    }
    if (name.rfind("only-self-", 0) == 0) {
        StyleAlignedArgs args;
        try {
            args.only_self_level = std::stod(name.substr(10));
        } catch (const std::exception&) {
            fail("preset '{}': expected only-self-<level in [0, 1]>", name);
        }
        if (!(args.only_self_level >= 0 && args.only_self_level <= 1))  // NaN too ("only-self-nan")
            fail("preset '{}': level must be in [0, 1]", name);
        return fromArgs(paths, args);
    }
    auto plan = paperDefault(paths);
    if (name == "fine-style") {
        // Only the decoder (up blocks) borrows style: textures and colour, not layout.
        for (auto& [path, s] : plan.layers)
            if (path.rfind("up_blocks", 0) != 0) s = {.share = false, .adainQueries = 0, .adainKeys = 0};
        return plan;
    }
    if (name == "structure-style") {
        // Stronger sharing everywhere, values normalized too: composition follows the reference more.
        for (auto& [path, s] : plan.layers) {
            s.shareStrength = 2.0;
            s.adainValues = 1.0;
        }
        return plan;
    }
    fail("unknown preset '{}' (known: {})", name, fmt::join(presetNames(), ", "));
}

std::vector<std::string> LayerPlan::activeLayers() const {
    std::vector<std::string> out;
    for (const auto& [path, s] : layers)
        if (s.changesAttention()) out.push_back(path);
    return out;
}

nlohmann::json LayerPlan::toJson() const {
    nlohmann::json layersJson = nlohmann::json::object();
    for (const auto& [path, s] : layers)
        layersJson[path] = {{"share", s.share},          {"share_strength", s.shareStrength},
                            {"key_scale", s.keyScale},   {"adain_q", s.adainQueries},
                            {"adain_k", s.adainKeys},    {"adain_v", s.adainValues},
                            {"steps", {s.firstStep, s.lastStep}}};
    return {{"format", "stylealigned-layer-plan"},
            {"version", 1},
            {"share_group_norm", shareGroupNorm},
            {"share_layer_norm", shareLayerNorm},
            {"full_attention_share", fullAttentionShare},
            {"layers", layersJson}};
}

namespace {

template <typename T>
T field(const nlohmann::json& j, const char* key, T fallback, const std::string& where) {
    if (!j.contains(key)) return fallback;
    if (!jsonNumberFits<T>(j.at(key)))  // "steps": [2.5, 1e300] must not become [2, garbage]
        fail("{}: '{}' = {} is out of range or not a whole number", where, key, j.at(key).dump());
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        fail("{}: '{}' has the wrong type ({})", where, key, j.at(key).dump());
    }
}

double unitField(const nlohmann::json& j, const char* key, double fallback, const std::string& where) {
    const double v = field<double>(j, key, fallback, where);
    if (!(v >= 0.0 && v <= 1.0)) fail("{}: '{}' = {} must be in [0, 1]", where, key, v);
    return v;
}

}  // namespace

LayerPlan LayerPlan::fromJson(const nlohmann::json& j, const std::vector<std::string>& paths, const std::string& where) {
    if (!j.is_object()) fail("{}: a layer plan must be a JSON object", where);
    static const std::set<std::string> known{"format", "version", "share_group_norm", "share_layer_norm",
                                             "full_attention_share", "layers", "preset"};
    for (const auto& [key, value] : j.items())
        if (!known.count(key)) fail("{}: unknown field '{}'", where, key);
    LayerPlan plan;
    try {
        plan = j.contains("preset") ? preset(field<std::string>(j, "preset", "paper", where), paths) : paperDefault(paths);
    } catch (const Error& e) {
        fail("{}: {}", where, e.what());
    }
    plan.shareGroupNorm = field<bool>(j, "share_group_norm", plan.shareGroupNorm, where);
    plan.shareLayerNorm = field<bool>(j, "share_layer_norm", plan.shareLayerNorm, where);
    plan.fullAttentionShare = field<bool>(j, "full_attention_share", plan.fullAttentionShare, where);
    if (!j.contains("layers")) return plan;
    if (!j.at("layers").is_object()) fail("{}: 'layers' must be an object keyed by layer path", where);
    static const std::set<std::string> layerKeys{"share", "share_strength", "key_scale", "adain_q", "adain_k", "adain_v", "steps"};
    for (const auto& [path, value] : j.at("layers").items()) {
        if (!plan.layers.count(path))
            fail("{}: unknown layer '{}'; the model's self-attention layers are: {}", where, path, fmt::join(paths, ", "));
        const std::string at = where + " layer " + path;
        if (!value.is_object()) fail("{}: settings must be an object", at);
        for (const auto& [key, v] : value.items())
            if (!layerKeys.count(key)) fail("{}: unknown field '{}'", at, key);
        auto& s = plan.layers[path];
        s.share = field<bool>(value, "share", s.share, at);
        s.shareStrength = field<double>(value, "share_strength", s.shareStrength, at);
        if (!(s.shareStrength >= 0.0 && s.shareStrength <= 100.0)) fail("{}: share_strength must be in [0, 100]", at);
        s.keyScale = field<double>(value, "key_scale", s.keyScale, at);
        if (!(s.keyScale >= 0.0 && s.keyScale <= 10.0)) fail("{}: key_scale must be in [0, 10]", at);
        s.adainQueries = unitField(value, "adain_q", s.adainQueries, at);
        s.adainKeys = unitField(value, "adain_k", s.adainKeys, at);
        s.adainValues = unitField(value, "adain_v", s.adainValues, at);
        if (value.contains("steps")) {
            auto steps = field<std::vector<int>>(value, "steps", {}, at);
            if (steps.size() != 2 || steps[0] < 0 || (steps[1] >= 0 && steps[1] < steps[0]))
                fail("{}: 'steps' must be [first, last] with 0 ≤ first ≤ last (last -1: to the end)", at);
            s.firstStep = steps[0];
            s.lastStep = steps[1];
        }
    }
    return plan;
}

LayerPlan LayerPlan::load(const std::string& file, const std::vector<std::string>& paths) {
    std::ifstream in(file);
    if (!in) fail("{}: cannot open layer plan", file);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        fail("{}: not valid JSON ({})", file, e.what());
    }
    return fromJson(j, paths, file);
}

void LayerPlan::save(const std::string& file) const { writeFileAtomically(file, toJson().dump(2) + "\n"); }

}  // namespace sa
