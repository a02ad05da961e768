//===- Prep.h - Data preparation: normalisation and augmentation -*- C++ -*-===//
//
// What happens to a gathered batch before a step sees it (the train block's
// `normalize` and `augment`):
//
//   training batch:  normalize -> hflip -> random_crop -> shift -> noise
//   any other batch: normalize
//
// Normalisation comes first because it is per feature (per position): a
// geometric augmentation applied before it would move values into positions
// whose statistics never saw them (a border pixel that is 0 in every
// training image is constant, and a shifted stroke there would land on
// statistics that never saw one). After it, every moved value was normalised with the statistics of
// its own position, the zero fill is 0 in normalised units (the feature's
// mean for standardize, its minimum for minmax, a raw 0 without
// normalisation), and the noise's std is in normalised units whatever the
// data's scale. The order is fixed; the order of the `augment` list does
// not matter.
//
// Normalisation is per input feature (per element of a sample, e.g. per pixel
// of an image; there is no per-channel variant), or, for whitening, a
// D x D matrix on the D features of a sample (Whiten.h). Its statistics come
// from the training split only (after the validation hold-out) and are
// saved in every checkpoint as the tensors "normalize.mean" and
// "normalize.std" (standardize) or "normalize.min" and "normalize.max"
// (minmax), of the sample's shape, or "normalize.mean" (the sample's shape)
// and "normalize.whiten" ([D, D], x' = W (x - mean); pca_whiten and
// zca_whiten), so that --resume, eval, predict and every --weights use the
// statistics of the run that trained the weights. Whitening keeps the
// sample's shape: PCA keeps all D components (the first element is the
// component of largest variance), ZCA stays in the features' own space.
//
// Augmentation randomness is a pure function of (run seed, step, position of
// the sample in its batch), so a resumed run draws the same batches.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_PREP_H
#define DLRT_PREP_H

#include "dlrt/Dataset.h"
#include "dlrt/SafeTensors.h"
#include "dlrt/dlrt.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dlrt {

/// Below this standard deviation a feature counts as constant and
/// standardize divides it by 1 instead (as scikit-learn's StandardScaler
/// does for zero variance), so that a value off the constant (a stroke on a
/// pixel that is blank in every training image) stays its distance from the
/// mean instead of becoming ~1e6.
constexpr double kStdFloor = 1e-6;

/// The most features per sample that whitening accepts: its covariance,
/// eigenvectors and products are D x D doubles (0.5 GiB each at 8192).
constexpr int64_t kMaxWhitenFeatures = 8192;

/// Per-feature normalisation x -> (x - shift) * scale.
class Normalizer {
public:
  /// The identity (DLRT_NORMALIZE_NONE).
  Normalizer() = default;

  /// Statistics of the samples `indices` of `data`, in double precision:
  /// standardize uses the mean and the population standard deviation
  /// (divided by the count), minmax the minimum and maximum, whitening the
  /// mean and the population covariance, whose eigenvalues get `whitenEps`
  /// (> 0) added before their inverse square root.
  static Normalizer fit(int32_t kind, const Dataset &data,
                        const std::vector<int64_t> &indices,
                        double whitenEps = 0);

  /// The statistics saved in a checkpoint (`tensors`, read from `path`),
  /// for a model whose samples have `sampleShape`; errors name the file.
  /// For DLRT_NORMALIZE_NONE the checkpoint must hold no statistics.
  static Normalizer fromCheckpoint(int32_t kind,
                                   const std::map<std::string, Tensor> &tensors,
                                   const std::vector<int64_t> &sampleShape,
                                   const std::string &path);

  /// The tensors to checkpoint (none for DLRT_NORMALIZE_NONE), pointing
  /// into this object.
  std::vector<TensorRef> tensors(const std::vector<int64_t> &sampleShape) const;

  /// Normalises `n` samples in place.
  void apply(float *x, int64_t n) const;

  int32_t kind() const { return kind_; }
  /// standardize: mean and std (floored); minmax: min and max; whitening:
  /// the mean and the D x D matrix W (row-major).
  const std::vector<float> &first() const { return a; }
  const std::vector<float> &second() const { return b; }
  bool whitens() const {
    return kind_ == DLRT_NORMALIZE_PCA_WHITEN ||
           kind_ == DLRT_NORMALIZE_ZCA_WHITEN;
  }

private:
  void derive();

  int32_t kind_ = DLRT_NORMALIZE_NONE;
  std::vector<float> a, b;
  std::vector<float> shift, scale;
  /// Whitening: the centred batch.
  mutable std::vector<float> scratch;
};

/// Whether a checkpoint tensor name is one of the normalisation statistics.
bool isNormalizerTensor(const std::string &name);

/// The training-batch augmentations of a model (dlrt_train_desc::augment).
class Augmenter {
public:
  Augmenter() = default;
  /// `flags` (dlrt_augment_flag bits) with their arguments, for samples of
  /// `sampleShape`: the two last axes are H and W, the others are planes.
  Augmenter(uint32_t flags, int32_t padding, int32_t pixels, double noiseStd,
            const std::vector<int64_t> &sampleShape);
  static Augmenter of(const dlrt_model_desc &desc);

  uint32_t flags() const { return flags_; }
  /// The random flips, crops and shifts of the `n` samples of training step
  /// `step`, in place, after normalisation.
  void geometric(float *x, int64_t n, uint64_t seed, int64_t step) const;
  /// The Gaussian noise, after normalisation.
  void noise(float *x, int64_t n, uint64_t seed, int64_t step) const;
  /// Mirrors the last axis of `n` samples (test-time augmentation).
  void flipAll(float *x, int64_t n) const;

  /// The seed of the sample at position `i` of the batch of step `step`.
  static uint64_t sampleSeed(uint64_t seed, int64_t step, int64_t i);

private:
  uint32_t flags_ = 0;
  int32_t padding = 0, pixels = 0;
  double noiseStd = 0;
  int64_t planes = 1, height = 1, width = 1;
  mutable std::vector<float> scratch;
};

/// Mirrors the last axis of one sample of `planes` planes of [h, w].
void flipLastAxis(float *sample, int64_t planes, int64_t h, int64_t w);
/// Moves one sample by (dy, dx) in its two last axes with zero fill:
/// out[y][x] = in[y - dy][x - dx]; `scratch` holds h * w values.
void translate(float *sample, int64_t planes, int64_t h, int64_t w,
               int64_t dy, int64_t dx, float *scratch);

} // namespace dlrt

#endif // DLRT_PREP_H
