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
size_t dlrt_test_c_offsetof_param_frozen(void);
size_t dlrt_test_c_sizeof_train_desc(void);
size_t dlrt_test_c_sizeof_early_stop_desc(void);
size_t dlrt_test_c_offsetof_train_step(void);
size_t dlrt_test_c_offsetof_target_size(void);
size_t dlrt_test_c_offsetof_step_targets(void);
size_t dlrt_test_c_offsetof_data_files(void);
size_t dlrt_test_c_offsetof_csv_header(void);
size_t dlrt_test_c_offsetof_early_stop_validation(void);
size_t dlrt_test_c_offsetof_noise_std(void);
size_t dlrt_test_c_offsetof_folds(void);
}

static_assert(sizeof(void *) == 8, "the pinned layout is for LP64 targets");

TEST(Abi, VersionAndSizesArePinned) {
  EXPECT_EQ(DLRT_ABI_VERSION, 13); // 3: dlrt_step_args lost `opt`;
  // 4: dlrt_model_desc gained max_tensor_elements_per_sample,
  // dlrt_schedule_desc t0 and t_mult (warm_restarts);
  // 5: float targets: dlrt_step_args gained `targets`, dlrt_model_desc
  // `target_size`, dlrt_label_kind FLOAT and INPUT; dlrt_train_desc gained
  // data_files, csv_targets and csv_header (the *_FILES data kinds and CSV
  // settings); early stopping on any metric: dlrt_early_stop_desc has
  // `metric` and `validation` instead of `monitor`;
  // 7: dlrt_param_desc gained `frozen` (the train block's freeze);
  // dlrt_train_desc gained normalize, augment, crop_padding, shift_pixels
  // and noise_std (data preparation);
  // 8: dlrt_train_desc gained balance and folds;
  // 9: explicit steps: dlrt_step_args gained step_losses, dlrt_model_desc
  // num_step_losses, step_loss_names, step_summary and the show_* fields;
  // saliency: dlrt_step_args::input_grad, dlrt_model_desc::saliency_step;
  // DLRT_LABEL_NONE;
  // 10: dlrt_train_desc gained snapshots and whiten_eps (snapshot
  // ensembles, PCA/ZCA whitening); dlrt_model_desc gained backbone_step,
  // head_train_step, head_eval_step, feature_rank, feature_shape and
  // no_backbone (precompute);
  // 11: DLRT_LABEL_INPUT_MASK and dlrt_model_desc::mask_threshold
  // (target = input_mask);
  // 12: integer inputs and sequences: dlrt_step_args gained x_ids,
  // dlrt_model_desc input_dtype (in the padding after mask_threshold) and
  // labels_per_sample, dlrt_train_desc text_unit (in the padding after
  // csv_header; DLRT_DATA_TEXT_FILES);
  // 13: data-parallel training (dlc --mpi): dlrt_model_desc gained
  // train_grad_step and update_step.
  EXPECT_EQ(sizeof(dlrt_param_desc), 120u);
  EXPECT_EQ(offsetof(dlrt_param_desc, frozen), 112u);
  EXPECT_EQ(offsetof(dlrt_param_desc, shape), 16u);
  EXPECT_EQ(offsetof(dlrt_param_desc, init_args), 88u);
  EXPECT_EQ(offsetof(dlrt_param_desc, fan_in), 96u);
  EXPECT_EQ(sizeof(dlrt_layer_desc), 32u);
  EXPECT_EQ(sizeof(dlrt_optimizer_desc), 96u);
  EXPECT_EQ(offsetof(dlrt_optimizer_desc, slot_names), 64u);
  EXPECT_EQ(sizeof(dlrt_schedule_desc), 64u);
  EXPECT_EQ(sizeof(dlrt_early_stop_desc), 24u);
  EXPECT_EQ(offsetof(dlrt_early_stop_desc, metric), 4u);
  EXPECT_EQ(offsetof(dlrt_early_stop_desc, validation), 8u);
  EXPECT_EQ(offsetof(dlrt_early_stop_desc, min_delta), 16u);
  EXPECT_EQ(sizeof(dlrt_train_desc), 336u);
  EXPECT_EQ(offsetof(dlrt_train_desc, snapshots), 320u);
  EXPECT_EQ(offsetof(dlrt_train_desc, whiten_eps), 328u);
  EXPECT_EQ(offsetof(dlrt_train_desc, data_kind), 24u);
  EXPECT_EQ(offsetof(dlrt_train_desc, data_path), 32u);
  EXPECT_EQ(offsetof(dlrt_train_desc, data_files), 40u);
  EXPECT_EQ(offsetof(dlrt_train_desc, csv_targets), 72u);
  EXPECT_EQ(offsetof(dlrt_train_desc, csv_header), 80u);
  EXPECT_EQ(offsetof(dlrt_train_desc, text_unit), 84u);
  EXPECT_EQ(offsetof(dlrt_train_desc, loss_name), 88u);
  EXPECT_EQ(offsetof(dlrt_train_desc, optimizer), 96u);
  EXPECT_EQ(offsetof(dlrt_train_desc, schedule), 192u);
  EXPECT_EQ(offsetof(dlrt_train_desc, early_stop), 256u);
  EXPECT_EQ(offsetof(dlrt_train_desc, metrics), 280u);
  EXPECT_EQ(offsetof(dlrt_train_desc, normalize), 284u);
  EXPECT_EQ(offsetof(dlrt_train_desc, augment), 288u);
  EXPECT_EQ(offsetof(dlrt_train_desc, crop_padding), 292u);
  EXPECT_EQ(offsetof(dlrt_train_desc, shift_pixels), 296u);
  EXPECT_EQ(offsetof(dlrt_train_desc, noise_std), 304u);
  EXPECT_EQ(offsetof(dlrt_train_desc, balance), 312u);
  EXPECT_EQ(offsetof(dlrt_train_desc, folds), 316u);
  EXPECT_EQ(sizeof(dlrt_step_args), 136u);
  EXPECT_EQ(offsetof(dlrt_step_args, x_ids), 128u);
  EXPECT_EQ(offsetof(dlrt_step_args, input_grad), 120u);
  EXPECT_EQ(offsetof(dlrt_step_args, step_losses), 112u);
  EXPECT_EQ(offsetof(dlrt_step_args, x), 24u);
  EXPECT_EQ(offsetof(dlrt_step_args, y), 32u);
  EXPECT_EQ(offsetof(dlrt_step_args, targets), 40u);
  EXPECT_EQ(offsetof(dlrt_step_args, n), 48u);
  EXPECT_EQ(offsetof(dlrt_step_args, lr), 64u);
  EXPECT_EQ(offsetof(dlrt_step_args, logits), 96u);
  EXPECT_EQ(offsetof(dlrt_step_args, loss), 104u);
  EXPECT_EQ(sizeof(dlrt_model_desc), 760u);
  EXPECT_EQ(offsetof(dlrt_model_desc, train_grad_step), 744u);
  EXPECT_EQ(offsetof(dlrt_model_desc, update_step), 752u);
  EXPECT_EQ(offsetof(dlrt_model_desc, mask_threshold), 728u);
  EXPECT_EQ(offsetof(dlrt_model_desc, input_dtype), 732u);
  EXPECT_EQ(offsetof(dlrt_model_desc, labels_per_sample), 736u);
  EXPECT_EQ(offsetof(dlrt_model_desc, saliency_step), 616u);
  EXPECT_EQ(offsetof(dlrt_model_desc, backbone_step), 624u);
  EXPECT_EQ(offsetof(dlrt_model_desc, head_eval_step), 640u);
  EXPECT_EQ(offsetof(dlrt_model_desc, feature_rank), 648u);
  EXPECT_EQ(offsetof(dlrt_model_desc, feature_shape), 656u);
  EXPECT_EQ(offsetof(dlrt_model_desc, no_backbone), 720u);
  EXPECT_EQ(offsetof(dlrt_model_desc, show_rows), 584u);
  EXPECT_EQ(offsetof(dlrt_model_desc, show_names), 608u);
  EXPECT_EQ(offsetof(dlrt_model_desc, num_step_losses), 560u);
  EXPECT_EQ(offsetof(dlrt_model_desc, step_loss_names), 568u);
  EXPECT_EQ(offsetof(dlrt_model_desc, step_summary), 576u);
  EXPECT_EQ(offsetof(dlrt_model_desc, label_kind), 120u);
  EXPECT_EQ(offsetof(dlrt_model_desc, num_classes), 124u);
  EXPECT_EQ(offsetof(dlrt_model_desc, target_size), 128u);
  EXPECT_EQ(offsetof(dlrt_model_desc, num_outputs), 136u);
  EXPECT_EQ(offsetof(dlrt_model_desc, train), 144u);
  EXPECT_EQ(offsetof(dlrt_model_desc, train_step), 512u);
  EXPECT_EQ(offsetof(dlrt_model_desc, max_tensor_elements_per_sample), 552u);
}

TEST(Abi, EnumValuesArePinned) {
  // The compiler writes these numbers into descriptors.
  EXPECT_EQ(DLRT_LABEL_CLASS, 0);
  EXPECT_EQ(DLRT_LABEL_FLOAT, 1);
  EXPECT_EQ(DLRT_LABEL_INPUT, 2);
  EXPECT_EQ(DLRT_LABEL_NONE, 3);
  EXPECT_EQ(DLRT_DATA_CSV_DIR, 2);
  EXPECT_EQ(DLRT_DATA_IDX_FILES, 3);
  EXPECT_EQ(DLRT_DATA_NPY_FILES, 4);
  EXPECT_EQ(DLRT_DATA_CSV_FILES, 5);
  EXPECT_EQ(DLRT_DATA_TEXT_FILES, 6);
  EXPECT_EQ(DLRT_TEXT_CHAR, 0);
  EXPECT_EQ(DLRT_TEXT_WORD, 1);
  EXPECT_EQ(DLRT_DTYPE_F32, 0);
  EXPECT_EQ(DLRT_DTYPE_I64, 1);
  EXPECT_EQ(DLRT_FILE_TRAIN_INPUTS, 0);
  EXPECT_EQ(DLRT_FILE_TRAIN_TARGETS, 1);
  EXPECT_EQ(DLRT_FILE_TEST_INPUTS, 2);
  EXPECT_EQ(DLRT_FILE_TEST_TARGETS, 3);
  EXPECT_EQ(DLRT_NUM_DATA_FILES, 4);
  EXPECT_EQ(DLRT_CSV_HEADER_AUTO, 0);
  EXPECT_EQ(DLRT_CSV_HEADER_YES, 1);
  EXPECT_EQ(DLRT_CSV_HEADER_NO, 2);
  EXPECT_EQ(DLRT_WATCH_LOSS, -1);
  EXPECT_EQ(DLRT_METRIC_ACCURACY, 1u << 0);
  EXPECT_EQ(DLRT_METRIC_CONFUSION, 1u << 4);
  EXPECT_EQ(DLRT_METRIC_DICE, 1u << 5);
  EXPECT_EQ(DLRT_METRIC_ROC_AUC, 1u << 6);
  EXPECT_EQ(DLRT_METRIC_LOG_LOSS, 1u << 7);
  EXPECT_EQ(DLRT_METRIC_MAE, 1u << 8);
  EXPECT_EQ(DLRT_METRIC_RMSE, 1u << 9);
  EXPECT_EQ(DLRT_NORMALIZE_NONE, 0);
  EXPECT_EQ(DLRT_NORMALIZE_STANDARDIZE, 1);
  EXPECT_EQ(DLRT_NORMALIZE_MINMAX, 2);
  EXPECT_EQ(DLRT_NORMALIZE_PCA_WHITEN, 3);
  EXPECT_EQ(DLRT_NORMALIZE_ZCA_WHITEN, 4);
  EXPECT_EQ(DLRT_AUGMENT_HFLIP, 1u << 0);
  EXPECT_EQ(DLRT_AUGMENT_RANDOM_CROP, 1u << 1);
  EXPECT_EQ(DLRT_AUGMENT_SHIFT, 1u << 2);
  EXPECT_EQ(DLRT_AUGMENT_NOISE, 1u << 3);
  EXPECT_EQ(DLRT_BALANCE_NONE, 0);
  EXPECT_EQ(DLRT_BALANCE_WEIGHTED_SAMPLER, 1);
  EXPECT_EQ(DLRT_BALANCE_OVERSAMPLE, 2);
  EXPECT_EQ(DLRT_BALANCE_UNDERSAMPLE, 3);
}

TEST(Abi, CAndCxxAgree) {
  EXPECT_EQ(dlrt_test_c_sizeof_model_desc(), sizeof(dlrt_model_desc));
  EXPECT_EQ(dlrt_test_c_sizeof_step_args(), sizeof(dlrt_step_args));
  EXPECT_EQ(dlrt_test_c_sizeof_param_desc(), sizeof(dlrt_param_desc));
  EXPECT_EQ(dlrt_test_c_offsetof_param_frozen(),
            offsetof(dlrt_param_desc, frozen));
  EXPECT_EQ(dlrt_test_c_sizeof_train_desc(), sizeof(dlrt_train_desc));
  EXPECT_EQ(dlrt_test_c_sizeof_early_stop_desc(), sizeof(dlrt_early_stop_desc));
  EXPECT_EQ(dlrt_test_c_offsetof_train_step(),
            offsetof(dlrt_model_desc, train_step));
  EXPECT_EQ(dlrt_test_c_offsetof_target_size(),
            offsetof(dlrt_model_desc, target_size));
  EXPECT_EQ(dlrt_test_c_offsetof_step_targets(),
            offsetof(dlrt_step_args, targets));
  EXPECT_EQ(dlrt_test_c_offsetof_data_files(),
            offsetof(dlrt_train_desc, data_files));
  EXPECT_EQ(dlrt_test_c_offsetof_csv_header(),
            offsetof(dlrt_train_desc, csv_header));
  EXPECT_EQ(dlrt_test_c_offsetof_early_stop_validation(),
            offsetof(dlrt_early_stop_desc, validation));
  EXPECT_EQ(dlrt_test_c_offsetof_noise_std(),
            offsetof(dlrt_train_desc, noise_std));
  EXPECT_EQ(dlrt_test_c_offsetof_folds(), offsetof(dlrt_train_desc, folds));
}
