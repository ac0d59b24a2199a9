#include "core/models/clip_text_model.h"

#include <limits>

namespace sa {

CLIPTextConfig CLIPTextConfig::fromJson(const JsonConfig& j) {
    CLIPTextConfig c;
    c.vocab_size = j.get<int>("vocab_size", 49408);
    c.hidden_size = j.get<int>("hidden_size");
    c.intermediate_size = j.get<int>("intermediate_size");
    c.num_hidden_layers = j.get<int>("num_hidden_layers");
    c.num_attention_heads = j.get<int>("num_attention_heads");
    c.max_position_embeddings = j.get<int>("max_position_embeddings", 77);
    c.hidden_act = j.get<std::string>("hidden_act", "quick_gelu");
    c.layer_norm_eps = j.get<double>("layer_norm_eps", 1e-5);
    c.eos_token_id = j.get<int>("eos_token_id", 2);
    c.projection_dim = j.get<int>("projection_dim", 512);
    if (c.num_attention_heads <= 0)
        fail("{}: num_attention_heads must be positive, got {}", j.where(), c.num_attention_heads);
    if (c.hidden_size % c.num_attention_heads != 0)
        fail("{}: hidden_size {} is not divisible by num_attention_heads {}", j.where(), c.hidden_size,
             c.num_attention_heads);
    const auto archs = j.get<std::vector<std::string>>("architectures", {"CLIPTextModel"});
    for (const auto& a : archs) {
        if (a == "CLIPTextModelWithProjection")
            c.with_projection = true;
        else if (a != "CLIPTextModel")
            fail("{}: architectures: '{}' is not supported (CLIPTextModel, CLIPTextModelWithProjection)", j.where(), a);
    }
    j.expectOneOf("model_type", {"clip_text_model"});
    activationByName(c.hidden_act, j.where() + " hidden_act");
    j.ignoreTransformersGeneric();  // a CLIPModel's text_config carries every PretrainedConfig default
    j.finish();
    return c;
}

nlohmann::json CLIPTextConfig::toJson() const {
    return {{"architectures", {with_projection ? "CLIPTextModelWithProjection" : "CLIPTextModel"}},
            {"model_type", "clip_text_model"},
            {"vocab_size", vocab_size},
            {"hidden_size", hidden_size},
            {"intermediate_size", intermediate_size},
            {"num_hidden_layers", num_hidden_layers},
            {"num_attention_heads", num_attention_heads},
            {"max_position_embeddings", max_position_embeddings},
            {"hidden_act", hidden_act},
            {"layer_norm_eps", layer_norm_eps},
            {"projection_dim", projection_dim},
            {"bos_token_id", 0},
            {"eos_token_id", eos_token_id},
            {"pad_token_id", 1},
            {"torch_dtype", "float32"}};
}

CLIPTextConfig CLIPTextConfig::load(const std::filesystem::path& configFile) {
    return fromJson(JsonConfig::load(configFile));
}

CLIPEncoderLayerImpl::CLIPEncoderLayerImpl(int h, int intermediate, int heads_, const std::string& actName, double eps)
    : act(activationByName(actName, "CLIP encoder")), heads(heads_) {
    auto selfAttn = std::make_shared<torch::nn::Module>();
    kProj = selfAttn->register_module("k_proj", linear(h, h));
    vProj = selfAttn->register_module("v_proj", linear(h, h));
    qProj = selfAttn->register_module("q_proj", linear(h, h));
    outProj = selfAttn->register_module("out_proj", linear(h, h));
    register_module("self_attn", selfAttn);
    layerNorm1 = register_module("layer_norm1", layerNorm(h, eps));
    auto mlp = std::make_shared<torch::nn::Module>();
    fc1 = mlp->register_module("fc1", linear(h, intermediate));
    fc2 = mlp->register_module("fc2", linear(intermediate, h));
    register_module("mlp", mlp);
    layerNorm2 = register_module("layer_norm2", layerNorm(h, eps));
}

torch::Tensor CLIPEncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
    auto h = layerNorm1(x);
    // transformers' CLIPAttention scales the queries before the product.
    auto attn = scaledAttention(splitHeads(qProj(h), heads), splitHeads(kProj(h), heads), splitHeads(vProj(h), heads),
                                ScaleAt::Queries, mask);
    auto out = x + outProj(mergeHeads(attn));
    return out + fc2(act(fc1(layerNorm2(out))));
}

std::vector<CLIPEncoderLayer> registerClipEncoder(torch::nn::Module& owner, int count, int hidden, int intermediate,
                                                  int heads, const std::string& act, double eps) {
    std::vector<CLIPEncoderLayer> layers;
    for (int i = 0; i < count; ++i) layers.push_back(CLIPEncoderLayer(hidden, intermediate, heads, act, eps));
    auto encoder = std::make_shared<torch::nn::Module>();
    registerList(*encoder, "layers", layers);
    owner.register_module("encoder", encoder);
    return layers;
}

CLIPTextModelImpl::CLIPTextModelImpl(CLIPTextConfig config) : config_(std::move(config)) {
    const auto& c = config_;
    auto textModel = std::make_shared<torch::nn::Module>();
    auto embeddings = std::make_shared<torch::nn::Module>();
    tokenEmbedding = embeddings->register_module("token_embedding", torch::nn::Embedding(c.vocab_size, c.hidden_size));
    positionEmbedding =
        embeddings->register_module("position_embedding", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
    textModel->register_module("embeddings", embeddings);
    layers = registerClipEncoder(*textModel, c.num_hidden_layers, c.hidden_size, c.intermediate_size,
                                 c.num_attention_heads, c.hidden_act, c.layer_norm_eps);
    finalLayerNorm = textModel->register_module(
        "final_layer_norm", layerNorm(c.hidden_size, c.layer_norm_eps));
    register_module("text_model", textModel);
    if (c.with_projection) textProjection = register_module("text_projection", linear(c.hidden_size, c.projection_dim, false));
}

CLIPTextOutput CLIPTextModelImpl::forward(const torch::Tensor& idsIn) {
    const auto& c = config_;
    auto ids = idsIn.to(tokenEmbedding->weight.device(), torch::kLong);
    const auto t = ids.size(1);
    if (t > c.max_position_embeddings)
        fail("text encoder: {} tokens exceed max_position_embeddings {}", t, c.max_position_embeddings);
    auto positions = torch::arange(t, ids.options());
    auto h = tokenEmbedding(ids) + positionEmbedding(positions).unsqueeze(0);
    // Causal mask with the dtype's lowest value above the diagonal (transformers'
    // _create_4d_causal_attention_mask).
    auto mask = torch::full({t, t}, std::numeric_limits<float>::lowest(), h.options()).triu(1);

    CLIPTextOutput out;
    out.hiddenStates.push_back(h);
    for (auto& layer : layers) {
        h = layer(h, mask);
        out.hiddenStates.push_back(h);
    }
    out.lastHiddenState = finalLayerNorm(h);
    // eos_token_id == 2 is the legacy configuration: the eos position is the argmax of the ids
    // (the eos token has the largest id); otherwise the first eos occurrence.
    auto eosPos = c.eos_token_id == 2 ? ids.argmax(-1) : (ids == c.eos_token_id).to(torch::kInt).argmax(-1);
    out.pooled = out.lastHiddenState.index({torch::arange(ids.size(0), ids.options()), eosPos});
    if (textProjection) out.textEmbeds = textProjection(out.pooled);
    return out;
}

}  // namespace sa
