//===- NNOps.h - Operations of the nn dialect -------------------*- C++ -*-===//
//
// Declares the nn operations (generated from NNOps.td) and the shape rules
// shared by their verifiers, the VJP rules and the evaluator: numpy
// broadcasting, reductions, convolution and pooling output sizes.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_IR_NNOPS_H
#define DLC_DIALECT_NN_IR_NNOPS_H

#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "dlc/Dialect/NN/IR/NNInterfaces.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <optional>

namespace dlc::nn {

// Result types of the ops whose result shape follows from their operands and
// attributes. Used by the convenience builders (`b.create<MatmulOp>(loc, x,
// w)`) and available to MLIRGen. They never fail: where the operands do not
// fit, the affected dimensions are dynamic and the verifier reports the
// error.

/// The 0-d tensor of the element type of `like` (what losses return).
mlir::RankedTensorType inferScalarType(mlir::Type like);
/// Numpy broadcast of two ranked tensor types.
mlir::RankedTensorType inferBroadcastResultType(mlir::Type lhs, mlir::Type rhs);
/// `[..., M, K] x [..., K, N] -> [..., M, N]` with broadcast batch dims.
mlir::RankedTensorType inferMatmulResultType(mlir::Type lhs, mlir::Type rhs);
/// Reduction over `axes` (all when empty).
mlir::RankedTensorType inferReduceResultType(mlir::Type x,
                                             llvm::ArrayRef<int64_t> axes,
                                             bool keepdims);
/// Result dimension `i` is operand dimension `perm[i]`.
mlir::RankedTensorType inferTransposeResultType(mlir::Type x,
                                                llvm::ArrayRef<int64_t> perm);
/// NCHW input and OIHW weight.
mlir::RankedTensorType inferConv2DResultType(mlir::Type input,
                                             mlir::Type weight,
                                             llvm::ArrayRef<int64_t> stride,
                                             llvm::ArrayRef<int64_t> padding,
                                             llvm::ArrayRef<int64_t> dilation);
/// NCHW input.
mlir::RankedTensorType inferPool2DResultType(mlir::Type input,
                                             llvm::ArrayRef<int64_t> kernel,
                                             llvm::ArrayRef<int64_t> stride,
                                             llvm::ArrayRef<int64_t> padding);

} // namespace dlc::nn

#define GET_OP_CLASSES
#include "dlc/Dialect/NN/IR/NNOps.h.inc"

namespace dlc::nn {

/// Broadcasts two shapes with numpy rules (right-aligned; a static 1
/// stretches). A dynamic dimension matches anything but a static 1 resolves
/// to the other side; two dynamic dimensions give a dynamic one. Returns
/// nullopt when two static dimensions differ and neither is 1.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// The shape of a reduction of `shape` over `axes` (all axes when empty).
llvm::SmallVector<int64_t> reducedShape(llvm::ArrayRef<int64_t> shape,
                                        llvm::ArrayRef<int64_t> axes,
                                        bool keepdims);

/// Output size of a sliding window along one dimension (conv or pool), or
/// ShapedType::kDynamic when `in` is dynamic.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t padding, int64_t dilation);

/// True when two dimensions may be equal at run time (one is dynamic, or
/// both are the same static size).
inline bool dimsCompatible(int64_t a, int64_t b) {
  return mlir::ShapedType::isDynamic(a) || mlir::ShapedType::isDynamic(b) ||
         a == b;
}

} // namespace dlc::nn

#endif // DLC_DIALECT_NN_IR_NNOPS_H
