//===- Model.h - Model state owned by the runtime ---------------*- C++ -*-===//
//
// The runtime owns every buffer a compiled step touches: parameter values,
// gradient scratch, optimiser state (one buffer per slot per trainable
// parameter), the workspace of the memory plan, and the counters of the run.
// This file allocates them from a descriptor, initialises parameters from the
// seed, and converts the state to and from safetensors checkpoints
// ("fc1.w", "opt.m.fc1.w", plus metadata).
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_MODEL_H
#define DLRT_MODEL_H

#include "dlrt/SafeTensors.h"
#include "dlrt/dlrt.h"

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dlrt {

/// A zero-initialised, 64-byte aligned array of floats.
class AlignedFloats {
public:
  AlignedFloats() = default;
  explicit AlignedFloats(size_t count);
  float *data() { return ptr.get(); }
  const float *data() const { return ptr.get(); }
  size_t size() const { return count; }

private:
  struct Free {
    void operator()(void *p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> ptr;
  size_t count = 0;
};

/// Number of elements of parameter `p`.
int64_t paramSize(const dlrt_param_desc &p);
/// Shape of parameter `p` as a vector.
std::vector<int64_t> paramShape(const dlrt_param_desc &p);
/// Shape as text, e.g. "[784, 128]".
std::string formatShape(const std::vector<int64_t> &shape);
/// Values per input sample.
int64_t inputSize(const dlrt_model_desc &desc);
/// Class labels per sample: 1, or T for a sequence model (a label per
/// position).
int64_t labelsPerSample(const dlrt_model_desc &desc);
/// Whether the model reads integer inputs (token ids).
inline bool hasIntegerInput(const dlrt_model_desc &desc) {
  return desc.input_dtype == DLRT_DTYPE_I64;
}
/// Whether the steps read float targets (dlrt_step_args::targets): those of
/// the data (DLRT_LABEL_FLOAT) or the input's mask the trainer computes
/// (DLRT_LABEL_INPUT_MASK).
inline bool readsFloatTargets(const dlrt_model_desc &desc) {
  return desc.label_kind == DLRT_LABEL_FLOAT ||
         desc.label_kind == DLRT_LABEL_INPUT_MASK;
}
/// Name of an initialiser kind ("glorot_uniform", ...).
const char *initName(int32_t kind);

/// Checks a descriptor for internal consistency (ABI version, ranks, shapes,
/// slot counts, required steps); throws an Error describing the first flaw.
void validateDescriptor(const dlrt_model_desc &desc);

/// One renaming of `--init-map`: the checkpoint key `from` is read as the
/// model's `to`; with `prefix`, every key that starts with `from` has that
/// start replaced by `to` (`--init-map 'old.*=new.*'`).
struct InitMapping {
  std::string from, to;
  bool prefix = false;
  /// The flag as given, for messages.
  std::string text;
};

/// What `--init` took from a checkpoint.
struct InitReport {
  /// Model names that got the checkpoint's values, in descriptor order.
  std::vector<std::string> taken;
  /// Model names not in the checkpoint: they keep their initialiser.
  std::vector<std::string> kept;
  /// Checkpoint keys that match no parameter or buffer (optimizer state
  /// "opt.*" aside, which --init never takes).
  std::vector<std::string> unmatched;
};

/// All buffers of one model instance.
class ModelState {
public:
  ModelState(const dlrt_model_desc &desc, int32_t numSlots);

  const dlrt_model_desc &desc() const { return *model; }
  int32_t numParams() const { return model->num_params; }
  int32_t numSlots() const { return slots; }

  /// Fills every parameter from its initialiser; `seed` is the run seed.
  /// Optimiser state is zeroed.
  void initialise(uint64_t seed);

  float *param(int32_t p) { return params[p].data(); }
  float *optState(int32_t slot, int32_t p) {
    return optStates[size_t(slot) * model->num_params + p].data();
  }
  /// The gradient scratch of parameter `p` (null for a buffer), and the
  /// number of values of `p` and of its optimiser state of `slot` (0 for a
  /// buffer).
  float *grad(int32_t p) { return grads[p].data(); }
  size_t numValues(int32_t p) const { return params[p].size(); }
  size_t optStateValues(int32_t slot, int32_t p) const {
    return optStates[size_t(slot) * model->num_params + p].size();
  }

  /// Checkpoint key of slot `slot` of parameter `p`: "opt.<slot>.<name>".
  std::string optKey(int32_t slot, int32_t p) const;
  /// Keys of all optimiser state tensors, in storage order.
  std::vector<std::string> optKeys() const;

  /// Writes parameters, optimiser state and the `extra` tensors (the
  /// normalisation statistics) with `metadata` to `path`.
  void save(const std::string &path,
            const std::map<std::string, std::string> &metadata,
            const std::vector<TensorRef> &extra = {}) const;
  /// Restores parameters (always) and optimiser state (if `withOptimizer`)
  /// from `path`, checking every name and shape; returns the metadata. The
  /// normalisation statistics ("normalize.*", see Prep.h) are moved into
  /// `*extra`; without `extra` they are unknown tensors (an error).
  std::map<std::string, std::string>
  load(const std::string &path, bool withOptimizer,
       std::map<std::string, Tensor> *extra = nullptr);
  /// Transfer learning (--init): overwrites the parameters and buffers whose
  /// names (after `mappings`) are keys of `path`; the others keep their
  /// values. Throws, naming `path` and listing every problem, when a matched
  /// tensor has another shape or dtype, two keys map to one name, a mapping
  /// renames no key, or no tensor matches at all.
  InitReport loadInit(const std::string &path,
                      const std::vector<InitMapping> &mappings);

  /// Fills the pointer tables of `args` (params, grads, opt_state,
  /// workspace); `training` false leaves grads and opt_state null.
  void bind(dlrt_step_args &args, bool training);
  /// Allocates the workspace for batch capacity `batch`.
  void allocateWorkspace(int64_t batch);

  /// Bytes of parameters, gradients, optimiser state and workspace.
  uint64_t paramBytes() const;
  uint64_t gradBytes() const;
  uint64_t optStateBytes() const;
  static uint64_t workspaceBytes(const dlrt_model_desc &desc, int64_t batch);

private:
  const dlrt_model_desc *model;
  int32_t slots;
  std::vector<AlignedFloats> params, grads, optStates;
  std::vector<float *> paramPtrs, gradPtrs, optPtrs;
  AlignedFloats workspace;
};

} // namespace dlrt

#endif // DLRT_MODEL_H
