//===- Png.cpp - PNG images and the `show` grid ---------------------------===//
//
// See Png.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Png.h"
#include "dlrt/Error.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>

namespace dlrt {

namespace {

void put32(std::vector<uint8_t> &out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    out.push_back(uint8_t(v >> s));
}

/// Appends a chunk: length, type, data, CRC-32 of type and data.
void chunk(std::vector<uint8_t> &out, const char type[4],
           const std::vector<uint8_t> &data) {
  put32(out, uint32_t(data.size()));
  size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  uLong crc = crc32(0L, out.data() + start, uInt(out.size() - start));
  put32(out, uint32_t(crc));
}

} // namespace

std::vector<uint8_t> encodePng(int64_t width, int64_t height, int channels,
                               const std::vector<uint8_t> &pixels) {
  if (width < 1 || height < 1 || (channels != 1 && channels != 3) ||
      width > (1 << 24) || height > (1 << 24) ||
      pixels.size() != size_t(width * height * channels))
    fail("internal error: a PNG of {}x{} pixels, {} channels and {} bytes", width,
         height, channels, pixels.size());
  // Each row: filter type 0 (none), then its samples.
  std::vector<uint8_t> raw;
  size_t stride = size_t(width) * channels;
  raw.reserve((stride + 1) * height);
  for (int64_t y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), pixels.begin() + y * stride,
               pixels.begin() + (y + 1) * stride);
  }
  uLongf size = compressBound(uLong(raw.size()));
  std::vector<uint8_t> deflated(size);
  if (compress2(deflated.data(), &size, raw.data(), uLong(raw.size()),
                Z_BEST_COMPRESSION) != Z_OK)
    fail("cannot compress a PNG image of {}x{} pixels", width, height);
  deflated.resize(size);

  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> header;
  put32(header, uint32_t(width));
  put32(header, uint32_t(height));
  // Bit depth 8; colour type 0 (gray) or 2 (RGB); deflate; filter
  // method 0; no interlace.
  header.insert(header.end(),
                {8, uint8_t(channels == 1 ? 0 : 2), 0, 0, 0});
  chunk(out, "IHDR", header);
  chunk(out, "IDAT", deflated);
  chunk(out, "IEND", {});
  return out;
}

std::vector<uint8_t> showGrid(const dlrt_model_desc &desc,
                              const float *outputs, int64_t n, int64_t &width,
                              int64_t &height) {
  const int64_t rows = desc.show_rows, c = desc.show_channels,
                h = desc.show_height, w = desc.show_width;
  const int64_t image = c * h * w, perSample = rows * image;
  const int64_t columns = std::min<int64_t>(8, std::max<int64_t>(n, 1));
  const int64_t groups = std::min<int64_t>(4, (n + columns - 1) / columns);
  const int64_t gap = 2;
  width = columns * (w + gap) + gap;
  height = std::max<int64_t>(groups, 1) * rows * (h + gap) + gap;
  // A mid-gray background between the images.
  std::vector<uint8_t> pixels(size_t(width * height * c), 128);
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t col = 0; col < columns; ++col) {
        int64_t sample = g * columns + col;
        if (sample >= n)
          continue;
        const float *img = outputs + sample * perSample + r * image;
        int64_t top = gap + (g * rows + r) * (h + gap);
        int64_t left = gap + col * (w + gap);
        for (int64_t y = 0; y < h; ++y)
          for (int64_t x = 0; x < w; ++x)
            for (int64_t ch = 0; ch < c; ++ch) {
              float v = img[(ch * h + y) * w + x];
              v = std::isnan(v) ? 0.0f : std::clamp(v, 0.0f, 1.0f);
              pixels[size_t(((top + y) * width + left + x) * c + ch)] =
                  uint8_t(std::lround(v * 255.0f));
            }
      }
  return pixels;
}

} // namespace dlrt
