//===- Dataset.cpp - In-memory datasets, splits and batches ---------------===//
//
// Loading idx pairs into a Dataset, the seeded split and epoch orders, and
// batch gathering; see Dataset.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Dataset.h"
#include "dlrt/Csv.h"
#include "dlrt/Error.h"
#include "dlrt/Idx.h"
#include "dlrt/Model.h"
#include "dlrt/Npy.h"
#include "dlrt/Random.h"
#include "dlrt/Text.h"
#include "dlrt/dlrt.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sys/stat.h>

namespace dlrt {

static bool isFile(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string findDataFile(const std::string &dir, const std::string &stem) {
  std::string plain = dir + "/" + stem;
  if (isFile(plain))
    return plain;
  if (isFile(plain + ".gz"))
    return plain + ".gz";
  // Present but not a regular file (a FIFO, a device, a directory): the
  // reader names what it is.
  struct stat st;
  for (const std::string &candidate : {plain, plain + ".gz"})
    if (::stat(candidate.c_str(), &st) == 0)
      return candidate;
  fail("missing data file '{}' (also tried '{}.gz')", plain, plain);
}

DataShape DataShape::of(const dlrt_model_desc &desc) {
  DataShape s;
  s.sampleSize = 1;
  for (int32_t d = 0; d < desc.input_rank; ++d)
    s.sampleSize *= desc.input_shape[d];
  s.labelKind = desc.label_kind;
  s.classes = desc.num_classes;
  s.targetSize = desc.target_size;
  s.inputDtype = desc.input_dtype;
  s.labelsPerSample = dlrt::labelsPerSample(desc);
  return s;
}

/// Checks that `value` of `what` is a finite f32 and returns it: NaN, an
/// infinity or a value beyond the range of f32 (a finite f64 of 1e39) would
/// silently poison the weights.
static float finiteF32(double value, const std::string &path, uint64_t i,
                       int64_t perItem, const char *what) {
  float f = static_cast<float>(value);
  if (!std::isfinite(f))
    fail("'{}' holds a value that is not a finite f32 ({}) at element {} "
         "({} {}, value {} of it)",
         path, value, i, what, i / uint64_t(perItem), i % uint64_t(perItem));
  return f;
}

/// Builds a Dataset from an image array and a label array (IdxArray or
/// NpyArray; no labels when `shape` reads none), checking that they match
/// each other and the model.
template <typename Array>
static Dataset buildDataset(Array &images, const std::string &imagesPath,
                            const Array *labels, const std::string &labelsPath,
                            const DataShape &shape, int64_t limit) {
  if (images.dims.size() < 2)
    fail("'{}' is not a sample file: rank {} (expected at least 2)", imagesPath,
         images.dims.size());
  if (static_cast<int64_t>(images.itemSize()) != shape.sampleSize)
    fail("'{}' has samples of {} values but the model expects {}", imagesPath,
         images.itemSize(), shape.sampleSize);
  int64_t n = static_cast<int64_t>(images.dims[0]);
  if (labels) {
    if (labels->dims.empty())
      fail("'{}' is not a label file: it holds a scalar", labelsPath);
    if (images.dims[0] != labels->dims[0])
      fail("'{}' has {} samples but '{}' has {} targets", imagesPath,
           images.dims[0], labelsPath, labels->dims[0]);
  }
  if (limit > 0)
    n = std::min(n, limit);
  Dataset data;
  data.sampleSize = shape.sampleSize;
  data.count = n;
  if (labels && shape.labelKind == DLRT_LABEL_CLASS) {
    if (labels->dims.size() != 1 &&
        !(labels->dims.size() == 2 && labels->dims[1] == 1))
      fail("'{}' is not a label file: shape [{}] (expected [N] class labels)",
           labelsPath, fmt::join(labels->dims, ", "));
    if (!labels->isInteger())
      fail("'{}' holds floating-point values; class labels must be integers",
           labelsPath);
    data.y.resize(n);
    for (int64_t i = 0; i < n; ++i) {
      double label = labels->at(i);
      if (label < 0 || label >= shape.classes)
        fail("'{}' is corrupt: label {} of item {} is outside [0, {})",
             labelsPath, label, i, shape.classes);
      data.y[i] = static_cast<int64_t>(label);
    }
  } else if (labels) {
    if (static_cast<int64_t>(labels->itemSize()) != shape.targetSize)
      fail("'{}' has {} target values per sample (shape [{}]) but the model "
           "outputs {}",
           labelsPath, labels->itemSize(), fmt::join(labels->dims, ", "),
           shape.targetSize);
    data.targetSize = shape.targetSize;
    uint64_t count = uint64_t(n) * shape.targetSize;
    data.t.resize(count);
    for (uint64_t i = 0; i < count; ++i)
      data.t[i] = finiteF32(labels->at(i), labelsPath, i, shape.targetSize,
                            "sample");
  }
  uint64_t count = uint64_t(n) * shape.sampleSize;
  if (images.isUInt8()) {
    // Bytes are pixels, kept as bytes (the file's own buffer, its header
    // dropped: no second copy); gatherBatch scales them to [0, 1].
    data.bytes = std::move(images.bytes);
    data.bytes.erase(data.bytes.begin(),
                     data.bytes.begin() + images.payloadOffset);
    data.bytes.resize(count);
    data.bytes.shrink_to_fit();
  } else {
    data.x.resize(count);
    for (uint64_t i = 0; i < count; ++i)
      data.x[i] =
          finiteF32(images.at(i), imagesPath, i, shape.sampleSize, "sample");
  }
  return data;
}

Dataset loadIdxPair(const std::string &imagesPath,
                    const std::string &labelsPath, const DataShape &shape,
                    int64_t limit) {
  IdxArray images = loadIdx(imagesPath);
  if (!shape.readsTargets())
    return buildDataset<IdxArray>(images, imagesPath, nullptr, "", shape,
                                  limit);
  IdxArray labels = loadIdx(labelsPath);
  return buildDataset(images, imagesPath, &labels, labelsPath, shape, limit);
}

Dataset loadNpyPair(const std::string &xPath, const std::string &yPath,
                    const DataShape &shape, int64_t limit) {
  NpyArray x = loadNpy(xPath);
  if (!shape.readsTargets())
    return buildDataset<NpyArray>(x, xPath, nullptr, "", shape, limit);
  NpyArray y = loadNpy(yPath);
  return buildDataset(x, xPath, &y, yPath, shape, limit);
}

/// The parsed training CSV file, kept for the run because the test part
/// maps its categories through it (the trainer loads the training part and
/// then the test part with the same options).
static const CsvTable &trainingCsv(const std::string &path,
                                   const CsvOptions &options) {
  static std::string cachedKey;
  static CsvTable cached;
  std::string key = fmt::format("{}\n{}\n{}\n{}", path, options.hasTargets,
                                int(options.header),
                                fmt::join(options.targets, "\n"));
  if (cachedKey != key) {
    // Always the whole file: the categories must not depend on --limit.
    cached = loadCsv(path, options, 0);
    cachedKey = key;
  }
  return cached;
}

Dataset loadCsvFile(const std::string &path, const std::string &trainPath,
                    const std::vector<std::string> &targets, int32_t header,
                    const DataShape &shape, int64_t limit) {
  CsvOptions options;
  options.targets = targets;
  options.hasTargets = shape.readsTargets();
  options.header = header == DLRT_CSV_HEADER_YES  ? CsvOptions::Header::Yes
                   : header == DLRT_CSV_HEADER_NO ? CsvOptions::Header::No
                                                  : CsvOptions::Header::Auto;
  const CsvTable &train = trainingCsv(trainPath, options);
  CsvTable own;
  if (path != trainPath)
    own = loadCsv(path, options, limit, &train);
  const CsvTable &table = path == trainPath ? train : own;
  int64_t n = table.rows;
  if (limit > 0)
    n = std::min(n, limit);
  int64_t features = static_cast<int64_t>(table.features.size());
  if (features != shape.sampleSize)
    fail("'{}' has {} feature columns but the model takes {} values per "
         "sample",
         path, features, shape.sampleSize);
  Dataset data;
  data.sampleSize = shape.sampleSize;
  data.count = n;
  data.x.assign(table.featureValues.begin(),
                table.featureValues.begin() + n * features);
  int64_t k = static_cast<int64_t>(table.targets.size());
  if (shape.labelKind == DLRT_LABEL_CLASS) {
    if (k != 1)
      fail("'{}': a class label is one column, but {} target columns are "
           "named",
           path, k);
    const CsvColumn &column = table.targets[0];
    data.y.resize(n);
    for (int64_t i = 0; i < n; ++i) {
      double label = table.targetValues[i];
      if (label != std::floor(label))
        fail("'{}': the label '{}' of data row {} is not an integer", path,
             label, i + 1);
      if (label < 0 || label >= shape.classes)
        fail("'{}': the label {}{} of data row {} (column '{}') is outside "
             "[0, {}), the model's classes",
             path, label,
             column.categories.empty()
                 ? std::string()
                 : fmt::format(" ('{}')", column.categories[size_t(label)]),
             i + 1, column.name, shape.classes);
      data.y[i] = static_cast<int64_t>(label);
    }
  } else if (shape.labelKind == DLRT_LABEL_FLOAT) {
    if (k != shape.targetSize)
      fail("'{}' has {} target column{} but the model outputs {} value{} per "
           "sample",
           path, k, k == 1 ? "" : "s", shape.targetSize,
           shape.targetSize == 1 ? "" : "s");
    data.targetSize = k;
    data.t.resize(n * k);
    for (int64_t i = 0; i < n * k; ++i)
      data.t[i] = static_cast<float>(table.targetValues[i]);
  }
  return data;
}

bool DataSource::hasTest() const {
  switch (kind) {
  case DLRT_DATA_IDX_FILES:
  case DLRT_DATA_NPY_FILES:
  case DLRT_DATA_CSV_FILES:
  case DLRT_DATA_TEXT_FILES:
    return !files[DLRT_FILE_TEST_INPUTS].empty();
  }
  return true;
}

std::string DataSource::describe() const {
  if (kind <= DLRT_DATA_CSV_DIR)
    return fmt::format("{} ({})", dir, dataKindName(kind));
  auto name = [&](int f) {
    return files[f].empty() ? std::string() : "'" + files[f] + "'";
  };
  std::string s = fmt::format("{} {}", dataKindName(kind),
                              name(DLRT_FILE_TRAIN_INPUTS));
  if (!files[DLRT_FILE_TRAIN_TARGETS].empty())
    s += " and " + name(DLRT_FILE_TRAIN_TARGETS);
  if (hasTest())
    s += ", test " + name(DLRT_FILE_TEST_INPUTS) +
         (files[DLRT_FILE_TEST_TARGETS].empty()
              ? ""
              : " and " + name(DLRT_FILE_TEST_TARGETS));
  else
    s += ", no test set";
  if (kind == DLRT_DATA_TEXT_FILES)
    s += textUnit == DLRT_TEXT_WORD ? ", words" : ", characters";
  if (kind == DLRT_DATA_CSV_FILES)
    s += csvTargets.empty()
             ? ", target: the first column"
             : fmt::format(", targets: {}", fmt::join(csvTargets, ", "));
  return s;
}

/// The samples of a model with integer inputs read from a numeric file
/// (idx, npy, csv): its values as ids (bytes as they are, not scaled);
/// a value that is not an integer is an error naming `what`.
static void toIds(Dataset &data, const std::string &what) {
  if (!data.ids.empty() || data.count == 0)
    return;
  if (!data.bytes.empty()) {
    data.ids.assign(data.bytes.begin(), data.bytes.end());
    data.bytes.clear();
    return;
  }
  data.ids.resize(data.x.size());
  for (size_t i = 0; i < data.x.size(); ++i) {
    float v = data.x[i];
    // f32 holds every integer up to 2^24 exactly.
    if (v != std::floor(v) || std::fabs(v) > 16777216.0f)
      fail("{}: the model takes integer ids, but value {} of sample {} is {}",
           what, i % uint64_t(data.sampleSize), i / uint64_t(data.sampleSize),
           v);
    data.ids[i] = static_cast<int64_t>(v);
  }
  data.x.clear();
  data.x.shrink_to_fit();
}

static Dataset loadRawPart(const DataSource &source, const std::string &part,
                           const DataShape &shape, int64_t limit);

Dataset loadDataPart(const DataSource &source, const std::string &part,
                     const DataShape &shape, int64_t limit) {
  Dataset data = loadRawPart(source, part, shape, limit);
  if (shape.inputDtype == DLRT_DTYPE_I64)
    toIds(data, fmt::format("the {} part of {}", part, source.describe()));
  return data;
}

static Dataset loadRawPart(const DataSource &source, const std::string &part,
                           const DataShape &shape, int64_t limit) {
  const std::string &dir = source.dir;
  bool test = part == "test";
  // (A text source's empty test part still carries the vocabulary.)
  if (!source.hasTest() && test && source.kind != DLRT_DATA_TEXT_FILES) {
    Dataset empty;
    empty.sampleSize = shape.sampleSize;
    empty.targetSize = shape.labelKind == DLRT_LABEL_FLOAT ? shape.targetSize
                                                           : 0;
    return empty;
  }
  const std::string &inputs =
      source.files[test ? DLRT_FILE_TEST_INPUTS : DLRT_FILE_TRAIN_INPUTS];
  const std::string &targets =
      source.files[test ? DLRT_FILE_TEST_TARGETS : DLRT_FILE_TRAIN_TARGETS];
  switch (source.kind) {
  case DLRT_DATA_IDX_DIR: {
    std::string stem = test ? "t10k" : part;
    std::string images = findDataFile(dir, stem + "-images-idx3-ubyte");
    std::string labels = shape.readsTargets()
                             ? findDataFile(dir, stem + "-labels-idx1-ubyte")
                             : "";
    return loadIdxPair(images, labels, shape, limit);
  }
  case DLRT_DATA_NPY_DIR: {
    // Look the files up in order, so that the first missing one is named.
    std::string x = findDataFile(dir, "x_" + part + ".npy");
    std::string y =
        shape.readsTargets() ? findDataFile(dir, "y_" + part + ".npy") : "";
    return loadNpyPair(x, y, shape, limit);
  }
  case DLRT_DATA_CSV_DIR: {
    std::string train = findDataFile(dir, "train.csv");
    return loadCsvFile(test ? findDataFile(dir, "test.csv") : train, train, {},
                       source.csvHeader, shape, limit);
  }
  case DLRT_DATA_IDX_FILES:
    return loadIdxPair(inputs, targets, shape, limit);
  case DLRT_DATA_NPY_FILES:
    return loadNpyPair(inputs, targets, shape, limit);
  case DLRT_DATA_CSV_FILES:
    return loadCsvFile(inputs, source.files[DLRT_FILE_TRAIN_INPUTS],
                       source.csvTargets, source.csvHeader, shape, limit);
  case DLRT_DATA_TEXT_FILES:
    return loadTextPart(source, part, shape, limit);
  }
  fail("unsupported data kind {}", source.kind);
}

const char *dataKindName(int32_t kind) {
  switch (kind) {
  case DLRT_DATA_IDX_DIR:
    return "idx";
  case DLRT_DATA_NPY_DIR:
    return "npy";
  case DLRT_DATA_CSV_DIR:
    return "csv";
  case DLRT_DATA_IDX_FILES:
    return "idx files";
  case DLRT_DATA_NPY_FILES:
    return "npy files";
  case DLRT_DATA_CSV_FILES:
    return "csv file";
  case DLRT_DATA_TEXT_FILES:
    return "text file";
  }
  return "unknown";
}

Split splitIndices(int64_t n, double fraction, uint64_t seed) {
  if (!(fraction >= 0.0 && fraction < 1.0))
    fail("validation fraction {} is outside [0, 1)", fraction);
  int64_t held = static_cast<int64_t>(std::floor(double(n) * fraction));
  if (n - held < 1)
    fail("a validation fraction of {} leaves no training sample out of {}",
         fraction, n);
  std::vector<int64_t> all(n);
  for (int64_t i = 0; i < n; ++i)
    all[i] = i;
  Split split;
  if (held > 0) {
    Rng rng(deriveSeed(seed, "split", 0));
    shuffle(all, rng);
    split.validation.assign(all.begin(), all.begin() + held);
    split.train.assign(all.begin() + held, all.end());
    std::sort(split.validation.begin(), split.validation.end());
    std::sort(split.train.begin(), split.train.end());
  } else {
    split.train = std::move(all);
  }
  return split;
}

std::vector<int64_t> epochOrder(const std::vector<int64_t> &indices,
                                uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order = indices;
  Rng rng(deriveSeed(seed, "shuffle", static_cast<uint64_t>(epoch)));
  shuffle(order, rng);
  return order;
}

std::vector<int64_t> classCounts(const std::vector<int64_t> &indices,
                                 const std::vector<int64_t> &labels,
                                 int64_t numClasses) {
  std::vector<int64_t> counts(std::max<int64_t>(numClasses, 0), 0);
  for (int64_t i : indices) {
    int64_t label = labels.at(i);
    if (label < 0 || label >= numClasses)
      fail("sample {} has the label {}, outside [0, {})", i, label,
           numClasses);
    ++counts[label];
  }
  return counts;
}

namespace {

/// The samples of each class among `indices`, in the order of `indices`.
std::vector<std::vector<int64_t>>
byClass(const std::vector<int64_t> &indices, const std::vector<int64_t> &labels,
        int64_t numClasses) {
  std::vector<int64_t> counts = classCounts(indices, labels, numClasses);
  std::vector<std::vector<int64_t>> members(counts.size());
  for (size_t c = 0; c < counts.size(); ++c)
    members[c].reserve(counts[c]);
  for (int64_t i : indices)
    members[labels[i]].push_back(i);
  return members;
}

} // namespace

int64_t balancedEpochLength(const std::vector<int64_t> &indices,
                            const std::vector<int64_t> &labels,
                            int64_t numClasses, int32_t kind) {
  if (kind == DLRT_BALANCE_NONE || kind == DLRT_BALANCE_WEIGHTED_SAMPLER)
    return int64_t(indices.size());
  std::vector<int64_t> counts = classCounts(indices, labels, numClasses);
  int64_t present = 0, most = 0, least = INT64_MAX;
  for (int64_t n : counts)
    if (n > 0) {
      ++present;
      most = std::max(most, n);
      least = std::min(least, n);
    }
  if (present == 0)
    return 0;
  if (kind == DLRT_BALANCE_OVERSAMPLE)
    return most * present;
  if (kind == DLRT_BALANCE_UNDERSAMPLE)
    return least * present;
  fail("unknown balance kind {}", kind);
}

std::vector<int64_t> balancedOrder(const std::vector<int64_t> &indices,
                                   const std::vector<int64_t> &labels,
                                   int64_t numClasses, int32_t kind,
                                   uint64_t seed, int64_t epoch) {
  if (kind == DLRT_BALANCE_NONE)
    return epochOrder(indices, seed, epoch);
  std::vector<std::vector<int64_t>> members =
      byClass(indices, labels, numClasses);
  std::vector<size_t> present;
  for (size_t c = 0; c < members.size(); ++c)
    if (!members[c].empty())
      present.push_back(c);
  std::vector<int64_t> list;
  if (present.empty())
    return list;
  Rng rng(deriveSeed(seed, "balance", static_cast<uint64_t>(epoch)));
  int64_t target = balancedEpochLength(indices, labels, numClasses, kind);
  list.reserve(target);
  if (kind == DLRT_BALANCE_WEIGHTED_SAMPLER) {
    for (int64_t i = 0; i < target; ++i) {
      const std::vector<int64_t> &m = members[present[rng.below(present.size())]];
      list.push_back(m[rng.below(m.size())]);
    }
  } else {
    int64_t per = target / int64_t(present.size());
    for (size_t c : present) {
      std::vector<int64_t> m = members[c];
      int64_t n = int64_t(m.size());
      // A uniform subset of min(need, n) distinct samples: the first ones
      // of a partial Fisher-Yates shuffle.
      auto distinct = [&](int64_t need) {
        need = std::min(need, n);
        for (int64_t i = 0; i < need; ++i)
          std::swap(m[i], m[i + int64_t(rng.below(uint64_t(n - i)))]);
        list.insert(list.end(), m.begin(), m.begin() + need);
      };
      if (kind == DLRT_BALANCE_UNDERSAMPLE) {
        distinct(per);
      } else {
        list.insert(list.end(), m.begin(), m.end());
        int64_t extra = per - n;
        distinct(extra);
        for (int64_t i = n; i < extra; ++i)
          list.push_back(m[rng.below(uint64_t(n))]);
      }
    }
  }
  return epochOrder(list, seed, epoch);
}

std::vector<std::vector<int64_t>> foldPartition(int64_t n, int32_t k,
                                                uint64_t seed) {
  if (k < 2)
    fail("cross-validation needs at least 2 folds, got {}", k);
  if (k > n)
    fail("{} folds need at least {} training samples, got {}", k, k, n);
  std::vector<int64_t> all(n);
  for (int64_t i = 0; i < n; ++i)
    all[i] = i;
  Rng rng(deriveSeed(seed, "folds", 0));
  shuffle(all, rng);
  std::vector<std::vector<int64_t>> folds(k);
  for (int32_t f = 0; f < k; ++f) {
    folds[f].assign(all.begin() + f * n / k, all.begin() + (f + 1) * n / k);
    std::sort(folds[f].begin(), folds[f].end());
  }
  return folds;
}

int64_t numBatches(int64_t n, int64_t batch) {
  return n <= 0 ? 0 : (n + batch - 1) / batch;
}

int64_t gatherBatch(const Dataset &data, const std::vector<int64_t> &order,
                    int64_t b, int64_t batch, float *x, int64_t *y, float *t,
                    int64_t *ids) {
  int64_t begin = b * batch;
  int64_t end = std::min<int64_t>(begin + batch, order.size());
  const int64_t k = data.sampleSize;
  const int64_t l = data.labelsPerSample;
  for (int64_t i = begin; i < end; ++i) {
    int64_t sample = order[i];
    float *to = x + (i - begin) * k;
    if (!data.ids.empty()) {
      std::memcpy(ids + (i - begin) * k, data.ids.data() + sample * k,
                  sizeof(int64_t) * k);
    } else if (data.bytes.empty()) {
      std::memcpy(to, data.x.data() + sample * k, sizeof(float) * k);
    } else {
      const uint8_t *from = data.bytes.data() + sample * k;
      for (int64_t j = 0; j < k; ++j)
        to[j] = from[j] * (1.0f / 255.0f);
    }
    if (!data.y.empty())
      std::memcpy(y + (i - begin) * l, data.y.data() + sample * l,
                  sizeof(int64_t) * l);
    if (!data.t.empty())
      std::memcpy(t + (i - begin) * data.targetSize,
                  data.t.data() + sample * data.targetSize,
                  sizeof(float) * data.targetSize);
  }
  return std::max<int64_t>(end - begin, 0);
}

} // namespace dlrt
