//===- Png.h - PNG images and the `show` grid -------------------*- C++ -*-===//
//
// encodePng writes 8-bit grayscale or RGB PNG files. The container is a few
// chunks around one zlib stream, so it is written here with zlib (already
// linked for gzip data files: its deflate and CRC-32) rather than with
// libpng, whose static library and setjmp error handling would add more than
// this file does.
//
// showGrid draws the `show` values of an explicit step (dlrt_model_desc's
// show_* fields) as a grid: for each group of up to 8 samples, one row per
// shown value (e.g. inputs above their reconstructions).
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_PNG_H
#define DLRT_PNG_H

#include "dlrt/dlrt.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlrt {

/// A PNG file of `width` x `height` pixels with `channels` (1: gray, 3: RGB)
/// 8-bit samples each, row-major and interleaved in `pixels`.
std::vector<uint8_t> encodePng(int64_t width, int64_t height, int channels,
                               const std::vector<uint8_t> &pixels);

/// The grid image of the first `n` samples of `outputs` ([n, num_outputs]
/// as eval_step writes them for a model with `show`): values are clamped to
/// [0, 1]; at most 8 samples per row and 4 groups of rows. Sets the image
/// size.
std::vector<uint8_t> showGrid(const dlrt_model_desc &desc,
                              const float *outputs, int64_t n, int64_t &width,
                              int64_t &height);

} // namespace dlrt

#endif // DLRT_PNG_H
