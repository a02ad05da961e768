//===- Evaluator.cpp - Reference interpreter of the nn dialect ------------===//
//
// Interprets nn ops in double precision with naive loops: each op is a short
// function over row-major Tensors, written for obviousness rather than speed.
// Run-time shapes are computed from the operands (dynamic dimensions are
// resolved here) and checked against the static result types.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/Eval/Evaluator.h"
#include "dlc/Dialect/NN/Eval/Random.h"
#include "dlc/Dialect/NN/IR/NNOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace mlir;
using namespace dlc::nn;

//===----------------------------------------------------------------------===//
// Tensor and index helpers
//===----------------------------------------------------------------------===//

int64_t dlc::nn::numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Tensor::Tensor(std::vector<int64_t> shape, double fill)
    : shape(std::move(shape)) {
  data.assign(numElements(this->shape), fill);
}

std::string Tensor::shapeString() const {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

namespace {

using Shape = std::vector<int64_t>;

/// Row-major strides of a shape.
Shape stridesOf(const Shape &shape) {
  Shape strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Multi-index of flat index `flat` in `shape`.
Shape unflatten(int64_t flat, const Shape &shape) {
  Shape idx(shape.size());
  for (int64_t i = (int64_t)shape.size() - 1; i >= 0; --i) {
    idx[i] = flat % shape[i];
    flat /= shape[i];
  }
  return idx;
}

/// Flat index in `shape` of the element that index `idx` of a broadcast
/// result (right-aligned, size-1 dimensions stretched) reads.
int64_t broadcastSource(const Shape &idx, const Shape &shape) {
  int64_t flat = 0, offset = idx.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    flat = flat * shape[d] + (shape[d] == 1 ? 0 : idx[d + offset]);
  return flat;
}

/// Numpy broadcast of two run-time shapes; false when incompatible.
bool broadcastRuntime(const Shape &a, const Shape &b, Shape &out) {
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
Tensor broadcast(const Tensor &t, const Shape &shape) {
  Tensor out(shape);
  for (int64_t i = 0; i < out.size(); ++i)
    out.data[i] = t.data[broadcastSource(unflatten(i, shape), t.shape)];
  return out;
}

bool isReduced(int64_t dim, ArrayRef<int64_t> axes) {
  return axes.empty() || llvm::is_contained(axes, dim);
}

/// Shape after reducing `axes` of `shape`.
Shape reduceShape(const Shape &shape, ArrayRef<int64_t> axes, bool keepdims) {
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
int64_t reducedIndex(const Shape &idx, const Shape &shape,
                     ArrayRef<int64_t> axes) {
  int64_t flat = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    if (!isReduced(d, axes))
      flat = flat * shape[d] + idx[d];
  return flat;
}

int64_t reducedCount(const Shape &shape, ArrayRef<int64_t> axes) {
  int64_t n = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    if (isReduced(d, axes))
      n *= shape[d];
  return n;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

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

/// Channel of flat element `i` of an NC or NCHW tensor.
int64_t channelOf(int64_t i, const Shape &shape) {
  int64_t inner = shape.size() == 4 ? shape[2] * shape[3] : 1;
  return (i / inner) % shape[1];
}

//===----------------------------------------------------------------------===//
// The interpreter of one function body
//===----------------------------------------------------------------------===//

class Interpreter {
public:
  Interpreter(ModuleOp module) : module(module) {}

  FailureOr<std::vector<Tensor>> run(func::FuncOp func,
                                     const std::vector<Tensor> &args);

private:
  LogicalResult eval(Operation *op);
  const Tensor &get(Value v) { return env.find(v)->second; }
  LogicalResult set(Operation *op, Value v, Tensor t);
  FailureOr<int64_t> label(Operation *op, double v, int64_t classes);
  /// The class of each of the N samples of a classification loss (labels
  /// [N] against scores [N, C]) in `ys`, and the weight of each class in `w`
  /// (ones unless `weight` is given). `scoresName` names the scores in the
  /// error about a label count that differs from N.
  LogicalResult classTargets(Operation *op, const Tensor &scores, Value labels,
                             Value weight, StringRef scoresName,
                             std::vector<int64_t> &ys, Tensor &w);

  ModuleOp module;
  llvm::DenseMap<Value, Tensor> env;
};

} // namespace

FailureOr<std::vector<Tensor>>
Interpreter::run(func::FuncOp func, const std::vector<Tensor> &args) {
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return func.emitError("evaluator: needs a function with one block");
  if (args.size() != func.getNumArguments())
    return func.emitError() << "evaluator: expected " << func.getNumArguments()
                            << " arguments, got " << args.size();
  for (auto [arg, value] : llvm::zip(func.getArguments(), args)) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() != value.rank() ||
        numElements(value.shape) != value.size())
      return func.emitError("evaluator: argument does not match its type");
    for (int64_t d = 0; d < value.rank(); ++d)
      if (!type.isDynamicDim(d) && type.getDimSize(d) != value.shape[d])
        return func.emitError("evaluator: argument does not match its type");
    env[arg] = value;
  }
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      std::vector<Tensor> results;
      for (Value v : ret.getOperands())
        results.push_back(get(v));
      return results;
    }
    if (failed(eval(&op)))
      return failure();
  }
  return func.emitError("evaluator: function has no return");
}

LogicalResult Interpreter::set(Operation *op, Value v, Tensor t) {
  auto type = cast<RankedTensorType>(v.getType());
  bool ok = type.getRank() == t.rank();
  for (int64_t d = 0; ok && d < t.rank(); ++d)
    ok = type.isDynamicDim(d) || type.getDimSize(d) == t.shape[d];
  if (!ok)
    return op->emitError() << "evaluator: computed shape " << t.shapeString()
                           << " does not match the result type " << type;
  env[v] = std::move(t);
  return success();
}

FailureOr<int64_t> Interpreter::label(Operation *op, double v,
                                      int64_t classes) {
  int64_t l = static_cast<int64_t>(v);
  if (l < 0 || l >= classes || static_cast<double>(l) != v)
    return op->emitError() << "evaluator: label " << v
                           << " is out of range [0, " << classes << ")";
  return l;
}

LogicalResult Interpreter::classTargets(Operation *op, const Tensor &scores,
                                        Value labels, Value weight,
                                        StringRef scoresName,
                                        std::vector<int64_t> &ys, Tensor &w) {
  const Tensor &l = get(labels);
  int64_t n = scores.shape[0], c = scores.shape[1];
  if (l.size() != n)
    return op->emitError() << "evaluator: labels do not match the "
                           << scoresName;
  w = weight ? get(weight) : Tensor({c}, 1.0);
  ys.clear();
  for (int64_t i = 0; i < n; ++i) {
    FailureOr<int64_t> y = label(op, l.data[i], c);
    if (failed(y))
      return failure();
    ys.push_back(*y);
  }
  return success();
}

/// Checks the run-time shapes that the static types leave open (dynamic
/// dimensions): operands that must agree, per-channel vectors, class
/// weights. Fails with a diagnostic instead of reading out of bounds.
static LogicalResult checkRuntimeShapes(Operation *op,
                                        ArrayRef<const Tensor *> operands) {
  auto mismatch = [&]() {
    std::string shapes;
    for (const Tensor *t : operands)
      shapes += (shapes.empty() ? "" : ", ") + t->shapeString();
    return op->emitError() << "evaluator: operand shapes do not fit (" << shapes
                           << ")";
  };
  if (op->hasTrait<OpTrait::SameOperandsAndResultType>() ||
      op->hasTrait<OpTrait::SameOperandsShape>()) {
    for (const Tensor *t : operands)
      if (t->shape != operands.front()->shape)
        return mismatch();
  }
  // [C] vectors of batch norm against the channel dimension of x.
  if (isa<BatchNormTrainOp, BatchNormInferOp, BatchNormGradOp>(op)) {
    bool isGrad = isa<BatchNormGradOp>(op);
    const Tensor &x = *operands[isGrad ? 1 : 0];
    if (isGrad && operands[0]->shape != x.shape)
      return mismatch();
    for (size_t i = isGrad ? 2 : 1; i < operands.size(); ++i)
      if (operands[i]->shape != Shape{x.shape[1]})
        return mismatch();
  }
  // Class weights against the class dimension of the scores.
  if (isa<CrossEntropyOp, NLLOp>(op) && operands.size() == 3 &&
      operands[2]->shape != Shape{operands[0]->shape[1]})
    return mismatch();
  if (isa<CrossEntropyGradOp, NLLGradOp>(op) && operands.size() == 4 &&
      operands[3]->shape != Shape{operands[1]->shape[1]})
    return mismatch();
  if (auto concat = dyn_cast<ConcatOp>(op)) {
    for (const Tensor *t : operands)
      for (int64_t d = 0; d < t->rank(); ++d)
        if (d != (int64_t)concat.getAxis() &&
            t->shape[d] != operands[0]->shape[d])
          return mismatch();
  }
  if (auto maxGrad = dyn_cast<MaxGradOp>(op)) {
    const Shape &x = operands[1]->shape;
    if (operands[0]->shape !=
        reduceShape(x, maxGrad.getAxes(), maxGrad.getKeepdims()))
      return mismatch();
  }
  return success();
}

LogicalResult Interpreter::eval(Operation *op) {
  {
    std::vector<const Tensor *> operands;
    for (Value v : op->getOperands())
      operands.push_back(&get(v));
    if (!isa<func::CallOp>(op) && failed(checkRuntimeShapes(op, operands)))
      return failure();
  }
  // Shorthands for the common op shapes.
  auto unary = [&](Operation *o, auto fn) -> LogicalResult {
    const Tensor &x = get(o->getOperand(0));
    Tensor y(x.shape);
    for (int64_t i = 0; i < x.size(); ++i)
      y.data[i] = fn(x.data[i]);
    return set(o, o->getResult(0), std::move(y));
  };
  auto binary = [&](Operation *o, auto fn) -> LogicalResult {
    const Tensor &a = get(o->getOperand(0)), &b = get(o->getOperand(1));
    Shape shape;
    if (!broadcastRuntime(a.shape, b.shape, shape))
      return o->emitError() << "evaluator: cannot broadcast " << a.shapeString()
                            << " with " << b.shapeString();
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
    return set(o, o->getResult(0), std::move(y));
  };
  auto scalarResult = [&](Operation *o, double v) -> LogicalResult {
    return set(o, o->getResult(0), Tensor({}, v));
  };
  /// The shape of a static (or partly dynamic: from `like`) result type.
  auto resultShape = [&](Value result) {
    auto type = cast<RankedTensorType>(result.getType());
    return Shape(type.getShape().begin(), type.getShape().end());
  };

  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      // Constants and random numbers.
      .Case<ConstantOp>([&](ConstantOp c) -> LogicalResult {
        auto attr = dyn_cast<DenseElementsAttr>(c.getValue());
        if (!attr)
          return c.emitError("evaluator: needs a dense constant");
        Tensor t(resultShape(c.getResult()));
        int64_t i = 0;
        if (isa<FloatType>(attr.getElementType())) {
          for (APFloat v : attr.getValues<APFloat>())
            t.data[i++] = v.convertToDouble();
        } else {
          for (APInt v : attr.getValues<APInt>())
            t.data[i++] = static_cast<double>(v.getSExtValue());
        }
        return set(op, c.getResult(), std::move(t));
      })
      .Case<ZerosLikeOp>([&](ZerosLikeOp z) -> LogicalResult {
        return set(op, z.getResult(), Tensor(get(z.getX()).shape));
      })
      .Case<InitUniformOp>([&](InitUniformOp r) -> LogicalResult {
        uint64_t seed = (uint64_t)(int64_t)get(r.getSeed()).data[0];
        double lo = r.getLow().convertToDouble();
        double hi = r.getHigh().convertToDouble();
        Tensor t(resultShape(r.getResult()));
        for (int64_t i = 0; i < t.size(); ++i)
          t.data[i] = lo + (hi - lo) * random::uniform(seed, i);
        return set(op, r.getResult(), std::move(t));
      })
      .Case<InitNormalOp>([&](InitNormalOp r) -> LogicalResult {
        uint64_t seed = (uint64_t)(int64_t)get(r.getSeed()).data[0];
        double mean = r.getMean().convertToDouble();
        double stddev = r.getStd().convertToDouble();
        Tensor t(resultShape(r.getResult()));
        for (int64_t i = 0; i < t.size(); ++i)
          t.data[i] = mean + stddev * random::normal(seed, i);
        return set(op, r.getResult(), std::move(t));
      })
      // Elementwise.
      .Case<AddOp>([&](auto o) -> LogicalResult {
        return binary(o, [](double a, double b) { return a + b; });
      })
      .Case<SubOp>([&](auto o) -> LogicalResult {
        return binary(o, [](double a, double b) { return a - b; });
      })
      .Case<MulOp>([&](auto o) -> LogicalResult {
        return binary(o, [](double a, double b) { return a * b; });
      })
      .Case<DivOp>([&](auto o) -> LogicalResult {
        return binary(o, [](double a, double b) { return a / b; });
      })
      .Case<NegOp>([&](auto o) -> LogicalResult {
        return unary(o, [](double x) { return -x; });
      })
      .Case<ExpOp>([&](auto o) -> LogicalResult {
        return unary(o, [](double x) { return std::exp(x); });
      })
      .Case<LogOp>([&](auto o) -> LogicalResult {
        return unary(o, [](double x) { return std::log(x); });
      })
      .Case<SqrtOp>([&](auto o) -> LogicalResult {
        return unary(o, [](double x) { return std::sqrt(x); });
      })
      .Case<SignOp>([&](auto o) -> LogicalResult {
        return unary(o, [](double x) { return double((x > 0) - (x < 0)); });
      })
      .Case<PowOp>([&](PowOp o) -> LogicalResult {
        double p = o.getExponent().convertToDouble();
        return unary(o, [p](double x) { return std::pow(x, p); });
      })
      .Case<ReluOp>([&](auto o) -> LogicalResult {
        return unary(o, [](double x) { return x > 0 ? x : 0.0; });
      })
      .Case<LeakyReluOp>([&](LeakyReluOp o) -> LogicalResult {
        double s = o.getSlope().convertToDouble();
        return unary(o, [s](double x) { return x > 0 ? x : s * x; });
      })
      .Case<SigmoidOp>(
          [&](auto o) -> LogicalResult { return unary(o, sigmoid); })
      .Case<TanhOp>([&](auto o) -> LogicalResult {
        return unary(o, [](double x) { return std::tanh(x); });
      })
      .Case<GeluOp>([&](auto o) -> LogicalResult {
        return unary(o, [](double x) {
          return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
        });
      })
      .Case<ReluGradOp>([&](ReluGradOp o) -> LogicalResult {
        double s = o.getSlope().convertToDouble();
        const Tensor &g = get(o.getGrad()), &x = get(o.getX());
        Tensor y(x.shape);
        for (int64_t i = 0; i < y.size(); ++i)
          y.data[i] = x.data[i] > 0 ? g.data[i] : s * g.data[i];
        return set(op, o.getResult(), std::move(y));
      })
      .Case<GeluGradOp>([&](GeluGradOp o) -> LogicalResult {
        const Tensor &g = get(o.getGrad()), &x = get(o.getX());
        Tensor y(x.shape);
        for (int64_t i = 0; i < y.size(); ++i) {
          double v = x.data[i];
          double cdf = 0.5 * (1.0 + std::erf(v / std::sqrt(2.0)));
          double pdf = std::exp(-0.5 * v * v) / std::sqrt(2.0 * M_PI);
          y.data[i] = g.data[i] * (cdf + v * pdf);
        }
        return set(op, o.getResult(), std::move(y));
      })
      .Case<SoftmaxOp, LogSoftmaxOp>([&](auto o) -> LogicalResult {
        const Tensor &x = get(o.getX());
        int64_t axis = o.getAxis();
        Shape strides = stridesOf(x.shape);
        int64_t len = x.shape[axis], step = strides[axis];
        Tensor y(x.shape);
        bool logForm = isa<LogSoftmaxOp>(op);
        for (int64_t i = 0; i < x.size(); ++i) {
          if (unflatten(i, x.shape)[axis] != 0)
            continue; // visit each slice once, from its first element
          double m = -std::numeric_limits<double>::infinity(), s = 0;
          for (int64_t k = 0; k < len; ++k)
            m = std::max(m, x.data[i + k * step]);
          for (int64_t k = 0; k < len; ++k)
            s += std::exp(x.data[i + k * step] - m);
          for (int64_t k = 0; k < len; ++k) {
            double z = x.data[i + k * step] - m;
            y.data[i + k * step] = logForm ? z - std::log(s) : std::exp(z) / s;
          }
        }
        return set(op, o.getResult(), std::move(y));
      })
      // Linear algebra and reductions.
      .Case<MatmulOp>([&](MatmulOp o) -> LogicalResult {
        const Tensor &a = get(o.getLhs()), &b = get(o.getRhs());
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
        return set(op, o.getResult(), std::move(y));
      })
      .Case<SumOp, MeanOp, MaxOp>([&](auto o) -> LogicalResult {
        const Tensor &x = get(o.getX());
        ArrayRef<int64_t> axes = o.getAxes();
        bool isMax = isa<MaxOp>(op);
        Tensor y(reduceShape(x.shape, axes, o.getKeepdims()),
                 isMax ? -std::numeric_limits<double>::infinity() : 0.0);
        for (int64_t i = 0; i < x.size(); ++i) {
          double &acc =
              y.data[reducedIndex(unflatten(i, x.shape), x.shape, axes)];
          acc = isMax ? std::max(acc, x.data[i]) : acc + x.data[i];
        }
        if (isa<MeanOp>(op))
          for (double &v : y.data)
            v /= reducedCount(x.shape, axes);
        return set(op, o.getResult(), std::move(y));
      })
      .Case<MaxGradOp>([&](MaxGradOp o) -> LogicalResult {
        const Tensor &g = get(o.getGrad()), &x = get(o.getX());
        ArrayRef<int64_t> axes = o.getAxes();
        Tensor m(reduceShape(x.shape, axes, false),
                 -std::numeric_limits<double>::infinity());
        for (int64_t i = 0; i < x.size(); ++i) {
          double &acc =
              m.data[reducedIndex(unflatten(i, x.shape), x.shape, axes)];
          acc = std::max(acc, x.data[i]);
        }
        std::vector<bool> done(m.size(), false);
        Tensor dx(x.shape);
        for (int64_t i = 0; i < x.size(); ++i) {
          int64_t r = reducedIndex(unflatten(i, x.shape), x.shape, axes);
          if (!done[r] && x.data[i] == m.data[r]) {
            done[r] = true;
            dx.data[i] = g.data[r];
          }
        }
        return set(op, o.getResult(), std::move(dx));
      })
      .Case<CountOp>([&](CountOp o) -> LogicalResult {
        return scalarResult(op, reducedCount(get(o.getX()).shape, o.getAxes()));
      })
      // Shape manipulation.
      .Case<ReshapeOp>([&](ReshapeOp o) -> LogicalResult {
        const Tensor &x = get(o.getX());
        Shape shape = resultShape(o.getResult());
        int64_t known = 1, dynamic = -1;
        for (size_t d = 0; d < shape.size(); ++d) {
          if (ShapedType::isDynamic(shape[d]))
            dynamic = d;
          else
            known *= shape[d];
        }
        if (dynamic >= 0 && known > 0)
          shape[dynamic] = x.size() / known;
        if (numElements(shape) != x.size())
          return o.emitError("evaluator: reshape changes the element count");
        return set(op, o.getResult(), Tensor(shape, x.data));
      })
      .Case<TransposeOp>([&](TransposeOp o) -> LogicalResult {
        const Tensor &x = get(o.getX());
        ArrayRef<int64_t> perm = o.getPerm();
        Shape shape;
        for (int64_t p : perm)
          shape.push_back(x.shape[p]);
        Shape xStrides = stridesOf(x.shape);
        Tensor y(shape);
        for (int64_t i = 0; i < y.size(); ++i) {
          Shape idx = unflatten(i, shape);
          int64_t src = 0;
          for (size_t d = 0; d < perm.size(); ++d)
            src += idx[d] * xStrides[perm[d]];
          y.data[i] = x.data[src];
        }
        return set(op, o.getResult(), std::move(y));
      })
      .Case<BroadcastToOp>([&](BroadcastToOp o) -> LogicalResult {
        const Tensor &x = get(o.getX());
        Shape shape = resultShape(o.getResult());
        size_t offset = shape.size() - x.shape.size();
        for (size_t d = 0; d < shape.size(); ++d)
          if (ShapedType::isDynamic(shape[d]))
            shape[d] = x.shape[d - offset];
        Shape check;
        if (!broadcastRuntime(x.shape, shape, check) || check != shape)
          return o.emitError("evaluator: operand does not broadcast");
        return set(op, o.getResult(), broadcast(x, shape));
      })
      .Case<BroadcastLikeOp>([&](BroadcastLikeOp o) -> LogicalResult {
        const Tensor &x = get(o.getX());
        const Shape &shape = get(o.getRef()).shape;
        ArrayRef<int64_t> axes = o.getAxes();
        if (axes.empty()) {
          Shape check;
          if (!broadcastRuntime(x.shape, shape, check) || check != shape)
            return o.emitError("evaluator: operand does not broadcast");
          return set(op, o.getResult(), broadcast(x, shape));
        }
        if (reduceShape(shape, axes, false) != x.shape)
          return o.emitError("evaluator: operand shape does not match ref");
        Tensor y(shape);
        for (int64_t i = 0; i < y.size(); ++i)
          y.data[i] = x.data[reducedIndex(unflatten(i, shape), shape, axes)];
        return set(op, o.getResult(), std::move(y));
      })
      .Case<SumToOp>([&](SumToOp o) -> LogicalResult {
        const Tensor &x = get(o.getX());
        const Shape &shape = get(o.getRef()).shape;
        Shape check;
        if (!broadcastRuntime(x.shape, shape, check) || check != x.shape)
          return o.emitError("evaluator: ref does not broadcast to operand");
        Tensor y(shape);
        for (int64_t i = 0; i < x.size(); ++i)
          y.data[broadcastSource(unflatten(i, x.shape), shape)] += x.data[i];
        return set(op, o.getResult(), std::move(y));
      })
      .Case<ConcatOp>([&](ConcatOp o) -> LogicalResult {
        int64_t axis = o.getAxis();
        Shape shape = get(o.getInputs().front()).shape;
        shape[axis] = 0;
        for (Value in : o.getInputs())
          shape[axis] += get(in).shape[axis];
        Tensor y(shape);
        int64_t offset = 0;
        for (Value in : o.getInputs()) {
          const Tensor &x = get(in);
          for (int64_t i = 0; i < x.size(); ++i) {
            Shape idx = unflatten(i, x.shape);
            idx[axis] += offset;
            int64_t dst = 0;
            for (size_t d = 0; d < shape.size(); ++d)
              dst = dst * shape[d] + idx[d];
            y.data[dst] = x.data[i];
          }
          offset += x.shape[axis];
        }
        return set(op, o.getResult(), std::move(y));
      })
      .Case<SliceOp, SliceGradOp>([&](auto o) -> LogicalResult {
        // Both walk the sliced positions; slice reads them, slice_grad
        // scatters into zeros.
        bool isGrad = isa<SliceGradOp>(op);
        const Tensor &x = get(op->getOperand(isGrad ? 1 : 0));
        ArrayRef<int64_t> starts = o.getStarts(), limits = o.getLimits(),
                          strides = o.getStrides();
        Shape sliced;
        for (size_t d = 0; d < x.shape.size(); ++d) {
          int64_t limit = limits[d] == -1 ? x.shape[d] : limits[d];
          if (limit > x.shape[d])
            return o.emitError("evaluator: slice limit out of range");
          sliced.push_back(std::max<int64_t>(
              0, (limit - starts[d] + strides[d] - 1) / strides[d]));
        }
        Shape xStrides = stridesOf(x.shape);
        Tensor out(isGrad ? x.shape : sliced);
        const Tensor *g = isGrad ? &get(op->getOperand(0)) : nullptr;
        if (g && g->shape != sliced)
          return o.emitError("evaluator: grad shape does not match slice");
        for (int64_t i = 0; i < numElements(sliced); ++i) {
          Shape idx = unflatten(i, sliced);
          int64_t src = 0;
          for (size_t d = 0; d < idx.size(); ++d)
            src += (starts[d] + idx[d] * strides[d]) * xStrides[d];
          if (isGrad)
            out.data[src] += g->data[i];
          else
            out.data[i] = x.data[src];
        }
        return set(op, op->getResult(0), std::move(out));
      })
      // Convolution and pooling.
      .Case<Conv2DOp>([&](Conv2DOp o) -> LogicalResult {
        const Tensor &x = get(o.getInput()), &w = get(o.getWeight());
        Shape shape =
            convOutputShape(x.shape, w.shape, o.getStride(), o.getPadding(),
                            o.getDilation(), o.getGroups());
        if (shape.empty())
          return o.emitError()
                 << "evaluator: input " << x.shapeString() << " and weight "
                 << w.shapeString() << " do not fit";
        if (o.getBias() && get(o.getBias()).shape != Shape{w.shape[0]})
          return o.emitError("evaluator: bias does not match the weight");
        Tensor y(shape);
        forEachConvTap(x.shape, w.shape, shape, o.getStride(), o.getPadding(),
                       o.getDilation(), o.getGroups(),
                       [&](int64_t yi, int64_t xi, int64_t wi) {
                         y.data[yi] += x.data[xi] * w.data[wi];
                       });
        if (o.getBias()) {
          const Tensor &b = get(o.getBias());
          for (int64_t i = 0; i < y.size(); ++i)
            y.data[i] += b.data[channelOf(i, shape)];
        }
        return set(op, o.getResult(), std::move(y));
      })
      // Both convolution gradients walk the taps of the forward convolution
      // and accumulate into the input (dx += g * w) or the weight
      // (dw += g * x).
      .Case<Conv2DGradInputOp, Conv2DGradWeightOp>(
          [&](auto o) -> LogicalResult {
            const Tensor &g = get(o.getGrad()), &x = get(o.getInput()),
                         &w = get(o.getWeight());
            if (g.shape != convOutputShape(x.shape, w.shape, o.getStride(),
                                           o.getPadding(), o.getDilation(),
                                           o.getGroups()))
              return o.emitError("evaluator: operand shapes do not fit");
            bool wrtInput = isa<Conv2DGradInputOp>(op);
            Tensor d(wrtInput ? x.shape : w.shape);
            forEachConvTap(x.shape, w.shape, g.shape, o.getStride(),
                           o.getPadding(), o.getDilation(), o.getGroups(),
                           [&](int64_t yi, int64_t xi, int64_t wi) {
                             if (wrtInput)
                               d.data[xi] += g.data[yi] * w.data[wi];
                             else
                               d.data[wi] += g.data[yi] * x.data[xi];
                           });
            return set(op, o.getResult(), std::move(d));
          })
      .Case<MaxPool2DOp, AvgPool2DOp>([&](auto o) -> LogicalResult {
        const Tensor &x = get(o.getInput());
        Shape shape = poolOutputShape(x.shape, o.getKernel(), o.getStride(),
                                      o.getPadding());
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
        return set(op, o.getResult(), std::move(y));
      })
      .Case<MaxPool2DGradOp, AvgPool2DGradOp>([&](auto o) -> LogicalResult {
        const Tensor &g = get(o.getGrad()), &x = get(o.getInput());
        if (g.shape != poolOutputShape(x.shape, o.getKernel(), o.getStride(),
                                       o.getPadding()))
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
        return set(op, o.getResult(), std::move(dx));
      })
      // Normalisation and dropout.
      .Case<BatchNormTrainOp>([&](BatchNormTrainOp o) -> LogicalResult {
        const Tensor &x = get(o.getX()), &gamma = get(o.getGamma()),
                     &beta = get(o.getBeta());
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
          y.data[i] = (x.data[i] - mean.data[ch]) /
                          std::sqrt(var.data[ch] + eps) * gamma.data[ch] +
                      beta.data[ch];
        }
        if (failed(set(op, o.getY(), std::move(y))) ||
            failed(set(op, o.getMean(), std::move(mean))))
          return failure();
        return set(op, o.getVar(), std::move(var));
      })
      .Case<BatchNormInferOp>([&](BatchNormInferOp o) -> LogicalResult {
        const Tensor &x = get(o.getX()), &gamma = get(o.getGamma()),
                     &beta = get(o.getBeta()), &mean = get(o.getRunningMean()),
                     &var = get(o.getRunningVar());
        double eps = o.getEpsilon().convertToDouble();
        Tensor y(x.shape);
        for (int64_t i = 0; i < x.size(); ++i) {
          int64_t ch = channelOf(i, x.shape);
          y.data[i] = (x.data[i] - mean.data[ch]) /
                          std::sqrt(var.data[ch] + eps) * gamma.data[ch] +
                      beta.data[ch];
        }
        return set(op, o.getResult(), std::move(y));
      })
      .Case<BatchNormGradOp>([&](BatchNormGradOp o) -> LogicalResult {
        const Tensor &g = get(o.getGrad()), &x = get(o.getX()),
                     &gamma = get(o.getGamma()), &mean = get(o.getMean()),
                     &var = get(o.getVar());
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
            dx.data[i] =
                gamma.data[ch] * inv / m *
                (m * g.data[i] - dbeta.data[ch] - xhat(i) * dgamma.data[ch]);
          else
            dx.data[i] = g.data[i] * gamma.data[ch] * inv;
        }
        if (failed(set(op, o.getGradX(), std::move(dx))) ||
            failed(set(op, o.getGradGamma(), std::move(dgamma))))
          return failure();
        return set(op, o.getGradBeta(), std::move(dbeta));
      })
      .Case<DropoutOp>([&](DropoutOp o) -> LogicalResult {
        const Tensor &x = get(o.getX());
        uint64_t seed = (uint64_t)(int64_t)get(o.getSeed()).data[0];
        double p = o.getP().convertToDouble();
        Tensor y(x.shape);
        for (int64_t i = 0; i < x.size(); ++i)
          y.data[i] =
              random::uniform(seed, i) >= p ? x.data[i] / (1.0 - p) : 0.0;
        return set(op, o.getResult(), std::move(y));
      })
      // Losses.
      .Case<MSEOp, L1Op, BCEOp, BCEWithLogitsOp>([&](auto o) -> LogicalResult {
        const Tensor &a = get(o.getInput()), &t = get(o.getTarget());
        if (a.shape != t.shape)
          return o.emitError("evaluator: input and target shapes differ");
        double s = 0;
        for (int64_t i = 0; i < a.size(); ++i) {
          double p = a.data[i], y = t.data[i];
          if (isa<MSEOp>(op))
            s += (p - y) * (p - y);
          else if (isa<L1Op>(op))
            s += std::abs(p - y);
          else if (isa<BCEOp>(op))
            s += -(y * std::log(p) + (1 - y) * std::log(1 - p));
          else
            s += std::max(p, 0.0) - p * y + std::log1p(std::exp(-std::abs(p)));
        }
        return scalarResult(op, s / a.size());
      })
      .Case<CrossEntropyOp, CrossEntropyGradOp>([&](auto o) -> LogicalResult {
        bool isGrad = isa<CrossEntropyGradOp>(op);
        const Tensor &z = get(o.getLogits());
        int64_t n = z.shape[0], c = z.shape[1];
        std::vector<int64_t> ys;
        Tensor w;
        if (failed(classTargets(op, z, o.getLabels(), o.getWeight(), "logits",
                                ys, w)))
          return failure();
        double s = o.getLabelSmoothing().convertToDouble();
        double total = 0, norm = 0;
        Tensor dz(z.shape);
        for (int64_t i = 0; i < n; ++i) {
          int64_t y = ys[i];
          const double *row = &z.data[i * c];
          double m = *std::max_element(row, row + c), e = 0;
          for (int64_t k = 0; k < c; ++k)
            e += std::exp(row[k] - m);
          double wq = 0; // sum_k w_k q_k
          for (int64_t k = 0; k < c; ++k) {
            double q = (k == y ? 1 - s : 0) + s / c;
            double lp = row[k] - m - std::log(e);
            total -= w.data[k] * q * lp;
            wq += w.data[k] * q;
          }
          for (int64_t k = 0; k < c; ++k) {
            double q = (k == y ? 1 - s : 0) + s / c;
            double p = std::exp(row[k] - m) / e;
            dz.data[i * c + k] = p * wq - w.data[k] * q;
          }
          norm += w.data[y];
        }
        if (!isGrad)
          return scalarResult(op, total / norm);
        double g = get(op->getOperand(0)).data[0];
        for (double &v : dz.data)
          v *= g / norm;
        return set(op, op->getResult(0), std::move(dz));
      })
      .Case<NLLOp, NLLGradOp>([&](auto o) -> LogicalResult {
        bool isGrad = isa<NLLGradOp>(op);
        const Tensor &lp = get(o.getLogp());
        int64_t n = lp.shape[0], c = lp.shape[1];
        std::vector<int64_t> ys;
        Tensor w;
        if (failed(classTargets(op, lp, o.getLabels(), o.getWeight(), "scores",
                                ys, w)))
          return failure();
        double total = 0, norm = 0;
        for (int64_t i = 0; i < n; ++i) {
          total -= w.data[ys[i]] * lp.data[i * c + ys[i]];
          norm += w.data[ys[i]];
        }
        if (!isGrad)
          return scalarResult(op, total / norm);
        double g = get(op->getOperand(0)).data[0];
        Tensor d(lp.shape);
        for (int64_t i = 0; i < n; ++i)
          d.data[i * c + ys[i]] = -g * w.data[ys[i]] / norm;
        return set(op, op->getResult(0), std::move(d));
      })
      // Calls.
      .Case<func::CallOp>([&](func::CallOp call) -> LogicalResult {
        auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
        if (!callee)
          return call.emitError("evaluator: unknown callee");
        std::vector<Tensor> args;
        for (Value v : call.getOperands())
          args.push_back(get(v));
        FailureOr<std::vector<Tensor>> results =
            Interpreter(module).run(callee, args);
        if (failed(results))
          return failure();
        for (auto [r, t] : llvm::zip(call.getResults(), *results))
          if (failed(set(op, r, t)))
            return failure();
        return success();
      })
      .Default([&](Operation *other) {
        return other->emitError() << "evaluator: unsupported operation '"
                                  << other->getName() << "'";
      });
}

FailureOr<std::vector<Tensor>>
Evaluator::call(func::FuncOp func, const std::vector<Tensor> &args) {
  return Interpreter(module).run(func, args);
}
