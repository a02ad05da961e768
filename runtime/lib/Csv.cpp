//===- Csv.cpp - CSV dataset reader ---------------------------------------===//
//
// A strict, allocation-light CSV scanner for numeric tables; see Csv.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Csv.h"
#include "dlrt/Error.h"
#include "dlrt/Idx.h"

#include <cmath>
#include <cstdlib>

namespace dlrt {

/// Parses `field` as a whole number; false if it is not one.
static bool parseNumber(const std::string &field, double &value) {
  size_t begin = field.find_first_not_of(" \t");
  size_t end = field.find_last_not_of(" \t\r");
  if (begin == std::string::npos)
    return false;
  std::string trimmed = field.substr(begin, end - begin + 1);
  char *stop = nullptr;
  value = std::strtod(trimmed.c_str(), &stop);
  return stop == trimmed.c_str() + trimmed.size();
}

CsvTable parseCsv(const std::string &text, const std::string &name,
                  int64_t limit) {
  CsvTable table;
  int64_t fieldsPerRow = -1;
  size_t pos = 0;
  int64_t lineNumber = 0;
  std::vector<std::string> fields;
  while (pos < text.size()) {
    size_t newline = text.find('\n', pos);
    if (newline == std::string::npos)
      newline = text.size();
    std::string line = text.substr(pos, newline - pos);
    pos = newline + 1;
    ++lineNumber;
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    fields.clear();
    size_t start = 0;
    while (true) {
      size_t comma = line.find(',', start);
      fields.push_back(line.substr(start, comma - start));
      if (comma == std::string::npos)
        break;
      start = comma + 1;
    }
    double value;
    if (fieldsPerRow < 0 && table.labels.empty() &&
        !parseNumber(fields[0], value))
      continue; // a header line
    if (fieldsPerRow < 0) {
      if (fields.size() < 2)
        fail("'{}' line {}: a row needs a label and at least one value", name,
             lineNumber);
      fieldsPerRow = static_cast<int64_t>(fields.size());
      table.columns = fieldsPerRow - 1;
    }
    if (static_cast<int64_t>(fields.size()) != fieldsPerRow)
      fail("'{}' line {}: {} fields, expected {} like the first row", name,
           lineNumber, fields.size(), fieldsPerRow);
    for (size_t f = 0; f < fields.size(); ++f) {
      if (!parseNumber(fields[f], value))
        fail("'{}' line {}, column {}: '{}' is not a number", name, lineNumber,
             f + 1, fields[f]);
      if (f == 0) {
        if (!std::isfinite(value) || value != std::floor(value))
          fail("'{}' line {}: label '{}' is not an integer", name, lineNumber,
               fields[f]);
        // Beyond 2^53 a double no longer holds every integer; no class index
        // is that large (the range check against the model follows).
        if (std::fabs(value) > 9007199254740992.0)
          fail("'{}' line {}: label '{}' is out of range", name, lineNumber,
               fields[f]);
        table.labels.push_back(static_cast<int64_t>(value));
      } else {
        // Values are used as f32: NaN, infinities and values beyond the f32
        // range (1e39 is finite as f64 but inf as f32) are rejected.
        float single = static_cast<float>(value);
        if (!std::isfinite(single))
          fail("'{}' line {}, column {}: '{}' is not a finite f32 value{}",
               name, lineNumber, f + 1, fields[f],
               std::isfinite(value) ? " (beyond the f32 range of +-3.4e38)"
                                    : "");
        table.values.push_back(single);
      }
    }
    if (limit > 0 && static_cast<int64_t>(table.labels.size()) >= limit)
      break;
  }
  if (table.labels.empty())
    fail("'{}' holds no data rows", name);
  return table;
}

CsvTable loadCsv(const std::string &path, int64_t limit) {
  std::vector<uint8_t> bytes = readFileMaybeGzip(path);
  return parseCsv(std::string(bytes.begin(), bytes.end()), path, limit);
}

} // namespace dlrt
