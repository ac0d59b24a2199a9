#pragma once
// The paper's measures of a style-aligned set (Hertz et al. 2024, §4.1), on the models users
// download: text alignment = cosine of the CLIP image embedding and the CLIP text embedding of the
// image's subject prompt *without* the style words; set consistency = the mean pairwise cosine of
// DINO ViT CLS embeddings over the set's images.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "core/io/image_processor.h"
#include "core/models/clip_text_model.h"
#include "core/models/vision_transformers.h"
#include "core/text/clip_tokenizer.h"

namespace sa {

// A CLIP folder: a full CLIPModel (openai/clip-vit-large-patch14: both towers, text score), or a
// CLIPVisionModelWithProjection alone (image embeddings only; no text score).
class ClipScorer {
public:
    static std::shared_ptr<ClipScorer> load(const std::filesystem::path& folder, torch::Device device = torch::kCPU);

    bool hasTextTower() const { return static_cast<bool>(text_); }
    // Unnormalised embeddings: images (8-bit BGR) → [N, P]; prompts → [N, P] (needs the text tower).
    torch::Tensor imageEmbeds(const std::vector<cv::Mat>& images);
    torch::Tensor imageEmbeds(const torch::Tensor& pixelValues);
    torch::Tensor textEmbeds(const std::vector<std::string>& prompts);
    // cos(image i, prompt i) for each pair.
    std::vector<double> textScores(const std::vector<cv::Mat>& images, const std::vector<std::string>& prompts);

    const ImageProcessorConfig& processor() const { return processor_; }
    CLIPVisionModel& vision() { return vision_; }
    const std::filesystem::path& folder() const { return folder_; }

private:
    ClipScorer() = default;
    std::filesystem::path folder_;
    torch::Device device_ = torch::kCPU;
    ImageProcessorConfig processor_;
    CLIPVisionModel vision_{nullptr};
    CLIPTextModel text_{nullptr};
    std::optional<ClipTokenizer> tokenizer_;
};

// A DINO folder (ViTModel: facebook/dino-vitb8, dino-vits16): the CLS token of the last layer
// (after the final layer norm) as the image's descriptor.
class DinoEmbedder {
public:
    static std::shared_ptr<DinoEmbedder> load(const std::filesystem::path& folder, torch::Device device = torch::kCPU);

    VisionOutput forward(const torch::Tensor& pixelValues);
    torch::Tensor embed(const std::vector<cv::Mat>& images);  // [N, H]

    const ImageProcessorConfig& processor() const { return processor_; }
    const std::filesystem::path& folder() const { return folder_; }

private:
    DinoEmbedder() = default;
    std::filesystem::path folder_;
    torch::Device device_ = torch::kCPU;
    ImageProcessorConfig processor_;
    ViTModel model_{nullptr};
};

// Mean cosine similarity over all pairs i < j of the rows of `embeddings` [N, D] (N ≥ 2).
double meanPairwiseCosine(const torch::Tensor& embeddings);

}  // namespace sa
