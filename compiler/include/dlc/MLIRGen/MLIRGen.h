//===- MLIRGen.h - From the typed program to the nn dialect -----*- C++ -*-===//
//
// Lowers the typed program of Sema to an MLIR module in the nn dialect. For
// every model `M` it emits `func.func @M`, the forward computation in
// training form (dropout active, batch norm with batch statistics), and
// `@M_eval`, the inference form; for a model with a train block also
// `@M_loss`, the forward computation followed by the block's loss, whose
// first result is the scalar loss that nn-autodiff differentiates, and
// `@M_eval_loss`, the same in inference form (its gradient is the trainer's
// `grad_step`, which `./train gradcheck` compares with finite differences).
// Layers are inlined; every op carries the source location of the expression it
// comes from.
//
// Function arguments, in this order:
//   - the model inputs (and for `@M_loss` the labels, `nn.labels`);
//   - every parameter and buffer of the model in the order of Sema, with
//     `nn.param = "fc1.w"` (trainable) or `nn.buffer = "bn.running_mean"`;
//   - one 0-d i64 seed per dropout (training) and random site, with
//     `nn.seed = "seed_0"`, ...
// Results: the output (or the loss, then the output), then the new value of
// every batch-norm running statistic, with `nn.buffer_update = "<name>"`.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_MLIRGEN_MLIRGEN_H
#define DLC_MLIRGEN_MLIRGEN_H

#include "dlc/Sema/Program.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace dlc {

/// Which form of the forward computation to emit.
enum class ForwardMode {
  Train, ///< dropout active, batch norm with batch statistics
  Eval,  ///< dropout off, batch norm with running statistics
};

/// Generates the module. Reports unsupported constructs to `diags` and
/// returns null on any error.
mlir::OwningOpRef<mlir::ModuleOp> generateMLIR(mlir::MLIRContext &context,
                                               const sema::Program &program,
                                               DiagnosticEngine &diags);

} // namespace dlc

#endif // DLC_MLIRGEN_MLIRGEN_H
