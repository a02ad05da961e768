//===- StepPlanner.h - From lowered groups to a driver plan -----*- C++ -*-===//
//
// Maps the tensors of a train or eval step function (after nn-to-halide) to
// the runtime's buffers and the workspace, giving the driver's StepPlan.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TARGET_STEPPLANNER_H
#define DLC_TARGET_STEPPLANNER_H

#include "dlc/Conversion/NNToHalide/NNToHalide.h"
#include "dlc/Target/Driver.h"

namespace dlc::target {

/// Plans `func` (an `@M_train_step` or `@M_eval_step`) whose ops were cut
/// into `groups`, for the runtime descriptor `desc` (its parameter order and
/// optimizer slots). Returns in `workspace` the bytes the plan needs,
/// `fixed + batch * perSample`.
struct WorkspaceSize {
  uint64_t fixed = 0, perSample = 0;
};
bool planStep(mlir::func::FuncOp func,
              llvm::ArrayRef<dlc::nn::HalideGroup> groups,
              const ModelDesc &desc, DiagnosticEngine &diags, StepPlan &plan,
              WorkspaceSize &workspace);

} // namespace dlc::target

#endif // DLC_TARGET_STEPPLANNER_H
