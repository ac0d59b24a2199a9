#include "core/models/unet_2d_condition.h"

#include <algorithm>
#include <set>

namespace sa {

void UNetEncoderConfig::readEncoderFields(const JsonConfig& j) {
    in_channels = j.get<int>("in_channels", 4);
    down_block_types = j.get<std::vector<std::string>>("down_block_types");
    block_out_channels = j.get<std::vector<int>>("block_out_channels");
    const size_t blocks = block_out_channels.size();
    if (blocks == 0 || down_block_types.size() != blocks)
        fail("{}: block_out_channels and down_block_types must have the same non-zero length ({}, {})", j.where(),
             blocks, down_block_types.size());
    if (std::any_of(block_out_channels.begin(), block_out_channels.end(), [](int c) { return c <= 0; }))
        fail("{}: block_out_channels must be positive", j.where());
    for (const auto& type : down_block_types)
        if (type != "DownBlock2D" && type != "CrossAttnDownBlock2D")
            fail("{}: down_block_types: '{}' is not supported (DownBlock2D, CrossAttnDownBlock2D)", j.where(), type);
    j.expectOneOf("mid_block_type", {"UNetMidBlock2DCrossAttn"});
    layers_per_block = j.get<int>("layers_per_block", 2);
    downsample_padding = j.get<int>("downsample_padding", 1);
    mid_block_scale_factor = j.get<double>("mid_block_scale_factor", 1.0);
    act_fn = j.get<std::string>("act_fn", "silu");
    activationByName(act_fn, j.where() + " act_fn");  // fail here, naming the file
    norm_num_groups = j.get<int>("norm_num_groups");
    norm_eps = j.get<double>("norm_eps", 1e-5);
    cross_attention_dim = j.intOrList("cross_attention_dim", blocks, 1280);
    transformer_layers_per_block = j.intOrList("transformer_layers_per_block", blocks, 1);
    // diffusers 0.25 reads `attention_head_dim` as the number of heads (a known naming quirk)
    // unless num_attention_heads is given.
    num_attention_heads = j.has("num_attention_heads") ? j.intOrList("num_attention_heads", blocks)
                                                       : j.intOrList("attention_head_dim", blocks, 8);
    j.ignore({"attention_head_dim"});
    for (int heads : num_attention_heads)
        if (heads <= 0)
            fail("{}: {} must be positive, got {}", j.where(),
                 j.has("num_attention_heads") ? "num_attention_heads" : "attention_head_dim", heads);
    use_linear_projection = j.get<bool>("use_linear_projection", false);
    flip_sin_to_cos = j.get<bool>("flip_sin_to_cos", true);
    freq_shift = j.get<double>("freq_shift", 0.0);
    if (j.has("addition_embed_type")) {
        j.expectOneOf("addition_embed_type", {"text_time"});
        addition_embed_type = j.get<std::string>("addition_embed_type");
        addition_time_embed_dim = j.get<int>("addition_time_embed_dim");
        projection_class_embeddings_input_dim = j.get<int>("projection_class_embeddings_input_dim");
    } else {
        j.ignore({"addition_time_embed_dim", "projection_class_embeddings_input_dim"});  // unused without it
    }
    j.expectOneOf("resnet_time_scale_shift", {"default"});
    if (j.has("only_cross_attention")) {
        const auto& v = j.json().at("only_cross_attention");
        if (v == true || (v.is_array() && std::any_of(v.begin(), v.end(), [](const auto& x) { return x == true; })))
            fail("{}: only_cross_attention = true is not supported", j.where());
    }
    // Attention is computed in float32 either way; the extra heads belong to addition_embed_type "text".
    j.ignore({"only_cross_attention", "upcast_attention", "addition_embed_type_num_heads"});
}

BlockOptions UNetEncoderConfig::downBlockOptions(int i) const {
    const int blocks = static_cast<int>(block_out_channels.size());
    BlockOptions o{.inChannels = block_out_channels[std::max(i - 1, 0)],
                   .outChannels = block_out_channels[i],
                   .tembChannels = timeEmbedDim(),
                   .layers = layers_per_block,
                   .groups = norm_num_groups,
                   .eps = norm_eps,
                   .act = act_fn,
                   .addSample = i < blocks - 1,
                   .downsamplePadding = downsample_padding,
                   .useLinearProjection = use_linear_projection};
    if (down_block_types[i] == "CrossAttnDownBlock2D") {
        o.heads = num_attention_heads[i];
        o.transformerLayers = transformer_layers_per_block[i];
        o.crossAttentionDim = cross_attention_dim[i];
    }
    return o;
}

BlockOptions UNetEncoderConfig::midBlockOptions() const {
    return BlockOptions{.inChannels = block_out_channels.back(),
                        .tembChannels = timeEmbedDim(),
                        .layers = 1,
                        .groups = norm_num_groups,
                        .eps = norm_eps,
                        .act = act_fn,
                        .outputScaleFactor = mid_block_scale_factor,
                        .downsamplePadding = downsample_padding,
                        .heads = num_attention_heads.back(),
                        .transformerLayers = transformer_layers_per_block.back(),
                        .crossAttentionDim = cross_attention_dim.back(),
                        .useLinearProjection = use_linear_projection};
}

UNet2DConditionConfig UNet2DConditionConfig::fromJson(const JsonConfig& j) {
    UNet2DConditionConfig c;
    j.expectOneOf("_class_name", {"UNet2DConditionModel"});
    c.readEncoderFields(j);
    c.out_channels = j.get<int>("out_channels", 4);
    c.up_block_types = j.get<std::vector<std::string>>("up_block_types");
    if (c.up_block_types.size() != c.block_out_channels.size())
        fail("{}: up_block_types must have as many entries as block_out_channels ({}, {})", j.where(),
             c.up_block_types.size(), c.block_out_channels.size());
    for (const auto& type : c.up_block_types)
        if (type != "UpBlock2D" && type != "CrossAttnUpBlock2D")
            fail("{}: up_block_types: '{}' is not supported (UpBlock2D, CrossAttnUpBlock2D)", j.where(), type);
    c.reverse_transformer_layers_per_block = c.transformer_layers_per_block;
    std::reverse(c.reverse_transformer_layers_per_block.begin(), c.reverse_transformer_layers_per_block.end());
    if (j.has("reverse_transformer_layers_per_block"))
        fail("{}: reverse_transformer_layers_per_block is not supported", j.where());
    c.conv_in_kernel = j.get<int>("conv_in_kernel", 3);
    c.conv_out_kernel = j.get<int>("conv_out_kernel", 3);
    c.sample_size = j.get<int>("sample_size", 64);

    // Values this implementation reproduces only at their defaults.
    j.expectOneOf("attention_type", {"default"});
    j.expectOneOf("time_embedding_type", {"positional"});
    j.expectOneOf("resnet_out_scale_factor", {1.0, 1});
    j.expectOneOf("center_input_sample", {false});
    j.ignore({"dropout", "class_embeddings_concat", "dual_cross_attention", "resnet_skip_time_act"});
    j.finish();  // class_embed_type, encoder_hid_dim, time_cond_proj_dim, ... must be null
    return c;
}

nlohmann::json UNetEncoderConfig::encoderJson() const {
    nlohmann::json j = {{"act_fn", act_fn},
                        {"attention_head_dim", num_attention_heads},
                        {"block_out_channels", block_out_channels},
                        {"cross_attention_dim", cross_attention_dim},
                        {"down_block_types", down_block_types},
                        {"downsample_padding", downsample_padding},
                        {"flip_sin_to_cos", flip_sin_to_cos},
                        {"freq_shift", freq_shift},
                        {"in_channels", in_channels},
                        {"layers_per_block", layers_per_block},
                        {"mid_block_scale_factor", mid_block_scale_factor},
                        {"mid_block_type", mid_block_type},
                        {"norm_eps", norm_eps},
                        {"norm_num_groups", norm_num_groups},
                        {"transformer_layers_per_block", transformer_layers_per_block},
                        {"use_linear_projection", use_linear_projection}};
    if (addition_embed_type) {
        j["addition_embed_type"] = *addition_embed_type;
        j["addition_time_embed_dim"] = addition_time_embed_dim;
        j["projection_class_embeddings_input_dim"] = projection_class_embeddings_input_dim;
    }
    return j;
}

nlohmann::json UNet2DConditionConfig::toJson() const {
    auto j = encoderJson();
    j["_class_name"] = "UNet2DConditionModel";
    j["_diffusers_version"] = "0.25.0";
    j["center_input_sample"] = false;
    j["conv_in_kernel"] = conv_in_kernel;
    j["conv_out_kernel"] = conv_out_kernel;
    j["out_channels"] = out_channels;
    j["sample_size"] = sample_size;
    j["up_block_types"] = up_block_types;
    return j;
}

UNet2DConditionConfig UNet2DConditionConfig::load(const std::filesystem::path& configFile) {
    return fromJson(JsonConfig::load(configFile));
}

UNet2DConditionModelImpl::UNet2DConditionModelImpl(UNet2DConditionConfig config) : config_(std::move(config)) {
    const auto& c = config_;
    const int blocks = static_cast<int>(c.block_out_channels.size());
    const int timeEmbedDim = c.timeEmbedDim();

    convIn = register_module("conv_in", conv2d(c.in_channels, c.block_out_channels[0], c.conv_in_kernel, 1,
                                               (c.conv_in_kernel - 1) / 2));
    timeEmbedding = register_module("time_embedding", TimestepEmbedding(c.block_out_channels[0], timeEmbedDim, c.act_fn));
    if (c.addition_embed_type)
        addEmbedding = register_module("add_embedding",
                                       TimestepEmbedding(c.projection_class_embeddings_input_dim, timeEmbedDim, c.act_fn));

    for (int i = 0; i < blocks; ++i) downBlocks.push_back(DownBlock(c.downBlockOptions(i)));
    for (int i = 0; i < blocks; ++i) {
        const int r = blocks - 1 - i;  // index into the down-block order
        BlockOptions o = c.downBlockOptions(r);  // the channels and widths of its mirror image
        o.prevOutputChannels = c.block_out_channels[std::min(r + 1, blocks - 1)];
        o.layers = c.layers_per_block + 1;
        o.addSample = i < blocks - 1;
        o.heads = 0;
        if (c.up_block_types[i] == "CrossAttnUpBlock2D") {
            o.heads = c.num_attention_heads[r];
            o.transformerLayers = c.reverse_transformer_layers_per_block[i];
            o.crossAttentionDim = c.cross_attention_dim[r];
        }
        upBlocks.push_back(UpBlock(o, true));
    }
    // Registration order = diffusers' (down_blocks, up_blocks, mid_block): it is the order of
    // `attn_processors`, which StyleAligned's only_self_level depends on.
    registerList(*this, "down_blocks", downBlocks);
    registerList(*this, "up_blocks", upBlocks);
    midBlock = register_module("mid_block", MidBlockCrossAttn(c.midBlockOptions()));
    convNormOut = register_module("conv_norm_out", GroupNorm(c.norm_num_groups, c.block_out_channels[0], c.norm_eps));
    convOut = register_module("conv_out", conv2d(c.block_out_channels[0], c.out_channels, c.conv_out_kernel, 1,
                                                 (c.conv_out_kernel - 1) / 2));

    for (const auto& item : named_modules("", false))
        if (auto* attn = dynamic_cast<AttentionImpl*>(item.value().get())) attentionLayers_.emplace_back(item.key(), attn);
}

torch::Tensor embedTimestep(const UNetEncoderConfig& c, TimestepEmbeddingImpl& timeEmbedding,
                            TimestepEmbeddingImpl* addEmbedding, const torch::Tensor& timestep, int64_t batch,
                            const AddedCond* added, const torch::Tensor& like, const std::string& network,
                            std::map<std::string, torch::Tensor>* debug) {
    auto t = timestep.to(like.device());
    if (t.dim() == 0) t = t.unsqueeze(0);
    t = t.expand({batch});
    auto tEmb = timestepEmbedding(t, c.block_out_channels[0], c.flip_sin_to_cos, c.freq_shift).to(like.scalar_type());
    auto emb = timeEmbedding.forward(tEmb);
    if (debug) (*debug)["time_embedding"] = emb;
    if (c.addition_embed_type) {
        if (!added || !added->textEmbeds.defined() || !added->timeIds.defined())
            fail("{}: addition_embed_type 'text_time' needs text_embeds and time_ids (SDXL)", network);
        auto timeEmbeds = timestepEmbedding(added->timeIds.flatten(), c.addition_time_embed_dim, c.flip_sin_to_cos,
                                            c.freq_shift)
                              .reshape({added->textEmbeds.size(0), -1});
        auto addEmbeds = torch::cat({added->textEmbeds, timeEmbeds}, -1).to(emb.scalar_type());
        if (addEmbeds.size(1) != c.projection_class_embeddings_input_dim)
            fail("{}: text_embeds + time_ids give {} features, projection_class_embeddings_input_dim is {}", network,
                 addEmbeds.size(1), c.projection_class_embeddings_input_dim);
        auto aug = addEmbedding->forward(addEmbeds);
        if (debug) (*debug)["add_embedding"] = aug;
        emb = emb + aug;
    }
    return emb;
}

namespace {

// A residual fits its skip when it has the skip's shape, or [B, C, 1, 1] (global pooling).
bool residualFits(const torch::Tensor& residual, const torch::Tensor& skip) {
    if (residual.dim() != 4 || residual.size(0) != skip.size(0) || residual.size(1) != skip.size(1)) return false;
    return (residual.size(2) == skip.size(2) && residual.size(3) == skip.size(3)) ||
           (residual.size(2) == 1 && residual.size(3) == 1);
}

void checkResidual(const torch::Tensor& residual, const torch::Tensor& skip, const std::string& what) {
    if (!residual.defined()) fail("UNet2DConditionModel: ControlNet residual {} is missing", what);
    if (!residualFits(residual, skip))
        fail("UNet2DConditionModel: ControlNet residual {} has shape [{}], the UNet's feature map there is [{}]",
             what, fmt::join(residual.sizes(), ", "), fmt::join(skip.sizes(), ", "));
}

}  // namespace

torch::Tensor UNet2DConditionModelImpl::forward(const torch::Tensor& sample, const torch::Tensor& timestep,
                                                const torch::Tensor& context, const AddedCond* added,
                                                std::map<std::string, torch::Tensor>* debug,
                                                const UNetResiduals* residuals) {
    const int64_t factor = int64_t{1} << numUpsamplers();
    const bool forwardUpsampleSize = sample.size(-2) % factor != 0 || sample.size(-1) % factor != 0;
    auto emb = embedTimestep(config_, *timeEmbedding, addEmbedding ? addEmbedding.get() : nullptr, timestep,
                             sample.size(0), added, convIn->weight, "UNet2DConditionModel", debug);

    auto h = convIn(sample);
    if (debug) (*debug)["conv_in"] = h;
    std::vector<torch::Tensor> skips{h};
    for (size_t i = 0; i < downBlocks.size(); ++i) {
        h = downBlocks[i](h, emb, context, &skips);
        if (debug) (*debug)[fmt::format("down_blocks.{}", i)] = h;
    }
    if (residuals) {  // diffusers: down_block_res_samples + down_block_additional_residuals
        if (residuals->down.size() != skips.size())
            fail("UNet2DConditionModel: {} ControlNet down residuals given, the UNet has {} skip connections",
                 residuals->down.size(), skips.size());
        for (size_t i = 0; i < skips.size(); ++i) {
            checkResidual(residuals->down[i], skips[i], fmt::format("down {}", i));
            skips[i] = skips[i] + residuals->down[i];
        }
    }
    h = midBlock(h, emb, context);
    if (residuals) {
        checkResidual(residuals->mid, h, "mid");
        h = h + residuals->mid;
    }
    if (debug) (*debug)["mid_block"] = h;
    for (size_t i = 0; i < upBlocks.size(); ++i) {
        std::optional<std::vector<int64_t>> upsampleSize;
        const bool isFinal = i + 1 == upBlocks.size();
        const size_t used = upBlocks[i]->resnets.size();
        if (!isFinal && forwardUpsampleSize) upsampleSize = skips[skips.size() - used - 1].sizes().slice(2).vec();
        h = upBlocks[i](h, &skips, emb, context, upsampleSize);
        if (debug) (*debug)[fmt::format("up_blocks.{}", i)] = h;
    }
    h = convNormOut(h);
    if (debug) (*debug)["conv_norm_out"] = h;
    return convOut(torch::silu(h));
}

std::vector<std::string> UNet2DConditionModelImpl::selfAttentionPaths() const {
    std::vector<std::string> paths;
    for (const auto& [path, attn] : attentionLayers_)
        if (!attn->isCrossAttention()) paths.push_back(path);
    return paths;
}

AttentionImpl& UNet2DConditionModelImpl::attentionLayer(const std::string& path) const {
    for (const auto& [p, attn] : attentionLayers_)
        if (p == path) return *attn;
    std::vector<std::string> valid;
    for (const auto& [p, attn] : attentionLayers_) valid.push_back(p);
    fail("UNet has no attention layer '{}'; valid paths: {}", path, fmt::join(valid, ", "));
}

void UNet2DConditionModelImpl::setAttnProcessors(const std::map<std::string, std::shared_ptr<AttnProcessor>>& processors) {
    for (const auto& [path, processor] : processors) attentionLayer(path);  // validate all first
    for (const auto& [path, processor] : processors)
        attentionLayer(path).processor = processor ? processor : DefaultAttnProcessor::shared();
}

void UNet2DConditionModelImpl::setAttnProcessor(const std::shared_ptr<AttnProcessor>& processor) {
    for (auto& [path, attn] : attentionLayers_) attn->processor = processor ? processor : DefaultAttnProcessor::shared();
}

std::vector<GroupNormImpl*> UNet2DConditionModelImpl::groupNorms() {
    std::vector<GroupNormImpl*> norms;
    for (const auto& item : modules(false))
        if (auto* norm = dynamic_cast<GroupNormImpl*>(item.get())) norms.push_back(norm);
    return norms;
}

}  // namespace sa
