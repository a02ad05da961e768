//===- Csv.h - CSV dataset reader -------------------------------*- C++ -*-===//
//
// Reads a CSV table of samples (optionally gzip-compressed): one sample per
// row, comma-separated fields with RFC 4180 quoting ("a, b" and "say ""hi"""
// are single fields; a quoted field may span lines), an optional header line
// naming the columns, blank lines ignored. Some columns are the targets (by
// name, or the first column), the others the features. A column with a value
// that is not a number is categorical: its distinct values, sorted, are its
// categories, and each value becomes its index. Numeric values are used as
// they are (no scaling) and must be finite f32 values. Every error names the
// file, the line and, where there is one, the column.
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
  /// false: every column is a feature (autoencoders); `targets` must be
  /// empty.
  bool hasTargets = true;
  /// Whether the first non-blank line names the columns. Auto: it does when
  /// one of its fields is not a number but the field below it is (so a
  /// header over categorical columns only must be given as Yes).
  enum class Header { Auto, Yes, No } header = Header::Auto;
};

/// One column: its name (from the header, else "column N", 1-based) and,
/// for a categorical column, its categories (sorted, distinct); empty for a
/// numeric one.
struct CsvColumn {
  std::string name;
  std::vector<std::string> categories;
};

/// A parsed CSV table.
struct CsvTable {
  /// The feature columns in file order; the target columns in the order of
  /// CsvOptions::targets.
  std::vector<CsvColumn> features, targets;
  int64_t rows = 0;
  /// [rows * features.size()] values, row after row.
  std::vector<float> featureValues;
  /// [rows * targets.size()] values, row after row (a category's index for
  /// a categorical column).
  std::vector<double> targetValues;
};

/// Parses CSV `text`; `name` names it in errors. `limit` > 0 stops after
/// that many data rows. With a `reference` (the training file, when this
/// is the test file), the columns must be the reference's (same names, or
/// the same count without a header) and categorical columns map through
/// the reference's categories.
CsvTable parseCsv(const std::string &text, const std::string &name,
                  const CsvOptions &options, int64_t limit,
                  const CsvTable *reference = nullptr);

/// Reads (inflating gzip if needed) and parses a CSV file.
CsvTable loadCsv(const std::string &path, const CsvOptions &options,
                 int64_t limit, const CsvTable *reference = nullptr);

} // namespace dlrt

#endif // DLRT_CSV_H
