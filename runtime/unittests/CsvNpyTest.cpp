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

#include <cmath>
#include <cstdio>
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

namespace {
/// A small CSV with a categorical target column.
const char *const Iris = "sepal_length,sepal_width,species\n"
                         "5.1,3.5,setosa\n"
                         "7.0,3.2,versicolor\n"
                         "6.3,3.3,virginica\n"
                         "4.9,3.0,setosa\n";
} // namespace

TEST(Csv, DatasetChecksWidthAndLabels) {
  TempDir dir;
  std::string text = "1,0.5,0.25\n2,1,0\n";
  writeBytes(dir.file("train.csv"),
             std::vector<uint8_t>(text.begin(), text.end()));
  DataSource source;
  source.kind = DLRT_DATA_CSV_DIR;
  source.dir = dir.path;
  DataShape shape;
  shape.sampleSize = 2;
  shape.classes = 3;
  Dataset d = loadDataPart(source, "train", shape, 0);
  EXPECT_EQ(d.size(), 2);
  EXPECT_EQ(d.input(1), 0.25f);
  EXPECT_EQ(d.y, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(loadDataPart(source, "train", shape, 1).size(), 1);
  shape.sampleSize = 3;
  EXPECT_DLRT_ERROR(loadDataPart(source, "train", shape, 0),
                    "has 2 feature columns but the model takes 3 values per "
                    "sample");
  shape.sampleSize = 2;
  shape.classes = 2;
  EXPECT_DLRT_ERROR(loadDataPart(source, "train", shape, 0),
                    "the label 2 of data row 2 (column 'column 1') is outside "
                    "[0, 2)");
  // No test.csv in the directory: the test part is named as missing.
  EXPECT_DLRT_ERROR(loadDataPart(source, "test", shape, 0),
                    "missing data file '" + dir.file("test.csv"));
}

TEST(Csv, DatasetRejectsFractionalLabels) {
  TempDir dir;
  std::string text = "1.5,2\n";
  writeBytes(dir.file("t.csv"), std::vector<uint8_t>(text.begin(), text.end()));
  DataShape shape;
  shape.sampleSize = 1;
  shape.classes = 3;
  EXPECT_DLRT_ERROR(loadCsvFile(dir.file("t.csv"), dir.file("t.csv"), {},
                                DLRT_CSV_HEADER_AUTO, shape, 0),
                    "the label '1.5' of data row 1 is not an integer");
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
  DataSource source;
  source.kind = DLRT_DATA_NPY_DIR;
  source.dir = dir.path;
  DataShape shape;
  shape.sampleSize = 2;
  shape.classes = 2;
  Dataset d = loadDataPart(source, "train", shape, 0);
  EXPECT_EQ(d.y, (std::vector<int64_t>{1, 0}));
  EXPECT_TRUE(d.t.empty());
  EXPECT_FLOAT_EQ(d.input(1), 1.0f);
  EXPECT_FLOAT_EQ(d.input(2), 0.2f);
  EXPECT_DLRT_ERROR(loadDataPart(source, "test", shape, 0),
                    "missing data file '" + dir.file("x_test.npy"));
  // The same files named one by one.
  DataSource files;
  files.kind = DLRT_DATA_NPY_FILES;
  files.files[DLRT_FILE_TRAIN_INPUTS] = dir.file("x_train.npy");
  files.files[DLRT_FILE_TRAIN_TARGETS] = dir.file("y_train.npy.gz");
  EXPECT_EQ(loadDataPart(files, "train", shape, 0).y,
            (std::vector<int64_t>{1, 0}));
  EXPECT_FALSE(files.hasTest());
  EXPECT_EQ(loadDataPart(files, "test", shape, 0).size(), 0);
}

namespace {
/// Writes x [3, 2] and y `yShape` f32 arrays; returns the paths.
std::pair<std::string, std::string> writeFloatPair(const TempDir &dir,
                                                   const std::string &yShape,
                                                   std::vector<float> y) {
  std::string x = dir.file("x.npy"), t = dir.file("y.npy");
  writeBytes(x, makeNpy("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (3, 2), }",
                        floatBytes({1, 2, 3, 4, 5, 6})));
  writeBytes(t, makeNpy("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': " +
                            yShape + ", }",
                        floatBytes(y)));
  return {x, t};
}

DataShape floatShape(int64_t sampleSize, int64_t targetSize) {
  DataShape s;
  s.sampleSize = sampleSize;
  s.labelKind = DLRT_LABEL_FLOAT;
  s.targetSize = targetSize;
  return s;
}
} // namespace

TEST(Npy, FloatTargets) {
  TempDir dir;
  auto [x, y] = writeFloatPair(dir, "(3, 2)", {0.5f, -1, 2, 0, 1e-3f, 7});
  Dataset d = loadNpyPair(x, y, floatShape(2, 2), 0);
  EXPECT_EQ(d.size(), 3);
  EXPECT_TRUE(d.y.empty());
  EXPECT_EQ(d.targetSize, 2);
  EXPECT_EQ(d.t, (std::vector<float>{0.5f, -1, 2, 0, 1e-3f, 7}));
  EXPECT_EQ(d.x, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  Dataset limited = loadNpyPair(x, y, floatShape(2, 2), 2);
  EXPECT_EQ(limited.size(), 2);
  EXPECT_EQ(limited.t, (std::vector<float>{0.5f, -1, 2, 0}));
  EXPECT_DLRT_ERROR(loadNpyPair(x, y, floatShape(2, 3), 0),
                    "'" + y +
                        "' has 2 target values per sample (shape [3, 2]) but "
                        "the model outputs 3");
}

TEST(Npy, FloatTargetMismatches) {
  TempDir dir;
  auto [x, y] = writeFloatPair(dir, "(2, 2)", {1, 2, 3, 4});
  EXPECT_DLRT_ERROR(loadNpyPair(x, y, floatShape(2, 2), 0),
                    "'" + x + "' has 3 samples but '" + y + "' has 2 targets");
  TempDir dir2;
  auto [x2, y2] = writeFloatPair(dir2, "(3,)", {1, NAN, 3});
  EXPECT_DLRT_ERROR(loadNpyPair(x2, y2, floatShape(2, 1), 0),
                    "'" + y2 + "' holds a value that is not a finite f32");
  // Class labels must be integers.
  DataShape classes;
  classes.sampleSize = 2;
  classes.classes = 3;
  EXPECT_DLRT_ERROR(loadNpyPair(x2, y2, classes, 0),
                    "holds floating-point values; class labels must be "
                    "integers");
}

TEST(Npy, InputTargetsReadNoLabelFile) {
  TempDir dir;
  auto [x, y] = writeFloatPair(dir, "(3,)", {0, 1, 2});
  DataShape input;
  input.sampleSize = 2;
  input.labelKind = DLRT_LABEL_INPUT;
  input.targetSize = 2;
  EXPECT_FALSE(input.readsTargets());
  Dataset d = loadNpyPair(x, "", input, 0);
  EXPECT_EQ(d.size(), 3);
  EXPECT_TRUE(d.y.empty());
  EXPECT_TRUE(d.t.empty());
  EXPECT_EQ(d.inputBytes(), 6u * sizeof(float));
  // A directory without y_train.npy is fine too.
  std::rename(x.c_str(), dir.file("x_train.npy").c_str());
  DataSource source;
  source.kind = DLRT_DATA_NPY_DIR;
  source.dir = dir.path;
  EXPECT_EQ(loadDataPart(source, "train", input, 0).size(), 3);
}

namespace {
void writeText(const std::string &path, const std::string &text) {
  writeBytes(path, std::vector<uint8_t>(text.begin(), text.end()));
}
} // namespace

TEST(Csv, DatasetWithTwoFloatTargets) {
  TempDir dir;
  std::string path = dir.file("houses.csv");
  writeText(path, "rooms,price,area,tax\n3,100,50,1.5\n4,200,80,2.5\n");
  Dataset d = loadCsvFile(path, path, {"tax", "price"}, DLRT_CSV_HEADER_AUTO,
                          floatShape(2, 2), 0);
  EXPECT_EQ(d.size(), 2);
  EXPECT_TRUE(d.y.empty());
  EXPECT_EQ(d.targetSize, 2);
  EXPECT_EQ(d.t, (std::vector<float>{1.5f, 100, 2.5f, 200}));
  EXPECT_EQ(d.x, (std::vector<float>{3, 50, 4, 80}));
  std::string other = dir.file("other.csv");
  writeText(other, "rooms,price,area,tax\n3,100,50,1.5\n4,200,80,2.5\n");
  EXPECT_DLRT_ERROR(loadCsvFile(other, other, {"tax", "price"},
                                DLRT_CSV_HEADER_AUTO, floatShape(2, 3), 0),
                    "has 2 target columns but the model outputs 3 values per "
                    "sample");
  // A class label is one column.
  std::string third = dir.file("third.csv");
  writeText(third, "rooms,price,area,tax\n3,1,50,1\n4,0,80,0\n");
  DataShape classes;
  classes.sampleSize = 2;
  classes.classes = 2;
  EXPECT_DLRT_ERROR(loadCsvFile(third, third, {"tax", "price"},
                                DLRT_CSV_HEADER_AUTO, classes, 0),
                    "a class label is one column, but 2 target columns are "
                    "named");
}

TEST(Csv, DatasetClassLabelFromACategoricalColumn) {
  TempDir dir;
  std::string train = dir.file("iris.csv"), test = dir.file("iris-test.csv");
  writeText(train, Iris);
  writeText(test, "sepal_length,sepal_width,species\n6.1,2.8,versicolor\n");
  DataShape shape;
  shape.sampleSize = 2;
  shape.classes = 3;
  DataSource source;
  source.kind = DLRT_DATA_CSV_FILES;
  source.files[DLRT_FILE_TRAIN_INPUTS] = train;
  source.files[DLRT_FILE_TEST_INPUTS] = test;
  source.csvTargets = {"species"};
  EXPECT_TRUE(source.hasTest());
  Dataset d = loadDataPart(source, "train", shape, 0);
  EXPECT_EQ(d.y, (std::vector<int64_t>{0, 1, 2, 0}));
  EXPECT_EQ(d.input(2), 7.0f);
  Dataset t = loadDataPart(source, "test", shape, 0);
  EXPECT_EQ(t.y, (std::vector<int64_t>{1})); // the training index
  // A category index beyond the model's classes names the category.
  std::string two = dir.file("iris2.csv");
  writeText(two, Iris);
  shape.classes = 2;
  EXPECT_DLRT_ERROR(
      loadCsvFile(two, two, {"species"}, DLRT_CSV_HEADER_AUTO, shape, 0),
      "the label 2 ('virginica') of data row 3 (column "
      "'species') is outside [0, 2)");
}

TEST(Csv, DatasetWithTheInputAsTarget) {
  TempDir dir;
  std::string path = dir.file("ae.csv");
  writeText(path, "1,2,3\n4,5,6\n");
  DataShape input;
  input.sampleSize = 3;
  input.labelKind = DLRT_LABEL_INPUT;
  input.targetSize = 3;
  Dataset d = loadCsvFile(path, path, {}, DLRT_CSV_HEADER_NO, input, 0);
  EXPECT_EQ(d.size(), 2);
  EXPECT_EQ(d.x, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(d.y.empty());
  EXPECT_TRUE(d.t.empty());
}
