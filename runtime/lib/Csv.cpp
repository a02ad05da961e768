//===- Csv.cpp - CSV dataset reader ---------------------------------------===//
//
// A strict, allocation-light CSV scanner; see Csv.h. Fields are string views
// into the text (an unquoted field, or a quoted one without "") or into one
// scratch buffer reused for every record, so that no string is built per line
// or per field. A first pass parses the numbers and finds which columns are
// categorical; only when one is (and no reference fixes the categories) does a
// second pass over the text collect the categories.
//
// Hand-written rather than libcsv (Debian's libcsv-dev): libcsv is LGPL-2.1+
// and would be one more library on the link line of every generated trainer
// (and in scripts/install-deps.sh), it reports no line numbers (which every
// error here names), and all it would save is the quoting rules, a few dozen
// lines of Scanner::next.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Csv.h"
#include "dlrt/Error.h"
#include "dlrt/Idx.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string_view>

namespace dlrt {

namespace {

bool isBlank(char c) { return c == ' ' || c == '\t'; }

/// Parses `field` as a whole number (strtod must read all of it); false if
/// it is not one. std::from_chars is the fast path; strtod decides whatever
/// it rejects ("+1", hexadecimal, values out of the double range). The
/// character after `field` is never part of a number (a delimiter, a blank,
/// a quote or a NUL), so strtod cannot read past it into the next field.
bool parseNumber(std::string_view field, double &value) {
  const char *first = field.data(), *last = first + field.size();
  auto [stop, error] = std::from_chars(first, last, value);
  if (error == std::errc() && stop == last)
    return true;
  char *end = nullptr;
  value = std::strtod(first, &end);
  return end == last;
}

/// `text` for an error message, cut to at most 60 characters.
std::string shown(std::string_view text) {
  if (text.size() <= 60)
    return std::string(text);
  return std::string(text.substr(0, 57)) + "...";
}

/// "'a', 'b', 'c'" for at most `most` names, then how many there are in all.
std::string listNames(const std::vector<std::string> &names, size_t most) {
  std::string list;
  for (size_t i = 0; i < names.size() && i < most; ++i)
    list += (i ? ", '" : "'") + shown(names[i]) + "'";
  if (names.size() > most)
    list += fmt::format(", ... ({} in all)", names.size());
  return list;
}

/// Splits CSV text into records of fields, skipping blank lines.
class Scanner {
public:
  /// Scans `text` from byte `begin`, which is on line `line`.
  Scanner(const std::string &text, size_t begin, int64_t line,
          const std::string &name)
      : data(text.data()), end(text.size()), pos(begin), lineAt(line),
        name(name) {}

  /// Reads the next record; false at the end.
  bool next();

  /// The fields of the last record; valid until the next call.
  size_t size() const { return count; }
  std::string_view operator[](size_t i) const { return fields[i]; }
  /// The line where the last record starts (1-based).
  int64_t line = 0;

  /// Where the next record starts: its byte offset and line.
  size_t position() const { return pos; }
  int64_t nextLine() const { return lineAt; }

private:
  /// Appends a field to the record.
  void add(const char *begin, size_t size) {
    if (count == fields.size())
      fields.resize(count + 1);
    fields[count++] = std::string_view(begin, size);
  }

  const char *data;
  size_t end, pos;
  int64_t lineAt;
  const std::string &name;
  /// The record's fields: the first `count` (the vector keeps its largest
  /// size, so that no record allocates once the first is read).
  std::vector<std::string_view> fields;
  size_t count = 0;
  /// The quoted fields with "" inside, unescaped, and which fields they are
  /// (field, offset): their views are made when the record ends, as the
  /// storage of `scratch` may move until then.
  std::string scratch;
  std::vector<std::pair<size_t, size_t>> unescaped;
};

bool Scanner::next() {
  while (true) { // blank lines
    size_t q = pos;
    while (q < end && (isBlank(data[q]) || data[q] == '\r'))
      ++q;
    if (q == end) {
      pos = end;
      return false;
    }
    if (data[q] != '\n')
      break;
    pos = q + 1;
    ++lineAt;
  }
  line = lineAt;
  count = 0;
  scratch.clear();
  unescaped.clear();
  while (true) {
    size_t q = pos;
    while (q < end && isBlank(data[q]))
      ++q;
    if (q < end && data[q] == '"') {
      int64_t quoteLine = lineAt;
      size_t p = q + 1;
      bool inScratch = false;
      size_t scratchBegin = 0;
      while (true) {
        const void *found = std::memchr(data + p, '"', end - p);
        if (!found)
          fail("'{}' line {}, column {}: the quoted field is not closed", name,
               quoteLine, count + 1);
        size_t quote = static_cast<const char *>(found) - data;
        lineAt += std::count(data + p, data + quote, '\n');
        if (quote + 1 < end && data[quote + 1] == '"') { // "" is a quote
          if (!inScratch) {
            inScratch = true;
            scratchBegin = scratch.size();
          }
          scratch.append(data + p, quote + 1 - p);
          p = quote + 2;
          continue;
        }
        if (inScratch) {
          scratch.append(data + p, quote - p);
          unescaped.emplace_back(count, scratchBegin);
          add(nullptr, scratch.size() - scratchBegin);
          scratch.push_back('\0'); // stops strtod
        } else {
          add(data + q + 1, quote - q - 1);
        }
        p = quote + 1;
        break;
      }
      while (p < end && (isBlank(data[p]) || data[p] == '\r'))
        ++p;
      if (p < end && data[p] != ',' && data[p] != '\n')
        fail("'{}' line {}, column {}: text after the closing quote of a "
             "quoted field",
             name, lineAt, count);
      pos = p;
    } else {
      size_t p = q;
      while (p < end && data[p] != ',' && data[p] != '\n')
        ++p;
      size_t e = p;
      while (e > q && (isBlank(data[e - 1]) || data[e - 1] == '\r'))
        --e;
      add(data + q, e - q);
      pos = p;
    }
    if (pos == end)
      break;
    if (data[pos] == '\n') {
      ++pos;
      ++lineAt;
      break;
    }
    ++pos; // the comma
  }
  for (auto [field, offset] : unescaped)
    fields[field] =
        std::string_view(scratch.data() + offset, fields[field].size());
  return true;
}

/// What the first pass knows of a column of the file.
struct ColumnState {
  /// A target (index into CsvTable::targets) or a feature (into features).
  bool target = false;
  size_t index = 0;
  /// Categorical: the reference's categories, or collected by a second pass.
  bool categorical = false;
  const std::vector<std::string> *known = nullptr;
  /// The first value that is a number but no finite f32; an error once the
  /// column turns out numeric.
  int64_t badLine = 0;
  std::string badText;
  bool badFinite = false;
};

/// `where` is "'<file>' line L, column C", `named` the column's name
/// (" (column 'a')") or nothing.
[[noreturn]] void failNotF32(const std::string &where, std::string_view text,
                             bool finite, const std::string &named) {
  fail("{}: '{}' is not a finite f32 value{}{}", where, shown(text),
       finite ? " (beyond the f32 range of +-3.4e38)" : "", named);
}

} // namespace

CsvTable parseCsv(const std::string &text, const std::string &name,
                  const CsvOptions &options, int64_t limit,
                  const CsvTable *reference) {
  if (!options.hasTargets && !options.targets.empty())
    fail("'{}': target columns are named ({}) but the table is read without "
         "targets",
         name, listNames(options.targets, 5));
  size_t start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  Scanner scan(text, start, 1, name);
  if (!scan.next())
    fail("'{}' holds no data rows", name);

  // The header, or the first data row.
  const size_t columns = scan.size();
  const int64_t firstLine = scan.line;
  bool header = options.header == CsvOptions::Header::Yes;
  if (options.header == CsvOptions::Header::Auto) {
    // A field that is not a number above one that is: a first row of
    // categories (iris.data) is data. A one-row file: any text.
    double value;
    Scanner below = scan;
    bool second = below.next();
    for (size_t c = 0; c < columns; ++c)
      if (!scan[c].empty() && !parseNumber(scan[c], value) &&
          (!second ||
           (c < below.size() && parseNumber(below[c], value))))
        header = true;
  }
  std::vector<std::string> names(columns);
  for (size_t c = 0; c < columns; ++c)
    names[c] = header && !scan[c].empty() ? std::string(scan[c])
                                          : fmt::format("column {}", c + 1);

  // The target columns, in the order of the options.
  std::vector<size_t> targetColumns;
  if (options.hasTargets && options.targets.empty())
    targetColumns.push_back(0);
  if (!options.targets.empty() && !header)
    fail("'{}' line {}: target columns are named ({}) but the file has no "
         "header line{}",
         name, firstLine, listNames(options.targets, 5),
         options.header == CsvOptions::Header::Auto
             ? " (every field of its first line is a number)"
             : "");
  for (size_t t = 0; t < options.targets.size(); ++t) {
    const std::string &target = options.targets[t];
    if (std::find(options.targets.begin(), options.targets.begin() + t,
                  target) != options.targets.begin() + t)
      fail("'{}' line {}: target column '{}' is listed twice", name, firstLine,
           target);
    size_t found = columns;
    for (size_t c = 0; c < columns; ++c) {
      if (names[c] != target)
        continue;
      if (found != columns)
        fail("'{}' line {}: the header names two columns '{}' (columns {} and "
             "{}), so the target is ambiguous",
             name, firstLine, target, found + 1, c + 1);
      found = c;
    }
    if (found == columns)
      fail("'{}' line {}: no column '{}' for a target; the header names {}",
           name, firstLine, target, listNames(names, 20));
    targetColumns.push_back(found);
  }
  if (targetColumns.size() == columns) {
    std::vector<std::string> targetNames;
    for (size_t c : targetColumns)
      targetNames.push_back(names[c]);
    fail("'{}' line {}: every column is a target ({}); no feature is left{}",
         name, firstLine, listNames(targetNames, 5),
         columns == 1 ? " (fields are separated by commas)" : "");
  }

  CsvTable table;
  std::vector<ColumnState> state(columns);
  for (size_t t = 0; t < targetColumns.size(); ++t) {
    state[targetColumns[t]].target = true;
    state[targetColumns[t]].index = t;
    table.targets.push_back({names[targetColumns[t]], {}});
  }
  for (size_t c = 0; c < columns; ++c) {
    if (state[c].target)
      continue;
    state[c].index = table.features.size();
    table.features.push_back({names[c], {}});
  }
  const size_t numFeatures = table.features.size();
  const size_t numTargets = table.targets.size();

  if (reference) {
    size_t expected = reference->features.size() + reference->targets.size();
    if (columns != expected)
      fail("'{}' line {}: {} fields, expected {} like the training file",
           name, firstLine, columns, expected);
    if (numTargets != reference->targets.size())
      fail("'{}' line {}: {} target columns, but the training file has {}",
           name, firstLine, numTargets, reference->targets.size());
    for (size_t c = 0; c < columns; ++c) {
      ColumnState &column = state[c];
      const CsvColumn &known = column.target
                                   ? reference->targets[column.index]
                                   : reference->features[column.index];
      if (header && names[c] != known.name)
        fail("'{}' line {}: column {} is named '{}', expected '{}' like the "
             "training file",
             name, firstLine, c + 1, shown(names[c]), shown(known.name));
      names[c] = known.name;
      if (!known.categories.empty()) {
        column.categorical = true;
        column.known = &known.categories;
      }
    }
    table.features = reference->features;
    table.targets = reference->targets;
  }
  // Messages about a field start "'<file>' line L, column C: " (the column's
  // number) and end with its name, when it has one.
  auto where = [&](int64_t line, size_t c) {
    return fmt::format("'{}' line {}, column {}", name, line, c + 1);
  };
  auto named = [&](size_t c) {
    return names[c] == fmt::format("column {}", c + 1)
               ? std::string()
               : fmt::format(" (column '{}')", shown(names[c]));
  };

  // First pass: the shape, the numbers, which columns are categorical.
  const size_t dataStart = header ? scan.position() : start;
  const int64_t dataLine = header ? scan.nextLine() : 1;
  bool pending = !header; // the first record is a data row
  bool collect = false;   // a second pass collects categories
  // Room for every row at once: at most one per line left, and no more than
  // the bytes left hold (a row takes at least one byte per field).
  size_t rowsLeft = std::min<size_t>(
      std::count(text.begin() + dataStart, text.end(), '\n') + 1,
      (text.size() - dataStart) / columns + 1);
  if (limit > 0)
    rowsLeft = std::min<size_t>(rowsLeft, limit);
  table.featureValues.reserve(rowsLeft * numFeatures);
  table.targetValues.reserve(rowsLeft * numTargets);
  while (pending || scan.next()) {
    pending = false;
    if (scan.size() != columns)
      fail("'{}' line {}: {} fields, expected {} like the {}", name, scan.line,
           scan.size(), columns, header ? "header" : "first row");
    size_t featureBase = table.featureValues.size();
    size_t targetBase = table.targetValues.size();
    table.featureValues.resize(featureBase + numFeatures);
    table.targetValues.resize(targetBase + numTargets);
    for (size_t c = 0; c < columns; ++c) {
      std::string_view field = scan[c];
      ColumnState &column = state[c];
      if (field.empty())
        fail("{}: missing value (an empty field){}", where(scan.line, c),
             named(c));
      double value = 0;
      if (column.known) {
        auto found =
            std::lower_bound(column.known->begin(), column.known->end(), field);
        if (found == column.known->end() || *found != field)
          fail("{}: '{}' is not a category of the training file ({}){}",
               where(scan.line, c), shown(field), listNames(*column.known, 5),
               named(c));
        value = static_cast<double>(found - column.known->begin());
      } else if (!column.categorical) {
        if (!parseNumber(field, value)) {
          if (reference)
            fail("{}: '{}' is not a number, but the column is numeric in the "
                 "training file{}",
                 where(scan.line, c), shown(field), named(c));
          column.categorical = collect = true;
          value = 0;
        } else if (!std::isfinite(static_cast<float>(value))) {
          // Values are used as f32: NaN, infinities and values beyond the f32
          // range (1e39 is finite as f64 but inf as f32) are rejected, once
          // the column is known to be numeric.
          if (reference)
            failNotF32(where(scan.line, c), field, std::isfinite(value),
                       named(c));
          if (!column.badLine) {
            column.badLine = scan.line;
            column.badText = std::string(field);
            column.badFinite = std::isfinite(value);
          }
          value = 0;
        }
      }
      if (column.target)
        table.targetValues[targetBase + column.index] = value;
      else
        table.featureValues[featureBase + column.index] =
            static_cast<float>(value);
    }
    ++table.rows;
    if (limit > 0 && table.rows >= limit)
      break;
  }
  if (table.rows == 0)
    fail("'{}' line {}: a header but no data rows", name, firstLine);
  size_t bad = columns;
  for (size_t c = 0; c < columns; ++c)
    if (!state[c].categorical && state[c].badLine &&
        (bad == columns || state[c].badLine < state[bad].badLine))
      bad = c;
  if (bad != columns)
    failNotF32(where(state[bad].badLine, bad), state[bad].badText,
               state[bad].badFinite, named(bad));
  if (!collect)
    return table;

  // Second pass: the categories of the categorical columns, numbered first in
  // the order they appear, then renumbered in sorted order.
  std::vector<std::map<std::string, uint32_t, std::less<>>> seen(columns);
  std::vector<std::vector<uint32_t>> ids(columns);
  for (size_t c = 0; c < columns; ++c)
    if (state[c].categorical)
      ids[c].resize(table.rows);
  Scanner again(text, dataStart, dataLine, name);
  for (int64_t r = 0; r < table.rows && again.next(); ++r)
    for (size_t c = 0; c < columns; ++c) {
      if (!state[c].categorical)
        continue;
      auto &categories = seen[c];
      auto found = categories.find(again[c]);
      if (found == categories.end())
        found = categories
                    .emplace(std::string(again[c]),
                             static_cast<uint32_t>(categories.size()))
                    .first;
      ids[c][r] = found->second;
    }
  for (size_t c = 0; c < columns; ++c) {
    if (!state[c].categorical)
      continue;
    // Past 2^24 an f32 no longer holds every index.
    if (seen[c].size() > (1u << 24))
      fail("'{}', column {}: {} categories, more than an f32 index holds{}",
           name, c + 1, seen[c].size(), named(c));
    CsvColumn &column = state[c].target ? table.targets[state[c].index]
                                        : table.features[state[c].index];
    std::vector<uint32_t> rank(seen[c].size());
    for (auto &[category, id] : seen[c]) {
      rank[id] = static_cast<uint32_t>(column.categories.size());
      column.categories.push_back(category);
    }
    for (int64_t r = 0; r < table.rows; ++r) {
      uint32_t index = rank[ids[c][r]];
      if (state[c].target)
        table.targetValues[r * numTargets + state[c].index] = index;
      else
        table.featureValues[r * numFeatures + state[c].index] =
            static_cast<float>(index);
    }
  }
  return table;
}

CsvTable loadCsv(const std::string &path, const CsvOptions &options,
                 int64_t limit, const CsvTable *reference) {
  std::vector<uint8_t> bytes = readFileMaybeGzip(path);
  return parseCsv(std::string(bytes.begin(), bytes.end()), path, options, limit,
                  reference);
}

} // namespace dlrt
