//===- StepRunner.cpp - Calling the compiled steps ------------------------===//
//
// Batch buffers, step calls and shared helpers of the commands; see
// StepRunner.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/StepRunner.h"
#include "dlrt/Error.h"
#include "dlrt/Random.h"

#include <fmt/format.h>

using nlohmann::json;

namespace dlrt {

/// `batch`, if every tensor of the steps stays within the 2^31 - 1 elements
/// the kernels can index.
static int64_t checkedBatch(const dlrt_model_desc &desc, int64_t batch) {
  const int64_t limit = 2147483647;
  int64_t perSample = desc.max_tensor_elements_per_sample;
  if (perSample > 0 && batch > limit / perSample)
    fail("batch size {} is too large for this model: its largest tensor "
         "({} elements per sample) would have {} elements, more than the "
         "2^31 - 1 its kernels can index; the largest batch is {}",
         batch, perSample, batch * perSample, limit / perSample);
  return batch;
}

StepRunner::StepRunner(const dlrt_model_desc &desc, ModelState &state,
                       const RunConfig &config)
    : desc(desc), state(state), batch(checkedBatch(desc, config.batch)),
      x(size_t(config.batch) * inputSize(desc)), y(config.batch),
      logits(size_t(config.batch) * desc.num_outputs),
      seed(config.seed) {
  state.allocateWorkspace(batch);
}

int64_t StepRunner::load(const Dataset &data, const std::vector<int64_t> &order,
                         int64_t b) {
  return gatherBatch(data, order, b, batch, x.data(), y.data());
}

double StepRunner::run(dlrt_step_fn fn, const char *what, bool training,
                       int64_t n, double lr, int64_t step) {
  dlrt_step_args args{};
  state.bind(args, training);
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
    fail("the model's {} failed with status {} at step {}", what, status, step);
  return args.loss;
}

EvalResult StepRunner::evaluate(const Dataset &data,
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

std::vector<int64_t> allIndices(int64_t n) {
  std::vector<int64_t> indices(n);
  for (int64_t i = 0; i < n; ++i)
    indices[i] = i;
  return indices;
}

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

void loadWeights(ModelState &state, const RunConfig &config,
                 const char *command) {
  if (config.weights.empty())
    fail("'{}' needs --weights FILE.safetensors", command);
  state.load(config.weights, false);
}

} // namespace dlrt
