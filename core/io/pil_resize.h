#pragma once
// Pillow's Image.resize for 8-bit images, bit-exact: the image processors of transformers resize
// with it, so a port that resized with OpenCV would feed the models other pixels. Reference:
// Pillow src/libImaging/Resample.c (precompute_coeffs, normalize_coeffs_8bpc,
// ImagingResampleHorizontal_8bpc / Vertical_8bpc, ImagingResampleInner) and the affine nearest
// transform of Geometry.c for NEAREST.
#include <string>

#include <opencv2/core.hpp>

namespace sa {

// PIL's numbering, as preprocessor_config.json's "resample" writes it.
enum class PilFilter { Nearest = 0, Lanczos = 1, Bilinear = 2, Bicubic = 3, Box = 4, Hamming = 5 };

// Throws sa::Error naming `where` for a number that is not a PIL filter.
PilFilter pilFilterFromInt(int value, const std::string& where);

// Resizes an 8-bit image of 1–4 channels to width × height as Image.resize(size, filter,
// reducing_gap=None): a horizontal pass over the rows the vertical pass needs, rounded to 8 bits,
// then a vertical pass; a pass whose size does not change is skipped.
cv::Mat pilResize(const cv::Mat& image, int width, int height, PilFilter filter);

}  // namespace sa
