#include "core/pipeline/stable_diffusion_model.h"

#include <cmath>

#include "core/io/state_dict.h"
#include "core/pipeline/single_file_model.h"

namespace sa {
namespace {

template <typename Holder>
Holder finishModule(Holder module, const std::filesystem::path& weights, const LoadOptions& options) {
    throwIfCancelled(options.cancel);
    auto file = SafetensorsFile::open(weights);
    loadStateDict(*module, *file);
    prepareForInference(*module, options);
    return module;
}

const std::vector<std::string> kDiffusersWeights{"diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors"};
const std::vector<std::string> kTransformersWeights{"model.safetensors", "model.fp16.safetensors"};

}  // namespace

nlohmann::json modelOptionsToJson(const LoadOptions& options) {
    auto json = nlohmann::json::object();
    if (!options.config.empty()) json["config"] = options.config.string();
    if (options.predictionType) json["prediction_type"] = *options.predictionType;
    if (std::any_of(options.textEncoders.begin(), options.textEncoders.end(), [](const auto& e) { return e.heads.has_value(); }))
        for (const auto& e : options.textEncoders) json["text_encoder_heads"].push_back(e.heads.value_or(0));
    if (std::any_of(options.textEncoders.begin(), options.textEncoders.end(), [](const auto& e) { return e.hiddenAct.has_value(); }))
        for (const auto& e : options.textEncoders) json["text_encoder_act"].push_back(e.hiddenAct.value_or(""));
    return json;
}

void modelOptionsFromJson(const nlohmann::json& json, LoadOptions& options, const std::string& where) {
    if (json.is_null()) return;
    const JsonConfig j(json, where + " model_options");
    if (j.has("config")) options.config = j.get<std::string>("config");
    if (j.has("prediction_type")) options.predictionType = j.get<std::string>("prediction_type");
    const auto heads = j.get<std::vector<int>>("text_encoder_heads", {});
    const auto acts = j.get<std::vector<std::string>>("text_encoder_act", {});
    if (!heads.empty() && !acts.empty() && heads.size() != acts.size())
        fail("{} model_options: text_encoder_heads and text_encoder_act differ in length", where);
    options.textEncoders.assign(std::max(heads.size(), acts.size()), {});
    for (size_t i = 0; i < options.textEncoders.size(); ++i) {
        if (!heads.empty() && heads[i] < 0) fail("{} model_options: text_encoder_heads must not be negative", where);
        if (!heads.empty() && heads[i] > 0) options.textEncoders[i].heads = heads[i];
        if (!acts.empty() && !acts[i].empty()) options.textEncoders[i].hiddenAct = acts[i];
    }
    j.finish();
}

void prepareForInference(torch::nn::Module& module, const LoadOptions& options) {
    module.to(options.device, options.dtype);
    module.eval();
    for (auto& p : module.parameters()) p.set_requires_grad(false);
}

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

std::string StableDiffusionModel::summary() const {
    const auto& prediction = schedulerConfig.prediction_type;
    std::string text = fmt::format("{} · {} · {} weights", familyLabel,
                                   prediction == "epsilon" ? "ε-prediction" : prediction == "v_prediction" ? "v-prediction" : prediction,
                                   weightsDtype);
    if (weightsDtype != safetensorsDtypeName(dtype)) text += fmt::format(" as {}", c10::toString(dtype));
    text += singleFile ? fmt::format(" · single file ({})", configSource) : " · diffusers folder";
    return text;
}

std::shared_ptr<StableDiffusionModel> StableDiffusionModel::load(const std::filesystem::path& path,
                                                                 const LoadOptions& options) {
    if (std::filesystem::is_regular_file(path)) return loadSingleFile(path, options);
    const auto& folder = path;
    if (!std::filesystem::is_directory(folder))
        fail("{}: no such model (expected a diffusers model folder or a .safetensors checkpoint)", folder.string());
    if (!options.config.empty() || !options.textEncoders.empty())
        fail("{}: a diffusers folder has its own config.json files; a config YAML and text-encoder settings apply to "
             "single-file checkpoints only", folder.string());
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
    model->familyLabel = model->isXL() ? "SDXL" : "SD";
    // StableDiffusionXLPipeline.encode_prompt: hidden_states[-2] of both encoders, no final norm.
    if (model->isXL()) model->conditioning = {TextConditioning{-2, false}, TextConditioning{-2, false}};
    auto progress = [&](double fraction, const char* what) {
        if (options.progress) options.progress(fraction, what);
    };
    progress(0.0, "text encoder");

    model->tokenizer = std::make_shared<ClipTokenizer>(ClipTokenizer::fromFolder(folder / "tokenizer"));
    model->textEncoder = loadTextEncoder(folder / "text_encoder", options);
    if (model->isXL()) {
        model->tokenizer2 = std::make_shared<ClipTokenizer>(ClipTokenizer::fromFolder(folder / "tokenizer_2"));
        model->textEncoder2 = loadTextEncoder(folder / "text_encoder_2", options);
        if (!model->textEncoder2->config().with_projection)
            fail("{}: SDXL needs CLIPTextModelWithProjection in text_encoder_2", (folder / "text_encoder_2/config.json").string());
    }
    progress(0.2, "UNet");
    model->unet = loadUNet(folder / "unet", options);
    progress(0.9, "VAE");
    if (options.loadVae) model->vae = loadVae(folder / "vae", options);
    model->weightsDtype = safetensorsDtypeName(
        SafetensorsFile::open(findWeightsFile(folder / "unet", kDiffusersWeights))->tensors().front().scalarType);
    model->schedulerConfig = DDIMSchedulerConfig::load(folder / "scheduler" / "scheduler_config.json");
    if (!model->isXL()) {
        // StableDiffusionPipeline.__init__ repairs outdated scheduler configs; do the same so the
        // numbers equal the reference pipeline's.
        model->schedulerConfig.steps_offset = 1;
        model->schedulerConfig.clip_sample = false;
    }
    if (options.predictionType) {
        model->schedulerConfig.prediction_type = *options.predictionType;
        model->notes.push_back(fmt::format("prediction type {} (set by the user)", *options.predictionType));
    }

    model->checkConsistency((folder / "unet/config.json").string(), (folder / "vae/config.json").string());
    progress(1.0, "ready");
    return model;
}

// Cross-checks that would otherwise fail deep inside a forward pass.
void StableDiffusionModel::checkConsistency(const std::string& unetWhere, const std::string& vaeWhere) const {
    const auto& unetConfig = unet->config();
    int contextWidth = textEncoder->config().hidden_size;
    if (isXL()) contextWidth += textEncoder2->config().hidden_size;
    for (int dim : unetConfig.cross_attention_dim)
        if (dim != contextWidth)
            fail("{}: cross_attention_dim {} does not match the text encoder hidden size {}",
                 unetWhere, dim, contextWidth);
    if (isXL()) {
        if (!unetConfig.addition_embed_type)
            fail("{}: an SDXL pipeline needs addition_embed_type 'text_time'", unetWhere);
        const int expected = unetConfig.addition_time_embed_dim * 6 + textEncoder2->config().projection_dim;
        if (expected != unetConfig.projection_class_embeddings_input_dim)
            fail("{}: projection_class_embeddings_input_dim {} != 6 × addition_time_embed_dim + text_encoder_2 "
                 "projection_dim = {}", unetWhere,
                 unetConfig.projection_class_embeddings_input_dim, expected);
    }
    if (vae && vae->config().latent_channels != unetConfig.in_channels)
        fail("{}: latent_channels {} does not match unet in_channels {}", vaeWhere,
             vae->config().latent_channels, unetConfig.in_channels);
}

LoraNetworks StableDiffusionModel::loraNetworks() const {
    // The holders are shared handles: adapters go on the model's own networks.
    LoraNetworks networks{unet.ptr().get(), textEncoder ? textEncoder.ptr().get() : nullptr,
                          textEncoder2 ? textEncoder2.ptr().get() : nullptr, familyLabel};
    if (familyLabel == "SD") {
        // A diffusers folder says only "StableDiffusionPipeline": the text width tells 1.x from 2.x.
        const int width = unet->config().cross_attention_dim.front();
        networks.family = width == 768 ? "SD 1.x" : width == 1024 ? "SD 2.x" : "SD";
    }
    return networks;
}

namespace {

// Tells a file from the same path rewritten (a LoRA trained further), without reading it.
std::string fileIdentity(const std::filesystem::path& path) {
    const auto text = fmt::format("{}|{}|{}", std::filesystem::absolute(path).lexically_normal().string(),
                                  std::filesystem::file_size(path),
                                  std::filesystem::last_write_time(path).time_since_epoch().count());
    uint32_t h = 2166136261u;
    for (unsigned char c : text) h = (h ^ c) * 16777619u;
    return fmt::format("{:08x}", h);
}

void checkWeight(double weight, const std::string& name) {
    if (!std::isfinite(weight)) fail("LoRA '{}': weight {} is not a finite number", name, weight);
}

}  // namespace

AttachedLora StableDiffusionModel::addLora(const std::filesystem::path& file, double weight, const LoraReadOptions& options,
                                           const std::string& name) {
    const auto networks = loraNetworks();
    auto lora = readLora(file, networks, options);
    AttachedLora entry;
    entry.name = name;
    if (entry.name.empty()) {
        const auto stem = (std::filesystem::is_directory(file) ? file.filename() : file.stem()).string();
        entry.name = stem;
        for (int i = 2; std::any_of(loras_.begin(), loras_.end(), [&](const auto& l) { return l.name == entry.name; }); ++i)
            entry.name = fmt::format("{}-{}", stem, i);
    }
    checkWeight(weight, entry.name);
    for (const auto& other : loras_) {
        if (other.name == entry.name) fail("{}: a LoRA named '{}' is already attached", file.string(), entry.name);
        std::error_code missing;  // a file removed since it was attached is not this one
        if (std::filesystem::equivalent(other.path, file, missing))
            fail("{}: already attached as '{}'; change its weight instead", file.string(), other.name);
    }
    entry.path = file;
    entry.format = lora.format;
    entry.weight = weight;
    entry.layers = static_cast<int>(lora.layers.size());
    entry.unmatched = lora.unmatched;
    entry.identity = fileIdentity(lora.path);
    entry.scale = std::make_shared<double>(weight);
    attachLora(lora, networks, entry.scale);
    loras_.push_back(entry);
    return entry;
}

AttachedLora& StableDiffusionModel::attachedLora(const std::string& name) {
    for (auto& l : loras_)
        if (l.name == name) return l;
    std::vector<std::string> names;
    for (const auto& l : loras_) names.push_back(l.name);
    fail("no LoRA named '{}' is attached (attached: {})", name, names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")));
}

void StableDiffusionModel::setLoraWeight(const std::string& name, double weight) {
    auto& lora = attachedLora(name);
    checkWeight(weight, name);
    lora.weight = weight;
    *lora.scale = lora.enabled ? weight : 0.0;
}

void StableDiffusionModel::setLoraEnabled(const std::string& name, bool enabled) {
    auto& lora = attachedLora(name);
    lora.enabled = enabled;
    *lora.scale = enabled ? lora.weight : 0.0;
}

void StableDiffusionModel::removeLora(const std::string& name) {
    const auto* scale = attachedLora(name).scale.get();
    detachLora(loraNetworks(), scale);
    std::erase_if(loras_, [&](const AttachedLora& l) { return l.name == name; });
}

void StableDiffusionModel::removeAllLoras() {
    while (!loras_.empty()) removeLora(loras_.back().name);
}

std::string StableDiffusionModel::loraSignature() const {
    std::vector<std::string> active;
    for (const auto& l : loras_)
        if (*l.scale != 0.0) active.push_back(fmt::format("{}#{}*{}", l.name, l.identity, *l.scale));
    return fmt::format("{}", fmt::join(active, ","));
}

torch::Tensor StableDiffusionModel::mergedLoraWeight(LoraNetwork network, const std::string& layer) const {
    return adaptableLayer(loraNetworks(), network, layer).mergedWeight();
}

}  // namespace sa
