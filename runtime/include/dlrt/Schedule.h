//===- Schedule.h - Learning-rate schedules and early stopping --*- C++ -*-===//
//
// The runtime computes the learning rate of every step (the compiled step
// only receives it) and decides when to stop early. Both are pure functions
// of the configuration and of counters that checkpoints store, so a resumed
// run continues exactly where the interrupted one was.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_SCHEDULE_H
#define DLRT_SCHEDULE_H

#include "dlrt/dlrt.h"

#include <cstdint>
#include <string>

namespace dlrt {

/// The learning rate as a function of the global step (see
/// dlrt_schedule_kind for the formulas).
class LrSchedule {
public:
  /// `stepsPerEpoch` and `epochs` give the horizon of cosine and one-cycle.
  LrSchedule(const dlrt_schedule_desc &desc, double baseLr,
             int64_t stepsPerEpoch, int64_t epochs);

  /// Learning rate of global step `step` (0-based).
  double at(int64_t step) const;

  /// Peak learning rate of one_cycle (max_lr, or the base lr if unset).
  double peak() const { return desc.max_lr != 0.0 ? desc.max_lr : baseLr; }

  /// Display name, e.g. "one_cycle(max_lr=0.1, pct_start=0.3)".
  std::string describe() const;

private:
  dlrt_schedule_desc desc;
  double baseLr;
  int64_t stepsPerEpoch;
  int64_t totalSteps;
};

/// Name of a schedule kind ("constant", "step", ...).
const char *scheduleName(int32_t kind);

/// Early stopping on one monitored value.
class EarlyStopping {
public:
  /// `patience` 0 disables stopping; `higherIsBetter` for accuracies.
  EarlyStopping(int32_t patience, bool higherIsBetter, double minDelta);

  /// Records the value of one epoch; returns true if it is the best so far.
  bool update(double value);
  /// True once `patience` epochs in a row brought no improvement.
  bool shouldStop() const { return patience > 0 && wait >= patience; }

  /// State, as stored in checkpoints.
  bool hasBest = false;
  double best = 0;
  int32_t wait = 0;

private:
  int32_t patience;
  bool higherIsBetter;
  double minDelta;
};

/// Name of the value early stopping watches ("val_loss", "mae", ...).
std::string monitorName(const dlrt_early_stop_desc &rule);
/// Whether a higher watched value is better (accuracy) or a lower (loss).
bool monitorHigherIsBetter(const dlrt_early_stop_desc &rule);

} // namespace dlrt

#endif // DLRT_SCHEDULE_H
