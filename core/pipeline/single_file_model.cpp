#include "core/pipeline/single_file_model.h"

#include <set>

#include "core/common/resources.h"
#include "core/io/files.h"
#include "core/io/name_table.h"
#include "core/models/single_file_names.h"

namespace sa {
namespace {

namespace fs = std::filesystem;

// Where a text encoder lives in the file and in which layout.
struct EncoderSpec {
    std::string prefix;
    bool openClip = false;        // OpenCLIP names (resblocks, fused in_proj) instead of transformers'
    bool withProjection = false;  // SDXL's second encoder: pooled text_embeds through text_projection
    bool textModelLevel = true;   // transformers layout with the "text_model." level
};

std::vector<EncoderSpec> encoderSpecs(CheckpointFamily family, const SafetensorsFile& file) {
    switch (family) {
        case CheckpointFamily::SD1: {
            const bool level = std::any_of(file.tensors().begin(), file.tensors().end(), [](const auto& t) {
                return t.name.starts_with("cond_stage_model.transformer.text_model.");
            });
            return {{"cond_stage_model.transformer.", false, false, level}};
        }
        case CheckpointFamily::SD2: return {{"cond_stage_model.model.", true, false}};
        case CheckpointFamily::SDXL:
            return {{"conditioner.embedders.0.transformer.", false, false}, {"conditioner.embedders.1.model.", true, true}};
    }
    return {};
}

const std::vector<int64_t>& shapeOf(const SafetensorsFile& file, const std::string& key, size_t dims) {
    if (!file.contains(key)) fail("{}: text encoder tensor '{}' is missing", file.path().string(), key);
    const auto& shape = file.info(key).shape;
    if (shape.size() != dims || std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d <= 0; }))
        fail("{}: '{}' has shape [{}], expected {} positive dimensions", file.path().string(), key, fmt::join(shape, ", "), dims);
    return shape;
}

// The text encoder's config from its tensors' shapes, plus what no file holds (heads, activation).
CLIPTextConfig textEncoderConfig(const SafetensorsFile& file, const EncoderSpec& spec, const TextEncoderOverride& override,
                                 int index) {
    const std::string tm = spec.openClip ? "" : spec.textModelLevel ? "text_model." : "";
    const auto key = [&](const std::string& relative) { return spec.prefix + relative; };
    const auto layerKey = [&](int i) {
        return spec.openClip ? key(fmt::format("transformer.resblocks.{}.ln_1.weight", i))
                             : key(fmt::format("{}encoder.layers.{}.layer_norm1.weight", tm, i));
    };
    CLIPTextConfig c;
    const auto& token = shapeOf(file, key(spec.openClip ? "token_embedding.weight" : tm + "embeddings.token_embedding.weight"), 2);
    const auto& position = shapeOf(file, key(spec.openClip ? "positional_embedding" : tm + "embeddings.position_embedding.weight"), 2);
    c.vocab_size = static_cast<int>(token[0]);
    c.hidden_size = static_cast<int>(token[1]);
    c.max_position_embeddings = static_cast<int>(position[0]);
    c.num_hidden_layers = 0;
    while (file.contains(layerKey(c.num_hidden_layers))) ++c.num_hidden_layers;
    if (c.num_hidden_layers == 0) fail("{}: text encoder under '{}' has no layers ({} is missing)", file.path().string(), spec.prefix, layerKey(0));
    c.intermediate_size = static_cast<int>(
        shapeOf(file, key(spec.openClip ? "transformer.resblocks.0.mlp.c_fc.weight" : tm + "encoder.layers.0.mlp.fc1.weight"), 2)[0]);
    c.with_projection = spec.withProjection;
    if (spec.withProjection) c.projection_dim = static_cast<int>(shapeOf(file, key("text_projection"), 2)[1]);
    c.hidden_act = override.hiddenAct.value_or(spec.openClip ? "gelu" : "quick_gelu");
    activationByName(c.hidden_act, fmt::format("text encoder {} hidden_act", index + 1));
    constexpr int kRealHeadSize = 64;
    if (override.heads) {
        c.num_attention_heads = *override.heads;
        if (c.num_attention_heads <= 0 || c.hidden_size % c.num_attention_heads != 0)
            fail("text encoder {}: {} heads do not divide its width {}", index + 1, c.num_attention_heads, c.hidden_size);
    } else {
        if (c.hidden_size % kRealHeadSize != 0)
            fail("{}: text encoder {} is {} wide, not a multiple of the real models' head size {}: give its number of "
                 "heads (text-encoder heads option)", file.path().string(), index + 1, c.hidden_size, kRealHeadSize);
        c.num_attention_heads = c.hidden_size / kRealHeadSize;
    }
    return c;
}

NameTable textEncoderNames(const EncoderSpec& spec, const CLIPTextConfig& config) {
    return spec.openClip ? openClipTextNameTable(spec.prefix, config.num_hidden_layers, spec.withProjection)
                         : clipTextNameTable(spec.prefix, spec.textModelLevel);
}

std::string dtypeSummary(const SafetensorsFile& file, const std::vector<std::string>& prefixes) {
    std::set<std::string> dtypes;
    for (const auto& info : file.tensors())
        for (const auto& p : prefixes)
            if (info.name.starts_with(p) && info.shape.size() > 1) dtypes.insert(info.dtype);
    return dtypes.size() == 1 ? *dtypes.begin() : dtypes.empty() ? "?" : "mixed";
}

using Anchors = std::vector<std::pair<std::string, std::vector<int64_t>>>;

// Tensors that pin every width and count of the configured UNet / VAE (module name → shape).
Anchors unetAnchors(const UNet2DConditionConfig& c) {
    const auto& ch = c.block_out_channels;
    const int64_t blocks = static_cast<int64_t>(ch.size()), k = c.conv_in_kernel;
    Anchors a{{"conv_in.weight", {ch[0], c.in_channels, k, k}},
              {"conv_out.weight", {c.out_channels, ch[0], c.conv_out_kernel, c.conv_out_kernel}},
              {fmt::format("mid_block.attentions.0.transformer_blocks.{}.attn2.to_k.weight", c.transformer_layers_per_block.back() - 1),
               {ch.back(), c.cross_attention_dim.back()}}};
    if (c.addition_embed_type) a.push_back({"add_embedding.linear_1.weight", {4 * ch[0], c.projection_class_embeddings_input_dim}});
    for (int64_t i = 0; i < blocks; ++i) {
        a.push_back({fmt::format("down_blocks.{}.resnets.{}.conv2.weight", i, c.layers_per_block - 1), {ch[i], ch[i], 3, 3}});
        a.push_back({fmt::format("up_blocks.{}.resnets.{}.conv2.weight", i, c.layers_per_block), {ch[blocks - 1 - i], ch[blocks - 1 - i], 3, 3}});
        if (c.down_block_types[i] == "CrossAttnDownBlock2D")
            a.push_back({fmt::format("down_blocks.{}.attentions.0.transformer_blocks.{}.attn2.to_k.weight", i,
                                     c.transformer_layers_per_block[i] - 1), {ch[i], c.cross_attention_dim[i]}});
    }
    return a;
}

Anchors vaeAnchors(const AutoencoderKLConfig& c) {
    const auto& ch = c.block_out_channels;
    const int64_t blocks = static_cast<int64_t>(ch.size()), z = c.latent_channels;
    Anchors a{{"encoder.conv_in.weight", {ch[0], c.in_channels, 3, 3}},
              {"encoder.conv_out.weight", {2 * z, ch.back(), 3, 3}},
              {"decoder.conv_in.weight", {ch.back(), z, 3, 3}},
              {"decoder.conv_out.weight", {c.out_channels, ch[0], 3, 3}}};
    for (int64_t i = 0; i < blocks; ++i) {
        a.push_back({fmt::format("encoder.down_blocks.{}.resnets.{}.conv2.weight", i, c.layers_per_block - 1), {ch[i], ch[i], 3, 3}});
        a.push_back({fmt::format("decoder.up_blocks.{}.resnets.{}.conv2.weight", i, c.layers_per_block), {ch[blocks - 1 - i], ch[blocks - 1 - i], 3, 3}});
    }
    return a;
}

// Every weight of the text encoder (the widths come from the file's embeddings and first layer).
Anchors textEncoderAnchors(const CLIPTextConfig& c) {
    const int64_t h = c.hidden_size, inner = c.intermediate_size;
    Anchors a{{"text_model.embeddings.token_embedding.weight", {c.vocab_size, h}},
              {"text_model.embeddings.position_embedding.weight", {c.max_position_embeddings, h}}};
    for (int i = 0; i < c.num_hidden_layers; ++i) {
        const auto layer = fmt::format("text_model.encoder.layers.{}.", i);
        for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) a.push_back({layer + "self_attn." + proj + ".weight", {h, h}});
        a.push_back({layer + "mlp.fc1.weight", {inner, h}});
        a.push_back({layer + "mlp.fc2.weight", {h, inner}});
    }
    if (c.with_projection) a.push_back({"text_projection.weight", {c.projection_dim, h}});
    return a;
}

// Before a network is built from the config: the tensors that fix its sizes must be in the file
// with the shapes the config implies. A config that contradicts the file is refused naming the key
// and both shapes, and a network the file cannot fill is never allocated.
std::string anchorDefects(const SafetensorsFile& file, const NameTable& names, const Anchors& anchors) {
    std::vector<std::string> defects;
    for (const auto& [name, shape] : anchors) {
        const auto source = names.find(name);
        if (!source || !file.contains(source->key)) {
            defects.push_back(fmt::format("{} ({}) is missing", source ? source->key : name, name));
        } else if (const auto& stored = file.info(source->key).shape; transformedShape(stored, source->transform) != shape) {
            defects.push_back(fmt::format("{}: file [{}] vs config [{}] ({})", source->key, fmt::join(stored, ", "),
                                          fmt::join(shape, ", "), name));
        }
    }
    return defects.empty() ? "" : fmt::format("\n  {}", fmt::join(defects, "\n  "));
}

std::shared_ptr<ClipTokenizer> bundledTokenizer() {
    static const auto tokenizer = std::make_shared<ClipTokenizer>(ClipTokenizer::fromFolder(bundledClipTokenizer()));
    return tokenizer;
}

// What a safetensors file without Stable Diffusion keys is, when its keys tell (for the error).
std::string whatElse(const SafetensorsFile& file) {
    const auto any = [&](auto&& test) { return std::any_of(file.tensors().begin(), file.tensors().end(), [&](const auto& t) { return test(t.name); }); };
    if (any([](const std::string& k) { return k.starts_with("lora_unet_") || k.starts_with("lora_te") || k.find(".lora_down.") != std::string::npos ||
                                              k.find(".lora.down.") != std::string::npos || k.find("lora_A") != std::string::npos; }))
        return " (it is a LoRA: it changes a model, open the model itself)";
    if (any([](const std::string& k) { return k.starts_with("encoder.down.") || k.starts_with("encoder.down_blocks."); }) &&
        any([](const std::string& k) { return k.starts_with("decoder."); }))
        return " (it is a VAE alone: open the model itself)";
    if (any([](const std::string& k) { return k == "emb_params" || k.starts_with("string_to_param") || k == "clip_l" || k == "clip_g"; }))
        return " (it is a textual-inversion embedding: open the model itself)";
    return "";
}

}  // namespace

CheckpointFamily detectFamily(const SafetensorsFile& file) {
    bool unet = false, vae = false, clipL = false, openClip = false, xlClipL = false, xlOpenClip = false, xlFirstOpenClip = false;
    for (const auto& info : file.tensors()) {
        const auto& k = info.name;
        unet |= k.starts_with("model.diffusion_model.");
        vae |= k.starts_with("first_stage_model.");
        clipL |= k.starts_with("cond_stage_model.transformer.");
        openClip |= k.starts_with("cond_stage_model.model.transformer.resblocks.");
        xlClipL |= k.starts_with("conditioner.embedders.0.transformer.text_model.");
        xlOpenClip |= k.starts_with("conditioner.embedders.1.model.transformer.resblocks.");
        xlFirstOpenClip |= k.starts_with("conditioner.embedders.0.model.");
    }
    const auto& where = file.path().string();
    if (!unet && !vae && !clipL && !openClip && !xlClipL && !xlOpenClip && !xlFirstOpenClip)
        fail("{}: not a Stable Diffusion single-file checkpoint{}: none of its {} tensors has a Stable Diffusion key "
             "(model.diffusion_model.*, first_stage_model.*, cond_stage_model.*, conditioner.embedders.*)",
             where, whatElse(file), file.tensors().size());
    if (xlFirstOpenClip && !xlClipL)
        fail("{}: an SDXL refiner checkpoint (conditioner.embedders.0 is OpenCLIP); only SDXL base is supported", where);
    std::vector<std::string> missing;
    if (!unet) missing.push_back("model.diffusion_model.* (the UNet)");
    if (!vae) missing.push_back("first_stage_model.* (the VAE)");
    std::optional<CheckpointFamily> family;
    if (xlClipL || xlOpenClip) {
        family = CheckpointFamily::SDXL;
        if (!xlClipL) missing.push_back("conditioner.embedders.0.transformer.text_model.* (SDXL's CLIP-L)");
        if (!xlOpenClip) missing.push_back("conditioner.embedders.1.model.transformer.* (SDXL's OpenCLIP)");
    } else if (openClip) {
        family = CheckpointFamily::SD2;
    } else if (clipL) {
        family = CheckpointFamily::SD1;
    } else {
        missing.push_back("a text encoder (cond_stage_model.transformer.* for SD 1.x, cond_stage_model.model.* for "
                          "SD 2.x, conditioner.embedders.* for SDXL)");
    }
    if (!missing.empty())
        fail("{}: not a complete Stable Diffusion single-file checkpoint; missing: {}", where, fmt::join(missing, "; "));
    // Inpainting (9), depth (5) and instruct-pix2pix (8) UNets take more than the latent.
    const std::string convIn = "model.diffusion_model.input_blocks.0.0.weight";
    if (file.contains(convIn) && file.info(convIn).shape.size() == 4 && file.info(convIn).shape[1] != 4)
        fail("{}: the UNet takes {} input channels (an inpainting, depth or instruct-pix2pix checkpoint); only "
             "text-to-image checkpoints (4 channels) are supported", where, file.info(convIn).shape[1]);
    return *family;
}

namespace {

// The architecture (YAML given, beside the file, or built in) with the prediction type settled.
OriginalConfig chooseConfig(const fs::path& path, const SafetensorsFile& file, CheckpointFamily family,
                            const LoadOptions& options, std::vector<std::string>& notes) {
    auto configFile = options.config;
    if (configFile.empty() && fs::exists(fs::path(path).replace_extension(".yaml"))) configFile = fs::path(path).replace_extension(".yaml");
    auto config = configFile.empty() ? builtinOriginalConfig(family) : readOriginalConfig(configFile);
    if (config.family != family)
        fail("{}: describes an {} model, but {} is an {} checkpoint (its keys)", config.where, familyName(config.family),
             path.string(), familyName(family));
    if (!configFile.empty()) config.where = configFile.filename().string();
    auto& prediction = config.scheduler.prediction_type;
    if (options.predictionType) {
        prediction = *options.predictionType;
        notes.push_back(fmt::format("prediction type {} (set by the user)", prediction));
    } else if (configFile.empty() && family == CheckpointFamily::SD2) {
        const auto& meta = file.metadata();
        const auto spec = meta.find("modelspec.prediction_type");
        if (spec != meta.end() && (spec->second == "epsilon" || spec->second == "v")) {
            prediction = spec->second == "v" ? "v_prediction" : "epsilon";
            notes.push_back(fmt::format("prediction type {} (from the file's modelspec metadata)", prediction));
        } else {
            notes.push_back("prediction type v_prediction assumed (SD 2.x 768-v; choose ε-prediction for 512 px base models)");
        }
    }
    if (prediction != "epsilon" && prediction != "v_prediction" && prediction != "sample")
        fail("prediction type '{}' is not supported (epsilon, v_prediction, sample)", prediction);
    if (configFile.empty() && family == CheckpointFamily::SD2 && prediction == "epsilon") {
        config.unet.sample_size = 64;  // SD 2.x ε models are the 512 px base ones (v2-inference.yaml)
        config.vae.sample_size = 512;
    }
    return config;
}

// The networks of the file, built only after the tensors that fix every size of each were found
// with the shapes its config implies: a config that contradicts the file is refused naming the
// keys and both shapes, and no network is allocated that the file could not fill.
struct Networks {
    std::vector<CLIPTextModel> encoders;
    UNet2DConditionModel unet{nullptr};
    AutoencoderKL vae{nullptr};
    std::vector<std::tuple<torch::nn::Module*, NameTable, std::string>> parts;  // module, names, what
};

Networks buildNetworks(const fs::path& path, const SafetensorsFile& file, CheckpointFamily family,
                       const OriginalConfig& config, const LoadOptions& options) {
    const auto specs = encoderSpecs(family, file);
    if (options.textEncoders.size() > 1 && options.textEncoders.size() != specs.size())
        fail("{} text-encoder overrides given for a model with {} text encoders", options.textEncoders.size(), specs.size());
    std::vector<CLIPTextConfig> textConfigs;
    std::vector<NameTable> textNames;
    std::string defects;
    for (size_t i = 0; i < specs.size(); ++i) {
        const auto override = options.textEncoders.empty() ? TextEncoderOverride{}
                              : options.textEncoders[options.textEncoders.size() == 1 ? 0 : i];
        textConfigs.push_back(textEncoderConfig(file, specs[i], override, static_cast<int>(i)));
        textNames.push_back(textEncoderNames(specs[i], textConfigs.back()));
        defects += anchorDefects(file, textNames.back(), textEncoderAnchors(textConfigs.back()));
        const auto& c = config.textConditioning.at(i);
        const int states = textConfigs.back().num_hidden_layers + 1;
        if (c.hiddenState >= states || c.hiddenState < -states)
            fail("{}: the text encoder's conditioning layer {} does not exist: {} has {} layers", config.where,
                 c.hiddenState, specs[i].prefix, textConfigs.back().num_hidden_layers);
    }
    const auto unetNames = unetNameTable(config.unet);
    const auto vaeNames = vaeNameTable(config.vae);
    defects += anchorDefects(file, unetNames, unetAnchors(config.unet));
    if (options.loadVae) defects += anchorDefects(file, vaeNames, vaeAnchors(config.vae));
    if (!defects.empty()) fail("{}: {} does not describe this file's networks:{}", path.string(), config.where, defects);

    Networks n;
    for (size_t i = 0; i < specs.size(); ++i) {
        n.encoders.push_back(CLIPTextModel(textConfigs[i]));
        n.parts.emplace_back(n.encoders.back().get(), textNames[i], fmt::format("text encoder {} ({}*)", i + 1, specs[i].prefix));
    }
    n.unet = UNet2DConditionModel(config.unet);
    n.parts.emplace_back(n.unet.get(), unetNames, fmt::format("UNet (model.diffusion_model.*, config: {})", config.where));
    if (options.loadVae) {
        n.vae = AutoencoderKL(config.vae);
        n.parts.emplace_back(n.vae.get(), vaeNames, fmt::format("VAE (first_stage_model.*, config: {})", config.where));
    }
    return n;
}

// Every network checked first (one error lists every defect), then the tensors placed.
void placeWeights(const fs::path& path, const SafetensorsFile& file, Networks& networks, const LoadOptions& options) {
    std::string defects;
    uint64_t total = 0;
    for (auto& [module, names, what] : networks.parts) {
        const auto report = checkMapped(*module, file, names);
        if (!report.ok()) defects += fmt::format("\n {}:{}", what, report.describe());
        total += mappedBytes(*module, file, names);
    }
    if (!defects.empty()) fail("{}: the weights do not match the model's configuration:{}", path.string(), defects);
    uint64_t done = 0;
    for (auto& part : networks.parts) {
        const auto& what = std::get<2>(part);
        const uint64_t before = done;
        placeMapped(*std::get<0>(part), file, std::get<1>(part), [&](uint64_t bytes) {
            done = before + bytes;
            if (options.progress) options.progress(std::min(1.0, static_cast<double>(done) / static_cast<double>(std::max<uint64_t>(total, 1))), what);
        }, options.cancel);
        prepareForInference(*std::get<0>(part), options);
    }
}

std::shared_ptr<StableDiffusionModel> loadSingleFileUnnamed(const fs::path& path, const LoadOptions& options) {
    const auto extension = path.extension().string();
    if (extension == ".ckpt" || extension == ".bin" || extension == ".pt" || extension == ".pth") refusePickle(path);
    const auto file = SafetensorsFile::open(path);
    const auto family = detectFamily(*file);

    auto model = std::make_shared<StableDiffusionModel>();
    const auto config = chooseConfig(path, *file, family, options, model->notes);
    auto networks = buildNetworks(path, *file, family, config, options);
    placeWeights(path, *file, networks, options);

    model->folder = path;
    model->singleFile = true;
    model->family = family == CheckpointFamily::SDXL ? ModelFamily::StableDiffusionXL : ModelFamily::StableDiffusion;
    model->familyLabel = familyName(family);
    model->configSource = config.where;
    model->device = options.device;
    model->dtype = options.dtype;
    model->schedulerConfig = config.scheduler;
    model->textEncoder = networks.encoders[0];
    if (networks.encoders.size() > 1) model->textEncoder2 = networks.encoders[1];
    for (size_t i = 0; i < networks.encoders.size(); ++i) model->conditioning[i] = config.textConditioning[i];
    model->unet = networks.unet;
    model->vae = networks.vae;

    // Keys outside every network's namespace (LDM schedule buffers, model_ema.*, ...) are ignored.
    size_t ignored = 0;
    for (const auto& info : file->tensors())
        ignored += std::none_of(networks.parts.begin(), networks.parts.end(), [&](const auto& part) {
            const auto& prefix = std::get<1>(part).filePrefix();
            return !prefix.empty() && info.name.starts_with(prefix);
        });
    if (ignored) model->notes.push_back(fmt::format("{} tensors no network uses were ignored", ignored));
    model->weightsDtype = dtypeSummary(*file, {"model.diffusion_model."});

    model->tokenizer = bundledTokenizer();
    if (model->isXL()) model->tokenizer2 = std::make_shared<ClipTokenizer>(bundledTokenizer()->withPadToken("!"));
    model->checkConsistency(config.where, config.where);
    if (options.progress) options.progress(1.0, "ready");
    return model;
}

}  // namespace

std::shared_ptr<StableDiffusionModel> loadSingleFile(const fs::path& path, const LoadOptions& options) {
    // Every refusal names the checkpoint, whichever part (YAML, override, network) it concerns.
    try {
        return loadSingleFileUnnamed(path, options);
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        if (std::string_view(e.what()).find(path.string()) != std::string_view::npos) throw;
        fail("{}: {}", path.string(), e.what());
    } catch (const std::bad_alloc&) {
        fail("{}: not enough memory to load this model", path.string());
    } catch (const c10::Error& e) {  // an allocation LibTorch refused, say: without its C++ backtrace
        fail("{}: {}", path.string(), e.what_without_backtrace());
    } catch (const std::exception& e) {  // the file system
        fail("{}: {}", path.string(), e.what());
    }
}

}  // namespace sa
