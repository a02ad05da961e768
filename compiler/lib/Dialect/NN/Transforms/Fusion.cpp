//===- Fusion.cpp - The fusion planner and nn-fuse ------------------------===//
//
// Which ops run as one kernel, decided from their fusion classes (TVM's
// FuseOps and IREE's dispatch regions do the same on their IRs):
//
//  - A root is an op that is expensive or reorganises data: a contraction
//    (matmul, convolution), a window (pooling), a reduction (sums, softmax,
//    losses, statistics) or an injective op (reshape, transpose, slice,
//    gather). A group holds at most one root. Opaque ops are never fused.
//  - An elementwise or broadcast op joins the groups of its operands (the
//    chain bias -> activation -> residual add after a matmul; the optimiser
//    update after a weight gradient: weight decay, momentum, the new
//    weight), as many of them as keep one root: their kernels become one,
//    whose intermediate values are computed in registers instead of
//    written and read back.
//  - A root joins the groups of its operands that have no root (an
//    elementwise producer feeding a reduction or a matmul).
//  - A constant read by several ops is copied for each (duplicateShared-
//    Constants, before planning), so that each copy joins its reader's
//    group instead of tying the readers' groups together.
//  - A group runs where its last op is. A join is refused when an op
//    outside the group that sits between the group's ops and the joining op
//    reads a value of the group: that op runs before the group would, so it
//    would read a value not computed yet. This keeps the plan acyclic.
//
// Values of a group read outside it (or returned) leave the kernel as
// buffers; the rest stay inside it (Halide inlines or stores them per the
// schedule module's rules).
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/Transforms/Fusion.h"

#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "dlc/Dialect/NN/IR/NNInterfaces.h"
#include "dlc/Dialect/NN/IR/NNOps.h"
#include "dlc/Dialect/NN/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

#include <algorithm>
#include <numeric>

using namespace mlir;
using namespace dlc::nn;

namespace dlc::nn {
#define GEN_PASS_DEF_NNFUSE
#include "dlc/Dialect/NN/Transforms/Passes.h.inc"
} // namespace dlc::nn

namespace {

enum class Role { Root, Fusible, Alone };

Role roleOf(Operation *op) {
  auto fusion = dyn_cast<FusionOpInterface>(op);
  if (!fusion)
    return Role::Alone;
  switch (fusion.getOpClass()) {
  case OpClass::Elementwise:
  case OpClass::Broadcast:
    return Role::Fusible;
  case OpClass::Injective:
  case OpClass::Reduction:
  case OpClass::Contraction:
  case OpClass::Window:
    return Role::Root;
  case OpClass::Opaque:
    return Role::Alone;
  }
  return Role::Alone;
}

/// Union-find over the ops' groups, with each group's facts at its leader.
class Planner {
public:
  explicit Planner(Block &block) {
    for (Operation &op : block) {
      if (op.hasTrait<OpTrait::IsTerminator>())
        continue;
      pos[&op] = ops.size();
      ops.push_back(&op);
    }
    leader.resize(ops.size());
    std::iota(leader.begin(), leader.end(), 0);
    last = leader;
    roots.assign(ops.size(), 0);
    fusible.assign(ops.size(), true);
  }

  std::vector<std::vector<Operation *>> run() {
    for (size_t i = 0; i < ops.size(); ++i)
      place(i);
    // Groups in the order of their last op, ops in block order.
    std::vector<std::vector<Operation *>> groups;
    llvm::DenseMap<size_t, size_t> index;
    std::vector<size_t> order;
    for (size_t i = 0; i < ops.size(); ++i)
      if (find(i) == i)
        order.push_back(i);
    llvm::sort(order, [&](size_t a, size_t b) { return last[a] < last[b]; });
    for (size_t g : order) {
      index[g] = groups.size();
      groups.emplace_back();
    }
    for (size_t i = 0; i < ops.size(); ++i)
      groups[index[find(i)]].push_back(ops[i]);
    return groups;
  }

private:
  std::vector<Operation *> ops;
  llvm::DenseMap<Operation *, size_t> pos;
  std::vector<size_t> leader, last;
  std::vector<int> roots;
  std::vector<bool> fusible;

  size_t find(size_t i) {
    while (leader[i] != i)
      i = leader[i] = leader[leader[i]];
    return i;
  }

  /// Decides the group of op `i`, all earlier ops placed.
  void place(size_t i) {
    Operation *op = ops[i];
    Role role = roleOf(op);
    if (role == Role::Alone) {
      fusible[i] = false;
      return;
    }
    roots[i] = role == Role::Root;
    // The groups of the operands, those with a root first (a chain joins
    // its contraction rather than a side branch).
    llvm::SetVector<size_t> candidates;
    for (Value v : op->getOperands())
      if (Operation *def = v.getDefiningOp())
        if (auto it = pos.find(def); it != pos.end())
          candidates.insert(find(it->second));
    std::vector<size_t> sorted(candidates.begin(), candidates.end());
    llvm::stable_sort(sorted,
                      [&](size_t a, size_t b) { return roots[a] > roots[b]; });
    for (size_t g : sorted) {
      size_t mine = find(i);
      if (!fusible[g] || g == mine)
        continue;
      if (role == Role::Root && roots[g] != 0)
        continue;
      if (roots[g] + roots[mine] > 1)
        continue;
      if (!canJoin(g, mine, i))
        continue;
      merge(g, mine);
    }
  }

  /// Whether group `a` can join group `b` (which holds op `i`, the latest
  /// op of either): no op outside both that lies between `a`'s last op and
  /// `i` reads a value of either.
  bool canJoin(size_t a, size_t b, size_t i) {
    size_t from = std::min(last[a], last[b]);
    for (size_t k = from + 1; k < i; ++k) {
      size_t gk = find(k);
      if (gk == a || gk == b)
        continue;
      for (Value v : ops[k]->getOperands()) {
        Operation *def = v.getDefiningOp();
        auto it = def ? pos.find(def) : pos.end();
        if (it == pos.end())
          continue;
        size_t gd = find(it->second);
        if (gd == a || gd == b)
          return false;
      }
    }
    return true;
  }

  void merge(size_t a, size_t b) {
    size_t ra = find(a), rb = find(b);
    leader[ra] = rb;
    last[rb] = std::max(last[ra], last[rb]);
    roots[rb] += roots[ra];
    fusible[rb] = fusible[rb] && fusible[ra];
  }
};

} // namespace

void dlc::nn::duplicateSharedConstants(func::FuncOp func) {
  if (func.isExternal())
    return;
  SmallVector<ConstantOp> constants;
  for (auto c : func.getBody().front().getOps<ConstantOp>())
    constants.push_back(c);
  for (ConstantOp c : constants) {
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : c->getUses())
      uses.push_back(&use);
    // The first use keeps the original; each other one gets a copy placed
    // just before its user.
    for (OpOperand *use : llvm::drop_begin(uses)) {
      OpBuilder b(use->getOwner());
      use->set(b.clone(*c)->getResult(0));
    }
  }
}

void dlc::nn::wrapFusionGroups(func::FuncOp func) {
  duplicateSharedConstants(func);
  std::vector<std::vector<Operation *>> groups = planFusion(func);
  for (const std::vector<Operation *> &group : groups) {
    if (group.size() < 2)
      continue;
    llvm::DenseSet<Operation *> members(group.begin(), group.end());
    SmallVector<Value> escaping;
    for (Operation *op : group)
      for (Value r : op->getResults())
        if (llvm::any_of(r.getUsers(),
                         [&](Operation *user) { return !members.count(user); }))
          escaping.push_back(r);
    // The group runs where its last op is: every op outside it that reads
    // its values comes later (the planner's rule), every value it reads
    // from outside comes earlier.
    OpBuilder b(group.back());
    b.setInsertionPointAfter(group.back());
    SmallVector<Type> types;
    for (Value v : escaping)
      types.push_back(v.getType());
    auto fused = b.create<FusionGroupOp>(group.back()->getLoc(), types);
    Block *inner = b.createBlock(&fused.getBody());
    for (Operation *op : group)
      op->moveBefore(inner, inner->end());
    b.setInsertionPointToEnd(inner);
    b.create<YieldOp>(group.back()->getLoc(), escaping);
    for (auto [v, r] : llvm::zip(escaping, fused.getResults()))
      v.replaceUsesWithIf(r, [&](OpOperand &use) {
        return use.getOwner()->getParentOp() != fused;
      });
  }
}

namespace {

struct NNFusePass : public dlc::nn::impl::NNFuseBase<NNFusePass> {
  void runOnOperation() override { wrapFusionGroups(getOperation()); }
};

} // namespace

std::vector<std::vector<Operation *>> dlc::nn::planFusion(func::FuncOp func) {
  if (func.isExternal())
    return {};
  return Planner(func.getBody().front()).run();
}
