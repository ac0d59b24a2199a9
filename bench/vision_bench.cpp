// stylealigned-bench-vision: caption and metric times at the real model sizes (issue 12).
//
// Builds the three vision models users download, with their real configurations and random
// weights (BLIP base captioning: ViT-B/16 at 384 px + a 12-layer BERT decoder; CLIP ViT-L/14 at
// 224 px with its text tower; DINO ViT-B/8 at 224 px), and reports on this machine:
//   caption time per image, greedy and with 3 beams, at max_length 20 (random weights never say
//   [SEP], so every caption runs all 19 steps: the worst case); with the decoder's key/value cache
//   and, for comparison, recomputing every position each step (what a port without a cache pays);
//   CLIP text score and DINO embedding time per image (batch of 5, a set), and the peak RSS.
//
// usage: stylealigned-bench-vision [--threads N] [--repeats N] [--device D]
#include <sys/resource.h>

#include <chrono>

#include <fmt/format.h>

#include "app/cli_support.h"
#include "core/common/runtime.h"
#include "core/models/blip.h"
#include "core/models/clip_text_model.h"
#include "core/models/vision_transformers.h"
#include "core/pipeline/prompt_encoding.h"

using namespace sa;

namespace {

double seconds(const std::function<void()>& run, int repeats) {
    run();  // warm-up
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < repeats; ++i) run();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / repeats;
}

double peakRssGiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / (1024.0 * 1024.0);
}

VisionTransformerConfig vit(int hidden, int layers, int heads, int intermediate, int image, int patch) {
    VisionTransformerConfig c;
    c.hidden_size = hidden, c.num_hidden_layers = layers, c.num_attention_heads = heads;
    c.intermediate_size = intermediate, c.image_size = image, c.patch_size = patch;
    return c;
}

template <typename Module>
Module prepared(Module module, torch::Device device) {
    module->to(device);
    module->eval();
    return module;
}

// The BLIP decoder as generation drives it, optionally without its cache (every step feeds the
// whole sequence again).
class Decoder : public StepDecoder {
public:
    Decoder(BlipTextDecoder d, torch::Tensor image, bool cached) : d_(std::move(d)), image_(std::move(image)), cached_(cached) {}
    torch::Tensor next(const torch::Tensor& ids) override {
        if (cached_) return d_->forward(ids, image_, cache_).select(1, -1);
        all_ = all_.defined() ? torch::cat({all_, ids}, 1) : ids;
        DecoderCache fresh;
        return d_->forward(all_, image_, fresh).select(1, -1);
    }
    void select(const torch::Tensor& index) override {
        cache_.select(index);
        if (all_.defined()) all_ = all_.index_select(0, index);
    }
    void expand(int64_t beams) override { image_ = image_.repeat_interleave(beams, 0); }

private:
    BlipTextDecoder d_;
    torch::Tensor image_, all_;
    DecoderCache cache_;
    bool cached_;
};

}  // namespace

int main(int argc, char** argv) {
    try {
        cli::Args args(argc, argv, 1, {});
        args.expectOnly({"threads", "repeats", "device"});
        const int threads = configureRuntime(args.getInt("threads", 0));
        const int repeats = args.getInt("repeats", 2, 1);
        const auto device = selectDevice(args.get("device", "auto"));
        torch::NoGradGuard noGrad;
        torch::manual_seed(0);
        fmt::print("vision models at real sizes, random weights, {} ({} threads), mean of {} runs after a warm-up\n\n",
                   device.str(), threads, repeats);

        BlipConfig blip;  // Salesforce/blip-image-captioning-base
        blip.vision = vit(768, 12, 12, 3072, 384, 16);
        blip.vision.layer_norm_eps = 1e-5;
        blip.text.num_attention_heads = 12;
        auto captioner = prepared(BlipForConditionalGeneration(blip), device);
        const auto pixels = torch::randn({1, 3, 384, 384}, device);
        GenerationOptions greedy;
        greedy.max_length = 20;
        auto beams = greedy;
        beams.num_beams = 3;
        auto caption = [&](const GenerationOptions& options, bool cached) {
            auto image = captioner->visionModel->forward(pixels).lastHiddenState;
            Decoder decoder(captioner->textDecoder, image, cached);
            auto ids = generateTokens(decoder, torch::full({1, 1}, blip.text.bos_token_id, torch::kLong), blip.text.sep_token_id,
                                      blip.text.pad_token_id, options);
            if (ids.size(1) != options.max_length) fmt::print("  (caption stopped at {} tokens)\n", ids.size(1));
        };
        const double vision = seconds([&] { captioner->visionModel->forward(pixels); }, repeats);
        const double greedyCached = seconds([&] { caption(greedy, true); }, repeats);
        const double greedyFull = seconds([&] { caption(greedy, false); }, repeats);
        const double beamCached = seconds([&] { caption(beams, true); }, repeats);
        const double beamFull = seconds([&] { caption(beams, false); }, repeats);
        fmt::print("| BLIP base caption (384 px, 19 new tokens) | with key/value cache | recomputing every position | ratio |\n"
                   "|---|---|---|---|\n");
        fmt::print("| greedy | {:.2f} s | {:.2f} s | {:.2f}× |\n", greedyCached, greedyFull, greedyFull / greedyCached);
        fmt::print("| 3 beams | {:.2f} s | {:.2f} s | {:.2f}× |\n", beamCached, beamFull, beamFull / beamCached);
        fmt::print("(of which the image encoder: {:.2f} s)\n\n", vision);
        captioner = nullptr;

        auto clipVision = vit(1024, 24, 16, 4096, 224, 14);  // openai/clip-vit-large-patch14
        clipVision.hidden_act = "quick_gelu", clipVision.layer_norm_eps = 1e-5, clipVision.projection_dim = 768;
        auto clipImage = prepared(CLIPVisionModel(clipVision), device);
        CLIPTextConfig clipText;
        clipText.hidden_size = 768, clipText.intermediate_size = 3072, clipText.num_hidden_layers = 12;
        clipText.num_attention_heads = 12, clipText.with_projection = true, clipText.projection_dim = 768;
        auto clipTextModel = prepared(CLIPTextModel(clipText), device);
        auto dino = prepared(ViTModel(vit(768, 12, 12, 3072, 224, 8)), device);  // facebook/dino-vitb8
        const auto set = torch::randn({5, 3, 224, 224}, device);
        const auto ids = torch::randint(0, 49407, {4, 77}, torch::TensorOptions(torch::kLong).device(device));
        const double clipSeconds = seconds(
            [&] {
                auto image = clipImage->forward(set.slice(0, 1)).imageEmbeds;
                auto text = clipTextModel->forward(ids).textEmbeds;
                (void)torch::cosine_similarity(image, text, 1);
            },
            repeats);
        const double dinoSeconds = seconds([&] { dino->forward(set); }, repeats);
        fmt::print("| metric (a set of 5 images) | per set | per image |\n|---|---|---|\n");
        fmt::print("| CLIP ViT-L/14 text score (4 targets: image + text towers) | {:.2f} s | {:.2f} s |\n", clipSeconds,
                   clipSeconds / 4);
        fmt::print("| DINO ViT-B/8 consistency (5 images, 785 tokens each) | {:.2f} s | {:.2f} s |\n", dinoSeconds,
                   dinoSeconds / 5);
        fmt::print("\npeak RSS {:.2f} GiB\n", peakRssGiB());
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "stylealigned-bench-vision: error: {}\n", e.what());
        return 1;
    }
}
