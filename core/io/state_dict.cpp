#include "core/io/state_dict.h"

#include "core/common/error.h"
#include "core/io/name_table.h"

namespace sa {

std::map<std::string, torch::Tensor> moduleTensors(torch::nn::Module& module) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& item : module.named_parameters(true)) out[item.key()] = item.value();
    for (const auto& item : module.named_buffers(true)) out[item.key()] = item.value();
    return out;
}

std::string LoadReport::describe(size_t maxPerList) const {
    std::string text;
    auto list = [&](const char* title, const std::vector<std::string>& items) {
        if (items.empty()) return;
        text += fmt::format("\n  {} ({}): ", title, items.size());
        const size_t n = std::min(items.size(), maxPerList);
        text += fmt::format("{}", fmt::join(items.begin(), items.begin() + static_cast<long>(n), ", "));
        if (items.size() > n) text += fmt::format(", … {} more", items.size() - n);
    };
    list("missing", missing);
    list("unexpected", unexpected);
    list("wrong shape", misshaped);
    return text;
}

void loadStateDict(torch::nn::Module& module, const SafetensorsFile& file) {
    NameTable sameNames;
    sameNames.prefix("", "");
    loadMapped(module, file, sameNames, "weights do not match the model built from its config.json");
}

void saveStateDict(torch::nn::Module& module, const std::filesystem::path& file, torch::ScalarType dtype) {
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& [name, value] : moduleTensors(module))
        tensors[name] = value.is_floating_point() ? value.detach().to(dtype) : value.detach();
    saveSafetensors(file, tensors, {{"format", "pt"}});
}

void refusePickle(const std::filesystem::path& file) {
    fail("{}: PyTorch pickle checkpoints (.bin/.ckpt/.pt) are not loaded, because unpickling can run "
         "arbitrary code. Convert it to safetensors first (e.g. with diffusers: "
         "`pipe.save_pretrained(dir, safe_serialization=True)`)", file.string());
}

std::filesystem::path findWeightsFile(const std::filesystem::path& folder, const std::vector<std::string>& names) {
    for (const auto& name : names) {
        auto path = folder / name;
        if (std::filesystem::exists(path)) return path;
    }
    for (const char* pickle : {"diffusion_pytorch_model.bin", "pytorch_model.bin", "model.ckpt", "model.pt"})
        if (std::filesystem::exists(folder / pickle)) refusePickle(folder / pickle);
    fail("{}: no weights file (looked for {})", folder.string(), fmt::join(names, ", "));
}

}  // namespace sa
