//===- Passes.h - The nn-to-halide pass -------------------------*- C++ -*-===//
//
// The generated declaration and registration of the nn-to-halide pass
// (Passes.td).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CONVERSION_NNTOHALIDE_PASSES_H
#define DLC_CONVERSION_NNTOHALIDE_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace dlc::nn {

#define GEN_PASS_DECL
#include "dlc/Conversion/NNToHalide/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dlc/Conversion/NNToHalide/Passes.h.inc"

} // namespace dlc::nn

#endif // DLC_CONVERSION_NNTOHALIDE_PASSES_H
