//===- NNInterfaces.h - Interfaces of the nn dialect ------------*- C++ -*-===//
//
// Declares VJPOpInterface (generated from NNInterfaces.td), the per-op
// reverse-mode rule that nn-autodiff calls.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_IR_NNINTERFACES_H
#define DLC_DIALECT_NN_IR_NNINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/SmallVector.h"

#include "dlc/Dialect/NN/IR/NNInterfaces.h.inc"

#endif // DLC_DIALECT_NN_IR_NNINTERFACES_H
