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

    std::vector<torch::nn::Conv2d> convs;
    std::vector<GroupNorm> norms;
    torch::nn::Linear subjectHead{nullptr}, styleHead{nullptr};
};
TORCH_MODULE(JudgeNet);

struct JudgeVerdict {
    int subject = 0, style = 0;
    float subjectConfidence = 0, styleConfidence = 0;
};

class Judge {
public:
    static Judge load(const std::filesystem::path& folder);  // config.json + model.safetensors
    Judge(JudgeConfig config, JudgeNet net) : config_(std::move(config)), net_(std::move(net)) {}

    // images [N, 3, H, W] in [0, 1] (resized to the judge's size).
    std::vector<JudgeVerdict> judge(const torch::Tensor& images);
    std::string caption(const JudgeVerdict& verdict) const;  // "a fish, pixel art style"
    std::string caption(const cv::Mat& bgr);                 // an 8-bit image from disk or the UI
    // A style descriptor in the manner of Gatys et al.: Gram matrices of the first two blocks'
    // activations (palette, stroke and texture statistics without layout), each L2-normalised,
    // concatenated. images [N, 3, H, W] in [0, 1] → [N, D]; cosine similarity compares styles.
    torch::Tensor styleDescriptor(const torch::Tensor& images);
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
