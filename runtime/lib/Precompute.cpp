//===- Precompute.cpp - Caching a frozen backbone's features --------------===//
//
// `./train precompute --init|--weights CKPT -o FEATURES.safetensors` runs the
// compiled backbone_step (the frozen layers that keep samples apart, see
// dlrt_model_desc) over the training and test data once and saves each
// sample's features with its targets; `./train train --features FILE` then
// trains with head_train_step on them, never running the backbone. The file
// records a hash of the frozen tensors it was computed with, and a training
// run on it must hold the same ones (from the same --init/--weights, or its
// --resume checkpoint), so that the saved model is the one trained.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Error.h"
#include "dlrt/SafeTensors.h"
#include "dlrt/StepRunner.h"
#include "dlrt/Trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dlrt {

namespace {

constexpr const char *kFeaturesFormat = "dlc-features/1";

/// FNV-1a (64 bits) over the names and values of the frozen tensors: a
/// fingerprint, not a security measure.
std::string frozenHash(ModelState &state) {
  const dlrt_model_desc &desc = state.desc();
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const void *data, size_t n) {
    const auto *p = static_cast<const uint8_t *>(data);
    for (size_t i = 0; i < n; ++i) {
      h ^= p[i];
      h *= 1099511628211ull;
    }
  };
  for (int32_t p = 0; p < desc.num_params; ++p) {
    if (!desc.params[p].frozen)
      continue;
    std::string name = desc.params[p].name;
    mix(name.data(), name.size() + 1);
    mix(state.param(p), sizeof(float) * size_t(paramSize(desc.params[p])));
  }
  return fmt::format("{:016x}", h);
}

std::vector<int64_t> featureShape(const dlrt_model_desc &desc) {
  return std::vector<int64_t>(desc.feature_shape,
                              desc.feature_shape + desc.feature_rank);
}

int64_t product(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

} // namespace

dlrt_model_desc headDescriptor(const dlrt_model_desc &desc) {
  if (!desc.head_train_step || !desc.head_eval_step)
    fail("--features: this model has no backbone to skip ({})",
         desc.no_backbone ? desc.no_backbone
                          : "its train block freezes nothing");
  if (desc.train.normalize != DLRT_NORMALIZE_NONE)
    fail("--features: the train block's normalize applies to the inputs, "
         "before the backbone; precomputed features are not normalised "
         "again (remove normalize, or train without --features)");
  if (desc.train.augment != 0)
    fail("--features: the train block augments its inputs, which changes "
         "the backbone's features every epoch; they cannot be precomputed");
  if (labelsPerSample(desc) > 1)
    fail("--features: a sequence model (a label per position) is not "
         "supported by precompute");
  dlrt_model_desc head = desc;
  // The split steps (dlc --mpi) read the inputs, not the features.
  head.train_grad_step = nullptr;
  head.update_step = nullptr;
  // The features are f32, whatever the model's input.
  head.input_dtype = DLRT_DTYPE_F32;
  head.input_rank = desc.feature_rank;
  for (int32_t i = 0; i < DLRT_MAX_RANK; ++i)
    head.input_shape[i] = i < desc.feature_rank ? desc.feature_shape[i] : 0;
  head.train_step = desc.head_train_step;
  head.eval_step = desc.head_eval_step;
  // Gradients and explanations are of the input, which a head never sees.
  head.grad_step = nullptr;
  head.saliency_step = nullptr;
  head.backbone_step = nullptr;
  return head;
}

void checkFeaturesBackbone(ModelState &state, const std::string &path) {
  SafeTensors file = loadSafeTensors(path);
  auto it = file.metadata.find("frozen_hash");
  if (it == file.metadata.end())
    fail("features file '{}' has no 'frozen_hash' metadata", path);
  std::string hash = frozenHash(state);
  if (it->second != hash)
    fail("features file '{}' was computed with other frozen tensors (hash {}) "
         "than this run holds ({}): start from the --init or --weights "
         "checkpoint it was precomputed from",
         path, it->second, hash);
}

Dataset loadFeatures(const dlrt_model_desc &head, const std::string &path,
                     const std::string &part) {
  SafeTensors file = loadSafeTensors(path);
  auto meta = [&](const char *key) {
    auto it = file.metadata.find(key);
    if (it == file.metadata.end())
      fail("features file '{}' has no '{}' metadata (write it with "
           "./train precompute)",
           path, key);
    return it->second;
  };
  if (meta("format") != kFeaturesFormat)
    fail("features file '{}' has format \"{}\"; expected \"{}\"", path,
         meta("format"), kFeaturesFormat);
  if (meta("model") != (head.name ? head.name : ""))
    fail("features file '{}' is of model '{}', not '{}'", path, meta("model"),
         head.name ? head.name : "");
  Dataset d;
  auto features = file.tensors.find(part + ".features");
  if (features == file.tensors.end())
    return d; // no such part (a source without a test set)
  std::vector<int64_t> shape = featureShape(head);
  const Tensor &f = features->second;
  if (f.shape.size() != shape.size() + 1 ||
      !std::equal(shape.begin(), shape.end(), f.shape.begin() + 1))
    fail("features file '{}': {}.features has shape [{}], expected [N, {}]",
         path, part, fmt::join(f.shape, ", "), fmt::join(shape, ", "));
  d.count = f.shape[0];
  d.sampleSize = product(shape);
  d.x = f.values;
  if (head.label_kind == DLRT_LABEL_CLASS) {
    auto y = file.tensors.find(part + ".labels");
    if (y == file.tensors.end() || y->second.values.size() != size_t(d.count))
      fail("features file '{}' has no {}.labels of {} samples", path, part,
           d.count);
    d.y.resize(size_t(d.count));
    for (int64_t i = 0; i < d.count; ++i) {
      float v = y->second.values[size_t(i)];
      if (!(v >= 0 && v < float(head.num_classes)) || v != std::floor(v))
        fail("features file '{}': {}.labels[{}] = {} is not a class in [0, "
             "{})",
             path, part, i, v, head.num_classes);
      d.y[size_t(i)] = int64_t(v);
    }
  } else if (head.label_kind == DLRT_LABEL_FLOAT) {
    auto t = file.tensors.find(part + ".targets");
    d.targetSize = head.target_size;
    if (t == file.tensors.end() ||
        t->second.values.size() != size_t(d.count * d.targetSize))
      fail("features file '{}' has no {}.targets of {} x {} values", path, part,
           d.count, d.targetSize);
    d.t = t->second.values;
  }
  return d;
}

int runPrecompute(const dlrt_model_desc &desc, const RunConfig &config) {
  if (!desc.backbone_step)
    fail("'precompute' needs a model whose frozen layers form a backbone: {}",
         desc.no_backbone ? desc.no_backbone
                          : "this train block freezes nothing (freeze = "
                            "[...])");
  // The checks that a run on the features will make.
  dlrt_model_desc head = headDescriptor(desc);
  if (head.label_kind == DLRT_LABEL_INPUT ||
      head.label_kind == DLRT_LABEL_INPUT_MASK ||
      head.label_kind == DLRT_LABEL_NONE)
    fail("'precompute' needs targets to store beside the features");
  if (config.output.empty())
    fail("'precompute' needs -o FILE.safetensors");
  if (config.weights.empty() && config.init.empty())
    fail("'precompute' needs the frozen tensors: --weights (a checkpoint of "
         "this model) or --init (the matching tensors of any checkpoint)");
  if (config.output == config.weights || config.output == config.init)
    fail("'precompute' would overwrite its input checkpoint '{}': give -o "
         "another file",
         config.output);
  checkSaveTarget(config.output);
  // An existing file is replaced only if it is a features file.
  if (std::FILE *existing = std::fopen(config.output.c_str(), "rb")) {
    std::fclose(existing);
    SafeTensors old;
    bool features = false;
    try {
      old = loadSafeTensors(config.output);
      auto it = old.metadata.find("format");
      features = it != old.metadata.end() && it->second == kFeaturesFormat;
    } catch (const Error &) {
    }
    if (!features)
      fail("'{}' exists and is not a features file; 'precompute' does not "
           "replace it (give another file name)",
           config.output);
  }
  ModelState state(desc, desc.train.optimizer.num_slots);
  state.initialise(config.seed);
  if (!config.weights.empty()) {
    Normalizer unused;
    loadCheckpoint(state, config.weights, false, &unused);
  } else {
    InitReport report = state.loadInit(config.init, config.initMap);
    // Features of frozen tensors left at their initialiser are of no use.
    for (int32_t p = 0; p < desc.num_params; ++p)
      if (desc.params[p].frozen &&
          std::find(report.kept.begin(), report.kept.end(),
                    desc.params[p].name) != report.kept.end())
        fail("'precompute': the frozen tensor '{}' is not in '{}' (the "
             "features would be those of its random initial value)",
             desc.params[p].name, config.init);
  }
  applyThreads(desc, config);
  // The backbone as an eval step whose outputs are the features.
  dlrt_model_desc backbone = desc;
  backbone.eval_step = desc.backbone_step;
  backbone.num_outputs = product(featureShape(desc));
  std::vector<int64_t> shape = featureShape(desc);
  std::vector<std::vector<float>> store;
  std::vector<TensorRef> tensors;
  std::map<std::string, std::string> metadata = {
      {"format", kFeaturesFormat},
      {"model", desc.name ? desc.name : ""},
      {"frozen_hash", frozenHash(state)},
      {"data", config.data.describe()},
      {"limit", std::to_string(config.limit)}};
  store.reserve(6);
  for (const char *part : {"train", "test"}) {
    Dataset data = loadPart(desc, config, part);
    if (data.size() == 0)
      continue;
    StepRunner runner(backbone, state, config);
    const int64_t k = backbone.num_outputs;
    std::vector<float> features(size_t(data.size() * k));
    std::vector<float> targets;
    std::vector<int64_t> order = allIndices(data.size());
    for (int64_t b = 0, e = numBatches(data.size(), config.batch); b < e; ++b) {
      int64_t n = runner.load(data, order, b);
      runner.run(backbone.eval_step, "backbone_step", false, n, 0, 0);
      std::copy(runner.logitsData(), runner.logitsData() + n * k,
                features.begin() + b * config.batch * k);
    }
    for (float v : features)
      if (!std::isfinite(v))
        fail("'precompute': the backbone gives a non-finite feature on the "
             "{} data",
             part);
    if (desc.label_kind == DLRT_LABEL_CLASS)
      for (int64_t label : data.y)
        targets.push_back(float(label));
    else
      targets = data.t;
    std::vector<int64_t> fshape = {data.size()};
    fshape.insert(fshape.end(), shape.begin(), shape.end());
    store.push_back(std::move(features));
    tensors.push_back(
        {std::string(part) + ".features", fshape, store.back().data()});
    std::vector<int64_t> tshape = {data.size()};
    if (desc.label_kind != DLRT_LABEL_CLASS)
      tshape.push_back(desc.target_size);
    store.push_back(std::move(targets));
    tensors.push_back(
        {std::string(part) +
             (desc.label_kind == DLRT_LABEL_CLASS ? ".labels" : ".targets"),
         tshape, store.back().data()});
    fmt::print("{}: {} samples -> features [{}]\n", part, data.size(),
               fmt::join(shape, ", "));
  }
  saveSafeTensors(config.output, tensors, metadata);
  fmt::print("wrote '{}' (frozen tensors {}); train the head with --features "
             "{}\n",
             config.output, metadata["frozen_hash"], config.output);
  return 0;
}

} // namespace dlrt
