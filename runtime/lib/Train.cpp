//===- Train.cpp - The training loop --------------------------------------===//
//
// `./train` and `./train train`: validation split, epochs of shuffled batches
// through the compiled train_step, the learning-rate schedule, metrics,
// progress, the JSON Lines log, early stopping, a crash-safe checkpoint after
// every epoch (and on SIGINT/SIGTERM, mid-epoch), resume, and the final test
// evaluation. Every random choice is a stream keyed by the run seed
// (Random.h), so a run is a function of its RunConfig, the data and the thread
// count.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Comm.h"
#include "dlrt/Error.h"
#include "dlrt/Log.h"
#include "dlrt/Plot.h"
#include "dlrt/Progress.h"
#include "dlrt/Random.h"
#include "dlrt/SafeTensors.h"
#include "dlrt/Schedule.h"
#include "dlrt/Snapshots.h"
#include "dlrt/StepRunner.h"
#include "dlrt/Text.h"
#include "dlrt/Trainer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <sys/stat.h>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

using nlohmann::json;

namespace dlrt {

namespace {

std::string requireMeta(const std::map<std::string, std::string> &meta,
                        const std::string &key, const std::string &path) {
  auto it = meta.find(key);
  if (it == meta.end())
    fail("checkpoint '{}' lacks the metadata '{}' needed to resume", path, key);
  return it->second;
}

int64_t parseCount(const std::string &text, const std::string &key,
                   const std::string &path) {
  try {
    size_t used = 0;
    long long value = std::stoll(text, &used);
    if (used == text.size() && value >= 0)
      return value;
  } catch (const std::exception &) {
  }
  fail("checkpoint '{}' has a malformed '{}' metadata value '{}'", path, key,
       text);
}

} // namespace

namespace {

/// Set by SIGINT/SIGTERM; the training loop polls it after every step.
volatile std::sig_atomic_t interruptRequested = 0;

extern "C" void requestInterrupt(int) { interruptRequested = 1; }

/// Routes SIGINT and SIGTERM to requestInterrupt while training runs, so that
/// Ctrl-C saves a resumable checkpoint instead of losing the epoch. SIGPIPE
/// and SIGXFSZ are ignored for the rest of the process: a closed stdout
/// (`| head -1`) only stops the progress output (printOut), and a write
/// beyond the file-size limit (`ulimit -f`) fails with EFBIG, which the
/// checkpoint writer reports (exit 1) without touching the previous
/// checkpoint, instead of killing the trainer on the spot.
class InterruptGuard {
public:
  InterruptGuard() {
    interruptRequested = 0;
    struct sigaction action {};
    action.sa_handler = requestInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &oldInt);
    sigaction(SIGTERM, &action, &oldTerm);
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);
  }
  ~InterruptGuard() {
    sigaction(SIGINT, &oldInt, nullptr);
    sigaction(SIGTERM, &oldTerm, nullptr);
  }

private:
  struct sigaction oldInt {
  }, oldTerm{};
};

/// Exit status of an interrupted run (128 + SIGINT, as shells report it).
constexpr int InterruptedExitCode = 130;

} // namespace

namespace {

/// `<stem>.fold<i>.safetensors` (i 1-based) for `save` = `<stem>.safetensors`;
/// `<save>.fold<i>` otherwise.
std::string foldSavePath(const std::string &save, int32_t fold) {
  const std::string ext = ".safetensors";
  if (save.size() > ext.size() &&
      save.compare(save.size() - ext.size(), ext.size(), ext) == 0)
    return fmt::format("{}.fold{}{}", save.substr(0, save.size() - ext.size()),
                       fold + 1, ext);
  return fmt::format("{}.fold{}", save, fold + 1);
}

std::string formatCounts(const std::vector<int64_t> &counts) {
  std::vector<std::string> parts;
  for (size_t c = 0; c < counts.size(); ++c)
    parts.push_back(fmt::format("{}: {}", c, counts[c]));
  return fmt::format("[{}]", fmt::join(parts, ", "));
}

/// `--plot FILE.svg`: the training curves, redrawn (atomically) after every
/// epoch and after the test, so that a stopped run leaves its plot too.
/// With `--log` the curves are those of the whole log file (earlier runs that
/// this one resumes, every fold); without, of the records of this process.
class CurvePlotter {
public:
  CurvePlotter(const RunConfig &config, const dlrt_model_desc &desc)
      : path(config.plot), log(config.log),
        title(fmt::format("{} ({})", desc.name ? desc.name : "model",
                          config.log.empty() ? "this run" : config.log)) {}

  void add(const json &record) {
    if (path.empty())
      return;
    records.push_back(record);
    std::string event = record.value("event", "");
    if (event == "epoch" || event == "test")
      draw();
  }

private:
  /// A plot that cannot be drawn is a warning: training goes on.
  void draw() {
    try {
      // A log that is not a regular file (a pipe) cannot be read back.
      struct stat st;
      bool readable = !log.empty() && ::stat(log.c_str(), &st) == 0 &&
                      S_ISREG(st.st_mode);
      std::string svg =
          curvesSvg(readable ? readLogRecords(log) : records, title);
      writeFileAtomically(path, std::vector<uint8_t>(svg.begin(), svg.end()));
    } catch (const Error &e) {
      if (!warned)
        fmt::print(stderr, "warning: cannot draw --plot '{}': {}\n", path,
                   e.what());
      warned = true;
    }
  }
  bool warned = false;

  std::string path, log, title;
  std::vector<json> records;
};

/// One training run: the whole of `./train train`, or (config.fold >= 0) the
/// run of one cross-validation fold, whose validation metrics of the last
/// epoch and test metrics go to `foldResult`.
int trainRun(const dlrt_model_desc &desc, RunConfig config, json *foldResult,
             CurvePlotter &plotter) {
  InterruptGuard interrupts;
  // Fold i of a cross-validation run is a run of its own seed: its
  // initialisation, shuffles, balancing, dropout and augmentation draw from
  // deriveSeed(seed, "fold", i); the partition into folds from the run
  // seed's stream ("folds", 0).
  const uint64_t runSeed = config.seed;
  if (config.fold >= 0)
    config.seed = deriveSeed(runSeed, "fold", uint64_t(config.fold));
  // Refuse a --save target that cannot be saved to before any training work
  // is done (it is checked again at every save).
  if (!config.save.empty())
    checkSaveTarget(config.save);
  if (!config.show.empty())
    checkSaveTarget(config.show);
  if (!config.plot.empty())
    checkPlotTarget(config.plot);
  if (!config.resume.empty() && !config.weights.empty())
    fail("--weights and --resume exclude each other: --resume continues a "
         "run from its checkpoint (weights, optimizer state, step), --weights "
         "starts a new run from the given weights");
  ModelState state(desc, desc.train.optimizer.num_slots);
  InitReport initReport;
  int64_t startEpoch = 0, step = 0, savedStepsPerEpoch = -1;
  json savedEarlyStop;
  // The normalisation statistics travel with the weights: a resumed or
  // warm-started run uses those of its checkpoint, a run from scratch those
  // of its training split (below).
  Normalizer normalizer;
  bool restoredStats = false;
  // The metadata of --resume or --weights, checked against the data below.
  std::map<std::string, std::string> loadedMeta;
  if (!config.resume.empty()) {
    std::map<std::string, std::string> meta =
        loadCheckpoint(state, config.resume, true, &normalizer);
    loadedMeta = meta;
    restoredStats = true;
    const std::string &path = config.resume;
    int32_t epochs = config.epochs;
    json saved, rng, keys;
    auto parse = [&](const char *key) {
      try {
        return json::parse(requireMeta(meta, key, path));
      } catch (const json::exception &e) {
        fail("checkpoint '{}' has malformed '{}' metadata: {}", path, key,
             e.what());
      }
    };
    std::string format = requireMeta(meta, "format", path);
    if (format != "dlc-checkpoint/1")
      fail("checkpoint '{}' has metadata 'format' \"{}\"; expected "
           "\"dlc-checkpoint/1\"",
           path, format);
    saved = parse("train_config");
    savedEarlyStop = parse("early_stop");
    config.restoreFrom(saved, desc, path);
    if (config.epochsGiven)
      config.epochs = epochs;
    startEpoch = parseCount(requireMeta(meta, "epoch", path), "epoch", path);
    step = parseCount(requireMeta(meta, "step", path), "step", path);
    savedStepsPerEpoch =
        parseCount(requireMeta(meta, "steps_per_epoch", path),
                   "steps_per_epoch", path);
    if (savedStepsPerEpoch < 1)
      fail("checkpoint '{}' has metadata 'steps_per_epoch' {}; expected at "
           "least 1",
           path, savedStepsPerEpoch);
    std::string optimizer = requireMeta(meta, "optimizer", path);
    if (optimizer != optimizerName(config.optimizer.kind))
      fail("checkpoint '{}' has metadata 'optimizer' \"{}\" but its "
           "train_config says {}",
           path, optimizer, optimizerName(config.optimizer.kind));
    // The optimiser state must be exactly the model's: same slots, same
    // trainable parameters.
    keys = parse("optimizer_state_keys");
    if (keys != json(state.optKeys()))
      fail("checkpoint '{}' has metadata 'optimizer_state_keys' {} but the "
           "model's optimizer state is {}",
           path, keys.dump(), json(state.optKeys()).dump());
    rng = parse("rng");
    if (!rng.is_object() || !rng.contains("seed") ||
        rng["seed"] != json(config.seed) || !rng.contains("next_step") ||
        rng["next_step"] != json(step))
      fail("checkpoint '{}' has metadata 'rng' {} inconsistent with its seed "
           "{} and step {}",
           path, rng.dump(), config.seed, step);
    if (!savedEarlyStop.is_object() || !savedEarlyStop.contains("has_best") ||
        !savedEarlyStop["has_best"].is_boolean() ||
        !savedEarlyStop.contains("best") ||
        !savedEarlyStop["best"].is_number() ||
        !std::isfinite(savedEarlyStop["best"].get<double>()) ||
        !savedEarlyStop.contains("wait") ||
        !savedEarlyStop["wait"].is_number_integer() ||
        savedEarlyStop["wait"].get<int64_t>() < 0 ||
        savedEarlyStop["wait"].get<int64_t>() > 1000000)
      fail("checkpoint '{}' has malformed 'early_stop' metadata {}: expected "
           "{{\"has_best\": bool, \"best\": finite number, \"wait\": "
           "integer in [0, 1000000]}}",
           path, savedEarlyStop.dump());
  } else {
    state.initialise(config.seed);
    // Warm start: a new run (step 0, zero optimizer state) from given
    // weights, whose names and shapes must be the model's.
    if (!config.weights.empty()) {
      loadedMeta = loadCheckpoint(state, config.weights, false, &normalizer);
      restoredStats = true;
    }
    // Transfer learning: the same, from the matching tensors of any
    // checkpoint; the rest keep the initialiser drawn above.
    if (!config.init.empty())
      initReport = state.loadInit(config.init, config.initMap);
  }
  applyThreads(desc, config);
  // Precomputed features are those of the frozen tensors they came from.
  if (!config.features.empty())
    checkFeaturesBackbone(state, config.features);

  Dataset train = loadPart(desc, config, "train");
  Dataset test = loadPart(desc, config, "test");
  if (!config.resume.empty() || !config.weights.empty())
    checkDataVocabulary(desc, loadedMeta, train,
                        config.resume.empty() ? config.weights : config.resume);
  // --init takes embeddings by id: a checkpoint of a text model must have
  // this text's vocabulary (another file's tensors get a warning).
  if (!config.init.empty() && desc.train.data_kind == DLRT_DATA_TEXT_FILES) {
    std::map<std::string, std::string> initMeta =
        loadSafeTensors(config.init, true).metadata;
    if (initMeta.count("vocabulary"))
      checkVocabulary(initMeta, train.vocabulary, config.init);
    else
      fmt::print(stderr,
                 "warning: '{}' has no vocabulary: its tensors may index "
                 "other tokens than the ids of '{}'\n",
                 config.init, config.data.files[DLRT_FILE_TRAIN_INPUTS]);
  }
  if (!train.vocabulary.empty())
    say("vocabulary of {} {}s from '{}'\n", train.vocabulary.size(),
        config.data.textUnit == DLRT_TEXT_WORD ? "token" : "character",
        config.data.files[DLRT_FILE_TRAIN_INPUTS]);
  Split split;
  if (config.fold >= 0) {
    std::vector<std::vector<int64_t>> folds =
        foldPartition(train.size(), config.folds, runSeed);
    for (int32_t f = 0; f < config.folds; ++f)
      if (f != config.fold)
        split.train.insert(split.train.end(), folds[f].begin(),
                           folds[f].end());
    std::sort(split.train.begin(), split.train.end());
    split.validation = folds[config.fold];
  } else {
    split = splitIndices(train.size(), config.validation, config.seed);
  }
  // A balanced epoch has its own length (the same in every epoch).
  const int64_t numClasses = desc.num_classes;
  int64_t epochLength =
      config.balance == DLRT_BALANCE_NONE
          ? int64_t(split.train.size())
          : balancedEpochLength(split.train, train.y, numClasses,
                                config.balance);
  if (epochLength < 1)
    fail("balance = {} leaves no training sample",
         vocab::nameOf(vocab::balanceKinds, config.balance));
  int64_t stepsPerEpoch = numBatches(epochLength, config.batch);
  if (savedStepsPerEpoch >= 0 && savedStepsPerEpoch != stepsPerEpoch)
    fail("checkpoint '{}' was trained with {} steps per epoch but this run "
         "has {} (different data?)",
         config.resume, savedStepsPerEpoch, stepsPerEpoch);
  // An interrupted run saves mid-epoch: `epoch` epochs done plus some
  // batches of the next one.
  if (savedStepsPerEpoch >= 0 && step / stepsPerEpoch != startEpoch)
    fail("checkpoint '{}' is inconsistent: step {} does not lie in epoch {} "
         "of {} steps",
         config.resume, step, startEpoch + 1, stepsPerEpoch);
  int64_t startBatch = step - startEpoch * stepsPerEpoch;
  // Statistics of the training split only: the validation samples stay
  // unseen.
  if (!restoredStats)
    normalizer = fitNormalizer(desc, train, split.train);

  // A snapshot ensemble's cycles: warm restarts of epochs / n epochs.
  if (config.snapshots > 1) {
    if (!config.resume.empty() && config.epochsGiven)
      fail("--epochs with --resume of a snapshot ensemble run (snapshots = "
           "{}) is not supported: it would change the cycles of the "
           "snapshots already saved",
           config.snapshots);
    config.schedule = snapshotSchedule(config.snapshots, config.epochs);
  }
  LrSchedule schedule(config.schedule, config.optimizer.lr, stepsPerEpoch,
                      config.epochs);
  const dlrt_early_stop_desc &monitor = config.earlyStop;
  bool haveValidation = !split.validation.empty();
  bool higherIsBetter = monitorHigherIsBetter(monitor);
  // The watched metric is computed even when it is not shown.
  uint32_t metricFlags =
      config.metrics | (monitor.patience > 0 && monitor.metric >= 0
                            ? 1u << monitor.metric
                            : 0u);
  EarlyStopping earlyStop(config.earlyStop.patience, higherIsBetter,
                          config.earlyStop.min_delta);
  if (!savedEarlyStop.is_null()) {
    earlyStop.hasBest = savedEarlyStop.value("has_best", false);
    earlyStop.best = savedEarlyStop.value("best", 0.0);
    earlyStop.wait = savedEarlyStop.value("wait", 0);
  }
  JsonlLog log;
  if (!config.log.empty())
    log.open(config.log, !config.resume.empty() || config.fold > 0);
  // The records of a fold run say which fold.
  auto writeLog = [&](json record) {
    if (config.fold >= 0)
      record["fold"] = config.fold + 1;
    log.write(record);
    plotter.add(record);
  };

  if (config.fold >= 0)
    say("cross-validation fold {}/{} (seed {}): validating on fold {}, "
        "training on the other {}\n",
        config.fold + 1, config.folds, config.seed, config.fold + 1,
        config.folds - 1);

  say("training {}: {} training, {} validation, {} test samples; "
             "batch {}, {} steps per epoch\n",
             desc.name ? desc.name : "model", split.train.size(),
             split.validation.size(), test.size(), config.batch, stepsPerEpoch);
  // The lr really used: one_cycle sets every step's lr from its peak.
  if (desc.num_step_losses > 0)
    say("explicit step (lr factor {}, schedule {}):\n{}", config.optimizer.lr,
        schedule.describe(), desc.step_summary ? desc.step_summary : "");
  else if (config.schedule.kind == DLRT_SCHED_ONE_CYCLE)
    say("optimizer {} (peak lr {}), schedule {}\n",
        optimizerName(config.optimizer.kind), schedule.peak(),
        schedule.describe());
  else
    say("optimizer {} (lr {}), schedule {}\n",
        optimizerName(config.optimizer.kind), config.optimizer.lr,
        schedule.describe());
  if (!config.weights.empty())
    say("initial weights from '{}'\n", config.weights);
  if (!config.init.empty()) {
    say("--init '{}': took {} of the model's {} tensors: {}\n", config.init,
        initReport.taken.size(), desc.num_params,
        fmt::join(initReport.taken, ", "));
    if (!initReport.kept.empty())
      say("--init: kept their initialiser (not in the file): {}\n",
          fmt::join(initReport.kept, ", "));
    if (!initReport.unmatched.empty())
      say("--init: tensors of the file that match nothing: {}\n",
          fmt::join(initReport.unmatched, ", "));
    // A frozen parameter that is not taken stays at its random initial value
    // for the whole run: legitimate (random features) but rarely meant.
    for (int32_t p = 0; p < desc.num_params; ++p)
      if (desc.params[p].frozen &&
          std::find(initReport.kept.begin(), initReport.kept.end(),
                    desc.params[p].name) != initReport.kept.end())
        fmt::print(stderr,
                   "warning: frozen parameter '{}' is not in '{}': it stays "
                   "at its initial value\n",
                   desc.params[p].name, config.init);
  }
  if (step > 0)
    say("resuming from '{}' at epoch {}, step {}\n", config.resume, startEpoch,
        step);
  if (normalizer.kind() != DLRT_NORMALIZE_NONE) {
    std::string from =
        restoredStats
            ? fmt::format("from '{}'", config.resume.empty() ? config.weights
                                                             : config.resume)
            : fmt::format("of the {} training samples", split.train.size());
    const char *name = vocab::nameOf(vocab::normalizeKinds, normalizer.kind());
    if (normalizer.whitens())
      say("normalize {}{}: mean and {} x {} whitening matrix {}\n", name,
          restoredStats ? "" : fmt::format(" (eps {})", desc.train.whiten_eps),
          normalizer.first().size(), normalizer.first().size(), from);
    else
      say("normalize {}: per-feature statistics {}\n", name, from);
  }
  if (config.balance != DLRT_BALANCE_NONE) {
    std::vector<int64_t> before = classCounts(split.train, train.y, numClasses);
    std::vector<int64_t> after = classCounts(
        balancedOrder(split.train, train.y, numClasses, config.balance,
                      config.seed, startEpoch),
        train.y, numClasses);
    say("balance {}: class counts of the {} training samples {}; epoch {} "
        "has {} samples: {}{}\n",
        vocab::nameOf(vocab::balanceKinds, config.balance), split.train.size(),
        formatCounts(before), startEpoch + 1, epochLength, formatCounts(after),
        config.balance == DLRT_BALANCE_WEIGHTED_SAMPLER
            ? " (drawn with replacement, equal expected counts; redrawn "
              "every epoch)"
            : config.balance == DLRT_BALANCE_UNDERSAMPLE
                ? " (a new subset every epoch)"
                : "");
  }
  if (config.snapshots > 1)
    say("snapshot ensemble: {} cosine cycles of {} epochs, the weights saved "
        "at the end of each{}\n",
        config.snapshots, config.schedule.t0,
        config.save.empty()
            ? " (not saved: --no-save)"
            : fmt::format(" ('{}', ...)", snapshotPath(config.save, 1)));
  if (desc.train.augment) {
    std::vector<std::string> names;
    for (const vocab::Entry &e : vocab::augmentKinds)
      if (desc.train.augment & (1u << e.value))
        names.push_back(e.name);
    say("augment {} (training batches only)\n", fmt::join(names, ", "));
  }

  StepRunner runner(desc, state, config);
  runner.setNormalizer(normalizer);
  int32_t lastEpoch = config.epochs;
  if (config.stopAfter > 0)
    lastEpoch = std::min<int64_t>(config.epochs, startEpoch + config.stopAfter);
  // Data-parallel training (mpirun, a trainer built with dlc --mpi): every
  // rank holds the whole model and data set, takes its shard of each batch
  // through train_grad_step, the ranks sum their gradients in one allreduce
  // (GradientPacker, Comm.h), and each applies the same update_step. Rank
  // 0 alone prints, logs and saves (runTrain).
  // A trainer built with --mpi takes this path in one process too (the
  // same arithmetic as train_step: its tests compare the two bit for bit).
  Comm &world = comm();
  const bool parallel = desc.train_grad_step && desc.update_step;
  bool terminal = stderrIsTerminal() && world.rank() == 0;
  std::unique_ptr<GradientPacker> packer;
  std::vector<int64_t> shardOrder;
  int64_t replicaChecks = 0;
  if (parallel) {
    runner.setRank(world.rank());
    packer = std::make_unique<GradientPacker>(state);
  }
  if (world.size() > 1) {
    say("data-parallel: {}; each rank takes about {} of every batch of {} "
        "(gradients summed in one allreduce of {} values)\n",
        world.describe(), (config.batch + world.size() - 1) / world.size(),
        config.batch, packer->size());
  }
  // One step of data-parallel training on batch `b` of `order`: returns
  // the mean loss over the batch (every rank the same) and sets `*stop`
  // when some rank was interrupted.
  auto parallelStep = [&](const std::vector<int64_t> &order, int64_t b,
                          int64_t n, double lr, EvalResult &result,
                          bool *stop) {
    Shard shard = shardOf(n, world.rank(), world.size());
    int64_t first = b * int64_t(config.batch);
    packer->rememberBuffers();
    double lossSum = 0;
    if (shard.size() > 0) {
      shardOrder.assign(order.begin() + first + shard.begin,
                        order.begin() + first + shard.end);
      int64_t got = runner.load(train, shardOrder, 0, step);
      lossSum = runner.run(desc.train_grad_step, "train_grad_step", true, got,
                           lr, step) *
                double(got);
      runner.accumulate(result, got);
    }
    packer->pack(shard.size() > 0, float(double(shard.size()) / double(n)),
                 lossSum, interruptRequested != 0);
    world.allreduceSum(packer->data(), packer->size());
    double total = packer->unpack(stop);
    runner.run(desc.update_step, "update_step", true, n, lr, step);
    if (config.checkReplicas) {
      if (!world.same(stateChecksum(state)))
        fail("--check-replicas: the ranks' weights or optimizer state differ "
             "after step {}",
             step + 1);
      ++replicaChecks;
    }
    return total / double(n);
  };

  // Validation and test under mpirun: each rank evaluates its contiguous
  // shard of the samples and the ranks sum their loss and metric sums (the
  // counts behind the confusion matrix, MAE, RMSE, log loss), so every rank
  // gets the same result. ROC AUC needs every score: with it in `flags`,
  // every rank evaluates all the samples instead (the same result too).
  auto evaluateAll = [&](const Dataset &data,
                         const std::vector<int64_t> &indices,
                         uint32_t flags) {
    if (world.size() == 1 || (flags & DLRT_METRIC_ROC_AUC))
      return runner.evaluate(data, indices, flags);
    Shard shard = shardOf(int64_t(indices.size()), world.rank(), world.size());
    std::vector<int64_t> mine(indices.begin() + shard.begin,
                              indices.begin() + shard.end);
    EvalResult result = runner.evaluate(data, mine, flags);
    std::vector<double> sums = result.metrics.sums();
    sums.push_back(result.loss * double(mine.size()));
    world.allreduceSum(sums.data(), sums.size());
    result.loss = indices.empty() ? 0.0 : sums.back() / double(indices.size());
    sums.pop_back();
    result.metrics.setSums(sums);
    return result;
  };

  // `snapshot` > 0: the snapshot file of that cycle instead of the run's
  // checkpoint.
  auto checkpoint = [&](int64_t epochsDone, int64_t snapshot = 0) {
    if (config.save.empty())
      return;
    std::map<std::string, std::string> meta;
    meta["format"] = "dlc-checkpoint/1";
    meta["model"] = desc.name ? desc.name : "";
    meta["step"] = std::to_string(step);
    meta["epoch"] = std::to_string(epochsDone);
    meta["steps_per_epoch"] = std::to_string(stepsPerEpoch);
    meta["optimizer"] = optimizerName(config.optimizer.kind);
    meta["optimizer_state_keys"] = json(state.optKeys()).dump();
    meta["rng"] = json{
        {"generator", "xoshiro256** streams keyed by "
                      "splitmix64(seed, purpose, index)"},
        {"seed", config.seed},
        {"next_shuffle_epoch", epochsDone},
        {"next_step",
         step}}.dump();
    meta["train_config"] = config.toJson().dump();
    meta["early_stop"] = json{
        {"has_best", earlyStop.hasBest},
        {"best", earlyStop.best},
        {"wait",
         earlyStop.wait}}.dump();
    meta["normalize"] = vocab::nameOf(vocab::normalizeKinds, normalizer.kind());
    // A text model's ids mean the tokens of its vocabulary.
    if (!train.vocabulary.empty()) {
      meta["vocabulary"] = vocabularyJson(train.vocabulary);
      meta["text_unit"] =
          config.data.textUnit == DLRT_TEXT_WORD ? "word" : "char";
    }
    if (snapshot > 0)
      meta["snapshot"] = fmt::format("{} of {}", snapshot, config.snapshots);
    else if (config.snapshots > 1)
      meta["snapshots"] = snapshotList(config.save, config.snapshots,
                                       config.epochs, epochsDone);
    state.save(snapshot > 0 ? snapshotPath(config.save, snapshot) : config.save,
               meta, normalizer.tensors(sampleShape(desc)));
  };

  if (startEpoch >= config.epochs)
    say("nothing to train: the checkpoint is at epoch {} of {}\n",
               startEpoch, config.epochs);
  if (earlyStop.shouldStop() && startEpoch < config.epochs) {
    say("early stopping already triggered in '{}'\n", config.resume);
    lastEpoch = static_cast<int32_t>(startEpoch);
  }

  for (int64_t epoch = startEpoch; epoch < lastEpoch; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    std::vector<int64_t> order = balancedOrder(
        split.train, train.y, numClasses, config.balance, config.seed, epoch);
    Progress progress(terminal,
                      fmt::format("epoch {}/{}", epoch + 1, config.epochs),
                      stepsPerEpoch);
    EvalResult trainResult(desc, metricFlags);
    uint32_t headline = trainResult.metrics.headline();
    double lossSum = 0;
    int64_t seen = 0;
    double lr = 0;
    int64_t firstBatch = epoch == startEpoch ? startBatch : 0;
    for (int64_t b = firstBatch; b < stepsPerEpoch; ++b) {
      lr = schedule.at(step);
      int64_t n;
      double loss;
      bool stop = false;
      if (parallel) {
        n = std::min<int64_t>(config.batch,
                              int64_t(order.size()) - b * config.batch);
        loss = parallelStep(order, b, n, lr, trainResult, &stop);
      } else {
        n = runner.load(train, order, b, step);
        loss = runner.run(desc.train_step, "train_step", true, n, lr, step);
        runner.accumulate(trainResult, n);
        stop = interruptRequested != 0;
      }
      if (!std::isfinite(loss))
        fail("the loss became {} at step {} (epoch {}); try a lower --lr", loss,
             step, epoch + 1);
      lossSum += loss * n;
      seen += n;
      ++step;
      progress.update(b + 1, seen, lossSum / seen,
                      headline ? metricKey(headline) : nullptr,
                      headline ? trainResult.value(headline) : 0.0);
      if (config.logEvery > 0 && step % config.logEvery == 0)
        writeLog({{"event", "step"},
                   {"epoch", epoch + 1},
                   {"step", step},
                   {"lr", lr},
                   {"loss", loss}});
      // Interrupted mid-epoch: save and stop. (After the last batch, the
      // epoch is completed first so that its end-of-epoch state is saved.)
      if (stop && b + 1 < stepsPerEpoch) {
        progress.finish();
        say("interrupted at step {} (epoch {}, batch {}/{})\n", step,
                   epoch + 1, b + 1, stepsPerEpoch);
        checkpoint(epoch);
        if (!config.save.empty())
          say("saved '{}'; continue with --resume\n", config.save);
        return InterruptedExitCode;
      }
    }
    progress.finish();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    // The ranks' training metrics are those of their shards: summed, they
    // are the batches'. (The loss already is the batches'.)
    if (parallel) {
      std::vector<double> sums = trainResult.metrics.sums();
      world.allreduceSum(sums.data(), sums.size());
      trainResult.metrics.setSums(sums);
    }
    trainResult.loss = seen ? lossSum / seen : 0.0;
    trainResult.finish(double(seen));

    json record = {
        {"event", "epoch"}, {"epoch", epoch + 1}, {"step", step}, {"lr", lr}};
    std::string line =
        fmt::format("epoch {}/{}: {}", epoch + 1, config.epochs,
                    describeMetrics(trainResult, config.metrics, "", &record));
    EvalResult validation(desc, metricFlags);
    if (haveValidation) {
      validation = evaluateAll(train, split.validation, metricFlags);
      line +=
          " | " + describeMetrics(validation, config.metrics, "val_", &record);
    }
    double rate = seconds > 0 ? seen / seconds : 0.0;
    if (foldResult) {
      // The fold's result: its validation metrics after its last epoch.
      for (auto it = record.begin(); it != record.end(); ++it)
        if (it.key().rfind("val_", 0) == 0)
          (*foldResult)[it.key()] = it.value();
      (*foldResult)["epochs"] = epoch + 1;
      (*foldResult)["step"] = step;
    }
    record["samples_per_s"] = rate;
    record["seconds"] = seconds;
    say("{} | lr {:.4g} | {:.0f} samples/s, {:.1f}s\n", line, lr, rate,
               seconds);
      writeLog(record);

    const EvalResult &watched =
        monitor.validation && haveValidation ? validation : trainResult;
    double value = monitor.metric == DLRT_WATCH_LOSS
                       ? watched.loss
                       : watched.value(1u << monitor.metric);
    earlyStop.update(value);
    if (config.snapshots > 1 && (epoch + 1) % config.schedule.t0 == 0 &&
        !config.save.empty()) {
      int64_t cycle = (epoch + 1) / config.schedule.t0;
      checkpoint(epoch + 1, cycle);
      say("snapshot {}/{}: saved '{}'\n", cycle, config.snapshots,
          snapshotPath(config.save, cycle));
    }
    checkpoint(epoch + 1);
    // Every rank stops after the same epoch.
    if (parallel ? world.any(interruptRequested != 0) : interruptRequested) {
      say("interrupted after epoch {}\n", epoch + 1);
      if (!config.save.empty())
        say("saved '{}'; continue with --resume\n", config.save);
      return InterruptedExitCode;
    }
    if (earlyStop.shouldStop() && epoch + 1 < config.epochs) {
      say("early stopping: {} has not improved for {} epochs "
                 "(best {:.4f})\n",
                 monitorName(monitor), earlyStop.wait, earlyStop.best);
      break;
    }
  }
  if (!config.save.empty() && startEpoch >= lastEpoch)
    checkpoint(startEpoch);

  if (test.size() > 0) {
    EvalResult tested =
        evaluateAll(test, allIndices(test.size()), config.metrics);
    json record = {{"event", "test"}, {"step", step}};
    say("test: {}\n", describeMetrics(tested, config.metrics, "", &record));
    if (foldResult)
      for (auto it = record.begin(); it != record.end(); ++it)
        if (it.key() != "event" && it.key() != "step")
          (*foldResult)["test_" + it.key()] = it.value();
    if ((config.metrics & DLRT_METRIC_CONFUSION) &&
        tested.confusion().numClasses() > 0)
      say("confusion matrix (rows: actual, columns: predicted):\n{}",
          tested.confusion().format());
    writeLog(record);
  } else {
    say("no test set\n");
  }
  if (!config.show.empty()) {
    drawShow(desc, runner, test.size() > 0 ? test : train, config.show);
    say("wrote '{}'\n", config.show);
  }
  if (!config.save.empty())
    say("saved '{}'\n", config.save);
  if (world.size() > 1 && config.checkReplicas)
    say("--check-replicas: the {} ranks held the same weights and optimizer "
        "state after each of the {} steps\n",
        world.size(), replicaChecks);
  if (!config.plot.empty() && config.fold < 0)
    say("wrote '{}'\n", config.plot);
  return 0;
}

} // namespace

int runTrain(const dlrt_model_desc &desc, RunConfig config) {
  Comm &world = comm();
  if (world.size() > 1) {
    if (!desc.train_grad_step || !desc.update_step)
      fail("this trainer cannot train data-parallel under mpirun ({} ranks): "
           "{}",
           world.size(),
           desc.num_step_losses > 0
               ? "its train block has an explicit step"
               : "it has no split steps (build it with dlc --mpi)");
    if (config.batch < world.size())
      fail("batch {} is smaller than the {} ranks: every rank needs a sample "
           "of each full batch (use --batch {} or more, or fewer ranks)",
           config.batch, world.size(), world.size());
    // Rank 0 alone writes checkpoints, logs and plots (and prints).
    if (world.rank() != 0) {
      config.save.clear();
      config.log.clear();
      config.plot.clear();
      config.show.clear();
    }
  } else if (const char *n = std::getenv("OMPI_COMM_WORLD_SIZE");
             n && std::atoi(n) > 1) {
    // N copies of a single-process trainer would each train the whole
    // model and write the same files.
    fail("this trainer runs as one of the {} processes of mpirun, but it was "
         "built without dlc --mpi: each would train alone; build it with "
         "dlc --mpi for data-parallel training",
         n);
  } else if (config.checkReplicas) {
    fail("--check-replicas compares the ranks of a data-parallel run "
         "(mpirun -np N with a trainer built with dlc --mpi); this is {}",
         world.describe());
  }
  CurvePlotter plotter(config, desc);
  if (config.folds <= 1)
    return trainRun(desc, config, nullptr, plotter);
  // k-fold cross-validation: k fresh runs, fold i validating on fold i.
  // Main refuses --resume, --stop-after and --validation with folds.
  if (!config.resume.empty())
    fail("--resume of a cross-validation run (folds = {}) is not supported",
         config.folds);
  if (config.validation > 0)
    fail("a validation fraction and folds = {} exclude each other",
         config.folds);
  say("{}-fold cross-validation (folds by a permutation of seed {}, not "
      "stratified)\n",
      config.folds, config.seed);
  std::vector<json> results;
  for (int32_t f = 0; f < config.folds; ++f) {
    RunConfig c = config;
    c.fold = f;
    if (!config.save.empty())
      c.save = foldSavePath(config.save, f);
    json result = json::object();
    int status = trainRun(desc, c, &result, plotter);
    if (status != 0)
      return status;
    results.push_back(result);
    json record = {{"event", "fold"}, {"fold", f + 1}, {"folds", config.folds}};
    for (auto it = result.begin(); it != result.end(); ++it)
      record[it.key()] = it.value();
    if (!config.log.empty())
      JsonlLog(config.log, true).write(record);
  }
  // Mean and population standard deviation (ddof 0) of every number the
  // folds report, over the folds that report it.
  std::map<std::string, std::vector<double>> values;
  for (const json &r : results)
    for (auto it = r.begin(); it != r.end(); ++it)
      if (it.value().is_number() && it.key() != "epochs" && it.key() != "step")
        values[it.key()].push_back(it.value().get<double>());
  json mean = json::object(), stddev = json::object();
  std::vector<std::string> lines;
  for (const auto &[key, xs] : values) {
    double m = 0, v = 0;
    for (double x : xs)
      m += x;
    m /= double(xs.size());
    for (double x : xs)
      v += (x - m) * (x - m);
    double s = std::sqrt(v / double(xs.size()));
    mean[key] = m;
    stddev[key] = s;
    lines.push_back(fmt::format("{} {:.4f} +- {:.4f}", key, m, s));
  }
  say("cross-validation over {} folds (mean +- std): {}\n", config.folds,
      fmt::join(lines, ", "));
  if (!config.log.empty())
    JsonlLog(config.log, true)
        .write({{"event", "cv_summary"},
                {"folds", config.folds},
                {"mean", mean},
                {"std", stddev}});
  if (!config.plot.empty())
    say("wrote '{}'\n", config.plot);
  return 0;
}

} // namespace dlrt
