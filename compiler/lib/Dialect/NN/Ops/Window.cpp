//===- Window.cpp - Rules of the window ops -------------------------------===//
//
// The Window ops: max and average pooling and their gradients, and
// nearest-neighbour and bilinear upsampling and their gradients (with their
// verifiers here: the shape rules of these pairs live with the op). For each op, one after
// another: its VJP (VJPOpInterface), its reference-evaluator rule
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

/// Calls fn(yFlat, taps) for every pooling window, with the flat input
/// indices of its in-bounds taps in row-major window order.
template <typename Fn>
void forEachPoolWindow(const Shape &x, const Shape &y, ArrayRef<int64_t> kernel,
                       ArrayRef<int64_t> stride, ArrayRef<int64_t> padding,
                       Fn fn) {
  std::vector<int64_t> taps;
  for (int64_t nc = 0; nc < x[0] * x[1]; ++nc)
    for (int64_t y0 = 0; y0 < y[2]; ++y0)
      for (int64_t x0 = 0; x0 < y[3]; ++x0) {
        taps.clear();
        for (int64_t ky = 0; ky < kernel[0]; ++ky)
          for (int64_t kx = 0; kx < kernel[1]; ++kx) {
            int64_t iy = y0 * stride[0] - padding[0] + ky;
            int64_t ix = x0 * stride[1] - padding[1] + kx;
            if (iy >= 0 && iy < x[2] && ix >= 0 && ix < x[3])
              taps.push_back((nc * x[2] + iy) * x[3] + ix);
          }
        fn((nc * y[2] + y0) * y[3] + x0, taps);
      }
}

/// Run-time output shape of a 2-D pooling, or an empty shape when the window
/// does not fit.
Shape poolOutputShape(const Shape &x, ArrayRef<int64_t> kernel,
                      ArrayRef<int64_t> stride, ArrayRef<int64_t> padding) {
  Shape y = {x[0], x[1],
             windowOutputSize(x[2], kernel[0], stride[0], padding[0], 1),
             windowOutputSize(x[3], kernel[1], stride[1], padding[1], 1)};
  if (y[2] < 1 || y[3] < 1)
    return {};
  return y;
}

/// Pooling geometry.
struct Pool {
  int kh, kw;
  Axis y, x;
};

/// The input of a pooling window: `x` itself when the windows have no
/// padding (every tap is then inside the input, so no extension and no
/// stored copy are needed), else `x` padded with `outside`.
Padded windowInput(Operation *op, GroupBuilder &b, const HTensor &x,
                   const Pool &p, const Expr &outside) {
  if (p.y.padding == 0 && p.x.padding == 0)
    return {x.func};
  return pad(op, b, x, outside);
}

template <typename PoolOp> Pool poolOf(PoolOp o) {
  return {(int)o.getKernel()[0],
          (int)o.getKernel()[1],
          {(int)o.getStride()[0], (int)o.getPadding()[0], 1},
          {(int)o.getStride()[1], (int)o.getPadding()[1], 1}};
}

/// The window maximum of `x` at output (n, c, oy, ox) over in-bounds taps.
Func windowMax(Operation *op, GroupBuilder &b, const HTensor &x,
               const Pool &p) {
  Halide::Var n("i0"), c("i1"), oy("i2"), ox("i3");
  Halide::RDom r(0, p.kw, 0, p.kh, "rw");
  Func mx = b.newFunc(op, "window_max", FuncKind::Window);
  Expr minusInf = f32(-std::numeric_limits<float>::infinity());
  Padded xp = windowInput(op, b, x, p, minusInf);
  at(mx, {n, c, oy, ox}) = minusInf;
  at(mx, {n, c, oy, ox}) = Halide::max(
      at(mx, {n, c, oy, ox}), xp(n, c, oy * p.y.stride - p.y.padding + r.y,
                                 ox * p.x.stride - p.x.padding + r.x));
  return mx;
}

LogicalResult lowerPool(Operation *op, const Pool &p, bool isMax,
                        GroupBuilder &b) {
  HTensor x = b.get(op->getOperand(0));
  std::vector<Expr> shape = {x.shape[0], x.shape[1],
                             windowOutput(x.shape[2], p.kh, p.y),
                             windowOutput(x.shape[3], p.kw, p.x)};
  Value result = op->getResult(0);
  Halide::Var n("i0"), c("i1"), oy("i2"), ox("i3");
  if (isMax) {
    // The window max is the result itself.
    Halide::RDom r(0, p.kw, 0, p.kh, "rw");
    Func f = b.newResultFunc(op, result, FuncKind::Window);
    Expr minusInf = f32(-std::numeric_limits<float>::infinity());
    Padded xp = windowInput(op, b, x, p, minusInf);
    at(f, {n, c, oy, ox}) = minusInf;
    at(f, {n, c, oy, ox}) = Halide::max(
        at(f, {n, c, oy, ox}), xp(n, c, oy * p.y.stride - p.y.padding + r.y,
                                  ox * p.x.stride - p.x.padding + r.x));
    b.set(result, f, shape);
    return success();
  }
  // Average: padding counts as zero in the divisor kh * kw.
  Halide::RDom r(0, p.kw, 0, p.kh, "rw");
  Padded xp = windowInput(op, b, x, p, f32(0));
  Func f = b.newResultFunc(op, result, FuncKind::Window);
  at(f, {n, c, oy, ox}) = f32(0);
  at(f, {n, c, oy, ox}) += xp(n, c, oy * p.y.stride - p.y.padding + r.y,
                              ox * p.x.stride - p.x.padding + r.x);
  at(f, {n, c, oy, ox}) = at(f, {n, c, oy, ox}) * f32(1.0 / (p.kh * p.kw));
  b.set(result, f, shape);
  return success();
}

LogicalResult lowerPoolGrad(Operation *op, const Pool &p, bool isMax,
                            GroupBuilder &b) {
  HTensor g = b.get(op->getOperand(0)), x = b.get(op->getOperand(1));
  Value result = op->getResult(0);
  Halide::Var n("i0"), c("i1"), iy("i2"), ix("i3");
  Halide::Var oy("i2"), ox("i3");
  // For input (iy, ix) and tap (ky, kx): the window whose tap it is.
  Halide::RDom r(0, p.kw, 0, p.kh, "rw");
  Expr ty = iy + p.y.padding - r.y, tx = ix + p.x.padding - r.x;
  Expr wy = ty / p.y.stride, wx = tx / p.x.stride;
  Expr hit = ty % p.y.stride == 0 && tx % p.x.stride == 0 && wy >= 0 &&
             wy < g.shape[2] && wx >= 0 && wx < g.shape[3];
  Expr cy = clamp(wy, 0, g.shape[2] - 1), cx = clamp(wx, 0, g.shape[3] - 1);
  if (!isMax) {
    Func f = b.newResultFunc(op, result, FuncKind::Window);
    at(f, {n, c, iy, ix}) = f32(0);
    at(f, {n, c, iy, ix}) +=
        select(hit, g({n, c, cy, cx}), f32(0)) * f32(1.0 / (p.kh * p.kw));
    b.set(result, f, x.shape);
    return success();
  }
  // The first (row-major) tap of each window that attains its maximum.
  Func mx = windowMax(op, b, x, p);
  Func first = b.newFunc(op, "window_argmax", FuncKind::Window);
  Halide::RDom t(0, p.kw, 0, p.kh, "rt");
  int none = p.kh * p.kw;
  Padded xp =
      windowInput(op, b, x, p, f32(-std::numeric_limits<float>::infinity()));
  Expr tapValue = xp(n, c, oy * p.y.stride - p.y.padding + t.y,
                     ox * p.x.stride - p.x.padding + t.x);
  Expr inside = oy * p.y.stride - p.y.padding + t.y >= 0 &&
                oy * p.y.stride - p.y.padding + t.y < x.shape[2] &&
                ox * p.x.stride - p.x.padding + t.x >= 0 &&
                ox * p.x.stride - p.x.padding + t.x < x.shape[3];
  at(first, {n, c, oy, ox}) = none;
  at(first, {n, c, oy, ox}) =
      Halide::min(at(first, {n, c, oy, ox}),
                  select(inside && tapValue == at(mx, {n, c, oy, ox}),
                         t.y * p.kw + t.x, none));
  if (p.y.padding == 0 && p.x.padding == 0 && p.y.stride == p.kh &&
      p.x.stride == p.kw) {
    // Windows that tile the input (stride = kernel, no padding): each input
    // is tap (iy % kh, ix % kw) of the one window (iy / kh, ix / kw), or of
    // none beyond the last whole window. A pointwise definition instead of
    // a reduction over every tap that could cover it.
    Expr qy = iy / p.kh, qx = ix / p.kw;
    Expr covered = qy < g.shape[2] && qx < g.shape[3];
    Expr py = Halide::min(qy, g.shape[2] - 1),
         px = Halide::min(qx, g.shape[3] - 1);
    Expr tap = (iy % p.kh) * p.kw + ix % p.kw;
    Func tiled = b.newResultFunc(op, result, FuncKind::Window);
    at(tiled, {n, c, iy, ix}) = select(
        covered && at(first, {n, c, py, px}) == tap, g({n, c, py, px}), f32(0));
    b.set(result, tiled, x.shape);
    return success();
  }
  Func f = b.newResultFunc(op, result, FuncKind::Window);
  at(f, {n, c, iy, ix}) = f32(0);
  at(f, {n, c, iy, ix}) +=
      select(hit && at(first, {n, c, cy, cx}) == r.y * p.kw + r.x,
             g({n, c, cy, cx}), f32(0));
  b.set(result, f, x.shape);
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// MaxPool2D
//===----------------------------------------------------------------------===//

VJPResult MaxPool2DOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  return SmallVector<Value>{builder.create<MaxPool2DGradOp>(
      getLoc(), getInput().getType(), singleCotangent(cts), getInput(),
      getKernelAttr(), getStrideAttr(), getPaddingAttr())};
}

template <typename OpT> static LogicalResult evaluatePool(OpT o, EvalFrame &f) {
  Operation *op = o.getOperation();
  const Tensor &x = f.get(o.getInput());
  Shape shape =
      poolOutputShape(x.shape, o.getKernel(), o.getStride(), o.getPadding());
  if (shape.empty())
    return o.emitError("evaluator: the window does not fit the input");
  bool isMax = isa<MaxPool2DOp>(op);
  double area = o.getKernel()[0] * o.getKernel()[1];
  Tensor y(shape);
  forEachPoolWindow(x.shape, shape, o.getKernel(), o.getStride(),
                    o.getPadding(),
                    [&](int64_t yi, const std::vector<int64_t> &taps) {
                      double m = -std::numeric_limits<double>::infinity();
                      double s = 0;
                      for (int64_t t : taps) {
                        m = std::max(m, x.data[t]);
                        s += x.data[t];
                      }
                      y.data[yi] = isMax ? m : s / area;
                    });
  return f.set(o.getResult(), std::move(y));
}

LogicalResult MaxPool2DOp::evaluate(ArrayRef<const Tensor *> operands,
                                    std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluatePool(*this, f);
}

LogicalResult MaxPool2DOp::lowerToHalide(GroupBuilder &b) {
  MaxPool2DOp o = *this;
  return lowerPool(o, poolOf(o), true, b);
}

//===----------------------------------------------------------------------===//
// MaxPool2DGrad
//===----------------------------------------------------------------------===//

template <typename OpT>
static LogicalResult evaluatePoolGrad(OpT o, EvalFrame &f) {
  Operation *op = o.getOperation();
  const Tensor &g = f.get(o.getGrad()), &x = f.get(o.getInput());
  if (g.shape !=
      poolOutputShape(x.shape, o.getKernel(), o.getStride(), o.getPadding()))
    return o.emitError("evaluator: operand shapes do not fit");
  bool isMax = isa<MaxPool2DGradOp>(op);
  double area = o.getKernel()[0] * o.getKernel()[1];
  Tensor dx(x.shape);
  forEachPoolWindow(x.shape, g.shape, o.getKernel(), o.getStride(),
                    o.getPadding(),
                    [&](int64_t yi, const std::vector<int64_t> &taps) {
                      if (!isMax) {
                        for (int64_t t : taps)
                          dx.data[t] += g.data[yi] / area;
                        return;
                      }
                      int64_t best = taps.front();
                      for (int64_t t : taps)
                        if (x.data[t] > x.data[best])
                          best = t;
                      dx.data[best] += g.data[yi];
                    });
  return f.set(o.getResult(), std::move(dx));
}

LogicalResult MaxPool2DGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                        std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluatePoolGrad(*this, f);
}

LogicalResult MaxPool2DGradOp::lowerToHalide(GroupBuilder &b) {
  b.hintSchedule(ScheduleHint::PoolGradPlane);
  MaxPool2DGradOp o = *this;
  return lowerPoolGrad(o, poolOf(o), true, b);
}

//===----------------------------------------------------------------------===//
// AvgPool2D
//===----------------------------------------------------------------------===//

VJPResult AvgPool2DOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  return SmallVector<Value>{builder.create<AvgPool2DGradOp>(
      getLoc(), getInput().getType(), singleCotangent(cts), getInput(),
      getKernelAttr(), getStrideAttr(), getPaddingAttr())};
}

LogicalResult AvgPool2DOp::evaluate(ArrayRef<const Tensor *> operands,
                                    std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluatePool(*this, f);
}

LogicalResult AvgPool2DOp::lowerToHalide(GroupBuilder &b) {
  AvgPool2DOp o = *this;
  return lowerPool(o, poolOf(o), false, b);
}

//===----------------------------------------------------------------------===//
// AvgPool2DGrad
//===----------------------------------------------------------------------===//

LogicalResult AvgPool2DGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                        std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluatePoolGrad(*this, f);
}

LogicalResult AvgPool2DGradOp::lowerToHalide(GroupBuilder &b) {
  AvgPool2DGradOp o = *this;
  return lowerPoolGrad(o, poolOf(o), false, b);
}

//===----------------------------------------------------------------------===//
// UpsampleNearest2D
//===----------------------------------------------------------------------===//

/// The checks common to upsample_nearest2d and its gradient: rank 4, scale
/// >= 1, and spatial sizes `big = small * scale` (the batch and channels
/// equal), where static.
static LogicalResult verifyUpsample(Operation *op, Value small, Value big,
                                    int64_t scale) {
  auto st = cast<ShapedType>(small.getType()),
       bt = cast<ShapedType>(big.getType());
  if (!st.hasRank() || !bt.hasRank() || st.getRank() != 4 ||
      bt.getRank() != 4)
    return op->emitOpError("operand and result must have rank 4 (NCHW)");
  if (scale < 1)
    return op->emitOpError("scale must be at least 1, got ") << scale;
  for (int d = 0; d < 4; ++d) {
    int64_t s = st.getDimSize(d), l = bt.getDimSize(d);
    if (ShapedType::isDynamic(s) || ShapedType::isDynamic(l))
      continue;
    int64_t expected = d < 2 ? s : s * scale;
    if (l != expected)
      return op->emitOpError("dimension ")
             << d << " of the upsampled tensor is " << l << ", expected "
             << expected;
  }
  return success();
}

LogicalResult UpsampleNearest2DOp::verify() {
  return verifyUpsample(*this, getX(), getResult(), getScale());
}

VJPResult UpsampleNearest2DOp::computeVJP(OpBuilder &builder,
                                          ArrayRef<Value> cts) {
  return SmallVector<Value>{builder.create<UpsampleNearest2DGradOp>(
      getLoc(), getX().getType(), singleCotangent(cts), getScaleAttr())};
}

LogicalResult UpsampleNearest2DOp::evaluate(ArrayRef<const Tensor *> operands,
                                            std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  const Tensor &x = f.get(getX());
  int64_t s = getScale();
  if (x.shape.size() != 4 || s < 1)
    return emitError("evaluator: upsample needs an NCHW input and scale >= 1");
  int64_t H = x.shape[2], W = x.shape[3];
  Tensor y({x.shape[0], x.shape[1], H * s, W * s});
  for (int64_t nc = 0; nc < x.shape[0] * x.shape[1]; ++nc)
    for (int64_t h = 0; h < H * s; ++h)
      for (int64_t w = 0; w < W * s; ++w)
        y.data[(nc * H * s + h) * W * s + w] =
            x.data[(nc * H + h / s) * W + w / s];
  return f.set(getResult(), std::move(y));
}

LogicalResult UpsampleNearest2DOp::lowerToHalide(GroupBuilder &b) {
  HTensor x = b.get(getX());
  int s = (int)getScale();
  Halide::Var n("i0"), c("i1"), h("i2"), w("i3");
  Func f = b.newResultFunc(*this, getResult(), FuncKind::Elementwise);
  at(f, {n, c, h, w}) = x({n, c, h / s, w / s});
  b.set(getResult(), f,
        {x.shape[0], x.shape[1], x.shape[2] * s, x.shape[3] * s});
  return success();
}

//===----------------------------------------------------------------------===//
// UpsampleNearest2DGrad
//===----------------------------------------------------------------------===//

LogicalResult UpsampleNearest2DGradOp::verify() {
  return verifyUpsample(*this, getResult(), getGrad(), getScale());
}

LogicalResult
UpsampleNearest2DGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                  std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  const Tensor &g = f.get(getGrad());
  int64_t s = getScale();
  if (g.shape.size() != 4 || s < 1 || g.shape[2] % s || g.shape[3] % s)
    return emitError("evaluator: the gradient's spatial sizes are not "
                     "multiples of the scale");
  int64_t H = g.shape[2] / s, W = g.shape[3] / s;
  Tensor dx({g.shape[0], g.shape[1], H, W});
  for (int64_t nc = 0; nc < g.shape[0] * g.shape[1]; ++nc)
    for (int64_t h = 0; h < H * s; ++h)
      for (int64_t w = 0; w < W * s; ++w)
        dx.data[(nc * H + h / s) * W + w / s] +=
            g.data[(nc * H * s + h) * W * s + w];
  return f.set(getResult(), std::move(dx));
}

LogicalResult UpsampleNearest2DGradOp::lowerToHalide(GroupBuilder &b) {
  HTensor g = b.get(getGrad());
  int s = (int)getScale();
  Halide::Var n("i0"), c("i1"), h("i2"), w("i3");
  Halide::RDom r(0, s, 0, s, "rw");
  Func f = b.newResultFunc(*this, getResult(), FuncKind::Window);
  at(f, {n, c, h, w}) = f32(0);
  at(f, {n, c, h, w}) += g({n, c, h * s + r.y, w * s + r.x});
  b.set(getResult(), f,
        {g.shape[0], g.shape[1], g.shape[2] / s, g.shape[3] / s});
  return success();
}

//===----------------------------------------------------------------------===//
// UpsampleBilinear2D
//===----------------------------------------------------------------------===//

namespace {

/// The two taps of output index `o` along an axis of input size `n` for an
/// integer `scale`, as PyTorch's bilinear interpolation with
/// align_corners=False: source coordinate max((o + 0.5) / scale - 0.5, 0),
/// rows i0 = floor of it and i1 = min(i0 + 1, n - 1), weights 1 - l and l.
struct BilinearTaps {
  int64_t i0, i1;
  double l0, l1;
};

BilinearTaps bilinearTaps(int64_t o, int64_t n, int64_t scale) {
  double src = std::max((o + 0.5) / (double)scale - 0.5, 0.0);
  int64_t i0 = std::min<int64_t>((int64_t)src, n - 1);
  BilinearTaps t;
  t.i0 = i0;
  t.i1 = std::min<int64_t>(i0 + 1, n - 1);
  t.l1 = src - (double)i0;
  t.l0 = 1.0 - t.l1;
  return t;
}

/// The same in Halide (f32): the taps of output index `o`.
struct HBilinearTaps {
  Expr i0, i1, l0, l1;
};

HBilinearTaps hBilinearTaps(const Expr &o, const Expr &n, int scale) {
  Expr src = Halide::max((cast<float>(o) + 0.5f) / f32(scale) - 0.5f, 0.0f);
  HBilinearTaps t;
  // src >= 0, so truncation is floor; the clamps give Halide's bounds
  // inference ranges it can see.
  t.i0 = clamp(cast<int>(src), 0, n - 1);
  t.i1 = Halide::min(t.i0 + 1, n - 1);
  t.l1 = src - cast<float>(t.i0);
  t.l0 = 1.0f - t.l1;
  return t;
}

/// The weight that output index `o` (in [0, n * scale)) gives input index
/// `i`: 0 unless `i` is one of its taps.
Expr hBilinearWeight(const Expr &o, const Expr &i, const Expr &n, int scale) {
  HBilinearTaps t = hBilinearTaps(o, n, scale);
  return select(t.i0 == i, t.l0, f32(0)) + select(t.i1 == i, t.l1, f32(0));
}

} // namespace

LogicalResult UpsampleBilinear2DOp::verify() {
  return verifyUpsample(*this, getX(), getResult(), getScale());
}

VJPResult UpsampleBilinear2DOp::computeVJP(OpBuilder &builder,
                                           ArrayRef<Value> cts) {
  return SmallVector<Value>{builder.create<UpsampleBilinear2DGradOp>(
      getLoc(), getX().getType(), singleCotangent(cts), getScaleAttr())};
}

LogicalResult UpsampleBilinear2DOp::evaluate(ArrayRef<const Tensor *> operands,
                                             std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  const Tensor &x = f.get(getX());
  int64_t s = getScale();
  if (x.shape.size() != 4 || s < 1)
    return emitError("evaluator: upsample needs an NCHW input and scale >= 1");
  int64_t H = x.shape[2], W = x.shape[3];
  Tensor y({x.shape[0], x.shape[1], H * s, W * s});
  for (int64_t nc = 0; nc < x.shape[0] * x.shape[1]; ++nc) {
    const double *in = &x.data[nc * H * W];
    for (int64_t h = 0; h < H * s; ++h) {
      BilinearTaps th = bilinearTaps(h, H, s);
      for (int64_t w = 0; w < W * s; ++w) {
        BilinearTaps tw = bilinearTaps(w, W, s);
        y.data[(nc * H * s + h) * W * s + w] =
            th.l0 * (tw.l0 * in[th.i0 * W + tw.i0] +
                     tw.l1 * in[th.i0 * W + tw.i1]) +
            th.l1 * (tw.l0 * in[th.i1 * W + tw.i0] +
                     tw.l1 * in[th.i1 * W + tw.i1]);
      }
    }
  }
  return f.set(getResult(), std::move(y));
}

LogicalResult UpsampleBilinear2DOp::lowerToHalide(GroupBuilder &b) {
  HTensor x = b.get(getX());
  int s = (int)getScale();
  Halide::Var n("i0"), c("i1"), h("i2"), w("i3");
  HBilinearTaps th = hBilinearTaps(h, x.shape[2], s),
                tw = hBilinearTaps(w, x.shape[3], s);
  Func f = b.newResultFunc(*this, getResult(), FuncKind::Elementwise);
  at(f, {n, c, h, w}) =
      th.l0 * (tw.l0 * x({n, c, th.i0, tw.i0}) +
               tw.l1 * x({n, c, th.i0, tw.i1})) +
      th.l1 * (tw.l0 * x({n, c, th.i1, tw.i0}) +
               tw.l1 * x({n, c, th.i1, tw.i1}));
  b.set(getResult(), f,
        {x.shape[0], x.shape[1], x.shape[2] * s, x.shape[3] * s});
  return success();
}

//===----------------------------------------------------------------------===//
// UpsampleBilinear2DGrad
//===----------------------------------------------------------------------===//

LogicalResult UpsampleBilinear2DGradOp::verify() {
  return verifyUpsample(*this, getResult(), getGrad(), getScale());
}

LogicalResult
UpsampleBilinear2DGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                   std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  const Tensor &g = f.get(getGrad());
  int64_t s = getScale();
  if (g.shape.size() != 4 || s < 1 || g.shape[2] % s || g.shape[3] % s)
    return emitError("evaluator: the gradient's spatial sizes are not "
                     "multiples of the scale");
  int64_t H = g.shape[2] / s, W = g.shape[3] / s;
  Tensor dx({g.shape[0], g.shape[1], H, W});
  // The transpose of the forward rule: each output scatters into its taps.
  for (int64_t nc = 0; nc < g.shape[0] * g.shape[1]; ++nc) {
    double *out = &dx.data[nc * H * W];
    for (int64_t h = 0; h < H * s; ++h) {
      BilinearTaps th = bilinearTaps(h, H, s);
      for (int64_t w = 0; w < W * s; ++w) {
        BilinearTaps tw = bilinearTaps(w, W, s);
        double v = g.data[(nc * H * s + h) * W * s + w];
        out[th.i0 * W + tw.i0] += th.l0 * tw.l0 * v;
        out[th.i0 * W + tw.i1] += th.l0 * tw.l1 * v;
        out[th.i1 * W + tw.i0] += th.l1 * tw.l0 * v;
        out[th.i1 * W + tw.i1] += th.l1 * tw.l1 * v;
      }
    }
  }
  return f.set(getResult(), std::move(dx));
}

LogicalResult UpsampleBilinear2DGradOp::lowerToHalide(GroupBuilder &b) {
  HTensor g = b.get(getGrad());
  int s = (int)getScale();
  Halide::Var n("i0"), c("i1"), h("i2"), w("i3");
  Expr H = g.shape[2] / s, W = g.shape[3] / s;
  // A gather: only outputs in [(h - 1) * s, (h + 2) * s) have input row h
  // as a tap (the same along w); outside the gradient, weight 0.
  Halide::RDom r(0, 3 * s, 0, 3 * s, "rw");
  Expr i = (h - 1) * s + r.y, j = (w - 1) * s + r.x;
  Expr inside = i >= 0 && i < g.shape[2] && j >= 0 && j < g.shape[3];
  Expr ic = clamp(i, 0, g.shape[2] - 1), jc = clamp(j, 0, g.shape[3] - 1);
  Expr weight = hBilinearWeight(ic, h, H, s) * hBilinearWeight(jc, w, W, s);
  Func f = b.newResultFunc(*this, getResult(), FuncKind::Window);
  at(f, {n, c, h, w}) = f32(0);
  at(f, {n, c, h, w}) +=
      select(inside, weight * g({n, c, ic, jc}), f32(0));
  b.set(getResult(), f, {g.shape[0], g.shape[1], H, W});
  return success();
}
