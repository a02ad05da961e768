//===- PrepTest.cpp - Tests of normalisation and augmentation -------------===//
//
// The statistics of standardize and minmax on hand-computed examples, PCA and
// ZCA whitening (identity covariance, symmetry, eps, constant pixels), their
// checkpoint form, the geometry of hflip, random_crop and shift, the noise,
// and that every augmentation is a pure function of (seed, step, position).
//
//===----------------------------------------------------------------------===//

#include "dlrt/Prep.h"
#include "TestUtil.h"
#include "dlrt/Random.h"
#include "dlrt/StepRunner.h"
#include "dlrt/Whiten.h"
#include "dlrt/dlrt.h"

#include <cmath>
#include <numeric>
#include <set>

using namespace dlrt;
using namespace dlrt::test;

namespace {

/// Samples of two features, one of them ~1000 times the other.
Dataset twoFeatures() {
  Dataset d;
  d.sampleSize = 2;
  d.x = {1, 1000,   //
         100, -7,   // held out below: must not count
         3, 5000};
  d.count = 3;
  return d;
}

std::vector<float> iota(int64_t n, float start = 1) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), start);
  return v;
}

} // namespace

TEST(Normalize, StandardizeUsesOnlyTheGivenSamples) {
  Dataset d = twoFeatures();
  // Samples 0 and 2: means 2 and 3000, population stds 1 and 2000.
  Normalizer nz = Normalizer::fit(DLRT_NORMALIZE_STANDARDIZE, d, {0, 2});
  EXPECT_EQ(nz.first(), (std::vector<float>{2, 3000}));
  EXPECT_EQ(nz.second(), (std::vector<float>{1, 2000}));
  std::vector<float> x = d.x;
  nz.apply(x.data(), 3);
  EXPECT_FLOAT_EQ(x[0], -1);
  EXPECT_FLOAT_EQ(x[1], -1);
  EXPECT_FLOAT_EQ(x[2], 98);
  EXPECT_FLOAT_EQ(x[3], -3007.0f / 2000);
  EXPECT_FLOAT_EQ(x[4], 1);
  EXPECT_FLOAT_EQ(x[5], 1);
}

TEST(Normalize, StandardizeOfThreeSamples) {
  Dataset d;
  d.sampleSize = 1;
  d.x = {1, 2, 6};
  d.count = 3;
  // mean 3; variance (4 + 1 + 9) / 3 = 14 / 3.
  Normalizer nz = Normalizer::fit(DLRT_NORMALIZE_STANDARDIZE, d, {0, 1, 2});
  EXPECT_FLOAT_EQ(nz.first()[0], 3);
  EXPECT_FLOAT_EQ(nz.second()[0], float(std::sqrt(14.0 / 3)));
  std::vector<float> x = {6};
  nz.apply(x.data(), 1);
  EXPECT_FLOAT_EQ(x[0], float(3 / std::sqrt(14.0 / 3)));
}

TEST(Normalize, ConstantFeatures) {
  Dataset d;
  d.sampleSize = 2;
  d.x = {5, 1, 5, 2};
  d.count = 2;
  Normalizer s = Normalizer::fit(DLRT_NORMALIZE_STANDARDIZE, d, {0, 1});
  // A constant feature is only shifted (scale 1, as scikit-learn): it maps
  // to 0, and a value off the constant to its distance from it.
  EXPECT_FLOAT_EQ(s.second()[0], 1.0f);
  std::vector<float> x = {5, 1, 7, 2};
  s.apply(x.data(), 2);
  EXPECT_EQ(x[0], 0);
  EXPECT_FLOAT_EQ(x[2], 2.0f);
  Normalizer m = Normalizer::fit(DLRT_NORMALIZE_MINMAX, d, {0, 1});
  x = {5, 1, 7, 2};
  m.apply(x.data(), 2);
  EXPECT_EQ(x, (std::vector<float>{0, 0, 0, 1}));
}

TEST(Normalize, MinMax) {
  Dataset d = twoFeatures();
  Normalizer nz = Normalizer::fit(DLRT_NORMALIZE_MINMAX, d, {0, 2});
  EXPECT_EQ(nz.first(), (std::vector<float>{1, 1000}));
  EXPECT_EQ(nz.second(), (std::vector<float>{3, 5000}));
  std::vector<float> x = {2, 2000, 3, 5000};
  nz.apply(x.data(), 2);
  EXPECT_FLOAT_EQ(x[0], 0.5f);
  EXPECT_FLOAT_EQ(x[1], 0.25f);
  EXPECT_FLOAT_EQ(x[2], 1);
  EXPECT_FLOAT_EQ(x[3], 1);
}

TEST(Normalize, NoneIsTheIdentityAndSavesNothing) {
  Dataset d = twoFeatures();
  Normalizer nz = Normalizer::fit(DLRT_NORMALIZE_NONE, d, {0, 2});
  std::vector<float> x = d.x;
  nz.apply(x.data(), 3);
  EXPECT_EQ(x, d.x);
  EXPECT_TRUE(nz.tensors({2}).empty());
}

TEST(Normalize, CheckpointRoundTrip) {
  Dataset d = twoFeatures();
  for (int32_t kind : {DLRT_NORMALIZE_STANDARDIZE, DLRT_NORMALIZE_MINMAX}) {
    Normalizer nz = Normalizer::fit(kind, d, {0, 2});
    std::map<std::string, Tensor> saved;
    for (const TensorRef &t : nz.tensors({2}))
      saved[t.name] = {"F32", t.shape, std::vector<float>(t.data, t.data + 2)};
    ASSERT_EQ(saved.size(), 2u);
    EXPECT_TRUE(saved.count(kind == DLRT_NORMALIZE_STANDARDIZE
                                ? "normalize.mean"
                                : "normalize.min"));
    Normalizer back = Normalizer::fromCheckpoint(kind, saved, {2}, "c.st");
    std::vector<float> a = d.x, b = d.x;
    nz.apply(a.data(), 3);
    back.apply(b.data(), 3);
    EXPECT_EQ(a, b);
  }
}

TEST(Normalize, CheckpointErrorsNameTheFile) {
  Dataset d = twoFeatures();
  Normalizer nz = Normalizer::fit(DLRT_NORMALIZE_STANDARDIZE, d, {0, 2});
  std::map<std::string, Tensor> saved;
  for (const TensorRef &t : nz.tensors({2}))
    saved[t.name] = {"F32", t.shape, std::vector<float>(t.data, t.data + 2)};
  EXPECT_DLRT_ERROR(
      Normalizer::fromCheckpoint(DLRT_NORMALIZE_STANDARDIZE, {}, {2}, "w.st"),
      "checkpoint 'w.st' has no normalisation statistics 'normalize.mean'");
  EXPECT_DLRT_ERROR(
      Normalizer::fromCheckpoint(DLRT_NORMALIZE_STANDARDIZE, saved, {1, 2},
                                 "w.st"),
      "tensor 'normalize.mean' has shape [2] but the model's samples have "
      "shape [1, 2]");
  EXPECT_DLRT_ERROR(
      Normalizer::fromCheckpoint(DLRT_NORMALIZE_MINMAX, saved, {2}, "w.st"),
      "which normalize = minmax does not use");
  EXPECT_DLRT_ERROR(
      Normalizer::fromCheckpoint(DLRT_NORMALIZE_NONE, saved, {2}, "w.st"),
      "normalizes nothing");
  saved["normalize.std"].values[1] = 0;
  EXPECT_DLRT_ERROR(
      Normalizer::fromCheckpoint(DLRT_NORMALIZE_STANDARDIZE, saved, {2},
                                 "w.st"),
      "'normalize.std'[1] = 0 is not positive");
}

namespace {

/// `n` samples of `d` correlated features x = A z + m (z standard normal,
/// A and m fixed), far from 0 and of very different scales.
Dataset correlated(int64_t n, int64_t d, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> a(size_t(d * d));
  for (int64_t r = 0; r < d; ++r)
    for (int64_t c = 0; c < d; ++c)
      a[r * d + c] = (r == c ? 3.0 * (r + 1) : 0.0) + rng.normal();
  Dataset data;
  data.sampleSize = d;
  data.count = n;
  std::vector<double> z(static_cast<size_t>(d));
  for (int64_t i = 0; i < n; ++i) {
    for (double &v : z)
      v = rng.normal();
    for (int64_t r = 0; r < d; ++r) {
      double v = 100.0 * (r + 1);
      for (int64_t c = 0; c < d; ++c)
        v += a[r * d + c] * z[c];
      data.x.push_back(float(v));
    }
  }
  return data;
}

/// The population covariance of `n` rows of `d` values.
std::vector<double> covarianceOf(const std::vector<float> &x, int64_t n,
                                 int64_t d) {
  std::vector<double> mean(size_t(d), 0.0), cov(size_t(d * d), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j)
      mean[j] += x[i * d + j] / double(n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < d; ++r)
      for (int64_t c = 0; c < d; ++c)
        cov[r * d + c] +=
            (x[i * d + r] - mean[r]) * (x[i * d + c] - mean[c]) / double(n);
  return cov;
}

} // namespace

TEST(Whiten, PcaGivesIdentityCovariance) {
  const int64_t n = 4000, d = 6;
  Dataset data = correlated(n, d, 1);
  Normalizer nz =
      Normalizer::fit(DLRT_NORMALIZE_PCA_WHITEN, data, allIndices(n), 1e-9);
  std::vector<float> x = data.x;
  nz.apply(x.data(), n);
  std::vector<double> cov = covarianceOf(x, n, d);
  for (int64_t r = 0; r < d; ++r)
    for (int64_t c = 0; c < d; ++c)
      EXPECT_NEAR(cov[r * d + c], r == c ? 1.0 : 0.0, 2e-3)
          << "covariance[" << r << "][" << c << "]";
  // Centred: the whitened training data has mean 0.
  for (int64_t j = 0; j < d; ++j) {
    double m = 0;
    for (int64_t i = 0; i < n; ++i)
      m += x[i * d + j] / double(n);
    EXPECT_NEAR(m, 0.0, 1e-3);
  }
  // W's rows are orthogonal (U^T scaled): W W^T is diagonal, with
  // decreasing 1 / (lambda + eps) down it (largest variance first).
  const std::vector<float> &w = nz.second();
  ASSERT_EQ(w.size(), size_t(d * d));
  double previous = 0;
  for (int64_t r = 0; r < d; ++r) {
    double rr = 0;
    for (int64_t j = 0; j < d; ++j)
      rr += double(w[r * d + j]) * w[r * d + j];
    EXPECT_GE(rr, previous * (1 - 1e-6)) << "row " << r;
    previous = rr;
    for (int64_t c = r + 1; c < d; ++c) {
      double rc = 0;
      for (int64_t j = 0; j < d; ++j)
        rc += double(w[r * d + j]) * w[c * d + j];
      EXPECT_NEAR(rc / rr, 0.0, 1e-4);
    }
  }
}

TEST(Whiten, ZcaGivesIdentityCovarianceAndIsSymmetric) {
  const int64_t n = 4000, d = 6;
  Dataset data = correlated(n, d, 2);
  Normalizer nz =
      Normalizer::fit(DLRT_NORMALIZE_ZCA_WHITEN, data, allIndices(n), 1e-9);
  std::vector<float> x = data.x;
  nz.apply(x.data(), n);
  std::vector<double> cov = covarianceOf(x, n, d);
  for (int64_t r = 0; r < d; ++r)
    for (int64_t c = 0; c < d; ++c)
      EXPECT_NEAR(cov[r * d + c], r == c ? 1.0 : 0.0, 2e-3)
          << "covariance[" << r << "][" << c << "]";
  const std::vector<float> &w = nz.second();
  for (int64_t r = 0; r < d; ++r)
    for (int64_t c = 0; c < d; ++c)
      EXPECT_EQ(w[r * d + c], w[c * d + r]);
  // ZCA stays close to the data (the whitening closest to the identity):
  // each feature keeps a positive correlation with its whitened self,
  // unlike PCA, whose components are mixtures in another order.
  for (int64_t j = 0; j < d; ++j)
    EXPECT_GT(w[j * d + j], 0.0f);
}

TEST(Whiten, EpsDampsSmallComponents) {
  // With eps, component k's variance is lambda_k / (lambda_k + eps).
  const int64_t n = 3000, d = 4;
  Dataset data = correlated(n, d, 3);
  std::vector<double> mean, cov, lambda;
  meanAndCovariance(
      n, d,
      [&](int64_t i, double *row) {
        for (int64_t j = 0; j < d; ++j)
          row[j] = data.x[i * d + j];
      },
      mean, cov);
  const double eps = 10.0;
  whiteningMatrix(cov, d, eps, false, &lambda);
  Normalizer nz =
      Normalizer::fit(DLRT_NORMALIZE_PCA_WHITEN, data, allIndices(n), eps);
  std::vector<float> x = data.x;
  nz.apply(x.data(), n);
  std::vector<double> white = covarianceOf(x, n, d);
  for (int64_t k = 0; k < d; ++k) {
    EXPECT_NEAR(white[k * d + k], lambda[k] / (lambda[k] + eps), 2e-3);
    if (k > 0) {
      EXPECT_GE(lambda[k - 1], lambda[k]);
    }
  }
  EXPECT_LT(white[(d - 1) * d + d - 1], 0.9); // damped, not whitened
}

TEST(Whiten, ConstantPixelsOf784FeaturesStayFinite) {
  // Fashion-MNIST-sized samples (bytes, [1, 28, 28]) with fewer samples
  // than features (a singular covariance) and a border that is 0 in every
  // training image: eps keeps every scale finite.
  const int64_t n = 300, d = 784;
  Dataset data;
  data.sampleSize = d;
  data.count = n + 1;
  Rng rng(4);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) {
      int64_t y = j / 28, xpos = j % 28;
      bool border = y < 2 || y >= 26 || xpos < 2 || xpos >= 26;
      data.bytes.push_back(border ? 0 : uint8_t(rng.below(256)));
    }
  // A test image with a stroke on the always-blank border.
  for (int64_t j = 0; j < d; ++j)
    data.bytes.push_back(uint8_t(j % 7 == 0 ? 255 : 10));
  for (int32_t kind : {DLRT_NORMALIZE_PCA_WHITEN, DLRT_NORMALIZE_ZCA_WHITEN}) {
    Normalizer nz = Normalizer::fit(kind, data, allIndices(n), 0.1);
    for (float v : nz.second())
      ASSERT_TRUE(std::isfinite(v));
    std::vector<float> x(size_t((n + 1) * d));
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = data.input(i);
    nz.apply(x.data(), n + 1);
    double largest = 0;
    for (float v : x) {
      ASSERT_TRUE(std::isfinite(v));
      largest = std::max(largest, double(std::fabs(v)));
    }
    // Scales are at most 1 / sqrt(eps) ~ 3.2 per unit of input.
    EXPECT_LT(largest, 3.2 * std::sqrt(double(d)));
  }
}

TEST(Whiten, TooManyFeaturesIsAClearError) {
  Dataset data;
  data.sampleSize = kMaxWhitenFeatures + 1;
  data.count = 1;
  data.x.assign(size_t(data.sampleSize), 1.0f);
  EXPECT_DLRT_ERROR(Normalizer::fit(DLRT_NORMALIZE_ZCA_WHITEN, data, {0}, 0.1),
                    "normalize = zca_whiten needs a 8193 x 8193 covariance");
}

TEST(Whiten, CheckpointRoundTripAndErrors) {
  const int64_t n = 500, d = 4;
  Dataset data = correlated(n, d, 5);
  for (int32_t kind : {DLRT_NORMALIZE_PCA_WHITEN, DLRT_NORMALIZE_ZCA_WHITEN}) {
    Normalizer nz = Normalizer::fit(kind, data, allIndices(n), 0.1);
    std::map<std::string, Tensor> saved;
    for (const TensorRef &t : nz.tensors({2, 2})) {
      int64_t size = 1;
      for (int64_t s : t.shape)
        size *= s;
      saved[t.name] = {"F32", t.shape,
                       std::vector<float>(t.data, t.data + size)};
    }
    ASSERT_EQ(saved.size(), 2u);
    EXPECT_EQ(saved["normalize.mean"].shape, (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(saved["normalize.whiten"].shape, (std::vector<int64_t>{4, 4}));
    Normalizer back = Normalizer::fromCheckpoint(kind, saved, {2, 2}, "w.st");
    std::vector<float> a = data.x, b = data.x;
    nz.apply(a.data(), n);
    back.apply(b.data(), n);
    EXPECT_EQ(a, b);
    std::map<std::string, Tensor> wrong = saved;
    wrong["normalize.whiten"].shape = {16};
    EXPECT_DLRT_ERROR(Normalizer::fromCheckpoint(kind, wrong, {2, 2}, "w.st"),
                      "tensor 'normalize.whiten' has shape [16] but");
    wrong = saved;
    wrong["normalize.whiten"].values[5] = NAN;
    EXPECT_DLRT_ERROR(Normalizer::fromCheckpoint(kind, wrong, {2, 2}, "w.st"),
                      "checkpoint 'w.st': tensor 'normalize.whiten' holds");
    EXPECT_DLRT_ERROR(Normalizer::fromCheckpoint(DLRT_NORMALIZE_STANDARDIZE,
                                                 saved, {2, 2}, "w.st"),
                      "which normalize = standardize does not use");
  }
}

TEST(Augment, FlipGeometry) {
  // Two planes of [2, 3].
  std::vector<float> x = iota(12);
  flipLastAxis(x.data(), 2, 2, 3);
  EXPECT_EQ(x, (std::vector<float>{3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}));
}

TEST(Augment, TranslateGeometry) {
  std::vector<float> x = iota(9), scratch(9);
  // out[y][x] = in[y - 1][x + 1]
  translate(x.data(), 1, 3, 3, 1, -1, scratch.data());
  EXPECT_EQ(x, (std::vector<float>{0, 0, 0, 2, 3, 0, 5, 6, 0}));
  x = iota(8);
  // Two planes of [2, 2], moved right by one.
  translate(x.data(), 2, 2, 2, 0, 1, scratch.data());
  EXPECT_EQ(x, (std::vector<float>{0, 1, 0, 3, 0, 5, 0, 7}));
}

TEST(Augment, ExactDrawsOfAFixedSeed) {
  // [1, 3, 3] samples; the expected output is rebuilt from the documented
  // draws of each sample's stream: hflip (uniform < 0.5), then the crop
  // offsets (oy, ox) in [0, 2p], then the shift in [-s, s]^2.
  const int32_t p = 1, s = 2;
  Augmenter aug(DLRT_AUGMENT_HFLIP | DLRT_AUGMENT_RANDOM_CROP |
                    DLRT_AUGMENT_SHIFT,
                p, s, 0, {1, 3, 3});
  const int64_t n = 6;
  std::vector<float> x;
  for (int64_t i = 0; i < n; ++i)
    for (float v : iota(9, float(10 * i + 1)))
      x.push_back(v);
  std::vector<float> expected = x, scratch(9);
  aug.geometric(x.data(), n, 42, 7);
  for (int64_t i = 0; i < n; ++i) {
    float *e = expected.data() + i * 9;
    Rng rng(Augmenter::sampleSeed(42, 7, i));
    if (rng.uniform() < 0.5)
      flipLastAxis(e, 1, 3, 3);
    int64_t oy = int64_t(rng.below(2 * p + 1)), ox = int64_t(rng.below(2 * p + 1));
    translate(e, 1, 3, 3, p - oy, p - ox, scratch.data());
    int64_t dy = int64_t(rng.below(2 * s + 1)) - s;
    int64_t dx = int64_t(rng.below(2 * s + 1)) - s;
    translate(e, 1, 3, 3, dy, dx, scratch.data());
  }
  EXPECT_EQ(x, expected);
  // Pinned: the streams themselves must not change, or old checkpoints
  // would resume onto other batches.
  Augmenter flip(DLRT_AUGMENT_HFLIP, 0, 0, 0, {1, 1, 2});
  std::vector<float> pairs;
  for (int i = 0; i < 8; ++i) {
    pairs.push_back(0);
    pairs.push_back(1);
  }
  flip.geometric(pairs.data(), 8, 0, 0);
  std::string flipped;
  for (int i = 0; i < 8; ++i)
    flipped += pairs[2 * i] == 1 ? '1' : '0';
  EXPECT_EQ(flipped, "01001010");
}

TEST(Augment, CropAndShiftStayInRange) {
  // On a 5x5 plane of ones, a move by (dy, dx) leaves (5-|dy|)(5-|dx|) ones.
  for (uint32_t flag : {uint32_t(DLRT_AUGMENT_RANDOM_CROP),
                        uint32_t(DLRT_AUGMENT_SHIFT)}) {
    Augmenter aug(flag, 1, 1, 0, {5, 5});
    const int64_t n = 200;
    std::vector<float> x(n * 25, 1.0f);
    aug.geometric(x.data(), n, 3, 0);
    std::set<int> counts;
    for (int64_t i = 0; i < n; ++i) {
      int ones = 0;
      for (int j = 0; j < 25; ++j)
        ones += x[i * 25 + j] == 1.0f;
      counts.insert(ones);
    }
    // |dy|, |dx| <= 1: 25, 20 or 16 ones, and all three occur.
    EXPECT_EQ(counts, (std::set<int>{16, 20, 25}));
  }
}

TEST(Augment, NoiseIsGaussianWithTheGivenStd) {
  Augmenter aug(DLRT_AUGMENT_NOISE, 0, 0, 0.1, {100});
  const int64_t n = 100;
  std::vector<float> x(n * 100, 1.0f);
  aug.noise(x.data(), n, 5, 9);
  double sum = 0, sq = 0;
  for (float v : x) {
    sum += v - 1;
    sq += (v - 1) * (v - 1);
  }
  double mean = sum / x.size(), sd = std::sqrt(sq / x.size() - mean * mean);
  EXPECT_NEAR(mean, 0, 0.005);
  EXPECT_NEAR(sd, 0.1, 0.005);
  // Exactly the normal deviates of the sample's noise stream.
  Rng rng(deriveSeed(Augmenter::sampleSeed(5, 9, 3), "noise", 0));
  for (int j = 0; j < 100; ++j)
    EXPECT_EQ(x[3 * 100 + j], 1.0f + float(0.1 * rng.normal()));
}

TEST(Augment, DeterministicInSeedStepAndPosition) {
  Augmenter aug(DLRT_AUGMENT_HFLIP | DLRT_AUGMENT_SHIFT | DLRT_AUGMENT_NOISE,
                0, 2, 0.5, {1, 4, 4});
  auto run = [&](uint64_t seed, int64_t step, int64_t n) {
    std::vector<float> x;
    for (int64_t i = 0; i < n; ++i)
      for (float v : iota(16))
        x.push_back(v);
    aug.geometric(x.data(), n, seed, step);
    aug.noise(x.data(), n, seed, step);
    return x;
  };
  EXPECT_EQ(run(1, 5, 8), run(1, 5, 8));
  EXPECT_NE(run(1, 5, 8), run(1, 6, 8));
  EXPECT_NE(run(1, 5, 8), run(2, 5, 8));
  // A sample's draws depend on its position, not on the batch size.
  std::vector<float> eight = run(1, 5, 8), three = run(1, 5, 3);
  EXPECT_TRUE(std::equal(three.begin(), three.end(), eight.begin()));
}

TEST(Augment, GeometricNeedsRankTwo) {
  EXPECT_DLRT_ERROR(Augmenter(DLRT_AUGMENT_HFLIP, 0, 0, 0, {10}),
                    "need samples of rank >= 2");
  // Noise fits any rank.
  Augmenter noise(DLRT_AUGMENT_NOISE, 0, 0, 0.1, {10});
  EXPECT_EQ(noise.flags(), uint32_t(DLRT_AUGMENT_NOISE));
}

namespace {
/// eval_step of a fake 3-class model: its logits are its inputs, its loss
/// the first input of the batch (so that each pass's loss is known).
int32_t inputsAsLogits(dlrt_step_args *a) {
  for (int64_t i = 0; i < a->n * 3; ++i)
    a->logits[i] = a->x[i];
  a->loss = a->x[0];
  return 0;
}
} // namespace

TEST(Augment, TtaAveragesTheProbabilitiesOfTheMirrorImage) {
  dlrt_model_desc d{};
  d.abi_version = DLRT_ABI_VERSION;
  d.name = "T";
  d.input_rank = 3;
  d.input_shape[0] = 1;
  d.input_shape[1] = 1;
  d.input_shape[2] = 3;
  d.label_kind = DLRT_LABEL_CLASS;
  d.num_classes = 3;
  d.num_outputs = 3;
  d.train.augment = DLRT_AUGMENT_HFLIP;
  d.train_step = inputsAsLogits;
  d.eval_step = inputsAsLogits;
  ModelState state(d, 0);
  RunConfig config;
  config.batch = 4;
  StepRunner runner(d, state, config);
  Dataset data;
  data.sampleSize = 3;
  data.x = {0, 1, 5, 2, 0, 0};
  data.y = {2, 0};
  data.count = 2;
  EvalResult r = runner.evaluateTta(data, {0, 1}, DLRT_METRIC_LOG_LOSS);
  // The label's probability, averaged over (0, 1, 5) and (5, 1, 0), and
  // over (2, 0, 0) and (0, 0, 2).
  double e = std::exp(1.0);
  double p0 = (std::pow(e, 5) + 1) / (2 * (1 + e + std::pow(e, 5)));
  double p1 = (e * e + 1) / (2 * (e * e + 2));
  EXPECT_NEAR(r.value(DLRT_METRIC_LOG_LOSS),
              -(std::log(p0) + std::log(p1)) / 2, 1e-6);
  // The loss: the mean of the passes', 0 (identity) and 5 (mirrored).
  EXPECT_DOUBLE_EQ(r.loss, 2.5);
  // Without TTA, the identity pass alone.
  EvalResult plain = runner.evaluate(data, {0, 1}, DLRT_METRIC_LOG_LOSS);
  EXPECT_DOUBLE_EQ(plain.loss, 0);
}
