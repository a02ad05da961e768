//===- LrFind.cpp - The lr-find command -----------------------------------===//
//
// `./train lr-find`: the learning-rate range test. Trains from a fresh
// initialisation while the learning rate grows geometrically, records the
// smoothed loss, and suggests a learning rate below the one of the lowest
// loss.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Random.h"
#include "dlrt/StepRunner.h"
#include "dlrt/Trainer.h"

#include <fmt/format.h>

#include <cmath>

namespace dlrt {

int runLrFind(const dlrt_model_desc &desc, const RunConfig &config) {
  ModelState state(desc, desc.train.optimizer.num_slots);
  state.initialise(config.seed);
  Normalizer normalizer;
  if (!config.weights.empty())
    loadCheckpoint(state, config.weights, false, &normalizer);
  applyThreads(desc, config);
  Dataset train = loadPart(desc, config, "train");
  StepRunner runner(desc, state, config);
  // lr-find trains on every training sample: their statistics, unless the
  // weights bring theirs.
  if (config.weights.empty())
    normalizer = fitNormalizer(desc, train, allIndices(train.size()));
  runner.setNormalizer(std::move(normalizer));
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
    int64_t n = runner.load(train, order, s % perEpoch, s);
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
