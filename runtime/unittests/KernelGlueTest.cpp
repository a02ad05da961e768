//===- KernelGlueTest.cpp - The kernels' allocator ------------------------===//
//
// Kernels are compiled without Halide's run-time assertions, so the check
// that an allocation inside a kernel succeeded is libdlrt's halide_malloc:
// it must end the process with a message instead of returning null.
//
//===----------------------------------------------------------------------===//

#include <gtest/gtest.h>

#include <cstddef>

extern "C" void *halide_malloc(void *user_context, size_t size);

// The Halide runtime is not linked into the unit tests: here its default
// allocator is one that always fails.
extern "C" void *halide_default_malloc(void *, size_t) { return nullptr; }

TEST(KernelGlue, FailedKernelAllocationEndsWithAMessage) {
  EXPECT_EXIT(halide_malloc(nullptr, 4096), ::testing::ExitedWithCode(1),
              "error: out of memory: a kernel could not allocate 4096 bytes");
}
