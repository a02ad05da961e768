//===- Evaluate.cpp - eval and predict ------------------------------------===//
//
// `./train eval --weights W` (metrics and confusion matrix on the test set)
// and `./train predict --weights W` (one predicted class per test sample).
//
//===----------------------------------------------------------------------===//

#include "dlrt/Log.h"
#include "dlrt/StepRunner.h"
#include "dlrt/Trainer.h"

#include <fmt/format.h>

using nlohmann::json;

namespace dlrt {

/// Loads the weights saved for `command`, the test set and a runner of the
/// model's steps (with the configured threads), and returns fn(test, runner).
template <typename Fn>
static int onTestSet(const dlrt_model_desc &desc, const RunConfig &config,
                     const char *command, Fn fn) {
  ModelState state(desc, desc.train.optimizer.num_slots);
  loadWeights(state, config, command);
  applyThreads(desc, config);
  Dataset test = loadPart(desc, config, "test");
  StepRunner runner(desc, state, config);
  return fn(test, runner);
}

int runEval(const dlrt_model_desc &desc, const RunConfig &config) {
  return onTestSet(
      desc, config, "eval", [&](const Dataset &test, StepRunner &runner) {
        EvalResult tested = runner.evaluate(test, allIndices(test.size()));
        json record;
        uint32_t flags = config.metrics | DLRT_METRIC_ACCURACY |
                         DLRT_METRIC_F1 | DLRT_METRIC_PRECISION |
                         DLRT_METRIC_RECALL;
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
      });
}

int runPredict(const dlrt_model_desc &desc, const RunConfig &config) {
  return onTestSet(
      desc, config, "predict", [&](const Dataset &test, StepRunner &runner) {
        std::vector<int64_t> order = allIndices(test.size());
        fmt::print("index,predicted,label\n");
        for (int64_t b = 0, e = numBatches(test.size(), config.batch); b < e;
             ++b) {
          int64_t n = runner.load(test, order, b);
          runner.run(desc.eval_step, "eval_step", false, n, 0, 0);
          for (int64_t i = 0; i < n; ++i)
            fmt::print("{},{},{}\n", b * config.batch + i,
                       argmax(runner.logitsData() + i * desc.num_outputs,
                              desc.num_outputs),
                       runner.labels()[i]);
        }
        return 0;
      });
}

} // namespace dlrt
