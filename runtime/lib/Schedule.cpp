//===- Schedule.cpp - Learning-rate schedules and early stopping ----------===//
//
// Formulas of the schedules (zero fields take the defaults documented in
// dlrt.h) and the early-stopping counter.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Schedule.h"
#include "dlrt/vocabulary.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace dlrt {

static double orDefault(double value, double fallback) {
  return value != 0.0 ? value : fallback;
}

LrSchedule::LrSchedule(const dlrt_schedule_desc &desc, double baseLr,
                       int64_t stepsPerEpoch, int64_t epochs)
    : desc(desc), baseLr(baseLr),
      stepsPerEpoch(std::max<int64_t>(stepsPerEpoch, 1)),
      totalSteps(std::max<int64_t>(stepsPerEpoch * epochs, 1)) {}

/// Cosine interpolation from `from` (pct 0) to `to` (pct 1).
static double cosineBetween(double from, double to, double pct) {
  return to + (from - to) * 0.5 * (1.0 + std::cos(M_PI * pct));
}

double LrSchedule::at(int64_t step) const {
  int64_t epoch = step / stepsPerEpoch;
  switch (desc.kind) {
  case DLRT_SCHED_STEP: {
    int64_t every = desc.step_epochs > 0 ? desc.step_epochs : 1;
    return baseLr * std::pow(orDefault(desc.gamma, 0.1), double(epoch / every));
  }
  case DLRT_SCHED_EXPONENTIAL:
    return baseLr * std::pow(orDefault(desc.gamma, 0.95), double(epoch));
  case DLRT_SCHED_COSINE: {
    double pct = std::min(1.0, double(step) / double(totalSteps));
    return cosineBetween(baseLr, desc.min_lr, pct);
  }
  case DLRT_SCHED_ONE_CYCLE: {
    double peak = orDefault(desc.max_lr, baseLr);
    double initial = peak / orDefault(desc.div_factor, 25.0);
    double final = initial / orDefault(desc.final_div_factor, 1e4);
    // As PyTorch's OneCycleLR: rise until step pct*T - 1, fall until T - 1.
    double upEnd = orDefault(desc.pct_start, 0.3) * double(totalSteps) - 1.0;
    double downEnd = double(totalSteps) - 1.0;
    double s = double(step);
    if (s <= upEnd)
      return upEnd > 0 ? cosineBetween(initial, peak, s / upEnd) : peak;
    if (downEnd <= upEnd)
      return final;
    double pct = std::min(1.0, (s - upEnd) / (downEnd - upEnd));
    return cosineBetween(peak, final, pct);
  }
  case DLRT_SCHED_WARM_RESTARTS: {
    // The cycle that holds the fractional epoch e: cycles of t0, t0 * t_mult,
    // t0 * t_mult^2, ... epochs.
    double e = double(step) / double(stepsPerEpoch);
    double length = desc.t0 > 0 ? desc.t0 : 1;
    int32_t mult = desc.t_mult > 0 ? desc.t_mult : 1;
    double start = 0;
    if (mult == 1) {
      start = std::floor(e / length) * length;
    } else {
      while (e >= start + length) {
        start += length;
        length *= mult;
      }
    }
    return cosineBetween(baseLr, desc.min_lr, (e - start) / length);
  }
  case DLRT_SCHED_CONSTANT:
  default:
    return baseLr;
  }
}

const char *scheduleName(int32_t kind) {
  return vocab::nameOf(vocab::scheduleKinds, kind);
}

std::string LrSchedule::describe() const {
  switch (desc.kind) {
  case DLRT_SCHED_STEP:
    return fmt::format("step(every={}, gamma={})",
                       desc.step_epochs > 0 ? desc.step_epochs : 1,
                       orDefault(desc.gamma, 0.1));
  case DLRT_SCHED_EXPONENTIAL:
    return fmt::format("exponential(gamma={})", orDefault(desc.gamma, 0.95));
  case DLRT_SCHED_COSINE:
    return fmt::format("cosine(min_lr={})", desc.min_lr);
  case DLRT_SCHED_ONE_CYCLE:
    return fmt::format("one_cycle(max_lr={}, pct_start={})",
                       orDefault(desc.max_lr, baseLr),
                       orDefault(desc.pct_start, 0.3));
  case DLRT_SCHED_WARM_RESTARTS:
    return fmt::format("warm_restarts(t0={}, t_mult={}, min_lr={})",
                       desc.t0 > 0 ? desc.t0 : 1,
                       desc.t_mult > 0 ? desc.t_mult : 1, desc.min_lr);
  default:
    return scheduleName(desc.kind);
  }
}

EarlyStopping::EarlyStopping(int32_t patience, bool higherIsBetter,
                             double minDelta)
    : patience(patience), higherIsBetter(higherIsBetter), minDelta(minDelta) {}

bool EarlyStopping::update(double value) {
  bool improved = !hasBest || (higherIsBetter ? value > best + minDelta
                                              : value < best - minDelta);
  if (improved) {
    hasBest = true;
    best = value;
    wait = 0;
  } else {
    ++wait;
  }
  return improved;
}

std::string monitorName(const dlrt_early_stop_desc &rule) {
  std::string name = rule.validation ? "val_" : "";
  return name + (rule.metric == DLRT_WATCH_LOSS
                     ? "loss"
                     : vocab::nameOf(vocab::metricKinds, rule.metric));
}

bool monitorHigherIsBetter(const dlrt_early_stop_desc &rule) {
  if (rule.metric == DLRT_WATCH_LOSS)
    return false;
  return vocab::traitsOf(rule.metric).higherIsBetter;
}

} // namespace dlrt
