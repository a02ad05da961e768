//===- Metrics.cpp - Classification metrics -------------------------------===//
//
// Confusion-matrix bookkeeping and the metrics derived from it.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Metrics.h"

#include <fmt/format.h>

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

} // namespace dlrt
