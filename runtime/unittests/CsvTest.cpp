//===- CsvTest.cpp - Tests of the CSV reader ------------------------------===//
//
// Good and malformed CSV tables: header choice, named targets, quoting,
// categorical columns, the training file as reference, and every error.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"
#include "dlrt/Csv.h"
#include "dlrt/dlrt.h"

#include <cstring>

using namespace dlrt;
using namespace dlrt::test;

namespace {
/// parseCsv of a text named "t.csv".
CsvTable parse(const std::string &text, const CsvOptions &options = {},
               int64_t limit = 0, const CsvTable *reference = nullptr) {
  return parseCsv(text, "t.csv", options, limit, reference);
}

CsvOptions withTargets(std::vector<std::string> targets) {
  CsvOptions options;
  options.targets = std::move(targets);
  return options;
}

CsvOptions withHeader(CsvOptions::Header header) {
  CsvOptions options;
  options.header = header;
  return options;
}

/// The names of `columns`, in order.
std::vector<std::string> namesOf(const std::vector<CsvColumn> &columns) {
  std::vector<std::string> names;
  for (const CsvColumn &column : columns)
    names.push_back(column.name);
  return names;
}

using Strings = std::vector<std::string>;
using Floats = std::vector<float>;
using Doubles = std::vector<double>;
} // namespace

TEST(Csv, ParsesWithAndWithoutHeader) {
  CsvTable t = parse("label,a,b\n1,0.5,2\n\n0, 3 ,-4e1\r\n");
  EXPECT_EQ(t.rows, 2);
  EXPECT_EQ(namesOf(t.targets), (Strings{"label"}));
  EXPECT_EQ(namesOf(t.features), (Strings{"a", "b"}));
  EXPECT_EQ(t.targetValues, (Doubles{1, 0}));
  EXPECT_EQ(t.featureValues, (Floats{0.5f, 2, 3, -40}));
  EXPECT_TRUE(t.features[0].categories.empty());

  CsvTable n = parse("1,2\n3,4\n5,6");
  EXPECT_EQ(n.rows, 3);
  EXPECT_EQ(namesOf(n.targets), (Strings{"column 1"}));
  EXPECT_EQ(namesOf(n.features), (Strings{"column 2"}));
  EXPECT_EQ(n.targetValues, (Doubles{1, 3, 5}));
  EXPECT_EQ(n.featureValues, (Floats{2, 4, 6}));
}

TEST(Csv, HeaderChoice) {
  // Auto: a first line of numbers is data, even when it could be a header.
  CsvTable numbers = parse("0,1,2\n3,4,5\n");
  EXPECT_EQ(numbers.rows, 2);
  // Yes: the first line names the columns though it is all numbers.
  CsvTable yes = parse("0,1,2\n3,4,5\n", withHeader(CsvOptions::Header::Yes));
  EXPECT_EQ(yes.rows, 1);
  EXPECT_EQ(namesOf(yes.features), (Strings{"1", "2"}));
  EXPECT_EQ(yes.featureValues, (Floats{4, 5}));
  // No: a first line with a string is data (a categorical column).
  CsvTable no = parse("1,a\n2,b\n1,a\n", withHeader(CsvOptions::Header::No));
  EXPECT_EQ(no.rows, 3);
  EXPECT_EQ(no.features[0].categories, (Strings{"a", "b"}));
  EXPECT_EQ(no.featureValues, (Floats{0, 1, 0}));
  // An empty field does not make a header; it is a missing value.
  EXPECT_DLRT_ERROR(parse("1,,3\n"), "'t.csv' line 1, column 2: missing value");
  // An empty header field is named by its position.
  EXPECT_EQ(namesOf(parse(",a\n1,2\n").targets), (Strings{"column 1"}));
}

TEST(Csv, NamedTargets) {
  std::string text = "a,b,c,d\n1,2,3,4\n5,6,7,8\n";
  CsvTable one = parse(text, withTargets({"c"}));
  EXPECT_EQ(namesOf(one.targets), (Strings{"c"}));
  EXPECT_EQ(namesOf(one.features), (Strings{"a", "b", "d"}));
  EXPECT_EQ(one.targetValues, (Doubles{3, 7}));
  EXPECT_EQ(one.featureValues, (Floats{1, 2, 4, 5, 6, 8}));

  CsvTable two = parse(text, withTargets({"d", "b"}));
  EXPECT_EQ(namesOf(two.targets), (Strings{"d", "b"}));
  EXPECT_EQ(namesOf(two.features), (Strings{"a", "c"}));
  EXPECT_EQ(two.targetValues, (Doubles{4, 2, 8, 6}));
  EXPECT_EQ(two.featureValues, (Floats{1, 3, 5, 7}));
}

TEST(Csv, WithoutTargets) {
  CsvOptions options;
  options.hasTargets = false;
  CsvTable t = parse("x,y\n1,2\n3,4\n", options);
  EXPECT_TRUE(t.targets.empty());
  EXPECT_TRUE(t.targetValues.empty());
  EXPECT_EQ(namesOf(t.features), (Strings{"x", "y"}));
  EXPECT_EQ(t.featureValues, (Floats{1, 2, 3, 4}));
  // One column is enough when nothing is a target.
  EXPECT_EQ(parse("7\n8\n", options).featureValues, (Floats{7, 8}));
}

TEST(Csv, QuotedFields) {
  CsvTable t = parse("\"id\",\"text, with comma\",\"n\"\n"
                     "1,\"say \"\"hi\"\"\",\"2.5\"\n"
                     "2, \"two\nlines\" ,3\n"
                     "1,\"a,b\",4\n",
                     withTargets({"id"}));
  EXPECT_EQ(namesOf(t.features), (Strings{"text, with comma", "n"}));
  EXPECT_EQ(t.rows, 3);
  EXPECT_EQ(t.features[0].categories,
            (Strings{"a,b", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ(t.featureValues, (Floats{1, 2.5f, 2, 3, 0, 4}));
  EXPECT_EQ(t.targetValues, (Doubles{1, 2, 1}));
  // Line numbers count the newlines inside quotes.
  EXPECT_DLRT_ERROR(parse("a,b\n1,\"x\ny\"\n2,3,4\n"),
                    "'t.csv' line 4: 3 fields, expected 2 like the header");
  EXPECT_DLRT_ERROR(parse("a,b\n1,\"open\n"),
                    "'t.csv' line 2, column 2: the quoted field is not closed");
  EXPECT_DLRT_ERROR(parse("a,b\n1,\"x\"y\n"),
                    "'t.csv' line 2, column 2: text after the closing quote");
}

TEST(Csv, CategoricalColumns) {
  std::string iris = "sepal_length,sepal_width,species\n"
                     "5.1,3.5,setosa\n"
                     "7.0,3.2,versicolor\n"
                     "6.3,3.3,virginica\n"
                     "4.9,3.0,setosa\n";
  CsvTable t = parse(iris, withTargets({"species"}));
  EXPECT_EQ(t.targets[0].categories,
            (Strings{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(t.targetValues, (Doubles{0, 1, 2, 0}));
  EXPECT_TRUE(t.features[0].categories.empty());
  EXPECT_EQ(t.featureValues,
            (Floats{5.1f, 3.5f, 7, 3.2f, 6.3f, 3.3f, 4.9f, 3}));

  // A categorical feature; numbers in it are strings among the others.
  CsvTable f = parse("y,colour\n1,red\n0,10\n1,blue\n0,red\n1,2\n");
  EXPECT_EQ(f.features[0].categories, (Strings{"10", "2", "blue", "red"}));
  EXPECT_EQ(f.featureValues, (Floats{3, 0, 2, 3, 1}));
  EXPECT_EQ(f.targetValues, (Doubles{1, 0, 1, 0, 1}));
  // A value that turns a column categorical late; "nan" is then a category.
  CsvTable late = parse("y,v\n1,nan\n0,1\n1,x\n");
  EXPECT_EQ(late.features[0].categories, (Strings{"1", "nan", "x"}));
  EXPECT_EQ(late.featureValues, (Floats{1, 0, 2}));
}

TEST(Csv, ReferenceTable) {
  CsvOptions options = withTargets({"species"});
  CsvTable train = parse("w,colour,species\n"
                         "1,red,setosa\n"
                         "2,blue,versicolor\n"
                         "3,green,virginica\n",
                         options);
  // A subset of the categories, numbered as in the reference.
  CsvTable test =
      parseCsv("w,colour,species\n4,green,virginica\n5,red,setosa\n",
               "test.csv", options, 0, &train);
  EXPECT_EQ(test.targets[0].categories, train.targets[0].categories);
  EXPECT_EQ(test.features[1].categories, (Strings{"blue", "green", "red"}));
  EXPECT_EQ(test.targetValues, (Doubles{2, 0}));
  EXPECT_EQ(test.featureValues, (Floats{4, 1, 5, 2}));
  // A column of numbers only, categorical in the reference.
  CsvTable numeric = parse("y,k\n0,1\n1,x\n0,2\n");
  CsvTable alike = parseCsv("y,k\n1,2\n", "test.csv", {}, 0, &numeric);
  EXPECT_EQ(alike.featureValues, (Floats{1}));

  EXPECT_DLRT_ERROR(
      parseCsv("w,colour,species\n4,green,virginica\n5,pink,setosa\n",
               "test.csv", options, 0, &train),
      "'test.csv' line 3, column 2: 'pink' is not a category of the "
      "training file ('blue', 'green', 'red') (column 'colour')");
  // Text in every field of both lines: the header must be given.
  CsvOptions withHeaderLine = options;
  withHeaderLine.header = CsvOptions::Header::Yes;
  EXPECT_DLRT_ERROR(parseCsv("w,colour,species\nx,red,setosa\n", "test.csv",
                             withHeaderLine, 0, &train),
                    "'test.csv' line 2, column 1: 'x' is not a number, but "
                    "the column is numeric in the training file (column "
                    "'w')");
  EXPECT_DLRT_ERROR(
      parseCsv("w,species\n1,setosa\n", "test.csv", options, 0, &train),
      "'test.csv' line 1: 2 fields, expected 3 like the "
      "training file");
  EXPECT_DLRT_ERROR(parseCsv("w,color,species\n1,red,setosa\n", "test.csv",
                             options, 0, &train),
                    "'test.csv' line 1: column 2 is named 'color', expected "
                    "'colour' like the training file");
  // Without a header only the count is compared; the names are the
  // reference's.
  CsvTable plain = parse("0,1,2\n1,3,4\n");
  CsvTable bare = parseCsv("\n1,5,6\n", "test.csv", {}, 0, &plain);
  EXPECT_EQ(bare.featureValues, (Floats{5, 6}));
  EXPECT_DLRT_ERROR(parseCsv("1,5\n", "test.csv", {}, 0, &plain),
                    "'test.csv' line 1: 2 fields, expected 3 like the "
                    "training file");
}

TEST(Csv, BomCrlfAndLimit) {
  CsvTable t = parse("\xEF\xBB\xBFlabel,a\r\n1,2\r\n\r\n0,3\r\n");
  EXPECT_EQ(namesOf(t.targets), (Strings{"label"}));
  EXPECT_EQ(t.featureValues, (Floats{2, 3}));
  CsvTable q = parse("y,s\r\n1,\"a\"\r\n0,\"b\" \r\n");
  EXPECT_EQ(q.features[0].categories, (Strings{"a", "b"}));

  CsvTable limited = parse("a,b\n1,2\n3,4\n5,6\n", {}, 2);
  EXPECT_EQ(limited.rows, 2);
  EXPECT_EQ(limited.featureValues, (Floats{2, 4}));
  // Rows past the limit are not read: their problems do not matter.
  EXPECT_EQ(parse("1,2\n3,x,y\n", {}, 1).rows, 1);
}

TEST(Csv, RejectsMalformedTables) {
  EXPECT_DLRT_ERROR(parse("1,2,3\n1,2\n"),
                    "'t.csv' line 2: 2 fields, expected 3 like the first row");
  EXPECT_DLRT_ERROR(parse("a,b,c\n\n1,2,3,4\n"),
                    "'t.csv' line 3: 4 fields, expected 3 like the header");
  EXPECT_DLRT_ERROR(parse("a,b\n1,\n"),
                    "'t.csv' line 2, column 2: missing value (an empty "
                    "field) (column 'b')");
  EXPECT_DLRT_ERROR(parse("a,b\n1,\"\"\n"),
                    "'t.csv' line 2, column 2: missing value");
  EXPECT_DLRT_ERROR(
      parse("1,2,3\n1,nan,3\n"),
      "'t.csv' line 2, column 2: 'nan' is not a finite f32 value");
  // The first bad value of a numeric column is named, though found late.
  EXPECT_DLRT_ERROR(parse("y,a,b\n1,2,3\n1,inf,3\n1,2,nan\n1,nan,3\n"),
                    "'t.csv' line 3, column 2: 'inf' is not a finite f32 "
                    "value (column 'a')");
  EXPECT_DLRT_ERROR(parse("y,a,b\n1,2,3\n1,2,-inf\n"),
                    "'t.csv' line 3, column 3: '-inf' is not a finite f32 "
                    "value (column 'b')");
  EXPECT_DLRT_ERROR(
      parse("y,a\n1,1e39\n"),
      "'t.csv' line 2, column 2: '1e39' is not a finite f32 value (beyond "
      "the f32 range of +-3.4e38) (column 'a')");
  EXPECT_DLRT_ERROR(
      parse("y,a\n1e39,1\n"),
      "'t.csv' line 2, column 1: '1e39' is not a finite f32 value (beyond "
      "the f32 range of +-3.4e38) (column 'y')");
  EXPECT_DLRT_ERROR(parse(""), "'t.csv' holds no data rows");
  EXPECT_DLRT_ERROR(parse("\n \n"), "'t.csv' holds no data rows");
  EXPECT_DLRT_ERROR(parse("\na,b\n\n"),
                    "'t.csv' line 2: a header but no data rows");
}

TEST(Csv, RejectsBadTargets) {
  std::string text = "a,b,c\n1,2,3\n";
  EXPECT_DLRT_ERROR(parse(text, withTargets({"z"})),
                    "'t.csv' line 1: no column 'z' for a target; the header "
                    "names 'a', 'b', 'c'");
  EXPECT_DLRT_ERROR(parse("1,2,3\n", withTargets({"a"})),
                    "'t.csv' line 1: target columns are named ('a') but the "
                    "file has no header line");
  EXPECT_DLRT_ERROR(parse("a,a,b\n1,2,3\n", withTargets({"a"})),
                    "'t.csv' line 1: the header names two columns 'a' "
                    "(columns 1 and 2)");
  EXPECT_DLRT_ERROR(parse(text, withTargets({"b", "a", "b"})),
                    "'t.csv' line 1: target column 'b' is listed twice");
  EXPECT_DLRT_ERROR(parse(text, withTargets({"c", "a", "b"})),
                    "'t.csv' line 1: every column is a target ('c', 'a', 'b')");
  EXPECT_DLRT_ERROR(parse("\n5\n"),
                    "'t.csv' line 2: every column is a target ('column 1')");
  CsvOptions none = withTargets({"a"});
  none.hasTargets = false;
  EXPECT_DLRT_ERROR(parse(text, none),
                    "'t.csv': target columns are named ('a') but the table is "
                    "read without targets");
}

TEST(Csv, LoadsGzipFile) {
  TempDir dir;
  std::string text = "y,a\n1,2\n0,3\n";
  writeGzip(dir.file("t.csv.gz"),
            std::vector<uint8_t>(text.begin(), text.end()));
  CsvTable t = loadCsv(dir.file("t.csv.gz"), {}, 0);
  EXPECT_EQ(t.featureValues, (Floats{2, 3}));
  EXPECT_DLRT_ERROR(loadCsv(dir.file("t.csv.gz"), withTargets({"q"}), 0),
                    "'" + dir.file("t.csv.gz") + "' line 1: no column 'q'");
}

TEST(Csv, HeaderDetectionCanBeForced) {
  // Auto: a first line with a field that is not a number above one that is
  // is a header; a first row of categories (iris.data) is data.
  EXPECT_EQ(parse("x,a\ny,2\n").rows, 1);
  EXPECT_EQ(parse("x,1\ny,2\n").rows, 2);
  EXPECT_EQ(parse("5.1,3.5,Iris-setosa\n4.9,3.0,Iris-setosa\n").rows, 2);
  EXPECT_EQ(parse("len,width,species\n4.9,3.0,Iris-setosa\n").rows, 1);
  EXPECT_EQ(parse("1,2\n3,4\n").rows, 2);
  // Yes: even an all-numeric first line names the columns.
  CsvTable yes = parse("1,2\n3,4\n", withHeader(CsvOptions::Header::Yes));
  EXPECT_EQ(yes.rows, 1);
  EXPECT_EQ(namesOf(yes.targets), (Strings{"1"}));
  EXPECT_EQ(namesOf(yes.features), (Strings{"2"}));
  EXPECT_EQ(yes.featureValues, (std::vector<float>{4}));
  // No: the first line is data; its strings make the column categorical.
  CsvTable no = parse("x,1\ny,2\n", withHeader(CsvOptions::Header::No));
  EXPECT_EQ(no.rows, 2);
  EXPECT_EQ(namesOf(no.targets), (Strings{"column 1"}));
  EXPECT_EQ(no.targets[0].categories, (Strings{"x", "y"}));
  EXPECT_EQ(no.targetValues, (std::vector<double>{0, 1}));
  EXPECT_EQ(no.featureValues, (std::vector<float>{1, 2}));
}

TEST(Csv, NamedTargetsInTheRequestedOrder) {
  const std::string text = "a,b,c,d\n1,2,3,4\n5,6,7,8\n";
  CsvTable one = parse(text, withTargets({"c"}));
  EXPECT_EQ(namesOf(one.targets), (Strings{"c"}));
  EXPECT_EQ(namesOf(one.features), (Strings{"a", "b", "d"}));
  EXPECT_EQ(one.targetValues, (std::vector<double>{3, 7}));
  EXPECT_EQ(one.featureValues, (std::vector<float>{1, 2, 4, 5, 6, 8}));
  // Targets in the order asked for, not in file order; features in file
  // order.
  CsvTable two = parse(text, withTargets({"d", "b"}));
  EXPECT_EQ(namesOf(two.targets), (Strings{"d", "b"}));
  EXPECT_EQ(namesOf(two.features), (Strings{"a", "c"}));
  EXPECT_EQ(two.targetValues, (std::vector<double>{4, 2, 8, 6}));
  EXPECT_EQ(two.featureValues, (std::vector<float>{1, 3, 5, 7}));
  // Without names: the first column.
  CsvTable first = parse(text);
  EXPECT_EQ(namesOf(first.targets), (Strings{"a"}));
  EXPECT_EQ(first.targetValues, (std::vector<double>{1, 5}));
}

TEST(Csv, CategoricalFeaturesAndTargets) {
  const std::string text = "colour,size,species\n"
                           "red,1.5,setosa\n"
                           "blue,2,virginica\n"
                           "red,3,versicolor\n"
                           "green,4,setosa\n";
  CsvTable t = parse(text, withTargets({"species"}));
  ASSERT_EQ(t.features.size(), 2u);
  EXPECT_EQ(t.features[0].categories, (Strings{"blue", "green", "red"}));
  EXPECT_TRUE(t.features[1].categories.empty()); // numeric
  ASSERT_EQ(t.targets.size(), 1u);
  EXPECT_EQ(t.targets[0].categories,
            (Strings{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(t.targetValues, (std::vector<double>{0, 2, 1, 0}));
  EXPECT_EQ(t.featureValues, (std::vector<float>{2, 1.5f, 0, 2, 2, 3, 1, 4}));
}

TEST(Csv, ByteOrderMarkCrlfAndLimit) {
  CsvTable bom = parse("\xEF\xBB\xBFlabel,a\r\n1,2\r\n3,4\r\n");
  EXPECT_EQ(namesOf(bom.targets), (Strings{"label"}));
  EXPECT_EQ(namesOf(bom.features), (Strings{"a"}));
  EXPECT_EQ(bom.rows, 2);
  EXPECT_EQ(bom.featureValues, (std::vector<float>{2, 4}));
  // CRLF inside and after a quoted field.
  CsvTable crlf = parse("a,b\r\n\"x\",1\r\n\"y\",2\r\n", withTargets({"b"}));
  EXPECT_EQ(crlf.features[0].categories, (Strings{"x", "y"}));
  EXPECT_EQ(crlf.targetValues, (std::vector<double>{1, 2}));
  // The limit counts data rows, not the header.
  CsvTable limited = parse("a,b\n1,2\n3,4\n5,6\n", {}, 2);
  EXPECT_EQ(limited.rows, 2);
  EXPECT_EQ(limited.targetValues, (std::vector<double>{1, 3}));
  EXPECT_EQ(parse("1,2\n3,4\n5,6", {}, 2).rows, 2);
  EXPECT_EQ(parse("1,2\n3,4\n5,6", {}, 10).rows, 3);
}
