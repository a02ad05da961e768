//===- BalanceTest.cpp - Class-balanced epochs and k-fold partitions ------===//
//
// balancedOrder / balancedEpochLength (balance = ...) and foldPartition
// (folds = k) of dlrt/Dataset.h: exact class counts of over- and
// undersampling, the weighted sampler's class frequencies on a skewed set,
// determinism by (seed, epoch), and the folds' disjointness, cover and
// sizes.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Dataset.h"
#include "dlrt/dlrt.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>

using namespace dlrt;

namespace {

/// A skewed 3-class set: 89 samples of class 0, 9 of class 1, 2 of class 2,
/// interleaved; every index is a training sample.
struct Skewed {
  std::vector<int64_t> labels, indices;
  Skewed() {
    for (int64_t i = 0; i < 100; ++i) {
      labels.push_back(i % 50 == 7 ? 2 : i % 12 == 3 ? 1 : 0);
      indices.push_back(i);
    }
  }
};

std::vector<int64_t> countsOf(const std::vector<int64_t> &order,
                              const std::vector<int64_t> &labels) {
  return classCounts(order, labels, 3);
}

} // namespace

TEST(Balance, SkewedSetHasTheIntendedCounts) {
  Skewed s;
  EXPECT_EQ(countsOf(s.indices, s.labels), (std::vector<int64_t>{89, 9, 2}));
}

TEST(Balance, NoneIsTheEpochOrder) {
  Skewed s;
  EXPECT_EQ(balancedOrder(s.indices, s.labels, 3, DLRT_BALANCE_NONE, 5, 2),
            epochOrder(s.indices, 5, 2));
  EXPECT_EQ(balancedEpochLength(s.indices, s.labels, 3, DLRT_BALANCE_NONE),
            100);
}

TEST(Balance, OversampleRepeatsEveryClassUpToTheLargest) {
  Skewed s;
  EXPECT_EQ(
      balancedEpochLength(s.indices, s.labels, 3, DLRT_BALANCE_OVERSAMPLE),
      267);
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    std::vector<int64_t> order = balancedOrder(
        s.indices, s.labels, 3, DLRT_BALANCE_OVERSAMPLE, 11, epoch);
    ASSERT_EQ(order.size(), 267u);
    EXPECT_EQ(countsOf(order, s.labels), (std::vector<int64_t>{89, 89, 89}));
    // Every original sample is in it (the copies come on top).
    std::set<int64_t> seen(order.begin(), order.end());
    EXPECT_EQ(seen.size(), 100u);
  }
}

TEST(Balance, OversampleDrawsDistinctCopiesFirst) {
  // Class 0: 6 samples, class 1: 4. Class 1 gets 2 extra copies, which are
  // distinct samples: no sample of class 1 appears more than twice.
  std::vector<int64_t> labels = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
  std::vector<int64_t> indices = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::vector<int64_t> order =
        balancedOrder(indices, labels, 2, DLRT_BALANCE_OVERSAMPLE, seed, 0);
    ASSERT_EQ(order.size(), 12u);
    for (int64_t i = 6; i < 10; ++i) {
      int64_t n = std::count(order.begin(), order.end(), i);
      EXPECT_GE(n, 1);
      EXPECT_LE(n, 2);
    }
    for (int64_t i = 0; i < 6; ++i)
      EXPECT_EQ(std::count(order.begin(), order.end(), i), 1);
  }
}

TEST(Balance, UndersampleCutsEveryClassToTheSmallest) {
  Skewed s;
  EXPECT_EQ(
      balancedEpochLength(s.indices, s.labels, 3, DLRT_BALANCE_UNDERSAMPLE),
      6);
  std::set<std::vector<int64_t>> subsets;
  for (int64_t epoch = 0; epoch < 5; ++epoch) {
    std::vector<int64_t> order = balancedOrder(
        s.indices, s.labels, 3, DLRT_BALANCE_UNDERSAMPLE, 3, epoch);
    ASSERT_EQ(order.size(), 6u);
    EXPECT_EQ(countsOf(order, s.labels), (std::vector<int64_t>{2, 2, 2}));
    // A subset: no sample twice.
    std::set<int64_t> distinct(order.begin(), order.end());
    EXPECT_EQ(distinct.size(), 6u);
    std::vector<int64_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    subsets.insert(sorted);
  }
  // A new subset of class 0 (89 choose 2) nearly every epoch.
  EXPECT_GT(subsets.size(), 1u);
}

TEST(Balance, WeightedSamplerEqualisesTheClassFrequencies) {
  Skewed s;
  EXPECT_EQ(balancedEpochLength(s.indices, s.labels, 3,
                                DLRT_BALANCE_WEIGHTED_SAMPLER),
            100);
  // 200 epochs of 100 draws: each class is drawn with probability 1/3,
  // 6667 expected of 20000, std ~67; allow 5 %.
  std::vector<int64_t> total(3, 0);
  for (int64_t epoch = 0; epoch < 200; ++epoch) {
    std::vector<int64_t> order = balancedOrder(
        s.indices, s.labels, 3, DLRT_BALANCE_WEIGHTED_SAMPLER, 42, epoch);
    ASSERT_EQ(order.size(), 100u);
    std::vector<int64_t> c = countsOf(order, s.labels);
    for (int k = 0; k < 3; ++k)
      total[k] += c[k];
  }
  for (int k = 0; k < 3; ++k) {
    EXPECT_GT(total[k], 20000 / 3 * 0.95) << "class " << k;
    EXPECT_LT(total[k], 20000 / 3 * 1.05) << "class " << k;
  }
  // With replacement: the 2 samples of class 2 come back many times.
  std::vector<int64_t> order = balancedOrder(
      s.indices, s.labels, 3, DLRT_BALANCE_WEIGHTED_SAMPLER, 42, 0);
  EXPECT_LT(std::set<int64_t>(order.begin(), order.end()).size(), 100u);
}

TEST(Balance, IsAPureFunctionOfSeedAndEpoch) {
  Skewed s;
  for (int32_t kind : {DLRT_BALANCE_WEIGHTED_SAMPLER, DLRT_BALANCE_OVERSAMPLE,
                       DLRT_BALANCE_UNDERSAMPLE}) {
    std::vector<int64_t> a =
        balancedOrder(s.indices, s.labels, 3, kind, 7, 4);
    EXPECT_EQ(a, balancedOrder(s.indices, s.labels, 3, kind, 7, 4))
        << "kind " << kind;
    EXPECT_NE(a, balancedOrder(s.indices, s.labels, 3, kind, 7, 5))
        << "kind " << kind;
    EXPECT_NE(a, balancedOrder(s.indices, s.labels, 3, kind, 8, 4))
        << "kind " << kind;
  }
}

TEST(Balance, OnlyTheGivenIndicesAreUsed) {
  // A training split of the even samples: nothing else may appear.
  Skewed s;
  std::vector<int64_t> even;
  for (int64_t i = 0; i < 100; i += 2)
    even.push_back(i);
  for (int32_t kind : {DLRT_BALANCE_WEIGHTED_SAMPLER, DLRT_BALANCE_OVERSAMPLE,
                       DLRT_BALANCE_UNDERSAMPLE})
    for (int64_t i : balancedOrder(even, s.labels, 3, kind, 1, 0))
      EXPECT_EQ(i % 2, 0) << "kind " << kind;
}

TEST(Balance, ALabelOutsideTheClassesIsAnError) {
  std::vector<int64_t> labels = {0, 1, 5};
  EXPECT_THROW(classCounts({0, 1, 2}, labels, 2), std::exception);
}

TEST(Folds, DisjointCoveringAndEvenSized) {
  for (int64_t n : {10, 11, 17, 100, 101}) {
    for (int32_t k : {2, 3, 5, 10}) {
      std::vector<std::vector<int64_t>> folds = foldPartition(n, k, 9);
      ASSERT_EQ(folds.size(), size_t(k));
      std::vector<int64_t> all;
      size_t smallest = SIZE_MAX, largest = 0;
      for (const std::vector<int64_t> &f : folds) {
        EXPECT_TRUE(std::is_sorted(f.begin(), f.end()));
        all.insert(all.end(), f.begin(), f.end());
        smallest = std::min(smallest, f.size());
        largest = std::max(largest, f.size());
      }
      std::sort(all.begin(), all.end());
      std::vector<int64_t> expected(n);
      for (int64_t i = 0; i < n; ++i)
        expected[i] = i;
      EXPECT_EQ(all, expected) << "n " << n << ", k " << k;
      EXPECT_LE(largest - smallest, 1u) << "n " << n << ", k " << k;
    }
  }
}

TEST(Folds, DependOnTheSeedOnly) {
  EXPECT_EQ(foldPartition(50, 5, 3), foldPartition(50, 5, 3));
  EXPECT_NE(foldPartition(50, 5, 3), foldPartition(50, 5, 4));
  // Not the identity cut: a permutation.
  EXPECT_NE(foldPartition(50, 5, 3)[0],
            (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(Folds, TooFewSamplesOrFoldsAreErrors) {
  EXPECT_THROW(foldPartition(3, 4, 0), std::exception);
  EXPECT_THROW(foldPartition(10, 1, 0), std::exception);
}
