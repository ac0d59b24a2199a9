// libFuzzer harness: the single-file checkpoint mapper (core/pipeline/single_file_model): family
// from key prefixes, text-encoder sizes from tensor shapes, the size anchors and name tables of
// every network against the file, and the placement of the tensors. The architecture is the
// golden folder's tiny YAML of the family the keys name, with the tiny text encoders' heads.
#include "core/pipeline/single_file_model.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static sa::fuzz::ScratchFile scratch("checkpoint.safetensors");
    static const std::filesystem::path yamls = std::filesystem::path(SA_SOURCE_DIR) / "tests/data/golden/single_file";
    const auto& path = scratch.write(data, size);
    sa::fuzz::expectOnlySaErrors(path.string(), [&] {
        const auto family = sa::detectFamily(*sa::SafetensorsFile::open(path));
        sa::LoadOptions options;
        options.config = yamls / (family == sa::CheckpointFamily::SD1 ? "sd15.yaml"
                                  : family == sa::CheckpointFamily::SD2 ? "sd2.yaml" : "sdxl.yaml");
        options.textEncoders = {{4, std::nullopt}};
        (void)sa::loadSingleFile(path, options);
    });
    return 0;
}
