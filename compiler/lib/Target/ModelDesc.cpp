//===- ModelDesc.cpp - The runtime's view of a model
//-----------------------===//
//
// Translates the typed model and its normalised train block into the static
// data of the runtime descriptor (dlrt_model_desc): the parameter table with
// initialisers and fans, the input shape, the defaults of the train block and
// the FLOPs per sample. Settings that the runtime cannot honour yet are
// reported here, at compile time, rather than silently ignored.
//
//===----------------------------------------------------------------------===//
#include "dlc/Target/Driver.h"

#include "dlrt/dlrt.h"

#include "dlc/Sema/Builtins.h"

#include <cmath>
#include <map>

using namespace dlc;
using namespace dlc::sema;
using namespace dlc::target;

namespace {

double kw(const Const &call, const char *key, double dflt = 0) {
  const Const *c = call.get(key);
  return c && c->isNumber() ? c->asDouble() : dflt;
}

/// Fans as PyTorch computes them, for our layouts: linear weights are
/// [in, out]; convolution weights [out, in/groups, kh, kw].
void fans(const std::vector<int64_t> &s, int64_t &in, int64_t &out) {
  if (s.empty()) {
    in = out = 1;
  } else if (s.size() == 1) {
    in = out = s[0];
  } else if (s.size() == 2) {
    in = s[0];
    out = s[1];
  } else {
    int64_t field = 1;
    for (size_t i = 2; i < s.size(); ++i)
      field *= s[i];
    in = s[1] * field;
    out = s[0] * field;
  }
}

/// The initialiser as the runtime's kind and arguments. Named kinds with a
/// non-default gain become plain uniform/normal with computed bounds.
void initOf(const Const &init, ModelDesc::Param &p) {
  const std::string &n = init.s;
  double fi = double(p.fanIn), fo = double(p.fanOut);
  if (n == "zeros") {
    p.init = DLRT_INIT_ZEROS;
  } else if (n == "ones") {
    p.init = DLRT_INIT_ONES;
  } else if (n == "constant") {
    p.init = DLRT_INIT_CONSTANT;
    p.initArgs[0] = kw(init, "value");
  } else if (n == "normal") {
    p.init = DLRT_INIT_NORMAL;
    p.initArgs[0] = kw(init, "mean");
    p.initArgs[1] = kw(init, "std", 1);
  } else if (n == "uniform") {
    p.init = DLRT_INIT_UNIFORM;
    p.initArgs[0] = kw(init, "low");
    p.initArgs[1] = kw(init, "high");
  } else {
    bool glorot = n == "glorot_uniform" || n == "glorot_normal" ||
                  n == "xavier_uniform" || n == "xavier_normal";
    bool uniform = llvm::StringRef(n).ends_with("uniform");
    double gain = kw(init, "gain", 1);
    double defaultGain = glorot ? 1.0 : std::sqrt(2.0);
    if (std::fabs(gain - defaultGain) < 1e-12) {
      p.init = glorot ? (uniform ? DLRT_INIT_GLOROT_UNIFORM
                                 : DLRT_INIT_GLOROT_NORMAL)
                      : (uniform ? DLRT_INIT_HE_UNIFORM : DLRT_INIT_HE_NORMAL);
      return;
    }
    double stdDev =
        glorot ? gain * std::sqrt(2.0 / (fi + fo)) : gain / std::sqrt(fi);
    if (uniform) {
      double a = stdDev * std::sqrt(3.0);
      p.init = DLRT_INIT_UNIFORM;
      p.initArgs[0] = -a;
      p.initArgs[1] = a;
    } else {
      p.init = DLRT_INIT_NORMAL;
      p.initArgs[0] = 0;
      p.initArgs[1] = stdDev;
    }
  }
}

/// Multiply-adds count twice; elementwise ops once per element.
int64_t flopsOf(const TExpr &e) {
  int64_t total = 0;
  for (auto &o : e.operands)
    if (o)
      total += flopsOf(*o);
  if (e.instance)
    for (const TStmt &s : e.instance->body)
      total += flopsOf(*s.value);
  if (e.kind != TExpr::Kind::Op)
    return total;
  auto perSample = [](const Type &t) {
    int64_t n = 1;
    for (const Dim &d : t.shape)
      if (d.isKnown())
        n *= d.size;
    return n;
  };
  if (e.name == "matmul") {
    const Type &a = e.operands[0]->type;
    int64_t k = a.shape.back().isKnown() ? a.shape.back().size : 1;
    return total + 2 * k * perSample(e.type);
  }
  if (e.name == "convolution") {
    const Type &w = e.operands[1]->type;
    int64_t k = w.shape[1].size * w.shape[2].size * w.shape[3].size;
    return total + 2 * k * perSample(e.type);
  }
  return total + perSample(e.type);
}

/// Collects the layer table: each layer instance and each op outside one,
/// operands first.
void collectLayers(const TExpr &e, std::map<std::string, int> &counts,
                   std::vector<ModelDesc::Layer> &layers) {
  for (auto &o : e.operands)
    if (o)
      collectLayers(*o, counts, layers);
  if (e.kind == TExpr::Kind::Layer) {
    layers.push_back({e.instance->prefix, e.name, e.type.str(), flopsOf(e)});
  } else if (e.kind == TExpr::Kind::Op) {
    int64_t own = flopsOf(e);
    for (auto &o : e.operands)
      if (o)
        own -= flopsOf(*o);
    layers.push_back({e.name + "_" + std::to_string(counts[e.name]++), e.name,
                      e.type.str(), own});
  }
}

} // namespace

bool target::describeModel(const Model &model, const TrainConfig &train,
                           DiagnosticEngine &diags, ModelDesc &d) {
  bool ok = true;
  auto unsupported = [&](const std::string &what) {
    diags.error(train.loc,
                what + " is not supported by the trainer runtime yet");
    ok = false;
  };
  d.name = model.name;
  for (const auto &p : model.params) {
    ModelDesc::Param q;
    q.name = p->name;
    for (const Dim &dim : p->type.shape)
      q.shape.push_back(dim.size);
    q.trainable = p->trainable;
    fans(q.shape, q.fanIn, q.fanOut);
    initOf(p->init, q);
    d.params.push_back(q);
  }
  if (model.inst.inputs.size() != 1) {
    unsupported("a model with " + std::to_string(model.inst.inputs.size()) +
                " inputs");
    return false;
  }
  const Type &in = model.inst.inputs[0].second;
  for (size_t i = 1; i < in.shape.size(); ++i)
    d.inputShape.push_back(in.shape[i].size);
  const Type &out = model.inst.result;
  if (out.rank() != 2 || !out.shape[1].isKnown()) {
    unsupported("a model output other than [B, classes]");
    return false;
  }
  d.numOutputs = out.shape[1].size;
  DataSignature sig = dataSignature(*train.get("data"));
  d.numClasses = sig.classes ? sig.classes : d.numOutputs;

  d.epochs = train.get("epochs")->i;
  d.batch = train.get("batch")->i;
  d.seed = train.get("seed")->i;
  d.validation = train.get("validation")->asDouble();
  const Const &data = *train.get("data");
  if (data.s == "fashion_mnist" || data.s == "mnist")
    d.dataPath = data.get("path")->s;
  else
    unsupported("the data source '" + data.s + "'");
  d.lossName = train.get("loss")->s;

  const Const &opt = *train.get("optimizer");
  d.lr = kw(opt, "lr");
  d.weightDecay = kw(opt, "weight_decay");
  if (opt.s == "sgd" || opt.s == "momentum" || opt.s == "nesterov") {
    d.optKind = DLRT_OPT_SGD;
    d.momentum = kw(opt, "momentum");
    d.nesterov =
        opt.s == "nesterov" || (opt.get("nesterov") && opt.get("nesterov")->b);
    if (d.momentum > 0)
      d.slotNames = {"m"};
  } else if (opt.s == "adam" || opt.s == "adamw") {
    d.optKind = opt.s == "adam" ? DLRT_OPT_ADAM : DLRT_OPT_ADAMW;
    d.beta1 = kw(opt, "beta1");
    d.beta2 = kw(opt, "beta2");
    d.eps = kw(opt, "eps");
    d.slotNames = {"m", "v"};
  } else if (opt.s == "rmsprop") {
    d.optKind = DLRT_OPT_RMSPROP;
    d.beta2 = kw(opt, "alpha");
    d.eps = kw(opt, "eps");
    d.momentum = kw(opt, "momentum");
    d.slotNames = {"v"};
    if (d.momentum > 0)
      d.slotNames.push_back("m");
  } else if (opt.s == "adagrad") {
    d.optKind = DLRT_OPT_ADAGRAD;
    d.eps = kw(opt, "eps");
    d.slotNames = {"sum"};
  }
  d.numSlots = d.slotNames.size();

  const Const &sched = *train.get("schedule");
  if (sched.s == "constant") {
    d.schedKind = DLRT_SCHED_CONSTANT;
  } else if (sched.s == "step") {
    d.schedKind = DLRT_SCHED_STEP;
    d.stepEpochs = sched.get("step_size")->i;
    d.gamma = kw(sched, "gamma");
  } else if (sched.s == "exponential") {
    d.schedKind = DLRT_SCHED_EXPONENTIAL;
    d.gamma = kw(sched, "gamma");
  } else if (sched.s == "cosine") {
    d.schedKind = DLRT_SCHED_COSINE;
    d.minLr = kw(sched, "min_lr");
  } else if (sched.s == "one_cycle") {
    d.schedKind = DLRT_SCHED_ONE_CYCLE;
    d.maxLr = kw(sched, "max_lr");
    d.pctStart = kw(sched, "pct_start");
    d.divFactor = kw(sched, "div_factor");
    d.finalDivFactor = kw(sched, "final_div_factor");
  } else {
    unsupported("the schedule '" + sched.s + "'");
  }

  const Const &es = *train.get("early_stop");
  if (!es.isNone()) {
    d.patience = es.get("epochs")->i;
    d.minDelta = kw(es, "min_delta");
    const std::string &on = es.get("on")->s;
    if (on == "val_loss")
      d.monitor = DLRT_MONITOR_VAL_LOSS;
    else if (on == "val_accuracy")
      d.monitor = DLRT_MONITOR_VAL_ACCURACY;
    else if (on == "loss")
      d.monitor = DLRT_MONITOR_LOSS;
    else if (on == "accuracy")
      d.monitor = DLRT_MONITOR_ACCURACY;
    else
      unsupported("early stopping on '" + on + "'");
  }
  for (const Const &m : train.get("metrics")->list) {
    if (m.s == "accuracy")
      d.metrics |= DLRT_METRIC_ACCURACY;
    else if (m.s == "precision")
      d.metrics |= DLRT_METRIC_PRECISION;
    else if (m.s == "recall")
      d.metrics |= DLRT_METRIC_RECALL;
    else if (m.s == "f1")
      d.metrics |= DLRT_METRIC_F1;
    else if (m.s == "confusion")
      d.metrics |= DLRT_METRIC_CONFUSION;
    else
      unsupported("the metric '" + m.s + "'");
  }
  if (train.get("grad_clip")->asDouble() != 0 ||
      train.get("l1")->asDouble() != 0) {
    // Handled in the train step, not by the runtime; nothing to describe.
  }
  int64_t flops = 0;
  std::map<std::string, int> counts;
  for (const TStmt &s : model.inst.body) {
    flops += flopsOf(*s.value);
    collectLayers(*s.value, counts, d.layers);
  }

  d.flopsForward = flops;
  d.flopsTrain = 3 * flops;
  return ok;
}
