// libFuzzer harness: LoRA files (core/models/lora.cpp, lora_names.cpp) as an artist drops them on the
// studio: the safetensors header, the kohya / diffusers / PEFT key layouts, alphas, shapes and the
// family guess, read against the golden tiny SD 1.5 model's UNet and text encoder. A file that reads
// must attach and detach without touching the base weights.
#include "core/pipeline/stable_diffusion_model.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static sa::fuzz::ScratchFile scratch("lora.safetensors");
    static const auto model =
        sa::StableDiffusionModel::load(std::filesystem::path(SA_SOURCE_DIR) / "tests/data/golden/tiny-sd15");
    const auto& path = scratch.write(data, size);
    sa::fuzz::expectOnlySaErrors(path.string(), [&] {
        const auto networks = model->loraNetworks();
        for (bool allowUnmatched : {false, true}) {
            const auto lora = sa::readLora(path, networks, {.allowUnmatched = allowUnmatched});
            auto scale = std::make_shared<const double>(0.5);
            sa::attachLora(lora, networks, scale);
            sa::detachLora(networks, scale.get());
        }
        for (auto* network : {static_cast<torch::nn::Module*>(networks.unet), static_cast<torch::nn::Module*>(networks.textEncoder)})
            for (const auto& [name, layer] : sa::adaptableLayers(*network))
                if (!layer->adapters.empty()) sa::fuzz::bug("a detached LoRA left adapters on", name);
    });
    return 0;
}
