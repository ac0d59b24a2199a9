// libFuzzer harness: the safetensors reader (core/io/safetensors.cpp) on untrusted bytes.
// Every tensor the header declares is read back; the harness also checks, independently of the
// reader, that each accepted tensor lies inside the file and spans exactly shape × dtype bytes.
#include <cstring>

#include "core/io/safetensors.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static sa::fuzz::ScratchFile scratch("model.safetensors");
    const auto& path = scratch.write(data, size);
    sa::fuzz::expectOnlySaErrors(path.string(), [&] {
        const auto file = sa::SafetensorsFile::open(path);
        uint64_t headerSize = 0;
        std::memcpy(&headerSize, data, 8);  // open() accepted it, so there are 8 bytes
        const uint64_t dataSize = size - 8 - headerSize;
        for (const auto& listed : file->tensors()) {
            const auto& info = file->info(listed.name);
            if (info.begin > info.end || info.end > dataSize)
                sa::fuzz::bug("accepted a tensor outside the data section", info.name);
            const auto tensor = file->tensor(info.name);
            if (tensor.scalar_type() != info.scalarType || tensor.sizes().vec() != info.shape ||
                tensor.nbytes() != info.end - info.begin)
                sa::fuzz::bug("tensor does not match its header entry", info.name);
            if (tensor.nbytes() > 0 &&
                std::memcmp(tensor.data_ptr(), data + 8 + headerSize + info.begin, tensor.nbytes()) != 0)
                sa::fuzz::bug("tensor bytes differ from the file", info.name);
        }
        (void)file->metadata();
        (void)file->all();
    });
    return 0;
}
