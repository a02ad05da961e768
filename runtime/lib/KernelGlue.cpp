//===- KernelGlue.cpp - halide_buffer_t for the generated driver -----------===//
//
// Implements dlrt_make_buffer (kernels.h). The sizes asserted here are the
// ones the driver generator allocates (compiler/lib/Target/DriverGen.cpp).
// Also the kernels' allocator: dlc compiles kernels without Halide's
// run-time assertions (dlc --kernel-checks keeps them), which include the
// check that an allocation inside a kernel succeeded, so halide_malloc here
// never returns null.
//
//===----------------------------------------------------------------------===//
#include "dlrt/kernels.h"

#include "HalideRuntime.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

static_assert(sizeof(halide_buffer_t) == 56, "driver allocates 56 bytes");
static_assert(sizeof(halide_dimension_t) == 16, "driver allocates 16 bytes a dim");

extern "C" void dlrt_make_buffer(void *buffer, void *dims, void *host,
                                 int32_t typeCode, int32_t bits, int32_t rank,
                                 const int64_t *shape, int64_t n) {
  auto *buf = static_cast<halide_buffer_t *>(buffer);
  auto *dim = static_cast<halide_dimension_t *>(dims);
  *buf = halide_buffer_t();
  buf->host = static_cast<uint8_t *>(host);
  buf->type.code = static_cast<halide_type_code_t>(typeCode);
  buf->type.bits = static_cast<uint8_t>(bits);
  buf->type.lanes = 1;
  buf->dimensions = rank;
  buf->dim = rank ? dim : nullptr;
  int32_t stride = 1;
  for (int32_t i = 0; i < rank; ++i) {
    int64_t extent = shape[rank - 1 - i];
    if (extent < 0)
      extent = n;
    dim[i].min = 0;
    dim[i].extent = static_cast<int32_t>(extent);
    dim[i].stride = stride;
    dim[i].flags = 0;
    stride *= static_cast<int32_t>(extent);
  }
}

// Replaces the Halide runtime's weak halide_malloc; halide_free stays
// Halide's, which matches halide_default_malloc.
extern "C" void *halide_malloc(void *user_context, size_t size) {
  void *p = halide_default_malloc(user_context, size);
  if (!p) {
    // A kernel's worker threads may be running: no unwinding through
    // compiled kernels, just the message and the exit status of an error.
    std::fflush(stdout);
    std::fprintf(stderr,
                 "error: out of memory: a kernel could not allocate %zu bytes "
                 "(try a smaller --batch)\n",
                 size);
    std::_Exit(1);
  }
  return p;
}
