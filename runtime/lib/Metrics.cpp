//===- Metrics.cpp - Metrics of every target kind -------------------------===//
//
// Confusion-matrix bookkeeping, error sums and ROC AUC; see Metrics.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Metrics.h"
#include "dlrt/Model.h"
#include "dlrt/vocabulary.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace dlrt {

int64_t argmax(const float *logits, int64_t count) {
  int64_t best = 0;
  for (int64_t i = 1; i < count; ++i)
    if (logits[i] > logits[best])
      best = i;
  return best;
}

ConfusionMatrix::ConfusionMatrix(int32_t numClasses)
    : classes(numClasses), counts(size_t(numClasses) * numClasses, 0) {}

void ConfusionMatrix::add(int64_t actualClass, int64_t predictedClass) {
  if (actualClass < 0 || actualClass >= classes || predictedClass < 0 ||
      predictedClass >= classes)
    return;
  ++counts[actualClass * classes + predictedClass];
  ++samples;
}

void ConfusionMatrix::add(const float *logits, const int64_t *labels, int64_t n,
                          int64_t numOutputs) {
  for (int64_t i = 0; i < n; ++i)
    add(labels[i], argmax(logits + i * numOutputs, numOutputs));
}

int64_t ConfusionMatrix::predicted(int64_t c) const {
  int64_t sum = 0;
  for (int64_t a = 0; a < classes; ++a)
    sum += count(a, c);
  return sum;
}

int64_t ConfusionMatrix::actual(int64_t c) const {
  int64_t sum = 0;
  for (int64_t p = 0; p < classes; ++p)
    sum += count(c, p);
  return sum;
}

static double ratio(int64_t num, int64_t den) {
  return den == 0 ? 0.0 : double(num) / double(den);
}

double ConfusionMatrix::accuracy() const {
  int64_t correct = 0;
  for (int64_t c = 0; c < classes; ++c)
    correct += count(c, c);
  return ratio(correct, samples);
}

double ConfusionMatrix::precision(int64_t c) const {
  return ratio(truePositives(c), predicted(c));
}

double ConfusionMatrix::recall(int64_t c) const {
  return ratio(truePositives(c), actual(c));
}

double ConfusionMatrix::f1(int64_t c) const {
  double p = precision(c), r = recall(c);
  return p + r == 0.0 ? 0.0 : 2.0 * p * r / (p + r);
}

double ConfusionMatrix::macro(double (ConfusionMatrix::*metric)(int64_t)
                                  const) const {
  double sum = 0;
  int64_t present = 0;
  for (int64_t c = 0; c < classes; ++c) {
    if (actual(c) == 0 && predicted(c) == 0)
      continue;
    sum += (this->*metric)(c);
    ++present;
  }
  return present == 0 ? 0.0 : sum / double(present);
}

double ConfusionMatrix::macroPrecision() const {
  return macro(&ConfusionMatrix::precision);
}
double ConfusionMatrix::macroRecall() const {
  return macro(&ConfusionMatrix::recall);
}
double ConfusionMatrix::macroF1() const { return macro(&ConfusionMatrix::f1); }

std::string ConfusionMatrix::format() const {
  int64_t widest = 1;
  for (int64_t v : counts)
    widest = std::max<int64_t>(widest, fmt::formatted_size("{}", v));
  int width = static_cast<int>(widest) + 1;
  std::string out = fmt::format("{:>6} |", "");
  for (int64_t p = 0; p < classes; ++p)
    out += fmt::format("{:>{}}", p, width);
  out += "\n";
  for (int64_t a = 0; a < classes; ++a) {
    out += fmt::format("{:>6} |", a);
    for (int64_t p = 0; p < classes; ++p)
      out += fmt::format("{:>{}}", count(a, p), width);
    out += "\n";
  }
  return out;
}

TargetKind TargetKind::of(const dlrt_model_desc &desc) {
  TargetKind k;
  k.label = desc.label_kind;
  k.classes = desc.label_kind == DLRT_LABEL_CLASS ? desc.num_classes : 0;
  // An explicit step's outputs (its `show` values) are not measured.
  // A sequence model's outputs are scores per position: each position is
  // measured as a sample of its own.
  k.outputs =
      desc.num_step_losses > 0 ? 0 : desc.num_outputs / labelsPerSample(desc);
  const char *loss = desc.train.loss_name ? desc.train.loss_name : "";
  k.binary = desc.label_kind != DLRT_LABEL_CLASS &&
             (std::strcmp(loss, "bce") == 0 ||
              std::strcmp(loss, "bce_with_logits") == 0);
  k.logits = std::strcmp(loss, "bce_with_logits") == 0;
  return k;
}

std::string TargetKind::describe() const {
  if (label == DLRT_LABEL_CLASS)
    return fmt::format("{} classes", classes);
  return fmt::format("{} {}target{}{}", outputs, binary ? "binary " : "float ",
                     outputs == 1 ? "" : "s",
                     label == DLRT_LABEL_INPUT        ? " (the input)"
                     : label == DLRT_LABEL_INPUT_MASK ? " (the input's mask)"
                                                      : "");
}

MetricAccumulator::MetricAccumulator(const TargetKind &kind, bool keepScores)
    : target(kind), keepScores(keepScores && kind.binary),
      matrix(kind.label == DLRT_LABEL_CLASS ? kind.classes
                                            : (kind.binary ? 2 : 0)) {}

/// log(1 + exp(z)) without overflow.
static double softplus(double z) {
  return std::max(z, 0.0) + std::log1p(std::exp(-std::fabs(z)));
}

void MetricAccumulator::add(const float *outputs, const int64_t *labels,
                            const float *targets, int64_t n) {
  const int64_t k = target.outputs;
  samples += n;
  if (target.label == DLRT_LABEL_CLASS) {
    for (int64_t i = 0; i < n; ++i) {
      const float *z = outputs + i * k;
      matrix.add(labels[i], argmax(z, k));
      // Cross-entropy of the softmax, stably.
      double top = *std::max_element(z, z + k), sum = 0;
      for (int64_t c = 0; c < k; ++c)
        sum += std::exp(double(z[c]) - top);
      if (labels[i] >= 0 && labels[i] < k)
        logLoss += top + std::log(sum) - double(z[labels[i]]);
    }
    return;
  }
  for (int64_t e = 0, count = n * k; e < count; ++e) {
    double y = outputs[e], t = targets[e];
    // Errors of probabilities, not of logits.
    double p = target.logits ? 1.0 / (1.0 + std::exp(-y)) : y;
    absError += std::fabs(p - t);
    squaredError += (p - t) * (p - t);
    if (!target.binary)
      continue;
    bool positive = t >= 0.5;
    matrix.add(positive, target.logits ? y >= 0 : y >= 0.5);
    if (target.logits) {
      // The same formula as bce_with_logits, for any target in [0, 1].
      logLoss += softplus(y) - t * y;
    } else {
      // Probabilities clipped as scikit-learn's log_loss does.
      double q = std::clamp(p, 1e-7, 1 - 1e-7);
      logLoss -= t * std::log(q) + (1 - t) * std::log(1 - q);
    }
    if (keepScores)
      scores.emplace_back(static_cast<float>(p), positive);
  }
  elements += n * k;
}

double MetricAccumulator::value(uint32_t flag) const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  bool classes = target.label == DLRT_LABEL_CLASS;
  bool decisions = classes || target.binary;
  // Whether the metric applies: the vocabulary's table.
  for (const vocab::Entry &m : vocab::metricKinds)
    if ((1u << m.value) == flag) {
      uint32_t mine = classes         ? vocab::kForClasses
                      : target.binary ? vocab::kForBinary
                                      : vocab::kForFloat;
      if (!(vocab::traitsOf(m.value).targets & mine))
        return nan;
    }
  auto mean = [&](double sum, int64_t count) {
    return count == 0 ? 0.0 : sum / double(count);
  };
  switch (flag) {
  case DLRT_METRIC_ACCURACY:
    return decisions ? matrix.accuracy() : nan;
  // Binary decisions: of the positive class; classes: macro averages.
  case DLRT_METRIC_PRECISION:
    return classes ? matrix.macroPrecision()
                   : (target.binary ? matrix.precision(1) : nan);
  case DLRT_METRIC_RECALL:
    return classes ? matrix.macroRecall()
                   : (target.binary ? matrix.recall(1) : nan);
  case DLRT_METRIC_F1:
    return classes ? matrix.macroF1() : (target.binary ? matrix.f1(1) : nan);
  case DLRT_METRIC_DICE: {
    if (!target.binary)
      return nan;
    int64_t tp = matrix.count(1, 1), fp = matrix.count(0, 1),
            fn = matrix.count(1, 0);
    // Both empty: a perfect match.
    return tp + fp + fn == 0 ? 1.0 : 2.0 * tp / double(2 * tp + fp + fn);
  }
  case DLRT_METRIC_ROC_AUC:
    return target.binary ? rocAuc(scores) : nan;
  case DLRT_METRIC_LOG_LOSS:
    return classes ? mean(logLoss, samples)
                   : (target.binary ? mean(logLoss, elements) : nan);
  case DLRT_METRIC_MAE:
    return classes ? nan : mean(absError, elements);
  case DLRT_METRIC_RMSE:
    return classes ? nan : std::sqrt(mean(squaredError, elements));
  }
  return nan;
}

uint32_t MetricAccumulator::headline() const {
  if (target.outputs == 0)
    return 0;
  return target.label == DLRT_LABEL_CLASS || target.binary
             ? DLRT_METRIC_ACCURACY
             : DLRT_METRIC_MAE;
}

double rocAuc(std::vector<std::pair<float, bool>> scores) {
  std::sort(scores.begin(), scores.end(),
            [](const auto &a, const auto &b) { return a.first < b.first; });
  // Sum of the (tie-averaged, 1-based) ranks of the positives.
  double rankSum = 0;
  int64_t positives = 0;
  for (size_t i = 0; i < scores.size();) {
    size_t j = i;
    int64_t pos = 0;
    while (j < scores.size() && scores[j].first == scores[i].first)
      pos += scores[j++].second;
    double rank = (double(i + 1) + double(j)) / 2;
    rankSum += rank * double(pos);
    positives += pos;
    i = j;
  }
  int64_t negatives = int64_t(scores.size()) - positives;
  if (positives == 0 || negatives == 0)
    return std::numeric_limits<double>::quiet_NaN();
  return (rankSum - double(positives) * double(positives + 1) / 2) /
         (double(positives) * double(negatives));
}

const char *metricKey(uint32_t flag) {
  switch (flag) {
  case DLRT_METRIC_ACCURACY:
    return "acc";
  case DLRT_METRIC_PRECISION:
    return "precision";
  case DLRT_METRIC_RECALL:
    return "recall";
  case DLRT_METRIC_F1:
    return "f1";
  case DLRT_METRIC_CONFUSION:
    return "confusion";
  case DLRT_METRIC_DICE:
    return "dice";
  case DLRT_METRIC_ROC_AUC:
    return "roc_auc";
  case DLRT_METRIC_LOG_LOSS:
    return "log_loss";
  case DLRT_METRIC_MAE:
    return "mae";
  case DLRT_METRIC_RMSE:
    return "rmse";
  }
  return "?";
}

std::vector<int64_t> ConfusionMatrix::rawCounts() const {
  std::vector<int64_t> v(counts);
  v.push_back(samples);
  return v;
}

void ConfusionMatrix::setRawCounts(const std::vector<int64_t> &values) {
  if (values.size() != counts.size() + 1)
    throw std::logic_error("ConfusionMatrix::setRawCounts: wrong size");
  std::copy(values.begin(), values.end() - 1, counts.begin());
  samples = values.back();
}

std::vector<double> MetricAccumulator::sums() const {
  std::vector<double> v;
  for (int64_t c : matrix.rawCounts())
    v.push_back(double(c));
  v.insert(v.end(), {absError, squaredError, logLoss, double(elements),
                     double(samples)});
  return v;
}

void MetricAccumulator::setSums(const std::vector<double> &values) {
  std::vector<int64_t> counts = matrix.rawCounts();
  if (values.size() != counts.size() + 5)
    throw std::logic_error("MetricAccumulator::setSums: wrong size");
  for (size_t i = 0; i < counts.size(); ++i)
    counts[i] = int64_t(values[i]);
  matrix.setRawCounts(counts);
  const double *rest = values.data() + counts.size();
  absError = rest[0];
  squaredError = rest[1];
  logLoss = rest[2];
  elements = int64_t(rest[3]);
  samples = int64_t(rest[4]);
}

} // namespace dlrt
