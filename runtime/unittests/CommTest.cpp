//===- CommTest.cpp - Tests of the data-parallel arithmetic ---------------===//
//
// The shards of a batch, the packing of gradients and buffer changes into
// the one allreduce buffer (two ranks simulated by summing their packed
// buffers by hand), the metric sums that ranks add up, the replica checksum
// and the single-process communicator.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Comm.h"
#include "dlrt/Metrics.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace dlrt;

namespace {
int32_t noStep(dlrt_step_args *) { return 0; }

const dlrt_param_desc Params[] = {
    {"fc.w", DLRT_DTYPE_F32, 2, {3, 2}, DLRT_INIT_ZEROS, 1, {0, 0}, 3, 2, 0},
    {"bn.mean", DLRT_DTYPE_F32, 1, {2}, DLRT_INIT_ZEROS, 0, {0, 0}, 0, 0, 0},
    {"frozen.w", DLRT_DTYPE_F32, 1, {4}, DLRT_INIT_ONES, 0, {0, 0}, 0, 0, 1},
    {"fc.b", DLRT_DTYPE_F32, 1, {2}, DLRT_INIT_ZEROS, 1, {0, 0}, 0, 0, 0},
};

dlrt_model_desc descriptor() {
  dlrt_model_desc d{};
  d.abi_version = DLRT_ABI_VERSION;
  d.name = "T";
  d.num_params = 4;
  d.params = Params;
  d.input_rank = 1;
  d.input_shape[0] = 3;
  d.num_classes = 2;
  d.num_outputs = 2;
  d.train.optimizer.num_slots = 1;
  d.train.optimizer.slot_names[0] = "m";
  d.train_step = noStep;
  d.eval_step = noStep;
  return d;
}

void fill(float *p, size_t n, float start, float step) {
  for (size_t i = 0; i < n; ++i)
    p[i] = start + step * float(i);
}
} // namespace

TEST(Comm, ShardsCoverTheBatchInOrder) {
  for (int size = 1; size <= 5; ++size)
    for (int64_t n = 0; n <= 23; ++n) {
      int64_t next = 0, smallest = n, largest = 0;
      for (int r = 0; r < size; ++r) {
        Shard s = shardOf(n, r, size);
        EXPECT_EQ(s.begin, next) << "n " << n << " size " << size;
        EXPECT_GE(s.size(), 0);
        next = s.end;
        smallest = std::min(smallest, s.size());
        largest = std::max(largest, s.size());
      }
      EXPECT_EQ(next, n);
      EXPECT_LE(largest - smallest, 1);
    }
  // 7 samples on 3 ranks: 3, 2, 2; 1 sample on 2 ranks: rank 1 is empty.
  EXPECT_EQ(shardOf(7, 0, 3).size(), 3);
  EXPECT_EQ(shardOf(7, 2, 3).begin, 5);
  EXPECT_EQ(shardOf(1, 1, 2).size(), 0);
  EXPECT_EQ(shardOf(5, 3, 2).size(), 0); // no such rank
}

TEST(Comm, PackedSumIsTheWeightedMeanGradient) {
  dlrt_model_desc d = descriptor();
  ModelState a(d, 1), b(d, 1);
  a.initialise(1);
  b.initialise(1);
  GradientPacker pa(a), pb(b);
  // 6 + 2 gradient values, 2 buffer values (the frozen one is left out),
  // the loss and the stop flag.
  ASSERT_EQ(pa.size(), 6u + 2u + 2u + 2u);
  pa.rememberBuffers();
  pb.rememberBuffers();
  // Rank a: 3 samples, rank b: 1 sample of a batch of 4.
  fill(a.grad(0), 6, 1.0f, 1.0f);
  fill(b.grad(0), 6, -2.0f, 0.5f);
  fill(a.grad(3), 2, 4.0f, 0.0f);
  fill(b.grad(3), 2, 8.0f, 0.0f);
  // Each rank's step moved the running mean from 0 to its own value.
  fill(a.param(1), 2, 1.0f, 1.0f);
  fill(b.param(1), 2, 5.0f, 1.0f);
  pa.pack(true, 0.75f, 3 * 0.5, false);
  pb.pack(true, 0.25f, 1 * 2.0, true);
  for (size_t i = 0; i < pa.size(); ++i)
    pa.data()[i] += pb.data()[i];
  std::memcpy(pb.data(), pa.data(), pa.size() * sizeof(float));
  bool stopA = false, stopB = false;
  EXPECT_DOUBLE_EQ(pa.unpack(&stopA), 3.5);
  EXPECT_DOUBLE_EQ(pb.unpack(&stopB), 3.5);
  EXPECT_TRUE(stopA);
  EXPECT_TRUE(stopB);
  for (int i = 0; i < 6; ++i) {
    float expected = 0.75f * (1.0f + i) + 0.25f * (-2.0f + 0.5f * i);
    EXPECT_FLOAT_EQ(a.grad(0)[i], expected);
    EXPECT_FLOAT_EQ(b.grad(0)[i], expected);
  }
  EXPECT_FLOAT_EQ(a.grad(3)[0], 5.0f);
  // The buffers: the weighted mean of the ranks' values.
  EXPECT_FLOAT_EQ(a.param(1)[0], 0.75f * 1 + 0.25f * 5);
  EXPECT_FLOAT_EQ(b.param(1)[1], 0.75f * 2 + 0.25f * 6);
  // The frozen parameter is untouched.
  EXPECT_EQ(a.param(2)[0], 1.0f);
}

TEST(Comm, EmptyShardContributesNothingButItsStopFlag) {
  dlrt_model_desc d = descriptor();
  ModelState s(d, 1);
  s.initialise(1);
  GradientPacker p(s);
  p.rememberBuffers();
  fill(s.grad(0), 6, 9.0f, 1.0f); // stale scratch of an earlier step
  fill(s.param(1), 2, 3.0f, 0.0f);
  p.pack(false, 0.0f, 0.0, false);
  for (size_t i = 0; i + 1 < p.size(); ++i)
    EXPECT_EQ(p.data()[i], 0.0f);
  EXPECT_EQ(p.data()[p.size() - 1], 0.0f);
  p.pack(false, 0.0f, 0.0, true);
  EXPECT_EQ(p.data()[p.size() - 1], 1.0f);
}

TEST(Comm, UnchangedBuffersStayExact) {
  // A buffer no step changes keeps its bits whatever the weights (its change
  // is 0, not w * b summed back).
  dlrt_model_desc d = descriptor();
  ModelState s(d, 1);
  s.initialise(1);
  fill(s.param(1), 2, 0.1f, 0.7f);
  float before[2] = {s.param(1)[0], s.param(1)[1]};
  GradientPacker p(s);
  p.rememberBuffers();
  p.pack(true, 3.0f / 7.0f, 1.0, false);
  p.unpack(nullptr);
  EXPECT_EQ(std::memcmp(before, s.param(1), sizeof before), 0);
}

TEST(Comm, MetricSumsAddUpAcrossRanks) {
  TargetKind kind;
  kind.label = DLRT_LABEL_CLASS;
  kind.classes = 2;
  kind.outputs = 2;
  MetricAccumulator a(kind, false), b(kind, false), both(kind, false);
  const float outA[] = {1, 0, 0, 1, 1, 0};
  const int64_t yA[] = {0, 0, 1};
  const float outB[] = {0, 1};
  const int64_t yB[] = {1};
  a.add(outA, yA, nullptr, 3);
  b.add(outB, yB, nullptr, 1);
  both.add(outA, yA, nullptr, 3);
  both.add(outB, yB, nullptr, 1);
  std::vector<double> sum = a.sums(), other = b.sums();
  ASSERT_EQ(sum.size(), other.size());
  for (size_t i = 0; i < sum.size(); ++i)
    sum[i] += other[i];
  a.setSums(sum);
  EXPECT_EQ(a.sums(), both.sums());
  EXPECT_DOUBLE_EQ(a.value(DLRT_METRIC_ACCURACY),
                   both.value(DLRT_METRIC_ACCURACY));
  EXPECT_DOUBLE_EQ(a.value(DLRT_METRIC_ACCURACY), 0.5);
  EXPECT_DOUBLE_EQ(a.value(DLRT_METRIC_LOG_LOSS),
                   both.value(DLRT_METRIC_LOG_LOSS));
  EXPECT_THROW(a.setSums({1.0}), std::logic_error);
}

TEST(Comm, ChecksumSeesEveryValue) {
  dlrt_model_desc d = descriptor();
  ModelState s(d, 1);
  s.initialise(1);
  uint64_t h = stateChecksum(s);
  EXPECT_EQ(stateChecksum(s), h);
  s.optState(0, 3)[1] = 1e-30f;
  uint64_t h2 = stateChecksum(s);
  EXPECT_NE(h2, h);
  s.param(1)[0] = -0.0f; // another bit pattern than +0
  EXPECT_NE(stateChecksum(s), h2);
}

TEST(Comm, SingleProcess) {
  Comm &c = comm();
  EXPECT_EQ(c.rank(), 0);
  EXPECT_EQ(c.size(), 1);
  float v[2] = {1.5f, -2.0f};
  c.allreduceSum(v, 2);
  EXPECT_EQ(v[0], 1.5f);
  EXPECT_TRUE(c.any(true));
  EXPECT_FALSE(c.any(false));
  EXPECT_TRUE(c.same(0x123456789abcdefull));
}
