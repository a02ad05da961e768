//===- Fusion.h - Which nn ops run as one kernel ----------------*- C++ -*-===//
//
// The fusion planner: cuts the body of a function into groups of ops that
// become one kernel each, from the ops' fusion classes (FusionOpInterface).
// nn-fuse shows the plan as nn.fusion_group regions; nn-to-halide's `fused`
// grouping makes one Halide pipeline per group of the same plan.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_TRANSFORMS_FUSION_H
#define DLC_DIALECT_NN_TRANSFORMS_FUSION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <vector>

namespace dlc::nn {

/// The groups of the body of `func` (one block): every op but the
/// terminator is in exactly one group; each group lists its ops in block
/// order, and the groups are in an order in which they can run (each
/// after every group it reads from). See Fusion.cpp for the rules.
std::vector<std::vector<mlir::Operation *>> planFusion(mlir::func::FuncOp func);

/// Gives each reader of an nn.constant its own copy (placed before it), so
/// that a constant joins its reader's group; run before planFusion.
void duplicateSharedConstants(mlir::func::FuncOp func);

/// What nn-fuse does (duplicateSharedConstants, then planFusion): wraps each
/// planned group of two or more ops in an nn.fusion_group (for display: the
/// back end reads the flat function).
void wrapFusionGroups(mlir::func::FuncOp func);

} // namespace dlc::nn

#endif // DLC_DIALECT_NN_TRANSFORMS_FUSION_H
