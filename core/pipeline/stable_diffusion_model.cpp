#include "core/pipeline/stable_diffusion_model.h"

#include "core/io/state_dict.h"

namespace sa {
namespace {

template <typename Holder>
Holder finishModule(Holder module, const std::filesystem::path& weights, const LoadOptions& options) {
    auto file = SafetensorsFile::open(weights);
    loadStateDict(*module, *file);
    module->to(options.device, options.dtype);
    module->eval();
    for (auto& p : module->parameters()) p.set_requires_grad(false);
    return module;
}

const std::vector<std::string> kDiffusersWeights{"diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors"};
const std::vector<std::string> kTransformersWeights{"model.safetensors", "model.fp16.safetensors"};

}  // namespace

UNet2DConditionModel loadUNet(const std::filesystem::path& folder, const LoadOptions& options) {
    auto config = UNet2DConditionConfig::load(folder / "config.json");
    return finishModule(UNet2DConditionModel(config), findWeightsFile(folder, kDiffusersWeights), options);
}

AutoencoderKL loadVae(const std::filesystem::path& folder, const LoadOptions& options) {
    auto config = AutoencoderKLConfig::load(folder / "config.json");
    return finishModule(AutoencoderKL(config), findWeightsFile(folder, kDiffusersWeights), options);
}

CLIPTextModel loadTextEncoder(const std::filesystem::path& folder, const LoadOptions& options) {
    auto config = CLIPTextConfig::load(folder / "config.json");
    return finishModule(CLIPTextModel(config), findWeightsFile(folder, kTransformersWeights), options);
}

int StableDiffusionModel::vaeScaleFactor() const {
    return vae ? vae->downscaleFactor() : 8;
}

std::shared_ptr<StableDiffusionModel> StableDiffusionModel::load(const std::filesystem::path& folder,
                                                                 const LoadOptions& options) {
    if (!std::filesystem::is_directory(folder)) fail("{}: not a folder (expected a diffusers model folder)", folder.string());
    auto index = JsonConfig::load(folder / "model_index.json");
    const auto className = index.get<std::string>("_class_name");
    auto model = std::make_shared<StableDiffusionModel>();
    model->folder = folder;
    model->device = options.device;
    model->dtype = options.dtype;
    if (className == "StableDiffusionPipeline")
        model->family = ModelFamily::StableDiffusion;
    else if (className == "StableDiffusionXLPipeline")
        model->family = ModelFamily::StableDiffusionXL;
    else
        fail("{}: _class_name '{}' is not supported (StableDiffusionPipeline, StableDiffusionXLPipeline)",
             index.where(), className);
    model->forceZerosForEmptyPrompt = index.get<bool>("force_zeros_for_empty_prompt", true);

    model->tokenizer = std::make_shared<ClipTokenizer>(ClipTokenizer::fromFolder(folder / "tokenizer"));
    model->textEncoder = loadTextEncoder(folder / "text_encoder", options);
    if (model->isXL()) {
        model->tokenizer2 = std::make_shared<ClipTokenizer>(ClipTokenizer::fromFolder(folder / "tokenizer_2"));
        model->textEncoder2 = loadTextEncoder(folder / "text_encoder_2", options);
        if (!model->textEncoder2->config().with_projection)
            fail("{}: SDXL needs CLIPTextModelWithProjection in text_encoder_2", (folder / "text_encoder_2/config.json").string());
    }
    model->unet = loadUNet(folder / "unet", options);
    if (options.loadVae) model->vae = loadVae(folder / "vae", options);
    model->schedulerConfig = DDIMSchedulerConfig::load(folder / "scheduler" / "scheduler_config.json");
    if (!model->isXL()) {
        // StableDiffusionPipeline.__init__ repairs outdated scheduler configs; do the same so the
        // numbers equal the reference pipeline's.
        model->schedulerConfig.steps_offset = 1;
        model->schedulerConfig.clip_sample = false;
    }

    // Cross-checks that would otherwise fail deep inside a forward pass.
    const auto& unetConfig = model->unet->config();
    int contextWidth = model->textEncoder->config().hidden_size;
    if (model->isXL()) contextWidth += model->textEncoder2->config().hidden_size;
    for (int dim : unetConfig.cross_attention_dim)
        if (dim != contextWidth)
            fail("{}: cross_attention_dim {} does not match the text encoder hidden size {}",
                 (folder / "unet/config.json").string(), dim, contextWidth);
    if (model->isXL()) {
        if (!unetConfig.addition_embed_type)
            fail("{}: an SDXL pipeline needs addition_embed_type 'text_time'", (folder / "unet/config.json").string());
        const int expected = unetConfig.addition_time_embed_dim * 6 + model->textEncoder2->config().projection_dim;
        if (expected != unetConfig.projection_class_embeddings_input_dim)
            fail("{}: projection_class_embeddings_input_dim {} != 6 × addition_time_embed_dim + text_encoder_2 "
                 "projection_dim = {}", (folder / "unet/config.json").string(),
                 unetConfig.projection_class_embeddings_input_dim, expected);
    }
    if (model->vae && model->vae->config().latent_channels != unetConfig.in_channels)
        fail("{}: latent_channels {} does not match unet in_channels {}", (folder / "vae/config.json").string(),
             model->vae->config().latent_channels, unetConfig.in_channels);
    return model;
}

}  // namespace sa
