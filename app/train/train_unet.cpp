// Stage 3: text encoder + UNet of the demo model, trained together with the epsilon objective
// (min-SNR-5 weighting) on VAE latents of the procedural data set; an EMA copy is what ships.
// Every style's looks are balanced from the first step (the captions never name the look, so the
// style words are ambiguous, as real style prompts are). An earlier curriculum — first look only,
// then all looks — left the model preferring each style's first look (issue 14: plain sets agreed
// on a look 52 % of the time instead of ~33 %, and references in other looks were not kept).
#include "app/train/train_diffusion.h"
#include "core/io/image.h"
#include "core/io/state_dict.h"
#include "core/pipeline/text_to_image.h"

namespace sa::train {
namespace {

// The trainable pair, one module so checkpoints and EMA treat it as one.
struct DenoiserImpl : torch::nn::Module {
    DenoiserImpl()
        : textEncoder(CLIPTextConfig::fromJson(JsonConfig(demoTextEncoderConfig(), "demo text encoder config"))),
          unet(UNet2DConditionConfig::fromJson(JsonConfig(demoUNetConfig(), "demo unet config"))) {
        register_module("text_encoder", textEncoder);
        register_module("unet", unet);
    }
    CLIPTextModel textEncoder;
    UNet2DConditionModel unet;
};
TORCH_MODULE(Denoiser);

void copyWeights(Denoiser& to, Denoiser& from) {
    torch::NoGradGuard noGrad;
    auto target = to->parameters();
    auto source = from->parameters();
    for (size_t i = 0; i < target.size(); ++i) target[i].copy_(source[i]);
}

void updateEma(Denoiser& ema, Denoiser& model, double decay) {
    torch::NoGradGuard noGrad;
    auto target = ema->parameters();
    auto source = model->parameters();
    for (size_t i = 0; i < target.size(); ++i) target[i].mul_(decay).add_(source[i], 1 - decay);
}

// A StableDiffusionModel over in-memory networks (for previews and the final check).
std::shared_ptr<StableDiffusionModel> assemble(Denoiser& denoiser, AutoencoderKL vae, std::shared_ptr<ClipTokenizer> tokenizer) {
    auto model = std::make_shared<StableDiffusionModel>();
    model->unet = denoiser->unet;
    model->textEncoder = denoiser->textEncoder;
    model->vae = vae;
    model->tokenizer = std::move(tokenizer);
    model->schedulerConfig = DDIMSchedulerConfig::fromJson(JsonConfig(demoSchedulerConfig(), "demo scheduler"));
    return model;
}

void preview(Denoiser& ema, AutoencoderKL vae, const std::shared_ptr<ClipTokenizer>& tokenizer, const fs::path& png) {
    ema->eval();
    auto model = assemble(ema, vae, tokenizer);
    GenerationRequest request;
    const auto& subjects = data::subjectNames();
    const auto& styles = data::styleNames();
    for (size_t i = 0; i < 8; ++i) request.prompts.push_back(data::captionFor(static_cast<int>((i * 5) % subjects.size()), static_cast<int>((i * 3) % styles.size())));
    request.steps = 25;
    request.guidanceScale = 5.0;
    request.seed = 7;
    auto result = TextToImagePipeline(model).generate(request);
    writeImage(png, makeGrid(tensorToImages(result.images), 8));
}

// Writes the EMA networks and the rest of the diffusers folder (also mid-training, so a usable
// model exists whenever training stops).
void exportModel(Denoiser& ema, const fs::path& out) {
    writeJson(out / "unet" / "config.json", ema->unet->config().toJson());
    saveStateDict(*ema->unet, out / "unet" / "diffusion_pytorch_model.safetensors", torch::kFloat16);
    writeJson(out / "text_encoder" / "config.json", ema->textEncoder->config().toJson());
    saveStateDict(*ema->textEncoder, out / "text_encoder" / "model.safetensors", torch::kFloat16);
    // The shipped folder links tokenizer/ to the bundled CLIP vocabulary; a new folder gets a copy.
    if (!fs::exists(fs::symlink_status(out / "tokenizer"))) {
        fs::create_directories(out / "tokenizer");
        for (const auto& file : fs::directory_iterator(tokenizerSource()))
            fs::copy_file(file.path(), out / "tokenizer" / file.path().filename());
    }
    writeJson(out / "scheduler" / "scheduler_config.json", demoSchedulerConfig());
    writeJson(out / "model_index.json", demoModelIndex());
}

}  // namespace

int trainUNet(const TrainOptions& o) {
    const std::string name = "unet_balanced";
    const int steps = o.steps > 0 ? o.steps : 16000, batch = o.batch > 0 ? o.batch : 32, warmup = 500;
    const double lr = o.lr > 0 ? o.lr : 3e-4;
    torch::manual_seed(static_cast<int64_t>(o.seed));
    auto vae = loadVae(o.out / "vae");
    auto tokenizer = std::make_shared<ClipTokenizer>(ClipTokenizer::fromFolder(tokenizerSource()));

    // Latent pool: every subject × style × look many times over.
    data::ProceduralDataset dataset(o.seed + 1, o.size, 0);
    const auto pool = latentPool(dataset, 24'000, vae, o.work / "latent_pool_balanced.safetensors");
    const auto allIds = captionTokenIds(*tokenizer, pool.captions);
    const auto emptyIds = torch::tensor((*tokenizer)("").ids, torch::kLong);

    Denoiser model, ema;
    copyWeights(ema, model);
    for (auto& p : ema->parameters()) p.set_requires_grad(false);
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(lr).weight_decay(0.01));
    // EMA weights travel in the checkpoint as a submodule of a holder module.
    auto state = std::make_shared<torch::nn::Module>();
    state->register_module("model", model);
    state->register_module("ema", ema);
    StageProgress progress(o, name, "UNet + text encoder training loss (EMA, log scale)", steps, 500, *state, optimizer);
    int step = progress.firstStep();

    DDIMScheduler scheduler(DDIMSchedulerConfig::fromJson(JsonConfig(demoSchedulerConfig(), "demo scheduler")));
    const auto alphas = scheduler.alphasCumprod();
    auto generator = at::detail::createCPUGenerator(o.seed + static_cast<uint64_t>(step));
    model->train();
    for (; step < steps; ++step) {
        progress.stopIfRequested(step);
        setLearningRate<torch::optim::AdamWOptions>(optimizer, learningRate(lr, step, steps, warmup));
        const auto b = noisedBatch(pool, allIds, emptyIds, alphas, batch, 0.1, generator);
        auto context = model->textEncoder->forward(b.tokenIds).lastHiddenState;
        const auto loss = minSnrLoss(model->unet->forward(b.noisy, b.t, context), b);
        optimizer.zero_grad();
        loss.weighted.backward();
        torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
        optimizer.step();
        updateEma(ema, model, step < 1000 ? 0.99 : 0.999);
        progress.stepDone(step, {{"loss", loss.weighted.item<double>()}, {"mse", loss.mse}});
        if ((step + 1) % 1000 == 0 || step + 1 == steps) {
            exportModel(ema, o.out);
            preview(ema, vae, tokenizer, o.work / fmt::format("{}_preview_{:06d}.png", name, step + 1));
            model->train();
        }
    }
    progress.finish();
    return 0;
}

}  // namespace sa::train
