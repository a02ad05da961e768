//===- Support.cpp - Helpers of the Halide algorithms of the nn ops -------===//
//
// The layout helpers, the tensors of a group and GroupBuilder (Lowering.h):
// what the Halide algorithms of the op family files
// (compiler/lib/Dialect/NN/Ops/) and nn-to-halide share. Knows no nn op.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "mlir/IR/Operation.h"

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::nn::hl;

//===----------------------------------------------------------------------===//
// Layout and builder helpers
//===----------------------------------------------------------------------===//

std::vector<Expr> hl::toHalideOrder(llvm::ArrayRef<Expr> rowMajor) {
  return std::vector<Expr>(rowMajor.rbegin(), rowMajor.rend());
}

Halide::FuncRef hl::at(Func f, llvm::ArrayRef<Expr> rowMajor) {
  return f(toHalideOrder(rowMajor));
}

Index hl::pureVars(int64_t rank) {
  Index vars;
  for (int64_t d = 0; d < rank; ++d)
    vars.push_back(Halide::Var("i" + std::to_string(d)));
  return vars;
}

RowMajorRDom::RowMajorRDom(llvm::ArrayRef<Expr> extents,
                           const std::string &name)
    : rank(static_cast<int64_t>(extents.size())) {
  // RDom dimension 0 is the innermost loop: give it the last row-major one.
  Halide::Region region;
  for (auto it = extents.rbegin(); it != extents.rend(); ++it)
    region.push_back(Halide::Range(0, *it));
  rdom = Halide::RDom(region, name);
}

Expr RowMajorRDom::operator[](int64_t k) const { return rdom[rank - 1 - k]; }

Expr HTensor::operator()(llvm::ArrayRef<Expr> idx) const {
  return at(func, idx);
}

Expr hl::product(llvm::ArrayRef<Expr> extents) {
  Expr p = 1;
  for (const Expr &e : extents)
    p = p * e;
  return Halide::Internal::simplify(p);
}

Expr hl::flatIndex(llvm::ArrayRef<Expr> idx, llvm::ArrayRef<Expr> shape) {
  Expr flat = 0;
  for (size_t d = 0; d < idx.size(); ++d)
    flat = flat * shape[d] + idx[d];
  return flat;
}

Halide::Type hl::halideElementType(Type elementType) {
  if (elementType.isF32())
    return Halide::Float(32);
  if (elementType.isSignlessInteger(64))
    return Halide::Int(64);
  if (elementType.isSignlessInteger(32))
    return Halide::Int(32);
  return Halide::Handle();
}

void GroupBuilder::set(Value v, Func func, std::vector<Expr> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  HTensor t;
  t.func = std::move(func);
  t.staticShape.assign(type.getShape().begin(), type.getShape().end());
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (!type.isDynamicDim(d))
      shape[d] = Expr(static_cast<int>(type.getDimSize(d)));
  t.shape = std::move(shape);
  t.type = halideElementType(type.getElementType());
  for (FuncInfo &info : funcs)
    if (info.func.name() == t.func.name() && info.staticShape.empty())
      info.staticShape = t.staticShape;
  values[v] = std::move(t);
}

Func GroupBuilder::newFunc(Operation *op, llvm::StringRef stem, FuncKind kind) {
  Func f(stem.str() + "_" + std::to_string(counter++));
  FuncInfo info{f, kind, op ? op->getName().getStringRef().str() : ""};
  info.hint = hint;
  funcs.push_back(std::move(info));
  return f;
}

Func GroupBuilder::newResultFunc(Operation *op, Value v, FuncKind kind) {
  auto it = names.find(v);
  Func f(it != names.end() ? it->second : "t_" + std::to_string(counter++));
  FuncInfo info{f, kind, op->getName().getStringRef().str()};
  info.hint = hint;
  funcs.push_back(std::move(info));
  return f;
}

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
