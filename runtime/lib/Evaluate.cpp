//===- Evaluate.cpp - eval and predict ------------------------------------===//
//
// `./train eval --weights W` (metrics and confusion matrix on the test set)
// and `./train predict --weights W` (one predicted class, or the predicted
// values, per test sample).
//
//===----------------------------------------------------------------------===//

#include "dlrt/Error.h"
#include "dlrt/Log.h"
#include "dlrt/StepRunner.h"
#include "dlrt/Trainer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

using nlohmann::json;

namespace dlrt {

/// Loads the weights saved for `command`, the test set and a runner of the
/// model's steps (with the configured threads), and returns fn(test, runner).
template <typename Fn>
static int onTestSet(const dlrt_model_desc &desc, const RunConfig &config,
                     const char *command, Fn fn) {
  ModelState state(desc, desc.train.optimizer.num_slots);
  Normalizer normalizer = loadWeights(state, config, command);
  applyThreads(desc, config);
  Dataset test = loadPart(desc, config, "test");
  if (test.size() == 0)
    fail("'{}' needs a test set, but the data source has none ({})", command,
         config.data.describe());
  StepRunner runner(desc, state, config);
  runner.setNormalizer(std::move(normalizer));
  return fn(test, runner);
}

int runEval(const dlrt_model_desc &desc, const RunConfig &config) {
  return onTestSet(
      desc, config, "eval", [&](const Dataset &test, StepRunner &runner) {
        // Every metric that applies to the model's targets.
        uint32_t flags = ~0u;
        EvalResult tested =
            config.tta
                ? runner.evaluateTta(test, allIndices(test.size()), flags)
                : runner.evaluate(test, allIndices(test.size()), flags);
        json record;
        if (config.tta)
          record["tta"] = "identity, hflip";
        fmt::print("test ({} samples{}): {}\n", test.size(),
                   config.tta ? ", test-time augmentation: mean of identity "
                                "and hflip"
                              : "",
                   describeMetrics(tested, flags, "", &record));
        if (tested.confusion().numClasses() > 0)
          fmt::print(
              "confusion matrix (rows: actual, columns: predicted):\n{}",
              tested.confusion().format());
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
        const int64_t k = desc.num_outputs;
        bool classes = desc.label_kind == DLRT_LABEL_CLASS;
        // Logits of 0/1 targets are shown as probabilities.
        bool sigmoid = TargetKind::of(desc).logits;
        std::vector<float> shown(k);
        if (classes) {
          std::string header = "index,predicted,label";
          if (config.printLogits)
            for (int64_t j = 0; j < k; ++j)
              header += fmt::format(",logit_{}", j);
          fmt::print("{}\n", header);
        } else {
          // One column per output value, then one per target value.
          std::string header = "index";
          for (int64_t j = 0; j < k; ++j)
            header += fmt::format(sigmoid ? ",probability_{}" : ",predicted_{}",
                                  j);
          for (int64_t j = 0; j < k; ++j)
            header += fmt::format(",target_{}", j);
          fmt::print("{}\n", header);
        }
        for (int64_t b = 0, e = numBatches(test.size(), config.batch); b < e;
             ++b) {
          int64_t n = runner.load(test, order, b);
          runner.run(desc.eval_step, "eval_step", false, n, 0, 0);
          for (int64_t i = 0; i < n; ++i) {
            const float *out = runner.logitsData() + i * k;
            if (classes) {
              fmt::print("{},{},{}", b * config.batch + i, argmax(out, k),
                         runner.labels()[i]);
              if (config.printLogits)
                fmt::print(",{}", fmt::join(out, out + k, ","));
              fmt::print("\n");
              continue;
            }
            const float *target = runner.targets() + i * k;
            for (int64_t j = 0; j < k; ++j)
              shown[j] = sigmoid ? 1.0f / (1.0f + std::exp(-out[j])) : out[j];
            fmt::print("{},{},{}\n", b * config.batch + i,
                       fmt::join(shown, ","),
                       fmt::join(target, target + k, ","));
          }
        }
        return 0;
      });
}

} // namespace dlrt
