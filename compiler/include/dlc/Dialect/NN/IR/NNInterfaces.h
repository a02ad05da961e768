//===- NNInterfaces.h - Interfaces of the nn dialect ------------*- C++ -*-===//
//
// Declares the interfaces of the nn ops (generated from NNInterfaces.td): the
// per-op VJP, evaluator, Halide, fusion-class and FLOP-count rules, and the
// types their signatures use.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_IR_NNINTERFACES_H
#define DLC_DIALECT_NN_IR_NNINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/SmallVector.h"

#include "dlc/Dialect/NN/Eval/Tensor.h"

#include <cstdint>
#include <vector>

namespace dlc::nn {

namespace hl {
class GroupBuilder;
} // namespace hl

/// The fusion class of an op, after TVM's OpPatternKind: how the elements of
/// its results depend on those of its operands.
enum class OpClass {
  /// Result element i depends on operand element i (same shapes).
  Elementwise,
  /// Elementwise under numpy broadcasting (or per-channel operands).
  Broadcast,
  /// Each result element is one operand element at an index computed from
  /// the result index (reshape, transpose, slice, concat).
  Injective,
  /// Reduces over some dimensions (sums, maxima, softmax, statistics,
  /// losses).
  Reduction,
  /// Multiply-adds over a contracted dimension (matmul, convolution).
  Contraction,
  /// A reduction over a sliding window (pooling).
  Window,
  /// Anything else.
  Opaque,
};

/// The name of an op class ("elementwise", ...).
const char *stringifyOpClass(OpClass c);

/// The product of the static dimensions of a ranked tensor type (1 for a 0-d
/// tensor or a type that is not ranked); dynamic dimensions are skipped.
int64_t staticElementCount(mlir::Type type);

} // namespace dlc::nn

#include "dlc/Dialect/NN/IR/NNInterfaces.h.inc"

#endif // DLC_DIALECT_NN_IR_NNINTERFACES_H
