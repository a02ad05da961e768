//===- InitAllDialects.h - Every dialect dlc uses ---------------*- C++ -*-===//
//
// One registry of the dialects that dlc and dlc-opt load: ours (nn) and the
// upstream ones our IR contains (func, arith, tensor). Both tools call
// registerAllDialects, so they accept the same IR.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_INITALLDIALECTS_H
#define DLC_INITALLDIALECTS_H

#include "dlc/Dialect/NN/IR/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"

namespace dlc {

/// Adds every dialect dlc produces or consumes to `registry`.
inline void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<dlc::nn::NNDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect, mlir::tensor::TensorDialect>();
}

} // namespace dlc

#endif // DLC_INITALLDIALECTS_H
