//===- VJPLayers.cpp - VJP rules of layer and loss ops ---------------------===//
//
// Reverse-mode rules of convolution, pooling, batch normalisation, dropout
// and the losses. Most delegate to a dedicated *_grad helper op; the
// pairwise losses are composed from elementwise ops.
//
//===----------------------------------------------------------------------===//

#include "VJPBuilder.h"

using namespace mlir;
using namespace dlc::nn;

using VJPResult = FailureOr<SmallVector<Value>>;

VJPResult Conv2DOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  SmallVector<Value> result;
  result.push_back(builder.create<Conv2DGradInputOp>(
      getLoc(), getInput().getType(), g, getWeight(), getInput(),
      getStrideAttr(), getPaddingAttr(), getDilationAttr(), getGroupsAttr()));
  result.push_back(builder.create<Conv2DGradWeightOp>(
      getLoc(), getWeight().getType(), g, getInput(), getWeight(),
      getStrideAttr(), getPaddingAttr(), getDilationAttr(), getGroupsAttr()));
  if (getBias()) {
    Value db = v.sum(g, {0, 2, 3}, /*keepdims=*/false);
    if (db.getType() != getBias().getType())
      db = v.sumTo(db, getBias());
    result.push_back(db);
  }
  return result;
}

VJPResult MaxPool2DOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  return SmallVector<Value>{builder.create<MaxPool2DGradOp>(
      getLoc(), getInput().getType(), singleCotangent(cts), getInput(),
      getKernelAttr(), getStrideAttr(), getPaddingAttr())};
}

VJPResult AvgPool2DOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  return SmallVector<Value>{builder.create<AvgPool2DGradOp>(
      getLoc(), getInput().getType(), singleCotangent(cts), getInput(),
      getKernelAttr(), getStrideAttr(), getPaddingAttr())};
}

VJPResult BatchNormTrainOp::computeVJP(OpBuilder &builder,
                                       ArrayRef<Value> cts) {
  if (cts[1] || cts[2])
    return emitOpError("cannot differentiate through the batch statistics "
                       "results of batch_norm_train");
  auto op = builder.create<BatchNormGradOp>(
      getLoc(), getX().getType(), getGamma().getType(), getBeta().getType(),
      cts[0], getX(), getGamma(), getMean(), getVar(), getEpsilonAttr(),
      builder.getBoolAttr(true));
  return SmallVector<Value>{op.getGradX(), op.getGradGamma(),
                            op.getGradBeta()};
}

VJPResult BatchNormInferOp::computeVJP(OpBuilder &builder,
                                       ArrayRef<Value> cts) {
  auto op = builder.create<BatchNormGradOp>(
      getLoc(), getX().getType(), getGamma().getType(), getBeta().getType(),
      singleCotangent(cts), getX(), getGamma(), getRunningMean(),
      getRunningVar(), getEpsilonAttr(), builder.getBoolAttr(false));
  return SmallVector<Value>{op.getGradX(), op.getGradGamma(), op.getGradBeta(),
                            Value(), Value()};
}

VJPResult DropoutOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // The mask depends on the seed and the shape only: apply it again.
  Value g = singleCotangent(cts);
  return SmallVector<Value>{
      builder.create<DropoutOp>(getLoc(), g.getType(), g, getSeed(),
                                getPAttr()),
      Value()};
}

VJPResult MSEOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // d/dp mean((p - t)^2) = 2 (p - t) / n.
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  Value gn = v.div(g, v.count(getInput()));
  Value gi = v.mul(v.scale(v.sub(getInput(), getTarget()), 2.0), gn);
  return SmallVector<Value>{gi, v.neg(gi)};
}

VJPResult L1Op::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // d/dp mean(|p - t|) = sign(p - t) / n.
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  Value gn = v.div(g, v.count(getInput()));
  Value gi = v.mul(v.sign(v.sub(getInput(), getTarget())), gn);
  return SmallVector<Value>{gi, v.neg(gi)};
}

VJPResult BCEOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // dp = (p - t) / (p (1 - p)) / n, dt = (log(1 - p) - log(p)) / n.
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts), p = getInput(), t = getTarget();
  Value gn = v.div(g, v.count(p));
  Value oneMinusP = v.sub(v.scalar(1.0, p), p);
  Value dp = v.div(v.sub(p, t), v.mul(p, oneMinusP));
  Value dt = v.sub(v.log(oneMinusP), v.log(p));
  return SmallVector<Value>{v.mul(dp, gn), v.mul(dt, gn)};
}

VJPResult BCEWithLogitsOp::computeVJP(OpBuilder &builder,
                                      ArrayRef<Value> cts) {
  // dz = (sigmoid(z) - t) / n, dt = -z / n.
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts), z = getInput(), t = getTarget();
  Value gn = v.div(g, v.count(z));
  return SmallVector<Value>{v.mul(v.sub(v.sigmoid(z), t), gn),
                            v.mul(v.neg(z), gn)};
}

VJPResult CrossEntropyOp::computeVJP(OpBuilder &builder,
                                     ArrayRef<Value> cts) {
  SmallVector<Value> result;
  result.push_back(builder.create<CrossEntropyGradOp>(
      getLoc(), getLogits().getType(), singleCotangent(cts), getLogits(),
      getLabels(), getWeight(), getLabelSmoothingAttr()));
  result.resize(getOperation()->getNumOperands());
  return result;
}

VJPResult NLLOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  SmallVector<Value> result;
  result.push_back(builder.create<NLLGradOp>(
      getLoc(), getLogp().getType(), singleCotangent(cts), getLogp(),
      getLabels(), getWeight()));
  result.resize(getOperation()->getNumOperands());
  return result;
}
