//===- Common.h - Helpers shared by the op family files ---------*- C++ -*-===//
//
// What more than one family file (Elementwise.cpp, Reductions.cpp, ...)
// uses: the evaluator's index helpers and EvalFrame (the operand and result
// access of an evaluator rule), and the Halide helpers of more than one
// family (padding and window geometry, reduction plans, per-channel reads).
// The helpers of a single family stay in its file.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_DIALECT_NN_OPS_COMMON_H
#define DLC_LIB_DIALECT_NN_OPS_COMMON_H

#include "Lowering.h"
#include "VJPBuilder.h"

#include "dlc/Dialect/NN/Eval/Random.h"
#include "dlc/Dialect/NN/Eval/Tensor.h"
#include "dlc/Dialect/NN/IR/NNOps.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

namespace dlc::nn {

using llvm::ArrayRef;

//===----------------------------------------------------------------------===//
// Evaluator helpers (row-major index arithmetic on run-time shapes)
//===----------------------------------------------------------------------===//

using Shape = std::vector<int64_t>;

/// Row-major strides of a shape.
inline Shape stridesOf(const Shape &shape) {
  Shape strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Multi-index of flat index `flat` in `shape`.
inline Shape unflatten(int64_t flat, const Shape &shape) {
  Shape idx(shape.size());
  for (int64_t i = (int64_t)shape.size() - 1; i >= 0; --i) {
    idx[i] = flat % shape[i];
    flat /= shape[i];
  }
  return idx;
}

/// Flat index in `shape` of the element that index `idx` of a broadcast
/// result (right-aligned, size-1 dimensions stretched) reads.
inline int64_t broadcastSource(const Shape &idx, const Shape &shape) {
  int64_t flat = 0, offset = idx.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    flat = flat * shape[d] + (shape[d] == 1 ? 0 : idx[d + offset]);
  return flat;
}

/// Numpy broadcast of two run-time shapes; false when incompatible.
inline bool broadcastRuntime(const Shape &a, const Shape &b, Shape &out) {
  size_t rank = std::max(a.size(), b.size());
  out.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1)
      return false;
    out[rank - 1 - i] = da == 1 ? db : da;
  }
  return true;
}

/// `t` broadcast to `shape` (which it must broadcast to).
inline Tensor broadcast(const Tensor &t, const Shape &shape) {
  Tensor out(shape);
  for (int64_t i = 0; i < out.size(); ++i)
    out.data[i] = t.data[broadcastSource(unflatten(i, shape), t.shape)];
  return out;
}

inline bool isReduced(int64_t dim, llvm::ArrayRef<int64_t> axes) {
  return axes.empty() || llvm::is_contained(axes, dim);
}

/// Shape after reducing `axes` of `shape`.
inline Shape reduceShape(const Shape &shape, llvm::ArrayRef<int64_t> axes,
                         bool keepdims) {
  Shape out;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (!isReduced(d, axes))
      out.push_back(shape[d]);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

/// Flat index in the reduced tensor of the input element at `idx`.
inline int64_t reducedIndex(const Shape &idx, const Shape &shape,
                            llvm::ArrayRef<int64_t> axes) {
  int64_t flat = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    if (!isReduced(d, axes))
      flat = flat * shape[d] + idx[d];
  return flat;
}

/// Channel of flat element `i` of an NC or NCHW tensor.
inline int64_t channelOf(int64_t i, const Shape &shape) {
  int64_t inner = shape.size() == 4 ? shape[2] * shape[3] : 1;
  return (i / inner) % shape[1];
}

/// The operands and results of one evaluator rule: operand values by MLIR
/// value, results appended in result order, and the diagnostics the rules
/// share.
class EvalFrame {
public:
  EvalFrame(mlir::Operation *op, llvm::ArrayRef<const Tensor *> operands,
            std::vector<Tensor> &results)
      : op(op), operands(operands), results(results) {}

  /// The value of operand `v` of the op.
  const Tensor &get(mlir::Value v) const;
  /// Sets result `v`, which must be the next result of the op.
  mlir::LogicalResult set(mlir::Value v, Tensor t);
  /// Sets the (only) result to a 0-d tensor.
  mlir::LogicalResult scalar(double v);
  /// The static shape of result type `result` (kDynamic where dynamic).
  Shape resultShape(mlir::Value result) const;
  /// "operand shapes do not fit (...)" on the op.
  mlir::LogicalResult mismatch() const;
  /// Label `v` as a class index in [0, classes), or a diagnostic.
  mlir::FailureOr<int64_t> label(double v, int64_t classes) const;
  /// The class of each of the N samples of a classification loss (labels
  /// [N] against scores [N, C]) in `ys`, and the weight of each class in
  /// `w` (ones unless `weight` is given). `scoresName` names the scores in
  /// the error about a label count that differs from N.
  mlir::LogicalResult classTargets(const Tensor &scores, mlir::Value labels,
                                   mlir::Value weight,
                                   llvm::StringRef scoresName,
                                   std::vector<int64_t> &ys, Tensor &w) const;

  /// Result = fn(operand 0), elementwise.
  template <typename Fn> mlir::LogicalResult unary(Fn fn) {
    const Tensor &x = *operands[0];
    Tensor y(x.shape);
    for (int64_t i = 0; i < x.size(); ++i)
      y.data[i] = fn(x.data[i]);
    return set(op->getResult(0), std::move(y));
  }

  /// Result = fn(operand 0, operand 1) under numpy broadcasting.
  template <typename Fn> mlir::LogicalResult binary(Fn fn) {
    const Tensor &a = *operands[0], &b = *operands[1];
    Shape shape;
    if (!broadcastRuntime(a.shape, b.shape, shape))
      return op->emitError() << "evaluator: cannot broadcast "
                             << a.shapeString() << " with " << b.shapeString();
    Tensor y(shape);
    if (a.shape == shape && b.shape == shape) {
      // No broadcasting: element i with element i.
      for (int64_t i = 0; i < y.size(); ++i)
        y.data[i] = fn(a.data[i], b.data[i]);
    } else if (b.size() == 1 && a.shape == shape) {
      for (int64_t i = 0; i < y.size(); ++i)
        y.data[i] = fn(a.data[i], b.data[0]);
    } else {
      for (int64_t i = 0; i < y.size(); ++i) {
        Shape idx = unflatten(i, shape);
        y.data[i] = fn(a.data[broadcastSource(idx, a.shape)],
                       b.data[broadcastSource(idx, b.shape)]);
      }
    }
    return set(op->getResult(0), std::move(y));
  }

private:
  mlir::Operation *op;
  llvm::ArrayRef<const Tensor *> operands;
  std::vector<Tensor> &results;
};

} // namespace dlc::nn

namespace dlc::nn::hl {

//===----------------------------------------------------------------------===//
// Halide helpers of more than one family
//===----------------------------------------------------------------------===//

using Halide::cast;
using Halide::clamp;
using Halide::select;
using mlir::cast;
using mlir::LogicalResult;
using mlir::Operation;
using mlir::RankedTensorType;
using mlir::ShapedType;
using mlir::Value;

/// e^x of an f32 for every x: Halide 14's exp is a polynomial with the
/// exponent built from bits, wrong where e^x overflows or underflows (it
/// gave 0 for e^(6e38)) and for NaN; those lanes get inf, 0 and NaN. Every
/// op's Halide lowering uses this, not Halide::exp.
inline Expr safeExp(const Expr &x) {
  return select(Halide::is_nan(x), x, x > 88.72283f,
                Expr(std::numeric_limits<float>::infinity()), x < -103.97208f,
                Expr(0.0f), Halide::exp(x));
}

/// A static shape as extents.
inline std::vector<Expr> staticExtents(Value v) {
  std::vector<Expr> shape;
  for (int64_t d : cast<RankedTensorType>(v.getType()).getShape())
    shape.push_back(Expr(static_cast<int>(d)));
  return shape;
}

/// Per-channel (dimension 1) access of a [C] tensor at an NC/NCHW index.
inline Expr channel(const HTensor &t, const Index &idx) { return t({idx[1]}); }

/// How a reduction over some dimensions of `x` indexes things: the result's
/// pure variables and shape, the RDom over the reduced dimensions and the
/// index into `x` of one reduction step.
struct ReducePlan {
  Index outVars;
  std::vector<Expr> outShape;
  /// Index into x: the result variables and the RVars.
  Index xIndex;
  /// Row-major flat index of the step within its reduced slice.
  Expr sliceIndex;
  /// Number of elements per reduced slice.
  Expr count;
  std::unique_ptr<RowMajorRDom> rdom;

  bool empty() const { return !rdom; }
};

/// Plans a reduction of `x` over the dimensions for which `reduced(d)` is
/// true; with `keepdims` they stay in the result with extent 1.
inline ReducePlan planReduce(const HTensor &x,
                             const std::function<bool(int64_t)> &reduced,
                             bool keepdims, const std::string &name) {
  ReducePlan p;
  std::vector<Expr> extents;
  for (int64_t d = 0; d < x.rank(); ++d)
    if (reduced(d))
      extents.push_back(x.shape[d]);
  p.count = product(extents);
  if (!extents.empty())
    p.rdom = std::make_unique<RowMajorRDom>(extents, name);
  int64_t k = 0, j = 0;
  p.sliceIndex = 0;
  for (int64_t d = 0; d < x.rank(); ++d) {
    if (reduced(d)) {
      Expr r = (*p.rdom)[k++];
      p.xIndex.push_back(r);
      p.sliceIndex = p.sliceIndex * x.shape[d] + r;
      if (keepdims) {
        p.outVars.push_back(Halide::Var("i" + std::to_string(j++)));
        p.outShape.push_back(1);
      }
    } else {
      Expr v = Halide::Var("i" + std::to_string(j++));
      p.outVars.push_back(v);
      p.outShape.push_back(x.shape[d]);
      p.xIndex.push_back(v);
    }
  }
  return p;
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
inline Expr windowOutput(const Expr &in, const Expr &kernel, const Axis &a) {
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

inline Padded pad(Operation *op, GroupBuilder &b, const HTensor &t,
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

} // namespace dlc::nn::hl

#endif // DLC_LIB_DIALECT_NN_OPS_COMMON_H
