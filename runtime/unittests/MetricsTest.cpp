//===- MetricsTest.cpp - Tests of classification metrics ------------------===//
//
// Accuracy and macro precision/recall/F1 on hand-computed confusion matrices.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Metrics.h"

#include <gtest/gtest.h>

using namespace dlrt;

TEST(Metrics, ArgmaxTakesTheFirstMaximum) {
  float logits[] = {0.5f, 2.0f, 2.0f, -1.0f};
  EXPECT_EQ(argmax(logits, 4), 1);
  EXPECT_EQ(argmax(logits, 1), 0);
}

TEST(Metrics, HandComputedThreeClassCase) {
  // actual -> predicted: 0->0 x2, 0->1, 1->1 x2, 2->1, 2->2.
  ConfusionMatrix m(3);
  for (auto [a, p] : std::vector<std::pair<int, int>>{
           {0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 1}, {2, 1}, {2, 2}})
    m.add(a, p);
  EXPECT_EQ(m.total(), 7);
  EXPECT_EQ(m.count(0, 1), 1);
  EXPECT_DOUBLE_EQ(m.accuracy(), 5.0 / 7);
  // Precision: 2/2, 2/4, 1/1. Recall: 2/3, 2/2, 1/2.
  EXPECT_DOUBLE_EQ(m.precision(1), 0.5);
  EXPECT_DOUBLE_EQ(m.recall(0), 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.macroPrecision(), (1 + 0.5 + 1) / 3);
  EXPECT_DOUBLE_EQ(m.macroRecall(), (2.0 / 3 + 1 + 0.5) / 3);
  double f0 = 2 * 1 * (2.0 / 3) / (1 + 2.0 / 3);
  double f1 = 2 * 0.5 * 1 / 1.5;
  double f2 = 2 * 1 * 0.5 / 1.5;
  EXPECT_DOUBLE_EQ(m.macroF1(), (f0 + f1 + f2) / 3);
}

TEST(Metrics, FromLogitsAndAbsentClasses) {
  ConfusionMatrix m(4);
  float logits[] = {1, 0, 0, 0, /**/ 0, 1, 0, 0, /**/ 0, 1, 0, 0};
  int64_t labels[] = {0, 1, 0};
  m.add(logits, labels, 3, 4);
  EXPECT_DOUBLE_EQ(m.accuracy(), 2.0 / 3);
  // Classes 2 and 3 never occur: the macro averages ignore them.
  EXPECT_DOUBLE_EQ(m.macroPrecision(), (1 + 0.5) / 2);
  EXPECT_DOUBLE_EQ(m.macroRecall(), (0.5 + 1) / 2);
}

TEST(Metrics, EmptyAndDegenerateCases) {
  ConfusionMatrix m(2);
  EXPECT_EQ(m.accuracy(), 0.0);
  EXPECT_EQ(m.macroF1(), 0.0);
  m.add(0, 1); // never right
  EXPECT_EQ(m.f1(0), 0.0);
  EXPECT_EQ(m.precision(0), 0.0);
  m.add(5, 0); // out-of-range labels are ignored
  EXPECT_EQ(m.total(), 1);
  EXPECT_NE(m.format().find("0 |"), std::string::npos);
}
