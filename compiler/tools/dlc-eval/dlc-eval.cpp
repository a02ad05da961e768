//===- dlc-eval.cpp - Run nn functions with the reference evaluator -------===//
//
// Evaluates every argument-free function of an .mlir file (or the one named
// by --func) with the double-precision reference evaluator and prints its
// results, one line per result: the shape and the values. Used by the lit
// tests that pin the forward semantics of each op to hand-computed values.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/Eval/Evaluator.h"
#include "dlc/InitAllDialects.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<input .mlir file>"),
                                          cl::init("-"));
static cl::opt<std::string>
    funcName("func",
             cl::desc("Function to run (default: every function "
                      "without arguments)"),
             cl::init(""));

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "nn reference evaluator\n");

  DialectRegistry registry;
  dlc::registerAllDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  std::string error;
  auto file = openInputFile(inputFilename, &error);
  if (!file) {
    llvm::errs() << "dlc-eval: " << error << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  dlc::nn::Evaluator evaluator(*module);
  bool ranAny = false;
  for (auto func : module->getOps<func::FuncOp>()) {
    if (func.isExternal() || (funcName.empty() ? func.getNumArguments() != 0
                                               : func.getName() != funcName))
      continue;
    ranAny = true;
    FailureOr<std::vector<dlc::nn::Tensor>> results = evaluator.call(func, {});
    if (failed(results))
      return 1;
    llvm::outs() << "@" << func.getName() << "\n";
    for (auto [i, t] : llvm::enumerate(*results)) {
      llvm::outs() << "  result " << i << ": " << t.shapeString() << " [";
      for (auto [j, v] : llvm::enumerate(t.data))
        llvm::outs() << (j ? ", " : "") << llvm::format("%.10g", v);
      llvm::outs() << "]\n";
    }
  }
  if (!ranAny) {
    llvm::errs() << "dlc-eval: no function to run\n";
    return 1;
  }
  return 0;
}
