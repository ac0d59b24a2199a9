// libFuzzer harness: the reader of original LDM / SGM YAML configs (core/pipeline/original_config),
// from text to the diffusers configs the networks are built from.
#include "core/pipeline/original_config.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static sa::fuzz::ScratchFile scratch("config.yaml");
    const auto& path = scratch.write(data, size);
    sa::fuzz::expectOnlySaErrors(path.string(), [&] { (void)sa::readOriginalConfig(path); });
    return 0;
}
