//===- ModelTest.cpp - Tests of model state and initialisation ------------===//
//
// Deterministic initialisers, descriptor validation and checkpoint round
// trips (weights, optimiser state, buffers) with shape checks.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Model.h"
#include "TestUtil.h"
#include "dlrt/Random.h"
#include "dlrt/SafeTensors.h"

#include <cmath>

using namespace dlrt;
using namespace dlrt::test;

namespace {
int32_t noStep(dlrt_step_args *) { return 0; }

const dlrt_param_desc Params[] = {
    {"fc.w",
     DLRT_DTYPE_F32,
     2,
     {30, 20},
     DLRT_INIT_GLOROT_UNIFORM,
     1,
     {0, 0},
     30,
     20,
     0},
    {"fc.b", DLRT_DTYPE_F32, 1, {20}, DLRT_INIT_CONSTANT, 1, {0.25f, 0}, 0, 0, 0},
    {"n.w", DLRT_DTYPE_F32, 1, {1000}, DLRT_INIT_NORMAL, 1, {1.0f, 0.1f}, 0, 0, 0},
    {"bn.mean", DLRT_DTYPE_F32, 1, {20}, DLRT_INIT_ZEROS, 0, {0, 0}, 0, 0, 0},
};

dlrt_model_desc descriptor() {
  dlrt_model_desc d{};
  d.abi_version = DLRT_ABI_VERSION;
  d.name = "T";
  d.num_params = 4;
  d.params = Params;
  d.input_rank = 1;
  d.input_shape[0] = 30;
  d.num_classes = 2;
  d.num_outputs = 2;
  d.train.optimizer.num_slots = 2;
  d.train.optimizer.slot_names[0] = "m";
  d.train.optimizer.slot_names[1] = "v";
  d.train_step = noStep;
  d.eval_step = noStep;
  return d;
}
} // namespace

TEST(Random, SplitMix64ReferenceValues) {
  // First outputs of SplitMix64 from state 0 (reference implementation).
  uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(splitmix64(state), 0x6E789E6AA1B965F4ull);
}

TEST(Model, InitialisationIsDeterministicAndFollowsTheInitialiser) {
  dlrt_model_desc d = descriptor();
  ModelState a(d, 2), b(d, 2), c(d, 2);
  a.initialise(1);
  b.initialise(1);
  c.initialise(2);
  EXPECT_EQ(std::memcmp(a.param(0), b.param(0), 600 * sizeof(float)), 0);
  EXPECT_NE(std::memcmp(a.param(0), c.param(0), 600 * sizeof(float)), 0);
  double limit = std::sqrt(6.0 / 50);
  for (int i = 0; i < 600; ++i)
    EXPECT_LE(std::fabs(a.param(0)[i]), limit);
  EXPECT_EQ(a.param(1)[19], 0.25f);
  double mean = 0, var = 0;
  for (int i = 0; i < 1000; ++i)
    mean += a.param(2)[i] / 1000.0;
  for (int i = 0; i < 1000; ++i)
    var += (a.param(2)[i] - mean) * (a.param(2)[i] - mean) / 1000.0;
  EXPECT_NEAR(mean, 1.0, 0.02);
  EXPECT_NEAR(std::sqrt(var), 0.1, 0.01);
  EXPECT_EQ(a.param(3)[0], 0.0f);
}

TEST(Model, ValidatesTheDescriptor) {
  dlrt_model_desc d = descriptor();
  validateDescriptor(d);
  d.abi_version = 99;
  EXPECT_DLRT_ERROR(validateDescriptor(d), "ABI version 99");
  d = descriptor();
  d.train_step = nullptr;
  EXPECT_DLRT_ERROR(validateDescriptor(d), "lacks train_step");
  d = descriptor();
  d.train.optimizer.slot_names[1] = nullptr;
  EXPECT_DLRT_ERROR(validateDescriptor(d), "slot 1 has no name");
}

TEST(Model, CheckpointRoundTripWithOptimizerState) {
  TempDir dir;
  dlrt_model_desc d = descriptor();
  ModelState a(d, 2);
  a.initialise(3);
  a.optState(1, 0)[5] = 42.0f;
  a.param(3)[2] = 7.0f; // buffer
  std::string path = dir.file("ck.safetensors");
  a.save(path, {{"step", "12"}});
  EXPECT_EQ(a.optKeys().size(), 6u); // 3 trainable x 2 slots
  EXPECT_EQ(a.optKey(1, 0), "opt.v.fc.w");

  ModelState b(d, 2);
  std::map<std::string, std::string> meta = b.load(path, true);
  EXPECT_EQ(meta.at("step"), "12");
  EXPECT_EQ(std::memcmp(a.param(0), b.param(0), 600 * sizeof(float)), 0);
  EXPECT_EQ(b.optState(1, 0)[5], 42.0f);
  EXPECT_EQ(b.param(3)[2], 7.0f);
  SafeTensors raw = loadSafeTensors(path);
  EXPECT_EQ(raw.tensors.count("opt.m.bn.mean"), 0u); // buffers: no state
}

TEST(Model, CheckpointMismatchesAreNamed) {
  TempDir dir;
  float w[600] = {};
  saveSafeTensors(dir.file("shape.st"), {{"fc.w", {20, 30}, w}}, {});
  dlrt_model_desc d = descriptor();
  ModelState s(d, 2);
  EXPECT_DLRT_ERROR(s.load(dir.file("shape.st"), false),
                    "tensor 'fc.w' has shape [20, 30] but the model expects "
                    "[30, 20]");
  saveSafeTensors(dir.file("missing.st"), {{"fc.w", {30, 20}, w}}, {});
  EXPECT_DLRT_ERROR(s.load(dir.file("missing.st"), false),
                    "has no tensor 'fc.b'");
}
