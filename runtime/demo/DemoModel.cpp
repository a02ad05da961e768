//===- DemoModel.cpp - A hand-written model on the dlrt ABI ---------------===//
//
// A two-layer perceptron for 28x28 images (784 -> 128 -> ReLU -> 10) with
// softmax cross-entropy and SGD with (Nesterov) momentum and L2 weight decay,
// written by hand in plain loops against dlrt.h exactly as dlc's generated
// code will be: a static descriptor, a train_step that fuses forward, loss,
// backward and the optimiser update, an eval_step, a grad_step for
// gradcheck, and a `main` that calls dlrt_main. It also keeps one buffer
// (`stats.seen`, the number of samples trained on) to exercise non-trainable
// state. It proves libdlrt without the compiler.
//
//===----------------------------------------------------------------------===//

#include "dlrt/dlrt.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace {

constexpr int64_t In = 784, Hidden = 128, Classes = 10;

/// Indices into dlrt_step_args::params, in descriptor order.
enum ParamIndex { Fc1W, Fc1B, Fc2W, Fc2B, StatsSeen, NumParams };

/// Forward pass of n samples; fills h [n, Hidden] and z [n, Classes], writes
/// the logits, and returns the mean cross-entropy. If `dz` is non-null it
/// also receives d(mean loss)/dz.
double forward(const dlrt_step_args *a, float *h, float *z, float *dz) {
  const float *w1 = a->params[Fc1W], *b1 = a->params[Fc1B];
  const float *w2 = a->params[Fc2W], *b2 = a->params[Fc2B];
  int64_t n = a->n;
  for (int64_t i = 0; i < n; ++i) {
    float *hi = h + i * Hidden;
    std::memcpy(hi, b1, sizeof(float) * Hidden);
    const float *xi = a->x + i * In;
    for (int64_t k = 0; k < In; ++k) {
      float xk = xi[k];
      if (xk == 0.0f)
        continue;
      const float *row = w1 + k * Hidden;
      for (int64_t j = 0; j < Hidden; ++j)
        hi[j] += xk * row[j];
    }
    for (int64_t j = 0; j < Hidden; ++j)
      hi[j] = std::max(hi[j], 0.0f);
    float *zi = z + i * Classes;
    std::memcpy(zi, b2, sizeof(float) * Classes);
    for (int64_t j = 0; j < Hidden; ++j) {
      float hj = hi[j];
      const float *row = w2 + j * Classes;
      for (int64_t c = 0; c < Classes; ++c)
        zi[c] += hj * row[c];
    }
  }
  std::memcpy(a->logits, z, sizeof(float) * n * Classes);
  double loss = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float *zi = z + i * Classes;
    float peak = *std::max_element(zi, zi + Classes);
    double sum = 0;
    for (int64_t c = 0; c < Classes; ++c)
      sum += std::exp(double(zi[c] - peak));
    int64_t label = a->y[i];
    loss += std::log(sum) - double(zi[label] - peak);
    if (dz)
      for (int64_t c = 0; c < Classes; ++c)
        dz[i * Classes + c] = static_cast<float>(
            (std::exp(double(zi[c] - peak)) / sum - (c == label ? 1.0 : 0.0)) /
            double(n));
  }
  return loss / double(n);
}

/// Workspace layout: h, z, dz, dh, each per sample.
struct Workspace {
  float *h, *z, *dz, *dh;
  explicit Workspace(const dlrt_step_args *a) {
    float *base = static_cast<float *>(a->workspace);
    h = base;
    z = h + a->batch * Hidden;
    dz = z + a->batch * Classes;
    dh = dz + a->batch * Classes;
  }
};

/// Forward, loss and backward: fills a->grads.
void backward(dlrt_step_args *a, Workspace &ws) {
  int64_t n = a->n;
  a->loss = forward(a, ws.h, ws.z, ws.dz);
  float *gw1 = a->grads[Fc1W], *gb1 = a->grads[Fc1B];
  float *gw2 = a->grads[Fc2W], *gb2 = a->grads[Fc2B];
  const float *w2 = a->params[Fc2W];
  std::fill(gw1, gw1 + In * Hidden, 0.0f);
  std::fill(gb1, gb1 + Hidden, 0.0f);
  std::fill(gw2, gw2 + Hidden * Classes, 0.0f);
  std::fill(gb2, gb2 + Classes, 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    const float *dzi = ws.dz + i * Classes, *hi = ws.h + i * Hidden;
    float *dhi = ws.dh + i * Hidden;
    for (int64_t c = 0; c < Classes; ++c)
      gb2[c] += dzi[c];
    for (int64_t j = 0; j < Hidden; ++j) {
      float *row = gw2 + j * Classes;
      const float *wrow = w2 + j * Classes;
      float dh = 0;
      for (int64_t c = 0; c < Classes; ++c) {
        row[c] += hi[j] * dzi[c];
        dh += dzi[c] * wrow[c];
      }
      dhi[j] = hi[j] > 0.0f ? dh : 0.0f;
      gb1[j] += dhi[j];
    }
    const float *xi = a->x + i * In;
    for (int64_t k = 0; k < In; ++k) {
      float xk = xi[k];
      if (xk == 0.0f)
        continue;
      float *row = gw1 + k * Hidden;
      for (int64_t j = 0; j < Hidden; ++j)
        row[j] += xk * dhi[j];
    }
  }
}

/// SGD with momentum (PyTorch's formulation), L2 weight decay, Nesterov.
/// The optimiser of the descriptor: a step's hyperparameters are its own
/// constants, as in generated trainers (only lr comes with the step).
const dlrt_optimizer_desc &optimizer();

void sgdUpdate(dlrt_step_args *a, int p, int64_t size) {
  const dlrt_optimizer_desc *o = &optimizer();
  float *w = a->params[p], *g = a->grads[p];
  float lr = a->lr, mu = static_cast<float>(o->momentum);
  float wd = static_cast<float>(o->weight_decay);
  float *v = o->num_slots > 0 ? a->opt_state[0 * NumParams + p] : nullptr;
  for (int64_t i = 0; i < size; ++i) {
    float grad = g[i] + wd * w[i];
    if (v) {
      v[i] = mu * v[i] + grad;
      grad = o->nesterov ? grad + mu * v[i] : v[i];
    }
    w[i] -= lr * grad;
  }
}

int32_t trainStep(dlrt_step_args *a) {
  Workspace ws(a);
  backward(a, ws);
  sgdUpdate(a, Fc1W, In * Hidden);
  sgdUpdate(a, Fc1B, Hidden);
  sgdUpdate(a, Fc2W, Hidden * Classes);
  sgdUpdate(a, Fc2B, Classes);
  a->params[StatsSeen][0] += static_cast<float>(a->n);
  return 0;
}

int32_t gradStep(dlrt_step_args *a) {
  Workspace ws(a);
  backward(a, ws);
  return 0;
}

int32_t evalStep(dlrt_step_args *a) {
  Workspace ws(a);
  a->loss = forward(a, ws.h, ws.z, nullptr);
  return 0;
}

const dlrt_param_desc Params[NumParams] = {
    {"fc1.w",
     DLRT_DTYPE_F32,
     2,
     {In, Hidden},
     DLRT_INIT_GLOROT_UNIFORM,
     1,
     {0, 0},
     In,
     Hidden,
     0},
    {"fc1.b", DLRT_DTYPE_F32, 1, {Hidden}, DLRT_INIT_ZEROS, 1, {0, 0}, 0, 0, 0},
    {"fc2.w",
     DLRT_DTYPE_F32,
     2,
     {Hidden, Classes},
     DLRT_INIT_GLOROT_UNIFORM,
     1,
     {0, 0},
     Hidden,
     Classes,
     0},
    {"fc2.b", DLRT_DTYPE_F32, 1, {Classes}, DLRT_INIT_ZEROS, 1, {0, 0}, 0, 0, 0},
    {"stats.seen", DLRT_DTYPE_F32, 0, {}, DLRT_INIT_ZEROS, 0, {0, 0}, 0, 0, 0},
};

constexpr int64_t Fc1Flops = 2 * In * Hidden + Hidden;
constexpr int64_t Fc2Flops = 2 * Hidden * Classes + Classes;

const dlrt_layer_desc Layers[] = {
    {"flatten", "flatten", "[B, 784]", 0},
    {"fc1", "linear", "[B, 128]", Fc1Flops},
    {"relu", "relu", "[B, 128]", Hidden},
    {"fc2", "linear", "[B, 10]", Fc2Flops},
};

dlrt_model_desc makeDescriptor() {
  dlrt_model_desc d{};
  d.abi_version = DLRT_ABI_VERSION;
  d.name = "DemoMLP";
  d.num_params = NumParams;
  d.params = Params;
  d.num_layers = 4;
  d.layers = Layers;
  d.input_rank = 3;
  d.input_shape[0] = 1;
  d.input_shape[1] = 28;
  d.input_shape[2] = 28;
  d.label_kind = DLRT_LABEL_CLASS;
  d.num_classes = Classes;
  d.num_outputs = Classes;
  dlrt_train_desc &t = d.train;
  t.epochs = 2;
  t.batch = 64;
  t.seed = 42;
  t.validation = 0.1;
  t.data_kind = DLRT_DATA_IDX_DIR;
  t.data_path = "/usr/share/datasets/fashion-mnist";
  t.loss_name = "cross_entropy";
  t.optimizer.kind = DLRT_OPT_SGD;
  t.optimizer.lr = 0.05;
  t.optimizer.momentum = 0.9;
  t.optimizer.weight_decay = 5e-4;
  t.optimizer.num_slots = 1;
  t.optimizer.slot_names[0] = "m";
  t.schedule.kind = DLRT_SCHED_COSINE;
  t.schedule.min_lr = 0.005;
  t.early_stop.patience = 3;
  t.early_stop.metric = DLRT_WATCH_LOSS;
  t.early_stop.validation = 1;
  t.metrics = DLRT_METRIC_ACCURACY | DLRT_METRIC_F1;
  d.flops_forward_per_sample = Fc1Flops + Hidden + Fc2Flops;
  // Backward of a linear layer costs twice its forward; the update 3 FLOPs
  // per parameter is amortised over the batch and left out.
  d.flops_train_per_sample = 3 * d.flops_forward_per_sample;
  d.workspace_bytes_per_sample = sizeof(float) * (2 * Hidden + 2 * Classes);
  d.train_step = trainStep;
  d.eval_step = evalStep;
  d.grad_step = gradStep;
  return d;
}

const dlrt_model_desc Model = makeDescriptor();

const dlrt_optimizer_desc &optimizer() { return Model.train.optimizer; }

} // namespace

int main(int argc, char **argv) { return dlrt_main(argc, argv, &Model); }
