//===- Reductions.cpp - Rules of the reduction ops ------------------------===//
//
// The Reductions ops: sum, mean, max (+max_grad), sum_to, count, softmax and
// log_softmax. For each op, one after another: its VJP (VJPOpInterface), its
// reference-evaluator rule (EvaluableOpInterface), its Halide algorithm
// (HalideOpInterface) and, where it is not the default, its FLOP count
// (CostOpInterface). Their fusion classes are op-class traits in their ODS
// entries (FusionOpInterface, NNInterfaces.td), not C++.
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

/// Broadcasts the cotangent of a reduction of `x` back to the shape of `x`.
static Value unreduce(VJPBuilder &v, Value g, Value x, ArrayRef<int64_t> axes,
                      bool keepdims) {
  if (keepdims || axes.empty())
    return v.broadcastLike(g, x);
  return v.broadcastLike(g, x, axes);
}

int64_t reducedCount(const Shape &shape, ArrayRef<int64_t> axes) {
  int64_t n = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    if (isReduced(d, axes))
      n *= shape[d];
  return n;
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

Expr minusInfinity() { return f32(-std::numeric_limits<float>::infinity()); }

bool isReducedAxis(int64_t d, llvm::ArrayRef<int64_t> axes) {
  return axes.empty() || llvm::is_contained(axes, d);
}

/// The result index of a reduction without keepdims: `idx` without the
/// reduced dimensions.
Index dropReduced(const Index &idx,
                  const std::function<bool(int64_t)> &reduced) {
  Index out;
  for (size_t d = 0; d < idx.size(); ++d)
    if (!reduced(d))
      out.push_back(idx[d]);
  return out;
}

/// The sum of `x` over the plan's reduced dimensions, accumulated in f64:
/// sums are long (a bias gradient adds N*H*W terms per channel) and their
/// terms often cancel, so an f32 running sum loses digits that the result
/// needs (relative errors of 1e-3 were seen on 1 152 terms); the f64
/// accumulator costs half the vector width on a memory-bound loop.
Func sumInDouble(Operation *op, const ReducePlan &p, const Index &outVars,
                 const HTensor &x, GroupBuilder &b) {
  Func acc = b.newFunc(op, "sum64", FuncKind::Reduction);
  at(acc, outVars) = cast<double>(0);
  at(acc, outVars) += cast<double>(x(p.xIndex));
  return acc;
}

LogicalResult lowerReduce(Operation *op, llvm::ArrayRef<int64_t> axes,
                          bool keepdims, GroupBuilder &b) {
  HTensor x = b.get(op->getOperand(0));
  Value r = op->getResult(0);
  auto reduced = [&](int64_t d) { return isReducedAxis(d, axes); };
  ReducePlan p = planReduce(x, reduced, keepdims, "r");
  bool isMax = isa<MaxOp>(op);
  if (p.empty()) {
    // Nothing to reduce (a 0-d operand): a copy.
    Func f = b.newResultFunc(op, r, FuncKind::Elementwise);
    at(f, p.outVars) = x(p.xIndex);
    b.set(r, f, p.outShape);
    return success();
  }
  if (isMax) {
    Func f = b.newResultFunc(op, r, FuncKind::Reduction);
    at(f, p.outVars) = minusInfinity();
    at(f, p.outVars) = Halide::max(at(f, p.outVars), x(p.xIndex));
    b.set(r, f, p.outShape);
    return success();
  }
  Func acc = sumInDouble(op, p, p.outVars, x, b);
  Func f = b.newResultFunc(op, r, FuncKind::Elementwise);
  Expr total = at(acc, p.outVars);
  if (isa<MeanOp>(op))
    total = total / cast<double>(p.count);
  at(f, p.outVars) = cast<float>(total);
  b.set(r, f, p.outShape);
  return success();
}

LogicalResult lowerMaxGrad(MaxGradOp o, GroupBuilder &b) {
  HTensor g = b.get(o.getGrad()), x = b.get(o.getX());
  llvm::ArrayRef<int64_t> axes = o.getAxes();
  auto reduced = [&](int64_t d) { return isReducedAxis(d, axes); };
  ReducePlan p = planReduce(x, reduced, /*keepdims=*/false, "r");
  Index v = pureVars(x.rank());
  Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
  if (p.empty()) {
    at(f, v) = g(v);
    b.set(o.getResult(), f, x.shape);
    return success();
  }
  // The maximum of each slice, then the row-major position of its first
  // occurrence: the gradient goes there only (as in the evaluator).
  Func mx = b.newFunc(o, "slice_max", FuncKind::Reduction);
  at(mx, p.outVars) = minusInfinity();
  at(mx, p.outVars) = Halide::max(at(mx, p.outVars), x(p.xIndex));
  Func first = b.newFunc(o, "first_max", FuncKind::Reduction);
  // "Not found" is the slice size, not INT_MAX: Halide tightens the loop
  // bounds of this min-reduction with arithmetic on the running value, which
  // would overflow near INT_MAX.
  Expr none = p.count;
  at(first, p.outVars) = none;
  at(first, p.outVars) =
      Halide::min(at(first, p.outVars),
                  select(x(p.xIndex) == at(mx, p.outVars), p.sliceIndex, none));
  Index outer = dropReduced(v, reduced);
  Expr slice = 0;
  for (int64_t d = 0; d < x.rank(); ++d)
    if (reduced(d))
      slice = slice * x.shape[d] + v[d];
  // g has the type of the nn.max result: with keepdims it has the reduced
  // dimensions as 1.
  Index gIndex = outer;
  if (o.getKeepdims()) {
    gIndex.clear();
    for (int64_t d = 0; d < x.rank(); ++d)
      gIndex.push_back(reduced(d) ? Expr(0) : v[d]);
  }
  at(f, v) = select(slice == at(first, outer), g(gIndex), f32(0));
  b.set(o.getResult(), f, x.shape);
  return success();
}

LogicalResult lowerSumTo(SumToOp o, GroupBuilder &b) {
  HTensor x = b.get(o.getX()), ref = b.get(o.getRef());
  int64_t lead = x.rank() - ref.rank();
  // Summed: the leading extra dimensions and those where ref is a static 1
  // (unless x is a static 1 there too).
  auto reduced = [&](int64_t d) {
    return d < lead || (ref.isStaticOne(d - lead) && !x.isStaticOne(d));
  };
  ReducePlan p = planReduce(x, reduced, /*keepdims=*/true, "r");
  // Drop the leading dimensions from the result index.
  Index outVars(p.outVars.begin() + lead, p.outVars.end());
  std::vector<Expr> shape(p.outShape.begin() + lead, p.outShape.end());
  if (p.empty()) {
    Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
    at(f, outVars) = x(p.xIndex);
    b.set(o.getResult(), f, ref.shape);
    return success();
  }
  Func acc = sumInDouble(o, p, outVars, x, b);
  Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
  at(f, outVars) = cast<float>(at(acc, outVars));
  b.set(o.getResult(), f, ref.shape);
  return success();
}

LogicalResult lowerSoftmax(Operation *op, int64_t axis, bool logForm,
                           GroupBuilder &b) {
  HTensor x = b.get(op->getOperand(0));
  auto reduced = [&](int64_t d) { return d == axis; };
  ReducePlan p = planReduce(x, reduced, /*keepdims=*/false, "r");
  Func mx = b.newFunc(op, "row_max", FuncKind::Reduction);
  at(mx, p.outVars) = minusInfinity();
  at(mx, p.outVars) = Halide::max(at(mx, p.outVars), x(p.xIndex));
  Func sum = b.newFunc(op, "row_sum", FuncKind::Reduction);
  at(sum, p.outVars) = f32(0);
  at(sum, p.outVars) += safeExp(x(p.xIndex) - at(mx, p.outVars));
  Index v = pureVars(x.rank());
  Index outer = dropReduced(v, reduced);
  Expr z = x(v) - at(mx, outer);
  Func f = b.newResultFunc(op, op->getResult(0), FuncKind::Elementwise);
  at(f, v) =
      logForm ? z - Halide::log(at(sum, outer)) : safeExp(z) / at(sum, outer);
  b.set(op->getResult(0), f, x.shape);
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Sum
//===----------------------------------------------------------------------===//

VJPResult SumOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{
      unreduce(v, singleCotangent(cts), getX(), getAxes(), getKeepdims())};
}

template <typename OpT>
static LogicalResult evaluateReduce(OpT o, EvalFrame &f) {
  Operation *op = o.getOperation();
  const Tensor &x = f.get(o.getX());
  ArrayRef<int64_t> axes = o.getAxes();
  bool isMax = isa<MaxOp>(op);
  Tensor y(reduceShape(x.shape, axes, o.getKeepdims()),
           isMax ? -std::numeric_limits<double>::infinity() : 0.0);
  for (int64_t i = 0; i < x.size(); ++i) {
    double &acc = y.data[reducedIndex(unflatten(i, x.shape), x.shape, axes)];
    acc = isMax ? std::max(acc, x.data[i]) : acc + x.data[i];
  }
  if (isa<MeanOp>(op))
    for (double &v : y.data)
      v /= reducedCount(x.shape, axes);
  return f.set(o.getResult(), std::move(y));
}

LogicalResult SumOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluateReduce(*this, f);
}

template <typename OpT>
static LogicalResult lowerSumMeanMax(OpT o, GroupBuilder &b) {
  return lowerReduce(o, o.getAxes(), o.getKeepdims(), b);
}

LogicalResult SumOp::lowerToHalide(GroupBuilder &b) {
  return lowerSumMeanMax(*this, b);
}

/// The batch is not reduced when the result keeps it (checked by the caller).
bool SumOp::sampleWise() { return true; }

//===----------------------------------------------------------------------===//
// Mean
//===----------------------------------------------------------------------===//

VJPResult MeanOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  Value spread =
      unreduce(v, singleCotangent(cts), getX(), getAxes(), getKeepdims());
  return SmallVector<Value>{v.div(spread, v.count(getX(), getAxes()))};
}

LogicalResult MeanOp::evaluate(ArrayRef<const Tensor *> operands,
                               std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluateReduce(*this, f);
}

LogicalResult MeanOp::lowerToHalide(GroupBuilder &b) {
  return lowerSumMeanMax(*this, b);
}

bool MeanOp::sampleWise() { return true; }

//===----------------------------------------------------------------------===//
// Max
//===----------------------------------------------------------------------===//

VJPResult MaxOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  return SmallVector<Value>{builder.create<MaxGradOp>(
      getLoc(), getX().getType(), singleCotangent(cts), getX(), getAxesAttr(),
      getKeepdimsAttr())};
}

LogicalResult MaxOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluateReduce(*this, f);
}

LogicalResult MaxOp::lowerToHalide(GroupBuilder &b) {
  return lowerSumMeanMax(*this, b);
}

bool MaxOp::sampleWise() { return true; }

//===----------------------------------------------------------------------===//
// MaxGrad
//===----------------------------------------------------------------------===//

LogicalResult MaxGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                  std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  if (operands[0]->shape !=
      reduceShape(operands[1]->shape, getAxes(), getKeepdims()))
    return f.mismatch();
  MaxGradOp o = *this;
  const Tensor &g = f.get(o.getGrad()), &x = f.get(o.getX());
  ArrayRef<int64_t> axes = o.getAxes();
  Tensor m(reduceShape(x.shape, axes, false),
           -std::numeric_limits<double>::infinity());
  for (int64_t i = 0; i < x.size(); ++i) {
    double &acc = m.data[reducedIndex(unflatten(i, x.shape), x.shape, axes)];
    acc = std::max(acc, x.data[i]);
  }
  std::vector<bool> done(m.size(), false);
  Tensor dx(x.shape);
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t r = reducedIndex(unflatten(i, x.shape), x.shape, axes);
    if (!done[r] && x.data[i] == m.data[r]) {
      done[r] = true;
      dx.data[i] = g.data[r];
    }
  }
  return f.set(o.getResult(), std::move(dx));
}

LogicalResult MaxGradOp::lowerToHalide(GroupBuilder &b) {
  MaxGradOp o = *this;
  return lowerMaxGrad(o, b);
}

//===----------------------------------------------------------------------===//
// SumTo
//===----------------------------------------------------------------------===//

VJPResult SumToOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{v.broadcastLike(singleCotangent(cts), getX()),
                            Value()};
}

LogicalResult SumToOp::evaluate(ArrayRef<const Tensor *> operands,
                                std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  SumToOp o = *this;
  const Tensor &x = f.get(o.getX());
  const Shape &shape = f.get(o.getRef()).shape;
  Shape check;
  if (!broadcastRuntime(x.shape, shape, check) || check != x.shape)
    return o.emitError("evaluator: ref does not broadcast to operand");
  Tensor y(shape);
  for (int64_t i = 0; i < x.size(); ++i)
    y.data[broadcastSource(unflatten(i, x.shape), shape)] += x.data[i];
  return f.set(o.getResult(), std::move(y));
}

LogicalResult SumToOp::lowerToHalide(GroupBuilder &b) {
  SumToOp o = *this;
  return lowerSumTo(o, b);
}

//===----------------------------------------------------------------------===//
// Count
//===----------------------------------------------------------------------===//

VJPResult CountOp::computeVJP(OpBuilder &, ArrayRef<Value>) {
  // Depends on the shape only.
  return SmallVector<Value>{Value()};
}

LogicalResult CountOp::evaluate(ArrayRef<const Tensor *> operands,
                                std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  CountOp o = *this;
  return f.scalar(reducedCount(f.get(o.getX()).shape, o.getAxes()));
}

LogicalResult CountOp::lowerToHalide(GroupBuilder &b) {
  CountOp o = *this;
  return lowerCount(o, b);
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

VJPResult SoftmaxOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // dx = y * (g - sum(g * y, axis)).
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts), y = getResult();
  int64_t axis = getAxis();
  Value dot = v.sum(v.mul(g, y), {axis}, /*keepdims=*/true);
  return SmallVector<Value>{v.mul(y, v.sub(g, dot))};
}

template <typename OpT>
static LogicalResult evaluateSoftmaxLike(OpT o, EvalFrame &f) {
  Operation *op = o.getOperation();
  const Tensor &x = f.get(o.getX());
  int64_t axis = o.getAxis();
  Shape strides = stridesOf(x.shape);
  int64_t len = x.shape[axis], step = strides[axis];
  Tensor y(x.shape);
  bool logForm = isa<LogSoftmaxOp>(op);
  for (int64_t i = 0; i < x.size(); ++i) {
    if (unflatten(i, x.shape)[axis] != 0)
      continue; // visit each slice once, from its first element
    double m = -std::numeric_limits<double>::infinity(), s = 0;
    for (int64_t k = 0; k < len; ++k)
      m = std::max(m, x.data[i + k * step]);
    for (int64_t k = 0; k < len; ++k)
      s += std::exp(x.data[i + k * step] - m);
    for (int64_t k = 0; k < len; ++k) {
      double z = x.data[i + k * step] - m;
      y.data[i + k * step] = logForm ? z - std::log(s) : std::exp(z) / s;
    }
  }
  return f.set(o.getResult(), std::move(y));
}

LogicalResult SoftmaxOp::evaluate(ArrayRef<const Tensor *> operands,
                                  std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluateSoftmaxLike(*this, f);
}

LogicalResult SoftmaxOp::lowerToHalide(GroupBuilder &b) {
  SoftmaxOp o = *this;
  return lowerSoftmax(o, o.getAxis(), false, b);
}

bool SoftmaxOp::sampleWise() {
  int64_t rank = cast<RankedTensorType>(getX().getType()).getRank();
  return getAxis() != 0 && getAxis() != -rank;
}

//===----------------------------------------------------------------------===//
// LogSoftmax
//===----------------------------------------------------------------------===//

VJPResult LogSoftmaxOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // dx = g - softmax(x) * sum(g, axis), softmax(x) = exp(y).
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  int64_t axis = getAxis();
  Value total = v.sum(g, {axis}, /*keepdims=*/true);
  return SmallVector<Value>{v.sub(g, v.mul(v.exp(getResult()), total))};
}

LogicalResult LogSoftmaxOp::evaluate(ArrayRef<const Tensor *> operands,
                                     std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluateSoftmaxLike(*this, f);
}

LogicalResult LogSoftmaxOp::lowerToHalide(GroupBuilder &b) {
  LogSoftmaxOp o = *this;
  return lowerSoftmax(o, o.getAxis(), true, b);
}

bool LogSoftmaxOp::sampleWise() {
  int64_t rank = cast<RankedTensorType>(getX().getType()).getRank();
  return getAxis() != 0 && getAxis() != -rank;
}
