//===- dlc-stepcheck.cpp - Check train steps against the update formulas --===//
//
// Reads a module after nn-build-train-step, fills the arguments of
// `@M_train_step` with seeded random values and runs a few steps with the
// reference evaluator. Each step is compared with an independent
// computation: the gradients come from `@M_loss_grad`, and the optimiser
// update (L1 penalty, global-norm clipping, sgd with momentum, dampening and
// Nesterov, adam, adamw, rmsprop, adagrad) is written out here in plain C++
// with PyTorch's formulas. The hyperparameters are those of the `nn.optimizer`
// attribute as the compiled step sees them: every constant the pass bakes in
// is rounded to f32 here too, so that the comparison can be tight (1e-12
// relative). Also checks that `@M_eval_step` returns the output of `@M_eval`,
// and, for a model whose train and eval forms coincide, the loss of
// `@M_loss`. Prints one line per step and PASS or FAIL; exits non-zero on
// failure.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/Eval/Evaluator.h"
#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "dlc/Dialect/NN/Transforms/TrainStep.h"
#include "dlc/Tools/ToolSupport.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <random>

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::tools;
namespace cl = llvm::cl;

static InputOptions inputOptions;
static ArgumentOptions argumentOptions;
static cl::OptionCategory toolCategory("Options of dlc-stepcheck");
static cl::opt<std::string>
    modelName("model",
              cl::desc("Model to check (default: the first with a train "
                       "step)"),
              cl::init(""), cl::cat(toolCategory));
static cl::opt<unsigned> numSteps("steps", cl::desc("Number of steps to run"),
                                  cl::init(3), cl::cat(toolCategory));
static cl::opt<double> learningRate("lr", cl::desc("Learning rate"),
                                    cl::init(0.125), cl::cat(toolCategory));
static cl::opt<double> tolerance("tolerance",
                                 cl::desc("Largest accepted relative error"),
                                 cl::init(1e-12), cl::cat(toolCategory));

/// A hyperparameter as the compiled step holds it: rounded to f32.
static double f32(double x) {
  return static_cast<double>(static_cast<float>(x));
}

/// The 2-norm of `a - b` relative to the larger 2-norm of the two (0 when
/// both are 0).
static double relativeError(const Tensor &a, const Tensor &b) {
  if (a.data.size() != b.data.size())
    return INFINITY;
  return errorNorms(a.data, b.data).second;
}

namespace {
/// The state of training in the reference: parameter and buffer values by
/// name, optimiser state by "<slot>.<param>".
struct State {
  llvm::StringMap<Tensor> params;
  llvm::StringMap<Tensor> slots;
};
} // namespace

/// One step of the reference optimiser on the trainable parameters `names`
/// with gradients `grads` (by name), PyTorch's formulas. `k` is the number of
/// updates done before.
static void referenceUpdate(const OptimizerConfig &c,
                            const std::vector<std::string> &names,
                            llvm::StringMap<Tensor> grads, State &s, double lr,
                            double k) {
  using Kind = OptimizerConfig::Kind;
  if (c.l1 > 0)
    for (const std::string &n : names)
      for (size_t i = 0; i < grads[n].data.size(); ++i) {
        double p = s.params[n].data[i];
        grads[n].data[i] += f32(c.l1) * ((p > 0) - (p < 0));
      }
  if (c.gradClip > 0) {
    double total = 0;
    for (const std::string &n : names)
      for (double g : grads[n].data)
        total += g * g;
    double coef = f32(c.gradClip) / (std::sqrt(total) + f32(1e-6));
    coef = std::min(coef, 1.0);
    for (const std::string &n : names)
      for (double &g : grads[n].data)
        g *= coef;
  }
  double t = k + 1;
  double bc1 = c.beta1 == 0 ? 1 : 1 - std::exp(t * f32(std::log(c.beta1)));
  double bc2 = c.beta2 == 0 ? 1 : 1 - std::exp(t * f32(std::log(c.beta2)));
  for (const std::string &n : names) {
    Tensor &p = s.params[n];
    for (size_t i = 0; i < p.data.size(); ++i) {
      double g = grads[n].data[i];
      if (c.weightDecay > 0 && c.kind != Kind::AdamW)
        g += f32(c.weightDecay) * p.data[i];
      switch (c.kind) {
      case Kind::SGD:
        if (c.momentum > 0) {
          double &buf = s.slots["m." + n].data[i];
          // The first step stores the gradient undamped.
          double scale = k == 0 ? 1 : 1 - f32(c.dampening);
          buf = f32(c.momentum) * buf + scale * g;
          g = c.nesterov ? g + f32(c.momentum) * buf : buf;
        }
        p.data[i] -= lr * g;
        break;
      case Kind::Adam:
      case Kind::AdamW: {
        if (c.kind == Kind::AdamW)
          p.data[i] *= 1 - lr * f32(c.weightDecay);
        double &m = s.slots["m." + n].data[i];
        double &v = s.slots["v." + n].data[i];
        m = f32(c.beta1) * m + f32(1 - c.beta1) * g;
        v = f32(c.beta2) * v + f32(1 - c.beta2) * g * g;
        double denom = std::sqrt(v) / std::sqrt(bc2) + f32(c.eps);
        p.data[i] -= (lr / bc1) * (m / denom);
        break;
      }
      case Kind::RMSprop: {
        double &v = s.slots["v." + n].data[i];
        v = f32(c.alpha) * v + f32(1 - c.alpha) * g * g;
        double d = g / (std::sqrt(v) + f32(c.eps));
        if (c.momentum > 0) {
          double &buf = s.slots["m." + n].data[i];
          buf = f32(c.momentum) * buf + d;
          d = buf;
        }
        p.data[i] -= lr * d;
        break;
      }
      case Kind::Adagrad: {
        double &sum = s.slots["sum." + n].data[i];
        sum += g * g;
        p.data[i] -= lr * g / (std::sqrt(sum) + f32(c.eps));
        break;
      }
      }
    }
  }
}

static StringRef attrString(func::FuncOp f, unsigned i, StringRef name) {
  if (auto s = f.getArgAttrOfType<StringAttr>(i, name))
    return s.getValue();
  return {};
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  parseCommandLine(argc, argv, "nn train step checker\n", &toolCategory);

  InputModule input;
  if (failed(input.parse(inputOptions.file, "dlc-stepcheck")))
    return 1;
  ModuleOp module = input.get();

  std::string model = modelName;
  if (model.empty())
    for (auto f : module.getOps<func::FuncOp>())
      if (f.getName().ends_with("_train_step")) {
        model = f.getName().drop_back(strlen("_train_step")).str();
        break;
      }
  auto lookup = [&](StringRef suffix) {
    return module.lookupSymbol<func::FuncOp>(model + suffix.str());
  };
  func::FuncOp train = lookup("_train_step"), evalStep = lookup("_eval_step"),
               loss = lookup("_loss"), grad = lookup("_loss_grad"),
               eval = lookup("_eval");
  if (model.empty() || !train || !evalStep || !loss || !grad || !eval) {
    llvm::errs() << "dlc-stepcheck: need @M_train_step, @M_eval_step, "
                    "@M_loss, @M_loss_grad and @M_eval\n";
    return 1;
  }
  FailureOr<OptimizerConfig> config = parseOptimizerAttr(
      loss->getAttrOfType<DictionaryAttr>(kOptimizerAttrName),
      [&] { return loss.emitError(); });
  if (failed(config))
    return 1;

  // Seeded random data: inputs, labels, seeds, parameters and buffers (by
  // name, taken from the train step's arguments).
  std::mt19937_64 rng(argumentOptions.seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  int64_t classes = 2;
  if (auto out = dyn_cast<RankedTensorType>(loss.getResultTypes()[1]))
    if (out.getRank() >= 1 && !ShapedType::isDynamic(out.getShape().back()))
      classes = out.getShape().back();
  std::vector<Tensor> inputs, seeds;
  // No labels when the target is the input (autoencoders).
  Tensor labels;
  bool hasLabels = false;
  State state;
  std::vector<std::string> trainable, paramOrder;
  for (unsigned i = 0; i < train.getNumArguments(); ++i) {
    Tensor t =
        zeroTensorOf(train.getArgumentTypes()[i], argumentOptions.dynamicSize);
    StringRef param = attrString(train, i, NNDialect::kParamAttrName);
    StringRef buffer = attrString(train, i, kBufferAttrName);
    if (train.getArgAttr(i, kLabelsAttrName)) {
      for (double &v : t.data)
        v = static_cast<double>(rng() % classes);
      labels = t;
      hasLabels = true;
    } else if (train.getArgAttr(i, kSeedAttrName)) {
      t.data[0] = static_cast<double>(rng() % 100000);
      seeds.push_back(t);
    } else if (!param.empty() || !buffer.empty()) {
      // Buffers positive (running variances), parameters in [-0.5, 0.5].
      for (double &v : t.data)
        v = param.empty() ? 1 + 0.5 * uniform(rng) : 0.5 * uniform(rng);
      std::string name = (param.empty() ? buffer : param).str();
      state.params[name] = t;
      paramOrder.push_back(name);
      if (!param.empty())
        trainable.push_back(name);
    } else if (!train.getArgAttr(i, kOptStateAttrName) &&
               !train.getArgAttr(i, kLRAttrName) &&
               !train.getArgAttr(i, kStepAttrName)) {
      for (double &v : t.data)
        v = uniform(rng);
      inputs.push_back(t);
    }
  }
  for (const std::string &slot : config->slots())
    for (const std::string &n : trainable)
      state.slots[slot + "." + n] = Tensor(state.params[n].shape);

  Evaluator evaluator(module);
  double lr = f32(learningRate);
  double worst = 0;
  auto check = [&](const std::string &what, const Tensor &got,
                   const Tensor &want) {
    double err = relativeError(got, want);
    if (!(err <= tolerance))
      llvm::outs() << "  mismatch in " << what << ": relative error "
                   << llvm::format("%.3e", err) << "\n";
    worst = std::max(worst, std::isnan(err) ? INFINITY : err);
  };

  for (unsigned k = 0; k < numSteps; ++k) {
    // Arguments of @M_loss_grad and of @M_train_step, by their attributes.
    auto argsFor = [&](func::FuncOp f) {
      std::vector<Tensor> args;
      size_t nextInput = 0, nextSeed = 0;
      for (unsigned i = 0; i < f.getNumArguments(); ++i) {
        StringRef param = attrString(f, i, NNDialect::kParamAttrName);
        StringRef buffer = attrString(f, i, kBufferAttrName);
        StringRef slot = attrString(f, i, kOptStateAttrName);
        if (f.getArgAttr(i, kLabelsAttrName))
          args.push_back(labels);
        else if (f.getArgAttr(i, kSeedAttrName))
          args.push_back(seeds[nextSeed++]);
        else if (!param.empty() || !buffer.empty())
          args.push_back(state.params[param.empty() ? buffer : param]);
        else if (!slot.empty())
          args.push_back(state.slots[slot]);
        else if (f.getArgAttr(i, kLRAttrName))
          args.push_back(Tensor({}, lr));
        else if (f.getArgAttr(i, kStepAttrName))
          args.push_back(Tensor({}, static_cast<double>(k)));
        else
          args.push_back(inputs[nextInput++]);
      }
      return args;
    };
    FailureOr<std::vector<Tensor>> g = evaluator.call(grad, argsFor(grad));
    FailureOr<std::vector<Tensor>> s = evaluator.call(train, argsFor(train));
    if (failed(g) || failed(s))
      return 1;

    // The reference: gradients and buffer updates of @M_loss_grad, then the
    // update written out above.
    llvm::StringMap<Tensor> grads;
    State next = state;
    for (unsigned r = 0; r < grad.getNumResults(); ++r) {
      if (auto of = grad.getResultAttrOfType<StringAttr>(
              r, NNDialect::kGradOfAttrName))
        grads[of.getValue()] = (*g)[r];
      if (auto of =
              grad.getResultAttrOfType<StringAttr>(r, kBufferUpdateAttrName))
        next.params[of.getValue()] = (*g)[r];
    }
    referenceUpdate(*config, trainable, grads, next, lr, k);

    worst = 0;
    check("loss", (*s)[0], (*g)[0]);
    check("logits", (*s)[1], (*g)[1]);
    for (unsigned r = 2; r < train.getNumResults(); ++r) {
      for (StringRef attr : {kNewParamAttrName, kNewBufferAttrName})
        if (auto n = train.getResultAttrOfType<StringAttr>(r, attr))
          check(n.getValue().str(), (*s)[r], next.params[n.getValue()]);
      if (auto n =
              train.getResultAttrOfType<StringAttr>(r, kNewOptStateAttrName))
        check("state " + n.getValue().str(), (*s)[r], next.slots[n.getValue()]);
    }
    bool ok = worst <= tolerance;
    llvm::outs() << "step " << k << ": loss "
                 << llvm::format("%.10g", (*s)[0].data[0])
                 << ", largest relative error " << llvm::format("%.3e", worst)
                 << (ok ? " OK" : " FAIL") << "\n";
    if (!ok) {
      llvm::outs() << "FAIL\n";
      return 1;
    }
    state = std::move(next);
  }

  // The eval step: the output of @M_eval and the loss ops of @M_loss.
  std::vector<Tensor> evalArgs = inputs, stepArgs = inputs;
  if (hasLabels)
    stepArgs.push_back(labels);
  for (const std::string &n : paramOrder) {
    evalArgs.push_back(state.params[n]);
    stepArgs.push_back(state.params[n]);
  }
  FailureOr<std::vector<Tensor>> e = evaluator.call(eval, evalArgs);
  FailureOr<std::vector<Tensor>> es = evaluator.call(evalStep, stepArgs);
  if (failed(e) || failed(es))
    return 1;
  worst = 0;
  check("eval logits", (*es)[1], (*e)[0]);
  bool sameForms = seeds.empty() && paramOrder.size() == trainable.size();
  if (sameForms) {
    std::vector<Tensor> lossArgs = inputs;
    if (hasLabels)
      lossArgs.push_back(labels);
    for (const std::string &n : paramOrder)
      lossArgs.push_back(state.params[n]);
    FailureOr<std::vector<Tensor>> l = evaluator.call(loss, lossArgs);
    if (failed(l))
      return 1;
    check("eval loss", (*es)[0], (*l)[0]);
  }
  bool ok = worst <= tolerance;
  llvm::outs() << "eval step: loss " << llvm::format("%.10g", (*es)[0].data[0])
               << (sameForms ? ""
                             : " (train and eval forms differ: logits "
                               "only)")
               << ", largest relative error " << llvm::format("%.3e", worst)
               << (ok ? " OK" : " FAIL") << "\n";
  llvm::outs() << (ok ? "PASS" : "FAIL") << "\n";
  return ok ? 0 : 1;
}
