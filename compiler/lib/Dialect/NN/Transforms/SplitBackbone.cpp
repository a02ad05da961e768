//===- SplitBackbone.cpp - The frozen backbone of a train step ------------===//
//
// `./train precompute` caches the activations of a model's frozen backbone
// so that training the head skips it. The backbone is the part of a step
// computed from the input and frozen tensors only, by ops that keep samples
// apart (FusionOpInterface::isSampleWise): each sample's activation is then
// a function of that sample alone, the same in every epoch. Where that part
// ends in exactly one value (the features) and both steps agree on it,
// buildBackboneSteps adds
//
//   @M_backbone_step(x, params...) -> features {nn.logits}
//   @M_head_train_step(features, labels, params..., state..., lr, step)
//   @M_head_eval_step(features, labels, params...)
//
// the head steps being @M_train_step and @M_eval_step with the backbone's ops
// removed and the features as their input. They keep every parameter
// argument, so a checkpoint of the model serves both. Otherwise it records
// why on @M_train_step (`nn.no_backbone`), for `./train precompute` to say.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "dlc/Dialect/NN/IR/NNInterfaces.h"
#include "dlc/Dialect/NN/IR/NNOps.h"
#include "dlc/Dialect/NN/Transforms/Passes.h"
#include "dlc/Dialect/NN/Transforms/TrainStep.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

using namespace mlir;

namespace dlc::nn {

namespace {

bool batchLeading(Type t) {
  auto r = dyn_cast<RankedTensorType>(t);
  return r && r.getRank() >= 1 && r.isDynamicDim(0);
}

/// The backbone of one step function: its ops in order and its one output.
struct Backbone {
  SmallVector<Operation *> ops;
  Value features;
  std::string whyNot; // empty when found
};

Backbone findBackbone(func::FuncOp func, ArrayRef<std::string> frozen) {
  Backbone result;
  Block &body = func.front();
  // The input: the one argument without a role attribute.
  Value input;
  unsigned inputs = 0;
  llvm::DenseSet<Value> fixed; // frozen tensors, buffers and values of them
  for (BlockArgument a : func.getArguments()) {
    unsigned i = a.getArgNumber();
    auto buffer = func.getArgAttrOfType<StringAttr>(i, kBufferAttrName);
    auto param =
        func.getArgAttrOfType<StringAttr>(i, NNDialect::kParamAttrName);
    if (buffer || (param && llvm::is_contained(frozen, param.str())))
      fixed.insert(a);
    else if (!param && !func.getArgAttr(i, kLabelsAttrName) &&
             !func.getArgAttr(i, kSeedAttrName) &&
             !func.getArgAttr(i, kOptStateAttrName) &&
             !func.getArgAttr(i, kLRAttrName) &&
             !func.getArgAttr(i, kStepAttrName)) {
      input = a;
      ++inputs;
    }
  }
  if (inputs != 1 || !batchLeading(input.getType())) {
    result.whyNot = "the model does not have one input batch";
    return result;
  }
  llvm::DenseSet<Value> sample = {input};
  for (Operation &op : body.without_terminator()) {
    // Values of frozen tensors and constants (ops without operands, such
    // as nn.constant; random fills read a seed argument, which is not
    // fixed).
    bool allFixed = llvm::all_of(op.getOperands(),
                                 [&](Value v) { return fixed.contains(v); });
    if (allFixed && op.getNumRegions() == 0) {
      for (Value r : op.getResults())
        fixed.insert(r);
      continue;
    }
    bool fromSamples = false, ok = op.getNumResults() > 0;
    for (Value v : op.getOperands()) {
      if (sample.contains(v))
        fromSamples = true;
      else if (!fixed.contains(v))
        ok = false;
    }
    auto fusion = dyn_cast<FusionOpInterface>(&op);
    ok = ok && fromSamples && fusion && fusion.isSampleWise() &&
         llvm::all_of(op.getResultTypes(), batchLeading) &&
         llvm::all_of(op.getOperands(), [&](Value v) {
           return !sample.contains(v) || batchLeading(v.getType());
         });
    if (!ok)
      continue;
    for (Value r : op.getResults())
      sample.insert(r);
    result.ops.push_back(&op);
  }
  // The values of the backbone that the rest of the step uses.
  llvm::SetVector<Value> used;
  llvm::DenseSet<Operation *> inBackbone(result.ops.begin(), result.ops.end());
  for (Operation &op : body)
    if (!inBackbone.contains(&op))
      for (Value v : op.getOperands())
        if (sample.contains(v))
          used.insert(v);
  // A backbone of reshapes alone would cache the input itself.
  bool readsFrozen = llvm::any_of(result.ops, [&](Operation *op) {
    return llvm::any_of(op->getOperands(),
                        [&](Value v) { return fixed.contains(v); });
  });
  if (result.ops.empty() || used.contains(input) || !readsFrozen) {
    result.whyNot = "the model's input is used by more than frozen layers "
                    "(the first layer is trainable, or the input reaches a "
                    "later layer or the loss)";
    return result;
  }
  if (used.size() != 1) {
    result.whyNot = "the frozen layers end in " + std::to_string(used.size()) +
                    " values that the trainable layers use, not one";
    return result;
  }
  auto features = cast<RankedTensorType>(used.front().getType());
  if (features.getRank() < 2 || features.getRank() > 9 ||
      llvm::any_of(features.getShape().drop_front(), ShapedType::isDynamic)) {
    result.whyNot = "the frozen layers end in a value that is not a batch of "
                    "fixed-size features of rank 1 to 8";
    return result;
  }
  result.features = used.front();
  return result;
}

/// Where a value of a step comes from, comparable across the train and eval
/// steps: an argument by its role and name, the result of a backbone op by
/// the op's position, any other op by its name, attributes and operands.
std::string origin(Value v, const Backbone &bb,
                   llvm::DenseMap<Value, std::string> &memo) {
  auto it = memo.find(v);
  if (it != memo.end())
    return it->second;
  std::string text;
  if (auto a = dyn_cast<BlockArgument>(v)) {
    auto func = cast<func::FuncOp>(a.getOwner()->getParentOp());
    unsigned i = a.getArgNumber();
    auto name = func.getArgAttrOfType<StringAttr>(i, kBufferAttrName);
    if (!name)
      name = func.getArgAttrOfType<StringAttr>(i, NNDialect::kParamAttrName);
    text = name ? "tensor " + name.str() : "input";
  } else {
    Operation *def = v.getDefiningOp();
    unsigned r = cast<OpResult>(v).getResultNumber();
    auto at = llvm::find(bb.ops, def);
    if (at != bb.ops.end()) {
      text =
          "op " + std::to_string(at - bb.ops.begin()) + "#" + std::to_string(r);
    } else {
      llvm::raw_string_ostream os(text);
      os << def->getName() << def->getAttrDictionary() << "#" << r << "(";
      for (Value o : def->getOperands())
        os << origin(o, bb, memo) << ",";
      os << ")";
    }
  }
  memo[v] = text;
  return text;
}

/// Two backbones compute the same if their ops are the same, in order, read
/// the same values and end in the same value.
bool sameOps(const Backbone &a, const Backbone &b) {
  if (a.ops.size() != b.ops.size())
    return false;
  llvm::DenseMap<Value, std::string> memoA, memoB;
  for (auto [x, y] : llvm::zip(a.ops, b.ops)) {
    if (x->getName() != y->getName() || x->getAttrs() != y->getAttrs() ||
        x->getResultTypes() != y->getResultTypes() ||
        x->getNumOperands() != y->getNumOperands())
      return false;
    for (auto [u, w] : llvm::zip(x->getOperands(), y->getOperands()))
      if (origin(u, a, memoA) != origin(w, b, memoB))
        return false;
  }
  return origin(a.features, a, memoA) == origin(b.features, b, memoB);
}

/// A copy of `step` named `name` whose input is the features: every op but
/// the backbone's, the features standing for the backbone's output.
void buildHead(OpBuilder &b, func::FuncOp step, const Backbone &backbone,
               StringRef name) {
  Value input;
  for (Value v : backbone.ops.front()->getOperands())
    if (isa<BlockArgument>(v) && batchLeading(v.getType()))
      input = v;
  unsigned inputIndex = cast<BlockArgument>(input).getArgNumber();
  SmallVector<Type> argTypes(step.getArgumentTypes());
  argTypes[inputIndex] = backbone.features.getType();
  auto head = b.create<func::FuncOp>(
      step.getLoc(), name, b.getFunctionType(argTypes, step.getResultTypes()));
  head.setAllArgAttrs(step.getAllArgAttrs());
  head.setAllResultAttrs(step.getAllResultAttrs());
  Block *entry = head.addEntryBlock();
  IRMapping mapping;
  for (auto [from, to] : llvm::zip(step.getArguments(), entry->getArguments()))
    mapping.map(from, to);
  mapping.map(backbone.features, entry->getArgument(inputIndex));
  llvm::DenseSet<Operation *> skip(backbone.ops.begin(), backbone.ops.end());
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(entry);
  for (Operation &op : step.front())
    if (!skip.contains(&op))
      b.clone(op, mapping);
}

} // namespace

LogicalResult buildBackboneSteps(ModuleOp module, StringRef model,
                                 ArrayRef<std::string> frozen) {
  auto train = module.lookupSymbol<func::FuncOp>((model + "_train_step").str());
  auto eval = module.lookupSymbol<func::FuncOp>((model + "_eval_step").str());
  if (!train || !eval)
    return module.emitError("buildBackboneSteps: no train or eval step of '")
           << model << "'";
  Backbone inTrain = findBackbone(train, frozen);
  Backbone inEval = findBackbone(eval, frozen);
  std::string whyNot = !inTrain.whyNot.empty()  ? inTrain.whyNot
                       : !inEval.whyNot.empty() ? inEval.whyNot
                       : !sameOps(inTrain, inEval)
                           ? "the frozen layers compute differently in "
                             "training and in evaluation (dropout, batch "
                             "norm or random noise among them)"
                           : "";
  if (!whyNot.empty()) {
    train->setAttr(kNoBackboneAttrName,
                   StringAttr::get(module.getContext(), whyNot));
    return success();
  }
  OpBuilder b(module.getContext());
  b.setInsertionPointAfter(eval);
  buildHead(b, train, inTrain, (model + "_head_train_step").str());
  buildHead(b, eval, inEval, (model + "_head_eval_step").str());

  // @M_backbone_step(x, params...) -> features: the backbone's ops of the
  // eval step with what they read.
  SmallVector<unsigned> kept;
  for (BlockArgument a : eval.getArguments())
    if (!eval.getArgAttr(a.getArgNumber(), kLabelsAttrName))
      kept.push_back(a.getArgNumber());
  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  for (unsigned i : kept) {
    argTypes.push_back(eval.getArgumentTypes()[i]);
    argAttrs.push_back(eval.getArgAttrDict(i));
  }
  auto fn = b.create<func::FuncOp>(
      eval.getLoc(), (model + "_backbone_step").str(),
      b.getFunctionType(argTypes, {inEval.features.getType()}));
  fn.setAllArgAttrs(argAttrs);
  fn.setResultAttr(0, kLogitsAttrName, UnitAttr::get(module.getContext()));
  Block *entry = fn.addEntryBlock();
  IRMapping mapping;
  for (auto [k, i] : llvm::enumerate(kept))
    mapping.map(eval.getArgument(i), entry->getArgument(k));
  // The ops of frozen tensors that the backbone reads come along: clone, in
  // order, every op the backbone needs.
  llvm::SetVector<Operation *> needed;
  SmallVector<Operation *> worklist(inEval.ops.begin(), inEval.ops.end());
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (!needed.insert(op))
      continue;
    for (Value v : op->getOperands())
      if (Operation *def = v.getDefiningOp())
        worklist.push_back(def);
  }
  b.setInsertionPointToStart(entry);
  for (Operation &op : eval.front())
    if (needed.contains(&op))
      b.clone(op, mapping);
  b.create<func::ReturnOp>(eval.getLoc(), mapping.lookup(inEval.features));
  return success();
}

} // namespace dlc::nn
