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
#include "dlrt/Npy.h"
#include "dlrt/Random.h"
#include "dlrt/dlrt.h"

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

/// Builds a Dataset from an image array and a label array (IdxArray or
/// NpyArray), checking that they match each other and the model.
template <typename Array>
static Dataset buildDataset(const Array &images, const std::string &imagesPath,
                            const Array &labels, const std::string &labelsPath,
                            int64_t sampleSize, int32_t numClasses,
                            int64_t limit) {
  if (images.dims.size() < 2)
    fail("'{}' is not a sample file: rank {} (expected at least 2)", imagesPath,
         images.dims.size());
  if (labels.dims.size() != 1)
    fail("'{}' is not a label file: rank {} (expected 1)", labelsPath,
         labels.dims.size());
  if (images.dims[0] != labels.dims[0])
    fail("'{}' has {} images but '{}' has {} labels", imagesPath,
         images.dims[0], labelsPath, labels.dims[0]);
  if (static_cast<int64_t>(images.itemSize()) != sampleSize)
    fail("'{}' has samples of {} values but the model expects {}", imagesPath,
         images.itemSize(), sampleSize);
  if (!labels.isInteger())
    fail("'{}' holds floating-point values; class labels must be integers",
         labelsPath);

  int64_t n = static_cast<int64_t>(labels.dims[0]);
  if (limit > 0)
    n = std::min(n, limit);
  Dataset data;
  data.sampleSize = sampleSize;
  data.y.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    double label = labels.at(i);
    if (label < 0 || label >= numClasses)
      fail("'{}' is corrupt: label {} of item {} is outside [0, {})",
           labelsPath, label, i, numClasses);
    data.y[i] = static_cast<int64_t>(label);
  }
  uint64_t count = uint64_t(n) * sampleSize;
  data.x.resize(count);
  if (images.isUInt8()) {
    // Bytes are pixels: scale to [0, 1].
    const uint8_t *p = images.bytes.data() + images.payloadOffset;
    for (uint64_t i = 0; i < count; ++i)
      data.x[i] = p[i] * (1.0f / 255.0f);
  } else {
    // Values are used as f32: NaN, an infinity or a value beyond the range of
    // f32 (a finite f64 of 1e39) would silently poison the weights.
    for (uint64_t i = 0; i < count; ++i) {
      double value = images.at(i);
      float f = static_cast<float>(value);
      if (!std::isfinite(f))
        fail("'{}' holds a value that is not a finite f32 ({}) at element {} "
             "(sample {}, value {} of it)",
             imagesPath, value, i, i / uint64_t(sampleSize),
             i % uint64_t(sampleSize));
      data.x[i] = f;
    }
  }
  return data;
}

Dataset loadIdxPair(const std::string &imagesPath,
                    const std::string &labelsPath, int64_t sampleSize,
                    int32_t numClasses, int64_t limit) {
  IdxArray images = loadIdx(imagesPath);
  IdxArray labels = loadIdx(labelsPath);
  return buildDataset(images, imagesPath, labels, labelsPath, sampleSize,
                      numClasses, limit);
}

Dataset loadNpyPair(const std::string &xPath, const std::string &yPath,
                    int64_t sampleSize, int32_t numClasses, int64_t limit) {
  NpyArray x = loadNpy(xPath);
  NpyArray y = loadNpy(yPath);
  return buildDataset(x, xPath, y, yPath, sampleSize, numClasses, limit);
}

Dataset loadCsvFile(const std::string &path, int64_t sampleSize,
                    int32_t numClasses, int64_t limit) {
  CsvTable table = loadCsv(path, limit);
  if (table.columns != sampleSize)
    fail("'{}' has rows of {} values but the model expects {}", path,
         table.columns, sampleSize);
  Dataset data;
  data.sampleSize = sampleSize;
  for (size_t i = 0; i < table.labels.size(); ++i)
    if (table.labels[i] < 0 || table.labels[i] >= numClasses)
      fail("'{}': label {} of row {} is outside [0, {})", path, table.labels[i],
           i + 1, numClasses);
  data.y = std::move(table.labels);
  data.x = std::move(table.values);
  return data;
}

Dataset loadIdxDirectory(const std::string &dir, const std::string &part,
                         int64_t sampleSize, int32_t numClasses,
                         int64_t limit) {
  std::string images = findDataFile(dir, part + "-images-idx3-ubyte");
  std::string labels = findDataFile(dir, part + "-labels-idx1-ubyte");
  return loadIdxPair(images, labels, sampleSize, numClasses, limit);
}

Dataset loadDataPart(int32_t kind, const std::string &dir,
                     const std::string &part, int64_t sampleSize,
                     int32_t numClasses, int64_t limit) {
  switch (kind) {
  case DLRT_DATA_IDX_DIR:
    return loadIdxDirectory(dir, part == "test" ? "t10k" : part, sampleSize,
                            numClasses, limit);
  case DLRT_DATA_NPY_DIR: {
    // Look the files up in order, so that the first missing one is named.
    std::string x = findDataFile(dir, "x_" + part + ".npy");
    std::string y = findDataFile(dir, "y_" + part + ".npy");
    return loadNpyPair(x, y, sampleSize, numClasses, limit);
  }
  case DLRT_DATA_CSV_DIR:
    return loadCsvFile(findDataFile(dir, part + ".csv"), sampleSize, numClasses,
                       limit);
  }
  fail("unsupported data kind {}", kind);
}

const char *dataKindName(int32_t kind) {
  switch (kind) {
  case DLRT_DATA_IDX_DIR:
    return "idx";
  case DLRT_DATA_NPY_DIR:
    return "npy";
  case DLRT_DATA_CSV_DIR:
    return "csv";
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

int64_t numBatches(int64_t n, int64_t batch) {
  return n <= 0 ? 0 : (n + batch - 1) / batch;
}

int64_t gatherBatch(const Dataset &data, const std::vector<int64_t> &order,
                    int64_t b, int64_t batch, float *x, int64_t *y) {
  int64_t begin = b * batch;
  int64_t end = std::min<int64_t>(begin + batch, order.size());
  for (int64_t i = begin; i < end; ++i) {
    int64_t sample = order[i];
    std::memcpy(x + (i - begin) * data.sampleSize,
                data.x.data() + sample * data.sampleSize,
                sizeof(float) * data.sampleSize);
    y[i - begin] = data.y[sample];
  }
  return std::max<int64_t>(end - begin, 0);
}

} // namespace dlrt
