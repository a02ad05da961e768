//===- BuildTrainStep.cpp - Train and eval step functions -----------------===//
//
// Defines the nn-build-train-step pass. For each model it clones the forward,
// loss and backward ops of `@M_loss_grad` into `@M_train_step` and appends the
// optimiser update written in elementwise nn ops (L1 penalty, global-norm
// clipping, then sgd / adam / adamw / rmsprop / adagrad with PyTorch's
// semantics), and clones `@M_eval` plus the loss ops of `@M_loss` into
// `@M_eval_step`. The argument and result conventions are documented in
// Passes.td and TrainStep.h.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/IR/NNOps.h"
#include "dlc/Dialect/NN/Transforms/Autodiff.h"
#include "dlc/Dialect/NN/Transforms/Passes.h"
#include "dlc/Dialect/NN/Transforms/TrainStep.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <map>

namespace dlc::nn {
#define GEN_PASS_DEF_NNBUILDTRAINSTEP
#include "dlc/Dialect/NN/Transforms/Passes.h.inc"
} // namespace dlc::nn

using namespace mlir;
using namespace dlc::nn;

//===----------------------------------------------------------------------===//
// The nn.optimizer attribute
//===----------------------------------------------------------------------===//

std::vector<std::string> OptimizerConfig::slots() const {
  switch (kind) {
  case Kind::SGD:
    return momentum > 0 ? std::vector<std::string>{"m"}
                        : std::vector<std::string>{};
  case Kind::Adam:
  case Kind::AdamW:
    return {"m", "v"};
  case Kind::RMSprop:
    return momentum > 0 ? std::vector<std::string>{"v", "m"}
                        : std::vector<std::string>{"v"};
  case Kind::Adagrad:
    return {"sum"};
  }
  return {};
}

FailureOr<OptimizerConfig> dlc::nn::parseOptimizerAttr(
    DictionaryAttr dict, llvm::function_ref<InFlightDiagnostic()> emitError) {
  OptimizerConfig c;
  if (!dict)
    return c;
  auto kindAttr = dict.getAs<StringAttr>("kind");
  if (!kindAttr) {
    emitError() << "nn.optimizer: expected a string 'kind'";
    return failure();
  }
  StringRef kind = kindAttr.getValue();
  // The keys each kind accepts besides kind, lr, grad_clip and l1.
  SmallVector<StringRef> keys;
  if (kind == "sgd") {
    keys = {"momentum", "dampening", "nesterov", "weight_decay"};
  } else if (kind == "momentum" || kind == "nesterov") {
    c.momentum = 0.9;
    c.nesterov = kind == "nesterov";
    keys = {"momentum", "weight_decay"};
  } else if (kind == "adam" || kind == "adamw") {
    c.kind = kind == "adam" ? OptimizerConfig::Kind::Adam
                            : OptimizerConfig::Kind::AdamW;
    c.lr = 1e-3;
    c.weightDecay = kind == "adam" ? 0.0 : 0.01;
    keys = {"beta1", "beta2", "eps", "weight_decay"};
  } else if (kind == "rmsprop") {
    c.kind = OptimizerConfig::Kind::RMSprop;
    keys = {"alpha", "eps", "momentum", "weight_decay"};
  } else if (kind == "adagrad") {
    c.kind = OptimizerConfig::Kind::Adagrad;
    c.eps = 1e-10;
    keys = {"eps", "weight_decay"};
  } else {
    emitError() << "nn.optimizer: unknown kind '" << kind
                << "' (expected sgd, momentum, nesterov, adam, adamw, "
                   "rmsprop or adagrad)";
    return failure();
  }
  keys.append({"lr", "grad_clip", "l1"});

  for (NamedAttribute entry : dict) {
    StringRef key = entry.getName().getValue();
    if (key == "kind")
      continue;
    if (!llvm::is_contained(keys, key)) {
      emitError() << "nn.optimizer: unknown key '" << key << "' for kind '"
                  << kind << "'";
      return failure();
    }
    if (key == "nesterov") {
      auto value = dyn_cast<BoolAttr>(entry.getValue());
      if (!value) {
        emitError() << "nn.optimizer: 'nesterov' must be a bool";
        return failure();
      }
      c.nesterov = value.getValue();
      continue;
    }
    double value;
    if (auto f = dyn_cast<FloatAttr>(entry.getValue())) {
      value = f.getValueAsDouble();
    } else if (auto i = dyn_cast<IntegerAttr>(entry.getValue())) {
      value = static_cast<double>(i.getInt());
    } else {
      emitError() << "nn.optimizer: '" << key << "' must be a number";
      return failure();
    }
    if (!(value >= 0) || std::isinf(value)) {
      emitError() << "nn.optimizer: '" << key
                  << "' must be a finite non-negative number";
      return failure();
    }
    double *field = llvm::StringSwitch<double *>(key)
                        .Case("lr", &c.lr)
                        .Case("momentum", &c.momentum)
                        .Case("dampening", &c.dampening)
                        .Case("weight_decay", &c.weightDecay)
                        .Case("beta1", &c.beta1)
                        .Case("beta2", &c.beta2)
                        .Case("alpha", &c.alpha)
                        .Case("eps", &c.eps)
                        .Case("grad_clip", &c.gradClip)
                        .Case("l1", &c.l1)
                        .Default(nullptr);
    if (field)
      *field = value;
  }
  if (c.nesterov && (c.momentum <= 0 || c.dampening != 0)) {
    emitError() << "nn.optimizer: Nesterov momentum requires a momentum > 0 "
                   "and zero dampening";
    return failure();
  }
  for (double beta : {c.beta1, c.beta2, c.alpha})
    if (beta >= 1) {
      emitError() << "nn.optimizer: beta1, beta2 and alpha must be below 1";
      return failure();
    }
  return c;
}

//===----------------------------------------------------------------------===//
// Building the update
//===----------------------------------------------------------------------===//

namespace {

/// Emits the arithmetic of the update as nn ops. Every operand pair is either
/// of one type or a tensor and a 0-d scalar, so the result has the type of
/// the operand of higher rank.
class UpdateBuilder {
public:
  UpdateBuilder(OpBuilder &b, Location loc, Type elementType)
      : b(b), loc(loc), scalarType(RankedTensorType::get({}, elementType)) {}

  /// A 0-d constant: `v` rounded once to the element type. Each value is
  /// emitted once; the update is one block, so the first use dominates.
  Value constant(double v) {
    Value &cached = constants[v];
    if (!cached) {
      auto attr = DenseElementsAttr::get(
          scalarType, b.getFloatAttr(scalarType.getElementType(), v));
      cached = b.create<ConstantOp>(loc, scalarType, cast<ElementsAttr>(attr));
    }
    return cached;
  }

  Value add(Value x, Value y) { return binary<AddOp>(x, y); }
  Value sub(Value x, Value y) { return binary<SubOp>(x, y); }
  Value mul(Value x, Value y) { return binary<MulOp>(x, y); }
  Value div(Value x, Value y) { return binary<DivOp>(x, y); }
  Value mul(Value x, double c) { return mul(x, constant(c)); }
  Value add(Value x, double c) { return add(x, constant(c)); }
  Value sqrt(Value x) { return b.create<SqrtOp>(loc, x.getType(), x); }
  Value exp(Value x) { return b.create<ExpOp>(loc, x.getType(), x); }
  Value relu(Value x) { return b.create<ReluOp>(loc, x.getType(), x); }
  Value sign(Value x) { return b.create<SignOp>(loc, x.getType(), x); }
  /// The sum of all elements, 0-d.
  Value sumAll(Value x) { return b.create<SumOp>(loc, scalarType, x); }

  /// `beta^t` for a 0-d `t`, as `exp(t * ln beta)` (0 for beta = 0 and t > 0).
  Value power(double beta, Value t) {
    if (beta == 0)
      return constant(0.0);
    return exp(mul(t, std::log(beta)));
  }

private:
  template <typename OpT> Value binary(Value x, Value y) {
    auto tx = cast<RankedTensorType>(x.getType());
    auto ty = cast<RankedTensorType>(y.getType());
    Type result = tx.getRank() >= ty.getRank() ? tx : ty;
    return b.create<OpT>(loc, result, x, y);
  }

  OpBuilder &b;
  Location loc;
  RankedTensorType scalarType;
  std::map<double, Value> constants;
};

/// One trainable parameter during the update.
struct Trainable {
  Value param;
  Value grad;
  /// The state of each slot of the optimiser, in slot order.
  SmallVector<Value> state;
  /// Results: the new parameter and the new state.
  Value newParam;
  SmallVector<Value> newState;
};

/// Emits the update of every trainable parameter (see Passes.td for the
/// formulas). `lr` and `step` are 0-d values.
void emitUpdate(UpdateBuilder &u, const OptimizerConfig &c,
                MutableArrayRef<Trainable> params, Value lr, Value step) {
  if (c.l1 > 0)
    for (Trainable &t : params)
      t.grad = u.add(t.grad, u.mul(u.sign(t.param), c.l1));

  if (c.gradClip > 0 && !params.empty()) {
    // PyTorch's clip_grad_norm_: g *= min(1, max_norm / (||g|| + 1e-6)).
    Value squares;
    for (Trainable &t : params) {
      Value s = u.sumAll(u.mul(t.grad, t.grad));
      squares = squares ? u.add(squares, s) : s;
    }
    Value norm = u.add(u.sqrt(squares), 1e-6);
    Value coef = u.div(u.constant(c.gradClip), norm);
    // min(coef, 1) = 1 - relu(1 - coef).
    Value one = u.constant(1.0);
    Value clamped = u.sub(one, u.relu(u.sub(one, coef)));
    for (Trainable &t : params)
      t.grad = u.mul(t.grad, clamped);
  }

  using Kind = OptimizerConfig::Kind;
  // Adam's bias corrections, shared by all parameters.
  Value stepSize, bc2Sqrt;
  if (c.kind == Kind::Adam || c.kind == Kind::AdamW) {
    Value t = u.add(step, 1.0);
    Value one = u.constant(1.0);
    stepSize = u.div(lr, u.sub(one, u.power(c.beta1, t)));
    bc2Sqrt = u.sqrt(u.sub(one, u.power(c.beta2, t)));
  }
  // SGD with dampening: PyTorch's first step stores the gradient undamped,
  // so g is scaled by 1 - d * min(step, 1), with min(step, 1) written as
  // 1 - relu(1 - step) (step is a whole number).
  Value dampedScale;
  if (c.kind == Kind::SGD && c.momentum > 0 && c.dampening != 0) {
    Value one = u.constant(1.0);
    Value notFirst = u.sub(one, u.relu(u.sub(one, step)));
    dampedScale = u.sub(one, u.mul(notFirst, c.dampening));
  }

  for (Trainable &t : params) {
    Value p = t.param, g = t.grad;
    if (c.weightDecay > 0 && c.kind != Kind::AdamW)
      g = u.add(g, u.mul(p, c.weightDecay));
    switch (c.kind) {
    case Kind::SGD: {
      if (c.momentum > 0) {
        Value scaled = dampedScale ? u.mul(g, dampedScale) : g;
        Value buf = u.add(u.mul(t.state[0], c.momentum), scaled);
        t.newState.push_back(buf);
        g = c.nesterov ? u.add(g, u.mul(buf, c.momentum)) : buf;
      }
      t.newParam = u.sub(p, u.mul(g, lr));
      break;
    }
    case Kind::Adam:
    case Kind::AdamW: {
      if (c.kind == Kind::AdamW && c.weightDecay > 0) {
        Value decay = u.mul(lr, c.weightDecay);
        p = u.mul(p, u.sub(u.constant(1.0), decay));
      }
      Value m = u.mul(t.state[0], c.beta1);
      m = u.add(m, u.mul(g, 1.0 - c.beta1));
      Value v = u.mul(t.state[1], c.beta2);
      v = u.add(v, u.mul(u.mul(g, g), 1.0 - c.beta2));
      t.newState = {m, v};
      Value denom = u.add(u.div(u.sqrt(v), bc2Sqrt), c.eps);
      t.newParam = u.sub(p, u.mul(u.div(m, denom), stepSize));
      break;
    }
    case Kind::RMSprop: {
      Value v = u.mul(t.state[0], c.alpha);
      v = u.add(v, u.mul(u.mul(g, g), 1.0 - c.alpha));
      t.newState.push_back(v);
      Value d = u.div(g, u.add(u.sqrt(v), c.eps));
      if (c.momentum > 0) {
        d = u.add(u.mul(t.state[1], c.momentum), d);
        t.newState.push_back(d);
      }
      t.newParam = u.sub(p, u.mul(d, lr));
      break;
    }
    case Kind::Adagrad: {
      Value sum = u.add(t.state[0], u.mul(g, g));
      t.newState.push_back(sum);
      Value d = u.div(g, u.add(u.sqrt(sum), c.eps));
      t.newParam = u.sub(p, u.mul(d, lr));
      break;
    }
    }
  }
}

//===----------------------------------------------------------------------===//
// The step functions
//===----------------------------------------------------------------------===//

/// What an argument of `@M_loss_grad` or `@M_eval` is.
enum class ArgKind { Input, Labels, Param, Buffer, Seed };

ArgKind classify(func::FuncOp func, unsigned i) {
  if (func.getArgAttr(i, kLabelsAttrName))
    return ArgKind::Labels;
  if (func.getArgAttr(i, NNDialect::kParamAttrName))
    return ArgKind::Param;
  if (func.getArgAttr(i, kBufferAttrName))
    return ArgKind::Buffer;
  if (func.getArgAttr(i, kSeedAttrName))
    return ArgKind::Seed;
  return ArgKind::Input;
}

/// The argument indices of `func` of one kind, in order; parameters and
/// buffers together.
SmallVector<unsigned> argsOf(func::FuncOp func, ArrayRef<ArgKind> kinds) {
  SmallVector<unsigned> result;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (llvm::is_contained(kinds, classify(func, i)))
      result.push_back(i);
  return result;
}

/// The name in `nn.param` or `nn.buffer` of argument `i`.
/// The results of a gradient function after the loss and the output, by
/// the parameter they belong to: gradients (`nn.grad_of`) and buffer
/// updates.
void indexGradResults(func::FuncOp grad, llvm::StringMap<unsigned> &grads,
                      llvm::StringMap<unsigned> &bufferUpdates) {
  for (unsigned r = 2; r < grad.getNumResults(); ++r) {
    if (auto of =
            grad.getResultAttrOfType<StringAttr>(r, NNDialect::kGradOfAttrName))
      grads[of.getValue()] = r;
    if (auto of =
            grad.getResultAttrOfType<StringAttr>(r, kBufferUpdateAttrName))
      bufferUpdates[of.getValue()] = r;
  }
}

StringAttr paramName(func::FuncOp func, unsigned i) {
  if (auto name =
          func.getArgAttrOfType<StringAttr>(i, NNDialect::kParamAttrName))
    return name;
  return func.getArgAttrOfType<StringAttr>(i, kBufferAttrName);
}

/// Creates function `name` with arguments `argTypes` (attributes `argAttrs`)
/// and no results yet at the insertion point of `b`, and clones the body of
/// `source` but its terminator into it, argument i of `source` standing for
/// argument newIndexOf[i]. Leaves `b` at the end of the new body and
/// `mapping` mapping the values of `source` to their clones.
func::FuncOp createWithBodyOf(OpBuilder &b, Location loc, StringRef name,
                              ArrayRef<Type> argTypes,
                              ArrayRef<DictionaryAttr> argAttrs,
                              func::FuncOp source,
                              ArrayRef<unsigned> newIndexOf,
                              IRMapping &mapping) {
  auto func =
      b.create<func::FuncOp>(loc, name, b.getFunctionType(argTypes, {}));
  func.setAllArgAttrs(argAttrs);
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (unsigned i = 0; i < source.getNumArguments(); ++i)
    mapping.map(source.getArgument(i), entry->getArgument(newIndexOf[i]));
  for (Operation &op : source.front().without_terminator())
    b.clone(op, mapping);
  return func;
}

struct NNBuildTrainStepPass
    : public dlc::nn::impl::NNBuildTrainStepBase<NNBuildTrainStepPass> {
  using NNBuildTrainStepBase::NNBuildTrainStepBase;

  void runOnOperation() override;

private:
  LogicalResult buildTrainStep(StringRef model, func::FuncOp loss,
                               func::FuncOp grad);
  LogicalResult buildSplitSteps(StringRef model, func::FuncOp loss,
                                func::FuncOp grad);
  LogicalResult buildEvalStep(StringRef model, func::FuncOp loss,
                              func::FuncOp eval);
  LogicalResult buildSaliencyStep(StringRef model, func::FuncOp loss,
                                  func::FuncOp eval);
  LogicalResult buildExplicitTrainStep(StringRef model,
                                       MutableArrayRef<func::FuncOp> losses,
                                       MutableArrayRef<func::FuncOp> grads);
};

} // namespace

LogicalResult NNBuildTrainStepPass::buildTrainStep(StringRef model,
                                                   func::FuncOp loss,
                                                   func::FuncOp grad) {
  ModuleOp module = getOperation();
  MLIRContext *ctx = &getContext();
  Location loc = loss.getLoc();
  std::string name = (model + "_train_step").str();
  if (module.lookupSymbol(name))
    return loss.emitError("nn-build-train-step: '@")
           << name << "' already exists";
  FailureOr<OptimizerConfig> config = parseOptimizerAttr(
      loss->getAttrOfType<DictionaryAttr>(kOptimizerAttrName),
      [&] { return loss.emitError(); });
  if (failed(config))
    return failure();
  if (!grad.getBody().hasOneBlock())
    return grad.emitError("nn-build-train-step: expected a single block");

  // The results of the gradient function: loss, output, buffer updates and
  // gradients, found by their attributes.
  unsigned numResults = grad.getNumResults();
  auto lossType = numResults
                      ? dyn_cast<RankedTensorType>(grad.getResultTypes()[0])
                      : RankedTensorType();
  if (numResults < 2 || !lossType || lossType.getRank() != 0 ||
      grad.getResultAttr(1, NNDialect::kGradOfAttrName))
    return grad.emitError("nn-build-train-step: expected the 0-d loss and "
                          "the model output as the first two results");
  llvm::StringMap<unsigned> gradResult, bufferUpdateResult;
  indexGradResults(grad, gradResult, bufferUpdateResult);

  // Arguments: inputs, labels, params and buffers, state, seeds, lr, step.
  SmallVector<unsigned> inputs = argsOf(grad, {ArgKind::Input});
  SmallVector<unsigned> labels = argsOf(grad, {ArgKind::Labels});
  SmallVector<unsigned> params =
      argsOf(grad, {ArgKind::Param, ArgKind::Buffer});
  SmallVector<unsigned> seeds = argsOf(grad, {ArgKind::Seed});
  SmallVector<unsigned> trainable = argsOf(grad, {ArgKind::Param});
  // No labels: the loss compares the output with the input.
  if (labels.size() > 1)
    return grad.emitError("nn-build-train-step: expected at most one "
                          "argument with nn.labels");
  for (unsigned i : trainable)
    if (!gradResult.count(paramName(grad, i).getValue()))
      return grad.emitError("nn-build-train-step: no gradient of parameter '")
             << paramName(grad, i).getValue() << "'";

  std::vector<std::string> slots = config->slots();
  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  SmallVector<unsigned> newIndexOf(grad.getNumArguments());
  auto addGradArgs = [&](ArrayRef<unsigned> indices) {
    for (unsigned i : indices) {
      newIndexOf[i] = argTypes.size();
      argTypes.push_back(grad.getArgumentTypes()[i]);
      argAttrs.push_back(grad.getArgAttrDict(i));
    }
  };
  auto namedAttr = [&](StringRef attrName, Attribute value) {
    return DictionaryAttr::get(
        ctx, {NamedAttribute(StringAttr::get(ctx, attrName), value)});
  };
  addGradArgs(inputs);
  addGradArgs(labels);
  addGradArgs(params);
  unsigned firstState = argTypes.size();
  for (const std::string &slot : slots)
    for (unsigned i : trainable) {
      argTypes.push_back(grad.getArgumentTypes()[i]);
      argAttrs.push_back(namedAttr(
          kOptStateAttrName,
          StringAttr::get(ctx, slot + "." + paramName(grad, i).getValue())));
    }
  addGradArgs(seeds);
  auto scalarType = RankedTensorType::get({}, Float32Type::get(ctx));
  unsigned lrIndex = argTypes.size();
  argTypes.push_back(scalarType);
  argAttrs.push_back(namedAttr(kLRAttrName, UnitAttr::get(ctx)));
  argTypes.push_back(scalarType);
  argAttrs.push_back(namedAttr(kStepAttrName, UnitAttr::get(ctx)));

  // Forward, loss and backward.
  OpBuilder b(ctx);
  b.setInsertionPointAfter(grad);
  IRMapping mapping;
  func::FuncOp stepFunc = createWithBodyOf(b, loc, name, argTypes, argAttrs,
                                           grad, newIndexOf, mapping);
  Block *entry = &stepFunc.front();
  SmallVector<Value> gradValues;
  for (Value v : grad.front().getTerminator()->getOperands())
    gradValues.push_back(mapping.lookupOrDefault(v));

  // The update.
  SmallVector<Trainable> updates;
  for (auto [k, i] : llvm::enumerate(trainable)) {
    Trainable t;
    t.param = entry->getArgument(newIndexOf[i]);
    auto type = cast<RankedTensorType>(t.param.getType());
    if (!type.getElementType().isF32() || !type.hasStaticShape())
      return grad.emitError("nn-build-train-step: parameter '")
             << paramName(grad, i).getValue()
             << "' must be a statically shaped f32 tensor";
    t.grad = gradValues[gradResult[paramName(grad, i).getValue()]];
    for (size_t s = 0; s < slots.size(); ++s)
      t.state.push_back(
          entry->getArgument(firstState + s * trainable.size() + k));
    updates.push_back(std::move(t));
  }
  UpdateBuilder u(b, loc, Float32Type::get(ctx));
  emitUpdate(u, *config, updates, entry->getArgument(lrIndex),
             entry->getArgument(lrIndex + 1));

  // Results: loss, output, new params and buffers, new state.
  SmallVector<Value> results = {gradValues[0], gradValues[1]};
  SmallVector<DictionaryAttr> resultAttrs = {
      namedAttr(kLossAttrName, UnitAttr::get(ctx)),
      namedAttr(kLogitsAttrName, UnitAttr::get(ctx))};
  unsigned k = 0;
  for (unsigned i : params) {
    StringAttr pname = paramName(grad, i);
    if (classify(grad, i) == ArgKind::Param) {
      results.push_back(updates[k++].newParam);
      resultAttrs.push_back(namedAttr(kNewParamAttrName, pname));
      continue;
    }
    auto it = bufferUpdateResult.find(pname.getValue());
    results.push_back(it == bufferUpdateResult.end()
                          ? entry->getArgument(newIndexOf[i])
                          : gradValues[it->second]);
    resultAttrs.push_back(namedAttr(kNewBufferAttrName, pname));
  }
  for (size_t s = 0; s < slots.size(); ++s)
    for (auto [j, i] : llvm::enumerate(trainable)) {
      results.push_back(updates[j].newState[s]);
      resultAttrs.push_back(
          namedAttr(kNewOptStateAttrName,
                    StringAttr::get(ctx, slots[s] + "." +
                                             paramName(grad, i).getValue())));
    }
  b.create<func::ReturnOp>(loc, results);
  stepFunc.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  stepFunc.setAllResultAttrs(resultAttrs);
  return success();
}

/// `split-update`: `@M_train_step` cut in two where the gradients are
/// complete. `@M_train_grad_step` takes the arguments of `@M_train_step`
/// without the optimiser state, lr and step (inputs, labels, parameters and
/// buffers, seeds in the same order, so that it draws the same dropout
/// masks) and returns the loss (nn.loss), the output (nn.logits), the
/// gradient of every trainable parameter (nn.grad_of) and every buffer's
/// new value (nn.new_buffer, for the buffers batch norm updates).
/// `@M_update_step` takes the trainable parameters (nn.param), their
/// gradients (nn.grad_in), the optimiser state, lr and step, and returns the
/// new parameters (nn.new_param) and state (nn.new_opt_state): the update
/// of `@M_train_step`, gradients in.
LogicalResult NNBuildTrainStepPass::buildSplitSteps(StringRef model,
                                                    func::FuncOp loss,
                                                    func::FuncOp grad) {
  ModuleOp module = getOperation();
  MLIRContext *ctx = &getContext();
  Location loc = loss.getLoc();
  std::string gradName = (model + "_train_grad_step").str();
  std::string updateName = (model + "_update_step").str();
  for (const std::string &name : {gradName, updateName})
    if (module.lookupSymbol(name))
      return loss.emitError("nn-build-train-step: '@")
             << name << "' already exists";
  FailureOr<OptimizerConfig> config = parseOptimizerAttr(
      loss->getAttrOfType<DictionaryAttr>(kOptimizerAttrName),
      [&] { return loss.emitError(); });
  if (failed(config))
    return failure();
  auto namedAttr = [&](StringRef attrName, Attribute value) {
    return DictionaryAttr::get(
        ctx, {NamedAttribute(StringAttr::get(ctx, attrName), value)});
  };
  llvm::StringMap<unsigned> gradResult, bufferUpdateResult;
  indexGradResults(grad, gradResult, bufferUpdateResult);
  SmallVector<unsigned> trainable = argsOf(grad, {ArgKind::Param});
  SmallVector<unsigned> buffers = argsOf(grad, {ArgKind::Buffer});

  // @M_train_grad_step.
  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  SmallVector<unsigned> newIndexOf(grad.getNumArguments());
  for (unsigned i :
       argsOf(grad, {ArgKind::Input, ArgKind::Labels, ArgKind::Param,
                     ArgKind::Buffer, ArgKind::Seed})) {
    newIndexOf[i] = argTypes.size();
    argTypes.push_back(grad.getArgumentTypes()[i]);
    argAttrs.push_back(grad.getArgAttrDict(i));
  }
  OpBuilder b(ctx);
  Operation *trainStep = module.lookupSymbol((model + "_train_step").str());
  b.setInsertionPointAfter(trainStep ? trainStep : grad.getOperation());
  IRMapping mapping;
  func::FuncOp gradFunc = createWithBodyOf(b, loc, gradName, argTypes,
                                           argAttrs, grad, newIndexOf, mapping);
  Block *entry = &gradFunc.front();
  SmallVector<Value> gradValues;
  for (Value v : grad.front().getTerminator()->getOperands())
    gradValues.push_back(mapping.lookupOrDefault(v));
  SmallVector<Value> results = {gradValues[0], gradValues[1]};
  SmallVector<DictionaryAttr> resultAttrs = {
      namedAttr(kLossAttrName, UnitAttr::get(ctx)),
      namedAttr(kLogitsAttrName, UnitAttr::get(ctx))};
  for (unsigned i : trainable) {
    StringAttr pname = paramName(grad, i);
    results.push_back(gradValues[gradResult.lookup(pname.getValue())]);
    resultAttrs.push_back(namedAttr(NNDialect::kGradOfAttrName, pname));
  }
  for (unsigned i : buffers) {
    StringAttr pname = paramName(grad, i);
    auto it = bufferUpdateResult.find(pname.getValue());
    if (it == bufferUpdateResult.end())
      continue; // unchanged: nothing to write back
    results.push_back(gradValues[it->second]);
    resultAttrs.push_back(namedAttr(kNewBufferAttrName, pname));
  }
  b.create<func::ReturnOp>(loc, results);
  gradFunc.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  gradFunc.setAllResultAttrs(resultAttrs);
  (void)entry;

  // @M_update_step.
  std::vector<std::string> slots = config->slots();
  SmallVector<Type> updTypes;
  SmallVector<DictionaryAttr> updAttrs;
  for (unsigned i : trainable) {
    updTypes.push_back(grad.getArgumentTypes()[i]);
    updAttrs.push_back(grad.getArgAttrDict(i));
  }
  for (unsigned i : trainable) {
    updTypes.push_back(grad.getArgumentTypes()[i]);
    updAttrs.push_back(namedAttr(kGradInAttrName, paramName(grad, i)));
  }
  for (const std::string &slot : slots)
    for (unsigned i : trainable) {
      updTypes.push_back(grad.getArgumentTypes()[i]);
      updAttrs.push_back(namedAttr(
          kOptStateAttrName,
          StringAttr::get(ctx, slot + "." + paramName(grad, i).getValue())));
    }
  auto scalarType = RankedTensorType::get({}, Float32Type::get(ctx));
  unsigned lrIndex = updTypes.size();
  updTypes.push_back(scalarType);
  updAttrs.push_back(namedAttr(kLRAttrName, UnitAttr::get(ctx)));
  updTypes.push_back(scalarType);
  updAttrs.push_back(namedAttr(kStepAttrName, UnitAttr::get(ctx)));
  b.setInsertionPointAfter(gradFunc);
  auto updateFunc = b.create<func::FuncOp>(loc, updateName,
                                           b.getFunctionType(updTypes, {}));
  updateFunc.setAllArgAttrs(updAttrs);
  Block *body = updateFunc.addEntryBlock();
  b.setInsertionPointToStart(body);
  const unsigned numTrainable = trainable.size();
  SmallVector<Trainable> updates;
  for (auto [k, i] : llvm::enumerate(trainable)) {
    Trainable t;
    t.param = body->getArgument(k);
    auto type = cast<RankedTensorType>(t.param.getType());
    if (!type.getElementType().isF32() || !type.hasStaticShape())
      return grad.emitError("nn-build-train-step: parameter '")
             << paramName(grad, i).getValue()
             << "' must be a statically shaped f32 tensor";
    t.grad = body->getArgument(numTrainable + k);
    for (size_t s = 0; s < slots.size(); ++s)
      t.state.push_back(
          body->getArgument(2 * numTrainable + s * numTrainable + k));
    updates.push_back(std::move(t));
  }
  UpdateBuilder u(b, loc, Float32Type::get(ctx));
  emitUpdate(u, *config, updates, body->getArgument(lrIndex),
             body->getArgument(lrIndex + 1));
  SmallVector<Value> updResults;
  SmallVector<DictionaryAttr> updResultAttrs;
  for (auto [k, i] : llvm::enumerate(trainable)) {
    updResults.push_back(updates[k].newParam);
    updResultAttrs.push_back(namedAttr(kNewParamAttrName, paramName(grad, i)));
  }
  for (size_t s = 0; s < slots.size(); ++s)
    for (auto [k, i] : llvm::enumerate(trainable)) {
      updResults.push_back(updates[k].newState[s]);
      updResultAttrs.push_back(
          namedAttr(kNewOptStateAttrName,
                    StringAttr::get(ctx, slots[s] + "." +
                                             paramName(grad, i).getValue())));
    }
  b.create<func::ReturnOp>(loc, updResults);
  updateFunc.setType(
      b.getFunctionType(updTypes, ValueRange(updResults).getTypes()));
  updateFunc.setAllResultAttrs(updResultAttrs);
  return success();
}

LogicalResult NNBuildTrainStepPass::buildEvalStep(StringRef model,
                                                  func::FuncOp loss,
                                                  func::FuncOp eval) {
  ModuleOp module = getOperation();
  MLIRContext *ctx = &getContext();
  std::string name = (model + "_eval_step").str();
  if (module.lookupSymbol(name))
    return loss.emitError("nn-build-train-step: '@")
           << name << "' already exists";
  if (!eval.getBody().hasOneBlock() || !loss.getBody().hasOneBlock())
    return eval.emitError("nn-build-train-step: expected a single block");

  // The loss ops of @M_loss: the backward slice of its loss up to the model
  // output and the labels (or the inputs, when the target is the input).
  Block &lossBody = loss.front();
  Operation *lossReturn = lossBody.getTerminator();
  SmallVector<unsigned> lossLabels = argsOf(loss, {ArgKind::Labels});
  SmallVector<unsigned> lossInputs = argsOf(loss, {ArgKind::Input});
  if (lossReturn->getNumOperands() < 2 || lossLabels.size() > 1)
    return loss.emitError("nn-build-train-step: expected @")
           << loss.getName()
           << " to return the loss and the output and to take at most one "
              "argument of labels";
  Value lossValue = lossReturn->getOperand(0);
  Value output = lossReturn->getOperand(1);
  Value labels =
      lossLabels.empty() ? Value() : loss.getArgument(lossLabels[0]);
  auto isInput = [&](Value v) {
    for (unsigned i : lossInputs)
      if (v == loss.getArgument(i))
        return true;
    return false;
  };
  llvm::SetVector<Operation *> lossOps;
  SmallVector<Value> worklist = {lossValue};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (v == output || (labels && v == labels) || isInput(v))
      continue;
    Operation *def = v.getDefiningOp();
    if (!def)
      return loss.emitError("nn-build-train-step: the loss of @")
             << loss.getName()
             << " depends on more than the model output, the labels and the "
                "inputs";
    if (lossOps.insert(def))
      worklist.append(def->operand_begin(), def->operand_end());
  }
  SmallVector<Operation *> ordered(lossOps.begin(), lossOps.end());
  llvm::sort(ordered,
             [](Operation *x, Operation *y) { return x->isBeforeInBlock(y); });

  // Arguments: inputs, labels, params and buffers, seeds (those of
  // @M_eval; seeds of its random fills).
  SmallVector<unsigned> inputs = argsOf(eval, {ArgKind::Input});
  SmallVector<unsigned> params =
      argsOf(eval, {ArgKind::Param, ArgKind::Buffer});
  SmallVector<unsigned> evalSeeds = argsOf(eval, {ArgKind::Seed});
  if (inputs.size() + params.size() + evalSeeds.size() !=
      eval.getNumArguments())
    return eval.emitError("nn-build-train-step: @")
           << eval.getName() << " takes arguments other than inputs, "
           << "parameters and buffers";
  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  SmallVector<unsigned> newIndexOf(eval.getNumArguments());
  for (unsigned i : inputs) {
    newIndexOf[i] = argTypes.size();
    argTypes.push_back(eval.getArgumentTypes()[i]);
    argAttrs.push_back(eval.getArgAttrDict(i));
  }
  unsigned labelsIndex = argTypes.size();
  if (labels) {
    argTypes.push_back(labels.getType());
    argAttrs.push_back(loss.getArgAttrDict(lossLabels[0]));
  }
  for (unsigned i : params) {
    newIndexOf[i] = argTypes.size();
    argTypes.push_back(eval.getArgumentTypes()[i]);
    argAttrs.push_back(eval.getArgAttrDict(i));
  }
  for (unsigned i : evalSeeds) {
    newIndexOf[i] = argTypes.size();
    argTypes.push_back(eval.getArgumentTypes()[i]);
    argAttrs.push_back(eval.getArgAttrDict(i));
  }

  OpBuilder b(ctx);
  Operation *trainStep = module.lookupSymbol((model + "_train_step").str());
  b.setInsertionPointAfter(trainStep ? trainStep : loss.getOperation());
  IRMapping mapping;
  func::FuncOp stepFunc = createWithBodyOf(b, eval.getLoc(), name, argTypes,
                                           argAttrs, eval, newIndexOf, mapping);
  Block *entry = &stepFunc.front();
  Operation *evalReturn = eval.front().getTerminator();
  if (evalReturn->getNumOperands() < 1 ||
      evalReturn->getOperand(0).getType() != output.getType())
    return eval.emitError("nn-build-train-step: the output of @")
           << eval.getName() << " does not match that of @" << loss.getName();
  Value evalOutput = mapping.lookupOrDefault(evalReturn->getOperand(0));

  IRMapping lossMapping;
  lossMapping.map(output, evalOutput);
  if (labels)
    lossMapping.map(labels, entry->getArgument(labelsIndex));
  if (lossInputs.size() != inputs.size())
    return loss.emitError("nn-build-train-step: @")
           << loss.getName() << " and @" << eval.getName()
           << " take different numbers of inputs";
  for (size_t k = 0; k < inputs.size(); ++k)
    lossMapping.map(loss.getArgument(lossInputs[k]),
                    entry->getArgument(newIndexOf[inputs[k]]));
  for (Operation *op : ordered)
    b.clone(*op, lossMapping);
  Value evalLoss = lossMapping.lookupOrDefault(lossValue);

  b.create<func::ReturnOp>(eval.getLoc(), ValueRange{evalLoss, evalOutput});
  stepFunc.setType(b.getFunctionType(
      argTypes, TypeRange{evalLoss.getType(), evalOutput.getType()}));
  stepFunc.setResultAttr(0, kLossAttrName, UnitAttr::get(ctx));
  stepFunc.setResultAttr(1, kLogitsAttrName, UnitAttr::get(ctx));
  return success();
}

/// `@M_saliency_step` for a classifier (`@M_loss` takes class labels and
/// `@M_eval` returns [B, C] scores): the gradient of each sample's score of
/// the class its label names, sum(one_hot(labels) * scores), with respect
/// to the input, in inference mode. Arguments: the inputs, the labels, the
/// parameters and buffers (all nn.buffer: nothing else is differentiated),
/// the seeds of random fills; results: the summed score (nn.loss) and the
/// input gradient (nn.input_grad).
LogicalResult NNBuildTrainStepPass::buildSaliencyStep(StringRef model,
                                                      func::FuncOp loss,
                                                      func::FuncOp eval) {
  ModuleOp module = getOperation();
  MLIRContext *ctx = &getContext();
  std::string name = (model + "_saliency_step").str();
  if (module.lookupSymbol(name))
    return eval.emitError("nn-build-train-step: '@")
           << name << "' already exists";
  SmallVector<unsigned> lossLabels = argsOf(loss, {ArgKind::Labels});
  if (lossLabels.size() != 1 || eval.getNumResults() < 1)
    return success();
  auto labelType =
      dyn_cast<RankedTensorType>(loss.getArgumentTypes()[lossLabels[0]]);
  auto outType = dyn_cast<RankedTensorType>(eval.getResultTypes()[0]);
  SmallVector<unsigned> inputs = argsOf(eval, {ArgKind::Input});
  if (!labelType || !labelType.getElementType().isInteger() ||
      labelType.getRank() != 1 || !outType || outType.getRank() != 2 ||
      outType.isDynamicDim(1) || inputs.size() != 1)
    return success(); // not a classifier of one input: no saliency
  // Integer inputs (token ids) have no gradient.
  auto inType = dyn_cast<RankedTensorType>(eval.getArgumentTypes()[inputs[0]]);
  if (!inType || !isa<FloatType>(inType.getElementType()))
    return success();

  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  SmallVector<unsigned> newIndexOf(eval.getNumArguments());
  auto namedAttr = [&](StringRef attrName, Attribute value) {
    return DictionaryAttr::get(
        ctx, {NamedAttribute(StringAttr::get(ctx, attrName), value)});
  };
  newIndexOf[inputs[0]] = 0;
  argTypes.push_back(eval.getArgumentTypes()[inputs[0]]);
  argAttrs.push_back(eval.getArgAttrDict(inputs[0]));
  argTypes.push_back(labelType);
  argAttrs.push_back(namedAttr(kLabelsAttrName, UnitAttr::get(ctx)));
  for (unsigned i = 0; i < eval.getNumArguments(); ++i) {
    ArgKind kind = classify(eval, i);
    if (kind == ArgKind::Input)
      continue;
    newIndexOf[i] = argTypes.size();
    argTypes.push_back(eval.getArgumentTypes()[i]);
    argAttrs.push_back(kind == ArgKind::Param || kind == ArgKind::Buffer
                           ? namedAttr(kBufferAttrName, paramName(eval, i))
                           : eval.getArgAttrDict(i));
  }
  OpBuilder b(ctx);
  b.setInsertionPointAfter(eval);
  IRMapping mapping;
  std::string scoreName = (model + "_saliency_score").str();
  func::FuncOp score = createWithBodyOf(b, eval.getLoc(), scoreName, argTypes,
                                        argAttrs, eval, newIndexOf, mapping);
  Block *entry = &score.front();
  Location loc = eval.getLoc();
  Value out = mapping.lookupOrDefault(eval.front().getTerminator()->getOperand(0));
  Value oneHot = b.create<OneHotOp>(
      loc, outType, entry->getArgument(1),
      b.getI64IntegerAttr(outType.getShape()[1]));
  Value picked = b.create<MulOp>(loc, outType, out, oneHot);
  auto scalar = RankedTensorType::get({}, outType.getElementType());
  Value total = b.create<SumOp>(loc, scalar, picked);
  b.create<func::ReturnOp>(loc, total);
  score.setType(b.getFunctionType(argTypes, scalar));

  GradientOptions options;
  options.wrtParams = false;
  options.wrtInputs = true;
  options.gradName = name;
  FailureOr<func::FuncOp> grad = buildGradientFunction(score, options);
  score.erase();
  if (failed(grad))
    return failure();
  if (grad->getNumResults() != 2)
    return grad->emitError("nn-build-train-step: expected the score and the "
                           "input gradient");
  grad->setResultAttrs(0, namedAttr(kLossAttrName, UnitAttr::get(ctx)));
  grad->setResultAttrs(1, namedAttr(kInputGradAttrName, UnitAttr::get(ctx)));
  return success();
}

/// `@T_train_step` of an explicit step: the updates one after another, each
/// the forward and backward ops of its `@T_u<k>_loss_grad` on the parameters
/// the earlier updates left, then its optimiser's update of the parameters
/// it trains. Arguments: inputs, labels, parameters and buffers (nn.param
/// where some update trains them), the state of each update's optimiser,
/// seeds (shared by name), lr (a factor on each optimiser's own lr) and step.
/// Results: the first update's loss (nn.loss), each update's loss
/// (nn.step_loss), new parameters and buffers, new state.
LogicalResult NNBuildTrainStepPass::buildExplicitTrainStep(
    StringRef model, MutableArrayRef<func::FuncOp> losses,
    MutableArrayRef<func::FuncOp> grads) {
  ModuleOp module = getOperation();
  MLIRContext *ctx = &getContext();
  func::FuncOp first = grads.front();
  Location loc = losses.front().getLoc();
  std::string name = (model + "_train_step").str();
  if (module.lookupSymbol(name))
    return first.emitError("nn-build-train-step: '@")
           << name << "' already exists";
  auto namedAttr = [&](StringRef attrName, Attribute value) {
    return DictionaryAttr::get(
        ctx, {NamedAttribute(StringAttr::get(ctx, attrName), value)});
  };

  // The parameters, in the order of the first function; trained where some
  // update trains them (at most one: each has one optimiser state).
  SmallVector<StringAttr> paramNames;
  SmallVector<Type> paramTypes;
  llvm::StringMap<unsigned> trainedBy;
  for (unsigned i : argsOf(first, {ArgKind::Param, ArgKind::Buffer})) {
    paramNames.push_back(paramName(first, i));
    paramTypes.push_back(first.getArgumentTypes()[i]);
  }
  SmallVector<OptimizerConfig> configs;
  for (auto [k, grad] : llvm::enumerate(grads)) {
    if (!grad.getBody().hasOneBlock())
      return grad.emitError("nn-build-train-step: expected a single block");
    FailureOr<OptimizerConfig> config = parseOptimizerAttr(
        losses[k]->getAttrOfType<DictionaryAttr>(kOptimizerAttrName),
        [&] { return losses[k].emitError(); });
    if (failed(config))
      return failure();
    configs.push_back(*config);
    SmallVector<unsigned> ps = argsOf(grad, {ArgKind::Param, ArgKind::Buffer});
    if (ps.size() != paramNames.size())
      return grad.emitError("nn-build-train-step: the updates of an explicit "
                            "step must take the same parameters");
    for (auto [j, i] : llvm::enumerate(ps)) {
      if (paramName(grad, i) != paramNames[j])
        return grad.emitError("nn-build-train-step: the updates of an "
                              "explicit step must take the same parameters");
      if (classify(grad, i) != ArgKind::Param)
        continue;
      auto [it, inserted] =
          trainedBy.try_emplace(paramNames[j].getValue(), unsigned(k));
      if (!inserted)
        return grad.emitError("nn-build-train-step: parameter '")
               << paramNames[j].getValue()
               << "' is trained by two updates of the step";
    }
  }

  // Arguments.
  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  for (unsigned i : argsOf(first, {ArgKind::Input, ArgKind::Labels})) {
    argTypes.push_back(first.getArgumentTypes()[i]);
    argAttrs.push_back(first.getArgAttrDict(i));
  }
  unsigned numData = argTypes.size();
  for (auto [j, pname] : llvm::enumerate(paramNames)) {
    argTypes.push_back(paramTypes[j]);
    argAttrs.push_back(namedAttr(trainedBy.count(pname.getValue())
                                     ? NNDialect::kParamAttrName
                                     : kBufferAttrName,
                                 pname));
  }
  // State: update by update, slot by slot, parameter by parameter.
  struct StateArg {
    unsigned update, param;
    std::string slot;
  };
  SmallVector<StateArg> stateArgs;
  unsigned firstState = argTypes.size();
  for (auto [k, config] : llvm::enumerate(configs))
    for (const std::string &slot : config.slots())
      for (auto [j, pname] : llvm::enumerate(paramNames)) {
        auto it = trainedBy.find(pname.getValue());
        if (it == trainedBy.end() || it->second != k)
          continue;
        stateArgs.push_back({unsigned(k), unsigned(j), slot});
        argTypes.push_back(paramTypes[j]);
        argAttrs.push_back(namedAttr(
            kOptStateAttrName,
            StringAttr::get(ctx, slot + "." + pname.getValue())));
      }
  llvm::StringMap<unsigned> seedIndex;
  for (func::FuncOp grad : grads)
    for (unsigned i : argsOf(grad, {ArgKind::Seed})) {
      auto seedName = grad.getArgAttrOfType<StringAttr>(i, kSeedAttrName);
      if (!seedName)
        return grad.emitError("nn-build-train-step: a seed without a name");
      if (seedIndex.try_emplace(seedName.getValue(), argTypes.size()).second) {
        argTypes.push_back(grad.getArgumentTypes()[i]);
        argAttrs.push_back(grad.getArgAttrDict(i));
      }
    }
  auto scalarType = RankedTensorType::get({}, Float32Type::get(ctx));
  unsigned lrIndex = argTypes.size();
  argTypes.push_back(scalarType);
  argAttrs.push_back(namedAttr(kLRAttrName, UnitAttr::get(ctx)));
  argTypes.push_back(scalarType);
  argAttrs.push_back(namedAttr(kStepAttrName, UnitAttr::get(ctx)));

  OpBuilder b(ctx);
  b.setInsertionPointAfter(grads.back());
  auto stepFunc =
      b.create<func::FuncOp>(loc, name, b.getFunctionType(argTypes, {}));
  stepFunc.setAllArgAttrs(argAttrs);
  Block *entry = stepFunc.addEntryBlock();
  b.setInsertionPointToStart(entry);
  SmallVector<Value> current, state;
  for (unsigned j = 0; j < paramNames.size(); ++j)
    current.push_back(entry->getArgument(numData + j));
  for (unsigned s = 0; s < stateArgs.size(); ++s)
    state.push_back(entry->getArgument(firstState + s));

  UpdateBuilder u(b, loc, Float32Type::get(ctx));
  SmallVector<Value> lossValues;
  for (auto [k, grad] : llvm::enumerate(grads)) {
    IRMapping mapping;
    unsigned data = 0, param = 0;
    for (unsigned i = 0; i < grad.getNumArguments(); ++i) {
      switch (classify(grad, i)) {
      case ArgKind::Input:
      case ArgKind::Labels:
        mapping.map(grad.getArgument(i), entry->getArgument(data++));
        break;
      case ArgKind::Param:
      case ArgKind::Buffer:
        mapping.map(grad.getArgument(i), current[param++]);
        break;
      case ArgKind::Seed:
        mapping.map(grad.getArgument(i),
                    entry->getArgument(seedIndex.lookup(
                        grad.getArgAttrOfType<StringAttr>(i, kSeedAttrName)
                            .getValue())));
        break;
      }
    }
    for (Operation &op : grad.front().without_terminator())
      b.clone(op, mapping);
    Operation *ret = grad.front().getTerminator();
    lossValues.push_back(mapping.lookupOrDefault(ret->getOperand(0)));
    llvm::StringMap<Value> gradOf;
    for (unsigned r = 1; r < grad.getNumResults(); ++r) {
      Value v = mapping.lookupOrDefault(ret->getOperand(r));
      if (auto of = grad.getResultAttrOfType<StringAttr>(
              r, NNDialect::kGradOfAttrName))
        gradOf[of.getValue()] = v;
      else if (auto buf = grad.getResultAttrOfType<StringAttr>(
                   r, kBufferUpdateAttrName))
        for (auto [j, pname] : llvm::enumerate(paramNames))
          if (pname == buf)
            current[j] = v;
    }
    SmallVector<Trainable> updates;
    SmallVector<unsigned> updated;
    for (auto [j, pname] : llvm::enumerate(paramNames)) {
      auto it = trainedBy.find(pname.getValue());
      if (it == trainedBy.end() || it->second != k)
        continue;
      Trainable t;
      t.param = current[j];
      auto type = cast<RankedTensorType>(t.param.getType());
      if (!type.getElementType().isF32() || !type.hasStaticShape())
        return grad.emitError("nn-build-train-step: parameter '")
               << pname.getValue()
               << "' must be a statically shaped f32 tensor";
      t.grad = gradOf.lookup(pname.getValue());
      if (!t.grad)
        return grad.emitError("nn-build-train-step: no gradient of parameter '")
               << pname.getValue() << "'";
      for (auto [s, a] : llvm::enumerate(stateArgs))
        if (a.update == k && a.param == j)
          t.state.push_back(state[s]);
      updates.push_back(std::move(t));
      updated.push_back(j);
    }
    Value lr = u.mul(entry->getArgument(lrIndex), configs[k].lr);
    emitUpdate(u, configs[k], updates, lr, entry->getArgument(lrIndex + 1));
    for (auto [t, j] : llvm::zip(updates, updated)) {
      current[j] = t.newParam;
      unsigned n = 0;
      for (auto [s, a] : llvm::enumerate(stateArgs))
        if (a.update == k && a.param == j)
          state[s] = t.newState[n++];
    }
  }

  SmallVector<Value> results = {lossValues[0]};
  SmallVector<DictionaryAttr> resultAttrs = {
      namedAttr(kLossAttrName, UnitAttr::get(ctx))};
  for (auto [k, v] : llvm::enumerate(lossValues)) {
    results.push_back(v);
    resultAttrs.push_back(namedAttr(
        kStepLossAttrName, IntegerAttr::get(IntegerType::get(ctx, 64), k)));
  }
  for (auto [j, pname] : llvm::enumerate(paramNames)) {
    results.push_back(current[j]);
    resultAttrs.push_back(namedAttr(trainedBy.count(pname.getValue())
                                        ? kNewParamAttrName
                                        : kNewBufferAttrName,
                                    pname));
  }
  for (auto [s, a] : llvm::enumerate(stateArgs)) {
    results.push_back(state[s]);
    resultAttrs.push_back(namedAttr(
        kNewOptStateAttrName,
        StringAttr::get(ctx, a.slot + "." + paramNames[a.param].getValue())));
  }
  b.create<func::ReturnOp>(loc, results);
  stepFunc.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  stepFunc.setAllResultAttrs(resultAttrs);
  return success();
}

void NNBuildTrainStepPass::runOnOperation() {
  ModuleOp module = getOperation();
  // The models: those named, or every M with @M_loss and @M_loss_grad.
  SmallVector<std::string> names(models.begin(), models.end());
  if (names.empty())
    for (auto func : module.getOps<func::FuncOp>())
      if (func.getName().ends_with("_loss") &&
          module.lookupSymbol<func::FuncOp>((func.getName() + "_grad").str()))
        names.push_back(func.getName().drop_back(5).str());

  for (const std::string &model : names) {
    // An explicit step: @M_u<k>_loss and their gradients (MLIRGen wrote
    // @M_eval_step).
    SmallVector<func::FuncOp> stepLosses, stepGrads;
    for (unsigned k = 0;; ++k) {
      std::string base = model + "_u" + std::to_string(k) + "_loss";
      auto l = module.lookupSymbol<func::FuncOp>(base);
      if (!l)
        break;
      auto g = module.lookupSymbol<func::FuncOp>(base + "_grad");
      if (!g) {
        l.emitError("nn-build-train-step: @")
            << base << " has no gradient (run nn-autodiff first)";
        return signalPassFailure();
      }
      stepLosses.push_back(l);
      stepGrads.push_back(g);
    }
    if (!stepLosses.empty()) {
      if (failed(buildExplicitTrainStep(model, stepLosses, stepGrads)))
        return signalPassFailure();
      // `./train precompute` splits the train steps of models without a
      // step only.
      if (auto step = module.lookupSymbol<func::FuncOp>(model + "_train_step"))
        step->setAttr(kNoBackboneAttrName,
                      StringAttr::get(&getContext(),
                                      "a train block with an explicit step has "
                                      "no backbone to precompute"));
      continue;
    }
    auto loss = module.lookupSymbol<func::FuncOp>(model + "_loss");
    auto grad = module.lookupSymbol<func::FuncOp>(model + "_loss_grad");
    auto eval = module.lookupSymbol<func::FuncOp>(model + "_eval");
    if (!loss || !grad || !eval) {
      InFlightDiagnostic diag = loss ? loss.emitError() : module.emitError();
      diag << "nn-build-train-step: model '" << model << "' needs @" << model
           << "_loss, @" << model << "_loss_grad (run nn-autodiff first) and @"
           << model << "_eval";
      return signalPassFailure();
    }
    if (failed(buildTrainStep(model, loss, grad)) ||
        failed(buildEvalStep(model, loss, eval)) ||
        failed(buildSaliencyStep(model, loss, eval)))
      return signalPassFailure();
    if (splitUpdate && failed(buildSplitSteps(model, loss, grad)))
      return signalPassFailure();
    // A model with frozen tensors: the steps that skip its frozen backbone
    // (`./train precompute`).
    std::vector<std::string> frozen;
    if (auto recipes =
            module->getAttrOfType<ArrayAttr>(NNDialect::kTrainAttrName))
      for (Attribute a : recipes) {
        auto dict = dyn_cast<DictionaryAttr>(a);
        auto of = dict ? dict.getAs<StringAttr>("model") : StringAttr();
        auto keys = dict ? dict.getAs<ArrayAttr>("frozen") : ArrayAttr();
        if (of && of.getValue() == model && keys)
          for (Attribute k : keys)
            if (auto s = dyn_cast<StringAttr>(k))
              frozen.push_back(s.str());
      }
    if (!frozen.empty() &&
        failed(buildBackboneSteps(module, model, frozen)))
      return signalPassFailure();
  }
}
