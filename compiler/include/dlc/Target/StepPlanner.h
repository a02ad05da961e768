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
/// optimizer slots). Returns
/// the workspace the plan needs: `workspaceFixed + batch *
/// workspacePerSample` bytes.
bool planStep(mlir::func::FuncOp func,
              llvm::ArrayRef<dlc::nn::HalideGroup> groups,
              const ModelDesc &desc, DiagnosticEngine &diags, StepPlan &plan,
              uint64_t &workspaceFixed, uint64_t &workspacePerSample);

} // namespace dlc::target

#endif // DLC_TARGET_STEPPLANNER_H
