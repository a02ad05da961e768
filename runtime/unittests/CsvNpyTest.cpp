//===- CsvNpyTest.cpp - Tests of the CSV and .npy readers -----------------===//
//
// Good and malformed CSV tables and .npy files, and datasets built from them.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"
#include "dlrt/Csv.h"
#include "dlrt/Dataset.h"
#include "dlrt/Npy.h"
#include "dlrt/dlrt.h"

#include <cstring>

using namespace dlrt;
using namespace dlrt::test;

namespace {
/// A version-1 .npy image with header dict `dict` and `payload`.
std::vector<uint8_t> makeNpy(const std::string &dict,
                             const std::vector<uint8_t> &payload) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  bytes.push_back(static_cast<uint8_t>(header.size() & 0xFF));
  bytes.push_back(static_cast<uint8_t>(header.size() >> 8));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  return bytes;
}

std::vector<uint8_t> floatBytes(std::vector<float> values) {
  std::vector<uint8_t> bytes(values.size() * 4);
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}
} // namespace

TEST(Csv, ParsesWithAndWithoutHeader) {
  CsvTable t = parseCsv("label,a,b\n1,0.5,2\n\n0, 3 ,-4e1\r\n", "t.csv", 0);
  EXPECT_EQ(t.columns, 2);
  EXPECT_EQ(t.labels, (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(t.values, (std::vector<float>{0.5f, 2, 3, -40}));
  EXPECT_EQ(parseCsv("1,2\n3,4\n5,6", "t", 2).labels.size(), 2u);
}

TEST(Csv, RejectsMalformedRows) {
  EXPECT_DLRT_ERROR(parseCsv("1,2,3\n1,2\n", "t.csv", 0),
                    "'t.csv' line 2: 2 fields, expected 3");
  EXPECT_DLRT_ERROR(parseCsv("1,2,3\n1,x,3\n", "t.csv", 0),
                    "'t.csv' line 2, column 2: 'x' is not a number");
  EXPECT_DLRT_ERROR(parseCsv("1.5,2\n", "t.csv", 0),
                    "label '1.5' is not an integer");
  EXPECT_DLRT_ERROR(parseCsv("a,b\n", "t.csv", 0), "holds no data rows");
  EXPECT_DLRT_ERROR(parseCsv("1\n", "t.csv", 0), "needs a label");
}

TEST(Csv, DatasetChecksWidthAndLabels) {
  TempDir dir;
  std::string text = "1,0.5,0.25\n2,1,0\n";
  writeBytes(dir.file("train.csv"),
             std::vector<uint8_t>(text.begin(), text.end()));
  Dataset d = loadDataPart(DLRT_DATA_CSV_DIR, dir.path, "train", 2, 3, 0);
  EXPECT_EQ(d.size(), 2);
  EXPECT_EQ(d.x[1], 0.25f);
  EXPECT_DLRT_ERROR(loadDataPart(DLRT_DATA_CSV_DIR, dir.path, "train", 3, 3, 0),
                    "rows of 2 values but the model expects 3");
  EXPECT_DLRT_ERROR(loadDataPart(DLRT_DATA_CSV_DIR, dir.path, "train", 2, 2, 0),
                    "label 2 of row 2 is outside [0, 2)");
}

TEST(Npy, ParsesFloatAndIntegerArrays) {
  NpyArray f = parseNpy(
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
              floatBytes({1, 2, 3, 4.5f})),
      "x.npy");
  EXPECT_EQ(f.dims, (std::vector<uint64_t>{2, 2}));
  EXPECT_EQ(f.at(3), 4.5);
  NpyArray i = parseNpy(
      makeNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }",
              {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}),
      "y.npy");
  EXPECT_EQ(i.at(0), -2);
  EXPECT_TRUE(i.isInteger());
}

TEST(Npy, RejectsMalformedFiles) {
  EXPECT_DLRT_ERROR(parseNpy({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, "a.npy"),
                    "'a.npy' is not a .npy file: bad magic");
  EXPECT_DLRT_ERROR(parseNpy(makeNpy("{'descr': '<f4', 'fortran_order': False, "
                                     "'shape': (3,), }",
                                     floatBytes({1, 2})),
                             "a.npy"),
                    "'a.npy' is truncated");
  EXPECT_DLRT_ERROR(parseNpy(makeNpy("{'descr': '<f4', 'fortran_order': True, "
                                     "'shape': (2,), }",
                                     floatBytes({1, 2})),
                             "a.npy"),
                    "Fortran order");
  EXPECT_DLRT_ERROR(parseNpy(makeNpy("{'descr': '>f4', 'fortran_order': False, "
                                     "'shape': (2,), }",
                                     floatBytes({1, 2})),
                             "a.npy"),
                    "big-endian");
  EXPECT_DLRT_ERROR(parseNpy(makeNpy("{'descr': '<U8', 'fortran_order': False, "
                                     "'shape': (2,), }",
                                     {}),
                             "a.npy"),
                    "unsupported .npy dtype '<U8'");
  EXPECT_DLRT_ERROR(
      parseNpy(makeNpy("{'fortran_order': False, 'shape': (2,), }", {}),
               "a.npy"),
      "no 'descr' entry");
  EXPECT_DLRT_ERROR(parseNpy(makeNpy("{'descr': '|u1', 'fortran_order': False, "
                                     "'shape': (2,), }",
                                     {1, 2, 3}),
                             "a.npy"),
                    "1 trailing bytes");
}

TEST(Npy, DatasetFromPair) {
  TempDir dir;
  writeBytes(dir.file("x_train.npy"),
             makeNpy("{'descr': '|u1', 'fortran_order': False, "
                     "'shape': (2, 1, 2), }",
                     {0, 255, 51, 102}));
  writeGzip(dir.file("y_train.npy.gz"),
            makeNpy("{'descr': '<i4', 'fortran_order': False, "
                    "'shape': (2,), }",
                    {1, 0, 0, 0, 0, 0, 0, 0}));
  Dataset d = loadDataPart(DLRT_DATA_NPY_DIR, dir.path, "train", 2, 2, 0);
  EXPECT_EQ(d.y, (std::vector<int64_t>{1, 0}));
  EXPECT_FLOAT_EQ(d.x[1], 1.0f);
  EXPECT_FLOAT_EQ(d.x[2], 0.2f);
  EXPECT_DLRT_ERROR(loadDataPart(DLRT_DATA_NPY_DIR, dir.path, "test", 2, 2, 0),
                    "missing data file '" + dir.file("x_test.npy"));
}
