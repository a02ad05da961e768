//===- PngTest.cpp - PNG encoding and the show grid -----------------------===//

#include "dlrt/Png.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>

using namespace dlrt;

namespace {

uint32_t get32(const std::vector<uint8_t> &b, size_t at) {
  return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 |
         uint32_t(b[at + 2]) << 8 | b[at + 3];
}

/// The chunks of a PNG file, checking each CRC; the IDAT data inflated.
std::vector<uint8_t> decode(const std::vector<uint8_t> &png, uint32_t &w,
                            uint32_t &h, uint8_t &colour) {
  EXPECT_EQ(0, std::memcmp(png.data(), "\x89PNG\r\n\x1a\n", 8));
  std::vector<uint8_t> idat;
  for (size_t at = 8; at < png.size();) {
    uint32_t len = get32(png, at);
    std::string type(png.begin() + at + 4, png.begin() + at + 8);
    uLong crc = crc32(0L, png.data() + at + 4, len + 4);
    EXPECT_EQ(crc, get32(png, at + 8 + len)) << type;
    if (type == "IHDR") {
      w = get32(png, at + 8);
      h = get32(png, at + 12);
      EXPECT_EQ(png[at + 16], 8); // bit depth
      colour = png[at + 17];
    } else if (type == "IDAT") {
      idat.insert(idat.end(), png.begin() + at + 8,
                  png.begin() + at + 8 + len);
    }
    at += 12 + len;
  }
  std::vector<uint8_t> raw(1 << 16);
  uLongf size = raw.size();
  EXPECT_EQ(Z_OK, uncompress(raw.data(), &size, idat.data(), idat.size()));
  raw.resize(size);
  return raw;
}

} // namespace

TEST(Png, EncodesRgbRowsWithFilterNone) {
  std::vector<uint8_t> pixels;
  for (int i = 0; i < 3 * 2 * 3; ++i)
    pixels.push_back(uint8_t(i * 10));
  uint32_t w = 0, h = 0;
  uint8_t colour = 9;
  std::vector<uint8_t> raw = decode(encodePng(3, 2, 3, pixels), w, h, colour);
  EXPECT_EQ(w, 3u);
  EXPECT_EQ(h, 2u);
  EXPECT_EQ(colour, 2); // RGB
  ASSERT_EQ(raw.size(), 2u * (1 + 9));
  EXPECT_EQ(raw[0], 0);
  EXPECT_EQ(raw[10], 0);
  EXPECT_EQ(std::vector<uint8_t>(raw.begin() + 11, raw.end()),
            std::vector<uint8_t>(pixels.begin() + 9, pixels.end()));
}

TEST(Png, ShowGridPlacesRowsOfSamplesAndClamps) {
  dlrt_model_desc desc{};
  desc.show_rows = 2; // e.g. inputs and reconstructions
  desc.show_channels = 1;
  desc.show_height = 2;
  desc.show_width = 3;
  // Three samples: row 0 of sample s is all s / 2, row 1 is out of [0, 1].
  std::vector<float> out;
  for (int s = 0; s < 3; ++s) {
    for (int i = 0; i < 6; ++i)
      out.push_back(s / 2.0f);
    for (int i = 0; i < 6; ++i)
      out.push_back(s == 0 ? -5.0f : 7.0f);
  }
  int64_t w = 0, h = 0;
  std::vector<uint8_t> px = showGrid(desc, out.data(), 3, w, h);
  // Three columns of 3 + 2 pixels, one group of two rows of 2 + 2.
  EXPECT_EQ(w, 3 * 5 + 2);
  EXPECT_EQ(h, 2 * 4 + 2);
  ASSERT_EQ(px.size(), size_t(w * h));
  auto at = [&](int64_t x, int64_t y) { return px[size_t(y * w + x)]; };
  EXPECT_EQ(at(0, 0), 128);      // the gap
  EXPECT_EQ(at(2, 2), 0);        // sample 0, row 0: 0
  EXPECT_EQ(at(2 + 5, 2), 128);  // sample 1: 0.5
  EXPECT_EQ(at(2 + 10, 3), 255); // sample 2: 1
  EXPECT_EQ(at(2, 2 + 4), 0);    // sample 0, row 1: -5 clamped
  EXPECT_EQ(at(2 + 5, 2 + 4), 255);
}
