//===- Pass.cpp - The nn-to-halide pass -----------------------------------===//
//
// nn-to-halide as a pass of dlc-opt: lowers the selected functions with
// `lowerToHalide` and prints their pipelines with `printHalide`, the same
// calls the back end makes for `dlc --emit=halide`.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/NNToHalide/NNToHalide.h"
#include "dlc/Conversion/NNToHalide/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

namespace dlc::nn {
#define GEN_PASS_DEF_NNTOHALIDE
#include "dlc/Conversion/NNToHalide/Passes.h.inc"
} // namespace dlc::nn

using namespace mlir;

namespace {

struct NNToHalidePass : public dlc::nn::impl::NNToHalideBase<NNToHalidePass> {
  using NNToHalideBase::NNToHalideBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    dlc::nn::GroupingPolicy policy;
    if (grouping == "per-op") {
      policy = dlc::nn::GroupingPolicy::PerOp;
    } else if (grouping == "fused") {
      policy = dlc::nn::GroupingPolicy::Fused;
    } else if (grouping == "whole-function") {
      policy = dlc::nn::GroupingPolicy::WholeFunction;
    } else {
      module.emitError() << "nn-to-halide: unknown grouping '" << grouping
                         << "' (expected per-op, fused or whole-function)";
      return signalPassFailure();
    }
    std::vector<dlc::nn::HalideGroup> all;
    bool failed = false;
    for (auto name : funcs)
      if (!module.lookupSymbol<func::FuncOp>(name)) {
        module.emitError() << "nn-to-halide: no function '" << name << "'";
        failed = true;
      }
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() ||
          (!funcs.empty() && !llvm::is_contained(funcs, func.getName())))
        continue;
      auto groups = dlc::nn::lowerToHalide(func, policy);
      if (mlir::failed(groups)) {
        failed = true;
        continue;
      }
      all.insert(all.end(), groups->begin(), groups->end());
    }
    if (failed)
      return signalPassFailure();
    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> out = openOutputFile(output, &error);
    if (!out) {
      module.emitError() << "nn-to-halide: " << error;
      return signalPassFailure();
    }
    dlc::nn::printHalide(all, out->os());
    out->keep();
    markAllAnalysesPreserved();
  }
};

} // namespace
