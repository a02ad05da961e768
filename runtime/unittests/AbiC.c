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
size_t dlrt_test_c_offsetof_param_frozen(void) {
  return offsetof(dlrt_param_desc, frozen);
}
size_t dlrt_test_c_sizeof_train_desc(void) { return sizeof(dlrt_train_desc); }
size_t dlrt_test_c_sizeof_early_stop_desc(void) {
  return sizeof(dlrt_early_stop_desc);
}
size_t dlrt_test_c_offsetof_train_step(void) {
  return offsetof(dlrt_model_desc, train_step);
}
size_t dlrt_test_c_offsetof_target_size(void) {
  return offsetof(dlrt_model_desc, target_size);
}
size_t dlrt_test_c_offsetof_step_targets(void) {
  return offsetof(dlrt_step_args, targets);
}
size_t dlrt_test_c_offsetof_data_files(void) {
  return offsetof(dlrt_train_desc, data_files);
}
size_t dlrt_test_c_offsetof_csv_header(void) {
  return offsetof(dlrt_train_desc, csv_header);
}
size_t dlrt_test_c_offsetof_early_stop_validation(void) {
  return offsetof(dlrt_early_stop_desc, validation);
}
size_t dlrt_test_c_offsetof_noise_std(void) {
  return offsetof(dlrt_train_desc, noise_std);
}
size_t dlrt_test_c_offsetof_folds(void) {
  return offsetof(dlrt_train_desc, folds);
}
