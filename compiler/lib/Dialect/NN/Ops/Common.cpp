//===- Common.cpp - Helpers shared by the op family files -----------------===//
//
// EvalFrame, and the two free functions of NNInterfaces.h.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

using namespace mlir;
using namespace dlc::nn;

const Tensor &EvalFrame::get(Value v) const {
  for (unsigned i = 0; i < op->getNumOperands(); ++i)
    if (op->getOperand(i) == v)
      return *operands[i];
  llvm_unreachable("evaluator: value is not an operand of the op");
}

LogicalResult EvalFrame::set(Value v, Tensor t) {
  assert(v == op->getResult(results.size()) && "results out of order");
  (void)v;
  results.push_back(std::move(t));
  return success();
}

LogicalResult EvalFrame::scalar(double v) {
  return set(op->getResult(0), Tensor({}, v));
}

Shape EvalFrame::resultShape(Value result) const {
  auto type = cast<RankedTensorType>(result.getType());
  return Shape(type.getShape().begin(), type.getShape().end());
}

LogicalResult EvalFrame::mismatch() const {
  std::string shapes;
  for (const Tensor *t : operands)
    shapes += (shapes.empty() ? "" : ", ") + t->shapeString();
  return op->emitError() << "evaluator: operand shapes do not fit (" << shapes
                         << ")";
}

FailureOr<int64_t> EvalFrame::label(double v, int64_t classes) const {
  int64_t l = static_cast<int64_t>(v);
  if (l < 0 || l >= classes || static_cast<double>(l) != v)
    return op->emitError() << "evaluator: label " << v
                           << " is out of range [0, " << classes << ")";
  return l;
}

LogicalResult EvalFrame::classTargets(const Tensor &scores, Value labels,
                                      Value weight, StringRef scoresName,
                                      std::vector<int64_t> &ys,
                                      Tensor &w) const {
  const Tensor &l = get(labels);
  // Rows: every position of the leading dimensions ([N] or [N, T, ...]).
  int64_t c = scores.shape.back(), n = scores.size() / c;
  if (l.size() != n)
    return op->emitError() << "evaluator: labels do not match the "
                           << scoresName;
  w = weight ? get(weight) : Tensor({c}, 1.0);
  ys.clear();
  for (int64_t i = 0; i < n; ++i) {
    FailureOr<int64_t> y = label(l.data[i], c);
    if (failed(y))
      return failure();
    ys.push_back(*y);
  }
  return success();
}

const char *dlc::nn::stringifyOpClass(OpClass c) {
  switch (c) {
  case OpClass::Elementwise:
    return "elementwise";
  case OpClass::Broadcast:
    return "broadcast";
  case OpClass::Injective:
    return "injective";
  case OpClass::Reduction:
    return "reduction";
  case OpClass::Contraction:
    return "contraction";
  case OpClass::Window:
    return "window";
  case OpClass::Opaque:
    return "opaque";
  }
  llvm_unreachable("unknown op class");
}

int64_t dlc::nn::staticElementCount(Type type) {
  int64_t n = 1;
  if (auto ranked = dyn_cast<RankedTensorType>(type))
    for (int64_t d : ranked.getShape())
      if (!ShapedType::isDynamic(d))
        n *= d;
  return n;
}
