#pragma once
// The three image towers users download from model hubs, with the parameter names of their
// transformers checkpoints:
//   CLIPVisionModel(WithProjection)  models/clip/modeling_clip.py   (CLIP ViT-L/14: the text score)
//   BlipVisionModel                  models/blip/modeling_blip.py   (the captioner's image encoder)
//   ViTModel                         models/vit/modeling_vit.py     (DINO ViT-B/8, ViT-S/16: set consistency)
// All three: patches by a strided convolution, a class token, learned positions, pre-norm layers.
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/io/json_config.h"
#include "core/models/clip_text_model.h"
#include "core/models/layers.h"

namespace sa {

struct VisionTransformerConfig {
    int hidden_size = 768;
    int intermediate_size = 3072;
    int num_hidden_layers = 12;
    int num_attention_heads = 12;
    int image_size = 224;
    int patch_size = 16;
    int num_channels = 3;
    std::string hidden_act = "gelu";
    double layer_norm_eps = 1e-12;
    int projection_dim = 0;     // CLIP: visual_projection's width (0: none)
    bool qkv_bias = true;       // ViT
    bool pooling_layer = true;  // ViT: ViTPooler present

    int patchesPerSide() const { return image_size / patch_size; }
    int tokens() const { return patchesPerSide() * patchesPerSide() + 1; }

    // The vision fields of each family's config (a standalone config.json or a composite's
    // vision_config), with that family's defaults. Unknown fields are refused. clip():
    // projectionDim > 0 is a CLIPModel's top-level projection_dim, 0 reads the config's own.
    static VisionTransformerConfig clip(const JsonConfig& json, int projectionDim);
    static VisionTransformerConfig blip(const JsonConfig& json);
    static VisionTransformerConfig vit(const JsonConfig& json);
};

struct VisionOutput {
    torch::Tensor lastHiddenState;  // [B, 1 + patches, H]
    torch::Tensor pooled;           // [B, H]: CLIP post_layernorm(CLS); ViT tanh(dense(CLS)); BLIP post_layernorm(CLS)
    torch::Tensor imageEmbeds;      // [B, P]: CLIP visual_projection(pooled)
};

// CLIPVisionModelWithProjection: "vision_model.…" and "visual_projection" (also the keys of a
// full CLIPModel, whose text tower is CLIPTextModel).
class CLIPVisionModelImpl : public torch::nn::Module {
public:
    explicit CLIPVisionModelImpl(VisionTransformerConfig config);
    VisionOutput forward(const torch::Tensor& pixels);
    const VisionTransformerConfig& config() const { return config_; }

private:
    VisionTransformerConfig config_;
    torch::Tensor classEmbedding;
    Conv2d patchEmbedding{nullptr};
    torch::nn::Embedding positionEmbedding{nullptr};
    torch::nn::LayerNorm preLayerNorm{nullptr}, postLayerNorm{nullptr};
    std::vector<CLIPEncoderLayer> layers;
    Linear visualProjection{nullptr};
};
TORCH_MODULE(CLIPVisionModel);

// BLIP's vision layer: fused qkv, "projection", scores multiplied by the scale.
class BlipVisionLayerImpl : public torch::nn::Module {
public:
    explicit BlipVisionLayerImpl(const VisionTransformerConfig& config);
    torch::Tensor forward(const torch::Tensor& x);

private:
    int heads;
    Activation act;
    torch::nn::LayerNorm layerNorm1{nullptr}, layerNorm2{nullptr};
    Linear qkv{nullptr}, projection{nullptr}, fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(BlipVisionLayer);

// BlipVisionModel, registered under "vision_model" of BlipForConditionalGeneration.
class BlipVisionModelImpl : public torch::nn::Module {
public:
    explicit BlipVisionModelImpl(VisionTransformerConfig config);
    VisionOutput forward(const torch::Tensor& pixels);
    const VisionTransformerConfig& config() const { return config_; }

private:
    VisionTransformerConfig config_;
    torch::Tensor classEmbedding, positionEmbedding;
    Conv2d patchEmbedding{nullptr};
    std::vector<BlipVisionLayer> layers;
    torch::nn::LayerNorm postLayerNorm{nullptr};
};
TORCH_MODULE(BlipVisionModel);

class ViTLayerImpl : public torch::nn::Module {
public:
    explicit ViTLayerImpl(const VisionTransformerConfig& config);
    torch::Tensor forward(const torch::Tensor& x);

private:
    int heads;
    Activation act;
    torch::nn::LayerNorm layerNormBefore{nullptr}, layerNormAfter{nullptr};
    Linear query{nullptr}, key{nullptr}, value{nullptr}, attentionOut{nullptr}, intermediate{nullptr},
        output{nullptr};
};
TORCH_MODULE(ViTLayer);

// ViTModel (keys at the root: "embeddings.…", "encoder.layer.N.…", "layernorm", "pooler").
class ViTModelImpl : public torch::nn::Module {
public:
    explicit ViTModelImpl(VisionTransformerConfig config);
    VisionOutput forward(const torch::Tensor& pixels);
    const VisionTransformerConfig& config() const { return config_; }

private:
    VisionTransformerConfig config_;
    torch::Tensor clsToken, positionEmbeddings;
    Conv2d patchProjection{nullptr};
    std::vector<ViTLayer> layers;
    torch::nn::LayerNorm layerNorm{nullptr};
    Linear poolerDense{nullptr};
};
TORCH_MODULE(ViTModel);

}  // namespace sa
