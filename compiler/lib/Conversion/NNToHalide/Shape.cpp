//===- Shape.cpp - Algorithms of the nn shape ops -------------------------===//
//
// The Halide definitions of the ops that move elements without arithmetic:
// reshape (row-major re-indexing), transpose, concat, slice and its
// gradient, broadcast_to, broadcast_like, and count (which reads only the
// shape). All are FuncKind::Elementwise: pure index arithmetic that the
// schedule inlines into consumers, so no copy is ever materialised unless
// the result leaves the group.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "dlc/Dialect/NN/IR/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::nn::hl;

namespace {

using Halide::cast;
using Halide::clamp;
using Halide::select;

/// Row-major index of flat element `flat` in a tensor of `shape`.
Index unflatten(const Expr &flat, llvm::ArrayRef<Expr> shape) {
  Index idx(shape.size());
  Expr stride = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    idx[d] = d == 0 ? flat / stride : (flat / stride) % shape[d];
    stride = stride * shape[d];
  }
  return idx;
}

LogicalResult lowerReshape(ReshapeOp o, GroupBuilder &b) {
  HTensor x = b.get(o.getX());
  auto type = o.getResult().getType();
  std::vector<Expr> shape;
  Expr known = 1;
  int64_t dynamic = -1;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (type.isDynamicDim(d)) {
      dynamic = d;
      shape.push_back(Expr());
    } else {
      known = known * static_cast<int>(type.getDimSize(d));
      shape.push_back(static_cast<int>(type.getDimSize(d)));
    }
  }
  if (dynamic >= 0)
    shape[dynamic] = Halide::Internal::simplify(product(x.shape) / known);
  Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
  Index v = pureVars(type.getRank());
  at(f, v) = x(unflatten(flatIndex(v, shape), x.shape));
  b.set(o.getResult(), f, shape);
  return success();
}

LogicalResult lowerTranspose(TransposeOp o, GroupBuilder &b) {
  HTensor x = b.get(o.getX());
  llvm::ArrayRef<int64_t> perm = o.getPerm();
  Index v = pureVars(x.rank()), src(x.rank());
  std::vector<Expr> shape;
  for (size_t i = 0; i < perm.size(); ++i) {
    src[perm[i]] = v[i];
    shape.push_back(x.shape[perm[i]]);
  }
  Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
  at(f, v) = x(src);
  b.set(o.getResult(), f, shape);
  return success();
}

LogicalResult lowerConcat(ConcatOp o, GroupBuilder &b) {
  int64_t axis = o.getAxis();
  std::vector<HTensor> inputs;
  std::vector<Expr> offsets;
  Expr offset = 0;
  for (Value in : o.getInputs()) {
    inputs.push_back(b.get(in));
    offsets.push_back(offset);
    offset = Halide::Internal::simplify(offset + inputs.back().shape[axis]);
  }
  std::vector<Expr> shape = inputs.front().shape;
  shape[axis] = offset;
  Index v = pureVars(static_cast<int64_t>(shape.size()));
  // A select chain over the pieces; each read is clamped into its piece so
  // that bounds inference never asks an input for more than it has.
  auto piece = [&](size_t k) {
    Index idx = v;
    idx[axis] = clamp(v[axis] - offsets[k], 0, inputs[k].shape[axis] - 1);
    return inputs[k](idx);
  };
  Expr value = piece(inputs.size() - 1);
  for (int64_t k = static_cast<int64_t>(inputs.size()) - 2; k >= 0; --k)
    value = select(v[axis] < offsets[k + 1], piece(k), value);
  Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
  at(f, v) = value;
  b.set(o.getResult(), f, shape);
  return success();
}

/// The number of elements a slice takes along each dimension of `x`.
std::vector<Expr> slicedShape(const HTensor &x, llvm::ArrayRef<int64_t> starts,
                              llvm::ArrayRef<int64_t> limits,
                              llvm::ArrayRef<int64_t> strides) {
  std::vector<Expr> shape;
  for (int64_t d = 0; d < x.rank(); ++d) {
    Expr limit = limits[d] == -1 ? x.shape[d] : Expr((int)limits[d]);
    shape.push_back(Halide::Internal::simplify(Halide::max(
        0, (limit - (int)starts[d] + (int)strides[d] - 1) / (int)strides[d])));
  }
  return shape;
}

LogicalResult lowerSlice(SliceOp o, GroupBuilder &b) {
  HTensor x = b.get(o.getX());
  llvm::ArrayRef<int64_t> starts = o.getStarts(), strides = o.getStrides();
  std::vector<Expr> shape = slicedShape(x, starts, o.getLimits(), strides);
  Index v = pureVars(x.rank()), src;
  for (int64_t d = 0; d < x.rank(); ++d)
    src.push_back((int)starts[d] + v[d] * (int)strides[d]);
  Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
  at(f, v) = x(src);
  b.set(o.getResult(), f, shape);
  return success();
}

LogicalResult lowerSliceGrad(SliceGradOp o, GroupBuilder &b) {
  HTensor g = b.get(o.getGrad()), ref = b.get(o.getRef());
  llvm::ArrayRef<int64_t> starts = o.getStarts(), strides = o.getStrides();
  Index v = pureVars(ref.rank()), src;
  Expr hit = Halide::Internal::const_true();
  for (int64_t d = 0; d < ref.rank(); ++d) {
    Expr t = v[d] - (int)starts[d];
    Expr k = t / (int)strides[d];
    hit = hit && t >= 0 && t % (int)strides[d] == 0 && k < g.shape[d];
    src.push_back(clamp(k, 0, g.shape[d] - 1));
  }
  Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
  at(f, v) = select(hit, g(src), f32(0));
  b.set(o.getResult(), f, ref.shape);
  return success();
}

LogicalResult lowerBroadcastTo(BroadcastToOp o, GroupBuilder &b) {
  HTensor x = b.get(o.getX());
  auto type = o.getResult().getType();
  int64_t rank = type.getRank(), offset = rank - x.rank();
  std::vector<Expr> shape;
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(type.isDynamicDim(d) ? x.shape[d - offset]
                                         : Expr((int)type.getDimSize(d)));
  Index v = pureVars(rank);
  Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
  at(f, v) = x(broadcastIndex(x, v));
  b.set(o.getResult(), f, shape);
  return success();
}

LogicalResult lowerBroadcastLike(BroadcastLikeOp o, GroupBuilder &b) {
  HTensor x = b.get(o.getX()), ref = b.get(o.getRef());
  llvm::ArrayRef<int64_t> axes = o.getAxes();
  Index v = pureVars(ref.rank());
  Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
  if (axes.empty()) {
    at(f, v) = x(broadcastIndex(x, v));
  } else {
    // x lacks exactly the dimensions `axes` of ref.
    Index src;
    for (int64_t d = 0; d < ref.rank(); ++d)
      if (!llvm::is_contained(axes, d))
        src.push_back(v[d]);
    at(f, v) = x(src);
  }
  b.set(o.getResult(), f, ref.shape);
  return success();
}

LogicalResult lowerCount(CountOp o, GroupBuilder &b) {
  HTensor x = b.get(o.getX());
  llvm::ArrayRef<int64_t> axes = o.getAxes();
  std::vector<Expr> counted;
  for (int64_t d = 0; d < x.rank(); ++d)
    if (axes.empty() || llvm::is_contained(axes, d))
      counted.push_back(x.shape[d]);
  Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
  at(f, {}) = cast<float>(product(counted));
  b.set(o.getResult(), f, {});
  return success();
}

} // namespace

LogicalResult hl::lowerShapeOp(Operation *op, GroupBuilder &b, bool &handled) {
  handled = true;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<ReshapeOp>([&](ReshapeOp o) { return lowerReshape(o, b); })
      .Case<TransposeOp>([&](TransposeOp o) { return lowerTranspose(o, b); })
      .Case<ConcatOp>([&](ConcatOp o) { return lowerConcat(o, b); })
      .Case<SliceOp>([&](SliceOp o) { return lowerSlice(o, b); })
      .Case<SliceGradOp>([&](SliceGradOp o) { return lowerSliceGrad(o, b); })
      .Case<BroadcastToOp>(
          [&](BroadcastToOp o) { return lowerBroadcastTo(o, b); })
      .Case<BroadcastLikeOp>(
          [&](BroadcastLikeOp o) { return lowerBroadcastLike(o, b); })
      .Case<CountOp>([&](CountOp o) { return lowerCount(o, b); })
      .Default([&](Operation *) {
        handled = false;
        return failure();
      });
}
