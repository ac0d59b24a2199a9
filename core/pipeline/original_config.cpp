#include "core/pipeline/original_config.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "core/common/error.h"

namespace sa {
namespace {

// A YAML node with its path ("model.params.unet_config.params.channel_mult"), so that every
// error names the file and the field.
class Yaml {
public:
    Yaml(YAML::Node node, std::string path, std::string where) : node_(std::move(node)), path_(std::move(path)), where_(std::move(where)) {}

    bool has(const std::string& key) const { return node_.IsMap() && node_[key].IsDefined() && !node_[key].IsNull(); }
    Yaml operator[](const std::string& key) const {
        if (!node_.IsMap()) fail("{}: {} is not a mapping", where_, path_);
        return Yaml(node_[key], path_.empty() ? key : path_ + "." + key, where_);
    }
    Yaml at(const std::string& key) const {
        if (!has(key)) fail("{}: missing field '{}'", where_, (*this)[key].path_);
        return (*this)[key];
    }
    template <typename T>
    T as() const {
        try {
            return node_.as<T>();
        } catch (const YAML::Exception&) {
            fail("{}: field '{}' has the wrong type or value", where_, path_);
        }
    }
    template <typename T>
    T get(const std::string& key, T fallback) const {
        return has(key) ? (*this)[key].as<T>() : fallback;
    }
    // One integer for every level, or a list of them (transformer_depth).
    std::vector<int> intOrList(const std::string& key, size_t count, int fallback) const {
        if (!has(key)) return std::vector<int>(count, fallback);
        const auto field = (*this)[key];
        if (!field.node_.IsSequence()) return std::vector<int>(count, field.as<int>());
        auto list = field.as<std::vector<int>>();
        if (list.size() != count) fail("{}: field '{}' has {} entries, expected {} (one per level)", where_, field.path_, list.size(), count);
        return list;
    }
    std::vector<Yaml> items() const {
        if (!node_.IsSequence()) fail("{}: field '{}' is not a list", where_, path_);
        std::vector<Yaml> out;
        for (size_t i = 0; i < node_.size(); ++i) out.emplace_back(node_[i], fmt::format("{}[{}]", path_, i), where_);
        return out;
    }
    std::string target() const { return at("target").as<std::string>(); }
    Yaml params() const { return has("params") ? (*this)["params"] : Yaml(YAML::Node(YAML::NodeType::Map), path_ + ".params", where_); }
    // Architecture sections are strict: a field this code does not know could change the network.
    void allowOnly(const std::set<std::string>& known) const {
        if (!node_.IsMap()) fail("{}: {} is not a mapping", where_, path_);
        for (const auto& item : node_) {
            if (!item.first.IsScalar()) fail("{}: {} has a key that is not a name", where_, path_);
            const auto key = item.first.Scalar();
            if (!known.count(key)) fail("{}: unsupported field '{}.{}'; this version cannot honour it", where_, path_, key);
        }
    }
    void expect(const std::string& key, bool wanted, bool fallback) const {
        if (get<bool>(key, fallback) != wanted)
            fail("{}: {}.{} = {} is not supported", where_, path_, key, wanted ? "false" : "true");
    }
    [[noreturn]] void unknownTarget(const std::string& supported) const {
        fail("{}: unknown target '{}' at {}.target (supported: {})", where_, target(), path_, supported);
    }
    const std::string& path() const { return path_; }
    const std::string& where() const { return where_; }

private:
    YAML::Node node_;
    std::string path_;
    std::string where_;
};

// openaimodel.UNetModel params → UNet2DConditionConfig (diffusers create_unet_diffusers_config).
UNet2DConditionConfig unetConfig(const Yaml& p, int sampleSize) {
    p.allowOnly({"image_size", "in_channels", "out_channels", "model_channels", "attention_resolutions", "num_res_blocks",
                 "channel_mult", "num_heads", "num_head_channels", "num_heads_upsample", "use_spatial_transformer",
                 "transformer_depth", "context_dim", "use_checkpoint", "legacy", "use_fp16", "use_bf16",
                 "use_linear_in_transformer", "adm_in_channels", "num_classes", "spatial_transformer_attn_type",
                 "dropout", "conv_resample", "dims", "use_scale_shift_norm", "resblock_updown",
                 "use_new_attention_order", "disable_self_attentions", "num_attention_blocks", "transformer_depth_middle"});
    p.expect("use_spatial_transformer", true, true);
    p.expect("use_scale_shift_norm", false, false);
    p.expect("resblock_updown", false, false);
    p.expect("conv_resample", true, true);
    if (p.get<int>("dims", 2) != 2) fail("{}: {}.dims must be 2", p.where(), p.path());
    if (p.has("disable_self_attentions") || p.has("num_attention_blocks"))
        fail("{}: {}: disable_self_attentions / num_attention_blocks are not supported", p.where(), p.path());

    UNet2DConditionConfig c;
    c.in_channels = p.get<int>("in_channels", 4);
    c.out_channels = p.get<int>("out_channels", 4);
    const int channels = p.at("model_channels").as<int>();
    const auto mult = p.at("channel_mult").as<std::vector<int>>();
    const auto attentionResolutions = p.at("attention_resolutions").as<std::vector<int>>();
    if (mult.empty() || channels <= 0 || std::any_of(mult.begin(), mult.end(), [](int m) { return m <= 0; })) fail("{}: {}: model_channels and channel_mult must be positive", p.where(), p.path());
    const size_t levels = mult.size();
    for (int m : mult) c.block_out_channels.push_back(channels * m);
    int resolution = 1;
    for (size_t i = 0; i < levels; ++i) {
        const bool attention = std::count(attentionResolutions.begin(), attentionResolutions.end(), resolution) > 0;
        c.down_block_types.push_back(attention ? "CrossAttnDownBlock2D" : "DownBlock2D");
        if (i + 1 < levels) resolution *= 2;
    }
    for (size_t i = 0; i < levels; ++i) {
        const bool attention = std::count(attentionResolutions.begin(), attentionResolutions.end(), resolution) > 0;
        c.up_block_types.push_back(attention ? "CrossAttnUpBlock2D" : "UpBlock2D");
        resolution /= 2;
    }
    c.layers_per_block = p.at("num_res_blocks").as<int>();
    if (c.layers_per_block <= 0) fail("{}: {}.num_res_blocks must be positive", p.where(), p.path());
    c.transformer_layers_per_block = p.intOrList("transformer_depth", levels, 1);
    c.reverse_transformer_layers_per_block.assign(c.transformer_layers_per_block.rbegin(), c.transformer_layers_per_block.rend());
    for (size_t i = 0; i < levels; ++i)
        if (c.transformer_layers_per_block[i] < (c.down_block_types[i] == "CrossAttnDownBlock2D" || i + 1 == levels ? 1 : 0))
            fail("{}: {}.transformer_depth must be at least 1 where there is attention", p.where(), p.path());
    if (p.has("transformer_depth_middle") && p["transformer_depth_middle"].as<int>() != c.transformer_layers_per_block.back())
        fail("{}: {}.transformer_depth_middle different from the last level's depth is not supported", p.where(), p.path());
    // Heads: `num_head_channels` (channels per head) when set, else `num_heads`.
    const int headChannels = p.get<int>("num_head_channels", -1);
    if (headChannels > 0) {
        for (int out : c.block_out_channels) {
            if (out % headChannels != 0)
                fail("{}: {}.num_head_channels {} does not divide the level width {}", p.where(), p.path(), headChannels, out);
            c.num_attention_heads.push_back(out / headChannels);
        }
    } else {
        const int heads = p.get<int>("num_heads", -1);
        if (heads <= 0) fail("{}: {}: num_heads or num_head_channels must be positive", p.where(), p.path());
        c.num_attention_heads.assign(levels, heads);
        for (int out : c.block_out_channels)
            if (out % heads != 0) fail("{}: {}.num_heads {} does not divide the level width {}", p.where(), p.path(), heads, out);
    }
    c.cross_attention_dim.assign(levels, p.at("context_dim").as<int>());
    c.use_linear_projection = p.get<bool>("use_linear_in_transformer", false);
    c.norm_num_groups = 32;  // the LDM / SGM code hard-codes GroupNorm(32)
    c.sample_size = sampleSize;
    if (p.has("num_classes")) {
        if (p["num_classes"].as<std::string>() != "sequential")
            fail("{}: {}.num_classes '{}' is not supported (only 'sequential', SDXL)", p.where(), p.path(),
                 p["num_classes"].as<std::string>());
        c.addition_embed_type = "text_time";
        c.projection_class_embeddings_input_dim = p.at("adm_in_channels").as<int>();
    }
    for (int v : {c.in_channels, c.out_channels, c.layers_per_block, c.cross_attention_dim[0]})
        if (v <= 0) fail("{}: {}: channel counts, num_res_blocks and context_dim must be positive", p.where(), p.path());
    return c;
}

// first_stage_config → AutoencoderKLConfig (diffusers create_vae_diffusers_config).
AutoencoderKLConfig vaeConfig(const Yaml& stage, double scaleFactor) {
    const auto target = stage.target();
    if (!target.ends_with("autoencoder.AutoencoderKL") && !target.ends_with("autoencoder.AutoencoderKLInferenceWrapper"))
        stage.unknownTarget("ldm/sgm .models.autoencoder.AutoencoderKL");
    const auto p = stage.params();
    const auto dd = p.at("ddconfig");
    dd.allowOnly({"double_z", "z_channels", "resolution", "in_channels", "out_ch", "ch", "ch_mult", "num_res_blocks",
                  "attn_resolutions", "dropout", "attn_type"});
    dd.expect("double_z", true, true);
    if (dd.has("attn_resolutions") && !dd["attn_resolutions"].as<std::vector<int>>().empty())
        fail("{}: {}.attn_resolutions must be empty (attention only in the mid block, as every SD VAE)", dd.where(), dd.path());
    AutoencoderKLConfig c;
    c.in_channels = dd.get<int>("in_channels", 3);
    c.out_channels = dd.get<int>("out_ch", 3);
    c.latent_channels = dd.at("z_channels").as<int>();
    const int embed = p.get<int>("embed_dim", c.latent_channels);
    if (embed != c.latent_channels)
        fail("{}: {}.embed_dim {} differs from ddconfig.z_channels {} (not supported)", p.where(), p.path(), embed, c.latent_channels);
    const int ch = dd.at("ch").as<int>();
    c.block_out_channels.clear();
    for (int m : dd.at("ch_mult").as<std::vector<int>>()) c.block_out_channels.push_back(ch * m);
    if (c.block_out_channels.empty() || ch <= 0 ||
        std::any_of(c.block_out_channels.begin(), c.block_out_channels.end(), [](int w) { return w <= 0; })) fail("{}: {}: ch and ch_mult must be positive", dd.where(), dd.path());
    c.layers_per_block = dd.at("num_res_blocks").as<int>();
    if (c.layers_per_block <= 0 || c.latent_channels <= 0) fail("{}: {}: num_res_blocks and z_channels must be positive", dd.where(), dd.path());
    c.norm_num_groups = 32;
    c.scaling_factor = scaleFactor;
    return c;
}

// FrozenCLIPEmbedder / FrozenOpenCLIPEmbedder(2) params → the hidden state that conditions.
TextConditioning conditioning(const Yaml& p, bool sgmOpenClip) {
    const auto layer = p.get<std::string>("layer", "last");
    if (layer == "last") return {-1, true};
    // ldm's FrozenOpenCLIPEmbedder applies ln_final after the penultimate block; sgm's
    // FrozenOpenCLIPEmbedder2 (legacy: False) does not.
    if (layer == "penultimate") return {-2, !sgmOpenClip};
    if (layer == "hidden") return {p.at("layer_idx").as<int>(), false};
    fail("{}: {}.layer '{}' is not supported (last, penultimate, hidden)", p.where(), p.path(), layer);
}

void readLdm(const Yaml& p, OriginalConfig& out) {
    const int latentSize = p.get<int>("image_size", 64);
    if (latentSize <= 0) fail("{}: {}.image_size must be positive", p.where(), p.path());
    const auto cond = p.at("cond_stage_config");
    const auto condTarget = cond.target();
    if (condTarget.ends_with("encoders.modules.FrozenCLIPEmbedder")) {
        out.family = CheckpointFamily::SD1;
        out.textConditioning = {conditioning(cond.params(), false)};
    } else if (condTarget.ends_with("encoders.modules.FrozenOpenCLIPEmbedder")) {
        out.family = CheckpointFamily::SD2;
        out.textConditioning = {conditioning(cond.params(), false)};
    } else {
        cond.unknownTarget("ldm.modules.encoders.modules.FrozenCLIPEmbedder, FrozenOpenCLIPEmbedder");
    }
    if (p.get<std::string>("conditioning_key", "crossattn") != "crossattn")
        fail("{}: {}.conditioning_key must be 'crossattn'", p.where(), p.path());
    const auto unet = p.at("unet_config");
    if (!unet.target().ends_with("diffusionmodules.openaimodel.UNetModel")) unet.unknownTarget("ldm.modules.diffusionmodules.openaimodel.UNetModel");
    out.vae = vaeConfig(p.at("first_stage_config"), p.get<double>("scale_factor", 0.18215));
    out.vae.sample_size = latentSize * (1 << (static_cast<int>(out.vae.block_out_channels.size()) - 1));
    out.unet = unetConfig(unet.params(), latentSize);
    auto& s = out.scheduler;
    s.num_train_timesteps = p.get<int>("timesteps", 1000);
    s.beta_start = p.get<double>("linear_start", 0.00085);
    s.beta_end = p.get<double>("linear_end", 0.012);
    const auto parameterization = p.get<std::string>("parameterization", "eps");
    if (parameterization != "eps" && parameterization != "v")
        fail("{}: {}.parameterization '{}' is not supported (eps, v)", p.where(), p.path(), parameterization);
    s.prediction_type = parameterization == "v" ? "v_prediction" : "epsilon";
}

void readSgm(const Yaml& p, OriginalConfig& out) {
    out.family = CheckpointFamily::SDXL;
    const auto network = p.at("network_config");
    if (!network.target().ends_with("diffusionmodules.openaimodel.UNetModel")) network.unknownTarget("sgm.modules.diffusionmodules.openaimodel.UNetModel");
    out.vae = vaeConfig(p.at("first_stage_config"), p.get<double>("scale_factor", 0.13025));
    const int factor = 1 << (static_cast<int>(out.vae.block_out_channels.size()) - 1);
    constexpr int kPixels = 1024;  // sd_xl_base's native size (the YAML does not say)
    out.vae.sample_size = kPixels;
    out.unet = unetConfig(network.params(), kPixels / factor);

    std::set<int> timeDims;
    int timeEmbedders = 0;
    for (const auto& embedder : p.at("conditioner_config").params().at("emb_models").items()) {
        const auto target = embedder.target();
        const auto ep = embedder.params();
        if (target.ends_with("encoders.modules.FrozenCLIPEmbedder")) {
            out.textConditioning.push_back(conditioning(ep, false));
        } else if (target.ends_with("encoders.modules.FrozenOpenCLIPEmbedder2")) {
            if (ep.get<bool>("legacy", true))
                fail("{}: {}.legacy = true is not supported (sd_xl_base uses false)", ep.where(), ep.path());
            out.textConditioning.push_back(conditioning(ep, true));
        } else if (target.ends_with("encoders.modules.ConcatTimestepEmbedderND")) {
            timeDims.insert(ep.at("outdim").as<int>());
            ++timeEmbedders;
        } else {
            embedder.unknownTarget("FrozenCLIPEmbedder, FrozenOpenCLIPEmbedder2, ConcatTimestepEmbedderND");
        }
    }
    if (out.textConditioning.size() != 2 || timeEmbedders != 3 || timeDims.size() != 1)
        fail("{}: conditioner_config: SDXL base needs FrozenCLIPEmbedder, FrozenOpenCLIPEmbedder2 and three "
             "ConcatTimestepEmbedderND with one outdim (refiner and other conditioners are not supported)", p.where());
    if (!out.unet.addition_embed_type)
        fail("{}: network_config.params: SDXL needs num_classes 'sequential' and adm_in_channels", p.where());
    out.unet.addition_time_embed_dim = *timeDims.begin();

    auto& s = out.scheduler;
    const auto denoiser = p.at("denoiser_config").params();
    const auto scaling = denoiser.at("scaling_config").target();
    if (scaling.ends_with("denoiser_scaling.EpsScaling"))
        s.prediction_type = "epsilon";
    else if (scaling.ends_with("denoiser_scaling.VScaling"))
        s.prediction_type = "v_prediction";
    else
        denoiser["scaling_config"].unknownTarget("EpsScaling, VScaling");
    s.num_train_timesteps = denoiser.get<int>("num_idx", 1000);
    if (denoiser.has("discretization_config")) {
        const auto discretization = denoiser["discretization_config"];
        if (!discretization.target().ends_with("discretizer.LegacyDDPMDiscretization"))
            discretization.unknownTarget("LegacyDDPMDiscretization");
        s.beta_start = discretization.params().get<double>("linear_start", 0.00085);
        s.beta_end = discretization.params().get<double>("linear_end", 0.012);
    }
}

// The standard configurations, in the schema of the original files (only what the reader uses).
constexpr const char* kVaeYaml = R"(
      params:
        embed_dim: 4
        ddconfig: {double_z: true, z_channels: 4, resolution: 256, in_channels: 3, out_ch: 3, ch: 128,
                   ch_mult: [1, 2, 4, 4], num_res_blocks: 2, attn_resolutions: [], dropout: 0.0}
)";

// v1-inference.yaml and v2-inference-v.yaml differ only in these fields.
std::string ldmYaml(const char* extraParams, int latentSize, const char* unetParams, const char* condStage) {
    return fmt::format(R"(
model:
  target: ldm.models.diffusion.ddpm.LatentDiffusion
  params:{}
    linear_start: 0.00085
    linear_end: 0.0120
    timesteps: 1000
    image_size: {}
    conditioning_key: crossattn
    scale_factor: 0.18215
    unet_config:
      target: ldm.modules.diffusionmodules.openaimodel.UNetModel
      params: {{image_size: 32, in_channels: 4, out_channels: 4, model_channels: 320, attention_resolutions: [4, 2, 1],
               num_res_blocks: 2, channel_mult: [1, 2, 4, 4], use_spatial_transformer: true, transformer_depth: 1,
               legacy: false, {}}}
    cond_stage_config: {}
    first_stage_config:
      target: ldm.models.autoencoder.AutoencoderKL)", extraParams, latentSize, unetParams, condStage) + kVaeYaml;
}

std::string builtinYaml(CheckpointFamily family) {
    switch (family) {
        case CheckpointFamily::SD1:
            return ldmYaml("", 64, "num_heads: 8, context_dim: 768",
                           "{target: ldm.modules.encoders.modules.FrozenCLIPEmbedder}");
        case CheckpointFamily::SD2:
            return ldmYaml("\n    parameterization: v", 96,
                           "num_head_channels: 64, use_linear_in_transformer: true, context_dim: 1024",
                           "{target: ldm.modules.encoders.modules.FrozenOpenCLIPEmbedder, params: {layer: penultimate}}");
        case CheckpointFamily::SDXL:
            return std::string(R"(
model:
  target: sgm.models.diffusion.DiffusionEngine
  params:
    scale_factor: 0.13025
    denoiser_config:
      target: sgm.modules.diffusionmodules.denoiser.DiscreteDenoiser
      params:
        num_idx: 1000
        scaling_config: {target: sgm.modules.diffusionmodules.denoiser_scaling.EpsScaling}
        discretization_config: {target: sgm.modules.diffusionmodules.discretizer.LegacyDDPMDiscretization}
    network_config:
      target: sgm.modules.diffusionmodules.openaimodel.UNetModel
      params: {adm_in_channels: 2816, num_classes: sequential, in_channels: 4, out_channels: 4, model_channels: 320,
               attention_resolutions: [4, 2], num_res_blocks: 2, channel_mult: [1, 2, 4], num_head_channels: 64,
               use_linear_in_transformer: true, transformer_depth: [1, 2, 10], context_dim: 2048}
    conditioner_config:
      target: sgm.modules.GeneralConditioner
      params:
        emb_models:
          - {target: sgm.modules.encoders.modules.FrozenCLIPEmbedder, params: {layer: hidden, layer_idx: 11}}
          - {target: sgm.modules.encoders.modules.FrozenOpenCLIPEmbedder2,
             params: {layer: penultimate, always_return_pooled: true, legacy: false}}
          - {target: sgm.modules.encoders.modules.ConcatTimestepEmbedderND, params: {outdim: 256}}
          - {target: sgm.modules.encoders.modules.ConcatTimestepEmbedderND, params: {outdim: 256}}
          - {target: sgm.modules.encoders.modules.ConcatTimestepEmbedderND, params: {outdim: 256}}
    first_stage_config:
      target: sgm.models.autoencoder.AutoencoderKLInferenceWrapper)") + kVaeYaml;
    }
    return {};
}

}  // namespace

std::string familyName(CheckpointFamily family) {
    switch (family) {
        case CheckpointFamily::SD1: return "SD 1.x";
        case CheckpointFamily::SD2: return "SD 2.x";
        case CheckpointFamily::SDXL: return "SDXL";
    }
    return "?";
}

OriginalConfig parseOriginalConfig(const std::string& text, const std::string& where) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        fail("{}: not valid YAML ({})", where, e.what());
    }
    OriginalConfig out;
    out.where = where;
    // The single-file scheduler, as diffusers' from_single_file builds it.
    out.scheduler.beta_schedule = "scaled_linear";
    out.scheduler.clip_sample = false;
    out.scheduler.set_alpha_to_one = false;
    out.scheduler.steps_offset = 1;
    const Yaml doc(root, "", where);
    if (!root.IsMap()) fail("{}: not an original Stable Diffusion config (expected a mapping with 'model')", where);
    try {
        const auto model = doc.at("model");
        const auto target = model.target();
        if (target == "ldm.models.diffusion.ddpm.LatentDiffusion")
            readLdm(model.params(), out);
        else if (target == "sgm.models.diffusion.DiffusionEngine")
            readSgm(model.params(), out);
        else if (target.ends_with("LatentInpaintDiffusion") || target.ends_with("LatentDepth2ImageDiffusion") ||
                 target.ends_with("ImageEmbeddingConditionedLatentDiffusion"))
            fail("{}: model.target '{}': inpainting, depth and unCLIP models are not supported", where, target);
        else
            model.unknownTarget("ldm.models.diffusion.ddpm.LatentDiffusion, sgm.models.diffusion.DiffusionEngine");
    } catch (const YAML::Exception& e) {  // a node of an unexpected kind the typed reads did not catch
        fail("{}: {}", where, e.what());
    }
    if (out.unet.in_channels != out.vae.latent_channels)
        fail("{}: the UNet's in_channels {} differ from the VAE's z_channels {}", where, out.unet.in_channels,
             out.vae.latent_channels);
    return out;
}

OriginalConfig readOriginalConfig(const std::filesystem::path& yamlFile) {
    std::ifstream in(yamlFile, std::ios::binary);
    if (!in) fail("{}: cannot open the config (missing file?)", yamlFile.string());
    std::ostringstream text;
    text << in.rdbuf();
    return parseOriginalConfig(text.str(), yamlFile.string());
}

OriginalConfig builtinOriginalConfig(CheckpointFamily family) {
    static const char* files[] = {"v1-inference.yaml", "v2-inference-v.yaml", "sd_xl_base.yaml"};
    return parseOriginalConfig(builtinYaml(family), fmt::format("built-in {} configuration ({})", familyName(family),
                                                                files[static_cast<int>(family)]));
}

}  // namespace sa
