/*===- AbiC.c - dlrt.h compiled as C ---------------------------------------===*
 *
 * The generated code is not C++, so the ABI header must be valid C: this file
 * includes it in a C translation unit and reports the struct sizes a C
 * compiler sees, which AbiTest.cpp compares with the C++ ones.
 *
 *===----------------------------------------------------------------------===*/

#include "dlrt/dlrt.h"

#include <stddef.h>

size_t dlrt_test_c_sizeof_model_desc(void) { return sizeof(dlrt_model_desc); }
size_t dlrt_test_c_sizeof_step_args(void) { return sizeof(dlrt_step_args); }
size_t dlrt_test_c_sizeof_param_desc(void) { return sizeof(dlrt_param_desc); }
size_t dlrt_test_c_offsetof_train_step(void) {
  return offsetof(dlrt_model_desc, train_step);
}
