#include "core/eval/vision_metrics.h"

#include "core/common/resources.h"
#include "core/io/safetensors.h"
#include "core/models/hub_folder.h"
#include "core/pipeline/prompt_encoding.h"

namespace sa {
namespace fs = std::filesystem;
namespace {

constexpr const char* kClipExpected = "a CLIP folder (CLIPModel, e.g. openai/clip-vit-large-patch14, or "
                                      "CLIPVisionModelWithProjection)";
constexpr const char* kDinoExpected = "a DINO folder (ViTModel, e.g. facebook/dino-vitb8)";

ImageProcessorConfig processorFor(const fs::path& folder, const VisionTransformerConfig& vision, const char* role) {
    auto processor = ImageProcessorConfig::load(
        requireFile(folder, "preprocessor_config.json", std::string(role) + ": image size, resample, mean / std"));
    if (processor.outputHeight() != vision.image_size || processor.outputWidth() != vision.image_size)
        fail("{}: preprocessor_config.json makes {}×{} images but the model takes {}×{} (image_size)", folder.string(),
             processor.outputWidth(), processor.outputHeight(), vision.image_size, vision.image_size);
    return processor;
}

// One tower of a CLIP file: its own keys by name, the other tower's skipped.
NameTable clipTower(bool vision) {
    NameTable names;
    names.prefix("", "");
    names.skip(vision ? "text_model." : "vision_model.");
    names.skip(vision ? "text_projection." : "visual_projection.");
    names.skip("logit_scale");
    names.skip("text_model.embeddings.position_ids");
    names.skip("vision_model.embeddings.position_ids");
    return names;
}

torch::Tensor cosine(const torch::Tensor& a, const torch::Tensor& b) {
    return torch::nn::functional::cosine_similarity(a.to(torch::kFloat64), b.to(torch::kFloat64),
                                                    torch::nn::functional::CosineSimilarityFuncOptions().dim(-1));
}

}  // namespace

std::shared_ptr<ClipScorer> ClipScorer::load(const fs::path& folder, torch::Device device) {
    auto config = openModelConfig(folder, {"CLIPModel", "CLIPVisionModelWithProjection"}, kClipExpected);
    std::shared_ptr<ClipScorer> s(new ClipScorer());
    s->folder_ = folder;
    s->device_ = device;
    const bool full = config.json().contains("vision_config");
    VisionTransformerConfig vision;
    if (full) {
        const int projection = config.get<int>("projection_dim", 512);
        vision = VisionTransformerConfig::clip(config.section("vision_config"), projection);
        auto text = CLIPTextConfig::fromJson(config.section("text_config"));
        text.with_projection = true;
        text.projection_dim = projection;
        s->text_ = CLIPTextModel(text);
        config.ignore({"logit_scale_init_value", "text_config_dict", "vision_config_dict"});
        config.ignoreTransformersGeneric();
        config.finish();
    } else {
        vision = VisionTransformerConfig::clip(config, 0);
    }
    s->processor_ = processorFor(folder, vision, "the CLIP image processor");
    s->vision_ = CLIPVisionModel(vision);
    if (vision.projection_dim <= 0) fail("{}: the CLIP image tower has no projection (projection_dim)", folder.string());
    const auto weights = openHubWeights(folder, "CLIP");
    loadHubWeights(*s->vision_, *weights, clipTower(true), "CLIP image tower", device);
    if (s->text_) {
        loadHubWeights(*s->text_, *weights, clipTower(false), "CLIP text tower", device);
        // The hub's CLIP folders ship their BPE vocabulary; every CLIP shares the one bundled.
        s->tokenizer_ = ClipTokenizer::fromFolder(fs::exists(folder / "vocab.json") ? folder : bundledClipTokenizer());
    }
    return s;
}

torch::Tensor ClipScorer::imageEmbeds(const torch::Tensor& pixelValues) {
    torch::NoGradGuard noGrad;
    return vision_->forward(pixelValues).imageEmbeds.to(torch::kCPU);
}

torch::Tensor ClipScorer::imageEmbeds(const std::vector<cv::Mat>& images) {
    return imageEmbeds(preprocessImages(images, processor_).to(device_));
}

torch::Tensor ClipScorer::textEmbeds(const std::vector<std::string>& prompts) {
    if (!text_)
        fail("{}: this CLIP folder has only the image tower (CLIPVisionModelWithProjection); the text score needs a "
             "full CLIPModel folder such as openai/clip-vit-large-patch14",
             folder_.string());
    torch::NoGradGuard noGrad;
    return text_->forward(tokenizePrompts(*tokenizer_, prompts).to(device_)).textEmbeds.to(torch::kCPU);
}

std::vector<double> ClipScorer::textScores(const std::vector<cv::Mat>& images, const std::vector<std::string>& prompts) {
    if (images.size() != prompts.size())
        fail("CLIP text score: {} images but {} prompts", images.size(), prompts.size());
    if (images.empty()) return {};
    auto similarity = cosine(imageEmbeds(images), textEmbeds(prompts));
    return {similarity.data_ptr<double>(), similarity.data_ptr<double>() + similarity.numel()};
}

std::shared_ptr<DinoEmbedder> DinoEmbedder::load(const fs::path& folder, torch::Device device) {
    auto config = openModelConfig(folder, {"ViTModel"}, kDinoExpected);
    auto vit = VisionTransformerConfig::vit(config);
    std::shared_ptr<DinoEmbedder> d(new DinoEmbedder());
    d->folder_ = folder;
    d->device_ = device;
    d->processor_ = processorFor(folder, vit, "the DINO image processor");
    const auto file = openHubWeights(folder, "DINO");
    // A ViTModel saved inside another head has its keys under "vit."; some DINO exports have no pooler.
    const std::string prefix = file->contains("vit.embeddings.cls_token") ? "vit." : "";
    vit.pooling_layer = file->contains(prefix + "pooler.dense.weight");
    NameTable names;
    names.prefix("", prefix);
    names.skip("embeddings.position_ids");
    d->model_ = ViTModel(vit);
    loadHubWeights(*d->model_, *file, names, "DINO ViT", device);
    return d;
}

VisionOutput DinoEmbedder::forward(const torch::Tensor& pixelValues) {
    torch::NoGradGuard noGrad;
    return model_->forward(pixelValues.to(device_));
}

torch::Tensor DinoEmbedder::embed(const std::vector<cv::Mat>& images) {
    return forward(preprocessImages(images, processor_)).lastHiddenState.select(1, 0).to(torch::kCPU);
}

double meanPairwiseCosine(const torch::Tensor& embeddings) {
    const int64_t n = embeddings.size(0);
    if (n < 2) fail("set consistency needs at least two images, got {}", n);
    auto unit = torch::nn::functional::normalize(embeddings.to(torch::kFloat64),
                                                 torch::nn::functional::NormalizeFuncOptions().dim(1));
    auto similarity = torch::matmul(unit, unit.t());
    return (similarity.sum().item<double>() - similarity.diagonal().sum().item<double>()) / (n * (n - 1));
}

}  // namespace sa
