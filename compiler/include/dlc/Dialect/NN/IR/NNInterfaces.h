//===- NNInterfaces.h - Interfaces of the nn dialect ------------*- C++ -*-===//
//
// Declares the interfaces of the nn ops (generated from NNInterfaces.td): the
// per-op VJP, evaluator, Halide, fusion-class and FLOP-count rules, the
// types their signatures use, and the op traits that give each op its fusion
// class (OpClassTrait).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_IR_NNINTERFACES_H
#define DLC_DIALECT_NN_IR_NNINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/STLExtras.h"

#include <utility>
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

/// The op traits that give an op its OpClass, one per class: every nn op
/// carries exactly one of them in its ODS entry (NN_Elementwise, ...,
/// NN_Opaque in NNOps.td, usually through its ODS base class), and the
/// default FusionOpInterface::getOpClass returns the class of that trait. An
/// op with none or with two does not compile (a static_assert in the
/// interface). They are markers: no verifier, no methods.
namespace OpClassTrait {
template <typename ConcreteType>
class Elementwise
    : public mlir::OpTrait::TraitBase<ConcreteType, Elementwise> {};
template <typename ConcreteType>
class Broadcast : public mlir::OpTrait::TraitBase<ConcreteType, Broadcast> {};
template <typename ConcreteType>
class Injective : public mlir::OpTrait::TraitBase<ConcreteType, Injective> {};
template <typename ConcreteType>
class Reduction : public mlir::OpTrait::TraitBase<ConcreteType, Reduction> {};
template <typename ConcreteType>
class Contraction
    : public mlir::OpTrait::TraitBase<ConcreteType, Contraction> {};
template <typename ConcreteType>
class Window : public mlir::OpTrait::TraitBase<ConcreteType, Window> {};
template <typename ConcreteType>
class Opaque : public mlir::OpTrait::TraitBase<ConcreteType, Opaque> {};
} // namespace OpClassTrait

/// Whether op class `ConcreteOp` defines `bool sampleWise()` (an op whose
/// sample-wise behaviour depends on its attributes; see
/// FusionOpInterface::isSampleWise).
template <typename ConcreteOp>
using SampleWiseMethod = decltype(std::declval<ConcreteOp &>().sampleWise());
template <typename ConcreteOp>
constexpr bool hasSampleWiseMethod =
    llvm::is_detected<SampleWiseMethod, ConcreteOp>::value;

/// The product of the static dimensions of a ranked tensor type (1 for a 0-d
/// tensor or a type that is not ranked); dynamic dimensions are skipped.
int64_t staticElementCount(mlir::Type type);

} // namespace dlc::nn

#include "dlc/Dialect/NN/IR/NNInterfaces.h.inc"

#endif // DLC_DIALECT_NN_IR_NNINTERFACES_H
