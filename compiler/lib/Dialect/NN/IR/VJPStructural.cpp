//===- VJPStructural.cpp - VJP rules of linear-algebra and shape ops ------===//
//
// Reverse-mode rules of matmul, the reductions, the shape ops (reshape,
// transpose, broadcast, concat, slice) and the broadcasting helpers, which
// are each other's adjoints (sum_to <-> broadcast_like).
//
//===----------------------------------------------------------------------===//

#include "VJPBuilder.h"

using namespace mlir;
using namespace dlc::nn;

using VJPResult = FailureOr<SmallVector<Value>>;

VJPResult MatmulOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // C = A B: dA = dC B^T, dB = A^T dC, summed over broadcast batch dims.
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  Value ga = v.matmul(g, v.transposeLast2(getRhs()));
  Value gb = v.matmul(v.transposeLast2(getLhs()), g);
  return SmallVector<Value>{v.sumTo(ga, getLhs()), v.sumTo(gb, getRhs())};
}

/// Broadcasts the cotangent of a reduction of `x` back to the shape of `x`.
static Value unreduce(VJPBuilder &v, Value g, Value x, ArrayRef<int64_t> axes,
                      bool keepdims) {
  if (keepdims || axes.empty())
    return v.broadcastLike(g, x);
  return v.broadcastLike(g, x, axes);
}

VJPResult SumOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{
      unreduce(v, singleCotangent(cts), getX(), getAxes(), getKeepdims())};
}

VJPResult MeanOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  Value spread =
      unreduce(v, singleCotangent(cts), getX(), getAxes(), getKeepdims());
  return SmallVector<Value>{v.div(spread, v.count(getX(), getAxes()))};
}

VJPResult MaxOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  return SmallVector<Value>{builder.create<MaxGradOp>(
      getLoc(), getX().getType(), singleCotangent(cts), getX(), getAxesAttr(),
      getKeepdimsAttr())};
}

VJPResult ReshapeOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  auto inType = cast<RankedTensorType>(getX().getType());
  if (inType.getNumDynamicDims() > 1)
    return emitOpError("cannot differentiate a reshape from a type with more "
                       "than one dynamic dimension");
  return SmallVector<Value>{
      builder.create<ReshapeOp>(getLoc(), inType, singleCotangent(cts))};
}

VJPResult TransposeOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  ArrayRef<int64_t> perm = getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  return SmallVector<Value>{v.transpose(singleCotangent(cts), inverse)};
}

VJPResult BroadcastToOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{v.sumTo(singleCotangent(cts), getX())};
}

VJPResult ConcatOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // Each input's cotangent is its slice of g along the axis; every input but
  // the last needs a static size there.
  Value g = singleCotangent(cts);
  int64_t axis = getAxis(), offset = 0;
  SmallVector<Value> result;
  for (auto [i, in] : llvm::enumerate(getInputs())) {
    auto type = cast<RankedTensorType>(in.getType());
    int64_t rank = type.getRank(), size = type.getDimSize(axis);
    bool last = i + 1 == getInputs().size();
    if (!last && ShapedType::isDynamic(size))
      return emitOpError("cannot differentiate a concat whose non-last input "
                         "has a dynamic size along the axis");
    SmallVector<int64_t> starts(rank, 0), limits(rank, -1), strides(rank, 1);
    starts[axis] = offset;
    if (!last)
      limits[axis] = offset + size;
    result.push_back(builder.create<SliceOp>(
        getLoc(), type, g, builder.getDenseI64ArrayAttr(starts),
        builder.getDenseI64ArrayAttr(limits),
        builder.getDenseI64ArrayAttr(strides)));
    if (!last)
      offset += size;
  }
  return result;
}

VJPResult SliceOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  return SmallVector<Value>{builder.create<SliceGradOp>(
      getLoc(), getX().getType(), singleCotangent(cts), getX(), getStartsAttr(),
      getLimitsAttr(), getStridesAttr())};
}

VJPResult SumToOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{v.broadcastLike(singleCotangent(cts), getX()),
                            Value()};
}

VJPResult BroadcastLikeOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  if (getAxes().empty())
    return SmallVector<Value>{v.sumTo(g, getX()), Value()};
  return SmallVector<Value>{v.sum(g, getAxes(), /*keepdims=*/false), Value()};
}

VJPResult CountOp::computeVJP(OpBuilder &, ArrayRef<Value>) {
  // Depends on the shape only.
  return SmallVector<Value>{Value()};
}
