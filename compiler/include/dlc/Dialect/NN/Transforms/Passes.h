//===- Passes.h - Passes of the nn dialect ----------------------*- C++ -*-===//
//
// Declares the constructors and registration of the nn passes (generated
// from Passes.td).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_TRANSFORMS_PASSES_H
#define DLC_DIALECT_NN_TRANSFORMS_PASSES_H

#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace dlc::nn {

#define GEN_PASS_DECL
#include "dlc/Dialect/NN/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dlc/Dialect/NN/Transforms/Passes.h.inc"

/// What nn-merge-slices does, for tools that check kernels without a pass
/// manager: merges the slices of `func` (see Passes.td); returns the number
/// of nn.split ops created.
unsigned mergeSlices(mlir::func::FuncOp func);

} // namespace dlc::nn

#endif // DLC_DIALECT_NN_TRANSFORMS_PASSES_H
