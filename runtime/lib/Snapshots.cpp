//===- Snapshots.cpp - Snapshot ensembles ---------------------------------===//
//
// See Snapshots.h: the schedule and file names of a snapshot run, and the
// evaluation of its ensemble.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Snapshots.h"
#include "dlrt/Error.h"
#include "dlrt/Log.h"
#include "dlrt/SafeTensors.h"
#include "dlrt/StepRunner.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

using nlohmann::json;

namespace dlrt {

dlrt_schedule_desc snapshotSchedule(int32_t snapshots, int32_t epochs) {
  if (snapshots < 2 || epochs % snapshots != 0)
    fail("snapshots = {} needs a number of epochs that is a multiple of it "
         "(one cosine cycle of epochs / {} epochs per snapshot), but the run "
         "has {} epochs",
         snapshots, snapshots, epochs);
  dlrt_schedule_desc s{};
  s.kind = DLRT_SCHED_WARM_RESTARTS;
  s.t0 = epochs / snapshots;
  s.t_mult = 1;
  s.min_lr = 0;
  return s;
}

std::string snapshotPath(const std::string &save, int64_t i) {
  const std::string ext = ".safetensors";
  if (save.size() > ext.size() &&
      save.compare(save.size() - ext.size(), ext.size(), ext) == 0)
    return fmt::format("{}.snapshot{}{}",
                       save.substr(0, save.size() - ext.size()), i, ext);
  return fmt::format("{}.snapshot{}", save, i);
}

/// The file name of `path`, without its directory.
static std::string baseName(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string snapshotList(const std::string &save, int32_t snapshots,
                         int32_t epochs, int64_t epochsDone) {
  json names = json::array();
  int64_t cycle = epochs / snapshots;
  for (int64_t i = 1; i <= snapshots && i * cycle <= epochsDone; ++i)
    names.push_back(baseName(snapshotPath(save, i)));
  return names.dump();
}

bool evalSnapshotEnsemble(const dlrt_model_desc &desc, const RunConfig &config,
                          int *exitCode) {
  if (config.weights.empty())
    return false;
  std::map<std::string, std::string> meta =
      loadSafeTensors(config.weights).metadata;
  auto listed = meta.find("snapshots");
  if (listed == meta.end())
    return false;
  json names;
  try {
    names = json::parse(listed->second);
  } catch (const json::exception &e) {
    fail("checkpoint '{}' has malformed 'snapshots' metadata: {}",
         config.weights, e.what());
  }
  if (!names.is_array())
    fail("checkpoint '{}' has 'snapshots' metadata {}; expected a list of "
         "file names",
         config.weights, names.dump());
  if (names.empty())
    fail("checkpoint '{}' lists no snapshot yet: its run has not finished "
         "its first cycle (evaluate it as it is with a snapshot file, or "
         "train on with --resume)",
         config.weights);
  if (config.tta)
    fail("--tta with a snapshot ensemble ('{}') is not supported",
         config.weights);
  std::string dir;
  size_t slash = config.weights.rfind('/');
  if (slash != std::string::npos)
    dir = config.weights.substr(0, slash + 1);
  std::vector<std::string> files;
  for (const json &n : names) {
    if (!n.is_string() || n.get<std::string>().empty() ||
        n.get<std::string>().find('/') != std::string::npos)
      fail("checkpoint '{}' has 'snapshots' metadata {}; expected plain "
           "file names",
           config.weights, names.dump());
    files.push_back(dir + n.get<std::string>());
  }

  ModelState state(desc, desc.train.optimizer.num_slots);
  applyThreads(desc, config);
  Dataset test = loadPart(desc, config, "test");
  if (test.size() == 0)
    fail("'eval' needs a test set, but the data source has none ({})",
         config.data.describe());
  const TargetKind kind = TargetKind::of(desc);
  const uint32_t flags = ~0u;
  // Outputs per sample: kind.outputs per row, `rows` rows (the positions
  // of a sequence model, each measured as a sample).
  const int64_t rows = labelsPerSample(desc);
  const int64_t k = kind.outputs * rows, count = test.size();
  std::vector<int64_t> order = allIndices(count);
  std::vector<double> mean(size_t(count * k), 0.0);
  StepRunner runner(desc, state, config);
  json record = {{"event", "test"}, {"ensemble", files.size()}};
  json members = json::array();
  double lossSum = 0;
  fmt::print("snapshot ensemble of {} checkpoints listed in '{}'\n",
             files.size(), config.weights);
  for (size_t s = 0; s < files.size(); ++s) {
    Normalizer normalizer;
    loadCheckpoint(state, files[s], false, &normalizer);
    runner.setNormalizer(std::move(normalizer));
    EvalResult r(desc, flags);
    double loss = 0;
    for (int64_t b = 0, e = numBatches(count, config.batch); b < e; ++b) {
      int64_t n = runner.load(test, order, b);
      loss += runner.run(desc.eval_step, "eval_step", false, n, 0, b) * n;
      runner.accumulate(r, n);
      addProbabilities(kind, runner.logitsData(), n * rows,
                       1.0 / double(files.size()),
                       mean.data() + b * config.batch * k);
    }
    r.loss = loss / double(count);
    lossSum += r.loss;
    json member = {{"file", files[s]}};
    fmt::print("snapshot {} ('{}'): {}\n", s + 1, files[s],
               describeMetrics(r, flags, "", &member));
    members.push_back(member);
  }
  // The ensemble's metrics read the mean probabilities; its loss is the
  // mean of the snapshots' losses (the compiled loss needs one model).
  EvalResult ensemble(desc, flags);
  std::vector<float> outputs(size_t(config.batch * k));
  for (int64_t b = 0, e = numBatches(count, config.batch); b < e; ++b) {
    int64_t n = runner.load(test, order, b);
    probabilitiesToOutputs(kind, mean.data() + b * config.batch * k, n * rows,
                           outputs.data());
    ensemble.metrics.add(outputs.data(), runner.labels(), runner.targets(),
                         n * rows);
  }
  ensemble.loss = lossSum / double(files.size());
  fmt::print("test ({} samples, ensemble of {} snapshots: mean of {}; loss: "
             "mean of the snapshots'): {}\n",
             count, files.size(),
             kind.label == DLRT_LABEL_CLASS ? "softmax probabilities"
             : kind.logits                  ? "sigmoid probabilities"
                                            : "outputs",
             describeMetrics(ensemble, flags, "", &record));
  if (ensemble.confusion().numClasses() > 0)
    fmt::print("confusion matrix of the ensemble (rows: actual, columns: "
               "predicted):\n{}",
               ensemble.confusion().format());
  record["snapshots"] = members;
  if (!config.log.empty())
    JsonlLog(config.log, false).write(record);
  *exitCode = 0;
  return true;
}

} // namespace dlrt
