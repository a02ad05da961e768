//===- NNOps.cpp - Verifiers and folders of the nn ops --------------------===//
//
// Defines what the generated op classes leave to C++: the verifiers (shape
// and attribute checks that traits cannot express) and the constant folder.
// The VJP rules live in VJP*.cpp.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/IR/NNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace dlc::nn;

//===----------------------------------------------------------------------===//
// Verifier helpers
//===----------------------------------------------------------------------===//

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

static int64_t rankOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getRank();
}

/// Checks that `actual` (the declared result shape) may equal `expected`.
static LogicalResult verifyResultShape(Operation *op, ArrayRef<int64_t> actual,
                                       ArrayRef<int64_t> expected,
                                       StringRef what = "result") {
  if (actual.size() == expected.size() &&
      llvm::all_of(llvm::zip(actual, expected), [](auto p) {
        return dimsCompatible(std::get<0>(p), std::get<1>(p));
      }))
    return success();
  auto fmt = [](ArrayRef<int64_t> s) {
    std::string str = "[";
    for (auto [i, d] : llvm::enumerate(s)) {
      if (i)
        str += ", ";
      str += ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d);
    }
    return str + "]";
  };
  return op->emitOpError() << what << " shape " << fmt(actual)
                           << " does not match the expected shape "
                           << fmt(expected);
}

/// Checks that `axes` are distinct and within [0, rank).
static LogicalResult verifyAxes(Operation *op, ArrayRef<int64_t> axes,
                                int64_t rank) {
  llvm::SmallSet<int64_t, 4> seen;
  for (int64_t a : axes) {
    if (a < 0 || a >= rank)
      return op->emitOpError()
             << "axis " << a << " is out of range [0, " << rank << ")";
    if (!seen.insert(a).second)
      return op->emitOpError() << "axis " << a << " appears twice";
  }
  return success();
}

static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return op->emitOpError()
           << "axis " << axis << " is out of range [0, " << rank << ")";
  return success();
}

/// Checks that `v` is a 1-D tensor of `channels` elements.
static LogicalResult verifyChannelVector(Operation *op, Value v,
                                         int64_t channels, StringRef name) {
  if (rankOf(v) != 1 || !dimsCompatible(shapeOf(v)[0], channels))
    return op->emitOpError() << name << " must have shape [" << channels << "]";
  return success();
}

//===----------------------------------------------------------------------===//
// Op verifiers and folders
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

/// A random fill's dynamic dimensions take the batch of `like`.
static LogicalResult verifyRandomShape(Operation *op, Value like) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (type.hasStaticShape())
    return success();
  if (!like)
    return op->emitOpError("requires a 'like' operand for a result with "
                           "dynamic dimensions");
  auto likeType = cast<RankedTensorType>(like.getType());
  if (likeType.getRank() < 1 || !likeType.isDynamicDim(0))
    return op->emitOpError("requires 'like' to have a dynamic dimension 0 "
                           "(the batch)");
  return success();
}

LogicalResult InitUniformOp::verify() {
  if (!(getLow().convertToDouble() < getHigh().convertToDouble()))
    return emitOpError("requires low < high");
  return verifyRandomShape(*this, getLike());
}

LogicalResult InitNormalOp::verify() {
  if (!(getStd().convertToDouble() > 0))
    return emitOpError("requires std > 0");
  return verifyRandomShape(*this, getLike());
}

static LogicalResult verifyBroadcastBinary(Operation *op) {
  auto shape =
      broadcastShapes(shapeOf(op->getOperand(0)), shapeOf(op->getOperand(1)));
  if (!shape)
    return op->emitOpError("operand shapes are not broadcast-compatible");
  return verifyResultShape(op, shapeOf(op->getResult(0)), *shape);
}

LogicalResult AddOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult SubOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult DivOp::verify() { return verifyBroadcastBinary(*this); }

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), rankOf(getX()));
}

LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), rankOf(getX()));
}

LogicalResult MatmulOp::verify() {
  ArrayRef<int64_t> a = shapeOf(getLhs()), b = shapeOf(getRhs());
  if (a.size() < 2 || b.size() < 2)
    return emitOpError("operands must have rank >= 2");
  if (!dimsCompatible(a.back(), b[b.size() - 2]))
    return emitOpError() << "contraction dimensions differ: " << a.back()
                         << " vs " << b[b.size() - 2];
  auto batch = broadcastShapes(a.drop_back(2), b.drop_back(2));
  if (!batch)
    return emitOpError("batch dimensions are not broadcast-compatible");
  SmallVector<int64_t> expected(*batch);
  expected.push_back(a[a.size() - 2]);
  expected.push_back(b.back());
  return verifyResultShape(*this, shapeOf(getResult()), expected);
}

template <typename ReduceOpT> static LogicalResult verifyReduce(ReduceOpT op) {
  if (failed(verifyAxes(op, op.getAxes(), rankOf(op.getX()))))
    return failure();
  return verifyResultShape(
      op, shapeOf(op.getResult()),
      reducedShape(shapeOf(op.getX()), op.getAxes(), op.getKeepdims()));
}

LogicalResult SumOp::verify() { return verifyReduce(*this); }
LogicalResult MeanOp::verify() { return verifyReduce(*this); }
LogicalResult MaxOp::verify() { return verifyReduce(*this); }

LogicalResult ReshapeOp::verify() {
  auto in = cast<RankedTensorType>(getX().getType());
  auto out = cast<RankedTensorType>(getResult().getType());
  if (out.getNumDynamicDims() > 1)
    return emitOpError("result may have at most one dynamic dimension");
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError() << "element count changes from " << in.getNumElements()
                         << " to " << out.getNumElements();
  return success();
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> perm = getPerm(), in = shapeOf(getX());
  if ((int64_t)perm.size() != (int64_t)in.size())
    return emitOpError("perm must have one entry per dimension");
  SmallVector<bool> seen(in.size(), false);
  SmallVector<int64_t> expected;
  for (int64_t p : perm) {
    if (p < 0 || p >= (int64_t)in.size() || seen[p])
      return emitOpError("perm must be a permutation of [0, rank)");
    seen[p] = true;
    expected.push_back(in[p]);
  }
  return verifyResultShape(*this, shapeOf(getResult()), expected);
}

LogicalResult BroadcastToOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getX()), out = shapeOf(getResult());
  if (in.size() > out.size())
    return emitOpError("cannot broadcast to a lower rank");
  for (size_t i = 0; i < in.size(); ++i) {
    int64_t di = in[in.size() - 1 - i], dout = out[out.size() - 1 - i];
    if (ShapedType::isDynamic(dout) && di == 1)
      return emitOpError("dynamic result dimension must align with a "
                         "non-unit operand dimension");
    if (di != 1 && !dimsCompatible(di, dout))
      return emitOpError() << "operand dimension " << di
                           << " cannot broadcast to " << dout;
  }
  for (size_t i = in.size(); i < out.size(); ++i)
    if (ShapedType::isDynamic(out[out.size() - 1 - i]))
      return emitOpError("dynamic result dimension must align with a "
                         "non-unit operand dimension");
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("requires at least one input");
  int64_t rank = rankOf(getInputs().front());
  if (failed(verifyAxis(*this, getAxis(), rank)))
    return failure();
  SmallVector<int64_t> expected(shapeOf(getInputs().front()));
  int64_t axis = getAxis();
  for (Value in : getInputs().drop_front()) {
    ArrayRef<int64_t> s = shapeOf(in);
    if ((int64_t)s.size() != rank)
      return emitOpError("inputs must have the same rank");
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis) {
        if (ShapedType::isDynamic(s[d]) || ShapedType::isDynamic(expected[d]))
          expected[d] = ShapedType::kDynamic;
        else
          expected[d] += s[d];
      } else if (!dimsCompatible(s[d], expected[d])) {
        return emitOpError() << "inputs differ in dimension " << d;
      }
    }
  }
  return verifyResultShape(*this, shapeOf(getResult()), expected);
}

LogicalResult SplitOp::verify() {
  if (getPieces().empty())
    return emitOpError("requires at least one result");
  ArrayRef<int64_t> in = shapeOf(getX());
  int64_t rank = in.size(), axis = getAxis();
  if (failed(verifyAxis(*this, axis, rank)))
    return failure();
  if (ShapedType::isDynamic(in[axis]))
    return emitOpError("cannot split the dynamic dimension ") << axis;
  int64_t total = 0;
  for (auto [k, piece] : llvm::enumerate(getPieces())) {
    ArrayRef<int64_t> s = shapeOf(piece);
    if ((int64_t)s.size() != rank)
      return emitOpError("result ") << k << " must have the operand's rank";
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis) {
        if (ShapedType::isDynamic(s[d]) || s[d] < 1)
          return emitOpError("result ")
                 << k << " needs a static, positive size along the axis";
        total += s[d];
      } else if (!dimsCompatible(s[d], in[d])) {
        return emitOpError("result ") << k << " differs from the operand in "
                                      << "dimension " << d;
      }
    }
  }
  if (total != in[axis])
    return emitOpError("the pieces add up to ")
           << total << " along axis " << axis << ", but the operand has "
           << in[axis];
  return success();
}

/// Shared by nn.slice and nn.slice_grad: checks the slice attributes against
/// `in` and computes the sliced shape.
static LogicalResult verifySliceAttrs(Operation *op, ArrayRef<int64_t> in,
                                      ArrayRef<int64_t> starts,
                                      ArrayRef<int64_t> limits,
                                      ArrayRef<int64_t> strides,
                                      SmallVectorImpl<int64_t> &sliced) {
  if (starts.size() != in.size() || limits.size() != in.size() ||
      strides.size() != in.size())
    return op->emitOpError(
        "starts, limits and strides need one entry per dimension");
  for (size_t d = 0; d < in.size(); ++d) {
    if (strides[d] <= 0)
      return op->emitOpError("strides must be positive");
    if (starts[d] < 0)
      return op->emitOpError("starts must be non-negative");
    int64_t limit = limits[d];
    if (limit == -1)
      limit = in[d];
    else if (limit < starts[d] ||
             (!ShapedType::isDynamic(in[d]) && limit > in[d]))
      return op->emitOpError()
             << "limit " << limits[d] << " is out of range in dimension " << d;
    if (ShapedType::isDynamic(limit))
      sliced.push_back(ShapedType::kDynamic);
    else
      sliced.push_back(std::max<int64_t>(
          0, (limit - starts[d] + strides[d] - 1) / strides[d]));
  }
  return success();
}

LogicalResult SliceOp::verify() {
  SmallVector<int64_t> expected;
  if (failed(verifySliceAttrs(*this, shapeOf(getX()), getStarts(), getLimits(),
                              getStrides(), expected)))
    return failure();
  return verifyResultShape(*this, shapeOf(getResult()), expected);
}

static LogicalResult verifyPositivePair(Operation *op, ArrayRef<int64_t> p,
                                        StringRef name, int64_t min) {
  if (p[0] < min || p[1] < min)
    return op->emitOpError() << name << " must be >= " << min;
  return success();
}

LogicalResult Conv2DOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getWeight());
  if (x.size() != 4 || w.size() != 4)
    return emitOpError("input and weight must have rank 4 (NCHW, OIHW)");
  if (failed(verifyPositivePair(*this, getStride(), "stride", 1)) ||
      failed(verifyPositivePair(*this, getPadding(), "padding", 0)) ||
      failed(verifyPositivePair(*this, getDilation(), "dilation", 1)))
    return failure();
  int64_t groups = getGroups();
  if (groups < 1)
    return emitOpError("groups must be >= 1");
  if (!ShapedType::isDynamic(w[0]) && w[0] % groups != 0)
    return emitOpError("output channels must be divisible by groups");
  if (!ShapedType::isDynamic(x[1]) && !ShapedType::isDynamic(w[1]) &&
      x[1] != w[1] * groups)
    return emitOpError() << "input has " << x[1]
                         << " channels but weight expects " << w[1] * groups;
  if (getBias() && failed(verifyChannelVector(*this, getBias(), w[0], "bias")))
    return failure();
  SmallVector<int64_t> expected = {
      x[0], w[0],
      windowOutputSize(x[2], w[2], getStride()[0], getPadding()[0],
                       getDilation()[0]),
      windowOutputSize(x[3], w[3], getStride()[1], getPadding()[1],
                       getDilation()[1])};
  if ((!ShapedType::isDynamic(expected[2]) && expected[2] < 1) ||
      (!ShapedType::isDynamic(expected[3]) && expected[3] < 1))
    return emitOpError("kernel does not fit in the padded input");
  return verifyResultShape(*this, shapeOf(getResult()), expected);
}

template <typename PoolOpT> static LogicalResult verifyPool(PoolOpT op) {
  ArrayRef<int64_t> x = shapeOf(op.getInput());
  if (x.size() != 4)
    return op.emitOpError("input must have rank 4 (NCHW)");
  if (failed(verifyPositivePair(op, op.getKernel(), "kernel", 1)) ||
      failed(verifyPositivePair(op, op.getStride(), "stride", 1)) ||
      failed(verifyPositivePair(op, op.getPadding(), "padding", 0)))
    return failure();
  for (int i = 0; i < 2; ++i)
    if (2 * op.getPadding()[i] > op.getKernel()[i])
      return op.emitOpError("padding must be at most half the kernel");
  SmallVector<int64_t> expected = {
      x[0], x[1],
      windowOutputSize(x[2], op.getKernel()[0], op.getStride()[0],
                       op.getPadding()[0], 1),
      windowOutputSize(x[3], op.getKernel()[1], op.getStride()[1],
                       op.getPadding()[1], 1)};
  if ((!ShapedType::isDynamic(expected[2]) && expected[2] < 1) ||
      (!ShapedType::isDynamic(expected[3]) && expected[3] < 1))
    return op.emitOpError("kernel does not fit in the padded input");
  return verifyResultShape(op, shapeOf(op.getResult()), expected);
}

LogicalResult MaxPool2DOp::verify() { return verifyPool(*this); }
LogicalResult AvgPool2DOp::verify() { return verifyPool(*this); }

/// Checks an NC or NCHW input and the per-channel vectors of batch norm.
static LogicalResult verifyBatchNorm(Operation *op, Value x,
                                     ArrayRef<Value> perChannel,
                                     ArrayRef<StringRef> names) {
  int64_t rank = rankOf(x);
  if (rank != 2 && rank != 4)
    return op->emitOpError("input must have rank 2 (NC) or 4 (NCHW)");
  int64_t channels = shapeOf(x)[1];
  for (auto [v, name] : llvm::zip(perChannel, names))
    if (failed(verifyChannelVector(op, v, channels, name)))
      return failure();
  return success();
}

LogicalResult BatchNormTrainOp::verify() {
  if (failed(verifyBatchNorm(*this, getX(),
                             {getGamma(), getBeta(), getMean(), getVar()},
                             {"gamma", "beta", "mean result", "var result"})))
    return failure();
  if (getEpsilon().convertToDouble() < 0)
    return emitOpError("epsilon must be non-negative");
  return verifyResultShape(*this, shapeOf(getY()), shapeOf(getX()));
}

LogicalResult BatchNormInferOp::verify() {
  if (failed(verifyBatchNorm(
          *this, getX(),
          {getGamma(), getBeta(), getRunningMean(), getRunningVar()},
          {"gamma", "beta", "running_mean", "running_var"})))
    return failure();
  if (getEpsilon().convertToDouble() < 0)
    return emitOpError("epsilon must be non-negative");
  return verifyResultShape(*this, shapeOf(getResult()), shapeOf(getX()));
}

LogicalResult DropoutOp::verify() {
  double p = getP().convertToDouble();
  if (!(p >= 0 && p < 1))
    return emitOpError("p must be in [0, 1)");
  return success();
}

/// Checks `[N, C]` scores, `[N]` labels and optional `[C]` class weights;
/// with `sequences`, also scores `[N, ..., C]` and labels `[N, ...]` (every
/// position a row).
static LogicalResult verifyClassification(Operation *op, Value scores,
                                          Value labels, Value weight,
                                          bool sequences = false) {
  int64_t rank = rankOf(scores);
  if (sequences ? rank < 2 : rank != 2)
    return op->emitOpError(sequences
                               ? "scores must have rank 2 or more ([N, C], "
                                 "[N, T, C], ...)"
                               : "scores must have rank 2 ([N, C])");
  ArrayRef<int64_t> s = shapeOf(scores), l = shapeOf(labels);
  bool fits = rankOf(labels) == rank - 1;
  for (int64_t d = 0; fits && d < rank - 1; ++d)
    fits = dimsCompatible(l[d], s[d]);
  if (!fits)
    return op->emitOpError(rank == 2 ? "labels must have shape [N] matching "
                                       "the scores"
                                     : "labels must have the shape of the "
                                       "scores without their last "
                                       "dimension");
  if (weight && failed(verifyChannelVector(op, weight, s.back(), "weight")))
    return failure();
  return success();
}

LogicalResult CrossEntropyOp::verify() {
  double s = getLabelSmoothing().convertToDouble();
  if (!(s >= 0 && s <= 1))
    return emitOpError("label_smoothing must be in [0, 1]");
  return verifyClassification(*this, getLogits(), getLabels(), getWeight(),
                              /*sequences=*/true);
}

LogicalResult NLLOp::verify() {
  return verifyClassification(*this, getLogp(), getLabels(), getWeight());
}

LogicalResult SumToOp::verify() {
  if (getResult().getType() != getRef().getType())
    return emitOpError("result type must be the type of ref");
  ArrayRef<int64_t> x = shapeOf(getX()), r = shapeOf(getRef());
  if (x.size() < r.size())
    return emitOpError("operand rank must be at least the rank of ref");
  auto b = broadcastShapes(x, r);
  if (!b || failed(verifyResultShape(*this, *b, x, "broadcast")))
    return emitOpError("ref does not broadcast to the operand");
  return success();
}

LogicalResult BroadcastLikeOp::verify() {
  if (getResult().getType() != getRef().getType())
    return emitOpError("result type must be the type of ref");
  ArrayRef<int64_t> x = shapeOf(getX()), r = shapeOf(getRef());
  if (getAxes().empty()) {
    if (x.size() > r.size())
      return emitOpError("cannot broadcast to a lower rank");
    auto b = broadcastShapes(x, r);
    if (!b || failed(verifyResultShape(*this, r, *b)))
      return emitOpError("operand does not broadcast to ref");
    return success();
  }
  if (failed(verifyAxes(*this, getAxes(), r.size())))
    return failure();
  return verifyResultShape(*this, x, reducedShape(r, getAxes(), false),
                           "operand");
}

LogicalResult CountOp::verify() {
  return verifyAxes(*this, getAxes(), rankOf(getX()));
}

LogicalResult MaxGradOp::verify() {
  if (getResult().getType() != getX().getType())
    return emitOpError("result type must be the type of x");
  if (failed(verifyAxes(*this, getAxes(), rankOf(getX()))))
    return failure();
  return verifyResultShape(
      *this, shapeOf(getGrad()),
      reducedShape(shapeOf(getX()), getAxes(), getKeepdims()), "grad");
}

// Generated code: some shared attribute constraints are unused.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#define GET_OP_CLASSES
#include "dlc/Dialect/NN/IR/NNOps.cpp.inc"
#pragma GCC diagnostic pop
