//===- dlc-opt.cpp - mlir-opt for the dlc dialects and passes -------------===//
//
// The project's mlir-opt: parses .mlir files containing nn (and func, arith,
// tensor) IR, runs any registered pass pipeline, and prints the result. Used
// by the lit tests of every dialect and pass. Parse and verification errors
// are reported as diagnostics with a non-zero exit code.
//
//===----------------------------------------------------------------------===//

#include "dlc/InitAllDialects.h"
#include "dlc/InitAllPasses.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  dlc::registerAllPasses();
  mlir::DialectRegistry registry;
  dlc::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "dlc optimizer driver\n", registry));
}
