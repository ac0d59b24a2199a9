// libFuzzer harness: the config.json readers of the model folders (core/io/json_config.cpp and
// the fromJson of every config struct). One input is read through JsonConfig::load and then
// offered to each reader, as a model folder offers its files to the modules.
#include <optional>

#include "core/io/image_processor.h"
#include "core/io/json_config.h"
#include "core/models/autoencoder_kl.h"
#include "core/models/blip.h"
#include "core/models/clip_text_model.h"
#include "core/models/controlnet_model.h"
#include "core/models/unet_2d_condition.h"
#include "core/models/vision_transformers.h"
#include "core/schedulers/ddim_scheduler.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static sa::fuzz::ScratchFile scratch("config.json");
    const auto& path = scratch.write(data, size);
    const std::string where = path.string();
    std::optional<sa::JsonConfig> config;
    sa::fuzz::expectOnlySaErrors(where, [&] { config = sa::JsonConfig::load(path); });
    if (!config) return 0;
    // Each reader marks the keys it reads, so each gets a fresh copy.
    sa::fuzz::expectOnlySaErrors(where, [&] { (void)sa::UNet2DConditionConfig::fromJson(sa::JsonConfig(*config)); });
    sa::fuzz::expectOnlySaErrors(where, [&] { (void)sa::AutoencoderKLConfig::fromJson(sa::JsonConfig(*config)); });
    sa::fuzz::expectOnlySaErrors(where, [&] { (void)sa::ControlNetConfig::fromJson(sa::JsonConfig(*config)); });
    sa::fuzz::expectOnlySaErrors(where, [&] { (void)sa::CLIPTextConfig::fromJson(sa::JsonConfig(*config)); });
    sa::fuzz::expectOnlySaErrors(where, [&] { (void)sa::DDIMSchedulerConfig::fromJson(sa::JsonConfig(*config)); });
    // The vision models' config.json and preprocessor_config.json (issue 12); a processor that
    // reads must also process a small image without failing.
    sa::fuzz::expectOnlySaErrors(where, [&] { (void)sa::BlipConfig::fromJson(sa::JsonConfig(*config)); });
    sa::fuzz::expectOnlySaErrors(where, [&] { (void)sa::VisionTransformerConfig::clip(sa::JsonConfig(*config), 0); });
    sa::fuzz::expectOnlySaErrors(where, [&] { (void)sa::VisionTransformerConfig::vit(sa::JsonConfig(*config)); });
    std::optional<sa::ImageProcessorConfig> processor;
    sa::fuzz::expectOnlySaErrors(where, [&] { processor = sa::ImageProcessorConfig::fromJson(sa::JsonConfig(*config)); });
    if (processor && processor->outputHeight() * processor->outputWidth() <= 256 * 256 &&
        (!processor->do_resize || processor->height * processor->width <= 256 * 256)) {
        const cv::Mat image(7, 5, CV_8UC3, cv::Scalar(10, 120, 250));
        auto pixels = sa::preprocessImage(image, *processor);
        if (pixels.size(1) != 3) __builtin_trap();
    }
    return 0;
}
