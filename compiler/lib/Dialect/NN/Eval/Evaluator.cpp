//===- Evaluator.cpp - Reference interpreter of the nn dialect ------------===//
//
// Runs func.func bodies op by op. Each nn op computes its results with its
// EvaluableOpInterface rule (in double precision, naive loops; the rules
// live in the family files under compiler/lib/Dialect/NN/Ops/); the
// interpreter keeps the values, checks the run-time shapes that the static
// types leave open for ops whose operands must agree, checks the results
// against the result types, and runs func.call.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/Eval/Evaluator.h"
#include "dlc/Dialect/NN/IR/NNOps.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace dlc::nn;

namespace {

//===----------------------------------------------------------------------===//
// The interpreter of one function body
//===----------------------------------------------------------------------===//

class Interpreter {
public:
  Interpreter(ModuleOp module) : module(module) {}

  FailureOr<std::vector<Tensor>> run(func::FuncOp func,
                                     const std::vector<Tensor> &args);

private:
  LogicalResult eval(Operation *op);
  const Tensor &get(Value v) { return env.find(v)->second; }
  LogicalResult set(Operation *op, Value v, Tensor t);

  ModuleOp module;
  llvm::DenseMap<Value, Tensor> env;
};

} // namespace

FailureOr<std::vector<Tensor>>
Interpreter::run(func::FuncOp func, const std::vector<Tensor> &args) {
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return func.emitError("evaluator: needs a function with one block");
  if (args.size() != func.getNumArguments())
    return func.emitError() << "evaluator: expected " << func.getNumArguments()
                            << " arguments, got " << args.size();
  for (auto [arg, value] : llvm::zip(func.getArguments(), args)) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() != value.rank() ||
        numElements(value.shape) != value.size())
      return func.emitError("evaluator: argument does not match its type");
    for (int64_t d = 0; d < value.rank(); ++d)
      if (!type.isDynamicDim(d) && type.getDimSize(d) != value.shape[d])
        return func.emitError("evaluator: argument does not match its type");
    env[arg] = value;
  }
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      std::vector<Tensor> results;
      for (Value v : ret.getOperands())
        results.push_back(get(v));
      return results;
    }
    if (failed(eval(&op)))
      return failure();
  }
  return func.emitError("evaluator: function has no return");
}

LogicalResult Interpreter::set(Operation *op, Value v, Tensor t) {
  auto type = cast<RankedTensorType>(v.getType());
  bool ok = type.getRank() == t.rank();
  for (int64_t d = 0; ok && d < t.rank(); ++d)
    ok = type.isDynamicDim(d) || type.getDimSize(d) == t.shape[d];
  if (!ok)
    return op->emitError() << "evaluator: computed shape " << t.shapeString()
                           << " does not match the result type " << type;
  env[v] = std::move(t);
  return success();
}

/// Checks the run-time shapes that the static types leave open (dynamic
/// dimensions) for ops whose operands must agree; the op-specific checks
/// (per-channel vectors, class weights, ...) are part of the ops' rules.
/// Fails with a diagnostic instead of reading out of bounds.
static LogicalResult checkRuntimeShapes(Operation *op,
                                        ArrayRef<const Tensor *> operands) {
  if (!op->hasTrait<OpTrait::SameOperandsAndResultType>() &&
      !op->hasTrait<OpTrait::SameOperandsShape>())
    return success();
  for (const Tensor *t : operands)
    if (t->shape != operands.front()->shape) {
      std::string shapes;
      for (const Tensor *u : operands)
        shapes += (shapes.empty() ? "" : ", ") + u->shapeString();
      return op->emitError()
             << "evaluator: operand shapes do not fit (" << shapes << ")";
    }
  return success();
}

LogicalResult Interpreter::eval(Operation *op) {
  if (auto call = dyn_cast<func::CallOp>(op)) {
    auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
    if (!callee)
      return call.emitError("evaluator: unknown callee");
    std::vector<Tensor> args;
    for (Value v : call.getOperands())
      args.push_back(get(v));
    FailureOr<std::vector<Tensor>> results =
        Interpreter(module).run(callee, args);
    if (failed(results))
      return failure();
    for (auto [r, t] : llvm::zip(call.getResults(), *results))
      if (failed(set(op, r, t)))
        return failure();
    return success();
  }
  std::vector<const Tensor *> operands;
  for (Value v : op->getOperands())
    operands.push_back(&get(v));
  if (failed(checkRuntimeShapes(op, operands)))
    return failure();
  auto evaluable = dyn_cast<EvaluableOpInterface>(op);
  if (!evaluable)
    return op->emitError() << "evaluator: unsupported operation '"
                           << op->getName() << "'";
  std::vector<Tensor> results;
  if (failed(evaluable.evaluate(operands, results)))
    return failure();
  assert(results.size() == op->getNumResults() && "one value per result");
  for (auto [r, t] : llvm::zip(op->getResults(), results))
    if (failed(set(op, r, std::move(t))))
      return failure();
  return success();
}

FailureOr<std::vector<Tensor>>
Evaluator::call(func::FuncOp func, const std::vector<Tensor> &args) {
  return Interpreter(module).run(func, args);
}
