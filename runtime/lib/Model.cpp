//===- Model.cpp - Model state owned by the runtime -----------------------===//
//
// Allocation, deterministic initialisation and checkpointing of a model's
// buffers; see Model.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Model.h"
#include "dlrt/Prep.h"
#include "dlrt/CpuFeatures.h"
#include "dlrt/Error.h"
#include "dlrt/Random.h"
#include "dlrt/SafeTensors.h"

#include <cmath>
#include <cstring>
#include <set>
#include <sstream>

namespace dlrt {

AlignedFloats::AlignedFloats(size_t count) : count(count) {
  size_t bytes = ((count * sizeof(float) + 63) / 64) * 64;
  void *p = std::aligned_alloc(64, bytes ? bytes : 64);
  if (!p)
    fail("out of memory allocating {} bytes", bytes);
  std::memset(p, 0, bytes ? bytes : 64);
  ptr.reset(static_cast<float *>(p));
}

int64_t paramSize(const dlrt_param_desc &p) {
  int64_t size = 1;
  for (int32_t i = 0; i < p.rank; ++i)
    size *= p.shape[i];
  return size;
}

std::vector<int64_t> paramShape(const dlrt_param_desc &p) {
  return std::vector<int64_t>(p.shape, p.shape + p.rank);
}

std::string formatShape(const std::vector<int64_t> &shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

int64_t inputSize(const dlrt_model_desc &desc) {
  int64_t size = 1;
  for (int32_t i = 0; i < desc.input_rank; ++i)
    size *= desc.input_shape[i];
  return size;
}

int64_t labelsPerSample(const dlrt_model_desc &desc) {
  return desc.label_kind == DLRT_LABEL_CLASS && desc.labels_per_sample > 1
             ? desc.labels_per_sample
             : 1;
}

const char *initName(int32_t kind) {
  return vocab::nameOf(vocab::initKinds, kind);
}

/// The kernels were compiled for a set of CPU features; running them on a
/// CPU without one ends in SIGILL somewhere in the first step, so refuse to
/// start instead and name what is missing.
static void checkCpuFeatures(const dlrt_model_desc &desc) {
  if (!desc.cpu_features || !*desc.cpu_features)
    return;
  std::set<std::string> has = hostCpuFeatures();
  std::string missing;
  std::istringstream words(desc.cpu_features);
  for (std::string f; words >> f;)
    if (!has.count(f))
      missing += (missing.empty() ? "" : " ") + f;
  if (!missing.empty())
    fail("this CPU lacks features the kernels of '{}' were compiled for: {} "
         "(compile the model on this machine, or choose a target it "
         "supports with dlc --halide-target=...)",
         desc.name ? desc.name : "?", missing);
}

void validateDescriptor(const dlrt_model_desc &desc) {
  if (desc.abi_version != DLRT_ABI_VERSION)
    fail("model descriptor has ABI version {}, this runtime expects {}",
         desc.abi_version, DLRT_ABI_VERSION);
  if (!desc.train_step || !desc.eval_step)
    fail("model descriptor lacks train_step or eval_step");
  checkCpuFeatures(desc);
  if (desc.num_params < 0 || (desc.num_params > 0 && !desc.params))
    fail("model descriptor has a malformed parameter table");
  if (desc.input_rank < 1 || desc.input_rank > DLRT_MAX_RANK)
    fail("model descriptor has input rank {}", desc.input_rank);
  if (desc.input_dtype != DLRT_DTYPE_F32 && desc.input_dtype != DLRT_DTYPE_I64)
    fail("model descriptor has the unknown input dtype {}", desc.input_dtype);
  if (desc.train.data_kind == DLRT_DATA_TEXT_FILES &&
      (desc.input_dtype != DLRT_DTYPE_I64 || desc.input_rank != 1 ||
       labelsPerSample(desc) != desc.input_shape[0]))
    fail("model descriptor: a text data source needs token ids [T] in and a "
         "label per token");
  if (labelsPerSample(desc) > 1 && desc.train.data_kind != DLRT_DATA_TEXT_FILES)
    fail("model descriptor: {} labels per sample need a text data source "
         "(the other sources hold one label per sample)",
         labelsPerSample(desc));
  switch (desc.label_kind) {
  case DLRT_LABEL_CLASS:
    // (An explicit step has no outputs; its labels are checked below.)
    if (desc.num_step_losses > 0)
      break;
    if (desc.labels_per_sample < 0 ||
        (desc.labels_per_sample > 1 && desc.num_step_losses > 0))
      fail("model descriptor has {} labels per sample", desc.labels_per_sample);
    if (desc.num_classes < 1 ||
        desc.num_outputs != desc.num_classes * labelsPerSample(desc))
      fail("model descriptor: class labels need num_outputs == num_classes "
           "* labels_per_sample >= 1, got {} outputs, {} classes and {} "
           "labels per sample",
           desc.num_outputs, desc.num_classes, labelsPerSample(desc));
    break;
  case DLRT_LABEL_FLOAT:
  case DLRT_LABEL_INPUT:
  case DLRT_LABEL_INPUT_MASK:
    if (desc.num_step_losses > 0 && desc.target_size >= 1)
      break;
    if (desc.target_size < 1 || desc.num_outputs != desc.target_size)
      fail("model descriptor: float targets need num_outputs == target_size "
           ">= 1, got {} outputs and {} targets",
           desc.num_outputs, desc.target_size);
    if (desc.label_kind == DLRT_LABEL_INPUT_MASK &&
        !std::isfinite(desc.mask_threshold))
      fail("model descriptor: the input mask needs a finite threshold");
    if ((desc.label_kind == DLRT_LABEL_INPUT ||
         desc.label_kind == DLRT_LABEL_INPUT_MASK) &&
        desc.target_size != inputSize(desc))
      fail("model descriptor: the input as target needs target_size == the "
           "input size {}, got {}",
           inputSize(desc), desc.target_size);
    break;
  case DLRT_LABEL_NONE:
    if (desc.num_step_losses < 1)
      fail("model descriptor: a step without targets must be an explicit "
           "step (num_step_losses >= 1)");
    break;
  default:
    fail("model descriptor has the unknown label kind {}", desc.label_kind);
  }
  if (desc.num_step_losses < 0 ||
      (desc.num_step_losses > 0 && !desc.step_loss_names))
    fail("model descriptor has a malformed table of step losses");
  for (int32_t k = 0; k < desc.num_step_losses; ++k)
    if (!desc.step_loss_names[k] || !*desc.step_loss_names[k])
      fail("model descriptor: step loss {} has no name", k);
  if (desc.num_step_losses > 0 && desc.label_kind == DLRT_LABEL_CLASS &&
      desc.num_classes < 1)
    fail("model descriptor: class labels need num_classes >= 1");
  const dlrt_optimizer_desc &opt = desc.train.optimizer;
  if (opt.num_slots < 0 || opt.num_slots > DLRT_MAX_OPT_SLOTS)
    fail("model descriptor has {} optimizer slots", opt.num_slots);
  for (int32_t s = 0; s < opt.num_slots; ++s)
    if (!opt.slot_names[s] || !*opt.slot_names[s])
      fail("model descriptor: optimizer slot {} has no name", s);
  std::set<std::string> names;
  for (int32_t i = 0; i < desc.num_params; ++i) {
    const dlrt_param_desc &p = desc.params[i];
    if (!p.name || !*p.name)
      fail("model descriptor: parameter {} has no name", i);
    if (!names.insert(p.name).second)
      fail("model descriptor: parameter name '{}' is used twice", p.name);
    if (p.dtype != DLRT_DTYPE_F32)
      fail("model descriptor: parameter '{}' is not f32", p.name);
    if (p.frozen && p.trainable)
      fail("model descriptor: parameter '{}' is both frozen and trainable",
           p.name);
    if (p.rank < 0 || p.rank > DLRT_MAX_RANK)
      fail("model descriptor: parameter '{}' has rank {}", p.name, p.rank);
    for (int32_t d = 0; d < p.rank; ++d)
      if (p.shape[d] < 1)
        fail("model descriptor: parameter '{}' has dimension {} of size {}",
             p.name, d, p.shape[d]);
  }
}

ModelState::ModelState(const dlrt_model_desc &desc, int32_t numSlots)
    : model(&desc), slots(numSlots) {
  int32_t n = desc.num_params;
  for (int32_t p = 0; p < n; ++p) {
    size_t size = static_cast<size_t>(paramSize(desc.params[p]));
    params.emplace_back(size);
    grads.emplace_back(desc.params[p].trainable ? size : 0);
  }
  for (int32_t s = 0; s < slots; ++s)
    for (int32_t p = 0; p < n; ++p)
      optStates.emplace_back(
          desc.params[p].trainable ? paramSize(desc.params[p]) : 0);
  for (int32_t p = 0; p < n; ++p) {
    paramPtrs.push_back(params[p].data());
    gradPtrs.push_back(desc.params[p].trainable ? grads[p].data() : nullptr);
  }
  for (int32_t s = 0; s < slots; ++s)
    for (int32_t p = 0; p < n; ++p)
      optPtrs.push_back(desc.params[p].trainable
                            ? optStates[size_t(s) * n + p].data()
                            : nullptr);
}

void ModelState::initialise(uint64_t seed) {
  for (int32_t p = 0; p < model->num_params; ++p) {
    const dlrt_param_desc &desc = model->params[p];
    Rng rng(deriveSeed(seed, std::string("init:") + desc.name, 0));
    float *w = params[p].data();
    int64_t size = paramSize(desc);
    double fanIn = double(std::max<int64_t>(desc.fan_in, 1));
    double fanOut = double(std::max<int64_t>(desc.fan_out, 1));
    auto uniform = [&](double lo, double hi) {
      for (int64_t i = 0; i < size; ++i)
        w[i] = static_cast<float>(rng.uniform(lo, hi));
    };
    auto normal = [&](double mean, double std) {
      for (int64_t i = 0; i < size; ++i)
        w[i] = static_cast<float>(mean + std * rng.normal());
    };
    switch (desc.init) {
    case DLRT_INIT_ZEROS:
      std::fill(w, w + size, 0.0f);
      break;
    case DLRT_INIT_ONES:
      std::fill(w, w + size, 1.0f);
      break;
    case DLRT_INIT_CONSTANT:
      std::fill(w, w + size, desc.init_args[0]);
      break;
    case DLRT_INIT_NORMAL:
      normal(desc.init_args[0], desc.init_args[1]);
      break;
    case DLRT_INIT_UNIFORM:
      uniform(desc.init_args[0], desc.init_args[1]);
      break;
    case DLRT_INIT_GLOROT_UNIFORM: {
      double limit = std::sqrt(6.0 / (fanIn + fanOut));
      uniform(-limit, limit);
      break;
    }
    case DLRT_INIT_GLOROT_NORMAL:
      normal(0.0, std::sqrt(2.0 / (fanIn + fanOut)));
      break;
    case DLRT_INIT_HE_UNIFORM: {
      double limit = std::sqrt(6.0 / fanIn);
      uniform(-limit, limit);
      break;
    }
    case DLRT_INIT_HE_NORMAL:
      normal(0.0, std::sqrt(2.0 / fanIn));
      break;
    default:
      fail("parameter '{}' has unknown initialiser kind {}", desc.name,
           desc.init);
    }
  }
  for (AlignedFloats &state : optStates)
    std::fill(state.data(), state.data() + state.size(), 0.0f);
}

std::string ModelState::optKey(int32_t slot, int32_t p) const {
  return fmt::format("opt.{}.{}", model->train.optimizer.slot_names[slot],
                     model->params[p].name);
}

std::vector<std::string> ModelState::optKeys() const {
  std::vector<std::string> keys;
  for (int32_t s = 0; s < slots; ++s)
    for (int32_t p = 0; p < model->num_params; ++p)
      if (model->params[p].trainable)
        keys.push_back(optKey(s, p));
  return keys;
}

void ModelState::save(const std::string &path,
                      const std::map<std::string, std::string> &metadata,
                      const std::vector<TensorRef> &extra) const {
  std::vector<TensorRef> tensors;
  for (int32_t p = 0; p < model->num_params; ++p)
    tensors.push_back({model->params[p].name, paramShape(model->params[p]),
                       params[p].data()});
  for (int32_t s = 0; s < slots; ++s)
    for (int32_t p = 0; p < model->num_params; ++p)
      if (model->params[p].trainable)
        tensors.push_back(
            {optKey(s, p), paramShape(model->params[p]),
             optStates[size_t(s) * model->num_params + p].data()});
  tensors.insert(tensors.end(), extra.begin(), extra.end());
  saveSafeTensors(path, tensors, metadata);
}

std::map<std::string, std::string>
ModelState::load(const std::string &path, bool withOptimizer,
                 std::map<std::string, Tensor> *extra) {
  SafeTensors file = loadSafeTensors(path);
  std::set<std::string> used;
  auto restore = [&](const std::string &key, const dlrt_param_desc &desc,
                     AlignedFloats &into) {
    auto it = file.tensors.find(key);
    if (it == file.tensors.end())
      fail("checkpoint '{}' has no tensor '{}' that the model needs", path,
           key);
    std::vector<int64_t> expected = paramShape(desc);
    if (it->second.shape != expected)
      fail("checkpoint '{}': tensor '{}' has shape {} but the model expects {}",
           path, key, formatShape(it->second.shape), formatShape(expected));
    std::memcpy(into.data(), it->second.values.data(),
                sizeof(float) * it->second.values.size());
    used.insert(key);
  };
  for (int32_t p = 0; p < model->num_params; ++p)
    restore(model->params[p].name, model->params[p], params[p]);
  if (withOptimizer) {
    for (int32_t s = 0; s < slots; ++s)
      for (int32_t p = 0; p < model->num_params; ++p)
        if (model->params[p].trainable)
          restore(optKey(s, p), model->params[p],
                  optStates[size_t(s) * model->num_params + p]);
  }
  for (auto &[key, tensor] : file.tensors)
    if (extra && isNormalizerTensor(key))
      (*extra)[key] = std::move(tensor);
    else if (!used.count(key) && key.rfind("opt.", 0) != 0)
      fail("checkpoint '{}' has a tensor '{}' that the model does not have",
           path, key);
  return file.metadata;
}

InitReport ModelState::loadInit(const std::string &path,
                                const std::vector<InitMapping> &mappings) {
  // Foreign files may hold other dtypes; only a tensor we take must be F32.
  SafeTensors file = loadSafeTensors(path, true);
  std::map<std::string, int32_t> index;
  for (int32_t p = 0; p < model->num_params; ++p)
    index[model->params[p].name] = p;
  std::vector<std::string> problems;
  std::vector<bool> used(mappings.size(), false);
  // The key each parameter is taken from.
  std::map<int32_t, std::string> source;
  InitReport report;
  for (const auto &[key, tensor] : file.tensors) {
    // The optimizer state belongs to the other run; a new run starts at zero.
    if (key.rfind("opt.", 0) == 0)
      continue;
    // An exact mapping wins over a prefix; the longest prefix over shorter.
    std::string name = key;
    int chosen = -1;
    for (size_t m = 0; m < mappings.size(); ++m) {
      const InitMapping &map = mappings[m];
      bool applies = map.prefix ? key.rfind(map.from, 0) == 0 : key == map.from;
      if (!applies)
        continue;
      if (chosen < 0 || (!map.prefix && mappings[chosen].prefix) ||
          (map.prefix == mappings[chosen].prefix &&
           map.from.size() > mappings[chosen].from.size()))
        chosen = int(m);
    }
    if (chosen >= 0) {
      used[chosen] = true;
      const InitMapping &map = mappings[chosen];
      name = map.prefix ? map.to + key.substr(map.from.size()) : map.to;
    }
    std::string shown =
        name == key ? "'" + key + "'" : "'" + key + "' (as '" + name + "')";
    auto it = index.find(name);
    if (it == index.end()) {
      report.unmatched.push_back(name == key ? key : key + " (as " + name + ")");
      continue;
    }
    const dlrt_param_desc &desc = model->params[it->second];
    std::vector<int64_t> expected = paramShape(desc);
    if (tensor.dtype != "F32") {
      problems.push_back(fmt::format("tensor {} has dtype {}; the model's is F32",
                                     shown, tensor.dtype));
      continue;
    }
    if (tensor.shape != expected) {
      problems.push_back(fmt::format("tensor {} has shape {}; the model's is {}",
                                     shown, formatShape(tensor.shape),
                                     formatShape(expected)));
      continue;
    }
    auto [previous, fresh] = source.emplace(it->second, key);
    if (!fresh) {
      problems.push_back(fmt::format("tensors '{}' and '{}' both map to '{}'",
                                     previous->second, key, name));
      continue;
    }
  }
  for (size_t m = 0; m < mappings.size(); ++m)
    if (!used[m])
      problems.push_back(fmt::format("--init-map {} renames no tensor of the "
                                     "file",
                                     mappings[m].text));
  if (problems.empty() && source.empty()) {
    std::vector<std::string> names;
    for (int32_t p = 0; p < model->num_params; ++p)
      names.push_back(model->params[p].name);
    problems.push_back(fmt::format(
        "no tensor matches a parameter or buffer of the model (the file "
        "has: {}; the model has: {}); rename keys with --init-map OLD=NEW "
        "or 'OLD.*=NEW.*'",
        report.unmatched.empty() ? "no tensors"
                                 : fmt::format("{}", fmt::join(report.unmatched, ", ")),
        fmt::join(names, ", ")));
  }
  if (!problems.empty())
    fail("--init '{}': {}", path,
         problems.size() == 1
             ? problems[0]
             : fmt::format("{} problems:\n  {}", problems.size(),
                           fmt::join(problems, "\n  ")));
  for (int32_t p = 0; p < model->num_params; ++p) {
    auto it = source.find(p);
    if (it == source.end()) {
      report.kept.push_back(model->params[p].name);
      continue;
    }
    const Tensor &tensor = file.tensors.at(it->second);
    std::memcpy(params[p].data(), tensor.values.data(),
                sizeof(float) * tensor.values.size());
    report.taken.push_back(model->params[p].name);
  }
  return report;
}

void ModelState::allocateWorkspace(int64_t batch) {
  uint64_t bytes = workspaceBytes(*model, batch);
  workspace = AlignedFloats((bytes + sizeof(float) - 1) / sizeof(float));
}

void ModelState::bind(dlrt_step_args &args, bool training) {
  args.params = paramPtrs.data();
  args.grads = training ? gradPtrs.data() : nullptr;
  args.opt_state = training && slots > 0 ? optPtrs.data() : nullptr;
  args.workspace = workspace.data();
}

uint64_t ModelState::paramBytes() const {
  uint64_t bytes = 0;
  for (const AlignedFloats &a : params)
    bytes += a.size() * sizeof(float);
  return bytes;
}

uint64_t ModelState::gradBytes() const {
  uint64_t bytes = 0;
  for (const AlignedFloats &a : grads)
    bytes += a.size() * sizeof(float);
  return bytes;
}

uint64_t ModelState::optStateBytes() const {
  uint64_t bytes = 0;
  for (const AlignedFloats &a : optStates)
    bytes += a.size() * sizeof(float);
  return bytes;
}

uint64_t ModelState::workspaceBytes(const dlrt_model_desc &desc,
                                    int64_t batch) {
  return desc.workspace_bytes_fixed +
         desc.workspace_bytes_per_sample * static_cast<uint64_t>(batch);
}

} // namespace dlrt
