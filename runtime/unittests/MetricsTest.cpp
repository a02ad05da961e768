//===- MetricsTest.cpp - Tests of the metrics -----------------------------===//
//
// Accuracy and macro precision/recall/F1 on hand-computed confusion matrices,
// and the metrics of every target kind (class labels, binary targets, float
// targets) and ROC AUC on hand-computed examples.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Metrics.h"

#include <gtest/gtest.h>

#include <cmath>

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

namespace {
TargetKind classKind(int32_t classes) {
  TargetKind k;
  k.label = DLRT_LABEL_CLASS;
  k.classes = classes;
  k.outputs = classes;
  return k;
}

TargetKind floatKind(int64_t outputs, bool binary, bool logits) {
  TargetKind k;
  k.label = DLRT_LABEL_FLOAT;
  k.outputs = outputs;
  k.binary = binary;
  k.logits = logits;
  return k;
}

double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }
} // namespace

TEST(MetricAccumulator, ClassLabels) {
  // Softmax of {0, ln 2, 0} is {1/4, 1/2, 1/4}; of {0, 0, 0} a third each.
  const float ln2 = static_cast<float>(std::log(2.0));
  float logits[] = {0, 0, 0, /**/ 0, ln2, 0, /**/ 0, ln2, 0};
  int64_t labels[] = {0, 1, 2};
  MetricAccumulator m(classKind(3), true);
  m.add(logits, labels, nullptr, 2);
  m.add(logits + 6, labels + 2, nullptr, 1); // batch by batch
  // Predictions 0 (first of ties), 1, 1: two of three right.
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_ACCURACY), 2.0 / 3);
  EXPECT_EQ(m.confusion().total(), 3);
  EXPECT_EQ(m.confusion().count(2, 1), 1);
  // Precision 1, 1/2, 0 (class 2 is never predicted but is a label).
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_PRECISION), (1 + 0.5 + 0) / 3);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_RECALL), (1 + 1 + 0) / 3.0);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_F1), (1 + 2.0 / 3 + 0) / 3);
  // Mean cross-entropy: -(ln 1/3 + ln 1/2 + ln 1/4) / 3.
  EXPECT_NEAR(m.value(DLRT_METRIC_LOG_LOSS),
              (std::log(3.0) + std::log(2.0) + std::log(4.0)) / 3, 1e-6);
  // Metrics of other target kinds do not apply.
  EXPECT_TRUE(std::isnan(m.value(DLRT_METRIC_MAE)));
  EXPECT_TRUE(std::isnan(m.value(DLRT_METRIC_RMSE)));
  EXPECT_TRUE(std::isnan(m.value(DLRT_METRIC_DICE)));
  EXPECT_TRUE(std::isnan(m.value(DLRT_METRIC_ROC_AUC)));
  EXPECT_EQ(m.headline(), uint32_t(DLRT_METRIC_ACCURACY));
}

TEST(MetricAccumulator, ClassLogLossIsStableForLargeLogits) {
  float logits[] = {1000, 0};
  int64_t label = 1;
  MetricAccumulator m(classKind(2), false);
  m.add(logits, &label, nullptr, 1);
  EXPECT_NEAR(m.value(DLRT_METRIC_LOG_LOSS), 1000, 1e-9);
}

TEST(MetricAccumulator, BinaryTargetsWithLogits) {
  // Two samples of two outputs; decisions logit >= 0: 1, 1, 1, 0.
  float logits[] = {2, 1, 0, -3};
  float targets[] = {1, 1, 0, 0};
  MetricAccumulator m(floatKind(2, true, true), true);
  m.add(logits, nullptr, targets, 2);
  // TP 2, FP 1 (the 0 logit), TN 1, FN 0, pooled over all elements.
  EXPECT_EQ(m.confusion().numClasses(), 2);
  EXPECT_EQ(m.confusion().count(1, 1), 2);
  EXPECT_EQ(m.confusion().count(0, 1), 1);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_ACCURACY), 3.0 / 4);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_PRECISION), 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_RECALL), 1.0);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_F1), 0.8);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_DICE), 4.0 / 5); // 2TP/(2TP+FP+FN)
  // Mean binary cross-entropy of sigmoid(logit).
  double expected = -(std::log(sigmoid(2)) + std::log(sigmoid(1)) +
                      std::log(1 - sigmoid(0)) + std::log(1 - sigmoid(-3))) /
                    4;
  EXPECT_NEAR(m.value(DLRT_METRIC_LOG_LOSS), expected, 1e-12);
  // Both positives score above both negatives.
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_ROC_AUC), 1.0);
  EXPECT_EQ(m.headline(), uint32_t(DLRT_METRIC_ACCURACY));
}

TEST(MetricAccumulator, BinaryTargetsWithProbabilities) {
  // Decisions p >= 0.5: 1, 1, 1, 0, 0.
  float probs[] = {0.9f, 0.8f, 0.5f, 0.3f, 0.1f};
  float targets[] = {1, 0, 0, 1, 0};
  MetricAccumulator m(floatKind(1, true, false), true);
  m.add(probs, nullptr, targets, 5);
  // TP 1, FP 2, FN 1, TN 1.
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_ACCURACY), 2.0 / 5);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_PRECISION), 1.0 / 3);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_RECALL), 1.0 / 2);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_F1), 2.0 / 5);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_DICE), 2.0 / 5);
  double expected = -(std::log(0.9) + std::log(1 - 0.8) + std::log(1 - 0.5) +
                      std::log(0.3) + std::log(1 - 0.1)) /
                    5;
  EXPECT_NEAR(m.value(DLRT_METRIC_LOG_LOSS), expected, 1e-6);
  // Positives 0.9, 0.3; negatives 0.8, 0.5, 0.1: 4 of 6 pairs ordered.
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_ROC_AUC), 4.0 / 6);
  // Errors of the probabilities: 0.1, 0.8, 0.5, 0.7, 0.1.
  EXPECT_NEAR(m.value(DLRT_METRIC_MAE), 2.2 / 5, 1e-6);
  EXPECT_NEAR(m.value(DLRT_METRIC_RMSE),
              std::sqrt((0.01 + 0.64 + 0.25 + 0.49 + 0.01) / 5), 1e-6);
  // Without kept scores there is no ROC AUC.
  MetricAccumulator noScores(floatKind(1, true, false), false);
  noScores.add(probs, nullptr, targets, 5);
  EXPECT_TRUE(std::isnan(noScores.value(DLRT_METRIC_ROC_AUC)));
  EXPECT_DOUBLE_EQ(noScores.value(DLRT_METRIC_ACCURACY), 2.0 / 5);
}

TEST(MetricAccumulator, BinaryDiceWithoutPositivesIsPerfect) {
  float probs[] = {0.1f, 0.2f};
  float targets[] = {0, 0};
  MetricAccumulator m(floatKind(2, true, false), true);
  m.add(probs, nullptr, targets, 1);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_DICE), 1.0);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_ACCURACY), 1.0);
  EXPECT_TRUE(std::isnan(m.value(DLRT_METRIC_ROC_AUC))); // no positive
}

TEST(MetricAccumulator, FloatTargets) {
  float outputs[] = {1, 2, 3, 4};
  float targets[] = {1.5f, 2, 1, 4};
  MetricAccumulator m(floatKind(2, false, false), true);
  m.add(outputs, nullptr, targets, 1);
  m.add(outputs + 2, nullptr, targets + 2, 1);
  // Errors 0.5, 0, 2, 0 over the 4 elements.
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_MAE), 2.5 / 4);
  EXPECT_DOUBLE_EQ(m.value(DLRT_METRIC_RMSE), std::sqrt(4.25 / 4));
  for (uint32_t flag : {DLRT_METRIC_ACCURACY, DLRT_METRIC_PRECISION,
                        DLRT_METRIC_RECALL, DLRT_METRIC_F1, DLRT_METRIC_DICE,
                        DLRT_METRIC_ROC_AUC, DLRT_METRIC_LOG_LOSS})
    EXPECT_TRUE(std::isnan(m.value(flag))) << metricKey(flag);
  EXPECT_EQ(m.headline(), uint32_t(DLRT_METRIC_MAE));
}

TEST(MetricAccumulator, EmptyIsZero) {
  MetricAccumulator c(classKind(3), false);
  EXPECT_EQ(c.value(DLRT_METRIC_ACCURACY), 0.0);
  EXPECT_EQ(c.value(DLRT_METRIC_LOG_LOSS), 0.0);
  MetricAccumulator f(floatKind(2, false, false), false);
  EXPECT_EQ(f.value(DLRT_METRIC_MAE), 0.0);
  EXPECT_EQ(f.value(DLRT_METRIC_RMSE), 0.0);
}

TEST(MetricAccumulator, TargetKindOfADescriptor) {
  dlrt_model_desc desc{};
  desc.label_kind = DLRT_LABEL_CLASS;
  desc.num_classes = 10;
  desc.num_outputs = 10;
  desc.train.loss_name = "cross_entropy";
  TargetKind classes = TargetKind::of(desc);
  EXPECT_EQ(classes.classes, 10);
  EXPECT_FALSE(classes.binary);
  EXPECT_EQ(classes.describe(), "10 classes");
  desc.label_kind = DLRT_LABEL_INPUT;
  desc.num_classes = 0;
  desc.target_size = desc.num_outputs = 784;
  desc.train.loss_name = "bce_with_logits";
  TargetKind input = TargetKind::of(desc);
  EXPECT_TRUE(input.binary);
  EXPECT_TRUE(input.logits);
  EXPECT_EQ(input.describe(), "784 binary targets (the input)");
  desc.label_kind = DLRT_LABEL_FLOAT;
  desc.target_size = desc.num_outputs = 1;
  desc.train.loss_name = "mse";
  TargetKind regression = TargetKind::of(desc);
  EXPECT_FALSE(regression.binary);
  EXPECT_EQ(regression.describe(), "1 float target");
  desc.train.loss_name = "bce";
  EXPECT_TRUE(TargetKind::of(desc).binary);
  EXPECT_FALSE(TargetKind::of(desc).logits);
}

TEST(RocAuc, TiesCountHalf) {
  // scikit-learn's example: y = 0, 0, 1, 1, scores 0.1, 0.4, 0.35, 0.8.
  EXPECT_DOUBLE_EQ(
      rocAuc({{0.1f, false}, {0.4f, false}, {0.35f, true}, {0.8f, true}}),
      0.75);
  // The positive 0.5 ties with the negative 0.5: half a pair.
  EXPECT_DOUBLE_EQ(
      rocAuc({{0.2f, false}, {0.5f, true}, {0.5f, false}, {0.9f, true}}),
      3.5 / 4);
  EXPECT_DOUBLE_EQ(rocAuc({{0.5f, true}, {0.5f, false}}), 0.5);
  EXPECT_DOUBLE_EQ(rocAuc({{0.9f, false}, {0.1f, true}}), 0.0);
}

TEST(RocAuc, NanWhenAClassIsAbsent) {
  EXPECT_TRUE(std::isnan(rocAuc({})));
  EXPECT_TRUE(std::isnan(rocAuc({{0.1f, true}, {0.7f, true}})));
  EXPECT_TRUE(std::isnan(rocAuc({{0.1f, false}, {0.7f, false}})));
}

TEST(Metrics, KeysOfEveryMetric) {
  EXPECT_STREQ(metricKey(DLRT_METRIC_ACCURACY), "acc");
  EXPECT_STREQ(metricKey(DLRT_METRIC_F1), "f1");
  EXPECT_STREQ(metricKey(DLRT_METRIC_DICE), "dice");
  EXPECT_STREQ(metricKey(DLRT_METRIC_ROC_AUC), "roc_auc");
  EXPECT_STREQ(metricKey(DLRT_METRIC_LOG_LOSS), "log_loss");
  EXPECT_STREQ(metricKey(DLRT_METRIC_MAE), "mae");
  EXPECT_STREQ(metricKey(DLRT_METRIC_RMSE), "rmse");
  EXPECT_STREQ(metricKey(0), "?");
}
