#pragma once
// A BLIP captioning folder as the hubs ship it (config.json, model.safetensors,
// preprocessor_config.json, vocab.txt + tokenizer_config.json), used as transformers does:
// BlipProcessor → BlipForConditionalGeneration.generate → decode(skip_special_tokens=True).
#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "core/common/cancel.h"
#include "core/io/image_processor.h"
#include "core/models/blip.h"
#include "core/text/wordpiece_tokenizer.h"

namespace sa {

class BlipCaptioner {
public:
    // Throws sa::Error naming the folder and what is wrong: a folder of another kind (says what it
    // holds), a missing processor / tokenizer file, pickle-only weights, weights that do not match.
    static std::shared_ptr<BlipCaptioner> load(const std::filesystem::path& folder, torch::Device device = torch::kCPU);

    // The model's own generation settings (its text_config: max_length 20, greedy for BLIP base).
    const GenerationOptions& defaults() const { return model_->config().text.generation; }

    // BlipImageProcessor: an 8-bit BGR / grey image → pixel_values [1, 3, S, S].
    torch::Tensor pixelValues(const cv::Mat& image) const { return preprocessImage(image, processor_); }
    // The decoder prompt: [DEC] alone, or [DEC] + the prefix's tokens (conditional captioning,
    // "a painting of"), as BlipForConditionalGeneration.generate builds it. [1, t] int64.
    torch::Tensor prompt(const std::string& prefix) const;
    // Token ids [B, L] (prompt included, [SEP] kept) for pixel_values [B, 3, S, S].
    torch::Tensor generate(const torch::Tensor& pixelValues, const torch::Tensor& prompt, const GenerationOptions& options,
                           const CancelToken* cancel = nullptr);
    // decode(skip_special_tokens=True) of one row.
    std::string decode(const torch::Tensor& ids) const;
    // The whole job: image → caption text (the prefix included, as transformers returns it).
    std::string caption(const cv::Mat& image, const std::string& prefix, const GenerationOptions& options,
                        const CancelToken* cancel = nullptr);

    BlipForConditionalGeneration& model() { return model_; }
    const std::filesystem::path& folder() const { return folder_; }

private:
    BlipCaptioner() = default;
    std::filesystem::path folder_;
    BlipForConditionalGeneration model_{nullptr};
    ImageProcessorConfig processor_;
    std::unique_ptr<WordPieceTokenizer> tokenizer_;
};

}  // namespace sa
