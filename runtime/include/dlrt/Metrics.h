//===- Metrics.h - Classification metrics -----------------------*- C++ -*-===//
//
// Metrics are computed by the runtime from the logits that the compiled steps
// write, batch by batch, into a confusion matrix: accuracy and the
// macro-averaged precision, recall and F1 all derive from it.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_METRICS_H
#define DLRT_METRICS_H

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

} // namespace dlrt

#endif // DLRT_METRICS_H
