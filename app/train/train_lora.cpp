// Add-on stage: a LoRA that teaches the demo model the held-out style (cross stitch, never in its
// training data; issue 15). Low-rank adapters on the UNet's block layers (LoCon: convolutions
// too) and the text encoder's, trained with the ε objective on that style's pictures while the
// base weights stay frozen; written as a kohya file, the format most front ends read.
#include <cmath>

#include "app/train/train_diffusion.h"
#include "core/eval/judge.h"
#include "core/io/image.h"
#include "core/models/lora.h"
#include "core/pipeline/text_to_image.h"

namespace sa::train {
namespace {

// The trainable adapters: registered in one module (checkpoints, the optimizer) and attached to
// the base model's layers, all reading one scale (the preview's LoRA weight).
struct Adapters {
    std::shared_ptr<torch::nn::Module> holder = std::make_shared<torch::nn::Module>();
    std::shared_ptr<double> scale = std::make_shared<double>(1.0);
    std::vector<LoraLayer> layers;

    void add(LoraNetwork network, torch::nn::Module& module, int rank, const std::vector<std::string>& under) {
        for (const auto& [path, layer] : adaptableLayers(module)) {
            if (std::none_of(under.begin(), under.end(), [&](const std::string& p) { return path.starts_with(p); })) continue;
            const auto& w = layer->baseWeight();
            auto downShape = w.sizes().vec(), upShape = w.sizes().vec();
            downShape[0] = rank;  // [r, in(, kh, kw)]
            upShape[1] = rank;    // [out, r(, 1, 1)]
            for (size_t d = 2; d < upShape.size(); ++d) upShape[d] = 1;
            auto down = torch::empty(downShape);
            torch::nn::init::kaiming_uniform_(down, std::sqrt(5.0));  // as PEFT and kohya start
            auto up = torch::zeros(upShape);
            std::string name = fmt::format("{}_{}", static_cast<int>(network), path);
            std::replace(name.begin(), name.end(), '.', '_');
            down = holder->register_parameter(name + "_down", down);
            up = holder->register_parameter(name + "_up", up);
            layer->adapters.push_back({down, up, 1.0, scale});  // alpha = rank
            layers.push_back({network, path, path, down, up, 1.0});
        }
    }
};

// Four subjects in the held-out style at LoRA weights 0, 0.5 and 1 (one row each).
void preview(const std::shared_ptr<StableDiffusionModel>& base, Adapters& adapters, const fs::path& png) {
    GenerationRequest request;
    for (int subject : {3, 0, 9, 4}) request.prompts.push_back(data::captionFor(subject, data::heldOutStyle()));
    request.steps = 25;
    request.guidanceScale = 7.5;
    request.seed = 5;
    std::vector<cv::Mat> cells;
    for (double weight : {0.0, 0.5, 1.0}) {
        *adapters.scale = weight;
        const auto images = tensorToImages(TextToImagePipeline(base).generate(request).images);
        cells.insert(cells.end(), images.begin(), images.end());
    }
    *adapters.scale = 1.0;
    writeImage(png, makeGrid(cells, static_cast<int>(request.prompts.size())));
}

// What the LoRA teaches, measured (written to report.json in the work folder, quoted in the model
// card): pictures of every subject captioned in the held-out style at LoRA weights 0, 0.5 and 1;
// the cosine of each picture's style descriptor (the judge's Gram features) with the mean
// descriptor of held-out cross-stitch pictures from the data set, and the judge's subject accuracy.
// The data set's own pictures against that mean give the ceiling.
void report(const std::shared_ptr<StableDiffusionModel>& base, Adapters& adapters, const fs::path& judgeFolder, int size,
            const fs::path& json) {
    auto judge = Judge::load(judgeFolder);
    const data::ProceduralDataset real(777, size, 1, 1, data::heldOutStyle());
    std::vector<torch::Tensor> pictures;
    for (int i = 0; i < 48; ++i) pictures.push_back((imageToTensor(real.at(i).image) + 1) / 2);
    const auto examples = torch::cat(pictures);
    nlohmann::json out;
    const double ceiling = judge.styleSimilarity(examples, examples);
    out["data_set_pictures"] = {{"style_similarity", ceiling}};
    fmt::print("data set pictures: style similarity {:.3f}\n", ceiling);
    GenerationRequest request;
    std::vector<int> subjects;
    for (int k = 0; k < 2; ++k)
        for (int subject = 0; subject < int(data::subjectNames().size()); ++subject) {
            request.prompts.push_back(data::captionFor(subject, data::heldOutStyle()));
            subjects.push_back(subject);
        }
    request.steps = 30;
    request.guidanceScale = 7.5;
    request.seed = 300;
    for (double weight : {0.0, 0.5, 1.0}) {
        *adapters.scale = weight;
        const auto images = TextToImagePipeline(base).generate(request).images;
        const auto verdicts = judge.judge(images);
        int right = 0;
        for (size_t k = 0; k < verdicts.size(); ++k) right += verdicts[k].subject == subjects[k];
        const double style = judge.styleSimilarity(images, examples), subjectsRight = double(right) / verdicts.size();
        out[fmt::format("weight {}", weight)] = {{"style_similarity", style}, {"subject_accuracy", subjectsRight}, {"pictures", verdicts.size()}};
        fmt::print("LoRA weight {:.1f}: style similarity {:.3f}, subject accuracy {:.3f} ({} pictures)\n", weight, style,
                   subjectsRight, verdicts.size());
    }
    *adapters.scale = 1.0;
    writeJson(json, out);
}

}  // namespace

int trainLora(const TrainOptions& o) {
    const int steps = o.steps > 0 ? o.steps : 2000, batch = o.batch > 0 ? o.batch : 32;
    const double lr = o.lr > 0 ? o.lr : 1e-3;
    torch::manual_seed(static_cast<int64_t>(o.seed));
    const auto addOn = addOnData(o, data::ProceduralDataset(o.seed + 3, o.size, 0, 1, data::heldOutStyle()), 3'000,
                                "lora_pool.safetensors");
    const auto& base = addOn.base;

    Adapters adapters;
    adapters.add(LoraNetwork::Unet, *base->unet, 8, {"down_blocks.", "mid_block.", "up_blocks."});
    adapters.add(LoraNetwork::TextEncoder, *base->textEncoder, 4, {"text_model.encoder."});
    torch::optim::AdamW optimizer(adapters.holder->parameters(), torch::optim::AdamWOptions(lr).weight_decay(0.01));
    StageProgress progress(o, "lora", "LoRA training loss (log scale)", steps, 250, *adapters.holder, optimizer);
    int step = progress.firstStep();
    auto generator = at::detail::createCPUGenerator(o.seed + static_cast<uint64_t>(step));
    std::string stem = data::heldOutStyleName();
    std::replace(stem.begin(), stem.end(), ' ', '_');
    const auto file = o.out / (stem + ".safetensors");
    for (; step < steps; ++step) {
        progress.stopIfRequested(step);
        setLearningRate<torch::optim::AdamWOptions>(optimizer, learningRate(lr, step, steps, 100));
        const auto b = addOn.batch(batch, 0.1, generator);
        const auto context = base->textEncoder->forward(b.tokenIds).lastHiddenState;
        const auto loss = minSnrLoss(base->unet->forward(b.noisy, b.t, context), b);
        optimizer.zero_grad();
        loss.weighted.backward();
        torch::nn::utils::clip_grad_norm_(adapters.holder->parameters(), 1.0);
        optimizer.step();
        progress.stepDone(step, {{"loss", loss.weighted.item<double>()}, {"mse", loss.mse}});
        if ((step + 1) % 500 == 0 || step + 1 == steps) {
            fs::create_directories(o.out);
            saveKohyaLora(file, adapters.layers,
                          {{"ss_network_dim", "8"}, {"ss_network_alpha", "8"}, {"ss_network_module", "networks.lora"},
                           {"stylealigned_trigger", data::heldOutStyleName() + " style"},
                           {"stylealigned_base_model", "StyleAligned Studio demo model"}});
            preview(base, adapters, o.work / fmt::format("lora_preview_{:06d}.png", step + 1));
        }
    }
    progress.finish();
    // What ships must read back through the app's own loader.
    readLora(file, base->loraNetworks());
    report(base, adapters, o.base / "judge", o.size, o.work / "lora_report.json");
    return 0;
}

}  // namespace sa::train
