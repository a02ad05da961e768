/*===- dlrt.h - C ABI between a generated trainer and libdlrt ------*- C -*-===*
 *
 * This header is the whole contract between the code that dlc generates for
 * one model and libdlrt, the runtime linked into every `./train`. The
 * generated object defines one `dlrt_model_desc` (static data: parameters,
 * input shape, the defaults of the `train` block, function pointers to the
 * compiled steps) and a `main` that calls `dlrt_main`. The runtime owns all
 * memory (parameters, gradients, optimiser state, batches, workspace), loads
 * data, initialises parameters, computes the learning rate of each step, calls
 * the compiled steps, computes metrics, logs, and reads/writes checkpoints.
 *
 * Division of work: the compiled `train_step` does forward, loss, backward AND
 * the optimiser update (the compiler fuses them), reading the optimiser state
 * buffers that the runtime owns and checkpoints. The runtime never updates a
 * parameter itself.
 *
 * Conventions: plain C, fixed-width integers, row-major, contiguous tensors,
 * all f32 except integer model inputs (token ids, int64; see input_dtype).
 *Zero-initialised fields mean "default" wherever noted, so the generated code
 *can fill the descriptor with a static initialiser and leave unused fields out.
 *The ABI is versioned by DLRT_ABI_VERSION; a descriptor with another version is
 *refused at start-up.
 *
 * Entry point: the generated object defines
 *
 *     int main(int argc, char **argv) {
 *       return dlrt_main(argc, argv, &dlc_model);
 *     }
 *
 * libdlrt itself defines no `main`.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLRT_DLRT_H
#define DLRT_DLRT_H

#include <stddef.h>
#include <stdint.h>

#include "dlrt/vocabulary.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this ABI; bump on any layout change. */
#define DLRT_ABI_VERSION 13
/** Maximum rank of a parameter or of an input sample. */
#define DLRT_MAX_RANK 8
/** Maximum number of optimiser state buffers per trainable parameter. */
#define DLRT_MAX_OPT_SLOTS 4

/*===--- Parameters -------------------------------------------------------===*/

/** Element type of a tensor: parameters are f32; a model input is f32 or
 *  int64 (token ids, dlrt_model_desc::input_dtype). */
typedef enum dlrt_dtype { DLRT_DTYPE_F32 = 0, DLRT_DTYPE_I64 = 1 } dlrt_dtype;

/** How the runtime initialises a parameter (deterministically from --seed;
 *  each parameter draws from its own stream keyed by its name, so adding a
 *  parameter does not change the others). */
#define DLRT_ENUM_INIT(E, name, v) DLRT_INIT_##E = v,
typedef enum dlrt_init_kind { DLRT_INIT_KINDS(DLRT_ENUM_INIT) } dlrt_init_kind;
#undef DLRT_ENUM_INIT

/** One parameter or buffer of the model, in the order the steps expect. */
typedef struct dlrt_param_desc {
  /** Stable, readable name, also the checkpoint key: "fc1.w", "bn1.mean". */
  const char *name;
  /** A dlrt_dtype; must be DLRT_DTYPE_F32. */
  int32_t dtype;
  /** Number of dimensions, 0 (scalar) .. DLRT_MAX_RANK. */
  int32_t rank;
  /** Dimensions; entries past `rank` are ignored. */
  int64_t shape[DLRT_MAX_RANK];
  /** A dlrt_init_kind. */
  int32_t init;
  /** 1: trainable (has a gradient and optimiser state); 0: a buffer that only
   *  the step writes, e.g. batch-norm running statistics. Buffers are
   *  checkpointed but get no gradient and no optimiser state. */
  int32_t trainable;
  /** Arguments of the initialiser (see dlrt_init_kind); unused ones are 0. */
  float init_args[2];
  /** Fan-in and fan-out used by glorot_* and he_* (the compiler knows which
   *  dimensions they are: for linear w[I,O] they are I and O; for conv
   *  w[O,I/g,kh,kw] they are I/g*kh*kw and O*kh*kw). */
  int64_t fan_in;
  int64_t fan_out;
  /** 1: a parameter of the model that the train block's `freeze` keeps fixed
   *  (then `trainable` is 0: no gradient, no optimiser state, and no step
   *  writes it); 0 otherwise. Only `./train info` and `--init` read it. */
  int32_t frozen;
} dlrt_param_desc;

/** One layer, for `./train info` only (optional table). */
typedef struct dlrt_layer_desc {
  /** Call-site name; the layer's parameters are named "<name>.<param>". */
  const char *name;
  /** Operation, e.g. "linear", "conv2d", "relu". */
  const char *op;
  /** Output shape for display, e.g. "[B, 512]". */
  const char *output_shape;
  /** Forward FLOPs per sample of this layer (0 if unknown). */
  int64_t flops_per_sample;
} dlrt_layer_desc;

/*===--- Training recipe (defaults from the `train` block) ----------------===*/

/** Optimiser family. The update itself is compiled into train_step. */
#define DLRT_ENUM_OPT(E, name, v) DLRT_OPT_##E = v,
typedef enum dlrt_optimizer_kind {
  DLRT_OPT_KINDS(DLRT_ENUM_OPT)
} dlrt_optimizer_kind;
#undef DLRT_ENUM_OPT

/** Optimiser hyperparameters of the train block. The update is compiled into
 *  train_step with these values as constants (so Halide folds them into the
 *  update kernels); the one hyperparameter a step receives is its learning
 *  rate, dlrt_step_args::lr (the schedule applied to `lr`, so --lr and the
 *  schedules need no recompilation). The runtime reports the values and
 *  records them in checkpoints; --resume checks that they match. */
typedef struct dlrt_optimizer_desc {
  /** A dlrt_optimizer_kind. */
  int32_t kind;
  /** SGD: 1 for Nesterov momentum. */
  int32_t nesterov;
  /** Base learning rate (the schedule scales from it). */
  double lr;
  /** SGD / RMSprop momentum (0: none). */
  double momentum;
  /** L2 (SGD, Adam) or decoupled (AdamW) weight decay. */
  double weight_decay;
  /** Adam/AdamW first moment decay; RMSprop uses beta2 as its alpha. */
  double beta1;
  /** Adam/AdamW second moment decay. */
  double beta2;
  /** Adam/AdamW/RMSprop/Adagrad epsilon. */
  double eps;
  /** Number of state buffers per trainable parameter: 0 for plain SGD, 1 for
   *  SGD with momentum ("m"), 2 for Adam ("m", "v"), ... */
  int32_t num_slots;
  /** Slot names; a slot's buffer of parameter P is checkpointed under
   *  "opt.<slot>.<P>", e.g. "opt.m.fc1.w". */
  const char *slot_names[DLRT_MAX_OPT_SLOTS];
} dlrt_optimizer_desc;

/** Learning-rate schedule, evaluated by the runtime before every step. */
#define DLRT_ENUM_SCHED(E, name, v) DLRT_SCHED_##E = v,
typedef enum dlrt_schedule_kind {
  DLRT_SCHED_KINDS(DLRT_ENUM_SCHED)
} dlrt_schedule_kind;
#undef DLRT_ENUM_SCHED

/** Schedule arguments; a 0 means the default given for each field. Epochs in
 *  these formulas are whole epochs completed before the step. */
typedef struct dlrt_schedule_desc {
  /** A dlrt_schedule_kind. */
  int32_t kind;
  /** STEP: decay every step_epochs epochs (default 1). */
  int32_t step_epochs;
  /** STEP, EXPONENTIAL: decay factor (default 0.1 for STEP, 0.95 for
   *  EXPONENTIAL). */
  double gamma;
  /** COSINE, WARM_RESTARTS: final learning rate (default 0). */
  double min_lr;
  /** ONE_CYCLE: peak learning rate (default: the base lr). */
  double max_lr;
  /** ONE_CYCLE: fraction of the steps spent rising (default 0.3). */
  double pct_start;
  /** ONE_CYCLE: initial lr = max_lr / div_factor (default 25). */
  double div_factor;
  /** ONE_CYCLE: final lr = initial lr / final_div_factor (default 1e4). */
  double final_div_factor;
  /** WARM_RESTARTS: epochs of the first cycle (default 1), and the factor
   *  by which each cycle is longer than the one before (default 1). */
  int32_t t0;
  int32_t t_mult;
} dlrt_schedule_desc;

/** dlrt_early_stop_desc::metric of the loss. */
#define DLRT_WATCH_LOSS (-1)

/** Early stopping: stop when the watched value has not improved by more than
 *  min_delta for `patience` consecutive epochs. The loss and the error
 *  metrics (log_loss, mae, rmse) improve downwards, the others upwards. */
typedef struct dlrt_early_stop_desc {
  /** Epochs without improvement before stopping; 0 disables early stopping. */
  int32_t patience;
  /** DLRT_WATCH_LOSS, or a metric: its value in DLRT_METRIC_KINDS (the bit
   *  index of its dlrt_metric_flag). */
  int32_t metric;
  /** 1: the value on the validation split (the training value when there
   *  is none), 0: the training epoch's. */
  int32_t validation;
  /** Minimum change that counts as an improvement (default 0). */
  double min_delta;
} dlrt_early_stop_desc;

/** Bit flags of dlrt_train_desc::metrics. The loss is always reported. */
#define DLRT_ENUM_METRIC(E, name, v) DLRT_METRIC_##E = 1u << v,
typedef enum dlrt_metric_flag {
  DLRT_METRIC_KINDS(DLRT_ENUM_METRIC)
} dlrt_metric_flag;
#undef DLRT_ENUM_METRIC

/** How the inputs are normalised (see DLRT_NORMALIZE_KINDS). */
#define DLRT_ENUM_NORMALIZE(E, name, v) DLRT_NORMALIZE_##E = v,
typedef enum dlrt_normalize_kind {
  DLRT_NORMALIZE_KINDS(DLRT_ENUM_NORMALIZE)
} dlrt_normalize_kind;
#undef DLRT_ENUM_NORMALIZE

/** Bit flags of dlrt_train_desc::augment (see DLRT_AUGMENT_KINDS). */
#define DLRT_ENUM_AUGMENT(E, name, v) DLRT_AUGMENT_##E = 1u << v,
typedef enum dlrt_augment_flag {
  DLRT_AUGMENT_KINDS(DLRT_ENUM_AUGMENT)
} dlrt_augment_flag;
#undef DLRT_ENUM_AUGMENT

/** Class balancing of the training split (see DLRT_BALANCE_KINDS). */
#define DLRT_ENUM_BALANCE(E, name, v) DLRT_BALANCE_##E = v,
typedef enum dlrt_balance_kind {
  DLRT_BALANCE_KINDS(DLRT_ENUM_BALANCE)
} dlrt_balance_kind;
#undef DLRT_ENUM_BALANCE

/** Where the data comes from. */
typedef enum dlrt_data_kind {
  /** A directory with train-images-idx3-ubyte, train-labels-idx1-ubyte,
   *  t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally ".gz"
   *  (the MNIST family, e.g. /usr/share/datasets/fashion-mnist). */
  DLRT_DATA_IDX_DIR = 0,
  /** A directory with x_train.npy, y_train.npy, x_test.npy, y_test.npy (each
   *  optionally ".gz"): x of shape [N, ...] (uint8 scaled to [0, 1], floats
   *  as they are), y of shape [N] with integer class labels or [N, ...]
   *  float targets. */
  DLRT_DATA_NPY_DIR = 1,
  /** A directory with train.csv and test.csv (each optionally ".gz"): one
   *  sample per line, the target first, values used as they are, an optional
   *  header line. */
  DLRT_DATA_CSV_DIR = 2,
  /** Named files (dlrt_train_desc::data_files): idx images and labels. */
  DLRT_DATA_IDX_FILES = 3,
  /** Named files: NPY inputs and targets. */
  DLRT_DATA_NPY_FILES = 4,
  /** Named files: a CSV training file and an optional CSV test file, the
   *  targets in the columns named by csv_targets. */
  DLRT_DATA_CSV_FILES = 5,
  /** Named files: a plain text training file and an optional test file
   *  (DLRT_FILE_TRAIN_INPUTS, DLRT_FILE_TEST_INPUTS), UTF-8, cut into tokens
   *  by text_unit; a language model's data (input_dtype I64, one class
   *  label per token). */
  DLRT_DATA_TEXT_FILES = 6
} dlrt_data_kind;

/** How DLRT_DATA_TEXT_FILES cuts text into tokens. */
typedef enum dlrt_text_unit {
  /** One token per character (Unicode code point). */
  DLRT_TEXT_CHAR = 0,
  /** A token per word (a run of other characters than space, tab and
   *  newline), per run of spaces and tabs, and per newline. */
  DLRT_TEXT_WORD = 1
} dlrt_text_unit;

/** dlrt_train_desc::data_files: which file is which. A CSV file holds its
 *  targets itself, so its *_TARGETS entries are NULL. */
enum {
  DLRT_FILE_TRAIN_INPUTS = 0,
  DLRT_FILE_TRAIN_TARGETS = 1,
  DLRT_FILE_TEST_INPUTS = 2,
  DLRT_FILE_TEST_TARGETS = 3,
  DLRT_NUM_DATA_FILES = 4
};

/** How a CSV file starts. */
typedef enum dlrt_csv_header {
  /** A header line when some field of the first line is not a number. */
  DLRT_CSV_HEADER_AUTO = 0,
  DLRT_CSV_HEADER_YES = 1,
  DLRT_CSV_HEADER_NO = 2
} dlrt_csv_header;

/** Defaults of the `train` block; every one can be overridden by a flag. */
typedef struct dlrt_train_desc {
  /** Number of epochs (default 1). */
  int32_t epochs;
  /** Batch size (default 32). */
  int32_t batch;
  /** Seed of every random choice: initialisation, split, shuffling, dropout. */
  uint64_t seed;
  /** Fraction of the training set held out for validation, in [0, 1). */
  double validation;
  /** A dlrt_data_kind. */
  int32_t data_kind;
  /** Default data location (the directory of the *_DIR kinds). */
  const char *data_path;
  /** The *_FILES kinds: the files, indexed by DLRT_FILE_*; NULL or "" where
   *  there is none (no test set, or the targets are in the CSV file). */
  const char *data_files[DLRT_NUM_DATA_FILES];
  /** DLRT_DATA_CSV_FILES: the target columns' names, each followed by a
   *  newline ("price\n"); NULL or "": the first column. */
  const char *csv_targets;
  /** A dlrt_csv_header, for the CSV kinds. */
  int32_t csv_header;
  /** DLRT_DATA_TEXT_FILES: a dlrt_text_unit. */
  int32_t text_unit;
  /** Name of the loss, for display and checkpoint metadata only. */
  const char *loss_name;
  /** Optimiser and its hyperparameters. */
  dlrt_optimizer_desc optimizer;
  /** Learning-rate schedule. */
  dlrt_schedule_desc schedule;
  /** Early stopping (patience 0: off). */
  dlrt_early_stop_desc early_stop;
  /** dlrt_metric_flag bits to report (0: accuracy only). */
  uint32_t metrics;
  /** A dlrt_normalize_kind, applied to every batch of every command. */
  int32_t normalize;
  /** dlrt_augment_flag bits, applied to training batches only; the
   *  geometric ones (HFLIP, RANDOM_CROP, SHIFT) need a sample of rank >= 2
   *  and act on its two last axes. */
  uint32_t augment;
  /** RANDOM_CROP: zero padding on each side (>= 1). */
  int32_t crop_padding;
  /** SHIFT: the largest shift in each of the two last axes (>= 1). */
  int32_t shift_pixels;
  /** NOISE: standard deviation of the added Gaussian noise (> 0). */
  double noise_std;
  /** A dlrt_balance_kind (class labels only), applied to the training split
   *  of every epoch. */
  int32_t balance;
  /** k-fold cross-validation: k >= 2 folds, each the validation split of
   *  one run; 1 (or 0): off. Excludes a validation fraction. */
  int32_t folds;
  /** Snapshot ensembles: n >= 2 cosine cycles of epochs / n epochs each
   *  (warm restarts), the weights saved at the end of each; 1 (or 0): off.
   *  Excludes folds and an explicit schedule. */
  int32_t snapshots;
  /** PCA_WHITEN, ZCA_WHITEN: the eps added to every eigenvalue of the
   *  covariance before its inverse square root (> 0). */
  double whiten_eps;
} dlrt_train_desc;

/*===--- Compiled steps ---------------------------------------------------===*/

/** What the model is trained to output for a sample. */
typedef enum dlrt_label_kind {
  /** One int64 class index in [0, num_classes) per sample
   *  (dlrt_step_args::y); the model outputs num_outputs == num_classes logits
   *  per sample. */
  DLRT_LABEL_CLASS = 0,
  /** target_size float values per sample (dlrt_step_args::targets),
   *  compared element by element with the num_outputs == target_size
   *  outputs: regression values, multi-label 0/1 vectors, masks. */
  DLRT_LABEL_FLOAT = 1,
  /** The input itself (autoencoders): the steps read no targets; the outputs
   *  (num_outputs == target_size == the input size) are compared with the
   *  input. */
  DLRT_LABEL_INPUT = 2,
  /** An explicit step that reads no targets (`step (x, _)`): the steps get
   *  no y and no targets, and write no outputs (num_outputs may be 0). */
  DLRT_LABEL_NONE = 3,
  /** A 0/1 mask of the input (`target = input_mask(threshold=t)`,
   *  segmentation): target_size == num_outputs == the input size values
   *  per sample, 1 where the input as the model sees it (after
   *  normalisation and augmentation) is above mask_threshold, computed by
   *  the trainer for each batch and passed as dlrt_step_args::targets. */
  DLRT_LABEL_INPUT_MASK = 4
} dlrt_label_kind;

/** Arguments of one call of a compiled step. The runtime owns every buffer;
 *  pointers stay valid for the whole run, so the step may keep none. */
typedef struct dlrt_step_args {
  /** [num_params] parameter and buffer values, sizes as in the descriptor. */
  float *const *params;
  /** [num_params] gradient scratch of the same sizes (NULL for buffers).
   *  Contents on entry are unspecified; the step may use it freely. NULL in
   *  eval_step. */
  float *const *grads;
  /** [num_slots * num_params] optimiser state: the buffer of slot s of
   *  parameter p is opt_state[s * num_params + p] (NULL for buffers). Zero
   *  before the first step. NULL in eval_step. */
  float *const *opt_state;
  /** [n * input_size] inputs, row-major, one sample after another (an f32
   *  input; NULL for integer inputs). */
  const float *x;
  /** [n * labels_per_sample] labels (DLRT_LABEL_CLASS; NULL otherwise). */
  const int64_t *y;
  /** [n * target_size] float targets (DLRT_LABEL_FLOAT; NULL otherwise). */
  const float *targets;
  /** Number of samples in this batch, 1 <= n <= batch (the last batch of an
   *  epoch may be partial). Means are over n. */
  int64_t n;
  /** Batch capacity the buffers and the workspace are sized for. */
  int64_t batch;
  /** Learning rate of this step (schedule applied). */
  float lr;
  /** Number of optimiser updates done before this call (0 for the first;
   *  Adam's bias correction uses step + 1). */
  int64_t step;
  /** Seed for this step's randomness (dropout masks, noise); a pure function
   *  of the run seed and `step`, so resumed runs draw the same masks. */
  uint64_t seed;
  /** Scratch memory of workspace_bytes_fixed + batch *
   *  workspace_bytes_per_sample bytes, 64-byte aligned. */
  void *workspace;
  /** Output: [n * num_outputs] logits of the batch (before the update for
   *  train_step). The runtime computes metrics from them. */
  float *logits;
  /** Output: mean loss over the n samples. */
  double loss;
  /** Output: [num_step_losses] the loss of each update of an explicit step
   *  (NULL when the model has none); `loss` is the first. */
  double *step_losses;
  /** Output of saliency_step: [n * input_size] the gradient of each
   *  sample's class score (the class in y) with respect to its input. NULL
   *  in the other steps. */
  float *input_grad;
  /** [n * input_size] integer inputs (input_dtype DLRT_DTYPE_I64, e.g.
   *  token ids; NULL for f32 inputs). */
  const int64_t *x_ids;
} dlrt_step_args;

/** A compiled step. Returns 0 on success; anything else aborts the run with an
 *  error naming the step. */
typedef int32_t (*dlrt_step_fn)(dlrt_step_args *args);

/*===--- The model --------------------------------------------------------===*/

/** Everything the runtime knows about one model. */
typedef struct dlrt_model_desc {
  /** Must be DLRT_ABI_VERSION. */
  uint32_t abi_version;
  /** Model name, e.g. "Classifier". */
  const char *name;
  /** Parameter and buffer table, in the order of dlrt_step_args::params. */
  int32_t num_params;
  const dlrt_param_desc *params;
  /** Optional layer table for `info` (may be NULL / 0). */
  int32_t num_layers;
  const dlrt_layer_desc *layers;
  /** Shape of one input sample, without the batch dimension: [1, 28, 28]. */
  int32_t input_rank;
  int64_t input_shape[DLRT_MAX_RANK];
  /** A dlrt_label_kind. */
  int32_t label_kind;
  /** Number of classes (DLRT_LABEL_CLASS; 0 otherwise). */
  int32_t num_classes;
  /** Target values per sample (DLRT_LABEL_FLOAT, DLRT_LABEL_INPUT,
   *  DLRT_LABEL_INPUT_MASK; 0 for classes). */
  int64_t target_size;
  /** Outputs (logits, or predictions) per sample. */
  int64_t num_outputs;
  /** Defaults of the `train` block. */
  dlrt_train_desc train;
  /** FLOPs of one sample's forward pass, and of one training step per sample
   *  (forward + backward + update); 0 if unknown. */
  int64_t flops_forward_per_sample;
  int64_t flops_train_per_sample;
  /** Workspace the steps need (memory plan): fixed part and part per sample
   *  of batch capacity. */
  uint64_t workspace_bytes_fixed;
  uint64_t workspace_bytes_per_sample;
  /** Forward + loss + backward + optimiser update. Required. */
  dlrt_step_fn train_step;
  /** Forward + loss in inference mode (dropout off, batch-norm running
   *  statistics); writes logits and loss, updates nothing. Required. */
  dlrt_step_fn eval_step;
  /** Optional: like train_step but stops after the backward pass (grads
   *  filled, nothing updated), also in inference mode; enables
   *  `./train gradcheck`. */
  dlrt_step_fn grad_step;
  /** Optional: called once with --threads before the first step. */
  void (*set_num_threads)(int32_t num_threads);
  /** Optional (may be NULL): the CPU features the kernels were compiled
   *  for, space-separated lower-case names ("avx2 avx512f fma ..."); the
   *  trainer refuses to start on a CPU that lacks one. */
  const char *cpu_features;
  /** The most elements per sample of batch of any one tensor of the steps
   *  (0 if unknown). Kernels index with 32 bits, so the trainer refuses a
   *  batch for which such a tensor would exceed 2^31 - 1 elements. */
  int64_t max_tensor_elements_per_sample;
  /** A train block with an explicit `step`: the number of its updates, the
   *  name each update's loss is logged under, and one line per update
   *  ("update D with adam(lr=0.0002, ...) minimizing d_loss"); 0, NULL and
   *  NULL otherwise. With a step, the optimizer's lr is a factor (1 by
   *  default, scaled by the schedule) on each update's own lr. */
  int32_t num_step_losses;
  const char *const *step_loss_names;
  const char *step_summary;
  /** An explicit step's `show`: the outputs of eval_step are show_rows
   *  images per sample (num_outputs == show_rows * show_channels *
   *  show_height * show_width), each row named in show_names (one name per
   *  line); `--show FILE.png` draws them as a grid. 0 / NULL: none. */
  int32_t show_rows;
  int32_t show_channels;
  int64_t show_height;
  int64_t show_width;
  const char *show_names;
  /** Optional (classifiers): the gradient of the score of class y[i] with
   *  respect to input i, in inference mode, into input_grad (params and
   *  buffers read only); enables `./train saliency`. */
  dlrt_step_fn saliency_step;
  /** Optional (a train block with `freeze` whose frozen layers form a
   *  backbone that keeps samples apart): backbone_step writes each sample's
   *  features (feature_rank, feature_shape: one sample's shape) into
   *  `logits`, in inference mode; head_train_step and head_eval_step are
   *  train_step and eval_step reading features instead of inputs (x), with
   *  the same params, buffers and state. They enable `./train precompute`
   *  and `train --features`. no_backbone: NULL, or why a model with
   *  `freeze` has none. */
  dlrt_step_fn backbone_step;
  dlrt_step_fn head_train_step;
  dlrt_step_fn head_eval_step;
  int32_t feature_rank;
  int64_t feature_shape[DLRT_MAX_RANK];
  const char *no_backbone;
  /** DLRT_LABEL_INPUT_MASK: the threshold of the mask (0 otherwise). */
  float mask_threshold;
  /** A dlrt_dtype: the element type of the input, f32 (x) or int64 token
   *  ids (x_ids). */
  int32_t input_dtype;
  /** DLRT_LABEL_CLASS: class labels per sample, 1 for a classifier (0
   *  means 1), T for a sequence model (a label per position: outputs
   *  [T, num_classes] per sample, num_outputs = T * num_classes). */
  int64_t labels_per_sample;
  /** Optional, both or neither (a trainer built with `dlc --mpi`, ABI 13):
   *  train_step cut in two where the gradients are complete, for
   *  data-parallel training (the runtime sums the ranks' gradients in
   *  between). train_grad_step: forward, loss and backward in training mode
   *  (dropout on, batch-norm batch statistics): writes logits, loss, the
   *  gradient of every trainable parameter into `grads` (the mean over the
   *  n samples) and the buffers' new values into `params`; updates no
   *  parameter and reads no optimiser state. update_step: the optimiser
   *  update of train_step from the gradients in `grads` (opt_state, lr and
   *  step as for train_step; x, n and the outputs are not read or
   *  written). */
  dlrt_step_fn train_grad_step;
  dlrt_step_fn update_step;
} dlrt_model_desc;

/** Runs the trainer's command line (`./train [train|eval|predict|info|
 *  gradcheck|lr-find] [flags]`) for `model`. Returns the process exit code:
 *  0 on success, 1 on any error (a message on stderr). */
int dlrt_main(int argc, char **argv, const dlrt_model_desc *model);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DLRT_DLRT_H */
