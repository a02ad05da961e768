//===- Contraction.cpp - Rules of the contraction ops ---------------------===//
//
// The Contraction ops: matmul, conv2d with the convolution gradients
// (conv2d_grad_input, conv2d_grad_weight) and conv_transpose2d (with its
// verifier here: its shape rule lives with it). For each op, one after another:
// its VJP (VJPOpInterface), its reference-evaluator rule
// (EvaluableOpInterface), its Halide algorithm (HalideOpInterface) and, where
// it is not the default, its FLOP count (CostOpInterface). Their fusion classes
// are op-class traits in their ODS entries (FusionOpInterface,
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

/// Calls fn(yFlat, xFlat, wFlat) for every multiply-add of a 2-D convolution
/// (NCHW input, OIHW weight); taps in the padding are skipped.
template <typename Fn>
void forEachConvTap(const Shape &x, const Shape &w, const Shape &y,
                    ArrayRef<int64_t> stride, ArrayRef<int64_t> padding,
                    ArrayRef<int64_t> dilation, int64_t groups, Fn fn) {
  int64_t n = x[0], h = x[2], wd = x[3];
  int64_t o = w[0], cg = w[1], kh = w[2], kw = w[3];
  int64_t oh = y[2], ow = y[3], og = o / groups;
  for (int64_t in = 0; in < n; ++in)
    for (int64_t io = 0; io < o; ++io) {
      int64_t g = io / og;
      for (int64_t y0 = 0; y0 < oh; ++y0)
        for (int64_t x0 = 0; x0 < ow; ++x0) {
          int64_t yFlat = ((in * o + io) * oh + y0) * ow + x0;
          for (int64_t ic = 0; ic < cg; ++ic)
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                int64_t iy = y0 * stride[0] - padding[0] + ky * dilation[0];
                int64_t ix = x0 * stride[1] - padding[1] + kx * dilation[1];
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
                  continue;
                int64_t xFlat =
                    ((in * (cg * groups) + g * cg + ic) * h + iy) * wd + ix;
                int64_t wFlat = ((io * cg + ic) * kh + ky) * kw + kx;
                fn(yFlat, xFlat, wFlat);
              }
        }
    }
}

/// Run-time output shape of a 2-D convolution, or an empty shape when the
/// operands do not fit together (channels, groups, kernel size).
Shape convOutputShape(const Shape &x, const Shape &w, ArrayRef<int64_t> stride,
                      ArrayRef<int64_t> padding, ArrayRef<int64_t> dilation,
                      int64_t groups) {
  if (w[0] % groups != 0 || x[1] != w[1] * groups)
    return {};
  Shape y = {x[0], w[0],
             windowOutputSize(x[2], w[2], stride[0], padding[0], dilation[0]),
             windowOutputSize(x[3], w[3], stride[1], padding[1], dilation[1])};
  if (y[2] < 1 || y[3] < 1)
    return {};
  return y;
}

/// Binds `result` to a read-out of the accumulator `acc` (rank `rank`): the
/// contraction's value, as a Func of its own so that the schedule can keep
/// the accumulator of one output tile in registers.
void readOut(Operation *op, Value result, GroupBuilder &b, const Func &acc,
             std::vector<Expr> shape) {
  Func f = b.newResultFunc(op, result, FuncKind::Readout);
  Index v = pureVars(static_cast<int64_t>(shape.size()));
  at(f, v) = at(acc, v);
  b.set(result, f, std::move(shape));
}

LogicalResult lowerMatmul(MatmulOp o, GroupBuilder &b) {
  HTensor x = b.get(o.getLhs()), y = b.get(o.getRhs());
  int64_t rx = x.rank(), ry = y.rank();
  // Batch dimensions broadcast like elementwise operands.
  HTensor xb = x, yb = y;
  xb.shape.resize(rx - 2);
  xb.staticShape.resize(rx - 2);
  yb.shape.resize(ry - 2);
  yb.staticShape.resize(ry - 2);
  std::vector<Expr> shape = broadcastShape(xb, yb);
  int64_t batch = static_cast<int64_t>(shape.size());
  shape.push_back(x.shape[rx - 2]);
  shape.push_back(y.shape[ry - 1]);
  // The contracted extent: prefer a static one.
  Expr k = x.staticShape[rx - 1] >= 0 ? x.shape[rx - 1] : y.shape[ry - 2];
  Index v = pureVars(batch + 2);
  Index bv(v.begin(), v.begin() + batch);
  Halide::RDom r(0, k, "rk");
  Index xi = broadcastIndex(xb, bv), yi = broadcastIndex(yb, bv);
  xi.push_back(v[batch]);
  xi.push_back(r);
  yi.push_back(r);
  yi.push_back(v[batch + 1]);
  Func acc = b.newFunc(o, "matmul_acc", FuncKind::Matmul);
  at(acc, v) = f32(0);
  at(acc, v) += x(xi) * y(yi);
  readOut(o, o.getResult(), b, acc, shape);
  return success();
}

/// The (stride, padding, dilation) of the two spatial dimensions.
std::pair<Axis, Axis> axesOf(llvm::ArrayRef<int64_t> stride,
                             llvm::ArrayRef<int64_t> padding,
                             llvm::ArrayRef<int64_t> dilation) {
  return {{(int)stride[0], (int)padding[0], (int)dilation[0]},
          {(int)stride[1], (int)padding[1], (int)dilation[1]}};
}

LogicalResult lowerConv2D(Conv2DOp o, GroupBuilder &b) {
  HTensor x = b.get(o.getInput()), w = b.get(o.getWeight());
  auto [ay, ax] = axesOf(o.getStride(), o.getPadding(), o.getDilation());
  int groups = static_cast<int>(o.getGroups());
  Expr cg = w.shape[1], og = w.shape[0] / groups;
  std::vector<Expr> shape = {x.shape[0], w.shape[0],
                             windowOutput(x.shape[2], w.shape[2], ay),
                             windowOutput(x.shape[3], w.shape[3], ax)};
  Halide::Var n("i0"), oc("i1"), oy("i2"), ox("i3");
  // RDom order: kx innermost, then ky, then the input channel.
  Padded xp = pad(o, b, x, f32(0));
  Halide::RDom r(0, w.shape[3], 0, w.shape[2], 0, cg, "r");
  Expr ic = (oc / og) * cg + r.z;
  Func acc = b.newFunc(o, "conv_acc", FuncKind::Conv);
  Expr init = f32(0);
  if (o.getBias())
    init = b.get(o.getBias())({oc});
  at(acc, {n, oc, oy, ox}) = init;
  at(acc, {n, oc, oy, ox}) +=
      w({oc, r.z, r.y, r.x}) *
      xp(n, ic, oy * ay.stride - ay.padding + r.y * ay.dilation,
         ox * ax.stride - ax.padding + r.x * ax.dilation);
  readOut(o, o.getResult(), b, acc, shape);
  return success();
}

/// The transposed convolution of `g` ([N, O, OH, OW]) with the OIHW weight
/// `w` into a result of `shape` ([N, C, H, W]): conv2d_grad_input, and
/// conv_transpose2d (whose input plays the part of the cotangent).
template <typename OpT>
LogicalResult lowerTransposedConv(OpT o, GroupBuilder &b, const HTensor &g,
                                  const HTensor &w, std::vector<Expr> shape) {
  auto [ay, ax] = axesOf(o.getStride(), o.getPadding(), o.getDilation());
  int groups = static_cast<int>(o.getGroups());
  Expr cg = w.shape[1], og = w.shape[0] / groups;
  Halide::Var n("i0"), c("i1"), iy("i2"), ix("i3");
  // dx[n, c, iy, ix] = sum over the output channels of c's group and the
  // taps (ky, kx) whose output position oy = (iy + p - ky*d) / s is whole
  // and in range.
  Halide::RDom r(0, w.shape[3], 0, w.shape[2], 0, og, "r");
  Expr ty = iy + ay.padding - r.y * ay.dilation;
  Expr tx = ix + ax.padding - r.x * ax.dilation;
  Expr hit = ty % ay.stride == 0 && tx % ax.stride == 0;
  Expr oc = (c / cg) * og + r.z;
  Padded gp = pad(o, b, g, f32(0));
  Expr value = gp(n, oc, ty / ay.stride, tx / ax.stride);
  Func acc = b.newFunc(o, "conv_acc", FuncKind::Conv);
  at(acc, {n, c, iy, ix}) = f32(0);
  at(acc, {n, c, iy, ix}) +=
      select(hit, value, f32(0)) * w({oc, c % cg, r.y, r.x});
  readOut(o, o.getResult(), b, acc, std::move(shape));
  return success();
}

LogicalResult lowerConv2DGradInput(Conv2DGradInputOp o, GroupBuilder &b) {
  return lowerTransposedConv(o, b, b.get(o.getGrad()), b.get(o.getWeight()),
                             b.get(o.getInput()).shape);
}

LogicalResult lowerConv2DGradWeight(Conv2DGradWeightOp o, GroupBuilder &b) {
  HTensor g = b.get(o.getGrad()), x = b.get(o.getInput()),
          w = b.get(o.getWeight());
  auto [ay, ax] = axesOf(o.getStride(), o.getPadding(), o.getDilation());
  int groups = static_cast<int>(o.getGroups());
  Expr cg = w.shape[1], og = w.shape[0] / groups;
  Halide::Var oc("i0"), ic("i1"), ky("i2"), kx("i3");
  // dw[o, ic, ky, kx] = sum over the batch and the output positions. When
  // the output row extended by the padding on both sides is a whole number
  // of 16-float vectors (14 + 2 * 1), the columns run over that extended
  // row, where the padded gradient is zero: the schedule's 16-lane
  // partial sums then need no masked lanes (7.2 -> 4.5 ms for the CNN's
  // 32->64 layer). Otherwise (28 + 2: a stored copy of the gradient would
  // cost more than the masking saves) over the output row itself.
  Expr ow = g.shape[3];
  const int64_t *owStatic = Halide::Internal::as_const_int(ow);
  bool extend = owStatic && ax.padding > 0 &&
                (*owStatic + 2 * ax.padding) % kVectorColumns == 0;
  int x0 = extend ? -ax.padding : 0;
  Halide::RDom r(x0, extend ? ow + 2 * ax.padding : ow, 0, g.shape[2], 0,
                 g.shape[0], "r");
  Padded xp = pad(o, b, x, f32(0));
  Func gp = g.func;
  if (extend)
    gp = pad(o, b, g, f32(0)).func;
  Expr xin = xp(r.z, (oc / og) * cg + ic,
                r.y * ay.stride - ay.padding + ky * ay.dilation,
                r.x * ax.stride - ax.padding + kx * ax.dilation);
  Func f = b.newResultFunc(o, o.getResult(), FuncKind::Conv);
  at(f, {oc, ic, ky, kx}) = f32(0);
  at(f, {oc, ic, ky, kx}) += at(gp, {r.z, oc, r.y, r.x}) * xin;
  b.set(o.getResult(), f, w.shape);
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

VJPResult MatmulOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // C = A B: dA = dC B^T, dB = A^T dC, summed over broadcast batch dims.
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  Value ga = v.matmul(g, v.transposeLast2(getRhs()));
  Value gb = v.matmul(v.transposeLast2(getLhs()), g);
  return SmallVector<Value>{v.sumTo(ga, getLhs()), v.sumTo(gb, getRhs())};
}

LogicalResult MatmulOp::evaluate(ArrayRef<const Tensor *> operands,
                                 std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  MatmulOp o = *this;
  const Tensor &a = f.get(o.getLhs()), &b = f.get(o.getRhs());
  int64_t m = a.shape[a.rank() - 2], k = a.shape.back();
  int64_t n = b.shape.back();
  if (b.shape[b.rank() - 2] != k)
    return o.emitError("evaluator: contraction dimensions differ");
  Shape aBatch(a.shape.begin(), a.shape.end() - 2);
  Shape bBatch(b.shape.begin(), b.shape.end() - 2), batch;
  if (!broadcastRuntime(aBatch, bBatch, batch))
    return o.emitError("evaluator: batch dimensions do not broadcast");
  Shape shape = batch;
  shape.push_back(m);
  shape.push_back(n);
  Tensor y(shape);
  for (int64_t bi = 0; bi < numElements(batch); ++bi) {
    Shape idx = unflatten(bi, batch);
    int64_t aOff = broadcastSource(idx, aBatch) * m * k;
    int64_t bOff = broadcastSource(idx, bBatch) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t l = 0; l < k; ++l)
          s += a.data[aOff + i * k + l] * b.data[bOff + l * n + j];
        y.data[(bi * m + i) * n + j] = s;
      }
  }
  return f.set(o.getResult(), std::move(y));
}

LogicalResult MatmulOp::lowerToHalide(GroupBuilder &b) {
  MatmulOp o = *this;
  return lowerMatmul(o, b);
}

//===----------------------------------------------------------------------===//
// Conv2D
//===----------------------------------------------------------------------===//

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

LogicalResult Conv2DOp::evaluate(ArrayRef<const Tensor *> operands,
                                 std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  Conv2DOp o = *this;
  const Tensor &x = f.get(o.getInput()), &w = f.get(o.getWeight());
  Shape shape = convOutputShape(x.shape, w.shape, o.getStride(), o.getPadding(),
                                o.getDilation(), o.getGroups());
  if (shape.empty())
    return o.emitError() << "evaluator: input " << x.shapeString()
                         << " and weight " << w.shapeString() << " do not fit";
  if (o.getBias() && f.get(o.getBias()).shape != Shape{w.shape[0]})
    return o.emitError("evaluator: bias does not match the weight");
  Tensor y(shape);
  forEachConvTap(x.shape, w.shape, shape, o.getStride(), o.getPadding(),
                 o.getDilation(), o.getGroups(),
                 [&](int64_t yi, int64_t xi, int64_t wi) {
                   y.data[yi] += x.data[xi] * w.data[wi];
                 });
  if (o.getBias()) {
    const Tensor &b = f.get(o.getBias());
    for (int64_t i = 0; i < y.size(); ++i)
      y.data[i] += b.data[channelOf(i, shape)];
  }
  return f.set(o.getResult(), std::move(y));
}

LogicalResult Conv2DOp::lowerToHalide(GroupBuilder &b) {
  Conv2DOp o = *this;
  return lowerConv2D(o, b);
}

//===----------------------------------------------------------------------===//
// Conv2DGradInput
//===----------------------------------------------------------------------===//

template <typename OpT>
static LogicalResult evaluateConv2DGrad(OpT o, EvalFrame &f) {
  Operation *op = o.getOperation();
  const Tensor &g = f.get(o.getGrad()), &x = f.get(o.getInput()),
               &w = f.get(o.getWeight());
  if (g.shape != convOutputShape(x.shape, w.shape, o.getStride(),
                                 o.getPadding(), o.getDilation(),
                                 o.getGroups()))
    return o.emitError("evaluator: operand shapes do not fit");
  bool wrtInput = isa<Conv2DGradInputOp>(op);
  Tensor d(wrtInput ? x.shape : w.shape);
  forEachConvTap(x.shape, w.shape, g.shape, o.getStride(), o.getPadding(),
                 o.getDilation(), o.getGroups(),
                 [&](int64_t yi, int64_t xi, int64_t wi) {
                   if (wrtInput)
                     d.data[xi] += g.data[yi] * w.data[wi];
                   else
                     d.data[wi] += g.data[yi] * x.data[xi];
                 });
  return f.set(o.getResult(), std::move(d));
}

LogicalResult Conv2DGradInputOp::evaluate(ArrayRef<const Tensor *> operands,
                                          std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluateConv2DGrad(*this, f);
}

LogicalResult Conv2DGradInputOp::lowerToHalide(GroupBuilder &b) {
  Conv2DGradInputOp o = *this;
  return lowerConv2DGradInput(o, b);
}

//===----------------------------------------------------------------------===//
// Conv2DGradWeight
//===----------------------------------------------------------------------===//

LogicalResult Conv2DGradWeightOp::evaluate(ArrayRef<const Tensor *> operands,
                                           std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluateConv2DGrad(*this, f);
}

LogicalResult Conv2DGradWeightOp::lowerToHalide(GroupBuilder &b) {
  b.hintSchedule(ScheduleHint::ConvGradWeight);
  Conv2DGradWeightOp o = *this;
  return lowerConv2DGradWeight(o, b);
}

//===----------------------------------------------------------------------===//
// ConvTranspose2D
//===----------------------------------------------------------------------===//

/// The result size of a transposed convolution along one axis.
static int64_t transposedSize(int64_t in, int64_t k, int64_t s, int64_t p,
                              int64_t op, int64_t d) {
  return (in - 1) * s - 2 * p + d * (k - 1) + op + 1;
}

LogicalResult ConvTranspose2DOp::verify() {
  auto x = getInput().getType(), w = getWeight().getType(),
       r = getResult().getType();
  if (x.getRank() != 4 || w.getRank() != 4 || r.getRank() != 4)
    return emitOpError("input, weight and result must have rank 4");
  int64_t groups = getGroups();
  if (groups < 1 || x.isDynamicDim(1) || x.getDimSize(1) != w.getDimSize(0) ||
      x.getDimSize(1) % groups)
    return emitOpError("the input's channels must be the weight's first "
                       "dimension and a multiple of groups");
  if (r.isDynamicDim(1) || r.getDimSize(1) != w.getDimSize(1) * groups)
    return emitOpError("the result's channels must be groups x the weight's "
                       "second dimension");
  for (int i = 0; i < 2; ++i) {
    int64_t s = getStride()[i], p = getPadding()[i], op = getOutputPadding()[i],
            d = getDilation()[i];
    if (s < 1 || d < 1 || p < 0 || op < 0 || op >= s)
      return emitOpError("needs stride, dilation >= 1, padding >= 0 and 0 <= "
                         "output_padding < stride");
    if (x.isDynamicDim(2 + i) || r.isDynamicDim(2 + i))
      return emitOpError("spatial dimensions must be static");
    int64_t expected = transposedSize(x.getDimSize(2 + i), w.getDimSize(2 + i),
                                      s, p, op, d);
    if (r.getDimSize(2 + i) != expected)
      return emitOpError("result dimension ")
             << 2 + i << " is " << r.getDimSize(2 + i) << ", expected "
             << expected;
  }
  return success();
}

VJPResult ConvTranspose2DOp::computeVJP(OpBuilder &builder,
                                        ArrayRef<Value> cts) {
  // The adjoint of a transposed convolution is the convolution, and its
  // weight gradient the correlation of the cotangent with the input.
  Value g = singleCotangent(cts);
  SmallVector<Value> result;
  result.push_back(builder.create<Conv2DOp>(
      getLoc(), getInput().getType(), g, getWeight(), Value(), getStrideAttr(),
      getPaddingAttr(), getDilationAttr(), getGroupsAttr()));
  result.push_back(builder.create<Conv2DGradWeightOp>(
      getLoc(), getWeight().getType(), getInput(), g, getWeight(),
      getStrideAttr(), getPaddingAttr(), getDilationAttr(), getGroupsAttr()));
  return result;
}

LogicalResult ConvTranspose2DOp::evaluate(ArrayRef<const Tensor *> operands,
                                          std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  const Tensor &x = f.get(getInput()), &w = f.get(getWeight());
  auto type = getResult().getType();
  Shape out = {x.shape[0], type.getDimSize(1), type.getDimSize(2),
               type.getDimSize(3)};
  if (x.shape.size() != 4 ||
      x.shape != convOutputShape(out, w.shape, getStride(), getPadding(),
                                 getDilation(), getGroups()))
    return emitError("evaluator: operand shapes do not fit");
  // Every tap of the convolution from the result back to the input adds
  // input * weight into the result.
  Tensor y(out);
  forEachConvTap(out, w.shape, x.shape, getStride(), getPadding(),
                 getDilation(), getGroups(),
                 [&](int64_t xi, int64_t yi, int64_t wi) {
                   y.data[yi] += x.data[xi] * w.data[wi];
                 });
  return f.set(getResult(), std::move(y));
}

LogicalResult ConvTranspose2DOp::lowerToHalide(GroupBuilder &b) {
  HTensor x = b.get(getInput()), w = b.get(getWeight());
  auto type = getResult().getType();
  return lowerTransposedConv(*this, b, x, w,
                             {x.shape[0], Expr((int)type.getDimSize(1)),
                              Expr((int)type.getDimSize(2)),
                              Expr((int)type.getDimSize(3))});
}

// Two FLOPs per input element and tap of its [O/groups, KH, KW] window.
int64_t ConvTranspose2DOp::getFlopsPerSample() {
  ArrayRef<int64_t> w =
      cast<RankedTensorType>(getWeight().getType()).getShape();
  return 2 * (w[1] * w[2] * w[3]) * staticElementCount(getInput().getType());
}

//===----------------------------------------------------------------------===//
// FLOP counts of the contractions
//===----------------------------------------------------------------------===//

// A multiply-add counts twice; K is the last static dimension of the lhs (1
// when dynamic); dynamic dimensions of the result are not counted.
int64_t MatmulOp::getFlopsPerSample() {
  int64_t k = cast<RankedTensorType>(getLhs().getType()).getShape().back();
  if (ShapedType::isDynamic(k))
    k = 1;
  return 2 * k * staticElementCount(getResult().getType());
}

// Two FLOPs per tap of the OIHW weight's [C/groups, KH, KW] window per
// output element.
int64_t Conv2DOp::getFlopsPerSample() {
  ArrayRef<int64_t> w =
      cast<RankedTensorType>(getWeight().getType()).getShape();
  return 2 * (w[1] * w[2] * w[3]) * staticElementCount(getResult().getType());
}
