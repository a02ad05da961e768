/*===- dlrt/vocabulary.h - The train vocabulary, one list ----------------===*
 *
 * The one list of the train-block names the trainer runtime understands:
 * initialisers, optimisers, schedules, metrics (early stopping watches
 * the loss or a metric), input normalisations and augmentations.
 * Each list is an X-macro: X(ENUM_SUFFIX, "name in the language", value).
 * It generates the enums of dlrt.h, the runtime's name functions and the
 * compiler's name-to-enum lookups (dlc/Target/Vocabulary.h); the front end
 * checks at start-up that its tables accept every name here (see
 * sema::checkVocabulary). Adding a schedule to the runtime is one line here
 * plus its formula in Schedule.cpp.
 *
 * Plain C, included by dlrt.h.
 *
 *===----------------------------------------------------------------------===*/
#ifndef DLRT_VOCABULARY_H
#define DLRT_VOCABULARY_H

/* Initialisers (dlrt_init_kind); see dlrt_param_desc::init_args:
 *   ZEROS 0; ONES 1; CONSTANT init_args[0]; NORMAL N(init_args[0],
 *   init_args[1]); UNIFORM U[init_args[0], init_args[1]); GLOROT_UNIFORM
 *   U(+-sqrt(6/(fan_in+fan_out))); GLOROT_NORMAL N(0, sqrt(2/(fan_in+
 *   fan_out))); HE_UNIFORM U(+-sqrt(6/fan_in)); HE_NORMAL N(0,
 *   sqrt(2/fan_in)). */
#define DLRT_INIT_KINDS(X)                                                     \
  X(ZEROS, "zeros", 0)                                                         \
  X(ONES, "ones", 1)                                                           \
  X(CONSTANT, "constant", 2)                                                   \
  X(NORMAL, "normal", 3)                                                       \
  X(UNIFORM, "uniform", 4)                                                     \
  X(GLOROT_UNIFORM, "glorot_uniform", 5)                                       \
  X(GLOROT_NORMAL, "glorot_normal", 6)                                         \
  X(HE_UNIFORM, "he_uniform", 7)                                               \
  X(HE_NORMAL, "he_normal", 8)

/* Optimisers (dlrt_optimizer_kind): SGD with optional (Nesterov) momentum
 * and L2 weight decay; Adam (L2 decay added to the gradient); AdamW
 * (decoupled decay); RMSprop; Adagrad. The language's `momentum` and
 * `nesterov` are SGD with those settings. */
#define DLRT_OPT_KINDS(X)                                                      \
  X(SGD, "sgd", 0)                                                             \
  X(ADAM, "adam", 1)                                                           \
  X(ADAMW, "adamw", 2)                                                         \
  X(RMSPROP, "rmsprop", 3)                                                     \
  X(ADAGRAD, "adagrad", 4)

/* Schedules (dlrt_schedule_kind): CONSTANT lr; STEP lr *
 * gamma^floor(epoch/step_epochs); EXPONENTIAL lr * gamma^epoch; COSINE from
 * lr to min_lr over all steps; ONE_CYCLE Smith's one-cycle with cosine
 * phases, as PyTorch's OneCycleLR (without momentum cycling);
 * WARM_RESTARTS SGDR, cosine from lr to min_lr over t0 epochs, then over
 * t0 * t_mult, t0 * t_mult^2, ..., as PyTorch's CosineAnnealingWarmRestarts
 * stepped every batch with the fractional epoch. */
#define DLRT_SCHED_KINDS(X)                                                    \
  X(CONSTANT, "constant", 0)                                                   \
  X(STEP, "step", 1)                                                           \
  X(EXPONENTIAL, "exponential", 2)                                             \
  X(COSINE, "cosine", 3)                                                       \
  X(ONE_CYCLE, "one_cycle", 4)                                                 \
  X(WARM_RESTARTS, "warm_restarts", 5)

/* Metrics (dlrt_metric_flag, the bit 1 << value), by target kind. Class
 * labels: accuracy; macro-averaged precision, recall and F1; log loss (mean
 * cross-entropy of the softmax); the confusion matrix after the test run.
 * Binary and multi-label 0/1 targets (bce, bce_with_logits): every output
 * element is one binary decision (probability >= 0.5, logit >= 0):
 * accuracy, precision, recall, F1 and dice (2TP / (2TP + FP + FN), pooled
 * over all elements), ROC AUC (pooled over all elements), log loss (mean
 * binary cross-entropy), MAE and RMSE of the probabilities. Float targets:
 * MAE and RMSE over all elements. */
#define DLRT_METRIC_KINDS(X)                                                   \
  X(ACCURACY, "accuracy", 0)                                                   \
  X(PRECISION, "precision", 1)                                                 \
  X(RECALL, "recall", 2)                                                       \
  X(F1, "f1", 3)                                                               \
  X(CONFUSION, "confusion", 4)                                                 \
  X(DICE, "dice", 5)                                                           \
  X(ROC_AUC, "roc_auc", 6)                                                     \
  X(LOG_LOSS, "log_loss", 7)                                                   \
  X(MAE, "mae", 8)                                                             \
  X(RMSE, "rmse", 9)

/* Input normalisation (dlrt_normalize_kind), with statistics of the
 * training split only (after the validation hold-out). Per input feature
 * (element of a sample): STANDARDIZE (x - mean) / std (1 for a std below
 * 1e-6: a constant feature is only shifted), the population std; MINMAX
 * (x - min) / (max - min), a constant feature mapping to 0. Whitening, with
 * the population covariance C = U diag(lambda) U^T of the D features of a
 * sample: PCA_WHITEN diag(1 / sqrt(lambda + eps)) U^T (x - mean), the
 * components by decreasing variance, all D kept; ZCA_WHITEN
 * U diag(1 / sqrt(lambda + eps)) U^T (x - mean) (eps: whiten_eps). The
 * statistics are checkpointed (see dlrt/Prep.h). */
#define DLRT_NORMALIZE_KINDS(X)                                                \
  X(NONE, "none", 0)                                                           \
  X(STANDARDIZE, "standardize", 1)                                             \
  X(MINMAX, "minmax", 2)                                                       \
  X(PCA_WHITEN, "pca_whiten", 3)                                               \
  X(ZCA_WHITEN, "zca_whiten", 4)

/* Training-batch augmentations (dlrt_augment_flag, the bit 1 << value):
 * HFLIP mirrors the last axis with probability 0.5; RANDOM_CROP pads the
 * two last axes by crop_padding zeros and crops back at a uniform offset;
 * SHIFT translates by a uniform [-shift_pixels, shift_pixels] in each of
 * the two last axes with zero fill; NOISE adds N(0, noise_std) to every
 * value. All act after the normalisation (dlrt/Prep.h says why). */
#define DLRT_AUGMENT_KINDS(X)                                                  \
  X(HFLIP, "hflip", 0)                                                         \
  X(RANDOM_CROP, "random_crop", 1)                                             \
  X(SHIFT, "shift", 2)                                                         \
  X(NOISE, "noise", 3)

/* Class balancing of the training split (dlrt_balance_kind), from its class
 * counts: WEIGHTED_SAMPLER draws as many samples as the split has, with
 * replacement, with probability proportional to 1 / count(class);
 * OVERSAMPLE repeats every class up to the largest class's count;
 * UNDERSAMPLE cuts every class down to the smallest's (see dlrt/Dataset.h,
 * balancedOrder). */
#define DLRT_BALANCE_KINDS(X)                                                  \
  X(NONE, "none", 0)                                                           \
  X(WEIGHTED_SAMPLER, "weighted_sampler", 1)                                   \
  X(OVERSAMPLE, "oversample", 2)                                               \
  X(UNDERSAMPLE, "undersample", 3)

#ifdef __cplusplus
#include <cstdint>
#include <cstring>

/* The lists as tables, for the runtime's names and the compiler's lookups. */
namespace dlrt::vocab {

struct Entry {
  const char *name;
  int32_t value;
};

#define DLRT_VOCAB_ENTRY(E, name, v) {name, v},
inline constexpr Entry initKinds[] = {DLRT_INIT_KINDS(DLRT_VOCAB_ENTRY)};
inline constexpr Entry optimizerKinds[] = {DLRT_OPT_KINDS(DLRT_VOCAB_ENTRY)};
inline constexpr Entry scheduleKinds[] = {DLRT_SCHED_KINDS(DLRT_VOCAB_ENTRY)};
/* Metric values are bit indices (the flag is 1 << value). */
inline constexpr Entry metricKinds[] = {DLRT_METRIC_KINDS(DLRT_VOCAB_ENTRY)};
inline constexpr Entry normalizeKinds[] = {
    DLRT_NORMALIZE_KINDS(DLRT_VOCAB_ENTRY)};
/* Augmentation values are bit indices (the flag is 1 << value). */
inline constexpr Entry augmentKinds[] = {DLRT_AUGMENT_KINDS(DLRT_VOCAB_ENTRY)};
inline constexpr Entry balanceKinds[] = {DLRT_BALANCE_KINDS(DLRT_VOCAB_ENTRY)};
#undef DLRT_VOCAB_ENTRY

/* Which targets each metric applies to, and its direction: the one table
 * that the compiler's check of `metrics` and `early_stop`, the runtime's
 * metric values and early stopping all read. */
enum TargetSet : uint32_t {
  kForClasses = 1, /* class labels (cross_entropy, nll) */
  kForBinary = 2,  /* 0/1 targets (bce, bce_with_logits) */
  kForFloat = 4,   /* other float targets (mse, l1) */
};
struct MetricTraits {
  int32_t metric; /* the bit index of its dlrt_metric_flag */
  uint32_t targets;
  bool higherIsBetter;
};
inline constexpr MetricTraits metricTraits[] = {
    {0, kForClasses | kForBinary, true},  /* accuracy */
    {1, kForClasses | kForBinary, true},  /* precision */
    {2, kForClasses | kForBinary, true},  /* recall */
    {3, kForClasses | kForBinary, true},  /* f1 */
    {4, kForClasses | kForBinary, false}, /* confusion (not a number) */
    {5, kForBinary, true},                /* dice */
    {6, kForBinary, true},                /* roc_auc */
    {7, kForClasses | kForBinary, false}, /* log_loss */
    {8, kForBinary | kForFloat, false},   /* mae */
    {9, kForBinary | kForFloat, false},   /* rmse */
};
static_assert(sizeof(metricTraits) / sizeof(metricTraits[0]) ==
                  sizeof(metricKinds) / sizeof(metricKinds[0]),
              "one row of metricTraits per metric");

/* The traits of metric `value` (a bit index); every metric has a row. */
inline const MetricTraits &traitsOf(int32_t value) {
  for (const MetricTraits &t : metricTraits)
    if (t.metric == value)
      return t;
  return metricTraits[0];
}

/* The name of `value` in `list`, or "unknown". */
template <size_t N>
const char *nameOf(const Entry (&list)[N], int32_t value) {
  for (const Entry &e : list)
    if (e.value == value)
      return e.name;
  return "unknown";
}

/* The value of `name` in `list`, or -1. */
template <size_t N>
int32_t valueOf(const Entry (&list)[N], const char *name) {
  for (const Entry &e : list)
    if (std::strcmp(e.name, name) == 0)
      return e.value;
  return -1;
}

} // namespace dlrt::vocab
#endif

#endif /* DLRT_VOCABULARY_H */
