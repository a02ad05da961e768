//===- Trainer.cpp - Training loop and the trainer's commands -------------===//
//
// Implements the commands of `./train` on top of the model state, the data
// loaders, the schedules and the metrics; see Trainer.h. Every random choice
// is a stream keyed by the run seed (Random.h), so a run is a function of its
// RunConfig, the data and the thread count.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Trainer.h"
#include "dlrt/Dataset.h"
#include "dlrt/Error.h"
#include "dlrt/Log.h"
#include "dlrt/Metrics.h"
#include "dlrt/Model.h"
#include "dlrt/Progress.h"
#include "dlrt/Random.h"
#include "dlrt/SafeTensors.h"
#include "dlrt/Schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>

using nlohmann::json;

namespace dlrt {

//===----------------------------------------------------------------------===//
// RunConfig
//===----------------------------------------------------------------------===//

static const char *optimizerName(int32_t kind) {
  switch (kind) {
  case DLRT_OPT_SGD:
    return "sgd";
  case DLRT_OPT_ADAM:
    return "adam";
  case DLRT_OPT_ADAMW:
    return "adamw";
  case DLRT_OPT_RMSPROP:
    return "rmsprop";
  case DLRT_OPT_ADAGRAD:
    return "adagrad";
  }
  return "unknown";
}

RunConfig RunConfig::fromDescriptor(const dlrt_model_desc &desc) {
  const dlrt_train_desc &t = desc.train;
  RunConfig c;
  c.epochs = t.epochs > 0 ? t.epochs : 1;
  c.batch = t.batch > 0 ? t.batch : 32;
  c.seed = t.seed;
  c.validation = t.validation;
  c.data = t.data_path ? t.data_path : "";
  c.dataKind = t.data_kind;
  c.optimizer = t.optimizer;
  if (c.optimizer.lr <= 0)
    c.optimizer.lr = 0.01;
  c.schedule = t.schedule;
  c.earlyStop = t.early_stop;
  c.metrics = t.metrics ? t.metrics : uint32_t(DLRT_METRIC_ACCURACY);
  return c;
}

json RunConfig::toJson() const {
  const dlrt_optimizer_desc &o = optimizer;
  const dlrt_schedule_desc &s = schedule;
  return {
      {"epochs", epochs},
      {"batch", batch},
      {"seed", seed},
      {"validation", validation},
      {"limit", limit},
      {"data", data},
      {"data_kind", dataKindName(dataKind)},
      {"optimizer",
       {{"kind", optimizerName(o.kind)},
        {"kind_id", o.kind},
        {"lr", o.lr},
        {"momentum", o.momentum},
        {"nesterov", o.nesterov},
        {"weight_decay", o.weight_decay},
        {"beta1", o.beta1},
        {"beta2", o.beta2},
        {"eps", o.eps}}},
      {"schedule",
       {{"kind", scheduleName(s.kind)},
        {"kind_id", s.kind},
        {"step_epochs", s.step_epochs},
        {"gamma", s.gamma},
        {"min_lr", s.min_lr},
        {"max_lr", s.max_lr},
        {"pct_start", s.pct_start},
        {"div_factor", s.div_factor},
        {"final_div_factor", s.final_div_factor}}},
      {"early_stop",
       {{"patience", earlyStop.patience},
        {"monitor", monitorName(earlyStop.monitor)},
        {"monitor_id", earlyStop.monitor},
        {"min_delta", earlyStop.min_delta}}},
      {"metrics", metrics},
  };
}

void RunConfig::restoreFrom(const json &saved) {
  try {
    epochs = saved.at("epochs").get<int32_t>();
    batch = saved.at("batch").get<int32_t>();
    seed = saved.at("seed").get<uint64_t>();
    validation = saved.at("validation").get<double>();
    limit = saved.at("limit").get<int64_t>();
    const json &o = saved.at("optimizer");
    optimizer.kind = o.at("kind_id").get<int32_t>();
    optimizer.lr = o.at("lr").get<double>();
    optimizer.momentum = o.at("momentum").get<double>();
    optimizer.nesterov = o.at("nesterov").get<int32_t>();
    optimizer.weight_decay = o.at("weight_decay").get<double>();
    optimizer.beta1 = o.at("beta1").get<double>();
    optimizer.beta2 = o.at("beta2").get<double>();
    optimizer.eps = o.at("eps").get<double>();
    const json &s = saved.at("schedule");
    schedule.kind = s.at("kind_id").get<int32_t>();
    schedule.step_epochs = s.at("step_epochs").get<int32_t>();
    schedule.gamma = s.at("gamma").get<double>();
    schedule.min_lr = s.at("min_lr").get<double>();
    schedule.max_lr = s.at("max_lr").get<double>();
    schedule.pct_start = s.at("pct_start").get<double>();
    schedule.div_factor = s.at("div_factor").get<double>();
    schedule.final_div_factor = s.at("final_div_factor").get<double>();
    const json &e = saved.at("early_stop");
    earlyStop.patience = e.at("patience").get<int32_t>();
    earlyStop.monitor = e.at("monitor_id").get<int32_t>();
    earlyStop.min_delta = e.at("min_delta").get<double>();
    metrics = saved.at("metrics").get<uint32_t>();
  } catch (const json::exception &e) {
    fail("malformed train_config in checkpoint: {}", e.what());
  }
}

//===----------------------------------------------------------------------===//
// Step runner
//===----------------------------------------------------------------------===//

namespace {

/// Loss and confusion matrix of one pass over some samples.
struct EvalResult {
  double loss = 0;
  ConfusionMatrix confusion;
  explicit EvalResult(int32_t classes) : confusion(classes) {}
  double accuracy() const { return confusion.accuracy(); }
};

/// Batch buffers and the argument block of the compiled steps.
class StepRunner {
public:
  StepRunner(const dlrt_model_desc &desc, ModelState &state,
             const RunConfig &config)
      : desc(desc), state(state), batch(config.batch),
        x(size_t(config.batch) * inputSize(desc)), y(config.batch),
        logits(size_t(config.batch) * desc.num_outputs),
        optimizer(config.optimizer), seed(config.seed) {
    state.allocateWorkspace(batch);
  }

  /// Gathers batch `b` of `order` into the input buffers; returns its size.
  int64_t load(const Dataset &data, const std::vector<int64_t> &order,
               int64_t b) {
    return gatherBatch(data, order, b, batch, x.data(), y.data());
  }

  /// Runs one step of `fn` on the loaded batch of `n` samples.
  double run(dlrt_step_fn fn, const char *what, bool training, int64_t n,
             double lr, int64_t step) {
    dlrt_step_args args{};
    state.bind(args, training);
    args.opt = &optimizer;
    args.x = x.data();
    args.y = y.data();
    args.n = n;
    args.batch = batch;
    args.lr = static_cast<float>(lr);
    args.step = step;
    args.seed = deriveSeed(seed, "step", static_cast<uint64_t>(step));
    args.logits = logits.data();
    args.loss = 0;
    int32_t status = fn(&args);
    if (status != 0)
      fail("the model's {} failed with status {} at step {}", what, status,
           step);
    return args.loss;
  }

  /// Evaluates `indices` of `data` in order, in inference mode.
  EvalResult evaluate(const Dataset &data,
                      const std::vector<int64_t> &indices) {
    EvalResult result(desc.num_classes);
    double lossSum = 0;
    for (int64_t b = 0, e = numBatches(indices.size(), batch); b < e; ++b) {
      int64_t n = load(data, indices, b);
      lossSum += run(desc.eval_step, "eval_step", false, n, 0, 0) * n;
      result.confusion.add(logits.data(), y.data(), n, desc.num_outputs);
    }
    result.loss = indices.empty() ? 0.0 : lossSum / double(indices.size());
    return result;
  }

  const float *logitsData() const { return logits.data(); }
  const int64_t *labels() const { return y.data(); }

private:
  const dlrt_model_desc &desc;
  ModelState &state;
  int64_t batch;
  AlignedFloats x;
  std::vector<int64_t> y;
  AlignedFloats logits;
  dlrt_optimizer_desc optimizer;
  uint64_t seed;
};

std::vector<int64_t> allIndices(int64_t n) {
  std::vector<int64_t> indices(n);
  for (int64_t i = 0; i < n; ++i)
    indices[i] = i;
  return indices;
}

std::string formatBytes(uint64_t bytes) {
  if (bytes >= (1u << 20))
    return fmt::format("{:.2f} MiB", bytes / double(1 << 20));
  if (bytes >= (1u << 10))
    return fmt::format("{:.2f} KiB", bytes / double(1 << 10));
  return fmt::format("{} B", bytes);
}

/// Text and JSON of the metrics selected in `flags`, with a name prefix.
std::string describeMetrics(const EvalResult &r, uint32_t flags,
                            const std::string &prefix, json *record) {
  std::string text = fmt::format("{}loss {:.4f}", prefix, r.loss);
  (*record)[prefix + "loss"] = r.loss;
  auto add = [&](const char *name, double value) {
    text += fmt::format(" {}{} {:.4f}", prefix, name, value);
    (*record)[prefix + name] = value;
  };
  if (flags & DLRT_METRIC_ACCURACY)
    add("acc", r.accuracy());
  if (flags & DLRT_METRIC_PRECISION)
    add("precision", r.confusion.macroPrecision());
  if (flags & DLRT_METRIC_RECALL)
    add("recall", r.confusion.macroRecall());
  if (flags & DLRT_METRIC_F1)
    add("f1", r.confusion.macroF1());
  return text;
}

void applyThreads(const dlrt_model_desc &desc, const RunConfig &config) {
  if (desc.set_num_threads)
    desc.set_num_threads(config.threads);
}

Dataset loadPart(const dlrt_model_desc &desc, const RunConfig &config,
                 const char *part) {
  if (config.data.empty())
    fail("no data directory: pass --data DIR");
  return loadDataPart(config.dataKind, config.data, part, inputSize(desc),
                      desc.num_classes, config.limit);
}

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

//===----------------------------------------------------------------------===//
// train
//===----------------------------------------------------------------------===//

namespace {

/// Set by SIGINT/SIGTERM; the training loop polls it after every step.
volatile std::sig_atomic_t interruptRequested = 0;

extern "C" void requestInterrupt(int) { interruptRequested = 1; }

/// Routes SIGINT and SIGTERM to requestInterrupt while training runs, so that
/// Ctrl-C saves a resumable checkpoint instead of losing the epoch.
class InterruptGuard {
public:
  InterruptGuard() {
    interruptRequested = 0;
    struct sigaction action {};
    action.sa_handler = requestInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &oldInt);
    sigaction(SIGTERM, &action, &oldTerm);
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

int runTrain(const dlrt_model_desc &desc, RunConfig config) {
  InterruptGuard interrupts;
  ModelState state(desc, desc.train.optimizer.num_slots);
  int64_t startEpoch = 0, step = 0, savedStepsPerEpoch = -1;
  json savedEarlyStop;
  if (!config.resume.empty()) {
    std::map<std::string, std::string> meta = state.load(config.resume, true);
    int32_t epochs = config.epochs;
    json saved;
    try {
      saved = json::parse(requireMeta(meta, "train_config", config.resume));
      savedEarlyStop =
          json::parse(requireMeta(meta, "early_stop", config.resume));
    } catch (const json::exception &e) {
      fail("checkpoint '{}' has malformed metadata: {}", config.resume,
           e.what());
    }
    config.restoreFrom(saved);
    if (config.epochsGiven)
      config.epochs = epochs;
    startEpoch = parseCount(requireMeta(meta, "epoch", config.resume), "epoch",
                            config.resume);
    step = parseCount(requireMeta(meta, "step", config.resume), "step",
                      config.resume);
    savedStepsPerEpoch =
        parseCount(requireMeta(meta, "steps_per_epoch", config.resume),
                   "steps_per_epoch", config.resume);
  } else {
    state.initialise(config.seed);
  }
  applyThreads(desc, config);

  Dataset train = loadPart(desc, config, "train");
  Dataset test = loadPart(desc, config, "test");
  Split split = splitIndices(train.size(), config.validation, config.seed);
  int64_t stepsPerEpoch = numBatches(split.train.size(), config.batch);
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

  LrSchedule schedule(config.schedule, config.optimizer.lr, stepsPerEpoch,
                      config.epochs);
  int32_t monitor = config.earlyStop.monitor;
  bool haveValidation = !split.validation.empty();
  bool higherIsBetter =
      monitor == DLRT_MONITOR_VAL_ACCURACY || monitor == DLRT_MONITOR_ACCURACY;
  EarlyStopping earlyStop(config.earlyStop.patience, higherIsBetter,
                          config.earlyStop.min_delta);
  if (!savedEarlyStop.is_null()) {
    earlyStop.hasBest = savedEarlyStop.value("has_best", false);
    earlyStop.best = savedEarlyStop.value("best", 0.0);
    earlyStop.wait = savedEarlyStop.value("wait", 0);
  }
  JsonlLog log;
  if (!config.log.empty())
    log.open(config.log, !config.resume.empty());

  fmt::print("training {}: {} training, {} validation, {} test samples; "
             "batch {}, {} steps per epoch\n",
             desc.name ? desc.name : "model", split.train.size(),
             split.validation.size(), test.size(), config.batch, stepsPerEpoch);
  fmt::print("optimizer {} (lr {}), schedule {}\n",
             optimizerName(config.optimizer.kind), config.optimizer.lr,
             schedule.describe());
  if (step > 0)
    fmt::print("resuming from '{}' at epoch {}, step {}\n", config.resume,
               startEpoch, step);
  std::fflush(stdout);

  StepRunner runner(desc, state, config);
  int32_t lastEpoch = config.epochs;
  if (config.stopAfter > 0)
    lastEpoch = std::min<int64_t>(config.epochs, startEpoch + config.stopAfter);
  bool terminal = stderrIsTerminal();

  auto checkpoint = [&](int64_t epochsDone) {
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
    state.save(config.save, meta);
  };

  if (startEpoch >= config.epochs)
    fmt::print("nothing to train: the checkpoint is at epoch {} of {}\n",
               startEpoch, config.epochs);
  if (earlyStop.shouldStop() && startEpoch < config.epochs) {
    fmt::print("early stopping already triggered in '{}'\n", config.resume);
    lastEpoch = static_cast<int32_t>(startEpoch);
  }

  for (int64_t epoch = startEpoch; epoch < lastEpoch; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    std::vector<int64_t> order = epochOrder(split.train, config.seed, epoch);
    Progress progress(terminal,
                      fmt::format("epoch {}/{}", epoch + 1, config.epochs),
                      stepsPerEpoch);
    EvalResult trainResult(desc.num_classes);
    double lossSum = 0;
    int64_t seen = 0;
    double lr = 0;
    int64_t firstBatch = epoch == startEpoch ? startBatch : 0;
    for (int64_t b = firstBatch; b < stepsPerEpoch; ++b) {
      int64_t n = runner.load(train, order, b);
      lr = schedule.at(step);
      double loss =
          runner.run(desc.train_step, "train_step", true, n, lr, step);
      if (!std::isfinite(loss))
        fail("the loss became {} at step {} (epoch {}); try a lower --lr", loss,
             step, epoch + 1);
      lossSum += loss * n;
      seen += n;
      trainResult.confusion.add(runner.logitsData(), runner.labels(), n,
                                desc.num_outputs);
      ++step;
      progress.update(b + 1, seen, lossSum / seen,
                      trainResult.confusion.accuracy());
      if (config.logEvery > 0 && step % config.logEvery == 0)
        log.write({{"event", "step"},
                   {"epoch", epoch + 1},
                   {"step", step},
                   {"lr", lr},
                   {"loss", loss}});
      // Interrupted mid-epoch: save and stop. (After the last batch, the
      // epoch is completed first so that its end-of-epoch state is saved.)
      if (interruptRequested && b + 1 < stepsPerEpoch) {
        progress.finish();
        fmt::print("interrupted at step {} (epoch {}, batch {}/{})\n", step,
                   epoch + 1, b + 1, stepsPerEpoch);
        checkpoint(epoch);
        if (!config.save.empty())
          fmt::print("saved '{}'; continue with --resume\n", config.save);
        return InterruptedExitCode;
      }
    }
    progress.finish();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    trainResult.loss = seen ? lossSum / seen : 0.0;

    json record = {
        {"event", "epoch"}, {"epoch", epoch + 1}, {"step", step}, {"lr", lr}};
    std::string line =
        fmt::format("epoch {}/{}: {}", epoch + 1, config.epochs,
                    describeMetrics(trainResult, config.metrics, "", &record));
    EvalResult validation(desc.num_classes);
    if (haveValidation) {
      validation = runner.evaluate(train, split.validation);
      line +=
          " | " + describeMetrics(validation, config.metrics, "val_", &record);
    }
    double rate = seconds > 0 ? seen / seconds : 0.0;
    record["samples_per_s"] = rate;
    record["seconds"] = seconds;
    fmt::print("{} | lr {:.4g} | {:.0f} samples/s, {:.1f}s\n", line, lr, rate,
               seconds);
    std::fflush(stdout);
    log.write(record);

    const EvalResult &watched = (monitor == DLRT_MONITOR_VAL_LOSS ||
                                 monitor == DLRT_MONITOR_VAL_ACCURACY) &&
                                        haveValidation
                                    ? validation
                                    : trainResult;
    double value = higherIsBetter ? watched.accuracy() : watched.loss;
    earlyStop.update(value);
    checkpoint(epoch + 1);
    if (interruptRequested) {
      fmt::print("interrupted after epoch {}\n", epoch + 1);
      if (!config.save.empty())
        fmt::print("saved '{}'; continue with --resume\n", config.save);
      return InterruptedExitCode;
    }
    if (earlyStop.shouldStop() && epoch + 1 < config.epochs) {
      fmt::print("early stopping: {} has not improved for {} epochs "
                 "(best {:.4f})\n",
                 monitorName(monitor), earlyStop.wait, earlyStop.best);
      break;
    }
  }
  if (!config.save.empty() && startEpoch >= lastEpoch)
    checkpoint(startEpoch);

  EvalResult tested = runner.evaluate(test, allIndices(test.size()));
  json record = {{"event", "test"}, {"step", step}};
  fmt::print("test: {}\n",
             describeMetrics(tested, config.metrics, "", &record));
  if (config.metrics & DLRT_METRIC_CONFUSION)
    fmt::print("confusion matrix (rows: actual, columns: predicted):\n{}",
               tested.confusion.format());
  log.write(record);
  if (!config.save.empty())
    fmt::print("saved '{}'\n", config.save);
  return 0;
}

//===----------------------------------------------------------------------===//
// eval, predict
//===----------------------------------------------------------------------===//

static void loadWeights(ModelState &state, const RunConfig &config,
                        const char *command) {
  if (config.weights.empty())
    fail("'{}' needs --weights FILE.safetensors", command);
  state.load(config.weights, false);
}

int runEval(const dlrt_model_desc &desc, const RunConfig &config) {
  ModelState state(desc, desc.train.optimizer.num_slots);
  loadWeights(state, config, "eval");
  applyThreads(desc, config);
  Dataset test = loadPart(desc, config, "test");
  StepRunner runner(desc, state, config);
  EvalResult tested = runner.evaluate(test, allIndices(test.size()));
  json record;
  uint32_t flags = config.metrics | DLRT_METRIC_ACCURACY | DLRT_METRIC_F1 |
                   DLRT_METRIC_PRECISION | DLRT_METRIC_RECALL;
  fmt::print("test ({} samples): {}\n", test.size(),
             describeMetrics(tested, flags, "", &record));
  fmt::print("confusion matrix (rows: actual, columns: predicted):\n{}",
             tested.confusion.format());
  if (!config.log.empty()) {
    JsonlLog log(config.log, false);
    record["event"] = "test";
    log.write(record);
  }
  return 0;
}

int runPredict(const dlrt_model_desc &desc, const RunConfig &config) {
  ModelState state(desc, desc.train.optimizer.num_slots);
  loadWeights(state, config, "predict");
  applyThreads(desc, config);
  Dataset test = loadPart(desc, config, "test");
  StepRunner runner(desc, state, config);
  std::vector<int64_t> order = allIndices(test.size());
  fmt::print("index,predicted,label\n");
  for (int64_t b = 0, e = numBatches(test.size(), config.batch); b < e; ++b) {
    int64_t n = runner.load(test, order, b);
    runner.run(desc.eval_step, "eval_step", false, n, 0, 0);
    for (int64_t i = 0; i < n; ++i)
      fmt::print(
          "{},{},{}\n", b * config.batch + i,
          argmax(runner.logitsData() + i * desc.num_outputs, desc.num_outputs),
          runner.labels()[i]);
  }
  return 0;
}

//===----------------------------------------------------------------------===//
// info
//===----------------------------------------------------------------------===//

int runInfo(const dlrt_model_desc &desc, const RunConfig &config) {
  ModelState state(desc, desc.train.optimizer.num_slots);
  std::vector<int64_t> input(desc.input_shape,
                             desc.input_shape + desc.input_rank);
  fmt::print("model {} (dlrt ABI {})\n", desc.name ? desc.name : "?",
             desc.abi_version);
  fmt::print("input  {} per sample ({} values), labels: class index, {} "
             "classes\n",
             formatShape(input), inputSize(desc), desc.num_classes);
  if (desc.num_layers > 0 && desc.layers) {
    fmt::print("\nlayers:\n  {:<16} {:<12} {:<16} {:>14}\n", "name", "op",
               "output", "FLOPs/sample");
    for (int32_t i = 0; i < desc.num_layers; ++i) {
      const dlrt_layer_desc &l = desc.layers[i];
      fmt::print("  {:<16} {:<12} {:<16} {:>14}\n", l.name ? l.name : "",
                 l.op ? l.op : "", l.output_shape ? l.output_shape : "",
                 l.flops_per_sample);
    }
  }
  fmt::print("\nparameters:\n  {:<20} {:<16} {:>10}  {:<16} {}\n", "name",
             "shape", "count", "init", "kind");
  int64_t trainable = 0, buffers = 0;
  for (int32_t p = 0; p < desc.num_params; ++p) {
    const dlrt_param_desc &d = desc.params[p];
    int64_t count = paramSize(d);
    (d.trainable ? trainable : buffers) += count;
    fmt::print("  {:<20} {:<16} {:>10}  {:<16} {}\n", d.name,
               formatShape(paramShape(d)), count, initName(d.init),
               d.trainable ? "trainable" : "buffer");
  }
  fmt::print("  total: {} trainable parameters, {} buffer values\n", trainable,
             buffers);
  fmt::print("\nFLOPs per sample: forward {}, training step {}\n",
             desc.flops_forward_per_sample, desc.flops_train_per_sample);
  uint64_t batchBytes = uint64_t(config.batch) *
                        (inputSize(desc) * sizeof(float) + sizeof(int64_t) +
                         desc.num_outputs * sizeof(float));
  uint64_t workspace = ModelState::workspaceBytes(desc, config.batch);
  uint64_t total = state.paramBytes() + state.gradBytes() +
                   state.optStateBytes() + workspace + batchBytes;
  fmt::print("memory (batch {}):\n", config.batch);
  fmt::print("  parameters       {:>12} ({} bytes)\n",
             formatBytes(state.paramBytes()), state.paramBytes());
  fmt::print("  gradients        {:>12} ({} bytes)\n",
             formatBytes(state.gradBytes()), state.gradBytes());
  fmt::print("  optimizer state  {:>12} ({} bytes, {} slot(s) per "
             "parameter)\n",
             formatBytes(state.optStateBytes()), state.optStateBytes(),
             state.numSlots());
  fmt::print("  workspace        {:>12} ({} bytes)\n", formatBytes(workspace),
             workspace);
  fmt::print("  batch buffers    {:>12} ({} bytes)\n", formatBytes(batchBytes),
             batchBytes);
  fmt::print("  total            {:>12} ({} bytes)\n", formatBytes(total),
             total);
  const dlrt_optimizer_desc &o = config.optimizer;
  fmt::print("\ntraining: epochs {}, batch {}, seed {}, validation {}, "
             "loss {}\n",
             config.epochs, config.batch, config.seed, config.validation,
             desc.train.loss_name ? desc.train.loss_name : "?");
  fmt::print("optimizer: {}(lr={}, momentum={}, nesterov={}, "
             "weight_decay={}, beta1={}, beta2={}, eps={})\n",
             optimizerName(o.kind), o.lr, o.momentum, o.nesterov != 0,
             o.weight_decay, o.beta1, o.beta2, o.eps);
  fmt::print("schedule: {}\n",
             LrSchedule(config.schedule, o.lr, 1, config.epochs).describe());
  if (config.earlyStop.patience > 0)
    fmt::print("early stopping: patience {} on {}\n", config.earlyStop.patience,
               monitorName(config.earlyStop.monitor));
  fmt::print("data: {} ({})\n", config.data, dataKindName(config.dataKind));
  return 0;
}

//===----------------------------------------------------------------------===//
// gradcheck
//===----------------------------------------------------------------------===//

int runGradcheck(const dlrt_model_desc &desc, const RunConfig &config) {
  if (!desc.grad_step) {
    fmt::print(stderr, "gradcheck: not available for this model (its "
                       "descriptor has no grad_step)\n");
    return 1;
  }
  ModelState state(desc, desc.train.optimizer.num_slots);
  if (!config.weights.empty())
    state.load(config.weights, false);
  else
    state.initialise(config.seed);
  applyThreads(desc, config);
  RunConfig small = config;
  small.limit = std::min<int64_t>(config.limit > 0 ? config.limit : 8, 8);
  small.batch = static_cast<int32_t>(small.limit);
  Dataset data = loadPart(desc, small, "train");
  StepRunner runner(desc, state, small);
  int64_t n = runner.load(data, allIndices(data.size()), 0);

  // Analytic gradients, then central differences of the inference loss.
  dlrt_step_args args{};
  std::vector<std::vector<float>> analytic(desc.num_params);
  runner.run(desc.grad_step, "grad_step", true, n, 0, 0);
  {
    state.bind(args, true);
    for (int32_t p = 0; p < desc.num_params; ++p)
      if (desc.params[p].trainable)
        analytic[p].assign(args.grads[p],
                           args.grads[p] + paramSize(desc.params[p]));
  }
  // f32 models: h trades rounding noise (~1e-7 * loss / h) against the
  // curvature and the kinks of ReLU-like ops (~h).
  const double h = 3e-3, tolerance = 3e-2, floor = 1e-2;
  Rng rng(deriveSeed(config.seed, "gradcheck", 0));
  double worst = 0;
  bool ok = true;
  fmt::print("gradcheck on {} samples: central differences with h = {}, "
             "error |a - n| / max({}, |a| + |n|) < {}\n",
             n, h, floor, tolerance);
  for (int32_t p = 0; p < desc.num_params; ++p) {
    if (!desc.params[p].trainable)
      continue;
    float *w = state.param(p);
    int64_t size = paramSize(desc.params[p]);
    double paramWorst = 0;
    auto relative = [&](double a, double b) {
      return std::fabs(a - b) / std::max(floor, std::fabs(a) + std::fabs(b));
    };
    auto difference = [&](int64_t i, double step) {
      float saved = w[i];
      w[i] = static_cast<float>(saved + step);
      double plus = runner.run(desc.eval_step, "eval_step", false, n, 0, 0);
      w[i] = static_cast<float>(saved - step);
      double minus = runner.run(desc.eval_step, "eval_step", false, n, 0, 0);
      w[i] = saved;
      return (plus - minus) / (2 * step);
    };
    int skipped = 0;
    for (int k = 0; k < 8; ++k) {
      int64_t i = static_cast<int64_t>(rng.below(size));
      double numeric = difference(i, h);
      // Where halving h changes the estimate, the loss is not smooth within
      // h (a ReLU kink): the comparison would be meaningless.
      if (relative(numeric, difference(i, h / 2)) > tolerance) {
        ++skipped;
        continue;
      }
      paramWorst = std::max(paramWorst, relative(numeric, analytic[p][i]));
    }
    bool good = paramWorst < tolerance;
    ok &= good;
    worst = std::max(worst, paramWorst);
    fmt::print("  {:<20} max relative error {:.2e} {}", desc.params[p].name,
               paramWorst, good ? "ok" : "FAILED");
    if (skipped)
      fmt::print(" ({} non-smooth point(s) skipped)", skipped);
    fmt::print("\n");
  }
  fmt::print("gradcheck {} (max relative error {:.2e})\n",
             ok ? "passed" : "FAILED", worst);
  return ok ? 0 : 1;
}

//===----------------------------------------------------------------------===//
// lr-find
//===----------------------------------------------------------------------===//

int runLrFind(const dlrt_model_desc &desc, const RunConfig &config) {
  ModelState state(desc, desc.train.optimizer.num_slots);
  state.initialise(config.seed);
  applyThreads(desc, config);
  Dataset train = loadPart(desc, config, "train");
  StepRunner runner(desc, state, config);
  const double lo = 1e-7, hi = 10.0;
  int64_t steps = std::max<int64_t>(config.lrFindSteps, 2);
  int64_t perEpoch = numBatches(train.size(), config.batch);
  std::vector<int64_t> order;
  double smoothed = 0, best = INFINITY, bestLr = lo;
  fmt::print("lr-find: {} steps, lr from {} to {} (geometric)\n", steps, lo,
             hi);
  fmt::print("{:>12} {:>12}\n", "lr", "loss");
  for (int64_t s = 0; s < steps; ++s) {
    if (s % perEpoch == 0)
      order = epochOrder(allIndices(train.size()), config.seed, s / perEpoch);
    double lr = lo * std::pow(hi / lo, double(s) / double(steps - 1));
    int64_t n = runner.load(train, order, s % perEpoch);
    double loss = runner.run(desc.train_step, "train_step", true, n, lr, s);
    // Exponential moving average with bias correction, as fast.ai does.
    smoothed = 0.98 * smoothed + 0.02 * loss;
    double value = smoothed / (1 - std::pow(0.98, double(s + 1)));
    if (s % std::max<int64_t>(steps / 20, 1) == 0)
      fmt::print("{:>12.4g} {:>12.4f}\n", lr, value);
    if (!std::isfinite(value) || value > 4 * best) {
      fmt::print("stopped at lr {:.4g}: the loss diverged\n", lr);
      break;
    }
    if (value < best) {
      best = value;
      bestLr = lr;
    }
  }
  fmt::print("lowest smoothed loss {:.4f} at lr {:.4g}; suggested lr {:.4g}\n",
             best, bestLr, bestLr / 10);
  return 0;
}

} // namespace dlrt
