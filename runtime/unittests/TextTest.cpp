//===- TextTest.cpp - Tests of the text data source -----------------------===//
//
// Tokens (characters as UTF-8 code points, words), the vocabulary, the
// windows of T + 1 tokens, the test part through the training vocabulary,
// batches of token ids with a label per position, and the vocabulary of a
// checkpoint.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Text.h"
#include "TestUtil.h"
#include "dlrt/Dataset.h"
#include "dlrt/dlrt.h"

using namespace dlrt;
using namespace dlrt::test;

namespace {
void writeText(const std::string &path, const std::string &text) {
  writeBytes(path, std::vector<uint8_t>(text.begin(), text.end()));
}

DataSource textSource(const std::string &train, const std::string &test = "",
                      int32_t unit = DLRT_TEXT_CHAR) {
  DataSource s;
  s.kind = DLRT_DATA_TEXT_FILES;
  s.files[DLRT_FILE_TRAIN_INPUTS] = train;
  s.files[DLRT_FILE_TEST_INPUTS] = test;
  s.textUnit = unit;
  return s;
}

DataShape lmShape(int64_t context, int32_t classes) {
  DataShape s;
  s.sampleSize = context;
  s.labelKind = DLRT_LABEL_CLASS;
  s.classes = classes;
  s.inputDtype = DLRT_DTYPE_I64;
  s.labelsPerSample = context;
  return s;
}
} // namespace

TEST(Text, CharactersAreCodePoints) {
  std::vector<std::string> t = tokenize("caf\xc3\xa9\n", DLRT_TEXT_CHAR, "f");
  EXPECT_EQ(t, (std::vector<std::string>{"c", "a", "f", "\xc3\xa9", "\n"}));
}

TEST(Text, MalformedUtf8IsAnError) {
  EXPECT_DLRT_ERROR(tokenize("ab\xff", DLRT_TEXT_CHAR, "bad.txt"),
                    "'bad.txt' is not UTF-8 text: malformed byte 0xff at "
                    "offset 2");
  // Truncated, overlong, surrogate.
  EXPECT_DLRT_ERROR(tokenize("a\xc3", DLRT_TEXT_CHAR, "f"), "offset 1");
  EXPECT_DLRT_ERROR(tokenize("\xc0\xaf", DLRT_TEXT_CHAR, "f"), "offset 0");
  EXPECT_DLRT_ERROR(tokenize("\xed\xa0\x80", DLRT_TEXT_CHAR, "f"), "offset 0");
}

TEST(Text, WordsBlanksAndNewlines) {
  std::vector<std::string> t =
      tokenize("the  cat\r\nsat\n\nok", DLRT_TEXT_WORD, "f");
  EXPECT_EQ(t, (std::vector<std::string>{"the", "  ", "cat", "\n", "sat", "\n",
                                         "\n", "ok"}));
}

TEST(Text, VocabularyIsSortedAndDistinct) {
  EXPECT_EQ(buildVocabulary({"b", "a", "b", "\n"}),
            (std::vector<std::string>{"\n", "a", "b"}));
}

TEST(Text, WindowsOfContextPlusOne) {
  // 8 ids, context 3: windows [0..3], [3..6]; the last id of a window is
  // the first of the next.
  Dataset d = textWindows({0, 1, 2, 3, 4, 5, 6, 7}, 3, 0);
  ASSERT_EQ(d.size(), 2);
  EXPECT_EQ(d.ids, (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(d.y, (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(textWindows({0, 1, 2, 3, 4, 5, 6, 7}, 3, 1).size(), 1);
  EXPECT_EQ(textWindows({0, 1, 2}, 3, 0).size(), 0);
}

TEST(Text, LoadsPartsWithTheTrainingVocabulary) {
  TempDir dir;
  writeText(dir.file("train.txt"), "abcabcabca");
  writeText(dir.file("test.txt"), "cbacba");
  DataSource s = textSource(dir.file("train.txt"), dir.file("test.txt"));
  Dataset train = loadDataPart(s, "train", lmShape(3, 4), 0);
  EXPECT_EQ(train.vocabulary, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(train.size(), 3);
  EXPECT_EQ(train.ids[0], 0);
  EXPECT_EQ(train.y[2], 0); // "abc" -> "bca"
  Dataset test = loadDataPart(s, "test", lmShape(3, 4), 0);
  EXPECT_EQ(test.vocabulary, train.vocabulary);
  ASSERT_EQ(test.size(), 1);
  EXPECT_EQ(test.ids, (std::vector<int64_t>{2, 1, 0}));
  EXPECT_EQ(test.y, (std::vector<int64_t>{1, 0, 2}));

  // Without a test file: no windows, the vocabulary all the same.
  Dataset none =
      loadDataPart(textSource(dir.file("train.txt")), "test", lmShape(3, 4), 0);
  EXPECT_EQ(none.size(), 0);
  EXPECT_EQ(none.vocabulary, train.vocabulary);
}

TEST(Text, LoadErrors) {
  TempDir dir;
  writeText(dir.file("train.txt"), "abcabcabca");
  writeText(dir.file("test.txt"), "abd");
  EXPECT_DLRT_ERROR(loadDataPart(textSource(dir.file("train.txt")), "train",
                                 lmShape(3, 2), 0),
                    "has 3 distinct characters but the model scores 2 classes");
  EXPECT_DLRT_ERROR(
      loadDataPart(textSource(dir.file("train.txt"), dir.file("test.txt")),
                   "test", lmShape(2, 4), 0),
      "token \"d\" (3 of the file) is not in the vocabulary of the training "
      "file");
  EXPECT_DLRT_ERROR(loadDataPart(textSource(dir.file("train.txt")), "train",
                                 lmShape(20, 4), 0),
                    "has 10 tokens: too few for one window of 20 + 1");
  EXPECT_DLRT_ERROR(loadDataPart(textSource(dir.file("missing.txt")), "train",
                                 lmShape(3, 4), 0),
                    "missing.txt");
}

TEST(Text, BatchesOfIdsWithALabelPerPosition) {
  Dataset d = textWindows({0, 1, 2, 3, 4, 5, 6}, 2, 0);
  ASSERT_EQ(d.size(), 3);
  std::vector<int64_t> ids(4, -1), y(4, -1);
  EXPECT_EQ(
      gatherBatch(d, {2, 0}, 0, 2, nullptr, y.data(), nullptr, ids.data()), 2);
  EXPECT_EQ(ids, (std::vector<int64_t>{4, 5, 0, 1}));
  EXPECT_EQ(y, (std::vector<int64_t>{5, 6, 1, 2}));
}

TEST(Text, CheckpointVocabulary) {
  std::vector<std::string> v = {"\n", "a", "\xc3\xa9"};
  std::map<std::string, std::string> meta = {{"vocabulary", vocabularyJson(v)}};
  EXPECT_EQ(parseVocabulary(meta["vocabulary"], "c"), v);
  checkVocabulary(meta, v, "c.safetensors");
  EXPECT_DLRT_ERROR(checkVocabulary(meta, {"a", "b"}, "c.safetensors"),
                    "checkpoint 'c.safetensors' was trained with another "
                    "vocabulary (3 tokens) than the training text's (2 "
                    "tokens)");
  EXPECT_DLRT_ERROR(checkVocabulary({}, v, "c.safetensors"),
                    "checkpoint 'c.safetensors' has no vocabulary");
  EXPECT_DLRT_ERROR(parseVocabulary("{\"a\": 1}", "c"),
                    "malformed 'vocabulary' metadata");
  EXPECT_DLRT_ERROR(parseVocabulary("[\"a\", 3]", "c"),
                    "malformed 'vocabulary' metadata");
}

TEST(Text, IntegerInputsFromNumericFiles) {
  // An integer-input model reading a CSV file: its values become ids, and a
  // value that is not an integer is an error.
  TempDir dir;
  writeText(dir.file("ok.csv"), "y,a,b\n1,3,4\n0,5,6\n");
  writeText(dir.file("bad.csv"), "y,a,b\n1,3,4.5\n");
  DataSource s;
  s.kind = DLRT_DATA_CSV_FILES;
  s.files[DLRT_FILE_TRAIN_INPUTS] = dir.file("ok.csv");
  DataShape shape;
  shape.sampleSize = 2;
  shape.classes = 2;
  shape.inputDtype = DLRT_DTYPE_I64;
  Dataset d = loadDataPart(s, "train", shape, 0);
  EXPECT_EQ(d.ids, (std::vector<int64_t>{3, 4, 5, 6}));
  EXPECT_TRUE(d.x.empty());
  s.files[DLRT_FILE_TRAIN_INPUTS] = dir.file("bad.csv");
  EXPECT_DLRT_ERROR(loadDataPart(s, "train", shape, 0),
                    "the model takes integer ids, but value 1 of sample 0 is "
                    "4.5");
}
