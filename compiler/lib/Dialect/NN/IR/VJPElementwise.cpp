//===- VJPElementwise.cpp - VJP rules of elementwise nn ops ---------------===//
//
// Reverse-mode rules of the elementwise arithmetic ops (with broadcasting:
// the cotangent of a broadcast operand is summed back to its shape) and of
// the activations, softmax and log_softmax.
//
//===----------------------------------------------------------------------===//

#include "VJPBuilder.h"

using namespace mlir;
using namespace dlc::nn;

using VJPResult = FailureOr<SmallVector<Value>>;

VJPResult AddOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  return SmallVector<Value>{v.sumTo(g, getLhs()), v.sumTo(g, getRhs())};
}

VJPResult SubOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  return SmallVector<Value>{v.sumTo(g, getLhs()), v.sumTo(v.neg(g), getRhs())};
}

VJPResult MulOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  return SmallVector<Value>{v.sumTo(v.mul(g, getRhs()), getLhs()),
                            v.sumTo(v.mul(g, getLhs()), getRhs())};
}

VJPResult DivOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // d(a/b)/da = 1/b, d(a/b)/db = -(a/b)/b.
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  Value ga = v.div(g, getRhs());
  Value gb = v.neg(v.div(v.mul(g, getResult()), getRhs()));
  return SmallVector<Value>{v.sumTo(ga, getLhs()), v.sumTo(gb, getRhs())};
}

VJPResult NegOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{v.neg(singleCotangent(cts))};
}

VJPResult ExpOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{v.mul(singleCotangent(cts), getResult())};
}

VJPResult LogOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{v.div(singleCotangent(cts), getX())};
}

VJPResult SqrtOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // d sqrt(x) = 1 / (2 sqrt(x)).
  VJPBuilder v(builder, getLoc());
  return SmallVector<Value>{
      v.div(singleCotangent(cts), v.scale(getResult(), 2.0))};
}

VJPResult SignOp::computeVJP(OpBuilder &, ArrayRef<Value>) {
  // Piecewise constant: no cotangent flows.
  return SmallVector<Value>{Value()};
}

VJPResult ZerosLikeOp::computeVJP(OpBuilder &, ArrayRef<Value>) {
  return SmallVector<Value>{Value()};
}

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

VJPResult ReluOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  Value g = singleCotangent(cts);
  return SmallVector<Value>{builder.create<ReluGradOp>(
      getLoc(), g.getType(), g, getX(), builder.getF64FloatAttr(0.0))};
}

VJPResult LeakyReluOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  Value g = singleCotangent(cts);
  return SmallVector<Value>{builder.create<ReluGradOp>(getLoc(), g.getType(), g,
                                                       getX(), getSlopeAttr())};
}

VJPResult SigmoidOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // s' = s (1 - s).
  VJPBuilder v(builder, getLoc());
  Value s = getResult();
  return SmallVector<Value>{
      v.mul(singleCotangent(cts), v.mul(s, v.sub(v.scalar(1.0, s), s)))};
}

VJPResult TanhOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // tanh' = 1 - tanh^2.
  VJPBuilder v(builder, getLoc());
  Value t = getResult();
  return SmallVector<Value>{
      v.mul(singleCotangent(cts), v.sub(v.scalar(1.0, t), v.mul(t, t)))};
}

VJPResult GeluOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  Value g = singleCotangent(cts);
  return SmallVector<Value>{
      builder.create<GeluGradOp>(getLoc(), g.getType(), g, getX())};
}

VJPResult SoftmaxOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // dx = y * (g - sum(g * y, axis)).
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts), y = getResult();
  int64_t axis = getAxis();
  Value dot = v.sum(v.mul(g, y), {axis}, /*keepdims=*/true);
  return SmallVector<Value>{v.mul(y, v.sub(g, dot))};
}

VJPResult LogSoftmaxOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // dx = g - softmax(x) * sum(g, axis), softmax(x) = exp(y).
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  int64_t axis = getAxis();
  Value total = v.sum(g, {axis}, /*keepdims=*/true);
  return SmallVector<Value>{v.sub(g, v.mul(v.exp(getResult()), total))};
}
