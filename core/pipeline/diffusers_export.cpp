#include "core/pipeline/diffusers_export.h"

#include <fstream>

#include <unistd.h>

#include "core/common/resources.h"
#include "core/io/files.h"
#include "core/io/safetensors.h"
#include "core/io/state_dict.h"

namespace sa {
namespace {

namespace fs = std::filesystem;

void writeJson(const fs::path& file, const nlohmann::json& json) {
    fs::create_directories(file.parent_path());
    writeFileAtomically(file, json.dump(2) + "\n");
}

// The encoder as diffusers' pipeline reads it: SD conditions on last_hidden_state, SDXL on
// hidden_states[-2] without the final norm. Returns the encoder cut to `conditioning`'s layer.
CLIPTextModel asDiffusersEncoder(CLIPTextModel encoder, const TextConditioning& conditioning, bool xl,
                                 const std::string& name) {
    const auto& config = encoder->config();
    const int states = config.num_hidden_layers + 1;
    const int index = conditioning.hiddenState < 0 ? states + conditioning.hiddenState : conditioning.hiddenState;
    if (xl) {
        if (index == states - 2 && !conditioning.finalNorm) return encoder;
    } else if (conditioning.finalNorm && index >= 1) {
        if (index == states - 1) return encoder;
        auto cut = config;
        cut.num_hidden_layers = index;
        CLIPTextModel trimmed(cut);
        torch::NoGradGuard noGrad;
        const auto source = moduleTensors(*encoder);
        for (auto& [key, value] : moduleTensors(*trimmed)) value.copy_(source.at(key));
        return trimmed;
    }
    fail("{}: conditioning on hidden state {}{} has no diffusers equivalent for this pipeline; cannot export",
         name, conditioning.hiddenState, conditioning.finalNorm ? " with the final norm" : "");
}

torch::ScalarType storageType(const std::string& weightsDtype) {
    if (weightsDtype == "F16") return torch::kFloat16;
    if (weightsDtype == "BF16") return torch::kBFloat16;
    return torch::kFloat32;
}

void copyTokenizer(const fs::path& to, const std::string& padToken) {
    const auto from = bundledClipTokenizer();
    fs::create_directories(to);
    for (const char* name : {"vocab.json", "merges.txt"}) fs::copy_file(from / name, to / name);
    for (const char* name : {"tokenizer_config.json", "special_tokens_map.json"}) {
        auto json = nlohmann::json::parse(std::ifstream(from / name));
        if (!padToken.empty()) json["pad_token"] = padToken;
        writeJson(to / name, json);
    }
}

}  // namespace

nlohmann::json modelIndexJson(bool xl) {
    nlohmann::json index = {{"_class_name", xl ? "StableDiffusionXLPipeline" : "StableDiffusionPipeline"},
                            {"_diffusers_version", "0.25.0"},
                            {"scheduler", {"diffusers", "DDIMScheduler"}},
                            {"text_encoder", {"transformers", "CLIPTextModel"}},
                            {"tokenizer", {"transformers", "CLIPTokenizer"}},
                            {"unet", {"diffusers", "UNet2DConditionModel"}},
                            {"vae", {"diffusers", "AutoencoderKL"}}};
    if (xl) {
        index["text_encoder_2"] = {"transformers", "CLIPTextModelWithProjection"};
        index["tokenizer_2"] = {"transformers", "CLIPTokenizer"};
        index["force_zeros_for_empty_prompt"] = true;
    } else {
        index["safety_checker"] = {nullptr, nullptr};
        index["feature_extractor"] = {nullptr, nullptr};
        index["requires_safety_checker"] = false;
    }
    return index;
}

void saveAsDiffusers(StableDiffusionModel& model, const fs::path& folder, const CancelToken* cancel) {
    if (fs::exists(folder)) fail("{}: already exists; choose a new folder for the converted model", folder.string());
    checkWritableFolder(folder);
    if (!model.vae) fail("the model was loaded without its VAE; cannot export it");
    auto work = folder;
    work += fmt::format(".partial-{}", ::getpid());  // this process's own: nothing else is removed
    try {
        const auto dtype = storageType(model.weightsDtype);
        auto saveModule = [&](torch::nn::Module& module, const nlohmann::json& config, const std::string& dir,
                              const char* weights) {
            throwIfCancelled(cancel);
            writeJson(work / dir / "config.json", config);
            saveStateDict(module, work / dir / weights, dtype);
        };
        const bool xl = model.isXL();
        writeJson(work / "model_index.json", modelIndexJson(xl));
        auto scheduler = model.schedulerConfig.toJson();
        scheduler["_diffusers_version"] = "0.25.0";
        writeJson(work / "scheduler" / "scheduler_config.json", scheduler);
        auto encoder = asDiffusersEncoder(model.textEncoder, model.conditioning[0], xl, "text encoder");
        saveModule(*encoder, encoder->config().toJson(), "text_encoder", "model.safetensors");
        copyTokenizer(work / "tokenizer", "");
        if (xl) {
            auto encoder2 = asDiffusersEncoder(model.textEncoder2, model.conditioning[1], xl, "text encoder 2");
            saveModule(*encoder2, encoder2->config().toJson(), "text_encoder_2", "model.safetensors");
            copyTokenizer(work / "tokenizer_2", "!");
        }
        saveModule(*model.unet, model.unet->config().toJson(), "unet", "diffusion_pytorch_model.safetensors");
        saveModule(*model.vae, model.vae->config().toJson(), "vae", "diffusion_pytorch_model.safetensors");
        fs::rename(work, folder);
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(work, ignored);
        try {
            throw;
        } catch (const Error&) {
            throw;
        } catch (const std::exception& e) {  // file system errors, a vocabulary that is not JSON
            fail("{}: cannot write the converted model ({})", folder.string(), e.what());
        }
    }
}

}  // namespace sa
