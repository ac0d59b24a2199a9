#pragma once
// The demo model's judge: a small CNN with a subject head and a style head, trained on the
// procedural data set (DESIGN §5). It captions a reference image ("a fish, pixel art style")
// and measures sets: subject accuracy stands in for CLIP text score, style agreement with the
// reference for DINO set consistency.
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "core/io/json_config.h"
#include "core/models/layers.h"

namespace sa {

struct JudgeConfig {
    std::vector<std::string> subjects;
    std::vector<std::string> styles;
    int style_variants = 1;  // looks per style: the style head has styles × style_variants classes
    int image_size = 64;
    std::vector<int> channels{32, 64, 128};

    static JudgeConfig fromJson(const JsonConfig& json);
    nlohmann::json toJson() const;
};

class JudgeNetImpl : public torch::nn::Module {
public:
    explicit JudgeNetImpl(const JudgeConfig& config);
    // images [N, 3, S, S] in [0, 1] → (subject logits, style logits, style features)
    std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> forward(const torch::Tensor& images);
    // Activations after the first `blocks` conv blocks.
    torch::Tensor activations(const torch::Tensor& images, int blocks);

    std::vector<Conv2d> convs;
    std::vector<GroupNorm> norms;
    Linear subjectHead{nullptr}, styleHead{nullptr};
};
TORCH_MODULE(JudgeNet);

struct JudgeVerdict {
    int subject = 0, style = 0, variant = 0;  // variant: which look of the style
    float subjectConfidence = 0, styleConfidence = 0, variantConfidence = 0;
};

// Style agreement: the same style in the same look (two blueprints, one white-on-blue and one a
// whiteprint, do not agree).
inline bool sameLook(const JudgeVerdict& a, const JudgeVerdict& b) { return a.style == b.style && a.variant == b.variant; }

class Judge {
public:
    static Judge load(const std::filesystem::path& folder);  // config.json + model.safetensors
    Judge(JudgeConfig config, JudgeNet net) : config_(std::move(config)), net_(std::move(net)) {}

    // images [N, 3, H, W] in [0, 1] (resized to the judge's size). The style is the most likely
    // style name (its looks' probabilities summed), the variant the most likely look of it.
    std::vector<JudgeVerdict> judge(const torch::Tensor& images);
    std::string caption(const JudgeVerdict& verdict) const;  // "a fish, pixel art style"
    std::string caption(const cv::Mat& bgr);                 // an 8-bit image from disk or the UI
    // A style descriptor in the manner of Gatys et al.: Gram matrices of the first two blocks'
    // activations (palette, stroke and texture statistics without layout), each L2-normalised,
    // concatenated. images [N, 3, H, W] in [0, 1] → [N, D]; cosine similarity compares styles.
    torch::Tensor styleDescriptor(const torch::Tensor& images);
    // How much `images` look like `examples` of a style (both [N, 3, H, W] in [0, 1]): the mean cosine of
    // the images' descriptors with the examples' mean descriptor (its direction: a style's centre).
    double styleSimilarity(const torch::Tensor& images, const torch::Tensor& examples);
    std::string subjectName(int subject) const;
    std::string styleName(int style) const;
    const JudgeConfig& config() const { return config_; }
    JudgeNet& net() { return net_; }

private:
    JudgeConfig config_;
    JudgeNet net_;
};

// "a fish, pixel art style" (the data set's captions).
std::string demoCaption(const std::string& subject, const std::string& style);

}  // namespace sa
