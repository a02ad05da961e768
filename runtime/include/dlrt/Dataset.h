//===- Dataset.h - In-memory datasets, splits and batches -------*- C++ -*-===//
//
// A dataset is held in memory as f32 samples (idx bytes scaled to [0, 1]) and
// int64 class labels or f32 targets. This file also fixes how samples reach the steps: the
// validation split and the order of every epoch are permutations drawn from
// the run seed (see Random.h), and an epoch is cut into ceil(n / batch)
// batches whose last one may be partial.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_DATASET_H
#define DLRT_DATASET_H

#include "dlrt/dlrt.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlrt {

/// What a data set must hold for a model: the values of an input sample and
/// the kind of its targets (see dlrt_label_kind).
struct DataShape {
  int64_t sampleSize = 0;
  /// A dlrt_label_kind.
  int32_t labelKind = DLRT_LABEL_CLASS;
  /// DLRT_LABEL_CLASS: labels lie in [0, classes).
  int32_t classes = 0;
  /// DLRT_LABEL_FLOAT: target values per sample.
  int64_t targetSize = 0;
  /// A dlrt_dtype of the input (I64: token ids).
  int32_t inputDtype = DLRT_DTYPE_F32;
  /// DLRT_LABEL_CLASS: labels per sample (T for a sequence model).
  int64_t labelsPerSample = 1;

  static DataShape of(const dlrt_model_desc &desc);
  /// Whether the data files must hold targets (not for DLRT_LABEL_INPUT,
  /// DLRT_LABEL_INPUT_MASK and DLRT_LABEL_NONE).
  bool readsTargets() const {
    return labelKind != DLRT_LABEL_INPUT &&
           labelKind != DLRT_LABEL_INPUT_MASK && labelKind != DLRT_LABEL_NONE;
  }
};

/// Samples and their targets in memory, the samples in their stored type:
/// f32, or uint8 (idx and npy images), which is scaled to [0, 1] only when a
/// batch is gathered, so that the data take a quarter of the memory.
struct Dataset {
  /// [size() * sampleSize] values, one sample after another: f32 ...
  std::vector<float> x;
  /// ... or bytes (then `x` is empty), value = byte * (1 / 255) ...
  std::vector<uint8_t> bytes;
  /// ... or integer ids (token ids of a text source; then `x` and `bytes`
  /// are empty).
  std::vector<int64_t> ids;
  /// Values per sample.
  int64_t sampleSize = 0;
  /// DLRT_LABEL_CLASS: [size() * labelsPerSample] class labels.
  std::vector<int64_t> y;
  int64_t labelsPerSample = 1;
  /// A text source: the tokens of the ids, sorted (id = position).
  std::vector<std::string> vocabulary;
  /// DLRT_LABEL_FLOAT: [size() * targetSize] targets.
  std::vector<float> t;
  int64_t targetSize = 0;
  /// Number of samples.
  int64_t count = 0;

  int64_t size() const { return count; }
  /// Element `i` of the samples (sample i / sampleSize) as the steps see it.
  float input(uint64_t i) const {
    return bytes.empty() ? x[i] : bytes[i] * (1.0f / 255.0f);
  }
  /// Bytes the samples take in memory.
  uint64_t inputBytes() const {
    return !ids.empty()    ? ids.size() * sizeof(int64_t)
           : bytes.empty() ? x.size() * sizeof(float)
                           : bytes.size();
  }
};

/// Returns "<dir>/<stem>" or "<dir>/<stem>.gz", whichever exists; throws an
/// error naming both candidates when neither does.
std::string findDataFile(const std::string &dir, const std::string &stem);

/// Loads an idx image file and an idx label file into a Dataset. Checks that
/// both have the same number of items, that an image has `shape.sampleSize`
/// values and that the labels fit `shape` (class indices in [0, classes), or
/// targetSize finite values per item). uint8 images are scaled to [0, 1];
/// other inputs must be finite f32 values. `labelsPath` is ignored when
/// `shape` reads no targets. `limit` > 0 keeps only the first `limit`
/// samples.
Dataset loadIdxPair(const std::string &imagesPath,
                    const std::string &labelsPath, const DataShape &shape,
                    int64_t limit);

/// Loads a pair of .npy files (x of shape [N, ...], y of shape [N] or
/// [N, ...]) with the same checks and scaling as loadIdxPair.
Dataset loadNpyPair(const std::string &xPath, const std::string &yPath,
                    const DataShape &shape, int64_t limit);

/// Loads a CSV file (see Csv.h) whose target columns are `targets` (empty:
/// the first column) and whose header is `header` (a dlrt_csv_header),
/// checking the row width and the targets against `shape`. The categories
/// of categorical columns are those of the training file `trainPath` (which
/// is `path` itself for the training part), so that train and test map
/// alike.
Dataset loadCsvFile(const std::string &path, const std::string &trainPath,
                    const std::vector<std::string> &targets, int32_t header,
                    const DataShape &shape, int64_t limit);

/// Where the data of a run are: a directory of a *_DIR kind, or the files
/// of a *_FILES kind.
struct DataSource {
  /// A dlrt_data_kind.
  int32_t kind = DLRT_DATA_IDX_DIR;
  std::string dir;
  /// *_FILES: indexed by DLRT_FILE_*; "" where there is none.
  std::string files[DLRT_NUM_DATA_FILES];
  /// DLRT_DATA_CSV_FILES: the target columns (empty: the first column).
  std::vector<std::string> csvTargets;
  /// A dlrt_csv_header.
  int32_t csvHeader = DLRT_CSV_HEADER_AUTO;
  /// DLRT_DATA_TEXT_FILES: a dlrt_text_unit.
  int32_t textUnit = DLRT_TEXT_CHAR;

  /// Whether there is a test part.
  bool hasTest() const;
  /// "DIR (idx)", "csv file 'a.csv' (test 'b.csv'), targets price", ...
  std::string describe() const;
};

/// Loads part "train" or "test" of `source`: for a directory, idx files
/// train-* / t10k-*, x_<part>.npy / y_<part>.npy, or <part>.csv, each
/// optionally gzip-compressed; otherwise the named files. A source without
/// test files (hasTest() false) gives an empty test part; a missing file is
/// an error.
Dataset loadDataPart(const DataSource &source, const std::string &part,
                     const DataShape &shape, int64_t limit);

/// Name of a data kind ("idx", "npy", "csv").
const char *dataKindName(int32_t kind);

/// Indices of the training and validation samples.
struct Split {
  std::vector<int64_t> train;
  std::vector<int64_t> validation;
};

/// Holds out floor(n * fraction) samples for validation, chosen by a
/// permutation drawn from `seed`; both parts are returned in ascending order.
/// Throws if the split would leave no training sample.
Split splitIndices(int64_t n, double fraction, uint64_t seed);

/// The order in which epoch `epoch` (0-based) visits `indices`: a
/// permutation that depends only on (seed, epoch).
std::vector<int64_t> epochOrder(const std::vector<int64_t> &indices,
                                uint64_t seed, int64_t epoch);

/// Samples per class among `indices` (labels `labels[i]` in [0, numClasses);
/// a label outside is an error).
std::vector<int64_t> classCounts(const std::vector<int64_t> &indices,
                                 const std::vector<int64_t> &labels,
                                 int64_t numClasses);

/// Length of a balanced epoch of `indices` (a dlrt_balance_kind `kind`):
/// NONE and WEIGHTED_SAMPLER the number of indices, OVERSAMPLE the largest
/// class count times the classes present, UNDERSAMPLE the smallest present
/// count times the classes present.
int64_t balancedEpochLength(const std::vector<int64_t> &indices,
                            const std::vector<int64_t> &labels,
                            int64_t numClasses, int32_t kind);

/// The samples of epoch `epoch` of `indices` balanced by `kind`, in the
/// order the epoch visits them; a pure function of (indices, labels, kind,
/// seed, epoch). NONE is epochOrder(indices, seed, epoch). The others draw
/// from the stream ("balance", epoch): WEIGHTED_SAMPLER draws
/// indices.size() samples with replacement, a sample with probability
/// proportional to 1 / count(its class) (a class present uniformly, then a
/// sample of it uniformly: the same distribution); OVERSAMPLE keeps every
/// sample and adds count_max - count copies per class, first distinct
/// samples (without replacement), then, beyond the class's size, samples
/// with replacement; UNDERSAMPLE keeps a uniform subset of count_min samples
/// per class. The list is then shuffled by epochOrder's stream
/// ("shuffle", epoch).
std::vector<int64_t> balancedOrder(const std::vector<int64_t> &indices,
                                   const std::vector<int64_t> &labels,
                                   int64_t numClasses, int32_t kind,
                                   uint64_t seed, int64_t epoch);

/// k-fold cross-validation: cuts [0, n) into k folds by a permutation drawn
/// from the stream ("folds", 0) of `seed` (not stratified); fold i is
/// positions [i*n/k, (i+1)*n/k) of the permutation, sorted. The folds are
/// disjoint, cover [0, n), and their sizes differ by at most 1. Throws if
/// k < 2 or k > n.
std::vector<std::vector<int64_t>> foldPartition(int64_t n, int32_t k,
                                                uint64_t seed);

/// Number of batches of an epoch of `n` samples: ceil(n / batch).
int64_t numBatches(int64_t n, int64_t batch);

/// Copies batch `b` of `order` (samples [b*batch, min((b+1)*batch, n)) of
/// the order) into `x` and, where the data set has them, the labels `y` or
/// the targets `t`; integer samples (token ids) go to `ids` instead of `x`.
/// Returns its size.
int64_t gatherBatch(const Dataset &data, const std::vector<int64_t> &order,
                    int64_t b, int64_t batch, float *x, int64_t *y, float *t,
                    int64_t *ids = nullptr);

} // namespace dlrt

#endif // DLRT_DATASET_H
