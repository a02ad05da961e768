//===- StepRunner.cpp - Calling the compiled steps ------------------------===//
//
// Batch buffers, step calls and shared helpers of the commands; see
// StepRunner.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/StepRunner.h"
#include "dlrt/Error.h"
#include "dlrt/Png.h"
#include "dlrt/Random.h"
#include "dlrt/SafeTensors.h"
#include "dlrt/Text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

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
      x(hasIntegerInput(desc) ? 0 : size_t(config.batch) * inputSize(desc)),
      ids(hasIntegerInput(desc) ? size_t(config.batch) * inputSize(desc) : 0),
      y(size_t(config.batch) * labelsPerSample(desc)),
      t(readsFloatTargets(desc) ? size_t(config.batch) * desc.target_size
                                : 0),
      logits(size_t(config.batch) * desc.num_outputs),
      stepLosses(size_t(std::max(desc.num_step_losses, 0)), 0.0),
      seed(config.seed), augmenter(Augmenter::of(desc)) {
  state.allocateWorkspace(batch);
}

void StepRunner::setRank(int rank) {
  if (rank > 0)
    seed = deriveSeed(seed, "rank", static_cast<uint64_t>(rank));
}

int64_t StepRunner::load(const Dataset &data, const std::vector<int64_t> &order,
                         int64_t b, int64_t augmentStep, bool flip) {
  int64_t n = gatherBatch(data, order, b, batch, x.data(), y.data(), t.data(),
                          ids.data());
  // Token ids are neither normalised nor augmented (refused by dlc).
  if (hasIntegerInput(desc))
    return n;
  // The order of Prep.h: normalisation, then geometry and noise.
  normalizer.apply(x.data(), n);
  if (augmentStep >= 0) {
    augmenter.geometric(x.data(), n, seed, augmentStep);
    augmenter.noise(x.data(), n, seed, augmentStep);
  }
  if (flip)
    augmenter.flipAll(x.data(), n);
  if (desc.label_kind == DLRT_LABEL_INPUT_MASK) {
    // The mask of the input as the model sees it: it moves with the
    // geometric augmentations.
    const float threshold = desc.mask_threshold;
    const float *in = x.data();
    float *mask = t.data();
    for (int64_t i = 0; i < n * desc.target_size; ++i)
      mask[i] = in[i] > threshold ? 1.0f : 0.0f;
  }
  return n;
}

const float *StepRunner::targets() const {
  return desc.label_kind == DLRT_LABEL_INPUT ? x.data() : t.data();
}

void StepRunner::addTo(MetricAccumulator &metrics, int64_t n) const {
  // (An explicit step's outputs are its `show` values.)
  if (desc.num_outputs > 0 && desc.num_step_losses == 0)
    metrics.add(logits.data(), y.data(), targets(), n * labelsPerSample(desc));
}

void drawShow(const dlrt_model_desc &desc, StepRunner &runner,
              const Dataset &data, const std::string &path) {
  if (data.size() == 0)
    fail("--show needs samples, but the data set is empty");
  int64_t n = runner.load(data, allIndices(data.size()), 0);
  runner.run(desc.eval_step, "eval_step", false, n, 0, 0);
  int64_t width = 0, height = 0;
  std::vector<uint8_t> pixels =
      showGrid(desc, runner.logitsData(), n, width, height);
  writeFileAtomically(path, encodePng(width, height, desc.show_channels,
                                      pixels));
}

void StepRunner::accumulate(EvalResult &r, int64_t n) const {
  addTo(r.metrics, n);
  for (size_t k = 0; k < stepLosses.size() && k < r.stepLosses.size(); ++k)
    r.stepLosses[k] += stepLosses[k] * double(n);
}

double StepRunner::run(dlrt_step_fn fn, const char *what, bool training,
                       int64_t n, double lr, int64_t step) {
  dlrt_step_args args{};
  state.bind(args, training);
  args.x = hasIntegerInput(desc) ? nullptr : x.data();
  args.x_ids = hasIntegerInput(desc) ? ids.data() : nullptr;
  if (desc.label_kind == DLRT_LABEL_CLASS)
    args.y = y.data();
  if (readsFloatTargets(desc))
    args.targets = t.data();
  args.n = n;
  args.batch = batch;
  args.lr = static_cast<float>(lr);
  args.step = step;
  args.seed = deriveSeed(seed, "step", static_cast<uint64_t>(step));
  args.logits = logits.data();
  args.loss = 0;
  args.step_losses = stepLosses.empty() ? nullptr : stepLosses.data();
  args.input_grad = inputGrad;
  int32_t status = fn(&args);
  if (status != 0)
    fail("the model's {} failed with status {} at step {}", what, status, step);
  return args.loss;
}

EvalResult StepRunner::evaluate(const Dataset &data,
                                const std::vector<int64_t> &indices,
                                uint32_t flags) {
  EvalResult result(desc, flags);
  double lossSum = 0;
  for (int64_t b = 0, e = numBatches(indices.size(), batch); b < e; ++b) {
    int64_t n = load(data, indices, b);
    lossSum += run(desc.eval_step, "eval_step", false, n, 0, b) * n;
    accumulate(result, n);
  }
  result.loss = indices.empty() ? 0.0 : lossSum / double(indices.size());
  result.finish(double(indices.size()));
  return result;
}

EvalResult StepRunner::evaluateTta(const Dataset &data,
                                   const std::vector<int64_t> &indices,
                                   uint32_t flags) {
  EvalResult result(desc, flags);
  const TargetKind kind = TargetKind::of(desc);
  const int64_t k = desc.num_outputs;
  std::vector<double> mean(size_t(batch) * k);
  double lossSum = 0;
  const int variants = 2; // identity, hflip
  for (int64_t b = 0, e = numBatches(indices.size(), batch); b < e; ++b) {
    std::fill(mean.begin(), mean.end(), 0.0);
    int64_t n = 0;
    for (int v = 0; v < variants; ++v) {
      n = load(data, indices, b, -1, v == 1);
      lossSum += run(desc.eval_step, "eval_step", false, n, 0, 0) * n;
      // Probabilities are averaged, not logits: the mean of softmax (or
      // sigmoid) outputs, as an ensemble's.
      addProbabilities(kind, logits.data(), n, 1.0 / variants, mean.data());
    }
    // Back to the outputs' own form, so that every metric reads the mean.
    probabilitiesToOutputs(kind, mean.data(), n, logits.data());
    addTo(result.metrics, n);
  }
  result.loss =
      indices.empty() ? 0.0 : lossSum / double(variants * indices.size());
  return result;
}

void addProbabilities(const TargetKind &kind, const float *outputs, int64_t n,
                      double weight, double *sum) {
  const int64_t k = kind.outputs;
  for (int64_t i = 0; i < n; ++i) {
    const float *out = outputs + i * k;
    double *acc = sum + i * k;
    if (kind.label == DLRT_LABEL_CLASS) {
      float top = *std::max_element(out, out + k);
      double z = 0;
      for (int64_t j = 0; j < k; ++j)
        z += std::exp(double(out[j]) - top);
      for (int64_t j = 0; j < k; ++j)
        acc[j] += weight * std::exp(double(out[j]) - top) / z;
    } else if (kind.logits) {
      for (int64_t j = 0; j < k; ++j)
        acc[j] += weight / (1.0 + std::exp(-double(out[j])));
    } else {
      for (int64_t j = 0; j < k; ++j)
        acc[j] += weight * double(out[j]);
    }
  }
}

void probabilitiesToOutputs(const TargetKind &kind, const double *mean,
                            int64_t n, float *outputs) {
  // Log-probabilities (whose softmax is the mean) and logits.
  for (int64_t i = 0; i < n * kind.outputs; ++i) {
    double m = mean[i];
    if (kind.label == DLRT_LABEL_CLASS)
      outputs[i] = float(std::log(std::max(m, 1e-30)));
    else if (kind.logits)
      outputs[i] = float(std::log(std::max(m, 1e-30)) -
                         std::log(std::max(1 - m, 1e-30)));
    else
      outputs[i] = float(m);
  }
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
  auto add = [&](const std::string &name, double value) {
    text += fmt::format(" {}{} {:.4f}", prefix, name, value);
    (*record)[prefix + name] = value;
  };
  // An explicit step's losses (the first is `loss` too, unless it has a
  // name of its own).
  for (size_t k = 0; k < r.stepLosses.size(); ++k)
    if (r.stepLossNames[k] != "loss")
      add(r.stepLossNames[k], r.stepLosses[k]);
  // An explicit step has no outputs to measure.
  if (!r.stepLossNames.empty())
    return text;
  for (const vocab::Entry &m : vocab::metricKinds) {
    uint32_t flag = 1u << m.value;
    double value = r.value(flag);
    // The confusion matrix is printed apart; NaN: not for these targets.
    if ((flags & flag) && flag != DLRT_METRIC_CONFUSION && !std::isnan(value))
      add(metricKey(flag), value);
  }
  return text;
}

void applyThreads(const dlrt_model_desc &desc, const RunConfig &config) {
  if (desc.set_num_threads)
    desc.set_num_threads(config.threads);
}

Dataset loadPart(const dlrt_model_desc &desc, const RunConfig &config,
                 const char *part) {
  if (!config.features.empty())
    return loadFeatures(desc, config.features, part);
  if (config.data.kind <= DLRT_DATA_CSV_DIR && config.data.dir.empty())
    fail("no data directory: pass --data DIR");
  return loadDataPart(config.data, part, DataShape::of(desc), config.limit);
}

Normalizer loadWeights(ModelState &state, const RunConfig &config,
                       const char *command,
                       std::map<std::string, std::string> *meta) {
  if (config.weights.empty())
    fail("'{}' needs --weights FILE.safetensors", command);
  Normalizer normalizer;
  std::map<std::string, std::string> m =
      loadCheckpoint(state, config.weights, false, &normalizer);
  if (meta)
    *meta = std::move(m);
  return normalizer;
}

void checkDataVocabulary(const dlrt_model_desc &desc,
                         const std::map<std::string, std::string> &meta,
                         const Dataset &data, const std::string &path) {
  if (desc.train.data_kind == DLRT_DATA_TEXT_FILES)
    checkVocabulary(meta, data.vocabulary, path);
}

std::map<std::string, std::string>
loadCheckpoint(ModelState &state, const std::string &path, bool withOptimizer,
               Normalizer *normalizer) {
  std::map<std::string, Tensor> stats;
  std::map<std::string, std::string> meta =
      state.load(path, withOptimizer, &stats);
  const dlrt_model_desc &desc = state.desc();
  *normalizer = Normalizer::fromCheckpoint(desc.train.normalize, stats,
                                           sampleShape(desc), path);
  // PCA and ZCA store tensors of the same names and shapes: the metadata
  // tells them apart.
  const char *mine = vocab::nameOf(vocab::normalizeKinds, desc.train.normalize);
  auto saved = meta.find("normalize");
  if (saved != meta.end() && saved->second != mine)
    fail("checkpoint '{}' was trained with normalize = {} but this trainer's "
         "model has normalize = {}",
         path, saved->second, mine);
  return meta;
}

Normalizer fitNormalizer(const dlrt_model_desc &desc, const Dataset &train,
                         const std::vector<int64_t> &indices) {
  return Normalizer::fit(desc.train.normalize, train, indices,
                         desc.train.whiten_eps);
}

std::vector<int64_t> sampleShape(const dlrt_model_desc &desc) {
  return std::vector<int64_t>(desc.input_shape,
                              desc.input_shape + desc.input_rank);
}

} // namespace dlrt
