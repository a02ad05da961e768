//===- Reductions.cpp - Algorithms of the nn reductions -------------------===//
//
// The Halide definitions of the ops that reduce over dimensions: sum, mean,
// max and max_grad, sum_to, softmax and log_softmax (a max and a sum along
// one axis), and training batch normalisation with its gradient (per-channel
// statistics). Each reduction is a Func with a pure initial value and an
// update over a row-major RDom (FuncKind::Reduction, compute_root in the
// schedule); what follows a reduction pointwise is a separate Elementwise
// Func so that it inlines into its consumer.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "dlc/Dialect/NN/IR/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <limits>

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::nn::hl;

namespace {

using Halide::cast;
using Halide::select;

Expr minusInfinity() { return f32(-std::numeric_limits<float>::infinity()); }

bool isReducedAxis(int64_t d, llvm::ArrayRef<int64_t> axes) {
  return axes.empty() || llvm::is_contained(axes, d);
}

/// How a reduction over some dimensions of `x` indexes things: the result's
/// pure variables and shape, the RDom over the reduced dimensions and the
/// index into `x` of one reduction step.
struct ReducePlan {
  Index outVars;
  std::vector<Expr> outShape;
  /// Index into x: the result variables and the RVars.
  Index xIndex;
  /// Row-major flat index of the step within its reduced slice.
  Expr sliceIndex;
  /// Number of elements per reduced slice.
  Expr count;
  std::unique_ptr<RowMajorRDom> rdom;

  bool empty() const { return !rdom; }
};

/// Plans a reduction of `x` over the dimensions for which `reduced(d)` is
/// true; with `keepdims` they stay in the result with extent 1.
ReducePlan planReduce(const HTensor &x,
                      const std::function<bool(int64_t)> &reduced,
                      bool keepdims, const std::string &name) {
  ReducePlan p;
  std::vector<Expr> extents;
  for (int64_t d = 0; d < x.rank(); ++d)
    if (reduced(d))
      extents.push_back(x.shape[d]);
  p.count = product(extents);
  if (!extents.empty())
    p.rdom = std::make_unique<RowMajorRDom>(extents, name);
  int64_t k = 0, j = 0;
  p.sliceIndex = 0;
  for (int64_t d = 0; d < x.rank(); ++d) {
    if (reduced(d)) {
      Expr r = (*p.rdom)[k++];
      p.xIndex.push_back(r);
      p.sliceIndex = p.sliceIndex * x.shape[d] + r;
      if (keepdims) {
        p.outVars.push_back(Halide::Var("i" + std::to_string(j++)));
        p.outShape.push_back(1);
      }
    } else {
      Expr v = Halide::Var("i" + std::to_string(j++));
      p.outVars.push_back(v);
      p.outShape.push_back(x.shape[d]);
      p.xIndex.push_back(v);
    }
  }
  return p;
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
  at(sum, p.outVars) += Halide::exp(x(p.xIndex) - at(mx, p.outVars));
  Index v = pureVars(x.rank());
  Index outer = dropReduced(v, reduced);
  Expr z = x(v) - at(mx, outer);
  Func f = b.newResultFunc(op, op->getResult(0), FuncKind::Elementwise);
  at(f, v) = logForm ? z - Halide::log(at(sum, outer))
                     : Halide::exp(z) / at(sum, outer);
  b.set(op->getResult(0), f, x.shape);
  return success();
}

/// Batch statistics of an NC or NCHW tensor: the reduction plan over every
/// dimension but the channel (1).
ReducePlan planChannelReduce(const HTensor &x) {
  return planReduce(
      x, [](int64_t d) { return d != 1; }, false, "r");
}

LogicalResult lowerBatchNormTrain(BatchNormTrainOp o, GroupBuilder &b) {
  HTensor x = b.get(o.getX()), gamma = b.get(o.getGamma()),
          beta = b.get(o.getBeta());
  double eps = o.getEpsilon().convertToDouble();
  ReducePlan p = planChannelReduce(x);
  Expr m = cast<float>(p.count);
  // Two passes (mean, then the mean of squared deviations): accurate in
  // float, unlike E[x^2] - E[x]^2.
  Func mean = b.newResultFunc(o, o.getMean(), FuncKind::Reduction);
  at(mean, p.outVars) = f32(0);
  at(mean, p.outVars) += x(p.xIndex);
  at(mean, p.outVars) = at(mean, p.outVars) / m;
  Func var = b.newResultFunc(o, o.getVar(), FuncKind::Reduction);
  Expr dev = x(p.xIndex) - at(mean, p.outVars);
  at(var, p.outVars) = f32(0);
  at(var, p.outVars) += dev * dev;
  at(var, p.outVars) = at(var, p.outVars) / m;
  Index v = pureVars(x.rank());
  Func y = b.newResultFunc(o, o.getY(), FuncKind::Elementwise);
  Index c = {v[1]};
  at(y, v) =
      (x(v) - at(mean, c)) / Halide::sqrt(at(var, c) + f32(eps)) * gamma(c) +
      beta(c);
  b.set(o.getY(), y, x.shape);
  b.set(o.getMean(), mean, {x.shape[1]});
  b.set(o.getVar(), var, {x.shape[1]});
  return success();
}

LogicalResult lowerBatchNormGrad(BatchNormGradOp o, GroupBuilder &b) {
  HTensor g = b.get(o.getGrad()), x = b.get(o.getX()),
          gamma = b.get(o.getGamma()), mean = b.get(o.getMean()),
          var = b.get(o.getVar());
  double eps = o.getEpsilon().convertToDouble();
  ReducePlan p = planChannelReduce(x);
  Expr m = cast<float>(p.count);
  auto inv = [&](const Expr &c) {
    return f32(1) / Halide::sqrt(var({c}) + f32(eps));
  };
  auto xhat = [&](const Index &idx) {
    return (x(idx) - mean({idx[1]})) * inv(idx[1]);
  };
  Func dbeta = b.newResultFunc(o, o.getGradBeta(), FuncKind::Reduction);
  at(dbeta, p.outVars) = f32(0);
  at(dbeta, p.outVars) += g(p.xIndex);
  Func dgamma = b.newResultFunc(o, o.getGradGamma(), FuncKind::Reduction);
  at(dgamma, p.outVars) = f32(0);
  at(dgamma, p.outVars) += g(p.xIndex) * xhat(p.xIndex);
  Index v = pureVars(x.rank());
  Expr c = v[1];
  Func dx = b.newResultFunc(o, o.getGradX(), FuncKind::Elementwise);
  if (o.getTraining())
    at(dx, v) = gamma({c}) * inv(c) / m *
                (m * g(v) - at(dbeta, {c}) - xhat(v) * at(dgamma, {c}));
  else
    at(dx, v) = g(v) * gamma({c}) * inv(c);
  b.set(o.getGradX(), dx, x.shape);
  b.set(o.getGradGamma(), dgamma, {x.shape[1]});
  b.set(o.getGradBeta(), dbeta, {x.shape[1]});
  return success();
}

} // namespace

LogicalResult hl::lowerReductionOp(Operation *op, GroupBuilder &b,
                                   bool &handled) {
  handled = true;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<SumOp, MeanOp, MaxOp>([&](auto o) {
        return lowerReduce(o, o.getAxes(), o.getKeepdims(), b);
      })
      .Case<MaxGradOp>([&](MaxGradOp o) { return lowerMaxGrad(o, b); })
      .Case<SumToOp>([&](SumToOp o) { return lowerSumTo(o, b); })
      .Case<SoftmaxOp>(
          [&](SoftmaxOp o) { return lowerSoftmax(o, o.getAxis(), false, b); })
      .Case<LogSoftmaxOp>(
          [&](LogSoftmaxOp o) { return lowerSoftmax(o, o.getAxis(), true, b); })
      .Case<BatchNormTrainOp>(
          [&](BatchNormTrainOp o) { return lowerBatchNormTrain(o, b); })
      .Case<BatchNormGradOp>(
          [&](BatchNormGradOp o) { return lowerBatchNormGrad(o, b); })
      .Default([&](Operation *) {
        handled = false;
        return failure();
      });
}
