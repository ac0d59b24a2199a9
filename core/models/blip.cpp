#include "core/models/blip.h"

namespace sa {

BlipTextConfig BlipTextConfig::fromJson(const JsonConfig& j) {
    BlipTextConfig c;
    c.vocab_size = j.get<int>("vocab_size", c.vocab_size);
    c.hidden_size = j.get<int>("hidden_size", c.hidden_size);
    c.encoder_hidden_size = j.get<int>("encoder_hidden_size", c.encoder_hidden_size);
    c.intermediate_size = j.get<int>("intermediate_size", c.intermediate_size);
    c.num_hidden_layers = j.get<int>("num_hidden_layers", c.num_hidden_layers);
    c.num_attention_heads = j.get<int>("num_attention_heads", c.num_attention_heads);
    c.max_position_embeddings = j.get<int>("max_position_embeddings", c.max_position_embeddings);
    c.hidden_act = j.get<std::string>("hidden_act", c.hidden_act);
    c.layer_norm_eps = j.get<double>("layer_norm_eps", c.layer_norm_eps);
    c.bos_token_id = j.get<int64_t>("bos_token_id", c.bos_token_id);
    c.eos_token_id = j.get<int64_t>("eos_token_id", c.eos_token_id);
    c.pad_token_id = j.get<int64_t>("pad_token_id", c.pad_token_id);
    c.sep_token_id = j.get<int64_t>("sep_token_id", c.sep_token_id);
    for (auto [field, value] : {std::pair{"vocab_size", c.vocab_size}, {"hidden_size", c.hidden_size},
                                {"encoder_hidden_size", c.encoder_hidden_size}, {"intermediate_size", c.intermediate_size},
                                {"num_hidden_layers", c.num_hidden_layers}, {"num_attention_heads", c.num_attention_heads},
                                {"max_position_embeddings", c.max_position_embeddings}})
        if (value <= 0) fail("{}: {} must be positive, got {}", j.where(), field, value);
    if (c.hidden_size % c.num_attention_heads != 0)
        fail("{}: hidden_size {} is not divisible by num_attention_heads {}", j.where(), c.hidden_size,
             c.num_attention_heads);
    for (auto [field, id] : {std::pair{"bos_token_id", c.bos_token_id}, {"sep_token_id", c.sep_token_id},
                             {"pad_token_id", c.pad_token_id}})
        if (id < 0 || id >= c.vocab_size) fail("{}: {} {} is outside the vocabulary (vocab_size {})", j.where(), field, id, c.vocab_size);
    activationByName(c.hidden_act, j.where() + " hidden_act");
    auto& g = c.generation;
    g.max_length = j.get<int>("max_length", g.max_length);
    g.min_length = j.get<int>("min_length", g.min_length);
    g.num_beams = j.get<int>("num_beams", g.num_beams);
    g.repetition_penalty = j.get<double>("repetition_penalty", g.repetition_penalty);
    g.no_repeat_ngram_size = j.get<int>("no_repeat_ngram_size", g.no_repeat_ngram_size);
    g.length_penalty = j.get<double>("length_penalty", g.length_penalty);
    g.early_stopping = j.get<bool>("early_stopping", g.early_stopping);
    try {
        g.validate();
    } catch (const Error& e) {
        fail("{}: {}", j.where(), e.what());
    }
    j.expectOneOf("do_sample", {false});  // sampling is not what a caption should be
    j.expectOneOf("model_type", {"blip_text_model"});
    j.expectOneOf("position_embedding_type", {"absolute"});
    j.ignore({"projection_dim", "label_smoothing", "is_decoder", "use_cache"});
    j.ignoreTransformersGeneric();
    j.finish();
    return c;
}

BlipConfig BlipConfig::fromJson(const JsonConfig& j) {
    const auto archs = j.get<std::vector<std::string>>("architectures", {"BlipForConditionalGeneration"});
    for (const auto& a : archs)
        if (a != "BlipForConditionalGeneration")
            fail("{}: architectures: '{}' is a BLIP model without the captioning decoder; a captioner is a "
                 "BlipForConditionalGeneration folder (e.g. Salesforce/blip-image-captioning-base)",
                 j.where(), a);
    j.expectOneOf("model_type", {"blip"});
    BlipConfig c;
    c.text = BlipTextConfig::fromJson(j.section("text_config"));
    c.vision = VisionTransformerConfig::blip(j.section("vision_config"));
    if (c.text.encoder_hidden_size != c.vision.hidden_size)
        fail("{}: text_config.encoder_hidden_size {} differs from vision_config.hidden_size {}", j.where(),
             c.text.encoder_hidden_size, c.vision.hidden_size);
    j.ignore({"projection_dim", "logit_scale_init_value", "image_text_hidden_size", "label_smoothing",
              "text_config_dict", "vision_config_dict"});
    j.ignoreTransformersGeneric();
    j.finish();
    return c;
}

void DecoderCache::select(const torch::Tensor& index) {
    for (auto* list : {&selfKeys, &selfValues, &crossKeys, &crossValues})
        for (auto& t : *list)
            if (t.defined()) t = t.index_select(0, index.to(t.device()));
}

BlipTextLayerImpl::Attention BlipTextLayerImpl::makeAttention(const std::string& name, int keyWidth,
                                                              const BlipTextConfig& c) {
    const int h = c.hidden_size;
    Attention a;
    auto attention = std::make_shared<torch::nn::Module>();
    auto self = std::make_shared<torch::nn::Module>();
    a.query = self->register_module("query", linear(h, h));
    a.key = self->register_module("key", linear(keyWidth, h));
    a.value = self->register_module("value", linear(keyWidth, h));
    attention->register_module("self", self);
    auto output = std::make_shared<torch::nn::Module>();
    a.dense = output->register_module("dense", linear(h, h));
    a.norm = output->register_module("LayerNorm", layerNorm(h, c.layer_norm_eps));
    attention->register_module("output", output);
    register_module(name, attention);
    return a;
}

BlipTextLayerImpl::BlipTextLayerImpl(const BlipTextConfig& c)
    : heads(c.num_attention_heads), act(activationByName(c.hidden_act, "BLIP text decoder")) {
    self_ = makeAttention("attention", c.hidden_size, c);
    cross_ = makeAttention("crossattention", c.encoder_hidden_size, c);
    auto inter = std::make_shared<torch::nn::Module>();
    intermediate = inter->register_module("dense", linear(c.hidden_size, c.intermediate_size));
    register_module("intermediate", inter);
    auto out = std::make_shared<torch::nn::Module>();
    output = out->register_module("dense", linear(c.intermediate_size, c.hidden_size));
    outputNorm = out->register_module("LayerNorm", layerNorm(c.hidden_size, c.layer_norm_eps));
    register_module("output", out);
}

torch::Tensor BlipTextLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask, const torch::Tensor& image,
                                         DecoderCache& cache, size_t i) {
    // Post-norm BERT blocks: LayerNorm(dense(attention) + input).
    auto keys = splitHeads(self_.key(x), heads), values = splitHeads(self_.value(x), heads);
    if (cache.selfKeys[i].defined()) {
        keys = torch::cat({cache.selfKeys[i], keys}, 2);
        values = torch::cat({cache.selfValues[i], values}, 2);
    }
    cache.selfKeys[i] = keys, cache.selfValues[i] = values;
    auto attn = scaledAttention(splitHeads(self_.query(x), heads), keys, values, ScaleAt::ScoresDivide, mask);
    auto h = self_.norm(self_.dense(mergeHeads(attn)) + x);

    if (!cache.crossKeys[i].defined()) {  // the image tokens' keys / values, once per generation
        cache.crossKeys[i] = splitHeads(cross_.key(image), heads);
        cache.crossValues[i] = splitHeads(cross_.value(image), heads);
    }
    attn = scaledAttention(splitHeads(cross_.query(h), heads), cache.crossKeys[i], cache.crossValues[i],
                           ScaleAt::ScoresDivide);
    h = cross_.norm(cross_.dense(mergeHeads(attn)) + h);
    return outputNorm(output(act(intermediate(h))) + h);
}

BlipTextDecoderImpl::BlipTextDecoderImpl(BlipTextConfig config)
    : config_(std::move(config)), act(activationByName(config_.hidden_act, "BLIP LM head")) {
    const auto& c = config_;
    auto bert = std::make_shared<torch::nn::Module>();
    auto embeddings = std::make_shared<torch::nn::Module>();
    wordEmbeddings = embeddings->register_module("word_embeddings", torch::nn::Embedding(c.vocab_size, c.hidden_size));
    positionEmbeddings = embeddings->register_module(
        "position_embeddings", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
    embeddingNorm = embeddings->register_module("LayerNorm", layerNorm(c.hidden_size, c.layer_norm_eps));
    bert->register_module("embeddings", embeddings);
    auto encoder = std::make_shared<torch::nn::Module>();
    for (int i = 0; i < c.num_hidden_layers; ++i) layers.push_back(BlipTextLayer(c));
    registerList(*encoder, "layer", layers);
    bert->register_module("encoder", encoder);
    register_module("bert", bert);

    auto cls = std::make_shared<torch::nn::Module>();
    auto predictions = std::make_shared<torch::nn::Module>();
    auto transform = std::make_shared<torch::nn::Module>();
    transformDense = transform->register_module("dense", linear(c.hidden_size, c.hidden_size));
    transformNorm = transform->register_module("LayerNorm", layerNorm(c.hidden_size, c.layer_norm_eps));
    predictions->register_module("transform", transform);
    decoder = predictions->register_module("decoder", linear(c.hidden_size, c.vocab_size, false));
    decoderBias = predictions->register_parameter("bias", torch::zeros({c.vocab_size}));
    cls->register_module("predictions", predictions);
    register_module("cls", cls);
}

torch::Tensor BlipTextDecoderImpl::forward(const torch::Tensor& idsIn, const torch::Tensor& image, DecoderCache& cache) {
    const auto& c = config_;
    auto ids = idsIn.to(wordEmbeddings->weight.device(), torch::kLong);
    const int64_t past = cache.length(), t = ids.size(1);
    if (past + t > c.max_position_embeddings)
        fail("BLIP text decoder: {} positions exceed max_position_embeddings {}", past + t, c.max_position_embeddings);
    if (cache.selfKeys.empty())
        for (auto* list : {&cache.selfKeys, &cache.selfValues, &cache.crossKeys, &cache.crossValues})
            list->resize(layers.size());
    auto positions = torch::arange(past, past + t, ids.options());
    auto h = embeddingNorm(wordEmbeddings(ids) + positionEmbeddings(positions).unsqueeze(0));
    // Causal: position past + i sees 0 … past + i; the rest gets -10000, as BlipTextModel's own
    // get_extended_attention_mask writes it. One new position sees everything.
    torch::Tensor mask;
    if (t > 1) mask = torch::full({t, past + t}, -10000.0, h.options()).triu(past + 1);
    auto imageStates = image.to(h.device(), h.scalar_type());
    for (size_t i = 0; i < layers.size(); ++i) h = layers[i](h, mask, imageStates, cache, i);
    auto transformed = transformNorm(act(transformDense(h)));
    return decoder(transformed) + decoderBias;
}

BlipForConditionalGenerationImpl::BlipForConditionalGenerationImpl(BlipConfig config) : config_(std::move(config)) {
    visionModel = register_module("vision_model", BlipVisionModel(config_.vision));
    textDecoder = register_module("text_decoder", BlipTextDecoder(config_.text));
}

}  // namespace sa
