//===- Trainer.h - The trainer's commands and their settings ----*- C++ -*-===//
//
// The commands of `./train`: train (with validation, early stopping,
// checkpoints, resume, JSON Lines log and a final test evaluation), eval,
// predict, info, gradcheck and lr-find. A RunConfig holds the effective
// settings: the descriptor's defaults with the command-line flags applied.
// The part that decides the result of a run (seed, batch, schedule, ...) is
// stored in every checkpoint so that `--resume` continues bit-identically.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_TRAINER_H
#define DLRT_TRAINER_H

#include "dlrt/dlrt.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include "dlrt/Dataset.h"
#include "dlrt/Model.h"

#include <string>

namespace dlrt {

/// Effective settings of one run.
struct RunConfig {
  int32_t epochs = 1;
  int32_t batch = 32;
  uint64_t seed = 0;
  double validation = 0;
  int32_t threads = 1;
  /// Where the data are (--data, --data-format, or the train block's).
  DataSource data;
  /// Use only the first `limit` samples of each data file (0: all).
  int64_t limit = 0;
  /// Stop after this many epochs in this invocation (0: run to `epochs`);
  /// the schedule still spans `epochs`.
  int32_t stopAfter = 0;
  /// `--check-replicas` (data-parallel training): after every step, the
  /// ranks compare a checksum of their weights and optimiser state, and a
  /// difference is an error.
  bool checkReplicas = false;
  std::string save, resume, weights, log;
  /// `--show FILE.png`: the grid of the train block's `show` values.
  std::string show;
  /// `--plot FILE.svg`: train: the training curves, redrawn after every
  /// epoch; eval: the confusion matrix (Plot.h).
  std::string plot;
  /// `plot LOG.jsonl`: the log to draw (written to `output`).
  std::string plotLog;
  /// `train --features FILE`: the precomputed features of the frozen
  /// backbone (Precompute.cpp) instead of the data source.
  std::string features;
  /// saliency: the test sample, SmoothGrad's noisy copies (0: the plain
  /// gradient) and noise level, and the output prefix.
  int64_t index = 0;
  int32_t smoothgrad = 0;
  double noiseLevel = 0.15;
  std::string output;
  /// Transfer learning: a new run starting from the tensors of `init` that
  /// match the model's names (after `initMap`); see ModelState::loadInit.
  std::string init;
  std::vector<InitMapping> initMap;
  /// Also log a "step" record every `logEvery` steps (0: never).
  int64_t logEvery = 0;
  /// Steps of `lr-find`.
  int64_t lrFindSteps = 100;
  /// sample: tokens to generate, the softmax temperature, the text the
  /// generation continues (empty: a newline when the vocabulary has one).
  int64_t sampleLength = 200;
  double temperature = 1.0;
  std::string prompt;
  dlrt_optimizer_desc optimizer{};
  dlrt_schedule_desc schedule{};
  dlrt_early_stop_desc earlyStop{};
  uint32_t metrics = 0;
  /// Whether --epochs was given (it then overrides a resumed checkpoint's).
  bool epochsGiven = false;
  /// eval --tta: test-time augmentation (identity and hflip averaged).
  bool tta = false;
  /// predict --logits: also print the raw outputs of class models.
  bool printLogits = false;
  /// The train block's data preparation (compiled in; recorded in
  /// checkpoints, and a resumed checkpoint's must be the same).
  int32_t normalize = DLRT_NORMALIZE_NONE;
  uint32_t augment = 0;
  int32_t cropPadding = 0, shiftPixels = 0;
  double noiseStd = 0;
  /// The train block's class balancing (a dlrt_balance_kind) and k-fold
  /// cross-validation (folds >= 2; 1: off); compiled in, recorded in
  /// checkpoints.
  int32_t balance = DLRT_BALANCE_NONE;
  int32_t folds = 1;
  /// Snapshot ensembles: n >= 2 cosine cycles (warm restarts of epochs / n
  /// epochs), the weights saved at the end of each (1: off); compiled in.
  int32_t snapshots = 1;
  /// Set by the cross-validation driver for the run of one fold: its
  /// 0-based index (-1: not a fold run), its training and validation
  /// samples.
  int32_t fold = -1;
  std::vector<int64_t> foldTrain, foldValidation;

  /// The defaults of the descriptor's train block.
  static RunConfig fromDescriptor(const dlrt_model_desc &desc);
  /// The settings that determine the trajectory, as stored in checkpoints.
  nlohmann::json toJson() const;
  /// Restores the settings written by toJson (a checkpoint's), checking the
  /// type and range of every field and that the optimizer is the one the
  /// model's step was compiled with; errors name `path` and the field.
  void restoreFrom(const nlohmann::json &saved, const dlrt_model_desc &desc,
                   const std::string &path);
};

/// Name of an optimizer kind ("sgd", "adam", ...).
const char *optimizerName(int32_t kind);

/// The commands; each returns the process exit status.
int runTrain(const dlrt_model_desc &desc, RunConfig config);
int runEval(const dlrt_model_desc &desc, const RunConfig &config);
int runPredict(const dlrt_model_desc &desc, const RunConfig &config);
int runInfo(const dlrt_model_desc &desc, const RunConfig &config);
int runGradcheck(const dlrt_model_desc &desc, const RunConfig &config);
int runLrFind(const dlrt_model_desc &desc, const RunConfig &config);
/// `./train sample`: text generated by a language model (Sample.cpp).
int runSample(const dlrt_model_desc &desc, const RunConfig &config);
int runSaliency(const dlrt_model_desc &desc, const RunConfig &config);
/// `plot LOG.jsonl -o FILE.svg`: the training curves of a log (Plot.h).
int runPlot(const dlrt_model_desc &desc, const RunConfig &config);
/// `precompute -o FILE`: the features of the frozen backbone of every
/// training and test sample, with their targets (Precompute.cpp).
int runPrecompute(const dlrt_model_desc &desc, const RunConfig &config);
/// The model as its head sees it: the features as input, head_train_step
/// and head_eval_step as its steps. Throws unless the model has a backbone
/// whose features can be precomputed for this train block.
dlrt_model_desc headDescriptor(const dlrt_model_desc &desc);
/// Part "train" or "test" of a features file, for the head descriptor.
Dataset loadFeatures(const dlrt_model_desc &head, const std::string &path,
                     const std::string &part);
/// Throws unless `state` holds the frozen tensors the features file was
/// computed with.
void checkFeaturesBackbone(ModelState &state, const std::string &path);

} // namespace dlrt

#endif // DLRT_TRAINER_H
