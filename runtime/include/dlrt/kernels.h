/*===- kernels.h - What the generated driver calls in libdlrt ------*- C -*-===*
 *
 * The generated driver wraps each tensor it hands to a compiled Halide kernel
 * in a halide_buffer_t. Filling one is done here, in C, against Halide's own
 * runtime header, so the driver only needs the sizes of the two structs.
 *
 *===----------------------------------------------------------------------===*/
#ifndef DLRT_KERNELS_H
#define DLRT_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Fills `buffer` (a halide_buffer_t) and `dims` (rank halide_dimension_t)
 *  for a dense row-major tensor at `host`. `shape` lists the rank dimensions
 *  outermost first, -1 standing for the batch size `n`; Halide's dimension 0
 *  is the innermost one, so the order is reversed. `type_code` is a
 *  halide_type_code_t (0 int, 1 uint, 2 float). */
void dlrt_make_buffer(void *buffer, void *dims, void *host, int32_t type_code,
                      int32_t bits, int32_t rank, const int64_t *shape,
                      int64_t n);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DLRT_KERNELS_H */
