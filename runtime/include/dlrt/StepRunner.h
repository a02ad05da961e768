//===- StepRunner.h - Calling the compiled steps ----------------*- C++ -*-===//
//
// Shared by the trainer's commands: StepRunner owns the batch buffers, fills
// the dlrt_step_args of each call of a compiled step (pointers to the model
// state, the batch, the learning rate, the per-step seed) and checks its
// status; EvalResult is the loss and confusion matrix of one pass over some
// samples. Helpers for loading the configured data and printing metrics live
// here too.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_STEPRUNNER_H
#define DLRT_STEPRUNNER_H

#include "dlrt/Dataset.h"
#include "dlrt/Metrics.h"
#include "dlrt/Model.h"
#include "dlrt/Prep.h"
#include "dlrt/Trainer.h"
#include "dlrt/dlrt.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace dlrt {

/// Loss and metrics of one pass over some samples.
struct EvalResult {
  double loss = 0;
  MetricAccumulator metrics;
  /// An explicit step: the name and mean of each update's loss (sums while
  /// accumulating; see StepRunner::accumulate and finish).
  std::vector<std::string> stepLossNames;
  std::vector<double> stepLosses;
  /// ROC AUC needs every score: kept only when `flags` ask for it.
  EvalResult(const dlrt_model_desc &desc, uint32_t flags)
      : metrics(TargetKind::of(desc), (flags & DLRT_METRIC_ROC_AUC) != 0),
        stepLossNames(desc.step_loss_names
                          ? std::vector<std::string>(
                                desc.step_loss_names,
                                desc.step_loss_names + desc.num_step_losses)
                          : std::vector<std::string>()),
        stepLosses(stepLossNames.size(), 0.0) {}
  /// Turns the accumulated sums of the step losses into means over `count`
  /// samples.
  void finish(double count) {
    for (double &l : stepLosses)
      l = count > 0 ? l / count : 0.0;
  }
  /// The value of a dlrt_metric_flag (NaN where it does not apply).
  double value(uint32_t flag) const { return metrics.value(flag); }
  const ConfusionMatrix &confusion() const { return metrics.confusion(); }
};

/// Batch buffers and the argument block of the compiled steps.
class StepRunner {
public:
  /// Allocates buffers for batches of `config.batch` samples and the
  /// model's workspace.
  StepRunner(const dlrt_model_desc &desc, ModelState &state,
             const RunConfig &config);

  /// The statistics that every loaded batch is normalised with (Prep.h);
  /// none until set.
  void setNormalizer(Normalizer n) { normalizer = std::move(n); }
  /// Data-parallel training: rank `rank` (> 0) draws its dropout masks and
  /// augmentations from streams of its own, deriveSeed(seed, "rank",
  /// rank); rank 0 draws those of a single process.
  void setRank(int rank);
  const Normalizer &getNormalizer() const { return normalizer; }
  const Augmenter &getAugmenter() const { return augmenter; }

  /// Gathers batch `b` of `order` into the input buffers and prepares it
  /// (Prep.h): always normalised; a training batch (`augmentStep` >= 0, the
  /// step it is for) also augmented; `flip` mirrors the last axis of every
  /// sample (test-time augmentation). Returns its size.
  int64_t load(const Dataset &data, const std::vector<int64_t> &order,
               int64_t b, int64_t augmentStep = -1, bool flip = false);

  /// Runs `fn` (named `what` in errors) on the loaded batch of `n` samples;
  /// returns the loss it reports. `training` binds gradients and optimiser
  /// state.
  double run(dlrt_step_fn fn, const char *what, bool training, int64_t n,
             double lr, int64_t step);

  /// Evaluates `indices` of `data` in order, in inference mode, computing
  /// the metrics of `flags`.
  EvalResult evaluate(const Dataset &data, const std::vector<int64_t> &indices,
                      uint32_t flags);
  /// evaluate with test-time augmentation: the outputs of each sample and
  /// of its mirror image (hflip) are averaged (as probabilities for class
  /// labels and logits, as they are otherwise) and the metrics are those of
  /// the average; the loss is the mean of the two passes' losses.
  EvalResult evaluateTta(const Dataset &data,
                         const std::vector<int64_t> &indices, uint32_t flags);

  /// Adds the last batch of `n` samples to `r`: its outputs to the metrics
  /// (a model with outputs) and its step losses, weighted by `n`.
  void accumulate(EvalResult &r, int64_t n) const;

  /// Adds the outputs of the last batch of `n` samples to `metrics`.
  void addTo(MetricAccumulator &metrics, int64_t n) const;

  /// The loaded batch's inputs and labels, to change before a run (noise,
  /// the class to explain); the buffer saliency_step writes (NULL: none).
  float *inputs() { return x.data(); }
  /// The loaded batch's integer inputs (token ids; a model with integer
  /// inputs).
  int64_t *idsToSet() { return ids.data(); }
  int64_t *labelsToSet() { return y.data(); }
  void setInputGrad(float *g) { inputGrad = g; }

  /// Outputs, labels and float targets (the inputs, for DLRT_LABEL_INPUT)
  /// of the last batch.
  const float *logitsData() const { return logits.data(); }
  const int64_t *labels() const { return y.data(); }
  const float *targets() const;

private:
  const dlrt_model_desc &desc;
  ModelState &state;
  int64_t batch;
  AlignedFloats x;
  /// Integer inputs (token ids), for a model with input_dtype I64.
  std::vector<int64_t> ids;
  std::vector<int64_t> y;
  AlignedFloats t;
  AlignedFloats logits;
  /// The step losses of the last call (an explicit step).
  std::vector<double> stepLosses;
  float *inputGrad = nullptr;
  uint64_t seed;
  Normalizer normalizer;
  Augmenter augmenter;
};

/// `--show FILE.png`: runs eval_step on the first batch of `data` and
/// writes the grid of its `show` values (Png.h) to `path`, atomically.
void drawShow(const dlrt_model_desc &desc, StepRunner &runner,
              const Dataset &data, const std::string &path);

/// Averaging outputs (test-time augmentation, snapshot ensembles): adds
/// `weight` times the probabilities of `n` samples' `outputs` to `sum`
/// (softmax for class labels, sigmoid for logits, the values otherwise).
void addProbabilities(const TargetKind &kind, const float *outputs, int64_t n,
                      double weight, double *sum);
/// The outputs whose probabilities are `mean` (log-probabilities, logits or
/// the values), so that every metric reads the mean.
void probabilitiesToOutputs(const TargetKind &kind, const double *mean,
                            int64_t n, float *outputs);

/// 0, 1, ..., n - 1.
std::vector<int64_t> allIndices(int64_t n);

/// Text ("loss 0.5 acc 0.8 ...") and JSON fields of the metrics selected in
/// `flags` (dlrt_metric_flag bits) that apply to the model's targets, each
/// name prefixed with `prefix`.
std::string describeMetrics(const EvalResult &r, uint32_t flags,
                            const std::string &prefix, nlohmann::json *record);

/// Passes --threads to the model, if it wants it.
void applyThreads(const dlrt_model_desc &desc, const RunConfig &config);

/// Loads part "train" or "test" of the configured data (an empty data set
/// for "test" when the source has no test part).
Dataset loadPart(const dlrt_model_desc &desc, const RunConfig &config,
                 const char *part);

/// Loads the parameters of --weights (required by `command`); returns the
/// normalisation statistics saved with them (and the metadata in `*meta`).
Normalizer loadWeights(ModelState &state, const RunConfig &config,
                       const char *command,
                       std::map<std::string, std::string> *meta = nullptr);

/// A model trained on text: the checkpoint `path` (metadata `meta`) must
/// hold the vocabulary of `data` (Text.h); nothing for other models.
void checkDataVocabulary(const dlrt_model_desc &desc,
                         const std::map<std::string, std::string> &meta,
                         const Dataset &data, const std::string &path);

/// Loads a checkpoint's parameters (and optimiser state if `withOptimizer`)
/// and its normalisation statistics (Prep.h) into `*normalizer`; returns
/// the metadata.
std::map<std::string, std::string>
loadCheckpoint(ModelState &state, const std::string &path, bool withOptimizer,
               Normalizer *normalizer);

/// The normalisation of a run from scratch: statistics of the samples
/// `indices` of `train` (its training split).
Normalizer fitNormalizer(const dlrt_model_desc &desc, const Dataset &train,
                         const std::vector<int64_t> &indices);

/// The shape of one input sample.
std::vector<int64_t> sampleShape(const dlrt_model_desc &desc);

} // namespace dlrt

#endif // DLRT_STEPRUNNER_H
