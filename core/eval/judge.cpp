#include "core/eval/judge.h"

#include "core/io/image.h"
#include "core/io/state_dict.h"

namespace sa {

JudgeConfig JudgeConfig::fromJson(const JsonConfig& j) {
    JudgeConfig c;
    j.expectOneOf("_class_name", {"StyleAlignedJudge"});
    c.subjects = j.get<std::vector<std::string>>("subjects");
    c.styles = j.get<std::vector<std::string>>("styles");
    c.style_variants = j.get<int>("style_variants", 1);
    if (c.style_variants < 1) fail("{}: style_variants must be at least 1, got {}", j.where(), c.style_variants);
    c.image_size = j.get<int>("image_size", 64);
    c.channels = j.get<std::vector<int>>("channels");
    if (c.subjects.empty() || c.styles.empty() || c.channels.empty()) fail("{}: subjects, styles and channels must not be empty", j.where());
    j.finish();
    return c;
}

nlohmann::json JudgeConfig::toJson() const {
    return {{"_class_name", "StyleAlignedJudge"}, {"subjects", subjects}, {"styles", styles},
            {"style_variants", style_variants}, {"image_size", image_size}, {"channels", channels}};
}

JudgeNetImpl::JudgeNetImpl(const JudgeConfig& c) {
    int in = 3;
    for (int ch : c.channels) {
        // conv 3×3 → GN → SiLU → conv 3×3 stride 2 → GN → SiLU
        convs.push_back(conv2d(in, ch, 3, 1, 1));
        norms.push_back(GroupNorm(8, ch, 1e-5));
        convs.push_back(conv2d(ch, ch, 3, 2, 1));
        norms.push_back(GroupNorm(8, ch, 1e-5));
        in = ch;
    }
    registerList(*this, "convs", convs);
    registerList(*this, "norms", norms);
    subjectHead = register_module("subject_head", linear(in * 2, static_cast<int>(c.subjects.size())));
    styleHead = register_module("style_head", linear(in * 2, static_cast<int>(c.styles.size()) * c.style_variants));
}

torch::Tensor JudgeNetImpl::activations(const torch::Tensor& images, int blocks) {
    auto h = images * 2 - 1;
    for (size_t i = 0; i < std::min(convs.size(), 2 * static_cast<size_t>(blocks)); ++i) h = torch::silu(norms[i](convs[i](h)));
    return h;
}

std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> JudgeNetImpl::forward(const torch::Tensor& images) {
    auto h = activations(images, static_cast<int>(convs.size() / 2));
    // Mean and standard deviation over space: shape (mean) and texture (spread) cues.
    auto features = torch::cat({h.mean({2, 3}), h.flatten(2).std(2)}, 1);
    return {subjectHead(features), styleHead(features), features};
}

Judge Judge::load(const std::filesystem::path& folder) {
    auto config = JudgeConfig::fromJson(JsonConfig::load(folder / "config.json"));
    JudgeNet net(config);
    loadStateDict(*net, *SafetensorsFile::open(findWeightsFile(folder, {"model.safetensors"})));
    net->to(torch::kFloat32);
    net->eval();
    return Judge(config, net);
}

std::vector<JudgeVerdict> Judge::judge(const torch::Tensor& imagesIn) {
    torch::NoGradGuard noGrad;
    auto images = imagesIn.to(torch::kCPU, torch::kFloat32);
    if (images.size(2) != config_.image_size || images.size(3) != config_.image_size)
        images = torch::nn::functional::interpolate(
            images, torch::nn::functional::InterpolateFuncOptions()
                        .size(std::vector<int64_t>{config_.image_size, config_.image_size})
                        .mode(torch::kArea));
    auto [subjectLogits, styleLogits, features] = net_->forward(images);
    auto subjectProbs = subjectLogits.softmax(1);
    // [N, styles, looks]: class = style · looks + look.
    auto lookProbs = styleLogits.softmax(1).view({images.size(0), static_cast<int64_t>(config_.styles.size()), config_.style_variants});
    auto styleProbs = lookProbs.sum(2);
    std::vector<JudgeVerdict> out;
    for (int64_t i = 0; i < images.size(0); ++i) {
        JudgeVerdict v;
        v.subject = static_cast<int>(subjectProbs[i].argmax().item<int64_t>());
        v.style = static_cast<int>(styleProbs[i].argmax().item<int64_t>());
        auto looks = lookProbs[i][v.style];
        v.variant = static_cast<int>(looks.argmax().item<int64_t>());
        v.subjectConfidence = subjectProbs[i][v.subject].item<float>();
        v.styleConfidence = styleProbs[i][v.style].item<float>();
        v.variantConfidence = (looks[v.variant] / styleProbs[i][v.style]).item<float>();
        out.push_back(v);
    }
    return out;
}

std::string demoCaption(const std::string& subject, const std::string& style) {
    return fmt::format("a {}, {} style", subject, style);
}

std::string Judge::caption(const JudgeVerdict& v) const { return demoCaption(subjectName(v.subject), styleName(v.style)); }

std::string Judge::caption(const cv::Mat& bgr) {
    if (bgr.empty()) fail("cannot caption an empty image");
    auto images = (imageToTensor(bgr) + 1) / 2;
    return caption(judge(images).front());
}

torch::Tensor Judge::styleDescriptor(const torch::Tensor& imagesIn) {
    torch::NoGradGuard noGrad;
    auto images = imagesIn.to(torch::kCPU, torch::kFloat32);
    std::vector<torch::Tensor> grams;
    for (int blocks : {1, 2}) {
        auto h = net_->activations(images, blocks).flatten(2);  // [N, C, HW]
        auto gram = torch::bmm(h, h.transpose(1, 2)).flatten(1) / h.size(2);
        grams.push_back(torch::nn::functional::normalize(gram, torch::nn::functional::NormalizeFuncOptions().dim(1)));
    }
    return torch::cat(grams, 1) / std::sqrt(2.0);
}

double Judge::styleSimilarity(const torch::Tensor& images, const torch::Tensor& examples) {
    namespace F = torch::nn::functional;
    if (images.size(0) == 0 || examples.size(0) == 0) fail("style similarity needs images and examples (got none)");
    const auto centre = F::normalize(styleDescriptor(examples).mean(0, true), F::NormalizeFuncOptions().dim(1));
    return F::cosine_similarity(styleDescriptor(images), centre, F::CosineSimilarityFuncOptions().dim(1)).mean().item<double>();
}

std::string Judge::subjectName(int subject) const { return config_.subjects.at(static_cast<size_t>(subject)); }
std::string Judge::styleName(int style) const { return config_.styles.at(static_cast<size_t>(style)); }

}  // namespace sa
