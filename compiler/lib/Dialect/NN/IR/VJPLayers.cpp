//===- VJPLayers.cpp - VJP rules of layer and loss ops --------------------===//
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

/// Reshapes a per-channel vector `[C]` so that it broadcasts against `x`
/// (`[1, C]` or `[1, C, 1, 1]`).
static Value perChannel(OpBuilder &builder, Location loc, Value v, Value x) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto vType = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(xType.getRank(), 1);
  shape[1] = vType.getDimSize(0);
  return builder.create<ReshapeOp>(
      loc, RankedTensorType::get(shape, vType.getElementType()), v);
}

VJPResult BatchNormTrainOp::computeVJP(OpBuilder &builder,
                                       ArrayRef<Value> cts) {
  VJPBuilder v(builder, getLoc());
  Value gy = cts[0], gmean = cts[1], gvar = cts[2];
  SmallVector<Value> result(3);
  if (gy) {
    auto op = builder.create<BatchNormGradOp>(
        getLoc(), getX().getType(), getGamma().getType(), getBeta().getType(),
        gy, getX(), getGamma(), getMean(), getVar(), getEpsilonAttr(),
        builder.getBoolAttr(true));
    result = {op.getGradX(), op.getGradGamma(), op.getGradBeta()};
  }
  if (!gmean && !gvar)
    return result;
  // The statistics themselves: d mean / dx = 1 / M and
  // d var / dx = 2 (x - mean) / M per channel, M the count per channel.
  if (cast<RankedTensorType>(getMean().getType()).isDynamicDim(0))
    return emitOpError("cannot differentiate the batch statistics with a "
                       "dynamic channel count");
  SmallVector<int64_t> reduced = {0};
  for (int64_t d = 2, e = cast<RankedTensorType>(getX().getType()).getRank();
       d < e; ++d)
    reduced.push_back(d);
  Value count = v.count(getX(), reduced);
  Value dx;
  if (gmean)
    dx = v.broadcastLike(
        v.div(perChannel(builder, getLoc(), gmean, getX()), count), getX());
  if (gvar) {
    Value centered =
        v.sub(getX(), perChannel(builder, getLoc(), getMean(), getX()));
    Value fromVar =
        v.mul(v.scale(centered, 2.0),
              v.div(perChannel(builder, getLoc(), gvar, getX()), count));
    dx = dx ? v.add(dx, fromVar) : fromVar;
  }
  result[0] = result[0] ? v.add(result[0], dx) : dx;
  return result;
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
  return SmallVector<Value>{builder.create<DropoutOp>(getLoc(), g.getType(), g,
                                                      getSeed(), getPAttr()),
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

VJPResult BCEWithLogitsOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // dz = (sigmoid(z) - t) / n, dt = -z / n.
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts), z = getInput(), t = getTarget();
  Value gn = v.div(g, v.count(z));
  return SmallVector<Value>{v.mul(v.sub(v.sigmoid(z), t), gn),
                            v.mul(v.neg(z), gn)};
}

VJPResult CrossEntropyOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  SmallVector<Value> result;
  result.push_back(builder.create<CrossEntropyGradOp>(
      getLoc(), getLogits().getType(), singleCotangent(cts), getLogits(),
      getLabels(), getWeight(), getLabelSmoothingAttr()));
  result.resize(getOperation()->getNumOperands());
  return result;
}

VJPResult NLLOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  SmallVector<Value> result;
  result.push_back(builder.create<NLLGradOp>(getLoc(), getLogp().getType(),
                                             singleCotangent(cts), getLogp(),
                                             getLabels(), getWeight()));
  result.resize(getOperation()->getNumOperands());
  return result;
}
