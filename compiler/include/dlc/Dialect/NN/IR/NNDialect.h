//===- NNDialect.h - The nn dialect -----------------------------*- C++ -*-===//
//
// Declares the nn dialect class (generated from NNDialect.td). Include
// NNOps.h for the operations.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_IR_NNDIALECT_H
#define DLC_DIALECT_NN_IR_NNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dlc/Dialect/NN/IR/NNDialect.h.inc"

#endif // DLC_DIALECT_NN_IR_NNDIALECT_H
