//===- IdxTest.cpp - Tests of the idx reader ------------------------------===//
//
// Good and malformed idx headers and payloads, raw and gzip-compressed.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Idx.h"
#include "TestUtil.h"

using namespace dlrt;
using namespace dlrt::test;

TEST(Idx, ParsesUnsignedBytes) {
  IdxArray a = parseIdx(makeIdx(0x08, {2, 3}, {1, 2, 3, 4, 5, 255}), "t");
  EXPECT_EQ(a.type, IdxType::UInt8);
  EXPECT_EQ(a.dims, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(a.size(), 6u);
  EXPECT_EQ(a.itemSize(), 3u);
  EXPECT_EQ(a.at(0), 1);
  EXPECT_EQ(a.at(5), 255);
}

TEST(Idx, DecodesBigEndianTypes) {
  IdxArray ints =
      parseIdx(makeIdx(0x0C, {2}, {0, 0, 1, 2, 0xFF, 0xFF, 0xFF, 0xFE}), "t");
  EXPECT_EQ(ints.at(0), 258);
  EXPECT_EQ(ints.at(1), -2);
  // 1.5f is 0x3FC00000.
  IdxArray floats = parseIdx(makeIdx(0x0D, {1}, {0x3F, 0xC0, 0, 0}), "t");
  EXPECT_EQ(floats.at(0), 1.5);
  IdxArray shorts = parseIdx(makeIdx(0x0B, {1}, {0xFF, 0xFF}), "t");
  EXPECT_EQ(shorts.at(0), -1);
}

TEST(Idx, RejectsBadMagic) {
  std::vector<uint8_t> bytes = makeIdx(0x08, {1}, {7});
  bytes[0] = 1;
  EXPECT_DLRT_ERROR(parseIdx(bytes, "f.idx"), "'f.idx' is not an idx file");
}

TEST(Idx, RejectsUnknownTypeCode) {
  EXPECT_DLRT_ERROR(parseIdx(makeIdx(0x07, {1}, {7}), "f"),
                    "unknown idx element type code 0x07");
}

TEST(Idx, RejectsBadRank) {
  EXPECT_DLRT_ERROR(parseIdx(makeIdx(0x08, {}, {}), "f"), "rank 0");
  std::vector<uint32_t> nine(9, 1);
  EXPECT_DLRT_ERROR(parseIdx(makeIdx(0x08, nine, {1}), "f"), "rank 9");
}

TEST(Idx, RejectsShortFiles) {
  EXPECT_DLRT_ERROR(parseIdx({0, 0}, "f"), "too short");
  std::vector<uint8_t> bytes = makeIdx(0x08, {2, 2}, {});
  bytes.resize(9);
  EXPECT_DLRT_ERROR(parseIdx(bytes, "f"), "'f' is truncated");
}

TEST(Idx, RejectsTruncatedAndOverlongPayloads) {
  EXPECT_DLRT_ERROR(parseIdx(makeIdx(0x08, {2, 2}, {1, 2, 3}), "f"),
                    "is truncated: the header declares 4 elements");
  EXPECT_DLRT_ERROR(parseIdx(makeIdx(0x0C, {1}, {1, 2}), "f"), "truncated");
  EXPECT_DLRT_ERROR(parseIdx(makeIdx(0x08, {1}, {1, 2}), "f"),
                    "1 trailing bytes");
}

TEST(Idx, RejectsEmptyDimension) {
  EXPECT_DLRT_ERROR(parseIdx(makeIdx(0x08, {3, 0}, {}), "f"),
                    "empty dimension 1");
}

TEST(Idx, ReadsRawAndGzipFiles) {
  TempDir dir;
  std::vector<uint8_t> bytes = makeIdx(0x08, {2, 2}, {9, 8, 7, 6});
  writeBytes(dir.file("raw"), bytes);
  writeGzip(dir.file("z.gz"), bytes);
  IdxArray raw = loadIdx(dir.file("raw"));
  IdxArray gz = loadIdx(dir.file("z.gz"));
  EXPECT_EQ(raw.dims, gz.dims);
  for (uint64_t i = 0; i < 4; ++i)
    EXPECT_EQ(raw.at(i), gz.at(i));
}

TEST(Idx, MissingFileIsNamed) {
  EXPECT_DLRT_ERROR(loadIdx("/nonexistent/x-idx1-ubyte"),
                    "cannot open '/nonexistent/x-idx1-ubyte'");
}

TEST(Idx, TruncatedGzipIsAnError) {
  TempDir dir;
  std::vector<uint8_t> payload(5000);
  for (size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<uint8_t>(i * 7919 % 251);
  writeGzip(dir.file("z.gz"), makeIdx(0x08, {5000}, payload));
  std::vector<uint8_t> gz = readBytes(dir.file("z.gz"));
  gz.resize(gz.size() / 2);
  writeBytes(dir.file("cut.gz"), gz);
  EXPECT_DLRT_ERROR(loadIdx(dir.file("cut.gz")), "cut.gz' is truncated");
}

TEST(Idx, CorruptGzipIsAnError) {
  TempDir dir;
  std::vector<uint8_t> payload(5000, 3);
  writeGzip(dir.file("z.gz"), makeIdx(0x08, {5000}, payload));
  std::vector<uint8_t> gz = readBytes(dir.file("z.gz"));
  // Damage the CRC-32 in the trailer: the data inflate but do not check.
  gz[gz.size() - 6] ^= 0xFF;
  writeBytes(dir.file("bad.gz"), gz);
  EXPECT_DLRT_ERROR(loadIdx(dir.file("bad.gz")),
                    "bad.gz' is not a valid gzip file");
}

// Formats whose header does not declare their size (CSV) read a compressed
// file through readFileMaybeGzip, which stops inflating at a cap (4 GiB by
// default): a gzip bomb is an error, not all of memory. Checked here with a
// small cap on 1 MiB of zeros (a 1 KiB file); the raw file is not capped.
TEST(Idx, InflationStopsAtTheCap) {
  EXPECT_EQ(MaxInflatedBytes, uint64_t(4) << 30);
  TempDir dir;
  std::vector<uint8_t> zeros(1 << 20);
  writeGzip(dir.file("bomb.csv.gz"), zeros);
  writeBytes(dir.file("raw.csv"), zeros);
  EXPECT_LT(readBytes(dir.file("bomb.csv.gz")).size(), 4096u);
  EXPECT_DLRT_ERROR(readFileMaybeGzip(dir.file("bomb.csv.gz"), 1000),
                    "bomb.csv.gz' inflates to more than 1000 bytes (a gzip "
                    "bomb?); decompress it first");
  EXPECT_EQ(readFileMaybeGzip(dir.file("bomb.csv.gz"), 1 << 20).size(),
            size_t(1) << 20);
  EXPECT_EQ(readFileMaybeGzip(dir.file("raw.csv"), 1000).size(),
            size_t(1) << 20);
}
