//===- PrintOpInfo.cpp - Report the fusion class and FLOPs of nn ops ------===//
//
// Defines the nn-print-op-info debugging pass: one remark per nn op with its
// fusion class (FusionOpInterface) and, where it has one, its FLOP count per
// sample (CostOpInterface). It changes no IR.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/IR/NNOps.h"
#include "dlc/Dialect/NN/Transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"

namespace dlc::nn {
#define GEN_PASS_DEF_NNPRINTOPINFO
#include "dlc/Dialect/NN/Transforms/Passes.h.inc"
} // namespace dlc::nn

using namespace mlir;
using namespace dlc::nn;

namespace {

struct NNPrintOpInfoPass
    : public dlc::nn::impl::NNPrintOpInfoBase<NNPrintOpInfoPass> {
  void runOnOperation() override {
    getOperation()->walk([](Operation *op) {
      auto fusion = dyn_cast<FusionOpInterface>(op);
      if (!fusion)
        return;
      InFlightDiagnostic remark = op->emitRemark();
      remark << "op class: " << stringifyOpClass(fusion.getOpClass());
      if (auto cost = dyn_cast<CostOpInterface>(op))
        remark << ", FLOPs per sample: " << cost.getFlopsPerSample();
      else
        remark << ", no FLOP count";
    });
    markAllAnalysesPreserved();
  }
};

} // namespace
