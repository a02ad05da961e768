//===- Grouping.cpp - Which nn ops form one Halide pipeline ---------------===//
//
// The grouping policies of nn-to-halide: one group per op, the groups of the
// fusion planner (Fusion.h, the plan nn-fuse shows), or the whole function
// as one group.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/NNToHalide/NNToHalide.h"
#include "dlc/Dialect/NN/Transforms/Fusion.h"

#include "mlir/IR/OpDefinition.h"

using namespace mlir;
using namespace dlc::nn;

std::vector<OpGroup> dlc::nn::formGroups(func::FuncOp func,
                                         GroupingPolicy policy) {
  std::vector<OpGroup> groups;
  if (func.isExternal())
    return groups;
  if (policy == GroupingPolicy::Fused) {
    duplicateSharedConstants(func);
    for (std::vector<Operation *> &ops : planFusion(func))
      groups.push_back({std::move(ops)});
    return groups;
  }
  for (Operation &op : func.getBody().front()) {
    if (op.hasTrait<OpTrait::IsTerminator>())
      continue;
    if (policy == GroupingPolicy::PerOp || groups.empty())
      groups.emplace_back();
    groups.back().ops.push_back(&op);
  }
  return groups;
}
