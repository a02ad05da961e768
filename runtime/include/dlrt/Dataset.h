//===- Dataset.h - In-memory datasets, splits and batches -------*- C++ -*-===//
//
// A dataset is held in memory as f32 samples (idx bytes scaled to [0, 1]) and
// int64 labels. This file also fixes how samples reach the steps: the
// validation split and the order of every epoch are permutations drawn from
// the run seed (see Random.h), and an epoch is cut into ceil(n / batch)
// batches whose last one may be partial.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_DATASET_H
#define DLRT_DATASET_H

#include <cstdint>
#include <string>
#include <vector>

namespace dlrt {

/// Samples and labels in memory.
struct Dataset {
  /// [size() * sampleSize] values, one sample after another.
  std::vector<float> x;
  /// [size()] class labels.
  std::vector<int64_t> y;
  /// Values per sample.
  int64_t sampleSize = 0;

  int64_t size() const { return static_cast<int64_t>(y.size()); }
};

/// Returns "<dir>/<stem>" or "<dir>/<stem>.gz", whichever exists; throws an
/// error naming both candidates when neither does.
std::string findDataFile(const std::string &dir, const std::string &stem);

/// Loads an idx image file and an idx label file into a Dataset. Checks that
/// both have the same number of items, that an image has `sampleSize` values
/// and that every label is in [0, numClasses). uint8 images are scaled to
/// [0, 1]. `limit` > 0 keeps only the first `limit` samples.
Dataset loadIdxPair(const std::string &imagesPath,
                    const std::string &labelsPath, int64_t sampleSize,
                    int32_t numClasses, int64_t limit);

/// Loads the "train" or "t10k" part of an MNIST-family directory.
Dataset loadIdxDirectory(const std::string &dir, const std::string &part,
                         int64_t sampleSize, int32_t numClasses, int64_t limit);

/// Loads a pair of .npy files (x of shape [N, ...], y of shape [N]) with the
/// same checks and scaling as loadIdxPair.
Dataset loadNpyPair(const std::string &xPath, const std::string &yPath,
                    int64_t sampleSize, int32_t numClasses, int64_t limit);

/// Loads a labelled CSV file (see Csv.h), checking the row width and labels.
Dataset loadCsvFile(const std::string &path, int64_t sampleSize,
                    int32_t numClasses, int64_t limit);

/// Loads part "train" or "test" of a data directory of kind `kind` (a
/// dlrt_data_kind): idx files train-* / t10k-*, x_<part>.npy / y_<part>.npy,
/// or <part>.csv, each optionally gzip-compressed.
Dataset loadDataPart(int32_t kind, const std::string &dir,
                     const std::string &part, int64_t sampleSize,
                     int32_t numClasses, int64_t limit);

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

/// Number of batches of an epoch of `n` samples: ceil(n / batch).
int64_t numBatches(int64_t n, int64_t batch);

/// Copies batch `b` of `order` (samples [b*batch, min((b+1)*batch, n)) of
/// the order) into `x` and `y`; returns its size.
int64_t gatherBatch(const Dataset &data, const std::vector<int64_t> &order,
                    int64_t b, int64_t batch, float *x, int64_t *y);

} // namespace dlrt

#endif // DLRT_DATASET_H
