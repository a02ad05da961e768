//===- Evaluator.h - Reference interpreter of the nn dialect ----*- C++ -*-===//
//
// A plain, obviously correct interpreter of nn-dialect functions in double
// precision (naive loops, no cleverness): the oracle the gradient checks and
// the compiled kernels are compared with. It runs func.func bodies made of nn
// ops, func.call and func.return.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_EVAL_EVALUATOR_H
#define DLC_DIALECT_NN_EVAL_EVALUATOR_H

#include "dlc/Dialect/NN/Eval/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::nn {

/// Interprets functions of a module. The rule of each op is its
/// EvaluableOpInterface (defined in the op's family file under
/// compiler/lib/Dialect/NN/Ops/); the interpreter itself only runs
/// func.func bodies, func.call and func.return.
class Evaluator {
public:
  explicit Evaluator(mlir::ModuleOp module) : module(module) {}

  /// Runs `func` on `args` (one tensor per argument, with run-time shapes
  /// compatible with the argument types) and returns its results. Emits a
  /// diagnostic at the failing op and fails on an unsupported op, a shape
  /// mismatch, or an out-of-range label.
  mlir::FailureOr<std::vector<Tensor>> call(mlir::func::FuncOp func,
                                            const std::vector<Tensor> &args);

private:
  mlir::ModuleOp module;
};

} // namespace dlc::nn

#endif // DLC_DIALECT_NN_EVAL_EVALUATOR_H
