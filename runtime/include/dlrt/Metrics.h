//===- Metrics.h - Metrics of every target kind -----------------*- C++ -*-===//
//
// Metrics are computed by the runtime from the outputs that the compiled
// steps write, batch by batch. Class labels go into a confusion matrix
// (accuracy and the macro-averaged precision, recall and F1 derive from it);
// binary and multi-label 0/1 targets into a pooled 2x2 one (dice, and the
// scores for ROC AUC); float targets into error sums (MAE, RMSE). Which
// metric applies to which target kind is in dlrt/vocabulary.h; the compiler
// refuses the others.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_METRICS_H
#define DLRT_METRICS_H

#include "dlrt/dlrt.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlrt {

/// Index of the largest of `count` logits (the first one on ties).
int64_t argmax(const float *logits, int64_t count);

/// A confusion matrix: counts[actual][predicted].
class ConfusionMatrix {
public:
  explicit ConfusionMatrix(int32_t numClasses);

  /// Adds the predictions (argmax of each row of `logits`, `numOutputs` per
  /// sample) of `n` samples with labels `labels`.
  void add(const float *logits, const int64_t *labels, int64_t n,
           int64_t numOutputs);
  /// Adds one (actual, predicted) pair.
  void add(int64_t actual, int64_t predicted);
  /// Every count, row-major, then the number of samples; and back.
  std::vector<int64_t> rawCounts() const;
  void setRawCounts(const std::vector<int64_t> &values);

  int32_t numClasses() const { return classes; }
  int64_t count(int64_t actual, int64_t predicted) const {
    return counts[actual * classes + predicted];
  }
  /// Number of samples seen.
  int64_t total() const { return samples; }

  /// Fraction of correct predictions (0 when empty).
  double accuracy() const;
  /// Per-class precision tp/(tp+fp), recall tp/(tp+fn) and F1 (their
  /// harmonic mean); a 0/0 ratio counts as 0.
  double precision(int64_t c) const;
  double recall(int64_t c) const;
  double f1(int64_t c) const;
  /// Macro averages over the classes that occur as a label or as a
  /// prediction (classes absent from both are ignored, as in scikit-learn).
  double macroPrecision() const;
  double macroRecall() const;
  double macroF1() const;

  /// The matrix as aligned text, rows = actual, columns = predicted.
  std::string format() const;

private:
  double macro(double (ConfusionMatrix::*metric)(int64_t) const) const;
  int64_t truePositives(int64_t c) const { return count(c, c); }
  int64_t predicted(int64_t c) const;
  int64_t actual(int64_t c) const;

  int32_t classes;
  int64_t samples = 0;
  std::vector<int64_t> counts;
};

/// What a model's outputs are compared with, from its descriptor.
struct TargetKind {
  /// A dlrt_label_kind.
  int32_t label = DLRT_LABEL_CLASS;
  /// DLRT_LABEL_CLASS: the number of classes.
  int32_t classes = 0;
  /// Outputs per sample.
  int64_t outputs = 0;
  /// 0/1 targets (the loss is bce or bce_with_logits): each output element
  /// is one binary decision.
  bool binary = false;
  /// The outputs are logits (bce_with_logits): the decision threshold is 0
  /// and the probability their sigmoid; otherwise they are probabilities.
  bool logits = false;

  static TargetKind of(const dlrt_model_desc &desc);
  /// "10 classes", "1 float target", "784 binary targets", ...
  std::string describe() const;
};

/// The metrics of one pass over some samples, accumulated batch by batch.
class MetricAccumulator {
public:
  /// `keepScores` keeps every binary score for ROC AUC.
  MetricAccumulator(const TargetKind &kind, bool keepScores);

  /// Adds `n` samples: `outputs` [n * outputs]; `labels` [n] for class
  /// labels, `targets` [n * outputs] otherwise (the other may be null).
  void add(const float *outputs, const int64_t *labels, const float *targets,
           int64_t n);

  /// The value of metric `flag` (a dlrt_metric_flag); NaN where it does not
  /// apply to the target kind. With no samples: 0, except dice (1, two
  /// empty sets match) and ROC AUC (NaN).
  double value(uint32_t flag) const;

  /// The confusion matrix: classes x classes, or 2 x 2 for binary targets.
  const ConfusionMatrix &confusion() const { return matrix; }
  const TargetKind &kind() const { return target; }

  /// The metric shown next to the loss while training: accuracy, or MAE
  /// for float targets.
  uint32_t headline() const;

  /// Data-parallel training: every count and sum as doubles (exact for
  /// counts below 2^53), so that the ranks' accumulators can be summed
  /// (Comm::allreduceSum) and set back with setSums. The ROC AUC scores are
  /// not among them: a reduced accumulator keeps this rank's scores.
  std::vector<double> sums() const;
  void setSums(const std::vector<double> &values);

private:
  TargetKind target;
  bool keepScores;
  ConfusionMatrix matrix;
  double absError = 0, squaredError = 0, logLoss = 0;
  int64_t elements = 0, samples = 0;
  /// Binary scores (probabilities) and their 0/1 targets, for ROC AUC.
  std::vector<std::pair<float, bool>> scores;
};

/// Area under the ROC curve of `scores` (score, positive?), ties counted
/// as half (Mann-Whitney U); NaN when one class is absent.
double rocAuc(std::vector<std::pair<float, bool>> scores);

/// Short name of a metric in logs ("acc", "f1", "mae", ...).
const char *metricKey(uint32_t flag);

} // namespace dlrt

#endif // DLRT_METRICS_H
