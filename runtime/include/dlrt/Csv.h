//===- Csv.h - CSV dataset reader -------------------------------*- C++ -*-===//
//
// Reads a CSV table of training data (optionally gzip-compressed): one sample
// per record, fields separated by commas, RFC 4180 quoting (a field enclosed
// in double quotes may hold commas, newlines and "" for a quote), spaces,
// tabs and a trailing \r trimmed around unquoted fields, blank lines ignored,
// a UTF-8 byte order mark skipped, an optional header line naming the
// columns.
//
// Each column is a feature or a target (CsvOptions). A column is numeric
// when every value of it is a number (strtod reads the whole field; "nan"
// and "inf" are numbers, then rejected): its values are used as they are (no
// scaling) and must be finite f32 values. Otherwise it is categorical: its
// categories are the sorted distinct strings of the column and each value
// becomes the index of its category. A test file is read against the table
// of the training file (`reference`) so that both number their categories
// alike.
//
// Every problem (a ragged row, an empty field, a bad number, an unknown
// target or category, an unclosed quote) throws dlrt::Error naming the file,
// the line (where the record starts) and the column where there is one.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_CSV_H
#define DLRT_CSV_H

#include <cstdint>
#include <string>
#include <vector>

namespace dlrt {

/// How to read a CSV file.
struct CsvOptions {
  /// Target columns by header name, in this order. Empty: the first column
  /// is the one target (with or without a header).
  std::vector<std::string> targets;
  /// false: every column is a feature (autoencoders); `targets` must be empty.
  bool hasTargets = true;
  /// Whether the first non-blank line names the columns. Auto: it does when
  /// one of its fields is not a number but the field below it is (empty
  /// fields do not count; in a one-row file any text counts). A header over
  /// categorical columns only needs Yes.
  enum class Header { Auto, Yes, No } header = Header::Auto;
};

/// One column: its name (from the header, else "column N", 1-based) and, for a
/// categorical column, its categories (sorted, distinct); empty for numeric.
struct CsvColumn {
  std::string name;
  std::vector<std::string> categories;
};

/// A parsed CSV table.
struct CsvTable {
  /// The feature columns in file order; the target columns in the order of
  /// CsvOptions::targets (the first column when that is empty).
  std::vector<CsvColumn> features, targets;
  /// Data rows read (the header is not one).
  int64_t rows = 0;
  /// [rows * features.size()] values, row after row; a categorical value is
  /// its category's index.
  std::vector<float> featureValues;
  /// [rows * targets.size()] values, row after row; a categorical value is
  /// its category's index.
  std::vector<double> targetValues;
};

/// Parses CSV `text`; `name` names it in errors. `limit` > 0 stops after
/// that many data rows. With a `reference` (the table of the training file,
/// read with the same options) the text must have the same columns: the same
/// count, and the same names when it has a header (the features in the same
/// order); a column categorical in the reference maps each value through the
/// reference's categories (an unknown one is an error), a numeric one must be
/// numeric here, and the returned table carries the reference's columns.
CsvTable parseCsv(const std::string &text, const std::string &name,
                  const CsvOptions &options, int64_t limit,
                  const CsvTable *reference = nullptr);

/// Reads (inflating gzip if needed) and parses a CSV file.
CsvTable loadCsv(const std::string &path, const CsvOptions &options,
                 int64_t limit, const CsvTable *reference = nullptr);

} // namespace dlrt

#endif // DLRT_CSV_H
