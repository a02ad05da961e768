//===- VJPBuilder.h - Helpers to write VJP rules ----------------*- C++ -*-===//
//
// A thin wrapper around OpBuilder that creates nn ops and computes their
// result types (broadcasting, reductions), so that each VJP rule reads like
// the formula it implements. Private to the nn IR library.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_DIALECT_NN_IR_VJPBUILDER_H
#define DLC_LIB_DIALECT_NN_IR_VJPBUILDER_H

#include "dlc/Dialect/NN/IR/NNOps.h"

#include "mlir/IR/Builders.h"

namespace dlc::nn {

/// Creates nn ops at the builder's insertion point with inferred types.
class VJPBuilder {
public:
  VJPBuilder(mlir::OpBuilder &builder, mlir::Location loc)
      : b(builder), loc(loc) {}

  static mlir::RankedTensorType typeOf(mlir::Value v) {
    return mlir::cast<mlir::RankedTensorType>(v.getType());
  }

  /// A 0-d constant of the element type of `like`.
  mlir::Value scalar(double value, mlir::Value like);

  mlir::Value add(mlir::Value x, mlir::Value y) { return binary<AddOp>(x, y); }
  mlir::Value sub(mlir::Value x, mlir::Value y) { return binary<SubOp>(x, y); }
  mlir::Value mul(mlir::Value x, mlir::Value y) { return binary<MulOp>(x, y); }
  mlir::Value div(mlir::Value x, mlir::Value y) { return binary<DivOp>(x, y); }
  mlir::Value neg(mlir::Value x) { return b.create<NegOp>(loc, x); }
  mlir::Value exp(mlir::Value x) { return b.create<ExpOp>(loc, x); }
  mlir::Value log(mlir::Value x) { return b.create<LogOp>(loc, x); }
  mlir::Value sign(mlir::Value x) { return b.create<SignOp>(loc, x); }
  mlir::Value sigmoid(mlir::Value x) { return b.create<SigmoidOp>(loc, x); }
  /// `x * c` for a constant `c`.
  mlir::Value scale(mlir::Value x, double c) { return mul(x, scalar(c, x)); }

  /// Sums `x` down to the shape of `ref` (identity when the types agree).
  mlir::Value sumTo(mlir::Value x, mlir::Value ref);
  /// Broadcasts `x` to the run-time shape of `ref`; `axes` as in
  /// nn.broadcast_like (identity when the types agree and no axes).
  mlir::Value broadcastLike(mlir::Value x, mlir::Value ref,
                            llvm::ArrayRef<int64_t> axes = {});
  /// nn.sum over `axes` (all when empty).
  mlir::Value sum(mlir::Value x, llvm::ArrayRef<int64_t> axes, bool keepdims);
  /// Number of elements of `x` along `axes` (all when empty), 0-d.
  mlir::Value count(mlir::Value x, llvm::ArrayRef<int64_t> axes = {});
  mlir::Value transpose(mlir::Value x, llvm::ArrayRef<int64_t> perm);
  /// Swaps the last two dimensions.
  mlir::Value transposeLast2(mlir::Value x);
  mlir::Value matmul(mlir::Value x, mlir::Value y);

  mlir::OpBuilder &b;
  mlir::Location loc;

private:
  /// A broadcasting binary op; its builder infers the result type.
  template <typename OpT> mlir::Value binary(mlir::Value x, mlir::Value y) {
    return b.create<OpT>(loc, x, y);
  }
};

/// Collects the cotangents of a single-result op: the one cotangent.
inline mlir::Value singleCotangent(llvm::ArrayRef<mlir::Value> cotangents) {
  assert(cotangents.size() == 1 && "expected one result cotangent");
  return cotangents.front();
}

} // namespace dlc::nn

#endif // DLC_LIB_DIALECT_NN_IR_VJPBUILDER_H
