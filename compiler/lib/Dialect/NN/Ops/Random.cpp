//===- Random.cpp - Rules of the random ops -------------------------------===//
//
// The Random ops: the counter-based random ops: init_uniform, init_normal,
// dropout (bit-exact with Eval/Random.h). For each op, one after another: its
// VJP (VJPOpInterface), its reference-evaluator rule (EvaluableOpInterface),
// its Halide algorithm (HalideOpInterface) and, where it is not the default,
// its FLOP count (CostOpInterface). Their fusion classes are op-class traits in
// their ODS entries (FusionOpInterface, NNInterfaces.td), not C++.
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

Expr u64(uint64_t v) {
  return Halide::Internal::make_const(Halide::UInt(64), v);
}

/// SplitMix64 finaliser (Random.h's mix64) on UInt(64); unsigned
/// multiplication wraps in Halide as in C++.
Expr mix64(Expr z) {
  z = (z ^ (z >> u64(30))) * u64(0xbf58476d1ce4e5b9ULL);
  z = (z ^ (z >> u64(27))) * u64(0x94d049bb133111ebULL);
  return z ^ (z >> u64(31));
}

/// Random.h's uniform(seed, index) in double: bit-exact with the evaluator.
Expr uniform01(const Expr &seed, const Expr &index) {
  Expr bits =
      mix64(mix64(seed + u64(0x9e3779b97f4a7c15ULL)) ^
            (index * u64(0x9e3779b97f4a7c15ULL) + u64(0x632be59bd9b4e019ULL)));
  return cast<double>(bits >> u64(11)) * Expr(0x1.0p-53);
}

/// The evaluator's result shape of a random fill: dynamic dimensions take
/// the batch of `like`.
Shape fillShape(const EvalFrame &f, Value result, Value like) {
  Shape s = f.resultShape(result);
  for (int64_t &d : s)
    if (d == ShapedType::kDynamic)
      d = f.get(like).shape[0];
  return s;
}

/// The seed operand (a 0-d Int(64) tensor) as UInt(64), bits unchanged.
Expr seedOf(GroupBuilder &b, Value seed) {
  return cast(Halide::UInt(64), b.get(seed)({}));
}

/// nn.init_uniform / nn.init_normal: a pure function of the seed and the
/// row-major element index, computed in double as in the evaluator.
LogicalResult lowerInit(Operation *op, Value seedValue, Value likeValue,
                        GroupBuilder &b,
                        const std::function<Expr(Expr, Expr)> &sample) {
  Value r = op->getResult(0);
  std::vector<Expr> shape = staticExtents(r);
  auto type = mlir::cast<RankedTensorType>(r.getType());
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      shape[d] = b.get(likeValue).shape[0];
  Func f = b.newResultFunc(op, r, FuncKind::Elementwise);
  Index v = pureVars(static_cast<int64_t>(shape.size()));
  Expr index = cast(Halide::UInt(64), flatIndex(v, shape));
  at(f, v) = cast<float>(sample(seedOf(b, seedValue), index));
  b.set(r, f, shape);
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// InitUniform
//===----------------------------------------------------------------------===//

// A random fill's values depend on neither operand's values (the seed is
// an integer, `like` gives only the batch size): no cotangents, so a fill
// whose `like` is on a gradient path (the input, in a saliency step) is not
// a dead end of autodiff.
VJPResult InitUniformOp::computeVJP(OpBuilder &, ArrayRef<Value>) {
  return SmallVector<Value>(getOperation()->getNumOperands(), Value());
}

VJPResult InitNormalOp::computeVJP(OpBuilder &, ArrayRef<Value>) {
  return SmallVector<Value>(getOperation()->getNumOperands(), Value());
}

LogicalResult InitUniformOp::evaluate(ArrayRef<const Tensor *> operands,
                                      std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  InitUniformOp r = *this;
  uint64_t seed = (uint64_t)(int64_t)f.get(r.getSeed()).data[0];
  double lo = r.getLow().convertToDouble();
  double hi = r.getHigh().convertToDouble();
  Tensor t(fillShape(f, r.getResult(), r.getLike()));
  for (int64_t i = 0; i < t.size(); ++i)
    t.data[i] = lo + (hi - lo) * random::uniform(seed, i);
  return f.set(r.getResult(), std::move(t));
}

LogicalResult InitUniformOp::lowerToHalide(GroupBuilder &b) {
  InitUniformOp o = *this;
  double lo = o.getLow().convertToDouble();
  double hi = o.getHigh().convertToDouble();
  return lowerInit(o, o.getSeed(), o.getLike(), b, [lo, hi](Expr seed, Expr i) {
    return Expr(lo) + Expr(hi - lo) * uniform01(seed, i);
  });
}

//===----------------------------------------------------------------------===//
// InitNormal
//===----------------------------------------------------------------------===//

LogicalResult InitNormalOp::evaluate(ArrayRef<const Tensor *> operands,
                                     std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  InitNormalOp r = *this;
  uint64_t seed = (uint64_t)(int64_t)f.get(r.getSeed()).data[0];
  double mean = r.getMean().convertToDouble();
  double stddev = r.getStd().convertToDouble();
  Tensor t(fillShape(f, r.getResult(), r.getLike()));
  for (int64_t i = 0; i < t.size(); ++i)
    t.data[i] = mean + stddev * random::normal(seed, i);
  return f.set(r.getResult(), std::move(t));
}

LogicalResult InitNormalOp::lowerToHalide(GroupBuilder &b) {
  InitNormalOp o = *this;
  double mean = o.getMean().convertToDouble();
  double stddev = o.getStd().convertToDouble();
  return lowerInit(o, o.getSeed(), o.getLike(), b, [mean, stddev](Expr seed, Expr i) {
    // Box-Muller on the counters 2i and 2i+1, as Random.h's normal().
    Expr u1 = Expr(1.0) - uniform01(seed, u64(2) * i);
    Expr u2 = uniform01(seed, u64(2) * i + u64(1));
    Expr n = Halide::sqrt(Expr(-2.0) * Halide::log(u1)) *
             Halide::cos(Expr(6.283185307179586) * u2);
    return Expr(mean) + Expr(stddev) * n;
  });
}

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

VJPResult DropoutOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // The mask depends on the seed and the shape only: apply it again.
  Value g = singleCotangent(cts);
  return SmallVector<Value>{builder.create<DropoutOp>(getLoc(), g.getType(), g,
                                                      getSeed(), getPAttr()),
                            Value()};
}

LogicalResult DropoutOp::evaluate(ArrayRef<const Tensor *> operands,
                                  std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  DropoutOp o = *this;
  const Tensor &x = f.get(o.getX());
  uint64_t seed = (uint64_t)(int64_t)f.get(o.getSeed()).data[0];
  double p = o.getP().convertToDouble();
  Tensor y(x.shape);
  for (int64_t i = 0; i < x.size(); ++i)
    y.data[i] = random::uniform(seed, i) >= p ? x.data[i] / (1.0 - p) : 0.0;
  return f.set(o.getResult(), std::move(y));
}

LogicalResult DropoutOp::lowerToHalide(GroupBuilder &b) {
  DropoutOp o = *this;
  // Element i is kept iff uniform(seed, i) >= p, compared in double
  // exactly as the evaluator does, so the masks agree bit for bit.
  HTensor x = b.get(o.getX());
  double p = o.getP().convertToDouble();
  Expr seed = seedOf(b, o.getSeed());
  Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
  Index v = pureVars(x.rank());
  Expr index = cast(Halide::UInt(64), flatIndex(v, x.shape));
  Expr keep = uniform01(seed, index) >= Expr(p);
  at(f, v) = select(keep, x(v) * f32(1.0 / (1.0 - p)), f32(0));
  b.set(o.getResult(), f, x.shape);
  return success();
}
