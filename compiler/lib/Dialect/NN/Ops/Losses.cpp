//===- Losses.cpp - Rules of the loss ops ---------------------------------===//
//
// The Losses ops: the losses (mse, l1, bce, bce_with_logits, cross_entropy,
// nll) and the gradients of the classification losses. For each op, one after
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
           Halide::log(f32(1) + safeExp(-Halide::abs(p)));
  Func f = b.newResultFunc(op, op->getResult(0), FuncKind::Reduction);
  f() = f32(0);
  f() += term;
  f() = f() / cast<float>(product(a.shape));
  b.set(op->getResult(0), f, {});
  return success();
}

/// The pieces shared by cross_entropy and nll on [N, C] scores (nll), or
/// scores [N, ..., C] with labels [N, ...] (cross_entropy over sequences:
/// every position is one row of the mean).
struct Classes {
  HTensor scores, labels;
  bool hasWeight = false;
  HTensor weight;
  /// Row-major extents of the leading (row) dimensions: [N] or [N, T, ...].
  std::vector<Expr> rows;
  Expr c;

  /// The label of row `row` (a row-major index of the leading dimensions),
  /// clamped into [0, C).
  Expr label(const Index &row) const {
    return Halide::clamp(cast<int>(labels(row)), 0, c - 1);
  }
  /// The weight of class k (1 without weights).
  Expr w(const Expr &k) const { return hasWeight ? weight({k}) : f32(1); }
  /// The score of class `col` of row `row`.
  Expr score(const Index &row, const Expr &col) const {
    Index idx = row;
    idx.push_back(col);
    return scores(idx);
  }
};

Classes classesOf(GroupBuilder &b, Value scores, Value labels, Value weight) {
  Classes k;
  k.scores = b.get(scores);
  k.labels = b.get(labels);
  if (weight) {
    k.hasWeight = true;
    k.weight = b.get(weight);
  }
  k.rows.assign(k.scores.shape.begin(), k.scores.shape.end() - 1);
  k.c = k.scores.shape.back();
  return k;
}

/// The first `n` entries of a row-major reduction domain, as an index.
Index firstOf(const RowMajorRDom &r, size_t n) {
  Index idx;
  for (size_t d = 0; d < n; ++d)
    idx.push_back(r[d]);
  return idx;
}

/// sum over rows of w_{y_row}: the normaliser of the weighted mean.
Func labelWeightSum(Operation *op, GroupBuilder &b, const Classes &k) {
  Func norm = b.newFunc(op, "weight_sum", FuncKind::Reduction);
  if (!k.hasWeight) {
    // Unweighted: the row count. (An update whose value does not mention
    // its RDom would run once, not once per row.)
    norm() = cast<float>(product(k.rows));
    return norm;
  }
  RowMajorRDom n(k.rows, "rn");
  norm() = f32(0);
  norm() += k.w(k.label(firstOf(n, k.rows.size())));
  return norm;
}

LogicalResult lowerCrossEntropy(Operation *op, Value logits, Value labels,
                                Value weight, double smoothing, Value grad,
                                GroupBuilder &b) {
  Classes k = classesOf(b, logits, labels, weight);
  const size_t lead = k.rows.size();
  Index row = pureVars(lead);
  Halide::RDom rc(0, k.c, "rc");
  // Per-row max and sum of exponentials (log-sum-exp).
  Func mx = b.newFunc(op, "row_max", FuncKind::Reduction);
  at(mx, row) = f32(-std::numeric_limits<float>::infinity());
  at(mx, row) = Halide::max(at(mx, row), k.score(row, rc));
  Func se = b.newFunc(op, "row_expsum", FuncKind::Reduction);
  at(se, row) = f32(0);
  at(se, row) += safeExp(k.score(row, rc) - at(mx, row));
  // The smoothed one-hot target q[row, j].
  auto q = [&](const Index &r, const Expr &col) {
    return select(col == k.label(r), f32(1 - smoothing), f32(0)) +
           f32(smoothing) / cast<float>(k.c);
  };
  Func norm = labelWeightSum(op, b, k);
  Value result = op->getResult(0);
  if (!grad) {
    // The class is the innermost loop, then the rows.
    std::vector<Expr> extents = k.rows;
    extents.push_back(k.c);
    RowMajorRDom r(extents, "r");
    Index rr = firstOf(r, lead);
    Expr cls = r[lead];
    Expr lp = k.score(rr, cls) - at(mx, rr) - Halide::log(at(se, rr));
    Func f = b.newResultFunc(op, result, FuncKind::Reduction);
    f() = f32(0);
    f() -= k.w(cls) * q(rr, cls) * lp;
    f() = f() / norm();
    b.set(result, f, {});
    return success();
  }
  // d/dz = g * (p * sum_k w_k q_k - w_j q_j) / norm.
  Func wq = b.newFunc(op, "row_target_mass", FuncKind::Reduction);
  at(wq, row) = f32(0);
  at(wq, row) += k.w(rc) * q(row, rc);
  HTensor g = b.get(grad);
  Halide::Var j("i" + std::to_string(lead));
  Expr p = safeExp(k.score(row, j) - at(mx, row)) / at(se, row);
  Index all = row;
  all.push_back(j);
  Func f = b.newResultFunc(op, result, FuncKind::Elementwise);
  at(f, all) = (p * at(wq, row) - k.w(j) * q(row, j)) * (g({}) / norm());
  b.set(result, f, k.scores.shape);
  return success();
}

LogicalResult lowerNLL(Operation *op, Value logp, Value labels, Value weight,
                       Value grad, GroupBuilder &b) {
  Classes k = classesOf(b, logp, labels, weight);
  Func norm = labelWeightSum(op, b, k);
  Value result = op->getResult(0);
  if (!grad) {
    Halide::RDom n(0, k.rows[0], "rn");
    Expr y = k.label({n});
    Func f = b.newResultFunc(op, result, FuncKind::Reduction);
    f() = f32(0);
    f() -= k.w(y) * k.scores({n, y});
    f() = f() / norm();
    b.set(result, f, {});
    return success();
  }
  HTensor g = b.get(grad);
  Halide::Var i("i0"), j("i1");
  Expr y = k.label({i});
  Func f = b.newResultFunc(op, result, FuncKind::Elementwise);
  at(f, {i, j}) = select(j == y, -g({}) * k.w(y) / norm(), f32(0));
  b.set(result, f, k.scores.shape);
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// MSE
//===----------------------------------------------------------------------===//

VJPResult MSEOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // d/dp mean((p - t)^2) = 2 (p - t) / n.
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  Value gn = v.div(g, v.count(getInput()));
  Value gi = v.mul(v.scale(v.sub(getInput(), getTarget()), 2.0), gn);
  return SmallVector<Value>{gi, v.neg(gi)};
}

template <typename OpT>
static LogicalResult evaluatePairwiseLoss(OpT o, EvalFrame &f) {
  Operation *op = o.getOperation();
  const Tensor &a = f.get(o.getInput()), &t = f.get(o.getTarget());
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
  return f.scalar(s / a.size());
}

LogicalResult MSEOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluatePairwiseLoss(*this, f);
}

template <typename OpT>
static LogicalResult lowerPairwiseLoss(OpT o, GroupBuilder &b) {
  return lowerPairwise(o, b);
}

LogicalResult MSEOp::lowerToHalide(GroupBuilder &b) {
  return lowerPairwiseLoss(*this, b);
}

//===----------------------------------------------------------------------===//
// L1
//===----------------------------------------------------------------------===//

VJPResult L1Op::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // d/dp mean(|p - t|) = sign(p - t) / n.
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts);
  Value gn = v.div(g, v.count(getInput()));
  Value gi = v.mul(v.sign(v.sub(getInput(), getTarget())), gn);
  return SmallVector<Value>{gi, v.neg(gi)};
}

LogicalResult L1Op::evaluate(ArrayRef<const Tensor *> operands,
                             std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluatePairwiseLoss(*this, f);
}

LogicalResult L1Op::lowerToHalide(GroupBuilder &b) {
  return lowerPairwiseLoss(*this, b);
}

//===----------------------------------------------------------------------===//
// BCE
//===----------------------------------------------------------------------===//

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

LogicalResult BCEOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluatePairwiseLoss(*this, f);
}

LogicalResult BCEOp::lowerToHalide(GroupBuilder &b) {
  return lowerPairwiseLoss(*this, b);
}

//===----------------------------------------------------------------------===//
// BCEWithLogits
//===----------------------------------------------------------------------===//

VJPResult BCEWithLogitsOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  // dz = (sigmoid(z) - t) / n, dt = -z / n.
  VJPBuilder v(builder, getLoc());
  Value g = singleCotangent(cts), z = getInput(), t = getTarget();
  Value gn = v.div(g, v.count(z));
  return SmallVector<Value>{v.mul(v.sub(v.sigmoid(z), t), gn),
                            v.mul(v.neg(z), gn)};
}

LogicalResult BCEWithLogitsOp::evaluate(ArrayRef<const Tensor *> operands,
                                        std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  return evaluatePairwiseLoss(*this, f);
}

LogicalResult BCEWithLogitsOp::lowerToHalide(GroupBuilder &b) {
  return lowerPairwiseLoss(*this, b);
}

//===----------------------------------------------------------------------===//
// CrossEntropy
//===----------------------------------------------------------------------===//

VJPResult CrossEntropyOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  SmallVector<Value> result;
  result.push_back(builder.create<CrossEntropyGradOp>(
      getLoc(), getLogits().getType(), singleCotangent(cts), getLogits(),
      getLabels(), getWeight(), getLabelSmoothingAttr()));
  result.resize(getOperation()->getNumOperands());
  return result;
}

template <typename OpT>
static LogicalResult evaluateCrossEntropyOrGrad(OpT o, EvalFrame &f) {
  Operation *op = o.getOperation();
  bool isGrad = isa<CrossEntropyGradOp>(op);
  const Tensor &z = f.get(o.getLogits());
  // Rows: every position of the leading dimensions ([N] or [N, T, ...]).
  int64_t c = z.shape.back(), n = z.size() / c;
  std::vector<int64_t> ys;
  Tensor w;
  if (failed(f.classTargets(z, o.getLabels(), o.getWeight(), "logits", ys, w)))
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
    return f.scalar(total / norm);
  double g = f.get(op->getOperand(0)).data[0];
  for (double &v : dz.data)
    v *= g / norm;
  return f.set(op->getResult(0), std::move(dz));
}

LogicalResult CrossEntropyOp::evaluate(ArrayRef<const Tensor *> operands,
                                       std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  if (operands.size() == 3 &&
      operands[2]->shape != Shape{operands[0]->shape.back()})
    return f.mismatch();
  return evaluateCrossEntropyOrGrad(*this, f);
}

LogicalResult CrossEntropyOp::lowerToHalide(GroupBuilder &b) {
  CrossEntropyOp o = *this;
  return lowerCrossEntropy(o, o.getLogits(), o.getLabels(), o.getWeight(),
                           o.getLabelSmoothing().convertToDouble(), Value(), b);
}

//===----------------------------------------------------------------------===//
// CrossEntropyGrad
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                           std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  if (operands.size() == 4 &&
      operands[3]->shape != Shape{operands[1]->shape.back()})
    return f.mismatch();
  return evaluateCrossEntropyOrGrad(*this, f);
}

LogicalResult CrossEntropyGradOp::lowerToHalide(GroupBuilder &b) {
  CrossEntropyGradOp o = *this;
  return lowerCrossEntropy(o, o.getLogits(), o.getLabels(), o.getWeight(),
                           o.getLabelSmoothing().convertToDouble(), o.getGrad(),
                           b);
}

//===----------------------------------------------------------------------===//
// NLL
//===----------------------------------------------------------------------===//

VJPResult NLLOp::computeVJP(OpBuilder &builder, ArrayRef<Value> cts) {
  SmallVector<Value> result;
  result.push_back(builder.create<NLLGradOp>(getLoc(), getLogp().getType(),
                                             singleCotangent(cts), getLogp(),
                                             getLabels(), getWeight()));
  result.resize(getOperation()->getNumOperands());
  return result;
}

template <typename OpT>
static LogicalResult evaluateNLLOrGrad(OpT o, EvalFrame &f) {
  Operation *op = o.getOperation();
  bool isGrad = isa<NLLGradOp>(op);
  const Tensor &lp = f.get(o.getLogp());
  int64_t n = lp.shape[0], c = lp.shape[1];
  std::vector<int64_t> ys;
  Tensor w;
  if (failed(f.classTargets(lp, o.getLabels(), o.getWeight(), "scores", ys, w)))
    return failure();
  double total = 0, norm = 0;
  for (int64_t i = 0; i < n; ++i) {
    total -= w.data[ys[i]] * lp.data[i * c + ys[i]];
    norm += w.data[ys[i]];
  }
  if (!isGrad)
    return f.scalar(total / norm);
  double g = f.get(op->getOperand(0)).data[0];
  Tensor d(lp.shape);
  for (int64_t i = 0; i < n; ++i)
    d.data[i * c + ys[i]] = -g * w.data[ys[i]] / norm;
  return f.set(op->getResult(0), std::move(d));
}

LogicalResult NLLOp::evaluate(ArrayRef<const Tensor *> operands,
                              std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  if (operands.size() == 3 &&
      operands[2]->shape != Shape{operands[0]->shape[1]})
    return f.mismatch();
  return evaluateNLLOrGrad(*this, f);
}

LogicalResult NLLOp::lowerToHalide(GroupBuilder &b) {
  NLLOp o = *this;
  return lowerNLL(o, o.getLogp(), o.getLabels(), o.getWeight(), Value(), b);
}

//===----------------------------------------------------------------------===//
// NLLGrad
//===----------------------------------------------------------------------===//

LogicalResult NLLGradOp::evaluate(ArrayRef<const Tensor *> operands,
                                  std::vector<Tensor> &results) {
  EvalFrame f(getOperation(), operands, results);
  if (operands.size() == 4 &&
      operands[3]->shape != Shape{operands[1]->shape[1]})
    return f.mismatch();
  return evaluateNLLOrGrad(*this, f);
}

LogicalResult NLLGradOp::lowerToHalide(GroupBuilder &b) {
  NLLGradOp o = *this;
  return lowerNLL(o, o.getLogp(), o.getLabels(), o.getWeight(), o.getGrad(), b);
}
