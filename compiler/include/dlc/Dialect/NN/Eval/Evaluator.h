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

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::nn {

/// A dense row-major tensor of doubles. Integer tensors (labels, seeds) hold
/// their values as doubles too.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;

  Tensor() = default;
  Tensor(std::vector<int64_t> shape, double fill = 0.0);
  Tensor(std::vector<int64_t> shape, std::vector<double> data)
      : shape(std::move(shape)), data(std::move(data)) {}

  /// Number of elements (1 for a 0-d tensor).
  int64_t size() const { return static_cast<int64_t>(data.size()); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  /// "4x3" ("scalar" for a 0-d tensor).
  std::string shapeString() const;
};

/// Number of elements of a shape.
int64_t numElements(const std::vector<int64_t> &shape);

/// Interprets functions of a module.
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
