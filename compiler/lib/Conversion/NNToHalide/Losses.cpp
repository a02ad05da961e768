//===- Losses.cpp - Algorithms of the nn losses and their gradients -------===//
//
// The Halide definitions of the losses: the pairwise means (mse, l1, bce,
// bce_with_logits), softmax cross-entropy with class weights and label
// smoothing and its gradient, and the negative log-likelihood and its
// gradient. A loss is a 0-d Func reduced over a 2-D (or full-rank) RDom;
// per-row statistics (max, sum of exponentials, weighted target mass) are
// their own Reduction Funcs. Labels are Int(64) buffers, clamped into
// [0, C) before they index anything so that bounds inference stays finite.
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
using Halide::select;

LogicalResult lowerPairwise(Operation *op, GroupBuilder &b) {
  HTensor a = b.get(op->getOperand(0)), t = b.get(op->getOperand(1));
  RowMajorRDom r(a.shape, "r");
  Index idx;
  for (int64_t d = 0; d < a.rank(); ++d)
    idx.push_back(r[d]);
  Expr p = a(idx), y = t(idx), term;
  if (isa<MSEOp>(op))
    term = (p - y) * (p - y);
  else if (isa<L1Op>(op))
    term = Halide::abs(p - y);
  else if (isa<BCEOp>(op))
    term = -(y * Halide::log(p) + (f32(1) - y) * Halide::log(f32(1) - p));
  else
    term = Halide::max(p, f32(0)) - p * y +
           Halide::log(f32(1) + Halide::exp(-Halide::abs(p)));
  Func f = b.newResultFunc(op, op->getResult(0), FuncKind::Reduction);
  f() = f32(0);
  f() += term;
  f() = f() / cast<float>(product(a.shape));
  b.set(op->getResult(0), f, {});
  return success();
}

/// The pieces shared by cross_entropy and nll on [N, C] scores.
struct Classes {
  HTensor scores, labels;
  bool hasWeight = false;
  HTensor weight;
  Expr n, c;

  /// The label of row i, clamped into [0, C).
  Expr label(const Expr &i) const {
    return Halide::clamp(cast<int>(labels({i})), 0, c - 1);
  }
  /// The weight of class k (1 without weights).
  Expr w(const Expr &k) const { return hasWeight ? weight({k}) : f32(1); }
};

Classes classesOf(GroupBuilder &b, Value scores, Value labels, Value weight) {
  Classes k;
  k.scores = b.get(scores);
  k.labels = b.get(labels);
  if (weight) {
    k.hasWeight = true;
    k.weight = b.get(weight);
  }
  k.n = k.scores.shape[0];
  k.c = k.scores.shape[1];
  return k;
}

/// sum_n w_{y_n}: the normaliser of the weighted mean.
Func labelWeightSum(Operation *op, GroupBuilder &b, const Classes &k) {
  Func norm = b.newFunc(op, "weight_sum", FuncKind::Reduction);
  if (!k.hasWeight) {
    // Unweighted: the row count. (An update whose value does not mention
    // its RDom would run once, not once per row.)
    norm() = cast<float>(k.n);
    return norm;
  }
  Halide::RDom n(0, k.n, "rn");
  norm() = f32(0);
  norm() += k.w(k.label(n));
  return norm;
}

LogicalResult lowerCrossEntropy(Operation *op, Value logits, Value labels,
                                Value weight, double smoothing, Value grad,
                                GroupBuilder &b) {
  Classes k = classesOf(b, logits, labels, weight);
  Halide::Var i("i0"), j("i1");
  Halide::RDom rc(0, k.c, "rc");
  // Per-row max and sum of exponentials (log-sum-exp).
  Func mx = b.newFunc(op, "row_max", FuncKind::Reduction);
  mx(i) = f32(-std::numeric_limits<float>::infinity());
  mx(i) = Halide::max(mx(i), k.scores({i, rc}));
  Func se = b.newFunc(op, "row_expsum", FuncKind::Reduction);
  se(i) = f32(0);
  se(i) += Halide::exp(k.scores({i, rc}) - mx(i));
  // The smoothed one-hot target q[i, j].
  auto q = [&](const Expr &row, const Expr &col) {
    return select(col == k.label(row), f32(1 - smoothing), f32(0)) +
           f32(smoothing) / cast<float>(k.c);
  };
  Func norm = labelWeightSum(op, b, k);
  Value result = op->getResult(0);
  if (!grad) {
    Halide::RDom r(0, k.c, 0, k.n, "r"); // r.x: class (inner), r.y: row
    Expr lp = k.scores({r.y, r.x}) - mx(r.y) - Halide::log(se(r.y));
    Func f = b.newResultFunc(op, result, FuncKind::Reduction);
    f() = f32(0);
    f() -= k.w(r.x) * q(r.y, r.x) * lp;
    f() = f() / norm();
    b.set(result, f, {});
    return success();
  }
  // d/dz = g * (p * sum_k w_k q_k - w_j q_j) / norm.
  Func wq = b.newFunc(op, "row_target_mass", FuncKind::Reduction);
  wq(i) = f32(0);
  wq(i) += k.w(rc) * q(i, rc);
  HTensor g = b.get(grad);
  Expr p = Halide::exp(k.scores({i, j}) - mx(i)) / se(i);
  Func f = b.newResultFunc(op, result, FuncKind::Elementwise);
  at(f, {i, j}) = (p * wq(i) - k.w(j) * q(i, j)) * (g({}) / norm());
  b.set(result, f, k.scores.shape);
  return success();
}

LogicalResult lowerNLL(Operation *op, Value logp, Value labels, Value weight,
                       Value grad, GroupBuilder &b) {
  Classes k = classesOf(b, logp, labels, weight);
  Func norm = labelWeightSum(op, b, k);
  Value result = op->getResult(0);
  if (!grad) {
    Halide::RDom n(0, k.n, "rn");
    Expr y = k.label(n);
    Func f = b.newResultFunc(op, result, FuncKind::Reduction);
    f() = f32(0);
    f() -= k.w(y) * k.scores({n, y});
    f() = f() / norm();
    b.set(result, f, {});
    return success();
  }
  HTensor g = b.get(grad);
  Halide::Var i("i0"), j("i1");
  Expr y = k.label(i);
  Func f = b.newResultFunc(op, result, FuncKind::Elementwise);
  at(f, {i, j}) = select(j == y, -g({}) * k.w(y) / norm(), f32(0));
  b.set(result, f, k.scores.shape);
  return success();
}

} // namespace

LogicalResult hl::lowerLossOp(Operation *op, GroupBuilder &b, bool &handled) {
  handled = true;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<MSEOp, L1Op, BCEOp, BCEWithLogitsOp>(
          [&](Operation *o) { return lowerPairwise(o, b); })
      .Case<CrossEntropyOp>([&](CrossEntropyOp o) {
        return lowerCrossEntropy(o, o.getLogits(), o.getLabels(), o.getWeight(),
                                 o.getLabelSmoothing().convertToDouble(),
                                 Value(), b);
      })
      .Case<CrossEntropyGradOp>([&](CrossEntropyGradOp o) {
        return lowerCrossEntropy(o, o.getLogits(), o.getLabels(), o.getWeight(),
                                 o.getLabelSmoothing().convertToDouble(),
                                 o.getGrad(), b);
      })
      .Case<NLLOp>([&](NLLOp o) {
        return lowerNLL(o, o.getLogp(), o.getLabels(), o.getWeight(), Value(),
                        b);
      })
      .Case<NLLGradOp>([&](NLLGradOp o) {
        return lowerNLL(o, o.getLogp(), o.getLabels(), o.getWeight(),
                        o.getGrad(), b);
      })
      .Default([&](Operation *) {
        handled = false;
        return failure();
      });
}
