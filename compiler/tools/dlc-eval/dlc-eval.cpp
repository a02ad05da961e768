//===- dlc-eval.cpp - Run nn functions with the reference evaluator -------===//
//
// Evaluates every argument-free function of an .mlir file (or the one named
// by --func) with the double-precision reference evaluator and prints its
// results, one line per result: the shape and the values. Used by the lit
// tests that pin the forward semantics of each op to hand-computed values.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/Eval/Evaluator.h"
#include "dlc/Tools/ToolSupport.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static dlc::tools::InputOptions inputOptions;
static dlc::tools::FunctionOptions functionOptions(
    "Function to run (repeatable; default: every function without "
    "arguments)");

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  dlc::tools::parseCommandLine(argc, argv, "nn reference evaluator\n");

  dlc::tools::InputModule input;
  if (failed(input.parse(inputOptions.file, "dlc-eval")))
    return 1;

  std::vector<std::string> names = functionOptions.get();
  dlc::nn::Evaluator evaluator(input.get());
  bool ranAny = false;
  for (func::FuncOp func : dlc::tools::definedFunctions(input.get(), names)) {
    if (names.empty() && func.getNumArguments() != 0)
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
