//===- Info.cpp - The info command ----------------------------------------===//
//
// `./train info`: the model's layers and parameters, FLOPs per sample, the
// memory of every buffer the runtime allocates, and the training recipe.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Dataset.h"
#include "dlrt/Model.h"
#include "dlrt/Schedule.h"
#include "dlrt/Metrics.h"
#include "dlrt/Trainer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace dlrt {

namespace {

std::string formatBytes(uint64_t bytes) {
  if (bytes >= (1u << 20))
    return fmt::format("{:.2f} MiB", bytes / double(1 << 20));
  if (bytes >= (1u << 10))
    return fmt::format("{:.2f} KiB", bytes / double(1 << 10));
  return fmt::format("{} B", bytes);
}

} // namespace

int runInfo(const dlrt_model_desc &desc, const RunConfig &config) {
  ModelState state(desc, desc.train.optimizer.num_slots);
  std::vector<int64_t> input(desc.input_shape,
                             desc.input_shape + desc.input_rank);
  fmt::print("model {} (dlrt ABI {})\n", desc.name ? desc.name : "?",
             desc.abi_version);
  if (hasIntegerInput(desc))
    fmt::print("input  {} token ids (int64) per sample, targets: {}{}\n",
               formatShape(input), TargetKind::of(desc).describe(),
               labelsPerSample(desc) > 1
                   ? fmt::format(", one per position ({} per sample)",
                                 labelsPerSample(desc))
                   : std::string());
  else
    fmt::print("input  {} per sample ({} values), targets: {}\n",
               formatShape(input), inputSize(desc),
               TargetKind::of(desc).describe());
  // Columns as wide as their longest entry (names like
  // "block1.batch_norm_0.running_mean" are long).
  auto width = [](size_t w, const char *s) {
    return std::max(w, std::string(s ? s : "").size());
  };
  if (desc.num_layers > 0 && desc.layers) {
    size_t wn = 4, wo = 2, ws = 6;
    for (int32_t i = 0; i < desc.num_layers; ++i) {
      wn = width(wn, desc.layers[i].name);
      wo = width(wo, desc.layers[i].op);
      ws = width(ws, desc.layers[i].output_shape);
    }
    fmt::print("\nlayers:\n  {:<{}} {:<{}} {:<{}} {:>14}\n", "name", wn, "op", wo,
               "output", ws, "FLOPs/sample");
    for (int32_t i = 0; i < desc.num_layers; ++i) {
      const dlrt_layer_desc &l = desc.layers[i];
      fmt::print("  {:<{}} {:<{}} {:<{}} {:>14}\n", l.name ? l.name : "", wn,
                 l.op ? l.op : "", wo, l.output_shape ? l.output_shape : "", ws,
                 l.flops_per_sample);
    }
  }
  size_t wp = 4, wshape = 5;
  for (int32_t p = 0; p < desc.num_params; ++p) {
    wp = width(wp, desc.params[p].name);
    wshape = std::max(wshape, formatShape(paramShape(desc.params[p])).size());
  }
  fmt::print("\nparameters:\n  {:<{}} {:<{}} {:>10}  {:<16} {}\n", "name", wp,
             "shape", wshape, "count", "init", "kind");
  int64_t trainable = 0, frozen = 0, buffers = 0;
  for (int32_t p = 0; p < desc.num_params; ++p) {
    const dlrt_param_desc &d = desc.params[p];
    int64_t count = paramSize(d);
    (d.trainable ? trainable : d.frozen ? frozen : buffers) += count;
    fmt::print("  {:<{}} {:<{}} {:>10}  {:<16} {}\n", d.name, wp,
               formatShape(paramShape(d)), wshape, count, initName(d.init),
               d.trainable ? "trainable" : d.frozen ? "frozen" : "buffer");
  }
  // Frozen parameters are counted apart only when there are any, so that
  // the line of a model without `freeze` stays as it was.
  if (frozen > 0)
    fmt::print("  total: {} trainable parameters, {} frozen parameters, {} "
               "buffer values\n",
               trainable, frozen, buffers);
  else
    fmt::print("  total: {} trainable parameters, {} buffer values\n",
               trainable, buffers);
  fmt::print("\nFLOPs per sample: forward {}, training step {}\n",
             desc.flops_forward_per_sample, desc.flops_train_per_sample);
  uint64_t batchBytes = uint64_t(config.batch) *
                        (inputSize(desc) * sizeof(float) + sizeof(int64_t) +
                         desc.num_outputs * sizeof(float));
  uint64_t workspace = ModelState::workspaceBytes(desc, config.batch);
  uint64_t total = state.paramBytes() + state.gradBytes() +
                   state.optStateBytes() + workspace + batchBytes;
  fmt::print("memory (batch {}):\n", config.batch);
  fmt::print("  parameters       {:>12} ({} bytes)\n",
             formatBytes(state.paramBytes()), state.paramBytes());
  fmt::print("  gradients        {:>12} ({} bytes)\n",
             formatBytes(state.gradBytes()), state.gradBytes());
  fmt::print("  optimizer state  {:>12} ({} bytes, {} slot(s) per "
             "parameter)\n",
             formatBytes(state.optStateBytes()), state.optStateBytes(),
             state.numSlots());
  fmt::print("  workspace        {:>12} ({} bytes)\n", formatBytes(workspace),
             workspace);
  fmt::print("  batch buffers    {:>12} ({} bytes)\n", formatBytes(batchBytes),
             batchBytes);
  fmt::print("  total            {:>12} ({} bytes)\n", formatBytes(total),
             total);
  const dlrt_optimizer_desc &o = config.optimizer;
  fmt::print("\ntraining: epochs {}, batch {}, seed {}, validation {}, "
             "loss {}\n",
             config.epochs, config.batch, config.seed, config.validation,
             desc.train.loss_name ? desc.train.loss_name : "?");
  if (desc.num_step_losses > 0 && desc.step_summary)
    fmt::print("explicit step (lr {} is a factor on each update's lr):\n{}",
               o.lr, desc.step_summary);
  else
    fmt::print("optimizer: {}(lr={}, momentum={}, nesterov={}, "
               "weight_decay={}, beta1={}, beta2={}, eps={})\n",
               optimizerName(o.kind), o.lr, o.momentum, o.nesterov != 0,
               o.weight_decay, o.beta1, o.beta2, o.eps);
  fmt::print("schedule: {}\n",
             LrSchedule(config.schedule, o.lr, 1, config.epochs).describe());
  if (config.earlyStop.patience > 0)
    fmt::print("early stopping: patience {} on {}\n", config.earlyStop.patience,
               monitorName(config.earlyStop));
  fmt::print("data: {}\n", config.data.describe());
  const dlrt_train_desc &t = desc.train;
  if (t.normalize != DLRT_NORMALIZE_NONE)
    fmt::print("normalize: {}, per feature, statistics of the training "
               "split\n",
               vocab::nameOf(vocab::normalizeKinds, t.normalize));
  if (t.augment) {
    std::vector<std::string> names;
    for (const vocab::Entry &e : vocab::augmentKinds) {
      uint32_t flag = 1u << e.value;
      if (!(t.augment & flag))
        continue;
      names.push_back(flag == DLRT_AUGMENT_RANDOM_CROP
                          ? fmt::format("random_crop(padding={})",
                                        t.crop_padding)
                      : flag == DLRT_AUGMENT_SHIFT
                          ? fmt::format("shift(pixels={})", t.shift_pixels)
                      : flag == DLRT_AUGMENT_NOISE
                          ? fmt::format("noise(std={})", t.noise_std)
                          : std::string(e.name));
    }
    fmt::print("augment: {} (training batches only)\n", fmt::join(names, ", "));
  }
  if (t.balance != DLRT_BALANCE_NONE)
    fmt::print("balance: {}, class counts of the training split\n",
               vocab::nameOf(vocab::balanceKinds, t.balance));
  if (t.folds > 1)
    fmt::print("folds: {}-fold cross-validation\n", t.folds);
  return 0;
}

} // namespace dlrt
