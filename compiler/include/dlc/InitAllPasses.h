//===- InitAllPasses.h - Every pass dlc uses --------------------*- C++ -*-===//
//
// One registration point for dlc's passes and the upstream passes its
// pipelines use, shared by dlc and dlc-opt so that each pass is runnable
// alone under its flag.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_INITALLPASSES_H
#define DLC_INITALLPASSES_H

#include "dlc/Conversion/NNToHalide/Passes.h"
#include "dlc/Dialect/NN/Transforms/Passes.h"

#include "mlir/Transforms/Passes.h"

namespace dlc {

/// Registers dlc's passes and the generic upstream ones (canonicalize, cse,
/// inline, symbol-dce, ...).
inline void registerAllPasses() {
  dlc::nn::registerNNPasses();
  dlc::nn::registerNNToHalidePasses();
  mlir::registerTransformsPasses();
}

} // namespace dlc

#endif // DLC_INITALLPASSES_H
