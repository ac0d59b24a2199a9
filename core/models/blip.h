#pragma once
// BlipForConditionalGeneration (transformers models/blip/modeling_blip.py, modeling_blip_text.py):
// the BLIP vision tower and a BERT decoder with cross-attention to the image tokens and an LM
// head. Parameter names are the checkpoint's ("vision_model.…", "text_decoder.bert.…",
// "text_decoder.cls.predictions.…"). The decoder keeps a key / value cache so that generation
// computes each position once (transformers' past_key_values).
#include <vector>

#include <torch/torch.h>

#include "core/io/json_config.h"
#include "core/models/layers.h"
#include "core/models/text_generation.h"
#include "core/models/vision_transformers.h"

namespace sa {

struct BlipTextConfig {
    int vocab_size = 30524;
    int hidden_size = 768;
    int encoder_hidden_size = 768;
    int intermediate_size = 3072;
    int num_hidden_layers = 12;
    int num_attention_heads = 8;
    int max_position_embeddings = 512;
    std::string hidden_act = "gelu";
    double layer_norm_eps = 1e-12;
    int64_t bos_token_id = 30522;
    int64_t eos_token_id = 2;
    int64_t pad_token_id = 0;
    int64_t sep_token_id = 102;  // what generate stops at
    // The generation defaults a hub text_config carries (max_length 20, greedy): what
    // text_decoder.generate uses, since BLIP's generate never reads generation_config.json.
    GenerationOptions generation;

    static BlipTextConfig fromJson(const JsonConfig& json);
};

struct BlipConfig {
    BlipTextConfig text;
    VisionTransformerConfig vision;

    // config.json of a BlipForConditionalGeneration folder; another BLIP head (retrieval, VQA) or
    // another model is refused with what it is.
    static BlipConfig fromJson(const JsonConfig& json);
};

// The decoder's memory between steps: per layer the self-attention keys / values of every
// position so far and the cross-attention keys / values of the image tokens.
struct DecoderCache {
    std::vector<torch::Tensor> selfKeys, selfValues, crossKeys, crossValues;
    int64_t length() const { return selfKeys.empty() || !selfKeys[0].defined() ? 0 : selfKeys[0].size(2); }
    // Keeps rows `index` (beam search reordering).
    void select(const torch::Tensor& index);
};

class BlipTextLayerImpl : public torch::nn::Module {
public:
    explicit BlipTextLayerImpl(const BlipTextConfig& config);
    // x [B, t, H] (the new positions), mask [.., t, past + t] additive or undefined, image [B, S, E].
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, const torch::Tensor& image,
                          DecoderCache& cache, size_t index);

private:
    struct Attention {
        Linear query{nullptr}, key{nullptr}, value{nullptr}, dense{nullptr};
        torch::nn::LayerNorm norm{nullptr};
    };
    Attention makeAttention(const std::string& name, int keyWidth, const BlipTextConfig& c);

    int heads;
    Activation act;
    Attention self_, cross_;
    Linear intermediate{nullptr}, output{nullptr};
    torch::nn::LayerNorm outputNorm{nullptr};
};
TORCH_MODULE(BlipTextLayer);

// BlipTextLMHeadModel, registered as "text_decoder".
class BlipTextDecoderImpl : public torch::nn::Module {
public:
    explicit BlipTextDecoderImpl(BlipTextConfig config);
    // ids [B, t] of the positions after the cached ones → logits [B, t, V].
    torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& image, DecoderCache& cache);
    const BlipTextConfig& config() const { return config_; }

private:
    BlipTextConfig config_;
    torch::nn::Embedding wordEmbeddings{nullptr}, positionEmbeddings{nullptr};
    torch::nn::LayerNorm embeddingNorm{nullptr};
    std::vector<BlipTextLayer> layers;
    Linear transformDense{nullptr}, decoder{nullptr};
    torch::nn::LayerNorm transformNorm{nullptr};
    torch::Tensor decoderBias;
    Activation act;
};
TORCH_MODULE(BlipTextDecoder);

class BlipForConditionalGenerationImpl : public torch::nn::Module {
public:
    explicit BlipForConditionalGenerationImpl(BlipConfig config);
    const BlipConfig& config() const { return config_; }

    BlipVisionModel visionModel{nullptr};
    BlipTextDecoder textDecoder{nullptr};

private:
    BlipConfig config_;
};
TORCH_MODULE(BlipForConditionalGeneration);

}  // namespace sa
