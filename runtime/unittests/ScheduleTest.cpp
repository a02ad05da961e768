//===- ScheduleTest.cpp - Tests of schedules and early stopping -----------===//
//
// Learning rates at known steps for every schedule kind, the patience
// counter of early stopping and the value it watches.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Schedule.h"
#include "dlrt/vocabulary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace dlrt;

namespace {
dlrt_schedule_desc kind(int32_t k) {
  dlrt_schedule_desc d{};
  d.kind = k;
  return d;
}
} // namespace

TEST(Schedule, Constant) {
  LrSchedule s(kind(DLRT_SCHED_CONSTANT), 0.1, 10, 3);
  EXPECT_DOUBLE_EQ(s.at(0), 0.1);
  EXPECT_DOUBLE_EQ(s.at(29), 0.1);
}

TEST(Schedule, StepDecaysEveryNEpochs) {
  dlrt_schedule_desc d = kind(DLRT_SCHED_STEP);
  d.step_epochs = 2;
  d.gamma = 0.5;
  LrSchedule s(d, 1.0, 10, 6);
  EXPECT_DOUBLE_EQ(s.at(0), 1.0);
  EXPECT_DOUBLE_EQ(s.at(19), 1.0);  // still epoch 1
  EXPECT_DOUBLE_EQ(s.at(20), 0.5);  // epoch 2
  EXPECT_DOUBLE_EQ(s.at(45), 0.25); // epoch 4
  // Defaults: every epoch, gamma 0.1.
  LrSchedule def(kind(DLRT_SCHED_STEP), 1.0, 10, 3);
  EXPECT_NEAR(def.at(10), 0.1, 1e-15);
}

TEST(Schedule, Exponential) {
  dlrt_schedule_desc d = kind(DLRT_SCHED_EXPONENTIAL);
  d.gamma = 0.9;
  LrSchedule s(d, 2.0, 5, 4);
  EXPECT_DOUBLE_EQ(s.at(4), 2.0);
  EXPECT_NEAR(s.at(5), 1.8, 1e-12);
  EXPECT_NEAR(s.at(15), 2.0 * 0.729, 1e-12);
}

TEST(Schedule, CosineFromLrToMinLr) {
  dlrt_schedule_desc d = kind(DLRT_SCHED_COSINE);
  d.min_lr = 0.01;
  LrSchedule s(d, 0.11, 10, 10); // 100 steps
  EXPECT_DOUBLE_EQ(s.at(0), 0.11);
  EXPECT_NEAR(s.at(50), 0.06, 1e-12);
  EXPECT_NEAR(s.at(100), 0.01, 1e-12);
  EXPECT_NEAR(s.at(1000), 0.01, 1e-12);
  EXPECT_LT(s.at(51), s.at(50));
}

// PyTorch's CosineAnnealingWarmRestarts(T_0, T_mult, eta_min) stepped with
// the fractional epoch: eta_min + (lr - eta_min) (1 + cos(pi T_cur / T_i)) / 2.
TEST(Schedule, WarmRestartsRestartAfterEachLongerCycle) {
  dlrt_schedule_desc d = kind(DLRT_SCHED_WARM_RESTARTS);
  d.t0 = 2;
  d.t_mult = 2;
  d.min_lr = 0.1;
  LrSchedule s(d, 1.1, 10, 14); // cycles of 2, 4, 8 epochs
  EXPECT_DOUBLE_EQ(s.at(0), 1.1);
  EXPECT_NEAR(s.at(10), 0.6, 1e-12);  // e = 1: half of the first cycle
  EXPECT_NEAR(s.at(5), 0.1 + 0.5 * (1 + std::cos(M_PI / 4)), 1e-12);
  EXPECT_LT(s.at(19), 0.11);          // end of the first cycle
  EXPECT_DOUBLE_EQ(s.at(20), 1.1);    // e = 2: restart
  EXPECT_NEAR(s.at(40), 0.6, 1e-12);  // e = 4: half of the 4-epoch cycle
  EXPECT_DOUBLE_EQ(s.at(60), 1.1);    // e = 6: restart
  EXPECT_NEAR(s.at(100), 0.6, 1e-12); // e = 10: half of the 8-epoch cycle
  // t_mult 1 (the default): every cycle t0 epochs.
  dlrt_schedule_desc same = kind(DLRT_SCHED_WARM_RESTARTS);
  same.t0 = 3;
  LrSchedule t(same, 1.0, 10, 9);
  EXPECT_NEAR(t.at(15), 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(t.at(30), 1.0);
  EXPECT_NEAR(t.at(75), 0.5, 1e-12);
  EXPECT_EQ(t.describe(), "warm_restarts(t0=3, t_mult=1, min_lr=0)");
}

TEST(Schedule, OneCycleMatchesPyTorchShape) {
  dlrt_schedule_desc d = kind(DLRT_SCHED_ONE_CYCLE);
  d.max_lr = 1.0;
  d.pct_start = 0.25;
  LrSchedule s(d, 0.1, 101, 1); // 101 steps: rise to step 24.25, fall to 100
  EXPECT_NEAR(s.at(0), 1.0 / 25, 1e-12);
  double up = 0.25 * 101 - 1;
  EXPECT_GT(s.at(24), 0.99);
  EXPECT_NEAR(s.at(24),
              1.0 / 25 + (1 - 1.0 / 25) * 0.5 * (1 - std::cos(M_PI * 24 / up)),
              1e-12);
  EXPECT_NEAR(s.at(100), 1.0 / 25 / 1e4, 1e-15);
  for (int i = 25; i < 100; ++i)
    EXPECT_LE(s.at(i + 1), s.at(i));
  // max_lr defaults to the base lr.
  LrSchedule base(kind(DLRT_SCHED_ONE_CYCLE), 0.5, 10, 1);
  EXPECT_NEAR(base.at(0), 0.5 / 25, 1e-12);
}

TEST(EarlyStopping, CountsEpochsWithoutImprovement) {
  EarlyStopping lower(2, false, 0.0);
  EXPECT_TRUE(lower.update(1.0));
  EXPECT_TRUE(lower.update(0.9));
  EXPECT_FALSE(lower.update(0.95));
  EXPECT_FALSE(lower.shouldStop());
  EXPECT_FALSE(lower.update(0.9)); // equal is no improvement
  EXPECT_TRUE(lower.shouldStop());
  EXPECT_DOUBLE_EQ(lower.best, 0.9);

  EarlyStopping higher(1, true, 0.05);
  higher.update(0.5);
  EXPECT_FALSE(higher.update(0.54)); // within min_delta
  EXPECT_TRUE(higher.shouldStop());

  EarlyStopping off(0, false, 0.0);
  for (int i = 0; i < 10; ++i)
    off.update(1.0);
  EXPECT_FALSE(off.shouldStop());
}

namespace {
/// Early stopping on `metric` (DLRT_WATCH_LOSS or a metric's name).
dlrt_early_stop_desc watch(const char *metric, bool validation) {
  dlrt_early_stop_desc d{};
  d.patience = 3;
  d.metric = std::strcmp(metric, "loss") == 0
                 ? DLRT_WATCH_LOSS
                 : vocab::valueOf(vocab::metricKinds, metric);
  d.validation = validation ? 1 : 0;
  return d;
}
} // namespace

TEST(EarlyStopping, MonitorNames) {
  EXPECT_EQ(monitorName(watch("loss", true)), "val_loss");
  EXPECT_EQ(monitorName(watch("loss", false)), "loss");
  EXPECT_EQ(monitorName(watch("mae", false)), "mae");
  EXPECT_EQ(monitorName(watch("accuracy", true)), "val_accuracy");
  EXPECT_EQ(monitorName(watch("roc_auc", true)), "val_roc_auc");
  // The metric is the bit index of its flag.
  EXPECT_EQ(watch("mae", false).metric, 8);
  EXPECT_EQ(1u << watch("mae", false).metric, uint32_t(DLRT_METRIC_MAE));
}

TEST(EarlyStopping, ErrorsImproveDownwardsTheOthersUpwards) {
  for (const char *lower : {"loss", "log_loss", "mae", "rmse"})
    for (bool validation : {false, true})
      EXPECT_FALSE(monitorHigherIsBetter(watch(lower, validation)))
          << lower << " " << validation;
  for (const char *higher :
       {"accuracy", "precision", "recall", "f1", "dice", "roc_auc"})
    EXPECT_TRUE(monitorHigherIsBetter(watch(higher, true))) << higher;
}
