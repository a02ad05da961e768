//===- Prep.cpp - Data preparation: normalisation and augmentation --------===//
//
// See Prep.h for the order of the operations and where the statistics live.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Prep.h"
#include "dlrt/Error.h"
#include "dlrt/Model.h"
#include "dlrt/Random.h"
#include "dlrt/Whiten.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dlrt {

namespace {

const char *normalizeName(int32_t kind) {
  return vocab::nameOf(vocab::normalizeKinds, kind);
}

/// The checkpoint names of a kind's two statistics.
std::pair<std::string, std::string> statNames(int32_t kind) {
  if (kind == DLRT_NORMALIZE_STANDARDIZE)
    return {"normalize.mean", "normalize.std"};
  if (kind == DLRT_NORMALIZE_PCA_WHITEN || kind == DLRT_NORMALIZE_ZCA_WHITEN)
    return {"normalize.mean", "normalize.whiten"};
  return {"normalize.min", "normalize.max"};
}

} // namespace

bool isNormalizerTensor(const std::string &name) {
  return name.rfind("normalize.", 0) == 0;
}

Normalizer Normalizer::fit(int32_t kind, const Dataset &data,
                           const std::vector<int64_t> &indices,
                           double whitenEps) {
  Normalizer nz;
  nz.kind_ = kind;
  if (kind == DLRT_NORMALIZE_NONE)
    return nz;
  if (indices.empty())
    fail("cannot compute the {} statistics: the training split is empty",
         normalizeName(kind));
  const int64_t d = data.sampleSize;
  if (nz.whitens() && !whiteningLinked())
    fail("normalize = {}: this executable was linked without libdlrt's "
         "whitening (link it with -Wl,--undefined=dlrt_whitening_linked, as "
         "dlc does for a train block that whitens)",
         normalizeName(kind));
  if (nz.whitens() && d > kMaxWhitenFeatures)
    fail("normalize = {} needs a {} x {} covariance of the {} features of a "
         "sample, more than the {} features it supports (the matrices take "
         "several D x D doubles); use standardize",
         normalizeName(kind), d, d, d, kMaxWhitenFeatures);
  if (nz.whitens()) {
    std::vector<double> mean, covariance;
    meanAndCovariance(
        int64_t(indices.size()), d,
        [&](int64_t i, double *row) {
          uint64_t base = uint64_t(indices[i]) * d;
          for (int64_t j = 0; j < d; ++j)
            row[j] = data.input(base + j);
        },
        mean, covariance);
    nz.a.assign(mean.begin(), mean.end());
    nz.b = whiteningMatrix(covariance, d, whitenEps,
                           kind == DLRT_NORMALIZE_ZCA_WHITEN);
    return nz;
  }
  std::vector<double> a(d), b(d);
  if (kind == DLRT_NORMALIZE_STANDARDIZE) {
    // Two passes: the mean, then the squared deviations from it (no
    // cancellation for features far from 0, e.g. values near 1000).
    for (int64_t i : indices)
      for (int64_t j = 0; j < d; ++j)
        a[j] += data.input(uint64_t(i) * d + j);
    for (double &m : a)
      m /= double(indices.size());
    for (int64_t i : indices)
      for (int64_t j = 0; j < d; ++j) {
        double x = data.input(uint64_t(i) * d + j);
        b[j] += (x - a[j]) * (x - a[j]);
      }
    for (double &v : b) {
      v = std::sqrt(v / double(indices.size()));
      if (v < kStdFloor)
        v = 1; // a constant feature: shifted, not scaled
    }
  } else if (kind == DLRT_NORMALIZE_MINMAX) {
    std::fill(a.begin(), a.end(), std::numeric_limits<double>::infinity());
    std::fill(b.begin(), b.end(), -std::numeric_limits<double>::infinity());
    for (int64_t i : indices)
      for (int64_t j = 0; j < d; ++j) {
        // The values the steps see (uint8 samples are kept as bytes).
        double x = data.input(uint64_t(i) * d + j);
        a[j] = std::min(a[j], x);
        b[j] = std::max(b[j], x);
      }
  } else {
    fail("unknown normalisation kind {}", kind);
  }
  nz.a.assign(a.begin(), a.end());
  nz.b.assign(b.begin(), b.end());
  nz.derive();
  return nz;
}

void Normalizer::derive() {
  size_t d = a.size();
  shift.assign(d, 0);
  scale.assign(d, 1);
  for (size_t j = 0; j < d; ++j) {
    shift[j] = a[j];
    if (kind_ == DLRT_NORMALIZE_STANDARDIZE)
      scale[j] = float(1.0 / double(b[j]));
    else
      // A constant feature (max == min) maps to 0.
      scale[j] = b[j] > a[j] ? float(1.0 / (double(b[j]) - double(a[j]))) : 0;
  }
}

Normalizer
Normalizer::fromCheckpoint(int32_t kind,
                           const std::map<std::string, Tensor> &tensors,
                           const std::vector<int64_t> &sampleShape,
                           const std::string &path) {
  Normalizer nz;
  nz.kind_ = kind;
  if (kind == DLRT_NORMALIZE_NONE) {
    for (const auto &[name, tensor] : tensors)
      if (isNormalizerTensor(name))
        fail("checkpoint '{}' has the normalisation statistics '{}' but this "
             "model normalizes nothing (normalize = none)",
             path, name);
    return nz;
  }
  auto [firstName, secondName] = statNames(kind);
  for (const auto &[name, tensor] : tensors)
    if (isNormalizerTensor(name) && name != firstName && name != secondName)
      fail("checkpoint '{}' has the normalisation statistics '{}', which "
           "normalize = {} does not use (it reads '{}' and '{}')",
           path, name, normalizeName(kind), firstName, secondName);
  int64_t d = 1;
  for (int64_t s : sampleShape)
    d *= s;
  auto read = [&](const std::string &name, const std::vector<int64_t> &shape) {
    auto it = tensors.find(name);
    if (it == tensors.end())
      fail("checkpoint '{}' has no normalisation statistics '{}': this model "
           "normalizes its inputs (normalize = {}) with the statistics of "
           "the run that trained it, saved in its checkpoints",
           path, name, normalizeName(kind));
    if (it->second.shape != shape && shape == sampleShape)
      fail("checkpoint '{}': tensor '{}' has shape {} but the model's "
           "samples have shape {}",
           path, name, formatShape(it->second.shape), formatShape(sampleShape));
    if (it->second.shape != shape)
      fail("checkpoint '{}': tensor '{}' has shape {} but {} needs {} for "
           "the model's samples of shape {}",
           path, name, formatShape(it->second.shape), normalizeName(kind),
           formatShape(shape), formatShape(sampleShape));
    for (float v : it->second.values)
      if (!std::isfinite(v))
        fail("checkpoint '{}': tensor '{}' holds {}", path, name, v);
    return it->second.values;
  };
  nz.a = read(firstName, sampleShape);
  if (nz.whitens() && !whiteningLinked())
    fail("normalize = {}: this executable was linked without libdlrt's "
         "whitening (link it with -Wl,--undefined=dlrt_whitening_linked, as "
         "dlc does for a train block that whitens)",
         normalizeName(kind));
  if (nz.whitens()) {
    nz.b = read(secondName, {d, d});
    return nz;
  }
  nz.b = read(secondName, sampleShape);
  for (size_t j = 0; j < nz.a.size(); ++j)
    if (kind == DLRT_NORMALIZE_STANDARDIZE ? !(nz.b[j] > 0)
                                           : !(nz.b[j] >= nz.a[j]))
      fail("checkpoint '{}': '{}'[{}] = {} is not {}", path, secondName, j,
           nz.b[j],
           kind == DLRT_NORMALIZE_STANDARDIZE ? "positive"
                                              : "at least '" + firstName + "'");
  nz.derive();
  return nz;
}

std::vector<TensorRef>
Normalizer::tensors(const std::vector<int64_t> &sampleShape) const {
  if (kind_ == DLRT_NORMALIZE_NONE)
    return {};
  auto [firstName, secondName] = statNames(kind_);
  if (whitens()) {
    int64_t d = int64_t(a.size());
    return {{firstName, sampleShape, a.data()}, {secondName, {d, d}, b.data()}};
  }
  return {{firstName, sampleShape, a.data()},
          {secondName, sampleShape, b.data()}};
}

void Normalizer::apply(float *x, int64_t n) const {
  if (kind_ == DLRT_NORMALIZE_NONE)
    return;
  if (whitens()) {
    whitenRows(b, a, x, n, int64_t(a.size()), scratch);
    return;
  }
  const int64_t d = int64_t(shift.size());
  for (int64_t i = 0; i < n; ++i) {
    float *s = x + i * d;
    for (int64_t j = 0; j < d; ++j)
      s[j] = (s[j] - shift[j]) * scale[j];
  }
}

Augmenter::Augmenter(uint32_t flags, int32_t padding, int32_t pixels,
                     double noiseStd, const std::vector<int64_t> &sampleShape)
    : flags_(flags), padding(padding), pixels(pixels), noiseStd(noiseStd) {
  const uint32_t geometricFlags =
      DLRT_AUGMENT_HFLIP | DLRT_AUGMENT_RANDOM_CROP | DLRT_AUGMENT_SHIFT;
  if ((flags & geometricFlags) && sampleShape.size() < 2)
    fail("the geometric augmentations need samples of rank >= 2, but this "
         "model's samples have shape {}",
         formatShape(sampleShape));
  if (((flags & DLRT_AUGMENT_RANDOM_CROP) && padding < 1) ||
      ((flags & DLRT_AUGMENT_SHIFT) && pixels < 1) ||
      ((flags & DLRT_AUGMENT_NOISE) && !(noiseStd > 0)))
    fail("model descriptor has an augmentation argument that is not "
         "positive (padding {}, pixels {}, std {})",
         padding, pixels, noiseStd);
  int64_t total = 1;
  for (int64_t s : sampleShape)
    total *= s;
  if (sampleShape.size() >= 2) {
    height = sampleShape[sampleShape.size() - 2];
    width = sampleShape.back();
    planes = height * width > 0 ? total / (height * width) : 0;
  } else {
    width = total;
  }
  scratch.resize(size_t(height * width));
}

Augmenter Augmenter::of(const dlrt_model_desc &desc) {
  const dlrt_train_desc &t = desc.train;
  return Augmenter(t.augment, t.crop_padding, t.shift_pixels, t.noise_std,
                   std::vector<int64_t>(desc.input_shape,
                                        desc.input_shape + desc.input_rank));
}

uint64_t Augmenter::sampleSeed(uint64_t seed, int64_t step, int64_t i) {
  return deriveSeed(deriveSeed(seed, "augment", uint64_t(step)), "sample",
                    uint64_t(i));
}

void Augmenter::geometric(float *x, int64_t n, uint64_t seed,
                          int64_t step) const {
  if (!(flags_ & (DLRT_AUGMENT_HFLIP | DLRT_AUGMENT_RANDOM_CROP |
                  DLRT_AUGMENT_SHIFT)))
    return;
  const int64_t d = planes * height * width;
  for (int64_t i = 0; i < n; ++i) {
    float *s = x + i * d;
    // The draws of one sample, in a fixed order; an augmentation that is
    // off draws nothing.
    Rng rng(sampleSeed(seed, step, i));
    if ((flags_ & DLRT_AUGMENT_HFLIP) && rng.uniform() < 0.5)
      flipLastAxis(s, planes, height, width);
    if (flags_ & DLRT_AUGMENT_RANDOM_CROP) {
      // Pad by p and crop at offset (oy, ox) in [0, 2p]: a move by p - o.
      int64_t oy = int64_t(rng.below(uint64_t(2 * padding + 1)));
      int64_t ox = int64_t(rng.below(uint64_t(2 * padding + 1)));
      translate(s, planes, height, width, padding - oy, padding - ox,
                scratch.data());
    }
    if (flags_ & DLRT_AUGMENT_SHIFT) {
      int64_t dy = int64_t(rng.below(uint64_t(2 * pixels + 1))) - pixels;
      int64_t dx = int64_t(rng.below(uint64_t(2 * pixels + 1))) - pixels;
      translate(s, planes, height, width, dy, dx, scratch.data());
    }
  }
}

void Augmenter::noise(float *x, int64_t n, uint64_t seed, int64_t step) const {
  if (!(flags_ & DLRT_AUGMENT_NOISE))
    return;
  const int64_t d = planes * height * width;
  for (int64_t i = 0; i < n; ++i) {
    // Its own stream, so that the noise does not depend on which geometric
    // augmentations drew before it.
    Rng rng(deriveSeed(sampleSeed(seed, step, i), "noise", 0));
    float *s = x + i * d;
    for (int64_t j = 0; j < d; ++j)
      s[j] += float(noiseStd * rng.normal());
  }
}

void Augmenter::flipAll(float *x, int64_t n) const {
  const int64_t d = planes * height * width;
  for (int64_t i = 0; i < n; ++i)
    flipLastAxis(x + i * d, planes, height, width);
}

void flipLastAxis(float *sample, int64_t planes, int64_t h, int64_t w) {
  for (int64_t row = 0; row < planes * h; ++row)
    std::reverse(sample + row * w, sample + (row + 1) * w);
}

void translate(float *sample, int64_t planes, int64_t h, int64_t w,
               int64_t dy, int64_t dx, float *scratch) {
  if (dy == 0 && dx == 0)
    return;
  for (int64_t p = 0; p < planes; ++p) {
    float *plane = sample + p * h * w;
    std::copy(plane, plane + h * w, scratch);
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        int64_t sy = y - dy, sx = x - dx;
        plane[y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w
                               ? scratch[sy * w + sx]
                               : 0.0f;
      }
  }
}

} // namespace dlrt
