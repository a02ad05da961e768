//===- Csv.h - CSV dataset reader -------------------------------*- C++ -*-===//
//
// Reads a labelled CSV table (optionally gzip-compressed): one sample per
// line, the class label in the first column and the sample's values in the
// others, an optional header line (detected when its first field is not a
// number), blank lines ignored. Values are used as they are (no scaling).
// A ragged row, a field that is not a number or a label that is not an
// integer throws dlrt::Error naming the file, line and column.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_CSV_H
#define DLRT_CSV_H

#include <cstdint>
#include <string>
#include <vector>

namespace dlrt {

/// A parsed CSV table.
struct CsvTable {
  std::vector<int64_t> labels;
  /// [labels.size() * columns] values, row after row.
  std::vector<float> values;
  /// Values per row (fields minus the label).
  int64_t columns = 0;
};

/// Parses CSV `text`; `name` names it in errors. `limit` > 0 stops after
/// that many rows.
CsvTable parseCsv(const std::string &text, const std::string &name,
                  int64_t limit);

/// Reads (inflating gzip if needed) and parses a CSV file.
CsvTable loadCsv(const std::string &path, int64_t limit);

} // namespace dlrt

#endif // DLRT_CSV_H
