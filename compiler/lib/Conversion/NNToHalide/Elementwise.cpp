//===- Elementwise.cpp - Algorithms of the pointwise nn ops ---------------===//
//
// The Halide definitions of the ops whose every output element depends on
// one element of each operand: constants, broadcasting arithmetic, unary
// math and activations and their gradients, the counter-based random ops
// (dropout, init_uniform, init_normal; bit-exact with Eval/Random.h) and
// inference batch normalisation. All are FuncKind::Elementwise: the schedule
// inlines them into their consumers.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "dlc/Dialect/NN/IR/NNOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <functional>

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::nn::hl;

namespace {

using Halide::cast;
using Halide::select;

LogicalResult unary(Operation *op, GroupBuilder &b,
                    const std::function<Expr(Expr)> &fn) {
  HTensor x = b.get(op->getOperand(0));
  Value r = op->getResult(0);
  Func f = b.newResultFunc(op, r, FuncKind::Elementwise);
  Index v = pureVars(x.rank());
  at(f, v) = fn(x(v));
  b.set(r, f, x.shape);
  return success();
}

LogicalResult binary(Operation *op, GroupBuilder &b,
                     const std::function<Expr(Expr, Expr)> &fn) {
  HTensor x = b.get(op->getOperand(0)), y = b.get(op->getOperand(1));
  Value r = op->getResult(0);
  std::vector<Expr> shape = broadcastShape(x, y);
  Func f = b.newResultFunc(op, r, FuncKind::Elementwise);
  Index v = pureVars(static_cast<int64_t>(shape.size()));
  at(f, v) = fn(x(broadcastIndex(x, v)), y(broadcastIndex(y, v)));
  b.set(r, f, shape);
  return success();
}

Expr u64(uint64_t v) {
  return Halide::Internal::make_const(Halide::UInt(64), v);
}

/// SplitMix64 finaliser (Random.h's mix64) on UInt(64); unsigned
/// multiplication wraps in Halide as in C++.
Expr mix64(Expr z) {
  z = (z ^ (z >> u64(30))) * u64(0xbf58476d1ce4e5b9ULL);
  z = (z ^ (z >> u64(27))) * u64(0x94d049bb133111ebULL);
  return z ^ (z >> u64(31));
}

/// Random.h's uniform(seed, index) in double: bit-exact with the evaluator.
Expr uniform01(const Expr &seed, const Expr &index) {
  Expr bits =
      mix64(mix64(seed + u64(0x9e3779b97f4a7c15ULL)) ^
            (index * u64(0x9e3779b97f4a7c15ULL) + u64(0x632be59bd9b4e019ULL)));
  return cast<double>(bits >> u64(11)) * Expr(0x1.0p-53);
}

/// The seed operand (a 0-d Int(64) tensor) as UInt(64), bits unchanged.
Expr seedOf(GroupBuilder &b, Value seed) {
  return cast(Halide::UInt(64), b.get(seed)({}));
}

/// A static shape as extents.
std::vector<Expr> staticExtents(Value v) {
  std::vector<Expr> shape;
  for (int64_t d : cast<RankedTensorType>(v.getType()).getShape())
    shape.push_back(Expr(static_cast<int>(d)));
  return shape;
}

LogicalResult lowerConstant(ConstantOp c, GroupBuilder &b) {
  auto attr = dyn_cast<DenseElementsAttr>(c.getValue());
  auto type = cast<RankedTensorType>(c.getType());
  if (!attr || !type.hasStaticShape())
    return c.emitError("nn-to-halide: needs a dense, static constant");
  Func f = b.newResultFunc(c, c.getResult(), FuncKind::Elementwise);
  Index v = pureVars(type.getRank());
  bool isFloat = isa<FloatType>(attr.getElementType());
  auto valueAt = [&](int64_t i) -> double {
    if (isFloat)
      return attr.getValues<APFloat>()[i].convertToDouble();
    return static_cast<double>(attr.getValues<APInt>()[i].getSExtValue());
  };
  Halide::Type ht = halideElementType(type.getElementType());
  if (attr.isSplat()) {
    at(f, v) = isFloat ? f32(valueAt(0))
                       : cast(ht, Expr(static_cast<int64_t>(valueAt(0))));
  } else {
    // A constant buffer embedded in the pipeline; dense Halide order is the
    // row-major order of the attribute.
    std::vector<int> sizes;
    for (int64_t d = type.getRank() - 1; d >= 0; --d)
      sizes.push_back(static_cast<int>(type.getDimSize(d)));
    Halide::Buffer<> buffer(ht, sizes, f.name() + "_data");
    for (int64_t i = 0; i < type.getNumElements(); ++i) {
      if (ht == Halide::Float(32))
        static_cast<float *>(buffer.data())[i] = static_cast<float>(valueAt(i));
      else if (ht == Halide::Int(64))
        static_cast<int64_t *>(buffer.data())[i] =
            static_cast<int64_t>(valueAt(i));
      else
        static_cast<int32_t *>(buffer.data())[i] =
            static_cast<int32_t>(valueAt(i));
    }
    at(f, v) = buffer(toHalideOrder(v));
  }
  b.set(c.getResult(), f, staticExtents(c.getResult()));
  return success();
}

/// nn.init_uniform / nn.init_normal: a pure function of the seed and the
/// row-major element index, computed in double as in the evaluator.
LogicalResult lowerInit(Operation *op, Value seedValue, GroupBuilder &b,
                        const std::function<Expr(Expr, Expr)> &sample) {
  Value r = op->getResult(0);
  std::vector<Expr> shape = staticExtents(r);
  Func f = b.newResultFunc(op, r, FuncKind::Elementwise);
  Index v = pureVars(static_cast<int64_t>(shape.size()));
  Expr index = cast(Halide::UInt(64), flatIndex(v, shape));
  at(f, v) = cast<float>(sample(seedOf(b, seedValue), index));
  b.set(r, f, shape);
  return success();
}

/// Per-channel (dimension 1) access of a [C] tensor at an NC/NCHW index.
Expr channel(const HTensor &t, const Index &idx) { return t({idx[1]}); }

} // namespace

Index hl::broadcastIndex(const HTensor &t, llvm::ArrayRef<Expr> idx) {
  Index out;
  int64_t offset = static_cast<int64_t>(idx.size()) - t.rank();
  for (int64_t d = 0; d < t.rank(); ++d)
    out.push_back(t.isStaticOne(d) ? Expr(0) : idx[d + offset]);
  return out;
}

std::vector<Expr> hl::broadcastShape(const HTensor &a, const HTensor &b) {
  int64_t rank = std::max(a.rank(), b.rank());
  std::vector<Expr> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t da = d - (rank - a.rank()), db = d - (rank - b.rank());
    if (da >= 0 && !a.isStaticOne(da))
      shape.push_back(a.shape[da]);
    else if (db >= 0 && !b.isStaticOne(db))
      shape.push_back(b.shape[db]);
    else
      shape.push_back(1);
  }
  return shape;
}

LogicalResult hl::lowerElementwiseOp(Operation *op, GroupBuilder &b,
                                     bool &handled) {
  handled = true;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<ConstantOp>([&](ConstantOp c) { return lowerConstant(c, b); })
      .Case<ZerosLikeOp>([&](ZerosLikeOp z) {
        return unary(z, b, [](Expr) { return f32(0); });
      })
      .Case<AddOp>([&](Operation *o) {
        return binary(o, b, [](Expr x, Expr y) { return x + y; });
      })
      .Case<SubOp>([&](Operation *o) {
        return binary(o, b, [](Expr x, Expr y) { return x - y; });
      })
      .Case<MulOp>([&](Operation *o) {
        return binary(o, b, [](Expr x, Expr y) { return x * y; });
      })
      .Case<DivOp>([&](Operation *o) {
        return binary(o, b, [](Expr x, Expr y) { return x / y; });
      })
      .Case<NegOp>(
          [&](Operation *o) { return unary(o, b, [](Expr x) { return -x; }); })
      .Case<ExpOp>([&](Operation *o) {
        return unary(o, b, [](Expr x) { return Halide::exp(x); });
      })
      .Case<LogOp>([&](Operation *o) {
        return unary(o, b, [](Expr x) { return Halide::log(x); });
      })
      .Case<SqrtOp>([&](Operation *o) {
        return unary(o, b, [](Expr x) { return Halide::sqrt(x); });
      })
      .Case<SignOp>([&](Operation *o) {
        return unary(o, b, [](Expr x) {
          return select(x > 0, f32(1), select(x < 0, f32(-1), f32(0)));
        });
      })
      .Case<PowOp>([&](PowOp o) {
        double p = o.getExponent().convertToDouble();
        return unary(o, b, [p](Expr x) -> Expr {
          // Small integer exponents as products: exact for negative bases.
          if (p == 0)
            return f32(1);
          if (p == 1)
            return x;
          if (p == 2)
            return x * x;
          if (p == 3)
            return x * x * x;
          if (p == -1)
            return f32(1) / x;
          if (p == -2)
            return f32(1) / (x * x);
          if (p == 0.5)
            return Halide::sqrt(x);
          return Halide::pow(x, f32(p));
        });
      })
      .Case<ReluOp>([&](Operation *o) {
        return unary(o, b, [](Expr x) { return Halide::max(x, f32(0)); });
      })
      .Case<LeakyReluOp>([&](LeakyReluOp o) {
        double s = o.getSlope().convertToDouble();
        return unary(o, b,
                     [s](Expr x) { return select(x > 0, x, f32(s) * x); });
      })
      .Case<SigmoidOp>([&](Operation *o) {
        return unary(
            o, b, [](Expr x) { return f32(1) / (f32(1) + Halide::exp(-x)); });
      })
      .Case<TanhOp>([&](Operation *o) {
        return unary(o, b, [](Expr x) { return Halide::tanh(x); });
      })
      .Case<GeluOp>([&](Operation *o) {
        return unary(o, b, [](Expr x) {
          return f32(0.5) * x * (f32(1) + Halide::erf(x * f32(M_SQRT1_2)));
        });
      })
      .Case<ReluGradOp>([&](ReluGradOp o) {
        double s = o.getSlope().convertToDouble();
        return binary(
            o, b, [s](Expr g, Expr x) { return select(x > 0, g, f32(s) * g); });
      })
      .Case<GeluGradOp>([&](GeluGradOp o) {
        return binary(o, b, [](Expr g, Expr x) {
          Expr cdf = f32(0.5) * (f32(1) + Halide::erf(x * f32(M_SQRT1_2)));
          Expr pdf =
              Halide::exp(f32(-0.5) * x * x) * f32(1.0 / std::sqrt(2 * M_PI));
          return g * (cdf + x * pdf);
        });
      })
      .Case<DropoutOp>([&](DropoutOp o) {
        // Element i is kept iff uniform(seed, i) >= p, compared in double
        // exactly as the evaluator does, so the masks agree bit for bit.
        HTensor x = b.get(o.getX());
        double p = o.getP().convertToDouble();
        Expr seed = seedOf(b, o.getSeed());
        Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
        Index v = pureVars(x.rank());
        Expr index = cast(Halide::UInt(64), flatIndex(v, x.shape));
        Expr keep = uniform01(seed, index) >= Expr(p);
        at(f, v) = select(keep, x(v) * f32(1.0 / (1.0 - p)), f32(0));
        b.set(o.getResult(), f, x.shape);
        return success();
      })
      .Case<InitUniformOp>([&](InitUniformOp o) {
        double lo = o.getLow().convertToDouble();
        double hi = o.getHigh().convertToDouble();
        return lowerInit(o, o.getSeed(), b, [lo, hi](Expr seed, Expr i) {
          return Expr(lo) + Expr(hi - lo) * uniform01(seed, i);
        });
      })
      .Case<InitNormalOp>([&](InitNormalOp o) {
        double mean = o.getMean().convertToDouble();
        double stddev = o.getStd().convertToDouble();
        return lowerInit(o, o.getSeed(), b, [mean, stddev](Expr seed, Expr i) {
          // Box-Muller on the counters 2i and 2i+1, as Random.h's normal().
          Expr u1 = Expr(1.0) - uniform01(seed, u64(2) * i);
          Expr u2 = uniform01(seed, u64(2) * i + u64(1));
          Expr n = Halide::sqrt(Expr(-2.0) * Halide::log(u1)) *
                   Halide::cos(Expr(6.283185307179586) * u2);
          return Expr(mean) + Expr(stddev) * n;
        });
      })
      .Case<BatchNormInferOp>([&](BatchNormInferOp o) {
        HTensor x = b.get(o.getX()), gamma = b.get(o.getGamma()),
                beta = b.get(o.getBeta()), mean = b.get(o.getRunningMean()),
                var = b.get(o.getRunningVar());
        double eps = o.getEpsilon().convertToDouble();
        Func f = b.newResultFunc(o, o.getResult(), FuncKind::Elementwise);
        Index v = pureVars(x.rank());
        at(f, v) = (x(v) - channel(mean, v)) /
                       Halide::sqrt(channel(var, v) + f32(eps)) *
                       channel(gamma, v) +
                   channel(beta, v);
        b.set(o.getResult(), f, x.shape);
        return success();
      })
      .Default([&](Operation *) {
        handled = false;
        return failure();
      });
}
