//===- Autodiff.h - Reverse-mode autodiff of nn functions -------*- C++ -*-===//
//
// The C++ entry point of reverse-mode autodiff, shared by the nn-autodiff
// pass, the dlc driver and dlc-gradcheck: given a func.func computing a loss,
// build a sibling function that also returns the gradients.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_TRANSFORMS_AUTODIFF_H
#define DLC_DIALECT_NN_TRANSFORMS_AUTODIFF_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"

#include <string>

namespace dlc::nn {

/// Which arguments to differentiate with respect to, and how to name the
/// result.
struct GradientOptions {
  /// Differentiate with respect to arguments carrying `nn.param`.
  bool wrtParams = true;
  /// Also differentiate with respect to the other float arguments, except
  /// non-trainable state marked `nn.buffer` (running statistics).
  bool wrtInputs = false;
  /// Name of the new function; empty means `<name>_grad`.
  std::string gradName;
};

/// Builds, next to `func` in the same symbol table, a function with the same
/// arguments that returns the results of `func` followed by one gradient per
/// differentiated argument (argument order), each with the result attribute
/// `nn.grad_of`. The first result of `func` is the differentiated output: a
/// 0-d tensor is seeded with 1; otherwise the new function takes its
/// cotangent as an extra last argument. `func` must have a single block.
/// Emits a diagnostic and fails when an op on the gradient path has no VJP
/// rule or its rule fails.
mlir::FailureOr<mlir::func::FuncOp>
buildGradientFunction(mlir::func::FuncOp func,
                      const GradientOptions &options = {});

} // namespace dlc::nn

#endif // DLC_DIALECT_NN_TRANSFORMS_AUTODIFF_H
