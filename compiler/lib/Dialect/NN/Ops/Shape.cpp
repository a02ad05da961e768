//===- Shape.cpp - Rules of the shape ops ---------------------------------===//
//
// The Shape ops: reshape, transpose, broadcast_to, broadcast_like, concat,
// split, slice (+slice_grad), pad, flip, one_hot, gather (+gather_grad). For
// each op, one after another: its VJP (VJPOpInterface), its reference-evaluator
// rule (EvaluableOpInterface), its Halide algorithm (HalideOpInterface) and,
// where it is not the default, its FLOP count (CostOpInterface). Their fusion
// classes are op-class traits in their ODS entries (FusionOpInterface,
// NNInterfaces.td), not C++.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::nn::hl;

using VJPResult = FailureOr<SmallVector<Value>>;

//===----------------------------------------------------------------------===//
// Helpers of this family
//===----------------------------------------------------------------------===//

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

LogicalResult lowerSplit(SplitOp o, GroupBuilder &b) {
  HTensor x = b.get(o.getX());
  int64_t axis = o.getAxis(), offset = 0;
  for (Value piece : o.getPieces()) {
    int64_t size = cast<RankedTensorType>(piece.getType()).getDimSize(axis);
    Index v = pureVars(x.rank()), src = v;
    src[axis] = v[axis] + (int)offset;
    std::vector<Expr> shape = x.shape;
    shape[axis] = (int)size;
    Func f = b.newResultFunc(o, piece, FuncKind::Elementwise);
    at(f, v) = x(src);
    b.set(piece, f, shape);
    offset += size;
  }
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

} // namespace

//===----------------------------------------------------------------------===//
// Reshape
//===----------------------------------------------------------------------===//

VJPResult ReshapeOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  auto inType = cast<RankedTensorType>(getX().getType());
  if (inType.getNumDynamicDims() > 1)
    return emitOpError("cannot differentiate a reshape from a type with more "
                       "than one dynamic dimension");
  return SmallVector<Value>{
      builder.create<ReshapeOp>(getLoc(), inType, singleCotangent(cts))};
}

LogicalResult ReshapeOp::evaluate(ArrayRef<const Tensor *> operands,
                                  std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  ReshapeOp o = *this;
  const Tensor &x = f.get(o.getX());
  Shape shape = f.resultShape(o.getResult());
  int64_t known = 1, dynamic = -1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (ShapedType::isDynamic(shape[d]))
      dynamic = d;
    else
      known *= shape[d];
  }
  if (dynamic >= 0 && known > 0)
    shape[dynamic] = x.size() / known;
  if (numElements(shape) != x.size())
    return o.emitError("evaluator: reshape changes the element count");
  return f.set(o.getResult(), Tensor(shape, x.data));
}

LogicalResult ReshapeOp::lowerToHalide(GroupBuilder &b) {
  ReshapeOp o = *this;
  return lowerReshape(o, b);
}

/// Each sample keeps its elements: the same count per sample before and
/// after (the batch is the only dynamic dimension).
bool ReshapeOp::sampleWise() {
  auto in = cast<RankedTensorType>(getX().getType());
  auto out = cast<RankedTensorType>(getResult().getType());
  if (in.getRank() == 0 || out.getRank() == 0)
    return false;
  for (auto t : {in, out})
    for (int64_t i = 1; i < t.getRank(); ++i)
      if (t.isDynamicDim(i))
        return false;
  return staticElementCount(in) == staticElementCount(out);
}

//===----------------------------------------------------------------------===//
// Transpose
//===----------------------------------------------------------------------===//

VJPResult TransposeOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  ArrayRef<int64_t> perm = getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  return SmallVector<Value>{v.transpose(singleCotangent(cts), inverse)};
}

LogicalResult TransposeOp::evaluate(ArrayRef<const Tensor *> operands,
                                    std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  TransposeOp o = *this;
  const Tensor &x = f.get(o.getX());
  ArrayRef<int64_t> perm = o.getPerm();
  Shape shape;
  for (int64_t p : perm)
    shape.push_back(x.shape[p]);
  Shape xStrides = stridesOf(x.shape);
  Tensor y(shape);
  for (int64_t i = 0; i < y.size(); ++i) {
    Shape idx = unflatten(i, shape);
    int64_t src = 0;
    for (size_t d = 0; d < perm.size(); ++d)
      src += idx[d] * xStrides[perm[d]];
    y.data[i] = x.data[src];
  }
  return f.set(o.getResult(), std::move(y));
}

LogicalResult TransposeOp::lowerToHalide(GroupBuilder &b) {
  TransposeOp o = *this;
  return lowerTranspose(o, b);
}

bool TransposeOp::sampleWise() {
  return !getPerm().empty() && getPerm()[0] == 0;
}

//===----------------------------------------------------------------------===//
// BroadcastTo
//===----------------------------------------------------------------------===//

VJPResult BroadcastToOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{v.sumTo(singleCotangent(cts), getX())};
}

LogicalResult BroadcastToOp::evaluate(ArrayRef<const Tensor *> operands,
                                      std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  BroadcastToOp o = *this;
  const Tensor &x = f.get(o.getX());
  Shape shape = f.resultShape(o.getResult());
  size_t offset = shape.size() - x.shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    if (ShapedType::isDynamic(shape[d]))
      shape[d] = x.shape[d - offset];
  Shape check;
  if (!broadcastRuntime(x.shape, shape, check) || check != shape)
    return o.emitError("evaluator: operand does not broadcast");
  return f.set(o.getResult(), broadcast(x, shape));
}

LogicalResult BroadcastToOp::lowerToHalide(GroupBuilder &b) {
  BroadcastToOp o = *this;
  return lowerBroadcastTo(o, b);
}

bool BroadcastToOp::sampleWise() { return true; }

//===----------------------------------------------------------------------===//
// BroadcastLike
//===----------------------------------------------------------------------===//

VJPResult BroadcastLikeOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  if (getAxes().empty())
    return SmallVector<Value>{v.sumTo(g, getX()), Value()};
  return SmallVector<Value>{v.sum(g, getAxes(), /*keepdims=*/false), Value()};
}

LogicalResult BroadcastLikeOp::evaluate(ArrayRef<const Tensor *> operands,
                                        std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  BroadcastLikeOp o = *this;
  const Tensor &x = f.get(o.getX());
  const Shape &shape = f.get(o.getRef()).shape;
  ArrayRef<int64_t> axes = o.getAxes();
  if (axes.empty()) {
    Shape check;
    if (!broadcastRuntime(x.shape, shape, check) || check != shape)
      return o.emitError("evaluator: operand does not broadcast");
    return f.set(o.getResult(), broadcast(x, shape));
  }
  if (reduceShape(shape, axes, false) != x.shape)
    return o.emitError("evaluator: operand shape does not match ref");
  Tensor y(shape);
  for (int64_t i = 0; i < y.size(); ++i)
    y.data[i] = x.data[reducedIndex(unflatten(i, shape), shape, axes)];
  return f.set(o.getResult(), std::move(y));
}

LogicalResult BroadcastLikeOp::lowerToHalide(GroupBuilder &b) {
  BroadcastLikeOp o = *this;
  return lowerBroadcastLike(o, b);
}

bool BroadcastLikeOp::sampleWise() { return true; }

//===----------------------------------------------------------------------===//
// Concat
//===----------------------------------------------------------------------===//

VJPResult ConcatOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // Each input's cotangent is its slice of g along the axis; every input but
  // the last needs a static size there.
  Value g = singleCotangent(cts);
  int64_t axis = getAxis(), offset = 0;
  SmallVector<Value> result;
  // All sizes static: one nn.split (one kernel, whatever the number of
  // inputs), where a slice per input is one kernel per offset.
  if (!cast<RankedTensorType>(g.getType()).isDynamicDim(axis)) {
    SmallVector<Type> types;
    for (Value in : getInputs())
      types.push_back(in.getType());
    auto split = builder.create<SplitOp>(getLoc(), types, g,
                                         builder.getI64IntegerAttr(axis));
    result.append(split.getPieces().begin(), split.getPieces().end());
    return result;
  }
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

LogicalResult ConcatOp::evaluate(ArrayRef<const Tensor *> operands,
                                 std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  for (const Tensor *t : operands)
    for (int64_t d = 0; d < t->rank(); ++d)
      if (d != (int64_t)getAxis() && t->shape[d] != operands[0]->shape[d])
        return f.mismatch();
  ConcatOp o = *this;

  int64_t axis = o.getAxis();
  Shape shape = f.get(o.getInputs().front()).shape;
  shape[axis] = 0;
  for (Value in : o.getInputs())
    shape[axis] += f.get(in).shape[axis];
  Tensor y(shape);
  int64_t offset = 0;
  for (Value in : o.getInputs()) {
    const Tensor &x = f.get(in);
    for (int64_t i = 0; i < x.size(); ++i) {
      Shape idx = unflatten(i, x.shape);
      idx[axis] += offset;
      int64_t dst = 0;
      for (size_t d = 0; d < shape.size(); ++d)
        dst = dst * shape[d] + idx[d];
      y.data[dst] = x.data[i];
    }
    offset += x.shape[axis];
  }
  return f.set(o.getResult(), std::move(y));
}

LogicalResult ConcatOp::lowerToHalide(GroupBuilder &b) {
  ConcatOp o = *this;
  return lowerConcat(o, b);
}

bool ConcatOp::sampleWise() { return getAxis() != 0; }

//===----------------------------------------------------------------------===//
// Split
//===----------------------------------------------------------------------===//

VJPResult SplitOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // The cotangents concatenated back; a piece without one contributes zeros
  // of its (run-time) shape.
  SmallVector<Value> parts;
  for (auto [piece, ct] : llvm::zip(getPieces(), cts))
    parts.push_back(ct ? ct : builder.create<ZerosLikeOp>(getLoc(), piece));
  if (parts.size() == 1)
    return parts;
  return SmallVector<Value>{builder.create<ConcatOp>(getLoc(), getX().getType(),
                                                     parts, getAxisAttr())};
}

LogicalResult SplitOp::evaluate(ArrayRef<const Tensor *> operands,
                                std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  const Tensor &x = f.get(getX());
  int64_t axis = getAxis(), offset = 0;
  if ((int64_t)x.shape.size() <= axis)
    return f.mismatch();
  for (Value piece : getPieces()) {
    Shape shape = x.shape;
    shape[axis] = cast<RankedTensorType>(piece.getType()).getDimSize(axis);
    if (offset + shape[axis] > x.shape[axis])
      return f.mismatch();
    Tensor y(shape);
    for (int64_t i = 0; i < y.size(); ++i) {
      Shape idx = unflatten(i, shape);
      idx[axis] += offset;
      int64_t src = 0;
      for (size_t d = 0; d < idx.size(); ++d)
        src = src * x.shape[d] + idx[d];
      y.data[i] = x.data[src];
    }
    offset += shape[axis];
    if (failed(f.set(piece, std::move(y))))
      return failure();
  }
  return success();
}

LogicalResult SplitOp::lowerToHalide(GroupBuilder &b) {
  SplitOp o = *this;
  return lowerSplit(o, b);
}

bool SplitOp::sampleWise() { return getAxis() != 0; }

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

VJPResult SliceOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  return SmallVector<Value>{builder.create<SliceGradOp>(
      getLoc(), getX().getType(), singleCotangent(cts), getX(), getStartsAttr(),
      getLimitsAttr(), getStridesAttr())};
}

template <typename OpT>
static LogicalResult evaluateSliceOrGrad(OpT o, EvalFrame &f) {
  Operation *op = o.getOperation();
  // Both walk the sliced positions; slice reads them, slice_grad
  // scatters into zeros.
  bool isGrad = isa<SliceGradOp>(op);
  const Tensor &x = f.get(op->getOperand(isGrad ? 1 : 0));
  ArrayRef<int64_t> starts = o.getStarts(), limits = o.getLimits(),
                    strides = o.getStrides();
  Shape sliced;
  for (size_t d = 0; d < x.shape.size(); ++d) {
    int64_t limit = limits[d] == -1 ? x.shape[d] : limits[d];
    if (limit > x.shape[d])
      return o.emitError("evaluator: slice limit out of range");
    sliced.push_back(std::max<int64_t>(0, (limit - starts[d] + strides[d] - 1) /
                                              strides[d]));
  }
  Shape xStrides = stridesOf(x.shape);
  Tensor out(isGrad ? x.shape : sliced);
  const Tensor *g = isGrad ? &f.get(op->getOperand(0)) : nullptr;
  if (g && g->shape != sliced)
    return o.emitError("evaluator: grad shape does not match slice");
  for (int64_t i = 0; i < numElements(sliced); ++i) {
    Shape idx = unflatten(i, sliced);
    int64_t src = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      src += (starts[d] + idx[d] * strides[d]) * xStrides[d];
    if (isGrad)
      out.data[src] += g->data[i];
    else
      out.data[i] = x.data[src];
  }
  return f.set(op->getResult(0), std::move(out));
}

LogicalResult SliceOp::evaluate(ArrayRef<const Tensor *> operands,
                                std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluateSliceOrGrad(*this, f);
}

LogicalResult SliceOp::lowerToHalide(GroupBuilder &b) {
  SliceOp o = *this;
  return lowerSlice(o, b);
}

bool SliceOp::sampleWise() {
  return !getStarts().empty() && getStarts()[0] == 0 &&
         getStrides()[0] == 1 &&
         cast<RankedTensorType>(getResult().getType()).isDynamicDim(0);
}

//===----------------------------------------------------------------------===//
// SliceGrad
//===----------------------------------------------------------------------===//

LogicalResult SliceGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                    std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluateSliceOrGrad(*this, f);
}

LogicalResult SliceGradOp::lowerToHalide(GroupBuilder &b) {
  SliceGradOp o = *this;
  return lowerSliceGrad(o, b);
}

//===----------------------------------------------------------------------===//
// Pad (its verifier is here: the shape rule of the op lives with it)
//===----------------------------------------------------------------------===//

LogicalResult PadOp::verify() {
  auto x = getX().getType(), r = getResult().getType();
  ArrayRef<int64_t> before = getBefore(), after = getAfter();
  if ((int64_t)before.size() != x.getRank() ||
      (int64_t)after.size() != x.getRank())
    return emitOpError("needs one 'before' and one 'after' per dimension");
  for (int64_t d = 0; d < x.getRank(); ++d) {
    if (before[d] < 0 || after[d] < 0)
      return emitOpError("padding must be non-negative");
    if (x.isDynamicDim(d) || r.isDynamicDim(d)) {
      if (before[d] || after[d] || x.isDynamicDim(d) != r.isDynamicDim(d))
        return emitOpError("dimension ") << d << " is dynamic and padded";
      continue;
    }
    if (r.getDimSize(d) != x.getDimSize(d) + before[d] + after[d])
      return emitOpError("dimension ")
             << d << " of the result is " << r.getDimSize(d) << ", expected "
             << x.getDimSize(d) + before[d] + after[d];
  }
  return success();
}

VJPResult PadOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // The gradient drops the padding: the slice [before, before + n).
  auto x = getX().getType();
  SmallVector<int64_t> starts, limits, strides;
  for (int64_t d = 0; d < x.getRank(); ++d) {
    starts.push_back(getBefore()[d]);
    limits.push_back(x.isDynamicDim(d) ? -1
                                       : getBefore()[d] + x.getDimSize(d));
    strides.push_back(1);
  }
  return SmallVector<Value>{builder.create<SliceOp>(
      getLoc(), x, singleCotangent(cts), builder.getDenseI64ArrayAttr(starts),
      builder.getDenseI64ArrayAttr(limits),
      builder.getDenseI64ArrayAttr(strides))};
}

LogicalResult PadOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  const Tensor &x = f.get(getX());
  ArrayRef<int64_t> before = getBefore(), after = getAfter();
  if (before.size() != x.shape.size())
    return emitError("evaluator: pad needs one padding per dimension");
  Shape shape;
  for (size_t d = 0; d < x.shape.size(); ++d)
    shape.push_back(x.shape[d] + before[d] + after[d]);
  Tensor y(shape);
  Shape xStrides = stridesOf(x.shape);
  double value = getValue().convertToDouble();
  for (int64_t i = 0; i < numElements(shape); ++i) {
    Shape idx = unflatten(i, shape);
    int64_t src = 0;
    bool inside = true;
    for (size_t d = 0; d < idx.size(); ++d) {
      int64_t k = idx[d] - before[d];
      inside &= k >= 0 && k < x.shape[d];
      src += k * xStrides[d];
    }
    y.data[i] = inside ? x.data[src] : value;
  }
  return f.set(getResult(), std::move(y));
}

LogicalResult PadOp::lowerToHalide(GroupBuilder &b) {
  HTensor x = b.get(getX());
  ArrayRef<int64_t> before = getBefore(), after = getAfter();
  Index v = pureVars(x.rank()), src;
  std::vector<Expr> shape;
  Expr inside = Halide::Internal::const_true();
  for (int64_t d = 0; d < x.rank(); ++d) {
    Expr k = v[d] - (int)before[d];
    inside = inside && k >= 0 && k < x.shape[d];
    src.push_back(clamp(k, 0, x.shape[d] - 1));
    shape.push_back(Halide::Internal::simplify(x.shape[d] + (int)before[d] +
                                               (int)after[d]));
  }
  Func f = b.newResultFunc(*this, getResult(), FuncKind::Elementwise);
  at(f, v) = select(inside, x(src), f32(getValue().convertToDouble()));
  b.set(getResult(), f, shape);
  return success();
}

bool PadOp::sampleWise() {
  return !getBefore().empty() && getBefore()[0] == 0 && getAfter()[0] == 0;
}

//===----------------------------------------------------------------------===//
// Flip
//===----------------------------------------------------------------------===//

LogicalResult FlipOp::verify() {
  int64_t rank = getX().getType().getRank(), last = -1;
  for (int64_t a : getAxes()) {
    if (a < 0 || a >= rank || a <= last)
      return emitOpError("axes must be sorted, distinct and in [0, ")
             << rank << ")";
    last = a;
  }
  return success();
}

VJPResult FlipOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  return SmallVector<Value>{builder.create<FlipOp>(
      getLoc(), getX().getType(), singleCotangent(cts), getAxesAttr())};
}

LogicalResult FlipOp::evaluate(ArrayRef<const Tensor *> operands,
                               std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  const Tensor &x = f.get(getX());
  std::vector<bool> flipped(x.shape.size(), false);
  for (int64_t a : getAxes())
    if (a >= 0 && a < (int64_t)flipped.size())
      flipped[a] = true;
  Tensor y(x.shape);
  Shape strides = stridesOf(x.shape);
  for (int64_t i = 0; i < numElements(x.shape); ++i) {
    Shape idx = unflatten(i, x.shape);
    int64_t src = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      src += (flipped[d] ? x.shape[d] - 1 - idx[d] : idx[d]) * strides[d];
    y.data[i] = x.data[src];
  }
  return f.set(getResult(), std::move(y));
}

LogicalResult FlipOp::lowerToHalide(GroupBuilder &b) {
  HTensor x = b.get(getX());
  Index v = pureVars(x.rank()), src(v.begin(), v.end());
  for (int64_t a : getAxes())
    src[a] = x.shape[a] - 1 - v[a];
  Func f = b.newResultFunc(*this, getResult(), FuncKind::Elementwise);
  at(f, v) = x(src);
  b.set(getResult(), f, x.shape);
  return success();
}

bool FlipOp::sampleWise() { return !llvm::is_contained(getAxes(), 0); }

//===----------------------------------------------------------------------===//
// OneHot (not differentiable: its operand is integer)
//===----------------------------------------------------------------------===//

LogicalResult OneHotOp::verify() {
  auto yt = getY().getType();
  auto rt = getResult().getType();
  int64_t classes = getClasses();
  if (classes < 1)
    return emitOpError("classes must be at least 1, got ") << classes;
  if (rt.getRank() != yt.getRank() + 1)
    return emitOpError("result must have rank ")
           << yt.getRank() + 1 << " (the indices' rank + 1)";
  for (int64_t d = 0; d < yt.getRank(); ++d) {
    int64_t a = yt.getDimSize(d), r = rt.getDimSize(d);
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(r) && a != r)
      return emitOpError("dimension ")
             << d << " of the result is " << r << ", expected " << a;
  }
  int64_t last = rt.getDimSize(yt.getRank());
  if (ShapedType::isDynamic(last) || last != classes)
    return emitOpError("the last dimension of the result must be classes = ")
           << classes;
  return success();
}

LogicalResult OneHotOp::evaluate(ArrayRef<const Tensor *> operands,
                                 std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  const Tensor &y = f.get(getY());
  int64_t c = getClasses();
  Shape shape = y.shape;
  shape.push_back(c);
  Tensor out(shape);
  for (int64_t i = 0; i < y.size(); ++i) {
    double v = y.data[i];
    // Out of range (or not an integer): a row of zeros.
    if (v >= 0 && v < (double)c && v == std::floor(v))
      out.data[i * c + (int64_t)v] = 1.0;
  }
  return f.set(getResult(), std::move(out));
}

LogicalResult OneHotOp::lowerToHalide(GroupBuilder &b) {
  HTensor y = b.get(getY());
  Index v = pureVars(y.rank() + 1);
  Index src(v.begin(), v.end() - 1);
  // Compared in the indices' own type: an out-of-range index matches no
  // class, so its row is zeros.
  Expr k = cast(y.type, v.back());
  Func f = b.newResultFunc(*this, getResult(), FuncKind::Elementwise);
  at(f, v) = select(y(src) == k, f32(1), f32(0));
  std::vector<Expr> shape = y.shape;
  shape.push_back(Expr((int)getClasses()));
  b.set(getResult(), f, shape);
  return success();
}

bool OneHotOp::sampleWise() { return true; }

//===----------------------------------------------------------------------===//
// Gather (+gather_grad)
//===----------------------------------------------------------------------===//

/// The shape of gather(x, ids, axis): x's with dimension `axis` replaced by
/// the shape of ids.
static SmallVector<int64_t> gatheredShape(RankedTensorType x,
                                          RankedTensorType ids, int64_t axis) {
  SmallVector<int64_t> shape(x.getShape().take_front(axis));
  llvm::append_range(shape, ids.getShape());
  llvm::append_range(shape, x.getShape().drop_front(axis + 1));
  return shape;
}

/// The rule both ops share: a static gathered axis of `x`, and `gathered`
/// (gather's result, gather_grad's cotangent) shaped as gatheredShape.
static LogicalResult verifyGather(Operation *op, RankedTensorType x,
                                  RankedTensorType ids,
                                  RankedTensorType gathered, int64_t axis) {
  if (axis < 0 || axis >= x.getRank())
    return op->emitOpError("axis ")
           << axis << " out of range for rank " << x.getRank();
  if (x.isDynamicDim(axis))
    return op->emitOpError("the gathered axis ") << axis << " is dynamic";
  SmallVector<int64_t> want = gatheredShape(x, ids, axis);
  if (failed(verifyCompatibleShape(want, gathered.getShape())))
    return op->emitOpError("the gathered tensor must be shaped ")
           << RankedTensorType::get(want, x.getElementType()) << ", got "
           << gathered;
  return success();
}

/// Flat extents of a gather: the elements before the axis (outer), along
/// it (size), after it (inner) and the number of indices.
struct GatherExtents {
  int64_t outer = 1, size, inner = 1, count;
  GatherExtents(const Shape &x, const Tensor &ids, int64_t axis)
      : size(x[axis]), count(ids.size()) {
    for (int64_t d = 0; d < axis; ++d)
      outer *= x[d];
    for (int64_t d = axis + 1; d < (int64_t)x.size(); ++d)
      inner *= x[d];
  }
};

/// The Halide index of `ids` in range of the gathered axis, clamped into
/// it, and whether it was in range.
static std::pair<Expr, Expr> gatherIndex(const HTensor &ids,
                                         llvm::ArrayRef<Expr> at, Expr size) {
  Expr id = ids(at);
  Halide::Type t = id.type();
  Expr valid = id >= Halide::Internal::make_zero(t) && id < cast(t, size);
  Expr k =
      cast<int>(clamp(id, Halide::Internal::make_zero(t), cast(t, size - 1)));
  return {k, valid};
}

LogicalResult GatherOp::verify() {
  return verifyGather(*this, getX().getType(), getIds().getType(),
                      getResult().getType(), getAxis());
}

VJPResult GatherOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  return SmallVector<Value>{
      builder.create<GatherGradOp>(getLoc(), getX().getType(),
                                   singleCotangent(cts), getIds(), getX(),
                                   getAxisAttr()),
      Value()};
}

LogicalResult GatherOp::evaluate(ArrayRef<const Tensor *> operands,
                                 std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  const Tensor &x = f.get(getX()), &ids = f.get(getIds());
  int64_t axis = getAxis();
  GatherExtents e(x.shape, ids, axis);
  Shape shape(x.shape.begin(), x.shape.begin() + axis);
  shape.insert(shape.end(), ids.shape.begin(), ids.shape.end());
  shape.insert(shape.end(), x.shape.begin() + axis + 1, x.shape.end());
  Tensor out(shape);
  for (int64_t o = 0; o < e.outer; ++o)
    for (int64_t p = 0; p < e.count; ++p) {
      double id = ids.data[p];
      if (!(id >= 0 && id < (double)e.size))
        continue; // out of range: zeros
      for (int64_t i = 0; i < e.inner; ++i)
        out.data[(o * e.count + p) * e.inner + i] =
            x.data[(o * e.size + (int64_t)id) * e.inner + i];
    }
  return f.set(getResult(), std::move(out));
}

LogicalResult GatherOp::lowerToHalide(GroupBuilder &b) {
  HTensor x = b.get(getX()), ids = b.get(getIds());
  int64_t axis = getAxis(), k = ids.rank();
  Index v = pureVars(x.rank() - 1 + k);
  Index at(v.begin() + axis, v.begin() + axis + k);
  auto [id, valid] = gatherIndex(ids, at, x.shape[axis]);
  Index src(v.begin(), v.begin() + axis);
  src.push_back(id);
  src.insert(src.end(), v.begin() + axis + k, v.end());
  Func f = b.newResultFunc(*this, getResult(), FuncKind::Elementwise);
  hl::at(f, v) = select(valid, x(src), Halide::Internal::make_zero(x.type));
  std::vector<Expr> shape(x.shape.begin(), x.shape.begin() + axis);
  shape.insert(shape.end(), ids.shape.begin(), ids.shape.end());
  shape.insert(shape.end(), x.shape.begin() + axis + 1, x.shape.end());
  b.set(getResult(), f, shape);
  return success();
}

bool GatherOp::sampleWise() {
  // The batch stays the leading dimension: x's (gathered along another
  // axis) or, when x is a table, that of the indices taken along axis 0.
  RankedTensorType x = getX().getType(), ids = getIds().getType();
  if (x.getRank() > 0 && x.isDynamicDim(0))
    return getAxis() != 0 && ids.hasStaticShape();
  return getAxis() == 0 && ids.getRank() > 0 && ids.isDynamicDim(0);
}

LogicalResult GatherGradOp::verify() {
  if (getRef().getType() != getResult().getType())
    return emitOpError("result must have the type of ref");
  return verifyGather(*this, getRef().getType(), getIds().getType(),
                      getGrad().getType(), getAxis());
}

LogicalResult GatherGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                     std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  const Tensor &g = f.get(getGrad()), &ids = f.get(getIds()),
               &ref = f.get(getRef());
  GatherExtents e(ref.shape, ids, getAxis());
  if (g.size() != e.outer * e.count * e.inner)
    return emitError("evaluator: grad shape does not match the gather");
  Tensor out(ref.shape);
  for (int64_t o = 0; o < e.outer; ++o)
    for (int64_t p = 0; p < e.count; ++p) {
      double id = ids.data[p];
      if (!(id >= 0 && id < (double)e.size))
        continue;
      for (int64_t i = 0; i < e.inner; ++i)
        out.data[(o * e.size + (int64_t)id) * e.inner + i] +=
            g.data[(o * e.count + p) * e.inner + i];
    }
  return f.set(getResult(), std::move(out));
}

LogicalResult GatherGradOp::lowerToHalide(GroupBuilder &b) {
  HTensor g = b.get(getGrad()), ids = b.get(getIds()), ref = b.get(getRef());
  int64_t axis = getAxis();
  Index v = pureVars(ref.rank());
  // A scatter: every index position adds its slice of the cotangent to the
  // row it names. Summed in f64, as the other long sums (Reductions.cpp):
  // a frequent index gathers thousands of terms.
  RowMajorRDom r(ids.shape, "p");
  Index at;
  for (int64_t d = 0; d < ids.rank(); ++d)
    at.push_back(r[d]);
  auto [id, valid] = gatherIndex(ids, at, ref.shape[axis]);
  Index dst = v, src(v.begin(), v.begin() + axis);
  dst[axis] = id;
  src.insert(src.end(), at.begin(), at.end());
  src.insert(src.end(), v.begin() + axis + 1, v.end());
  Func acc = b.newFunc(*this, "scatter64", FuncKind::Reduction);
  Expr zero = Halide::Internal::make_zero(Halide::Float(64));
  hl::at(acc, v) = zero;
  hl::at(acc, dst) += select(valid, cast(Halide::Float(64), g(src)), zero);
  Func f = b.newResultFunc(*this, getResult(), FuncKind::Elementwise);
  hl::at(f, v) = cast(ref.type, hl::at(acc, v));
  b.set(getResult(), f, ref.shape);
  return success();
}
