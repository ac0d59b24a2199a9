// libFuzzer harness: decoding an untrusted image file (readImage in core/io/image.cpp) and
// fitting it to a generation size, as the studio and the CLI do with a dropped reference image.
#include <opencv2/core/utils/logger.hpp>

#include "core/io/image.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // OpenCV logs every undecodable input ("imread_(...): can't read header"): noise here.
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static sa::fuzz::ScratchFile scratch("reference-image");
    const auto& path = scratch.write(data, size);
    sa::fuzz::expectOnlySaErrors(path.string(), [&] {
        const auto image = sa::readImage(path);
        if (image.empty() || image.type() != CV_8UC3) sa::fuzz::bug("readImage returned no 8-bit BGR image", "");
        const auto fitted = sa::fitImage(image, 64, 48);
        if (fitted.cols != 64 || fitted.rows != 48 || fitted.type() != CV_8UC3)
            sa::fuzz::bug("fitImage returned the wrong size", "");
    });
    return 0;
}
