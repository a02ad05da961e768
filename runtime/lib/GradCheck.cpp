//===- GradCheck.cpp - The gradcheck command ------------------------------===//
//
// `./train gradcheck`: the model's analytic gradients (grad_step) against
// central differences of eval_step's loss, at a few random coordinates of
// every trainable parameter, skipping points where the loss is not smooth.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Random.h"
#include "dlrt/StepRunner.h"
#include "dlrt/Trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace dlrt {

int runGradcheck(const dlrt_model_desc &desc, const RunConfig &config) {
  if (!desc.grad_step) {
    fmt::print(stderr, "gradcheck: not available for this model (its "
                       "descriptor has no grad_step)\n");
    return 1;
  }
  ModelState state(desc, desc.train.optimizer.num_slots);
  Normalizer normalizer;
  if (!config.weights.empty())
    loadCheckpoint(state, config.weights, false, &normalizer);
  else
    state.initialise(config.seed);
  applyThreads(desc, config);
  RunConfig small = config;
  small.limit = std::min<int64_t>(config.limit > 0 ? config.limit : 8, 8);
  small.batch = static_cast<int32_t>(small.limit);
  Dataset data = loadPart(desc, small, "train");
  StepRunner runner(desc, state, small);
  // Without --weights, the statistics of the checked samples themselves.
  if (config.weights.empty())
    normalizer = fitNormalizer(desc, data, allIndices(data.size()));
  runner.setNormalizer(std::move(normalizer));
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
  double base = runner.run(desc.eval_step, "eval_step", false, n, 0, 0);
  for (int32_t p = 0; p < desc.num_params; ++p) {
    if (!desc.params[p].trainable)
      continue;
    float *w = state.param(p);
    int64_t size = paramSize(desc.params[p]);
    double paramWorst = 0;
    auto relative = [&](double a, double b) {
      return std::fabs(a - b) / std::max(floor, std::fabs(a) + std::fabs(b));
    };
    auto lossAt = [&](int64_t i, double step) {
      float saved = w[i];
      w[i] = static_cast<float>(saved + step);
      double loss = runner.run(desc.eval_step, "eval_step", false, n, 0, 0);
      w[i] = saved;
      return loss;
    };
    int skipped = 0, checked = 0;
    for (int k = 0; k < 8; ++k) {
      int64_t i = static_cast<int64_t>(rng.below(size));
      double plus = lossAt(i, h), minus = lossAt(i, -h);
      double numeric = (plus - minus) / (2 * h);
      double half = (lossAt(i, h / 2) - lossAt(i, -h / 2)) / h;
      // Where halving h changes the estimate, or the slopes on the two sides
      // differ, the loss is not smooth within h (ReLU and max-pool kinks; a
      // batch-norm shift moves a whole channel across many of them): the
      // comparison would be meaningless.
      double forward = (plus - base) / h, backward = (base - minus) / h;
      if (relative(numeric, half) > tolerance || relative(forward, backward) > tolerance) {
        ++skipped;
        continue;
      }
      ++checked;
      paramWorst = std::max(paramWorst, relative(numeric, analytic[p][i]));
    }
    bool good = paramWorst < tolerance;
    ok &= good;
    worst = std::max(worst, paramWorst);
    if (checked == 0)
      fmt::print("  {:<20} not checked: all {} points are at kinks",
                 desc.params[p].name, skipped);
    else
      fmt::print("  {:<20} max relative error {:.2e} {}", desc.params[p].name,
                 paramWorst, good ? "ok" : "FAILED");
    if (skipped && checked)
      fmt::print(" ({} non-smooth point(s) skipped)", skipped);
    fmt::print("\n");
  }
  fmt::print("gradcheck {} (max relative error {:.2e})\n",
             ok ? "passed" : "FAILED", worst);
  return ok ? 0 : 1;
}

} // namespace dlrt
