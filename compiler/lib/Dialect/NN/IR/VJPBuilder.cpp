//===- VJPBuilder.cpp - Helpers to write VJP rules ------------------------===//
//
// Implements VJPBuilder: creation of nn ops with computed result types for the
// reverse-mode rules.
//
//===----------------------------------------------------------------------===//

#include "VJPBuilder.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace dlc::nn;

Value VJPBuilder::scalar(double value, Value like) {
  Type elem = typeOf(like).getElementType();
  auto type = RankedTensorType::get({}, elem);
  auto attr = DenseElementsAttr::get(type, b.getFloatAttr(elem, value));
  return b.create<ConstantOp>(loc, attr);
}

Value VJPBuilder::sumTo(Value x, Value ref) {
  if (x.getType() == ref.getType())
    return x;
  return b.create<SumToOp>(loc, ref.getType(), x, ref);
}

Value VJPBuilder::broadcastLike(Value x, Value ref, ArrayRef<int64_t> axes) {
  if (axes.empty() && x.getType() == ref.getType())
    return x;
  return b.create<BroadcastLikeOp>(loc, ref.getType(), x, ref,
                                   b.getDenseI64ArrayAttr(axes));
}

Value VJPBuilder::sum(Value x, ArrayRef<int64_t> axes, bool keepdims) {
  return b.create<SumOp>(loc, x, axes, keepdims);
}

Value VJPBuilder::count(Value x, ArrayRef<int64_t> axes) {
  auto type = RankedTensorType::get({}, typeOf(x).getElementType());
  return b.create<CountOp>(loc, type, x, b.getDenseI64ArrayAttr(axes));
}

Value VJPBuilder::transpose(Value x, ArrayRef<int64_t> perm) {
  return b.create<TransposeOp>(loc, x, perm);
}

Value VJPBuilder::transposeLast2(Value x) {
  int64_t rank = typeOf(x).getRank();
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank; ++i)
    perm.push_back(i);
  std::swap(perm[rank - 1], perm[rank - 2]);
  return transpose(x, perm);
}

Value VJPBuilder::matmul(Value x, Value y) {
  return b.create<MatmulOp>(loc, x, y);
}
