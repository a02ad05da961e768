//===- Backend.h - From the train step to a trainer executable --*- C++ -*-===//
//
// The stages after `--emit=mlir-train`: nn-to-halide cuts the train and eval
// steps into kernels, the planner places their tensors, the driver is
// generated through the LLVM dialect, and everything is compiled and linked
// with libdlrt into one executable.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TARGET_BACKEND_H
#define DLC_TARGET_BACKEND_H

#include "dlc/Conversion/NNToHalide/NNToHalide.h"
#include "dlc/Basic/Diagnostics.h"

#include "mlir/IR/BuiltinOps.h"

namespace dlc::target {

enum class BackendStage { Halide, Stmt, LLVM, Obj, Exe };

struct BackendOptions {
  BackendStage stage = BackendStage::Exe;
  /// Output path ("-" for stdout in the text stages).
  std::string output;
  dlc::nn::GroupingPolicy grouping = dlc::nn::GroupingPolicy::Fused;
  /// Halide target string for the kernels.
  std::string halideTarget = "host";
  /// Processes compiling kernels; 0 means one per core.
  unsigned jobs = 0;
  /// Keep Halide's run-time assertions in the kernels (--kernel-checks).
  bool kernelChecks = false;
  /// Data-parallel training over MPI (dlc --mpi): the steps
  /// train_grad_step and update_step (nn-build-train-step's split-update),
  /// a `main` that calls dlrt_mpi_main, and libdlrt_mpi.a with the MPI
  /// libraries linked.
  bool mpi = false;
};

/// Runs the back end on a module that went through nn-build-train-step. It
/// reads only the module: the trained model is the one whose `@M_loss`
/// carries `nn.train`. Returns false after reporting an error.
bool runBackend(mlir::ModuleOp module, DiagnosticEngine &diags,
                const BackendOptions &options);

/// The runtime library trainers are linked with: ../lib/dlc/libdlrt.a beside
/// an installed dlc (cmake/Install.cmake), else the build tree's. Empty if
/// neither exists; `looked` then names both.
std::string runtimeLibrary(std::string &looked);

/// libdlrt_mpi.a, the MPI side of the runtime, beside runtimeLibrary's
/// libdlrt.a; empty (and `why` says why) when it is not there or this dlc
/// was built without MPI.
std::string mpiRuntimeLibrary(std::string &why);

} // namespace dlc::target

#endif // DLC_TARGET_BACKEND_H
