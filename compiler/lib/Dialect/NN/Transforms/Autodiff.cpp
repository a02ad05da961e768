//===- Autodiff.cpp - Reverse-mode differentiation of nn functions --------===//
//
// Builds gradient functions: clones the forward ops of a function, then walks
// them in reverse, asking each op's VJPOpInterface for the cotangents of its
// operands and summing cotangents that reach one value along several uses.
// Knows no op by name. Also defines the nn-autodiff pass, a thin loop over
// the functions of a module.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/Transforms/Autodiff.h"
#include "dlc/Dialect/NN/IR/NNOps.h"
#include "dlc/Dialect/NN/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseSet.h"

namespace dlc::nn {
#define GEN_PASS_DEF_NNAUTODIFF
#include "dlc/Dialect/NN/Transforms/Passes.h.inc"
} // namespace dlc::nn

using namespace mlir;
using namespace dlc::nn;

/// True for the values autodiff differentiates: ranked float tensors.
static bool isDifferentiableType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

/// Name under which the gradient of argument `index` is reported.
static StringAttr gradientName(func::FuncOp func, unsigned index) {
  if (auto name =
          func.getArgAttrOfType<StringAttr>(index, NNDialect::kParamAttrName))
    return name;
  return StringAttr::get(func.getContext(), "arg" + std::to_string(index));
}

FailureOr<func::FuncOp>
dlc::nn::buildGradientFunction(func::FuncOp func,
                               const GradientOptions &options) {
  MLIRContext *ctx = func.getContext();
  Location loc = func.getLoc();
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return func.emitError("nn-autodiff: can only differentiate a function "
                          "with a single-block body");
  if (func.getNumResults() == 0 ||
      !isDifferentiableType(func.getResultTypes().front()))
    return func.emitError("nn-autodiff: the first result of the function "
                          "must be a float tensor (the loss)");
  std::string name = options.gradName.empty() ? (func.getName() + "_grad").str()
                                              : options.gradName;
  Operation *symbolTableOp = SymbolTable::getNearestSymbolTable(func);
  if (symbolTableOp &&
      SymbolTable::lookupSymbolIn(symbolTableOp, StringAttr::get(ctx, name)))
    return func.emitError()
           << "nn-autodiff: symbol '" << name << "' already exists";

  // The arguments to differentiate with respect to.
  SmallVector<unsigned> wrt;
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    if (!isDifferentiableType(type))
      continue;
    bool isParam =
        static_cast<bool>(func.getArgAttr(i, NNDialect::kParamAttrName));
    // Non-trainable state (running statistics, `nn.buffer`) is not an input.
    bool isBuffer = static_cast<bool>(func.getArgAttr(i, "nn.buffer"));
    if ((isParam && options.wrtParams) ||
        (!isParam && !isBuffer && options.wrtInputs))
      wrt.push_back(i);
  }

  // Signature: the original arguments (+ the seed), the original results
  // followed by the gradients.
  Type outputType = func.getResultTypes().front();
  bool takesSeed = cast<RankedTensorType>(outputType).getRank() != 0;
  SmallVector<Type> argTypes(func.getArgumentTypes());
  if (takesSeed)
    argTypes.push_back(outputType);
  SmallVector<Type> resultTypes(func.getResultTypes());
  for (unsigned i : wrt)
    resultTypes.push_back(func.getArgumentTypes()[i]);

  OpBuilder b(func);
  b.setInsertionPointAfter(func);
  auto grad = b.create<func::FuncOp>(
      loc, name, FunctionType::get(ctx, argTypes, resultTypes));
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    grad.setArgAttrs(i, func.getArgAttrDict(i));
  for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
    grad.setResultAttrs(i, func.getResultAttrDict(i));
  for (auto [k, i] : llvm::enumerate(wrt))
    grad.setResultAttr(func.getNumResults() + k, NNDialect::kGradOfAttrName,
                       gradientName(func, i));

  // Forward: a copy of the body, recording which values depend on a
  // differentiated argument ("active" values).
  Block *entry = grad.addEntryBlock();
  IRMapping map;
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    map.map(func.getArgument(i), entry->getArgument(i));
  DenseSet<Value> active;
  for (unsigned i : wrt)
    active.insert(entry->getArgument(i));
  b.setInsertionPointToStart(entry);
  SmallVector<Operation *> forward;
  for (Operation &op : func.getBody().front().without_terminator()) {
    Operation *copy = b.clone(op, map);
    forward.push_back(copy);
    if (llvm::any_of(copy->getOperands(),
                     [&](Value v) { return active.contains(v); }))
      for (Value r : copy->getResults())
        if (isDifferentiableType(r.getType()))
          active.insert(r);
  }
  Operation *terminator = func.getBody().front().getTerminator();
  SmallVector<Value> results;
  for (Value v : terminator->getOperands())
    results.push_back(map.lookupOrDefault(v));

  // Backward: seed the output, then visit the forward ops in reverse.
  auto fail = [&]() -> FailureOr<func::FuncOp> {
    grad.erase();
    return failure();
  };
  DenseMap<Value, Value> cotangent;
  auto accumulate = [&](Value v, Value c) {
    auto it = cotangent.find(v);
    if (it == cotangent.end()) {
      cotangent[v] = c;
      return;
    }
    it->second = b.create<AddOp>(loc, v.getType(), it->second, c);
  };
  if (takesSeed) {
    accumulate(results.front(), entry->getArguments().back());
  } else {
    auto scalarType = cast<RankedTensorType>(outputType);
    auto one = DenseElementsAttr::get(
        scalarType, b.getFloatAttr(scalarType.getElementType(), 1.0));
    accumulate(results.front(), b.create<ConstantOp>(loc, one));
  }
  for (Operation *op : llvm::reverse(forward)) {
    bool hasCotangent = llvm::any_of(
        op->getResults(), [&](Value r) { return cotangent.count(r) != 0; });
    bool hasActiveOperand = llvm::any_of(
        op->getOperands(), [&](Value v) { return active.contains(v); });
    if (!hasCotangent || !hasActiveOperand)
      continue;
    auto vjp = dyn_cast<VJPOpInterface>(op);
    if (!vjp) {
      op->emitError() << "nn-autodiff: '" << op->getName()
                      << "' lies on the gradient path but has no VJP rule "
                         "(it does not implement VJPOpInterface)";
      return fail();
    }
    SmallVector<Value> resultCotangents;
    for (Value r : op->getResults())
      resultCotangents.push_back(cotangent.lookup(r));
    FailureOr<SmallVector<Value>> operandCotangents =
        vjp.computeVJP(b, resultCotangents);
    if (failed(operandCotangents))
      return fail();
    if (operandCotangents->size() != op->getNumOperands()) {
      op->emitError() << "nn-autodiff: the VJP rule of '" << op->getName()
                      << "' returned " << operandCotangents->size()
                      << " cotangents for " << op->getNumOperands()
                      << " operands";
      return fail();
    }
    for (auto [operand, c] : llvm::zip(op->getOperands(), *operandCotangents))
      if (c && active.contains(operand))
        accumulate(operand, c);
  }

  // Return the forward results and one gradient per differentiated argument
  // (zeros where the output does not depend on it).
  for (unsigned i : wrt) {
    Value arg = entry->getArgument(i);
    Value g = cotangent.lookup(arg);
    if (!g)
      g = b.create<ZerosLikeOp>(loc, arg);
    results.push_back(g);
  }
  b.create<func::ReturnOp>(loc, results);

  // Remove backward (and forward) code that reaches no result.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (isOpTriviallyDead(&op))
      op.erase();

  if (failed(verify(grad))) {
    grad.emitError("nn-autodiff: the gradient function does not verify "
                   "(a VJP rule built ill-typed IR)");
    return fail();
  }
  return grad;
}

namespace {
/// The nn-autodiff pass: builds `<name><suffix>` for the selected functions.
struct NNAutodiffPass : public dlc::nn::impl::NNAutodiffBase<NNAutodiffPass> {
  using NNAutodiffBase::NNAutodiffBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> targets;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      if (!funcs.empty()) {
        if (llvm::is_contained(funcs, func.getName().str()))
          targets.push_back(func);
        continue;
      }
      // By default: every function that is not a gradient itself and has no
      // gradient yet.
      if (func.getName().ends_with(suffix) ||
          module.lookupSymbol((func.getName() + suffix).str()))
        continue;
      targets.push_back(func);
    }
    for (StringRef name : funcs)
      if (!module.lookupSymbol<func::FuncOp>(name)) {
        module.emitError() << "nn-autodiff: no function named '" << name << "'";
        return signalPassFailure();
      }
    GradientOptions options;
    options.wrtParams = true;
    options.wrtInputs = wrtInputs || wrtAll;
    for (func::FuncOp func : targets) {
      options.gradName = (func.getName() + suffix).str();
      if (failed(buildGradientFunction(func, options)))
        return signalPassFailure();
    }
  }
};
} // namespace
