//===- Csv.cpp - CSV dataset reader ---------------------------------------===//
//
// A strict CSV scanner for tables of samples; see Csv.h. Two passes: the
// first splits the text into rows of fields (RFC 4180 quoting), the second
// decides which columns are categorical and converts every field.
//
// Hand-written rather than Debian's libcsv: the trainer links libdlrt
// statically and needs, besides splitting, the number checks, categories
// and error positions below, which are most of this file; a field splitter
// is a few dozen lines.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Csv.h"
#include "dlrt/Error.h"
#include "dlrt/Idx.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string_view>

namespace dlrt {

namespace {

/// One field: its text (unquoted) and whether it was quoted.
struct Field {
  std::string text;
  bool quoted = false;
};

/// One row of fields and the line it starts on.
struct Row {
  std::vector<Field> fields;
  int64_t line = 0;
};

/// Splits `text` into rows; blank lines are skipped.
std::vector<Row> splitRows(std::string_view text, const std::string &name) {
  std::vector<Row> rows;
  size_t pos = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF")
    pos = 3; // a UTF-8 byte-order mark
  int64_t line = 1;
  while (pos < text.size()) {
    Row row;
    row.line = line;
    bool blank = true;
    while (true) {
      Field field;
      // Unquoted leading blanks are trimmed.
      while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t'))
        ++pos;
      if (pos < text.size() && text[pos] == '"') {
        field.quoted = true;
        blank = false;
        int64_t startLine = line;
        ++pos;
        while (true) {
          if (pos >= text.size())
            fail("'{}' line {}: a quoted field is not closed", name,
                 startLine);
          char c = text[pos++];
          if (c == '"') {
            if (pos < text.size() && text[pos] == '"') {
              field.text.push_back('"');
              ++pos;
              continue;
            }
            break;
          }
          if (c == '\n')
            ++line;
          field.text.push_back(c);
        }
        while (pos < text.size() &&
               (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r'))
          ++pos;
        if (pos < text.size() && text[pos] != ',' && text[pos] != '\n')
          fail("'{}' line {}: text after the closing quote of a field", name,
               line);
      } else {
        size_t end = pos;
        while (end < text.size() && text[end] != ',' && text[end] != '\n')
          ++end;
        size_t last = end;
        while (last > pos && (text[last - 1] == ' ' || text[last - 1] == '\t' ||
                              text[last - 1] == '\r'))
          --last;
        field.text.assign(text.data() + pos, last - pos);
        if (last > pos)
          blank = false;
        pos = end;
      }
      row.fields.push_back(std::move(field));
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        blank = false;
        continue;
      }
      break;
    }
    if (pos < text.size() && text[pos] == '\n')
      ++pos;
    ++line;
    if (!blank)
      rows.push_back(std::move(row));
  }
  return rows;
}

/// Parses `text` as a whole number; false if it is not one.
bool parseNumber(const std::string &text, double &value) {
  if (text.empty())
    return false;
  char *stop = nullptr;
  value = std::strtod(text.c_str(), &stop);
  return stop == text.c_str() + text.size();
}

} // namespace

CsvTable parseCsv(const std::string &text, const std::string &name,
                  const CsvOptions &options, int64_t limit,
                  const CsvTable *reference) {
  if (!options.hasTargets && !options.targets.empty())
    fail("'{}': target columns are named but the model's target is its input",
         name);
  std::vector<Row> rows = splitRows(text, name);
  if (rows.empty())
    fail("'{}' holds no data rows", name);

  // The header: given, or detected by a field that is not a number above
  // one that is (a first row of categories, as in iris.data, is data).
  bool header = options.header == CsvOptions::Header::Yes;
  if (options.header == CsvOptions::Header::Auto) {
    double v;
    const std::vector<Field> &top = rows[0].fields;
    if (rows.size() == 1) {
      for (const Field &f : top)
        header |= !parseNumber(f.text, v);
    } else {
      const std::vector<Field> &next = rows[1].fields;
      for (size_t c = 0; c < top.size() && c < next.size(); ++c)
        header |= !parseNumber(top[c].text, v) && parseNumber(next[c].text, v);
    }
  }
  size_t width = rows[0].fields.size();
  std::vector<std::string> names;
  for (size_t c = 0; c < width; ++c)
    names.push_back(header ? rows[0].fields[c].text
                           : fmt::format("column {}", c + 1));
  size_t first = header ? 1 : 0;
  if (rows.size() <= first)
    fail("'{}' holds no data rows (only a header line)", name);
  if (limit > 0 && int64_t(rows.size() - first) > limit)
    rows.resize(first + limit);

  // Which columns are the targets, in the requested order.
  std::vector<size_t> targetColumns;
  if (!options.targets.empty()) {
    if (!header)
      fail("'{}': target columns are named ({}) but the file has no header "
           "line naming its columns",
           name, fmt::join(options.targets, ", "));
    for (const std::string &t : options.targets) {
      auto it = std::find(names.begin(), names.end(), t);
      if (it == names.end())
        fail("'{}' line {}: no column '{}'; the columns are {}", name,
             rows[0].line, t, fmt::join(names, ", "));
      if (std::find(it + 1, names.end(), t) != names.end())
        fail("'{}' line {}: the target column name '{}' occurs twice", name,
             rows[0].line, t);
      size_t c = it - names.begin();
      if (std::find(targetColumns.begin(), targetColumns.end(), c) !=
          targetColumns.end())
        fail("'{}': the target column '{}' is named twice", name, t);
      targetColumns.push_back(c);
    }
  } else if (options.hasTargets) {
    targetColumns.push_back(0);
  }
  std::vector<size_t> featureColumns;
  for (size_t c = 0; c < width; ++c)
    if (std::find(targetColumns.begin(), targetColumns.end(), c) ==
        targetColumns.end())
      featureColumns.push_back(c);
  if (featureColumns.empty())
    fail("'{}' has no feature column: {} of its {} columns are targets", name,
         targetColumns.size(), width);

  // The reference fixes the columns: names (or count) and categories.
  std::vector<CsvColumn> columns(width);
  for (size_t c = 0; c < width; ++c)
    columns[c].name = names[c];
  std::vector<const CsvColumn *> fixed(width, nullptr);
  if (reference) {
    std::vector<const CsvColumn *> refColumns;
    size_t refWidth = reference->features.size() + reference->targets.size();
    if (refWidth != width)
      fail("'{}' line {}: {} columns, but the training file has {}", name,
           rows[0].line, width, refWidth);
    // Features keep their order; the targets are the same names.
    for (size_t i = 0; i < featureColumns.size(); ++i)
      if (i < reference->features.size())
        fixed[featureColumns[i]] = &reference->features[i];
    for (size_t i = 0; i < targetColumns.size(); ++i)
      if (i < reference->targets.size())
        fixed[targetColumns[i]] = &reference->targets[i];
    for (size_t c = 0; c < width; ++c)
      if (!fixed[c] || (header && fixed[c]->name != names[c]))
        fail("'{}' line {}: column {} is '{}', but in the training file it "
             "is '{}'",
             name, rows[0].line, c + 1, names[c],
             fixed[c] ? fixed[c]->name : std::string("?"));
  }

  // Every row must be as wide as the first; categorical columns are those
  // with a value that is not a number (or the reference's).
  std::vector<bool> categorical(width, false);
  for (size_t r = first; r < rows.size(); ++r) {
    const Row &row = rows[r];
    if (row.fields.size() != width)
      fail("'{}' line {}: {} fields, expected {} like the {}", name, row.line,
           row.fields.size(), width, header ? "header" : "first row");
    for (size_t c = 0; c < width; ++c) {
      const Field &f = row.fields[c];
      if (f.text.empty())
        fail("'{}' line {}, column {} ('{}'): missing value", name, row.line,
             c + 1, names[c]);
      double v;
      if (!fixed[c] && !categorical[c] && !parseNumber(f.text, v))
        categorical[c] = true;
    }
  }
  for (size_t c = 0; c < width; ++c) {
    if (fixed[c]) {
      columns[c].categories = fixed[c]->categories;
      categorical[c] = !fixed[c]->categories.empty();
      continue;
    }
    if (!categorical[c])
      continue;
    std::vector<std::string> &cats = columns[c].categories;
    for (size_t r = first; r < rows.size(); ++r)
      cats.push_back(rows[r].fields[c].text);
    std::sort(cats.begin(), cats.end());
    cats.erase(std::unique(cats.begin(), cats.end()), cats.end());
  }

  CsvTable table;
  for (size_t c : featureColumns)
    table.features.push_back(columns[c]);
  for (size_t c : targetColumns)
    table.targets.push_back(columns[c]);
  table.rows = int64_t(rows.size() - first);
  table.featureValues.reserve(table.rows * featureColumns.size());
  table.targetValues.reserve(table.rows * targetColumns.size());
  auto convert = [&](const Row &row, size_t c) -> double {
    const std::string &text = row.fields[c].text;
    if (categorical[c]) {
      const std::vector<std::string> &cats = columns[c].categories;
      auto it = std::lower_bound(cats.begin(), cats.end(), text);
      if (it == cats.end() || *it != text) {
        std::vector<std::string> some(cats.begin(),
                                      cats.begin() + std::min<size_t>(
                                                         cats.size(), 5));
        fail("'{}' line {}, column {} ('{}'): '{}' is not a category of the "
             "training file ({}{})",
             name, row.line, c + 1, names[c], text, fmt::join(some, ", "),
             cats.size() > 5 ? ", ..." : "");
      }
      return double(it - cats.begin());
    }
    double value;
    if (!parseNumber(text, value))
      fail("'{}' line {}, column {} ('{}'): '{}' is not a number, but the "
           "column is numeric in the training file",
           name, row.line, c + 1, names[c], text);
    // Values are used as f32: NaN, infinities and values beyond the f32
    // range (1e39 is finite as f64 but inf as f32) are rejected.
    if (!std::isfinite(static_cast<float>(value)))
      fail("'{}' line {}, column {} ('{}'): '{}' is not a finite f32 value{}",
           name, row.line, c + 1, names[c], text,
           std::isfinite(value) ? " (beyond the f32 range of +-3.4e38)" : "");
    return value;
  };
  for (size_t r = first; r < rows.size(); ++r) {
    for (size_t c : featureColumns)
      table.featureValues.push_back(static_cast<float>(convert(rows[r], c)));
    for (size_t c : targetColumns)
      table.targetValues.push_back(convert(rows[r], c));
  }
  return table;
}

CsvTable loadCsv(const std::string &path, const CsvOptions &options,
                 int64_t limit, const CsvTable *reference) {
  std::vector<uint8_t> bytes = readFileMaybeGzip(path);
  return parseCsv(std::string(bytes.begin(), bytes.end()), path, options,
                  limit, reference);
}

} // namespace dlrt
