//===- Elementwise.cpp - Rules of the elementwise ops ---------------------===//
//
// The Elementwise ops: constants, broadcasting arithmetic, unary math,
// activations and their gradients (relu_grad, softplus_grad, gelu_grad). For
// each op, one after another: its VJP (VJPOpInterface), its
// reference-evaluator rule (EvaluableOpInterface), its Halide algorithm
// (HalideOpInterface) and, where it is not the default, its FLOP count
// (CostOpInterface). Their fusion classes are op-class traits in their ODS
// entries (FusionOpInterface, NNInterfaces.td), not C++.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include <algorithm>

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

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

LogicalResult unary(Operation *op, GroupBuilder &b,
                    const std::function<Expr(Expr)> &fn) {
  HTensor x = b.get(op->getOperand(0));
  Value r = op->getResult(0);
  Func f = b.newResultFunc(op, r, FuncKind::Elementwise);
  Index v = pureVars(x.rank());
  at(f, v) = fn(x(v));
  b.set(r, f, x.shape);
  return success();
}

LogicalResult binary(Operation *op, GroupBuilder &b,
                     const std::function<Expr(Expr, Expr)> &fn) {
  HTensor x = b.get(op->getOperand(0)), y = b.get(op->getOperand(1));
  Value r = op->getResult(0);
  std::vector<Expr> shape = broadcastShape(x, y);
  Func f = b.newResultFunc(op, r, FuncKind::Elementwise);
  Index v = pureVars(static_cast<int64_t>(shape.size()));
  at(f, v) = fn(x(broadcastIndex(x, v)), y(broadcastIndex(y, v)));
  b.set(r, f, shape);
  return success();
}

LogicalResult lowerConstant(ConstantOp c, GroupBuilder &b) {
  auto attr = dyn_cast<DenseElementsAttr>(c.getValue());
  auto type = cast<RankedTensorType>(c.getType());
  if (!attr || !type.hasStaticShape())
    return c.emitError("nn-to-halide: needs a dense, static constant");
  Func f = b.newResultFunc(c, c.getResult(), FuncKind::Elementwise);
  Index v = pureVars(type.getRank());
  bool isFloat = isa<FloatType>(attr.getElementType());
  auto valueAt = [&](int64_t i) -> double {
    if (isFloat)
      return attr.getValues<APFloat>()[i].convertToDouble();
    return static_cast<double>(attr.getValues<APInt>()[i].getSExtValue());
  };
  Halide::Type ht = halideElementType(type.getElementType());
  if (attr.isSplat()) {
    at(f, v) = isFloat ? f32(valueAt(0))
                       : cast(ht, Expr(static_cast<int64_t>(valueAt(0))));
  } else {
    // A constant buffer embedded in the pipeline; dense Halide order is the
    // row-major order of the attribute.
    std::vector<int> sizes;
    for (int64_t d = type.getRank() - 1; d >= 0; --d)
      sizes.push_back(static_cast<int>(type.getDimSize(d)));
    Halide::Buffer<> buffer(ht, sizes, f.name() + "_data");
    for (int64_t i = 0; i < type.getNumElements(); ++i) {
      if (ht == Halide::Float(32))
        static_cast<float *>(buffer.data())[i] = static_cast<float>(valueAt(i));
      else if (ht == Halide::Int(64))
        static_cast<int64_t *>(buffer.data())[i] =
            static_cast<int64_t>(valueAt(i));
      else
        static_cast<int32_t *>(buffer.data())[i] =
            static_cast<int32_t>(valueAt(i));
    }
    at(f, v) = buffer(toHalideOrder(v));
  }
  b.set(c.getResult(), f, staticExtents(c.getResult()));
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Constant
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::evaluate(ArrayRef<const Tensor *> operands,
                                   std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  ConstantOp c = *this;
  auto attr = dyn_cast<DenseElementsAttr>(c.getValue());
  if (!attr)
    return c.emitError("evaluator: needs a dense constant");
  Tensor t(f.resultShape(c.getResult()));
  int64_t i = 0;
  if (isa<FloatType>(attr.getElementType())) {
    for (APFloat v : attr.getValues<APFloat>())
      t.data[i++] = v.convertToDouble();
  } else {
    for (APInt v : attr.getValues<APInt>())
      t.data[i++] = static_cast<double>(v.getSExtValue());
  }
  return f.set(c.getResult(), std::move(t));
}

LogicalResult ConstantOp::lowerToHalide(GroupBuilder &b) {
  ConstantOp c = *this;
  return lowerConstant(c, b);
}

//===----------------------------------------------------------------------===//
// ZerosLike
//===----------------------------------------------------------------------===//

VJPResult ZerosLikeOp::computeVJP(OpBuilder &, ArrayRef<Value>) {
  return SmallVector<Value>{Value()};
}

LogicalResult ZerosLikeOp::evaluate(ArrayRef<const Tensor *> operands,
                                    std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  ZerosLikeOp z = *this;
  return f.set(z.getResult(), Tensor(f.get(z.getX()).shape));
}

LogicalResult ZerosLikeOp::lowerToHalide(GroupBuilder &b) {
  ZerosLikeOp z = *this;
  return unary(z, b, [](Expr) { return f32(0); });
}

//===----------------------------------------------------------------------===//
// Add
//===----------------------------------------------------------------------===//

VJPResult AddOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  return SmallVector<Value>{v.sumTo(g, getLhs()), v.sumTo(g, getRhs())};
}

LogicalResult AddOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.binary([](double a, double b) { return a + b; });
}

LogicalResult AddOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return binary(o, b, [](Expr x, Expr y) { return x + y; });
}

//===----------------------------------------------------------------------===//
// Sub
//===----------------------------------------------------------------------===//

VJPResult SubOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  return SmallVector<Value>{v.sumTo(g, getLhs()), v.sumTo(v.neg(g), getRhs())};
}

LogicalResult SubOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.binary([](double a, double b) { return a - b; });
}

LogicalResult SubOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return binary(o, b, [](Expr x, Expr y) { return x - y; });
}

//===----------------------------------------------------------------------===//
// Mul
//===----------------------------------------------------------------------===//

VJPResult MulOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  return SmallVector<Value>{v.sumTo(v.mul(g, getRhs()), getLhs()),
                            v.sumTo(v.mul(g, getLhs()), getRhs())};
}

LogicalResult MulOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.binary([](double a, double b) { return a * b; });
}

LogicalResult MulOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return binary(o, b, [](Expr x, Expr y) { return x * y; });
}

//===----------------------------------------------------------------------===//
// Div
//===----------------------------------------------------------------------===//

VJPResult DivOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // d(a/b)/da = 1/b, d(a/b)/db = -(a/b)/b.
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  Value ga = v.div(g, getRhs());
  Value gb = v.neg(v.div(v.mul(g, getResult()), getRhs()));
  return SmallVector<Value>{v.sumTo(ga, getLhs()), v.sumTo(gb, getRhs())};
}

LogicalResult DivOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.binary([](double a, double b) { return a / b; });
}

LogicalResult DivOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return binary(o, b, [](Expr x, Expr y) { return x / y; });
}

//===----------------------------------------------------------------------===//
// Neg
//===----------------------------------------------------------------------===//

VJPResult NegOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{v.neg(singleCotangent(cts))};
}

LogicalResult NegOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.unary([](double x) { return -x; });
}

LogicalResult NegOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return unary(o, b, [](Expr x) { return -x; });
}

//===----------------------------------------------------------------------===//
// Exp
//===----------------------------------------------------------------------===//

VJPResult ExpOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{v.mul(singleCotangent(cts), getResult())};
}

LogicalResult ExpOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.unary([](double x) { return std::exp(x); });
}

LogicalResult ExpOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return unary(o, b, [](Expr x) { return safeExp(x); });
}

//===----------------------------------------------------------------------===//
// Log
//===----------------------------------------------------------------------===//

VJPResult LogOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{v.div(singleCotangent(cts), getX())};
}

LogicalResult LogOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.unary([](double x) { return std::log(x); });
}

LogicalResult LogOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return unary(o, b, [](Expr x) { return Halide::log(x); });
}

//===----------------------------------------------------------------------===//
// Sqrt
//===----------------------------------------------------------------------===//

VJPResult SqrtOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // d sqrt(x) = 1 / (2 sqrt(x)).
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{
      v.div(singleCotangent(cts), v.scale(getResult(), 2.0))};
}

LogicalResult SqrtOp::evaluate(ArrayRef<const Tensor *> operands,
                               std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.unary([](double x) { return std::sqrt(x); });
}

LogicalResult SqrtOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return unary(o, b, [](Expr x) { return Halide::sqrt(x); });
}

//===----------------------------------------------------------------------===//
// Sign
//===----------------------------------------------------------------------===//

VJPResult SignOp::computeVJP(OpBuilder &, ArrayRef<Value>) {
  // Piecewise constant: no cotangent flows.
  return SmallVector<Value>{Value()};
}

LogicalResult SignOp::evaluate(ArrayRef<const Tensor *> operands,
                               std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.unary([](double x) { return double((x > 0) - (x < 0)); });
}

LogicalResult SignOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return unary(o, b, [](Expr x) {
    return select(x > 0, f32(1), select(x < 0, f32(-1), f32(0)));
  });
}

//===----------------------------------------------------------------------===//
// Pow
//===----------------------------------------------------------------------===//

VJPResult PowOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // d x^p = p x^(p-1).
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  double p = getExponent().convertToDouble();
  if (p == 1.0)
    return SmallVector<Value>{g};
  Value dpow = p == 2.0 ? getX()
                        : builder
                              .create<PowOp>(getLoc(), getX(),
                                             builder.getF64FloatAttr(p - 1))
                              .getResult();
  return SmallVector<Value>{v.mul(g, v.scale(dpow, p))};
}

LogicalResult PowOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  PowOp o = *this;
  double p = o.getExponent().convertToDouble();
  return f.unary([p](double x) { return std::pow(x, p); });
}

LogicalResult PowOp::lowerToHalide(GroupBuilder &b) {
  PowOp o = *this;
  double p = o.getExponent().convertToDouble();
  return unary(o, b, [p](Expr x) -> Expr {
    // Small integer exponents as products: exact for negative bases.
    if (p == 0)
      return f32(1);
    if (p == 1)
      return x;
    if (p == 2)
      return x * x;
    if (p == 3)
      return x * x * x;
    if (p == -1)
      return f32(1) / x;
    if (p == -2)
      return f32(1) / (x * x);
    if (p == 0.5)
      return Halide::sqrt(x);
    return Halide::pow(x, f32(p));
  });
}

//===----------------------------------------------------------------------===//
// Relu
//===----------------------------------------------------------------------===//

VJPResult ReluOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  Value g = singleCotangent(cts);
  return SmallVector<Value>{builder.create<ReluGradOp>(
      getLoc(), g.getType(), g, getX(), builder.getF64FloatAttr(0.0))};
}

LogicalResult ReluOp::evaluate(ArrayRef<const Tensor *> operands,
                               std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.unary([](double x) { return x > 0 ? x : 0.0; });
}

LogicalResult ReluOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return unary(o, b, [](Expr x) { return Halide::max(x, f32(0)); });
}

//===----------------------------------------------------------------------===//
// LeakyRelu
//===----------------------------------------------------------------------===//

VJPResult LeakyReluOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  Value g = singleCotangent(cts);
  return SmallVector<Value>{builder.create<ReluGradOp>(getLoc(), g.getType(), g,
                                                       getX(), getSlopeAttr())};
}

LogicalResult LeakyReluOp::evaluate(ArrayRef<const Tensor *> operands,
                                    std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  LeakyReluOp o = *this;
  double s = o.getSlope().convertToDouble();
  return f.unary([s](double x) { return x > 0 ? x : s * x; });
}

LogicalResult LeakyReluOp::lowerToHalide(GroupBuilder &b) {
  LeakyReluOp o = *this;
  double s = o.getSlope().convertToDouble();
  return unary(o, b, [s](Expr x) { return select(x > 0, x, f32(s) * x); });
}

//===----------------------------------------------------------------------===//
// ReluGrad
//===----------------------------------------------------------------------===//

LogicalResult ReluGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                   std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  ReluGradOp o = *this;
  double s = o.getSlope().convertToDouble();
  const Tensor &g = f.get(o.getGrad()), &x = f.get(o.getX());
  Tensor y(x.shape);
  for (int64_t i = 0; i < y.size(); ++i)
    y.data[i] = x.data[i] > 0 ? g.data[i] : s * g.data[i];
  return f.set(o.getResult(), std::move(y));
}

LogicalResult ReluGradOp::lowerToHalide(GroupBuilder &b) {
  ReluGradOp o = *this;
  double s = o.getSlope().convertToDouble();
  return binary(o, b,
                [s](Expr g, Expr x) { return select(x > 0, g, f32(s) * g); });
}

//===----------------------------------------------------------------------===//
// Sigmoid
//===----------------------------------------------------------------------===//

VJPResult SigmoidOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // s' = s (1 - s).
  VJPBuilder v(builder, getLoc());
  Value s = getResult();
  return SmallVector<Value>{
      v.mul(singleCotangent(cts), v.mul(s, v.sub(v.scalar(1.0, s), s)))};
}

LogicalResult SigmoidOp::evaluate(ArrayRef<const Tensor *> operands,
                                  std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.unary(sigmoid);
}

LogicalResult SigmoidOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return unary(o, b, [](Expr x) { return f32(1) / (f32(1) + safeExp(-x)); });
}

//===----------------------------------------------------------------------===//
// Tanh
//===----------------------------------------------------------------------===//

VJPResult TanhOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // tanh' = 1 - tanh^2.
  VJPBuilder v(builder, getLoc());
  Value t = getResult();
  return SmallVector<Value>{
      v.mul(singleCotangent(cts), v.sub(v.scalar(1.0, t), v.mul(t, t)))};
}

LogicalResult TanhOp::evaluate(ArrayRef<const Tensor *> operands,
                               std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.unary([](double x) { return std::tanh(x); });
}

/// tanh from Halide's vectorised exp (safeExp). (Halide 14's own tanh is a call
/// of libm's scalar tanhf per element, 15 % of an LSTM's training time.) Near
/// 0, where 1 - 2 / (e^2x + 1) loses digits, the Taylor series to x^11 (its
/// remainder below 1e-8 relative for |x| < 0.25); elsewhere that formula on
/// |x| with the sign put back, exact to a few ulp. NaN stays NaN.
static Expr tanhFromExp(Expr x) {
  Expr a = Halide::abs(x), x2 = x * x;
  Expr series =
      x + x * x2 *
              (f32(-1.0 / 3) +
               x2 * (f32(2.0 / 15) + x2 * (f32(-17.0 / 315) +
                                           x2 * (f32(62.0 / 2835) +
                                                 x2 * f32(-1382.0 / 155925)))));
  Expr far = f32(1) - f32(2) / (safeExp(f32(2) * a) + f32(1));
  return select(a < f32(0.25) || Halide::is_nan(x), series,
                select(x < f32(0), -far, far));
}

LogicalResult TanhOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return unary(o, b, [](Expr x) { return tanhFromExp(x); });
}

//===----------------------------------------------------------------------===//
// Softplus
//===----------------------------------------------------------------------===//

VJPResult SoftplusOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  Value g = singleCotangent(cts);
  return SmallVector<Value>{builder.create<SoftplusGradOp>(
      getLoc(), g.getType(), g, getX(), getBetaAttr(), getThresholdAttr())};
}

LogicalResult SoftplusOp::evaluate(ArrayRef<const Tensor *> operands,
                                   std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  double beta = getBeta().convertToDouble();
  double threshold = getThreshold().convertToDouble();
  return f.unary([beta, threshold](double x) {
    return beta * x > threshold ? x : std::log1p(std::exp(beta * x)) / beta;
  });
}

LogicalResult SoftplusOp::lowerToHalide(GroupBuilder &b) {
  double beta = getBeta().convertToDouble();
  double threshold = getThreshold().convertToDouble();
  return unary(*this, b, [beta, threshold](Expr x) {
    Expr bx = f32(beta) * x;
    return select(bx > f32(threshold), x,
                  Halide::log(f32(1) + safeExp(bx)) / f32(beta));
  });
}

//===----------------------------------------------------------------------===//
// SoftplusGrad
//===----------------------------------------------------------------------===//

LogicalResult SoftplusGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                       std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  double beta = getBeta().convertToDouble();
  double threshold = getThreshold().convertToDouble();
  return f.binary([beta, threshold](double g, double x) {
    return beta * x > threshold ? g : g / (1.0 + std::exp(-beta * x));
  });
}

LogicalResult SoftplusGradOp::lowerToHalide(GroupBuilder &b) {
  double beta = getBeta().convertToDouble();
  double threshold = getThreshold().convertToDouble();
  return binary(*this, b, [beta, threshold](Expr g, Expr x) {
    Expr bx = f32(beta) * x;
    return select(bx > f32(threshold), g, g / (f32(1) + safeExp(-bx)));
  });
}

//===----------------------------------------------------------------------===//
// Hardswish
//===----------------------------------------------------------------------===//

VJPResult HardswishOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  Value g = singleCotangent(cts);
  return SmallVector<Value>{
      builder.create<HardswishGradOp>(getLoc(), g.getType(), g, getX())};
}

LogicalResult HardswishOp::evaluate(ArrayRef<const Tensor *> operands,
                                    std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.unary([](double x) {
    return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0;
  });
}

LogicalResult HardswishOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return unary(o, b, [](Expr x) {
    return x * Halide::clamp(x + f32(3), f32(0), f32(6)) / f32(6);
  });
}

//===----------------------------------------------------------------------===//
// HardswishGrad
//===----------------------------------------------------------------------===//

// PyTorch's hardswish_backward: x < -3 -> 0, x <= 3 -> g * (x / 3 + 0.5),
// else g.
LogicalResult HardswishGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                        std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.binary([](double g, double x) {
    if (x < -3.0)
      return 0.0;
    if (x <= 3.0)
      return g * (2.0 * x + 3.0) / 6.0;
    return g;
  });
}

LogicalResult HardswishGradOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return binary(o, b, [](Expr g, Expr x) {
    return select(x < f32(-3), f32(0),
                  x <= f32(3), g * (f32(2) * x + f32(3)) / f32(6), g);
  });
}

//===----------------------------------------------------------------------===//
// Elu
//===----------------------------------------------------------------------===//

VJPResult EluOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  Value g = singleCotangent(cts);
  return SmallVector<Value>{builder.create<EluGradOp>(getLoc(), g.getType(), g,
                                                      getX(), getAlphaAttr())};
}

LogicalResult EluOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  double alpha = getAlpha().convertToDouble();
  return f.unary(
      [alpha](double x) { return x > 0 ? x : alpha * std::expm1(x); });
}

LogicalResult EluOp::lowerToHalide(GroupBuilder &b) {
  double alpha = getAlpha().convertToDouble();
  return unary(*this, b, [alpha](Expr x) {
    return select(x > f32(0), x, f32(alpha) * (safeExp(x) - f32(1)));
  });
}

//===----------------------------------------------------------------------===//
// EluGrad
//===----------------------------------------------------------------------===//

LogicalResult EluGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                  std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  double alpha = getAlpha().convertToDouble();
  return f.binary([alpha](double g, double x) {
    return x > 0 ? g : g * alpha * std::exp(x);
  });
}

LogicalResult EluGradOp::lowerToHalide(GroupBuilder &b) {
  double alpha = getAlpha().convertToDouble();
  return binary(*this, b, [alpha](Expr g, Expr x) {
    return select(x > f32(0), g, g * f32(alpha) * safeExp(x));
  });
}

//===----------------------------------------------------------------------===//
// Gelu
//===----------------------------------------------------------------------===//

VJPResult GeluOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  Value g = singleCotangent(cts);
  return SmallVector<Value>{
      builder.create<GeluGradOp>(getLoc(), g.getType(), g, getX())};
}

LogicalResult GeluOp::evaluate(ArrayRef<const Tensor *> operands,
                               std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return f.unary(
      [](double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); });
}

LogicalResult GeluOp::lowerToHalide(GroupBuilder &b) {
  Operation *o = getOperation();
  return unary(o, b, [](Expr x) {
    return f32(0.5) * x * (f32(1) + Halide::erf(x * f32(M_SQRT1_2)));
  });
}

//===----------------------------------------------------------------------===//
// GeluGrad
//===----------------------------------------------------------------------===//

LogicalResult GeluGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                   std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  GeluGradOp o = *this;
  const Tensor &g = f.get(o.getGrad()), &x = f.get(o.getX());
  Tensor y(x.shape);
  for (int64_t i = 0; i < y.size(); ++i) {
    double v = x.data[i];
    double cdf = 0.5 * (1.0 + std::erf(v / std::sqrt(2.0)));
    double pdf = std::exp(-0.5 * v * v) / std::sqrt(2.0 * M_PI);
    y.data[i] = g.data[i] * (cdf + v * pdf);
  }
  return f.set(o.getResult(), std::move(y));
}

LogicalResult GeluGradOp::lowerToHalide(GroupBuilder &b) {
  GeluGradOp o = *this;
  return binary(o, b, [](Expr g, Expr x) {
    Expr cdf = f32(0.5) * (f32(1) + Halide::erf(x * f32(M_SQRT1_2)));
    Expr pdf = safeExp(f32(-0.5) * x * x) * f32(1.0 / std::sqrt(2 * M_PI));
    return g * (cdf + x * pdf);
  });
}
