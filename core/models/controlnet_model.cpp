#include "core/models/controlnet_model.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/io/name_table.h"
#include "core/io/state_dict.h"
#include "core/models/single_file_names.h"

namespace sa {

ControlNetConfig ControlNetConfig::fromJson(const JsonConfig& j) {
    ControlNetConfig c;
    j.expectOneOf("_class_name", {"ControlNetModel"});
    c.readEncoderFields(j);
    c.conditioning_channels = j.get<int>("conditioning_channels", 3);
    if (c.conditioning_channels <= 0)
        fail("{}: conditioning_channels must be positive, got {}", j.where(), c.conditioning_channels);
    j.expectOneOf("controlnet_conditioning_channel_order", {"rgb", "bgr"});
    c.controlnet_conditioning_channel_order = j.get<std::string>("controlnet_conditioning_channel_order", "rgb");
    c.conditioning_embedding_out_channels =
        j.get<std::vector<int>>("conditioning_embedding_out_channels", c.conditioning_embedding_out_channels);
    const auto& channels = c.conditioning_embedding_out_channels;
    if (channels.empty() || std::any_of(channels.begin(), channels.end(), [](int v) { return v <= 0; }))
        fail("{}: conditioning_embedding_out_channels must be a non-empty list of positive numbers", j.where());
    c.global_pool_conditions = j.get<bool>("global_pool_conditions", false);
    j.finish();  // class_embed_type, num_class_embeds, encoder_hid_dim(_type) must be null
    return c;
}

ControlNetConfig ControlNetConfig::load(const std::filesystem::path& configFile) {
    return fromJson(JsonConfig::load(configFile));
}

nlohmann::json ControlNetConfig::toJson() const {
    auto j = encoderJson();
    j["_class_name"] = "ControlNetModel";
    j["_diffusers_version"] = "0.25.0";
    j["conditioning_channels"] = conditioning_channels;
    j["controlnet_conditioning_channel_order"] = controlnet_conditioning_channel_order;
    j["conditioning_embedding_out_channels"] = conditioning_embedding_out_channels;
    j["global_pool_conditions"] = global_pool_conditions;
    return j;
}

ControlNetConfig ControlNetConfig::fromUNet(const UNet2DConditionConfig& unet,
                                            std::vector<int> conditioningEmbeddingOutChannels, int conditioningChannels) {
    ControlNetConfig c;
    static_cast<UNetEncoderConfig&>(c) = unet;
    c.conditioning_embedding_out_channels = std::move(conditioningEmbeddingOutChannels);
    c.conditioning_channels = conditioningChannels;
    return c;
}

int ControlNetConfig::numDownResiduals() const {
    const int blocks = static_cast<int>(block_out_channels.size());
    return 1 + blocks * layers_per_block + (blocks - 1);
}

int ControlNetConfig::conditioningDownscale() const {
    return 1 << (static_cast<int>(conditioning_embedding_out_channels.size()) - 1);
}

void checkControlNetFits(const ControlNetConfig& cn, const UNet2DConditionConfig& unet, const std::string& where) {
    auto differs = [&](const char* field, const auto& mine, const auto& theirs) {
        fail("{}: this ControlNet does not fit the loaded UNet: {} is {}, the UNet's is {}", where, field,
             nlohmann::json(mine).dump(), nlohmann::json(theirs).dump());
    };
    if (cn.in_channels != unet.in_channels) differs("in_channels", cn.in_channels, unet.in_channels);
    if (cn.block_out_channels != unet.block_out_channels)
        differs("block_out_channels", cn.block_out_channels, unet.block_out_channels);
    if (cn.layers_per_block != unet.layers_per_block)
        differs("layers_per_block", cn.layers_per_block, unet.layers_per_block);
    // Both networks read the same encoder_hidden_states.
    for (size_t i = 0; i < cn.cross_attention_dim.size(); ++i)
        if (cn.cross_attention_dim[i] != unet.cross_attention_dim[i])
            differs("cross_attention_dim", cn.cross_attention_dim, unet.cross_attention_dim);
    if (cn.addition_embed_type != unet.addition_embed_type)
        differs("addition_embed_type", cn.addition_embed_type.value_or("null"), unet.addition_embed_type.value_or("null"));
    if (cn.addition_embed_type) {
        if (cn.addition_time_embed_dim != unet.addition_time_embed_dim)
            differs("addition_time_embed_dim", cn.addition_time_embed_dim, unet.addition_time_embed_dim);
        if (cn.projection_class_embeddings_input_dim != unet.projection_class_embeddings_input_dim)
            differs("projection_class_embeddings_input_dim", cn.projection_class_embeddings_input_dim,
                    unet.projection_class_embeddings_input_dim);
    }
}

ControlNetConditioningEmbeddingImpl::ControlNetConditioningEmbeddingImpl(int embeddingChannels, int conditioningChannels,
                                                                         const std::vector<int>& channels) {
    convIn = register_module("conv_in", conv2d(conditioningChannels, channels[0], 3, 1, 1));
    for (size_t i = 0; i + 1 < channels.size(); ++i) {
        blocks.push_back(conv2d(channels[i], channels[i], 3, 1, 1));
        blocks.push_back(conv2d(channels[i], channels[i + 1], 3, 2, 1));
    }
    registerList(*this, "blocks", blocks);
    convOut = register_module("conv_out", conv2d(channels.back(), embeddingChannels, 3, 1, 1));
}

torch::Tensor ControlNetConditioningEmbeddingImpl::forward(const torch::Tensor& conditioning) {
    auto h = torch::silu(convIn(conditioning));
    for (auto& block : blocks) h = torch::silu(block(h));
    return convOut(h);
}

ControlNetModelImpl::ControlNetModelImpl(ControlNetConfig config) : config_(std::move(config)) {
    const auto& c = config_;
    const int blocks = static_cast<int>(c.block_out_channels.size());
    const int timeEmbedDim = c.timeEmbedDim();
    convIn = register_module("conv_in", conv2d(c.in_channels, c.block_out_channels[0], 3, 1, 1));
    timeEmbedding = register_module("time_embedding", TimestepEmbedding(c.block_out_channels[0], timeEmbedDim, c.act_fn));
    if (c.addition_embed_type)  // diffusers builds it with the default SiLU whatever act_fn says
        addEmbedding = register_module("add_embedding",
                                       TimestepEmbedding(c.projection_class_embeddings_input_dim, timeEmbedDim, "silu"));
    condEmbedding = register_module(
        "controlnet_cond_embedding",
        ControlNetConditioningEmbedding(c.block_out_channels[0], c.conditioning_channels, c.conditioning_embedding_out_channels));

    controlnetDownBlocks.push_back(conv2d(c.block_out_channels[0], c.block_out_channels[0], 1));
    for (int i = 0; i < blocks; ++i) {
        const auto options = c.downBlockOptions(i);
        downBlocks.push_back(DownBlock(options));
        const int residuals = options.layers + (options.addSample ? 1 : 0);
        for (int k = 0; k < residuals; ++k) controlnetDownBlocks.push_back(conv2d(options.outChannels, options.outChannels, 1));
    }
    registerList(*this, "down_blocks", downBlocks);
    registerList(*this, "controlnet_down_blocks", controlnetDownBlocks);
    controlnetMidBlock = register_module("controlnet_mid_block",
                                         conv2d(c.block_out_channels.back(), c.block_out_channels.back(), 1));
    midBlock = register_module("mid_block", MidBlockCrossAttn(c.midBlockOptions()));
}

UNetResiduals ControlNetModelImpl::forward(const torch::Tensor& sample, const torch::Tensor& timestep,
                                           const torch::Tensor& context, const torch::Tensor& cond,
                                           double conditioningScale, const AddedCond* added, bool guessMode,
                                           std::map<std::string, torch::Tensor>* debug) {
    const auto& c = config_;
    const int64_t f = c.conditioningDownscale();
    if (!cond.defined() || cond.dim() != 4 || cond.size(0) != sample.size(0) || cond.size(1) != c.conditioning_channels ||
        cond.size(2) != sample.size(2) * f || cond.size(3) != sample.size(3) * f)
        fail("ControlNetModel: the control image batch is [{}], expected [{}, {}, {}, {}] for latents [{}]",
             cond.defined() ? fmt::format("{}", fmt::join(cond.sizes(), ", ")) : "none", sample.size(0),
             c.conditioning_channels, sample.size(2) * f, sample.size(3) * f, fmt::join(sample.sizes(), ", "));
    if (context.size(0) != sample.size(0))
        fail("ControlNetModel: {} rows of encoder_hidden_states for {} latent rows", context.size(0), sample.size(0));
    // controlnet_conditioning_channel_order: the network was trained on BGR images.
    auto image = c.controlnet_conditioning_channel_order == "bgr" ? cond.flip({1}) : cond;
    auto emb = embedTimestep(c, *timeEmbedding, addEmbedding ? addEmbedding.get() : nullptr, timestep, sample.size(0),
                             added, convIn->weight, "ControlNetModel");

    auto condEmb = condEmbedding(image.to(convIn->weight.options()));
    if (debug) (*debug)["cond_embedding"] = condEmb;
    auto h = convIn(sample) + condEmb;
    std::vector<torch::Tensor> states{h};
    for (auto& block : downBlocks) h = block(h, emb, context, &states);
    h = midBlock(h, emb, context);

    UNetResiduals out;
    const auto n = static_cast<int64_t>(states.size());
    // guess_mode: 0.1 … 1 (torch.logspace(-1, 0, n + 1)), the mid block taking the last.
    torch::Tensor scales;
    if (guessMode && !c.global_pool_conditions)
        scales = torch::logspace(-1, 0, n + 1, 10.0, torch::TensorOptions().device(h.device())) * conditioningScale;
    for (int64_t i = 0; i < n; ++i) {
        auto r = controlnetDownBlocks[static_cast<size_t>(i)](states[static_cast<size_t>(i)]);
        out.down.push_back(scales.defined() ? r * scales[i] : r * conditioningScale);
    }
    auto mid = controlnetMidBlock(h);
    out.mid = scales.defined() ? mid * scales[n] : mid * conditioningScale;
    if (c.global_pool_conditions) {
        for (auto& r : out.down) r = r.mean({2, 3}, /*keepdim=*/true);
        out.mid = out.mid.mean({2, 3}, /*keepdim=*/true);
    }
    return out;
}

namespace {

const std::vector<std::string> kControlNetWeights{"diffusion_pytorch_model.safetensors",
                                                  "diffusion_pytorch_model.fp16.safetensors"};

// The number of distinct indices k of keys "<prefix>k.…" (0 when there is none).
int countIndices(const SafetensorsFile& file, const std::string& prefix) {
    std::set<std::string> seen;
    for (const auto& info : file.tensors()) {
        if (info.name.rfind(prefix, 0) != 0) continue;
        const auto index = info.name.substr(prefix.size(), info.name.find('.', prefix.size()) - prefix.size());
        if (!index.empty() && std::all_of(index.begin(), index.end(), [](unsigned char ch) { return std::isdigit(ch); }))
            seen.insert(index);
    }
    return static_cast<int>(seen.size());
}

// Where the tensors that decide a ControlNet's shape sit in a file: diffusers names, or the
// original ControlNet repository's (LDM openaimodel names under `prefix`: "control_model." or none).
struct KeyLayout {
    bool original = false;
    std::string prefix;

    // Convolution k of the conditioning embedding: 0 conv_in, then blocks.0, blocks.1, …
    std::string hintWeight(int k) const {
        if (original) return fmt::format("{}input_hint_block.{}.weight", prefix, 2 * k);
        return k == 0 ? "controlnet_cond_embedding.conv_in.weight"
                      : fmt::format("controlnet_cond_embedding.blocks.{}.weight", k - 1);
    }
    std::string convInWeight() const { return original ? prefix + "input_blocks.0.0.weight" : "conv_in.weight"; }
    // The transformer blocks of the first attention of down block `block` (-1: the mid block).
    std::string transformerBlocks(int block, int layersPerBlock) const {
        if (!original)
            return block < 0 ? "mid_block.attentions.0.transformer_blocks."
                             : fmt::format("down_blocks.{}.attentions.0.transformer_blocks.", block);
        return block < 0 ? prefix + "middle_block.1.transformer_blocks."
                         : fmt::format("{}input_blocks.{}.1.transformer_blocks.", prefix, 1 + block * (layersPerBlock + 1));
    }
};

// The original layout's names: the UNet's encoder half as single files name it, plus the hint
// block (convolutions at even indices, SiLUs between), zero_convs and middle_block_out
// (diffusers convert_from_ckpt.py, convert_ldm_unet_checkpoint with controlnet=True).
NameTable originalControlNetNames(const ControlNetConfig& c, const UNet2DConditionConfig& unet, const std::string& prefix) {
    auto t = unetNameTable(unet, prefix);  // its up-block rules name no module of a ControlNet
    const int convs = 2 * static_cast<int>(c.conditioning_embedding_out_channels.size());  // conv_in, blocks, conv_out
    t.prefix("controlnet_cond_embedding.conv_in.", "input_hint_block.0.");
    for (int k = 1; k < convs - 1; ++k)
        t.prefix(fmt::format("controlnet_cond_embedding.blocks.{}.", k - 1), fmt::format("input_hint_block.{}.", 2 * k));
    t.prefix("controlnet_cond_embedding.conv_out.", fmt::format("input_hint_block.{}.", 2 * (convs - 1)));
    for (int i = 0; i < c.numDownResiduals(); ++i)
        t.prefix(fmt::format("controlnet_down_blocks.{}.", i), fmt::format("zero_convs.{}.0.", i));
    t.prefix("controlnet_mid_block.", "middle_block_out.0.");
    return t;
}

// ControlNetModel.from_unet for a file without a config: the UNet's encoder fields, with what
// the weights' shapes tell (conditioning embedding, input channels, transformer depths, projection kind).
ControlNetConfig configFromWeights(const UNet2DConditionConfig& unet, const SafetensorsFile& file,
                                   const KeyLayout& layout, std::vector<std::string>& notes) {
    const std::string where = file.path().string();
    if (!file.contains(layout.hintWeight(0)) || !file.contains(layout.convInWeight()))
        fail("{}: not a ControlNet (no {} / {})", where, layout.hintWeight(0), layout.convInWeight());
    const auto& first = file.info(layout.hintWeight(0)).shape;
    if (first.size() != 4) fail("{}: {} must be a 4-d convolution weight", where, layout.hintWeight(0));
    // After conv_in the embedding's convolutions alternate (c_i → c_i) and (c_i → c_{i+1}, stride 2):
    // every second one names the next width (conv_out, after the last, is never at an even k ≥ 2).
    std::vector<int> channels{static_cast<int>(first[0])};
    for (int k = 2; file.contains(layout.hintWeight(k)); k += 2)
        channels.push_back(static_cast<int>(file.info(layout.hintWeight(k)).shape.at(0)));
    auto c = ControlNetConfig::fromUNet(unet, channels, static_cast<int>(first[1]));
    c.in_channels = static_cast<int>(file.info(layout.convInWeight()).shape.at(1));
    const int blocks = static_cast<int>(c.block_out_channels.size());
    for (int i = 0; i < blocks; ++i) {
        const int depth = countIndices(file, layout.transformerBlocks(i, c.layers_per_block));
        if (depth > 0) c.transformer_layers_per_block[static_cast<size_t>(i)] = depth;
    }
    const int midDepth = countIndices(file, layout.transformerBlocks(-1, c.layers_per_block));
    if (midDepth > 0) c.transformer_layers_per_block.back() = midDepth;
    for (const auto& info : file.tensors())
        if (info.name.rfind(layout.prefix, 0) == 0 && info.name.find(".proj_in.weight") != std::string::npos) {
            c.use_linear_projection = info.shape.size() == 2;
            break;
        }
    notes.push_back(fmt::format("ControlNet configuration derived from the UNet's (conditioning embedding {}, transformer "
                                "depths {}, read from the weights); put its config.json beside it as {}.json to use "
                                "that instead",
                                nlohmann::json(channels).dump(), nlohmann::json(c.transformer_layers_per_block).dump(),
                                file.path().stem().string()));
    return c;
}

// The layout of a single file: diffusers names, or the original repository's with or without
// the "control_model." namespace (files that also hold the whole SD model have it).
KeyLayout detectLayout(const SafetensorsFile& file) {
    for (const auto& info : file.tensors())
        if (info.name.rfind("control_model.", 0) == 0) return {true, "control_model."};
    if (file.contains("input_hint_block.0.weight")) return {true, ""};
    return {};
}

}  // namespace

LoadedControlNet loadControlNet(const std::filesystem::path& path, const UNet2DConditionConfig& unet,
                                torch::Device device, torch::ScalarType dtype) {
    LoadedControlNet out;
    out.source = path;
    ControlNetConfig config;
    std::shared_ptr<const SafetensorsFile> file;
    std::string where = path.string();
    KeyLayout layout;
    bool derived = false;
    if (std::filesystem::is_directory(path)) {
        where = (path / "config.json").string();
        config = ControlNetConfig::load(path / "config.json");
        file = SafetensorsFile::open(findWeightsFile(path, kControlNetWeights));
    } else if (std::filesystem::is_regular_file(path)) {
        auto extension = path.extension().string();
        std::transform(extension.begin(), extension.end(), extension.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        if (extension == ".bin" || extension == ".ckpt" || extension == ".pt" || extension == ".pth") refusePickle(path);
        if (extension != ".safetensors")
            fail("{}: a ControlNet is a diffusers folder or a .safetensors file", path.string());
        file = SafetensorsFile::open(path);
        layout = detectLayout(*file);
        auto beside = path;
        beside.replace_extension(".json");
        if (!std::filesystem::exists(beside)) beside = path.parent_path() / "config.json";
        if (std::filesystem::exists(beside)) {
            where = beside.string();
            config = ControlNetConfig::load(beside);
            out.notes.push_back(fmt::format("ControlNet configuration from {}", beside.string()));
        } else {
            config = configFromWeights(unet, *file, layout, out.notes);
            derived = true;
        }
        if (layout.original) out.notes.push_back("original ControlNet key layout (input_hint_block, zero_convs)");
    } else {
        fail("{}: no such ControlNet (expected a diffusers ControlNet folder or a .safetensors file)", path.string());
    }
    checkControlNetFits(config, unet, where);
    out.net = ControlNetModel(config);
    try {
        if (layout.original)
            loadMapped(*out.net, *file, originalControlNetNames(config, unet, layout.prefix),
                       "weights do not match the ControlNet (original key layout)");
        else
            loadStateDict(*out.net, *file);
    } catch (const Error& e) {
        if (!derived) throw;
        fail("{}\n(the configuration was derived from the UNet; put the ControlNet's config.json beside the file as "
             "{}.json)", e.what(), path.stem().string());
    }
    out.net->to(device, dtype);
    out.net->eval();
    for (auto& p : out.net->parameters()) p.set_requires_grad(false);
    return out;
}

}  // namespace sa
