#pragma once
// CLIPTextModel / CLIPTextModelWithProjection (transformers models/clip/modeling_clip.py).
#include <filesystem>
#include <vector>

#include <torch/torch.h>

#include "core/io/json_config.h"
#include "core/models/layers.h"

namespace sa {

struct CLIPTextConfig {
    int vocab_size = 49408;
    int hidden_size = 512;
    int intermediate_size = 2048;
    int num_hidden_layers = 12;
    int num_attention_heads = 8;
    int max_position_embeddings = 77;
    std::string hidden_act = "quick_gelu";
    double layer_norm_eps = 1e-5;
    int eos_token_id = 2;
    int projection_dim = 512;
    bool with_projection = false;  // architectures: CLIPTextModelWithProjection

    static CLIPTextConfig fromJson(const JsonConfig& json);
    static CLIPTextConfig load(const std::filesystem::path& configFile);
    nlohmann::json toJson() const;
};

struct CLIPTextOutput {
    torch::Tensor lastHiddenState;            // final_layer_norm(last layer)  [B, T, H]
    std::vector<torch::Tensor> hiddenStates;  // embeddings, then every layer's output (no final norm)
    torch::Tensor pooled;                     // last_hidden_state at the eos position  [B, H]
    torch::Tensor textEmbeds;                 // text_projection(pooled), WithProjection only  [B, P]
};

// One pre-norm encoder layer of CLIP's text and vision towers (CLIPEncoderLayer).
class CLIPEncoderLayerImpl : public torch::nn::Module {
public:
    CLIPEncoderLayerImpl(int hidden, int intermediate, int heads, const std::string& act, double eps);
    // mask: the text tower's causal mask, undefined for the vision tower.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask = {});

    torch::nn::LayerNorm layerNorm1{nullptr}, layerNorm2{nullptr};
    Linear qProj{nullptr}, kProj{nullptr}, vProj{nullptr}, outProj{nullptr}, fc1{nullptr}, fc2{nullptr};
    Activation act;
    int heads;
};
TORCH_MODULE(CLIPEncoderLayer);

// `count` encoder layers registered as "encoder.layers.N" under `owner` (both CLIP towers).
std::vector<CLIPEncoderLayer> registerClipEncoder(torch::nn::Module& owner, int count, int hidden, int intermediate,
                                                  int heads, const std::string& act, double eps);

class CLIPTextModelImpl : public torch::nn::Module {
public:
    explicit CLIPTextModelImpl(CLIPTextConfig config);
    // ids [B, T] int64 (T ≤ max_position_embeddings).
    CLIPTextOutput forward(const torch::Tensor& ids);
    const CLIPTextConfig& config() const { return config_; }

    torch::nn::Embedding tokenEmbedding{nullptr}, positionEmbedding{nullptr};
    std::vector<CLIPEncoderLayer> layers;
    torch::nn::LayerNorm finalLayerNorm{nullptr};
    Linear textProjection{nullptr};

private:
    CLIPTextConfig config_;
};
TORCH_MODULE(CLIPTextModel);

}  // namespace sa
