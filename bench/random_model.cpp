#include "bench/random_model.h"

#include "core/common/error.h"
#include "core/common/resources.h"

namespace sa {
namespace {

CLIPTextConfig textTower(int width, int layers, int heads, const char* act, int projection) {
    CLIPTextConfig c;
    c.hidden_size = width, c.intermediate_size = 4 * width, c.num_hidden_layers = layers;
    c.num_attention_heads = heads, c.hidden_act = act;
    c.with_projection = projection > 0, c.projection_dim = projection > 0 ? projection : width;
    return c;
}

}  // namespace

std::shared_ptr<StableDiffusionModel> randomModel(const std::string& shape, const LoadOptions& options) {
    CheckpointFamily family;
    std::vector<CLIPTextConfig> towers;
    if (shape == "sd15") {
        family = CheckpointFamily::SD1;
        towers = {textTower(768, 12, 12, "quick_gelu", 0)};  // CLIP ViT-L/14
    } else if (shape == "sd2") {
        family = CheckpointFamily::SD2;
        towers = {textTower(1024, 23, 16, "gelu", 0)};  // OpenCLIP ViT-H/14, cut after layer 23 as diffusers ships it
    } else if (shape == "sdxl") {
        family = CheckpointFamily::SDXL;
        towers = {textTower(768, 12, 12, "quick_gelu", 0), textTower(1280, 32, 20, "gelu", 1280)};
    } else {
        fail("--shape '{}' is not one of sd15, sd2, sdxl", shape);
    }
    torch::manual_seed(0);
    torch::NoGradGuard noGrad;
    const auto config = builtinOriginalConfig(family);
    auto model = std::make_shared<StableDiffusionModel>();
    model->folder = "random " + shape;
    model->family = family == CheckpointFamily::SDXL ? ModelFamily::StableDiffusionXL : ModelFamily::StableDiffusion;
    model->familyLabel = shape;
    model->configSource = config.where;
    model->device = options.device;
    model->dtype = options.dtype;
    model->schedulerConfig = config.scheduler;
    model->unet = UNet2DConditionModel(config.unet);
    model->vae = AutoencoderKL(config.vae);
    model->textEncoder = CLIPTextModel(towers[0]);
    if (towers.size() > 1) model->textEncoder2 = CLIPTextModel(towers[1]);
    for (size_t i = 0; i < towers.size(); ++i) model->conditioning[i] = config.textConditioning[i];
    if (family == CheckpointFamily::SD2) model->conditioning[0] = {-1, true};  // the 23 layers diffusers keeps
    prepareForInference(*model->unet, options);
    prepareForInference(*model->vae, options);
    prepareForInference(*model->textEncoder, options);
    if (model->textEncoder2) prepareForInference(*model->textEncoder2, options);
    model->tokenizer = std::make_shared<ClipTokenizer>(ClipTokenizer::fromFolder(bundledClipTokenizer()));
    if (model->isXL()) model->tokenizer2 = std::make_shared<ClipTokenizer>(model->tokenizer->withPadToken("!"));
    model->checkConsistency(config.where, config.where);
    return model;
}

}  // namespace sa
