#include "core/models/blip_captioner.h"

#include "core/io/safetensors.h"
#include "core/io/state_dict.h"
#include "core/models/hub_folder.h"

namespace sa {
namespace fs = std::filesystem;
namespace {

constexpr const char* kExpected = "a BLIP captioning folder (BlipForConditionalGeneration, e.g. "
                                  "Salesforce/blip-image-captioning-base)";

// The checkpoint's own names, with transformers' ties: the LM head's decoder.bias is the same
// tensor as predictions.bias, and decoder.weight was tied to the word embeddings when the model
// was built (a file may hold either name of each pair).
NameTable blipNames(const SafetensorsFile& file) {
    NameTable names;
    names.prefix("", "");
    names.skip("text_decoder.bert.embeddings.position_ids");
    const std::string head = "text_decoder.cls.predictions.";
    if (!file.contains(head + "decoder.weight"))
        names.exact(head + "decoder.weight", "text_decoder.bert.embeddings.word_embeddings.weight");
    if (!file.contains(head + "bias") && file.contains(head + "decoder.bias"))
        names.exact(head + "bias", head + "decoder.bias");
    else
        names.skip(head + "decoder.bias");
    return names;
}

// BlipForConditionalGeneration's text decoder as generation sees it: the image tokens, the cache.
class BlipStepDecoder : public StepDecoder {
public:
    BlipStepDecoder(BlipTextDecoder decoder, torch::Tensor image) : decoder_(std::move(decoder)), image_(std::move(image)) {}
    torch::Tensor next(const torch::Tensor& ids) override {
        return decoder_->forward(ids, image_, cache_).select(1, -1);
    }
    void select(const torch::Tensor& index) override { cache_.select(index); }
    void expand(int64_t beams) override { image_ = image_.repeat_interleave(beams, 0); }

private:
    BlipTextDecoder decoder_;
    torch::Tensor image_;
    DecoderCache cache_;
};

}  // namespace

std::shared_ptr<BlipCaptioner> BlipCaptioner::load(const fs::path& folder, torch::Device device) {
    auto config = BlipConfig::fromJson(openModelConfig(folder, {"BlipForConditionalGeneration"}, kExpected));
    std::shared_ptr<BlipCaptioner> c(new BlipCaptioner());
    c->folder_ = folder;
    c->processor_ = ImageProcessorConfig::load(
        requireFile(folder, "preprocessor_config.json", "the captioner's image processor: size, resample, mean / std"));
    if (c->processor_.outputHeight() != config.vision.image_size || c->processor_.outputWidth() != config.vision.image_size)
        fail("{}: preprocessor_config.json makes {}×{} images but the vision model takes {}×{} (vision_config.image_size)",
             folder.string(), c->processor_.outputWidth(), c->processor_.outputHeight(), config.vision.image_size,
             config.vision.image_size);
    requireFile(folder, "vocab.txt", "the captioner's BERT vocabulary");
    c->tokenizer_ = std::make_unique<WordPieceTokenizer>(WordPieceTokenizer::fromFolder(folder));
    if (static_cast<int64_t>(c->tokenizer_->vocabSize()) > config.text.vocab_size)
        fail("{}: vocab.txt has {} tokens but text_config.vocab_size is {}", folder.string(),
             c->tokenizer_->vocabSize(), config.text.vocab_size);
    c->model_ = BlipForConditionalGeneration(config);
    const auto weights = openHubWeights(folder, "the BLIP captioner");
    loadHubWeights(*c->model_, *weights, blipNames(*weights), "BLIP captioner", device);
    return c;
}

torch::Tensor BlipCaptioner::prompt(const std::string& prefix) const {
    const auto& text = model_->config().text;
    std::vector<int64_t> ids{text.bos_token_id};
    if (!prefix.empty()) {
        // processor(text=prefix): [CLS] tokens [SEP]; generate puts [DEC] in place of [CLS] and drops the last id.
        auto encoded = tokenizer_->encode(prefix);
        ids.insert(ids.end(), encoded.begin() + 1, encoded.end() - 1);
    }
    for (int64_t id : ids)
        if (id < 0 || id >= text.vocab_size)
            fail("{}: the prompt's token id {} is outside the model's vocabulary", folder_.string(), id);
    return torch::tensor(ids, torch::kLong).unsqueeze(0);
}

torch::Tensor BlipCaptioner::generate(const torch::Tensor& pixelValues, const torch::Tensor& prompt,
                                      const GenerationOptions& options, const CancelToken* cancel) {
    torch::NoGradGuard noGrad;
    const auto& text = model_->config().text;
    auto image = model_->visionModel->forward(pixelValues).lastHiddenState;
    BlipStepDecoder decoder(model_->textDecoder, image);
    auto prompts = prompt.expand({image.size(0), prompt.size(1)}).contiguous();
    return generateTokens(decoder, prompts, text.sep_token_id, text.pad_token_id, options, cancel);
}

std::string BlipCaptioner::decode(const torch::Tensor& ids) const {
    auto flat = ids.to(torch::kCPU, torch::kLong).contiguous().view({-1});
    std::vector<int64_t> tokens;
    for (int64_t i = 0; i < flat.numel(); ++i) {
        const int64_t id = flat[i].item<int64_t>();
        if (id != model_->config().text.bos_token_id) tokens.push_back(id);  // [DEC]: special in every BLIP tokenizer
    }
    return tokenizer_->decode(tokens, true);
}

std::string BlipCaptioner::caption(const cv::Mat& image, const std::string& prefix, const GenerationOptions& options,
                                   const CancelToken* cancel) {
    return decode(generate(pixelValues(image), prompt(prefix), options, cancel)[0]);
}

}  // namespace sa
