//===- MergeSlices.cpp - Slices of one tensor along one axis as a split ---===//
//
// Defines nn-merge-slices (see Passes.td). The slices of a value are grouped
// by the one axis they cut; a group of two or more disjoint ranges becomes
// one nn.split placed before the group's first slice, with a piece for each
// range and for each gap, so that the pieces tile the axis.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/IR/NNOps.h"
#include "dlc/Dialect/NN/Transforms/Passes.h"

#include "llvm/ADT/MapVector.h"

#include <algorithm>

namespace dlc::nn {
#define GEN_PASS_DEF_NNMERGESLICES
#include "dlc/Dialect/NN/Transforms/Passes.h.inc"
} // namespace dlc::nn

using namespace mlir;
using namespace dlc::nn;

namespace {

/// A slice that cuts its operand along `axis` only: [start, limit).
struct Cut {
  SliceOp op;
  int64_t start, limit;
};

/// The axis `op` cuts (with its range), or nothing when it cuts none, more
/// than one, uses a stride, or cuts a dynamic dimension.
std::optional<std::pair<int64_t, Cut>> cutOf(SliceOp op) {
  auto type = cast<RankedTensorType>(op.getX().getType());
  std::optional<std::pair<int64_t, Cut>> found;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    int64_t start = op.getStarts()[d], limit = op.getLimits()[d];
    bool dynamic = type.isDynamicDim(d);
    if (!dynamic && limit == -1)
      limit = type.getDimSize(d);
    bool whole = start == 0 && op.getStrides()[d] == 1 &&
                 (limit == -1 || (!dynamic && limit == type.getDimSize(d)));
    if (whole)
      continue;
    if (found || dynamic || op.getStrides()[d] != 1 || limit <= start)
      return std::nullopt;
    found = {d, Cut{op, start, limit}};
  }
  return found;
}

/// Replaces the cuts (sorted, disjoint) of one value along `axis` by a
/// split; returns false (changing nothing) when they overlap.
bool mergeGroup(Value x, int64_t axis, SmallVector<Cut> &cuts) {
  llvm::sort(cuts, [](const Cut &a, const Cut &b) {
    return a.start < b.start || (a.start == b.start && a.limit < b.limit);
  });
  for (size_t i = 1; i < cuts.size(); ++i)
    if (cuts[i].start < cuts[i - 1].limit)
      return false;
  auto type = cast<RankedTensorType>(x.getType());
  int64_t extent = type.getDimSize(axis);
  // The pieces: each cut, and each gap before, between and after them.
  SmallVector<Type> pieces;
  SmallVector<int> pieceOfCut;
  auto gap = [&](int64_t size) {
    SmallVector<int64_t> shape(type.getShape());
    shape[axis] = size;
    pieces.push_back(RankedTensorType::get(shape, type.getElementType()));
  };
  int64_t at = 0;
  for (Cut &c : cuts) {
    if (c.start > at)
      gap(c.start - at);
    pieceOfCut.push_back(pieces.size());
    pieces.push_back(c.op.getType());
    at = c.limit;
  }
  if (at < extent)
    gap(extent - at);
  // Before the first of the slices in the block (they all read x, which
  // dominates them).
  Operation *first = cuts.front().op;
  for (Cut &c : cuts)
    if (c.op->isBeforeInBlock(first))
      first = c.op;
  OpBuilder b(first);
  auto split =
      b.create<SplitOp>(first->getLoc(), pieces, x, b.getI64IntegerAttr(axis));
  for (auto [c, k] : llvm::zip(cuts, pieceOfCut)) {
    c.op.replaceAllUsesWith(split.getResult(k));
    c.op.erase();
  }
  return true;
}

} // namespace

unsigned dlc::nn::mergeSlices(func::FuncOp func) {
  // (value, axis) -> its cuts, in a deterministic (first-seen) order.
  // Only slices in the block of their operand: the cuts of one value then
  // share a block, and a split placed before the first dominates them all.
  llvm::MapVector<std::pair<Value, int64_t>, SmallVector<Cut>> groups;
  func.walk([&](SliceOp op) {
    if (auto cut = cutOf(op))
      if (op->getBlock() == op.getX().getParentBlock())
        groups[{op.getX(), cut->first}].push_back(cut->second);
  });
  unsigned merged = 0;
  for (auto &[key, cuts] : groups)
    if (cuts.size() >= 2)
      merged += mergeGroup(key.first, key.second, cuts);
  return merged;
}

namespace {

struct NNMergeSlicesPass
    : public dlc::nn::impl::NNMergeSlicesBase<NNMergeSlicesPass> {
  void runOnOperation() override {
    if (!mergeSlices(getOperation()))
      markAllAnalysesPreserved();
  }
};

} // namespace
