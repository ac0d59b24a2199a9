#include "core/models/vision_transformers.h"

namespace sa {
namespace {

// The fields all three families share; defaults differ per family.
VisionTransformerConfig readCommon(const JsonConfig& j, VisionTransformerConfig c) {
    c.hidden_size = j.get<int>("hidden_size", c.hidden_size);
    c.intermediate_size = j.get<int>("intermediate_size", c.intermediate_size);
    c.num_hidden_layers = j.get<int>("num_hidden_layers", c.num_hidden_layers);
    c.num_attention_heads = j.get<int>("num_attention_heads", c.num_attention_heads);
    c.image_size = j.get<int>("image_size", c.image_size);
    c.patch_size = j.get<int>("patch_size", c.patch_size);
    c.num_channels = j.get<int>("num_channels", c.num_channels);
    c.hidden_act = j.get<std::string>("hidden_act", c.hidden_act);
    c.layer_norm_eps = j.get<double>("layer_norm_eps", c.layer_norm_eps);
    auto positive = [&](const char* field, int value) {
        if (value <= 0) fail("{}: {} must be positive, got {}", j.where(), field, value);
    };
    positive("hidden_size", c.hidden_size);
    positive("intermediate_size", c.intermediate_size);
    positive("num_hidden_layers", c.num_hidden_layers);
    positive("num_attention_heads", c.num_attention_heads);
    positive("patch_size", c.patch_size);
    positive("num_channels", c.num_channels);
    if (c.hidden_size % c.num_attention_heads != 0)
        fail("{}: hidden_size {} is not divisible by num_attention_heads {}", j.where(), c.hidden_size,
             c.num_attention_heads);
    if (c.image_size < c.patch_size || c.image_size % c.patch_size != 0)
        fail("{}: image_size {} is not a multiple of patch_size {}", j.where(), c.image_size, c.patch_size);
    if (c.image_size > 4096) fail("{}: image_size {} is larger than any vision tower", j.where(), c.image_size);
    if (c.num_hidden_layers > 256) fail("{}: num_hidden_layers {} is implausible", j.where(), c.num_hidden_layers);
    activationByName(c.hidden_act, j.where() + " hidden_act");
    j.ignoreTransformersGeneric();
    return c;
}

torch::Tensor patchTokens(Conv2d& conv, const torch::Tensor& pixels, const VisionTransformerConfig& c,
                          const char* what) {
    if (pixels.dim() != 4 || pixels.size(1) != c.num_channels || pixels.size(2) != c.image_size ||
        pixels.size(3) != c.image_size)
        fail("{}: expected pixel values [B, {}, {}, {}], got {}", what, c.num_channels, c.image_size, c.image_size,
             fmt::format("{}", fmt::join(pixels.sizes(), ", ")));
    auto x = pixels.to(conv->weight.device(), conv->weight.scalar_type());
    return conv(x).flatten(2).transpose(1, 2);  // [B, patches, H]
}

}  // namespace

VisionTransformerConfig VisionTransformerConfig::clip(const JsonConfig& j, int projectionDim) {
    VisionTransformerConfig d;
    d.image_size = 224, d.patch_size = 32, d.hidden_act = "quick_gelu", d.layer_norm_eps = 1e-5;
    d.intermediate_size = 3072;
    auto c = readCommon(j, d);
    // A CLIPModel's projection width is its top-level projection_dim (its vision_config may carry
    // a stale default); a standalone CLIPVisionModelWithProjection has its own.
    c.projection_dim = projectionDim > 0 ? projectionDim : j.get<int>("projection_dim", 512);
    j.ignore({"projection_dim"});
    j.expectOneOf("model_type", {"clip_vision_model"});
    j.finish();
    return c;
}

VisionTransformerConfig VisionTransformerConfig::blip(const JsonConfig& j) {
    VisionTransformerConfig d;
    d.image_size = 384, d.hidden_act = "gelu", d.layer_norm_eps = 1e-5;
    auto c = readCommon(j, d);
    j.ignore({"projection_dim"});  // used by the retrieval heads only
    j.expectOneOf("model_type", {"blip_vision_model"});
    j.finish();
    return c;
}

VisionTransformerConfig VisionTransformerConfig::vit(const JsonConfig& j) {
    auto c = readCommon(j, VisionTransformerConfig{});
    c.qkv_bias = j.get<bool>("qkv_bias", true);
    j.expectOneOf("model_type", {"vit", "dino"});
    j.ignore({"encoder_stride"});  // masked-image-modelling decoder only
    j.finish();
    return c;
}

// ---- CLIP -----------------------------------------------------------------------------------------

CLIPVisionModelImpl::CLIPVisionModelImpl(VisionTransformerConfig config) : config_(std::move(config)) {
    const auto& c = config_;
    auto vision = std::make_shared<torch::nn::Module>();
    auto embeddings = std::make_shared<torch::nn::Module>();
    classEmbedding = embeddings->register_parameter("class_embedding", torch::zeros({c.hidden_size}));
    patchEmbedding = embeddings->register_module(
        "patch_embedding", conv2d(c.num_channels, c.hidden_size, c.patch_size, c.patch_size, 0, false));
    positionEmbedding = embeddings->register_module("position_embedding", torch::nn::Embedding(c.tokens(), c.hidden_size));
    vision->register_module("embeddings", embeddings);
    preLayerNorm = vision->register_module("pre_layrnorm", layerNorm(c.hidden_size, c.layer_norm_eps));  // sic
    layers = registerClipEncoder(*vision, c.num_hidden_layers, c.hidden_size, c.intermediate_size,
                                 c.num_attention_heads, c.hidden_act, c.layer_norm_eps);
    postLayerNorm = vision->register_module("post_layernorm", layerNorm(c.hidden_size, c.layer_norm_eps));
    register_module("vision_model", vision);
    if (c.projection_dim > 0)
        visualProjection = register_module("visual_projection", linear(c.hidden_size, c.projection_dim, false));
}

VisionOutput CLIPVisionModelImpl::forward(const torch::Tensor& pixels) {
    auto patches = patchTokens(patchEmbedding, pixels, config_, "CLIP vision model");
    auto cls = classEmbedding.expand({patches.size(0), 1, -1});
    auto h = torch::cat({cls, patches}, 1) + positionEmbedding->weight.unsqueeze(0);
    h = preLayerNorm(h);
    for (auto& layer : layers) h = layer(h);
    VisionOutput out;
    out.lastHiddenState = h;
    out.pooled = postLayerNorm(h.select(1, 0));
    if (visualProjection) out.imageEmbeds = visualProjection(out.pooled);
    return out;
}

// ---- BLIP -----------------------------------------------------------------------------------------

BlipVisionLayerImpl::BlipVisionLayerImpl(const VisionTransformerConfig& c)
    : heads(c.num_attention_heads), act(activationByName(c.hidden_act, "BLIP vision")) {
    const int h = c.hidden_size;
    auto selfAttn = std::make_shared<torch::nn::Module>();
    qkv = selfAttn->register_module("qkv", linear(h, 3 * h));
    projection = selfAttn->register_module("projection", linear(h, h));
    register_module("self_attn", selfAttn);
    layerNorm1 = register_module("layer_norm1", layerNorm(h, c.layer_norm_eps));
    auto mlp = std::make_shared<torch::nn::Module>();
    fc1 = mlp->register_module("fc1", linear(h, c.intermediate_size));
    fc2 = mlp->register_module("fc2", linear(c.intermediate_size, h));
    register_module("mlp", mlp);
    layerNorm2 = register_module("layer_norm2", layerNorm(h, c.layer_norm_eps));
}

torch::Tensor BlipVisionLayerImpl::forward(const torch::Tensor& x) {
    const auto b = x.size(0), t = x.size(1);
    // mixed_qkv.reshape(B, T, 3, heads, d).permute(2, 0, 3, 1, 4)
    auto mixed = qkv(layerNorm1(x)).reshape({b, t, 3, heads, -1}).permute({2, 0, 3, 1, 4});
    auto attn = scaledAttention(mixed[0], mixed[1], mixed[2], ScaleAt::ScoresMultiply);
    auto h = x + projection(mergeHeads(attn));
    return h + fc2(act(fc1(layerNorm2(h))));
}

BlipVisionModelImpl::BlipVisionModelImpl(VisionTransformerConfig config) : config_(std::move(config)) {
    const auto& c = config_;
    auto embeddings = std::make_shared<torch::nn::Module>();
    classEmbedding = embeddings->register_parameter("class_embedding", torch::zeros({1, 1, c.hidden_size}));
    patchEmbedding = embeddings->register_module(
        "patch_embedding", conv2d(c.num_channels, c.hidden_size, c.patch_size, c.patch_size, 0, true));
    positionEmbedding = embeddings->register_parameter("position_embedding", torch::zeros({1, c.tokens(), c.hidden_size}));
    register_module("embeddings", embeddings);
    auto encoder = std::make_shared<torch::nn::Module>();
    for (int i = 0; i < c.num_hidden_layers; ++i) layers.push_back(BlipVisionLayer(c));
    registerList(*encoder, "layers", layers);
    register_module("encoder", encoder);
    postLayerNorm = register_module("post_layernorm", layerNorm(c.hidden_size, c.layer_norm_eps));
}

VisionOutput BlipVisionModelImpl::forward(const torch::Tensor& pixels) {
    auto patches = patchTokens(patchEmbedding, pixels, config_, "BLIP vision model");
    auto h = torch::cat({classEmbedding.expand({patches.size(0), 1, -1}), patches}, 1) + positionEmbedding;
    for (auto& layer : layers) h = layer(h);
    VisionOutput out;
    out.lastHiddenState = postLayerNorm(h);
    out.pooled = postLayerNorm(out.lastHiddenState.select(1, 0));  // BlipVisionModel normalises the CLS twice
    return out;
}

// ---- ViT ------------------------------------------------------------------------------------------

ViTLayerImpl::ViTLayerImpl(const VisionTransformerConfig& c)
    : heads(c.num_attention_heads), act(activationByName(c.hidden_act, "ViT")) {
    const int h = c.hidden_size;
    auto attention = std::make_shared<torch::nn::Module>();
    auto self = std::make_shared<torch::nn::Module>();
    query = self->register_module("query", linear(h, h, c.qkv_bias));
    key = self->register_module("key", linear(h, h, c.qkv_bias));
    value = self->register_module("value", linear(h, h, c.qkv_bias));
    attention->register_module("attention", self);
    auto attentionOutput = std::make_shared<torch::nn::Module>();
    attentionOut = attentionOutput->register_module("dense", linear(h, h));
    attention->register_module("output", attentionOutput);
    register_module("attention", attention);
    auto inter = std::make_shared<torch::nn::Module>();
    intermediate = inter->register_module("dense", linear(h, c.intermediate_size));
    register_module("intermediate", inter);
    auto out = std::make_shared<torch::nn::Module>();
    output = out->register_module("dense", linear(c.intermediate_size, h));
    register_module("output", out);
    layerNormBefore = register_module("layernorm_before", layerNorm(h, c.layer_norm_eps));
    layerNormAfter = register_module("layernorm_after", layerNorm(h, c.layer_norm_eps));
}

torch::Tensor ViTLayerImpl::forward(const torch::Tensor& x) {
    auto n = layerNormBefore(x);
    auto attn = scaledAttention(splitHeads(query(n), heads), splitHeads(key(n), heads), splitHeads(value(n), heads),
                                ScaleAt::ScoresDivide);
    auto h = x + attentionOut(mergeHeads(attn));
    return h + output(act(intermediate(layerNormAfter(h))));
}

ViTModelImpl::ViTModelImpl(VisionTransformerConfig config) : config_(std::move(config)) {
    const auto& c = config_;
    auto embeddings = std::make_shared<torch::nn::Module>();
    clsToken = embeddings->register_parameter("cls_token", torch::zeros({1, 1, c.hidden_size}));
    positionEmbeddings = embeddings->register_parameter("position_embeddings", torch::zeros({1, c.tokens(), c.hidden_size}));
    auto patchEmbeddings = std::make_shared<torch::nn::Module>();
    patchProjection = patchEmbeddings->register_module(
        "projection", conv2d(c.num_channels, c.hidden_size, c.patch_size, c.patch_size, 0, true));
    embeddings->register_module("patch_embeddings", patchEmbeddings);
    register_module("embeddings", embeddings);
    auto encoder = std::make_shared<torch::nn::Module>();
    for (int i = 0; i < c.num_hidden_layers; ++i) layers.push_back(ViTLayer(c));
    registerList(*encoder, "layer", layers);
    register_module("encoder", encoder);
    layerNorm = register_module("layernorm", sa::layerNorm(c.hidden_size, c.layer_norm_eps));
    if (c.pooling_layer) {
        auto pooler = std::make_shared<torch::nn::Module>();
        poolerDense = pooler->register_module("dense", linear(c.hidden_size, c.hidden_size));
        register_module("pooler", pooler);
    }
}

VisionOutput ViTModelImpl::forward(const torch::Tensor& pixels) {
    auto patches = patchTokens(patchProjection, pixels, config_, "ViT");
    auto h = torch::cat({clsToken.expand({patches.size(0), 1, -1}), patches}, 1) + positionEmbeddings;
    for (auto& layer : layers) h = layer(h);
    VisionOutput out;
    out.lastHiddenState = layerNorm(h);
    out.pooled = poolerDense ? torch::tanh(poolerDense(out.lastHiddenState.select(1, 0))) : torch::Tensor();
    return out;
}

}  // namespace sa
