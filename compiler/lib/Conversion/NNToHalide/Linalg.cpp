//===- Linalg.cpp - Algorithms of matmul, convolution and pooling ---------===//
//
// The Halide definitions of the contraction and window ops: batched matmul
// with broadcast batch dimensions, conv2d (stride, padding, dilation,
// groups, bias) and its input and weight gradients, max and average pooling
// and their gradients. Each is an initial value plus one update over an
// RDom of the contracted dimensions (FuncKind::Matmul, Conv or Window: the
// schedule computes them at root with a tiled, vectorised loop nest).
// Padding is a bounds-checked select on clamped coordinates, so bounds
// inference never reads outside an input.
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
using Halide::clamp;
using Halide::select;

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

/// f32 lanes of the host's vectors (AVX-512): the one schedule fact an
/// algorithm uses, to choose between two equal sums (see the weight
/// gradient).
constexpr int kVectorColumns = 16;

/// Convolution geometry of one spatial dimension.
struct Axis {
  int stride, padding, dilation;
};

/// Output size of a window along one dimension.
Expr windowOutput(const Expr &in, const Expr &kernel, const Axis &a) {
  return Halide::Internal::simplify(
      (in + 2 * a.padding - a.dilation * (kernel - 1) - 1) / a.stride + 1);
}

/// `t` (NCHW) extended beyond its spatial extent with `outside`: an
/// elementwise Func, which the schedule stores (with its halo) because a
/// window op reads it, so that the contraction's inner loop does dense
/// loads instead of clamped gathers and bounds selects.
struct Padded {
  Func func;
  Expr operator()(const Expr &n, const Expr &c, const Expr &y,
                  const Expr &x) const {
    return at(func, {n, c, y, x});
  }
};

Padded pad(Operation *op, GroupBuilder &b, const HTensor &t,
           const Expr &outside) {
  Halide::Var n("i0"), c("i1"), y("i2"), x("i3");
  Expr inside = y >= 0 && y < t.shape[2] && x >= 0 && x < t.shape[3];
  Func f = b.newFunc(op, "padded", FuncKind::Elementwise);
  at(f, {n, c, y, x}) = select(
      inside,
      t({n, c, clamp(y, 0, t.shape[2] - 1), clamp(x, 0, t.shape[3] - 1)}),
      outside);
  return {f};
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

LogicalResult lowerConv2DGradInput(Conv2DGradInputOp o, GroupBuilder &b) {
  HTensor g = b.get(o.getGrad()), w = b.get(o.getWeight()),
          in = b.get(o.getInput());
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
  readOut(o, o.getResult(), b, acc, in.shape);
  return success();
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

LogicalResult hl::lowerLinalgOp(Operation *op, GroupBuilder &b, bool &handled) {
  handled = true;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<MatmulOp>([&](MatmulOp o) { return lowerMatmul(o, b); })
      .Case<Conv2DOp>([&](Conv2DOp o) { return lowerConv2D(o, b); })
      .Case<Conv2DGradInputOp>(
          [&](Conv2DGradInputOp o) { return lowerConv2DGradInput(o, b); })
      .Case<Conv2DGradWeightOp>(
          [&](Conv2DGradWeightOp o) { return lowerConv2DGradWeight(o, b); })
      .Case<MaxPool2DOp>(
          [&](MaxPool2DOp o) { return lowerPool(o, poolOf(o), true, b); })
      .Case<AvgPool2DOp>(
          [&](AvgPool2DOp o) { return lowerPool(o, poolOf(o), false, b); })
      .Case<MaxPool2DGradOp>([&](MaxPool2DGradOp o) {
        return lowerPoolGrad(o, poolOf(o), true, b);
      })
      .Case<AvgPool2DGradOp>([&](AvgPool2DGradOp o) {
        return lowerPoolGrad(o, poolOf(o), false, b);
      })
      .Default([&](Operation *) {
        handled = false;
        return failure();
      });
}
