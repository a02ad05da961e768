//===- Normalization.cpp - Rules of the normalisation ops -----------------===//
//
// The Normalization ops: batch normalisation (training, inference, gradient).
// For each op, one after another: its VJP (VJPOpInterface), its reference-
// evaluator rule (EvaluableOpInterface), its Halide algorithm
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

//===----------------------------------------------------------------------===//
// BatchNormTrain
//===----------------------------------------------------------------------===//

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

LogicalResult BatchNormTrainOp::evaluate(ArrayRef<const Tensor *> operands,
                                         std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  for (size_t i = 1; i < operands.size(); ++i)
    if (operands[i]->shape != Shape{operands[0]->shape[1]})
      return f.mismatch();
  BatchNormTrainOp o = *this;
  const Tensor &x = f.get(o.getX()), &gamma = f.get(o.getGamma()),
               &beta = f.get(o.getBeta());
  int64_t c = x.shape[1];
  double eps = o.getEpsilon().convertToDouble();
  Tensor mean({c}), var({c});
  double m = double(x.size()) / c;
  for (int64_t i = 0; i < x.size(); ++i)
    mean.data[channelOf(i, x.shape)] += x.data[i] / m;
  for (int64_t i = 0; i < x.size(); ++i) {
    double d = x.data[i] - mean.data[channelOf(i, x.shape)];
    var.data[channelOf(i, x.shape)] += d * d / m;
  }
  Tensor y(x.shape);
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t ch = channelOf(i, x.shape);
    y.data[i] = (x.data[i] - mean.data[ch]) / std::sqrt(var.data[ch] + eps) *
                    gamma.data[ch] +
                beta.data[ch];
  }
  if (failed(f.set(o.getY(), std::move(y))) ||
      failed(f.set(o.getMean(), std::move(mean))))
    return failure();
  return f.set(o.getVar(), std::move(var));
}

LogicalResult BatchNormTrainOp::lowerToHalide(GroupBuilder &b) {
  b.hintSchedule(ScheduleHint::ChannelStatistic);
  BatchNormTrainOp o = *this;
  return lowerBatchNormTrain(o, b);
}

//===----------------------------------------------------------------------===//
// BatchNormInfer
//===----------------------------------------------------------------------===//

VJPResult BatchNormInferOp::computeVJP(OpBuilder &builder,
                                       ArrayRef<Value> cts) {
  auto op = builder.create<BatchNormGradOp>(
      getLoc(), getX().getType(), getGamma().getType(), getBeta().getType(),
      singleCotangent(cts), getX(), getGamma(), getRunningMean(),
      getRunningVar(), getEpsilonAttr(), builder.getBoolAttr(false));
  return SmallVector<Value>{op.getGradX(), op.getGradGamma(), op.getGradBeta(),
                            Value(), Value()};
}

LogicalResult BatchNormInferOp::evaluate(ArrayRef<const Tensor *> operands,
                                         std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  for (size_t i = 1; i < operands.size(); ++i)
    if (operands[i]->shape != Shape{operands[0]->shape[1]})
      return f.mismatch();
  BatchNormInferOp o = *this;
  const Tensor &x = f.get(o.getX()), &gamma = f.get(o.getGamma()),
               &beta = f.get(o.getBeta()), &mean = f.get(o.getRunningMean()),
               &var = f.get(o.getRunningVar());
  double eps = o.getEpsilon().convertToDouble();
  Tensor y(x.shape);
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t ch = channelOf(i, x.shape);
    y.data[i] = (x.data[i] - mean.data[ch]) / std::sqrt(var.data[ch] + eps) *
                    gamma.data[ch] +
                beta.data[ch];
  }
  return f.set(o.getResult(), std::move(y));
}

LogicalResult BatchNormInferOp::lowerToHalide(GroupBuilder &b) {
  BatchNormInferOp o = *this;
  HTensor x = b.get(o.getX()), gamma = b.get(o.getGamma()),
          beta = b.get(o.getBeta()), mean = b.get(o.getRunningMean()),
          var = b.get(o.getRunningVar());
  double eps = o.getEpsilon().convertToDouble();
  Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
  Index v = pureVars(x.rank());
  at(f, v) = (x(v) - channel(mean, v)) /
                 Halide::sqrt(channel(var, v) + f32(eps)) * channel(gamma, v) +
             channel(beta, v);
  b.set(o.getResult(), f, x.shape);
  return success();
}

/// Running statistics, not the batch's (batch_norm_train is not).
bool BatchNormInferOp::sampleWise() { return true; }

//===----------------------------------------------------------------------===//
// BatchNormGrad
//===----------------------------------------------------------------------===//

LogicalResult BatchNormGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                        std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  if (operands[0]->shape != operands[1]->shape)
    return f.mismatch();
  for (size_t i = 2; i < operands.size(); ++i)
    if (operands[i]->shape != Shape{operands[1]->shape[1]})
      return f.mismatch();
  BatchNormGradOp o = *this;
  const Tensor &g = f.get(o.getGrad()), &x = f.get(o.getX()),
               &gamma = f.get(o.getGamma()), &mean = f.get(o.getMean()),
               &var = f.get(o.getVar());
  int64_t c = x.shape[1];
  double eps = o.getEpsilon().convertToDouble();
  double m = double(x.size()) / c;
  Tensor dgamma({c}), dbeta({c}), dx(x.shape);
  auto xhat = [&](int64_t i) {
    int64_t ch = channelOf(i, x.shape);
    return (x.data[i] - mean.data[ch]) / std::sqrt(var.data[ch] + eps);
  };
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t ch = channelOf(i, x.shape);
    dbeta.data[ch] += g.data[i];
    dgamma.data[ch] += g.data[i] * xhat(i);
  }
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t ch = channelOf(i, x.shape);
    double inv = 1.0 / std::sqrt(var.data[ch] + eps);
    if (o.getTraining())
      dx.data[i] = gamma.data[ch] * inv / m *
                   (m * g.data[i] - dbeta.data[ch] - xhat(i) * dgamma.data[ch]);
    else
      dx.data[i] = g.data[i] * gamma.data[ch] * inv;
  }
  if (failed(f.set(o.getGradX(), std::move(dx))) ||
      failed(f.set(o.getGradGamma(), std::move(dgamma))))
    return failure();
  return f.set(o.getGradBeta(), std::move(dbeta));
}

LogicalResult BatchNormGradOp::lowerToHalide(GroupBuilder &b) {
  BatchNormGradOp o = *this;
  return lowerBatchNormGrad(o, b);
}
