//===- SafeTensorsTest.cpp - Tests of the safetensors reader/writer -------===//
//
// Round trips (bytes and files, with metadata) and the rejection of every
// kind of corrupt file.
//
//===----------------------------------------------------------------------===//

#include "dlrt/SafeTensors.h"
#include "TestUtil.h"

#include <cstring>
#include <dirent.h>

using namespace dlrt;
using namespace dlrt::test;

namespace {
const float A[] = {1, 2, 3, 4, 5, 6};
const float B[] = {-0.5f};

std::vector<uint8_t> sample() {
  return encodeSafeTensors({{"w", {2, 3}, A}, {"s", {}, B}},
                           {{"step", "7"}, {"note", "hi"}});
}

/// A file with `header` as its JSON and `dataBytes` zero bytes of data.
std::vector<uint8_t> withHeader(const std::string &header, size_t dataBytes) {
  std::vector<uint8_t> bytes(8 + header.size() + dataBytes, 0);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<uint8_t>(n >> (8 * i));
  std::memcpy(bytes.data() + 8, header.data(), header.size());
  return bytes;
}
} // namespace

TEST(SafeTensors, RoundTripsTensorsAndMetadata) {
  std::vector<uint8_t> bytes = sample();
  uint64_t headerLength = 0;
  std::memcpy(&headerLength, bytes.data(), 8);
  EXPECT_EQ(headerLength % 8, 0u); // data are 8-byte aligned
  EXPECT_EQ(bytes.size(), 8 + headerLength + 7 * sizeof(float));
  SafeTensors st = decodeSafeTensors(bytes, "mem");
  EXPECT_EQ(st.metadata.at("step"), "7");
  EXPECT_EQ(st.metadata.at("note"), "hi");
  ASSERT_EQ(st.tensors.size(), 2u);
  EXPECT_EQ(st.tensors.at("w").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(st.tensors.at("w").values, std::vector<float>(A, A + 6));
  EXPECT_TRUE(st.tensors.at("s").shape.empty());
  EXPECT_EQ(st.tensors.at("s").values, std::vector<float>{-0.5f});
}

TEST(SafeTensors, FileRoundTripLeavesNoTemporaryFile) {
  TempDir dir;
  std::string path = dir.file("ck.safetensors");
  saveSafeTensors(path, {{"w", {2, 3}, A}}, {});
  saveSafeTensors(path, {{"w", {2, 3}, A}}, {{"again", "1"}}); // overwrite
  SafeTensors st = loadSafeTensors(path);
  EXPECT_EQ(st.metadata.at("again"), "1");
  DIR *d = opendir(dir.path.c_str());
  int files = 0;
  while (dirent *entry = readdir(d))
    if (entry->d_name[0] != '.')
      ++files;
  closedir(d);
  EXPECT_EQ(files, 1);
}

TEST(SafeTensors, RejectsShortAndTruncatedFiles) {
  EXPECT_DLRT_ERROR(decodeSafeTensors({1, 2, 3}, "f"), "shorter than");
  std::vector<uint8_t> bytes = sample();
  std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + 20);
  EXPECT_DLRT_ERROR(decodeSafeTensors(cut, "f"), "'f' is truncated");
  cut.assign(bytes.begin(), bytes.end() - 4);
  EXPECT_DLRT_ERROR(decodeSafeTensors(cut, "f"), "outside the");
}

TEST(SafeTensors, RejectsAbsurdHeaderLength) {
  std::vector<uint8_t> bytes(16, 0xFF);
  EXPECT_DLRT_ERROR(decodeSafeTensors(bytes, "f"), "out of bounds");
}

TEST(SafeTensors, RejectsBadJson) {
  EXPECT_DLRT_ERROR(decodeSafeTensors(withHeader("{\"w\": [", 0), "f"),
                    "corrupt safetensors header");
  EXPECT_DLRT_ERROR(decodeSafeTensors(withHeader("[1, 2]", 0), "f"),
                    "not a JSON object");
  EXPECT_DLRT_ERROR(
      decodeSafeTensors(withHeader("{\"__metadata__\": {\"a\": 1}}", 0), "f"),
      "not a string");
}

TEST(SafeTensors, RejectsBadEntries) {
  EXPECT_DLRT_ERROR(
      decodeSafeTensors(withHeader(R"({"w": {"dtype": "F16", "shape": [2],
                                   "data_offsets": [0, 4]}})",
                                   4),
                        "f"),
      "dtype F16, only F32");
  EXPECT_DLRT_ERROR(
      decodeSafeTensors(
          withHeader(R"({"w": {"dtype": "F32", "shape": [2]}})", 8), "f"),
      "lacks dtype, shape or data_offsets");
  EXPECT_DLRT_ERROR(
      decodeSafeTensors(withHeader(R"({"w": {"dtype": "F32", "shape": [-2],
                                   "data_offsets": [0, 8]}})",
                                   8),
                        "f"),
      "not a non-negative integer");
  EXPECT_DLRT_ERROR(
      decodeSafeTensors(withHeader(R"({"w": {"dtype": "F32", "shape": [3],
                                   "data_offsets": [0, 8]}})",
                                   8),
                        "f"),
      "has 8 data bytes but its shape needs 12");
}

TEST(SafeTensors, RejectsOverlapsAndGaps) {
  EXPECT_DLRT_ERROR(
      decodeSafeTensors(
          withHeader(
              R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                  "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
              12),
          "f"),
      "overlap or leave a gap");
  EXPECT_DLRT_ERROR(
      decodeSafeTensors(withHeader(R"({"a": {"dtype": "F32", "shape": [1],
                                   "data_offsets": [0, 4]}})",
                                   8),
                        "f"),
      "8 data bytes but the tensors cover 4");
}

TEST(SafeTensors, MissingFileIsNamed) {
  EXPECT_DLRT_ERROR(loadSafeTensors("/nonexistent/ck.safetensors"),
                    "cannot open checkpoint '/nonexistent/ck.safetensors'");
}
