//===- AbiTest.cpp - The layout of the C ABI is frozen ----------*- C++ -*-===//
//
// dlc's driver generator lays out dlrt_model_desc and friends itself (in the
// LLVM dialect), so an accidental change of dlrt.h must fail here: sizes and
// key offsets are pinned for LP64 targets, and must match what a C compiler
// sees (AbiC.c). Changing them requires bumping DLRT_ABI_VERSION.
//
//===----------------------------------------------------------------------===//

#include "dlrt/dlrt.h"

#include <gtest/gtest.h>

#include <cstddef>

extern "C" {
size_t dlrt_test_c_sizeof_model_desc(void);
size_t dlrt_test_c_sizeof_step_args(void);
size_t dlrt_test_c_sizeof_param_desc(void);
size_t dlrt_test_c_offsetof_train_step(void);
}

static_assert(sizeof(void *) == 8, "the pinned layout is for LP64 targets");

TEST(Abi, VersionAndSizesArePinned) {
  EXPECT_EQ(DLRT_ABI_VERSION, 4); // 3: dlrt_step_args lost `opt`;
  // 4: dlrt_model_desc gained max_tensor_elements_per_sample,
  // dlrt_schedule_desc t0 and t_mult (warm_restarts)
  EXPECT_EQ(sizeof(dlrt_param_desc), 112u);
  EXPECT_EQ(offsetof(dlrt_param_desc, shape), 16u);
  EXPECT_EQ(offsetof(dlrt_param_desc, init_args), 88u);
  EXPECT_EQ(offsetof(dlrt_param_desc, fan_in), 96u);
  EXPECT_EQ(sizeof(dlrt_layer_desc), 32u);
  EXPECT_EQ(sizeof(dlrt_optimizer_desc), 96u);
  EXPECT_EQ(offsetof(dlrt_optimizer_desc, slot_names), 64u);
  EXPECT_EQ(sizeof(dlrt_schedule_desc), 64u);
  EXPECT_EQ(sizeof(dlrt_early_stop_desc), 16u);
  EXPECT_EQ(sizeof(dlrt_train_desc), 232u);
  EXPECT_EQ(offsetof(dlrt_train_desc, optimizer), 48u);
  EXPECT_EQ(offsetof(dlrt_train_desc, schedule), 144u);
  EXPECT_EQ(offsetof(dlrt_train_desc, metrics), 224u);
  EXPECT_EQ(sizeof(dlrt_step_args), 104u);
  EXPECT_EQ(offsetof(dlrt_step_args, lr), 56u);
  EXPECT_EQ(offsetof(dlrt_step_args, logits), 88u);
  EXPECT_EQ(offsetof(dlrt_step_args, loss), 96u);
  EXPECT_EQ(sizeof(dlrt_model_desc), 448u);
  EXPECT_EQ(offsetof(dlrt_model_desc, max_tensor_elements_per_sample), 440u);
  EXPECT_EQ(offsetof(dlrt_model_desc, train), 136u);
  EXPECT_EQ(offsetof(dlrt_model_desc, train_step), 400u);
}

TEST(Abi, CAndCxxAgree) {
  EXPECT_EQ(dlrt_test_c_sizeof_model_desc(), sizeof(dlrt_model_desc));
  EXPECT_EQ(dlrt_test_c_sizeof_step_args(), sizeof(dlrt_step_args));
  EXPECT_EQ(dlrt_test_c_sizeof_param_desc(), sizeof(dlrt_param_desc));
  EXPECT_EQ(dlrt_test_c_offsetof_train_step(),
            offsetof(dlrt_model_desc, train_step));
}
