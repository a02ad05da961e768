//===- ToolSupport.h - Shared pieces of the checking tools ------*- C++ -*-===//
//
// What dlc-eval, dlc-gradcheck, dlc-stepcheck and dlc-halide-check have in
// common: reading an .mlir file with every dlc dialect registered, picking
// the functions to run, making seeded random argument tensors and measuring
// how far two tensors are apart, and the command-line options that go with
// those (`InputOptions`, `FunctionOptions`, `ArgumentOptions`,
// `ValueOptions`): each is
// declared here once, a tool constructs the groups it takes with its own
// defaults and keeps only its own checks' options.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TOOLS_TOOLSUPPORT_H
#define DLC_TOOLS_TOOLSUPPORT_H

#include "dlc/Dialect/NN/Eval/Evaluator.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

#include <random>
#include <string>
#include <utility>
#include <vector>

namespace dlc::tools {

/// An .mlir file parsed into a context with every dlc dialect registered.
/// It owns the context and the source manager, so that the diagnostics the
/// tool emits later (evaluator, autodiff, lowering) still print with the
/// file's line and column.
class InputModule {
public:
  InputModule();

  /// Parses `filename` ("-" for stdin). An unreadable file is reported on
  /// stderr as "<toolName>: <reason>", a malformed one as diagnostics.
  mlir::LogicalResult parse(llvm::StringRef filename, llvm::StringRef toolName);

  /// The parsed module (null before a successful parse).
  mlir::ModuleOp get() const { return module.get(); }

private:
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagHandler;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

/// The functions of `module` that have a body, in module order; when
/// `names` is not empty, only those it names.
std::vector<mlir::func::FuncOp>
definedFunctions(mlir::ModuleOp module, llvm::ArrayRef<std::string> names);

/// Whether the first result of `func` is a 0-d ranked tensor: a loss that
/// nn-autodiff can differentiate.
bool returnsScalarLoss(mlir::func::FuncOp func);

/// A zero tensor of the shape of the ranked tensor type `type`, with
/// `dynamicSize` for every dynamic dimension.
nn::Tensor zeroTensorOf(mlir::Type type, int64_t dynamicSize);

/// How `fillRandom` draws float values.
struct RandomValueOptions {
  /// Range of the magnitude of a float value (before `scale`).
  double minMagnitude = 0.1;
  double maxMagnitude = 1.0;
  /// Only positive float values (otherwise each sign with probability 1/2).
  bool positive = false;
  /// Round float values to float, so that f32 kernels and the double
  /// evaluator see the same numbers.
  bool roundToFloat = false;
};

/// Fills `value`, an argument of ranked tensor type `type`, with values drawn
/// from `rng`: floats of a magnitude uniform in [min, max] times `scale`; an
/// integer scalar (a seed) in [0, 100000); other integers (labels) in
/// [0, numClasses).
void fillRandom(nn::Tensor &value, mlir::RankedTensorType type,
                std::mt19937_64 &rng, const RandomValueOptions &options,
                int64_t numClasses, double scale = 1.0);

//===----------------------------------------------------------------------===//
// Shared command-line options
//===----------------------------------------------------------------------===//

/// The category `--help` lists the shared options under.
llvm::cl::OptionCategory &sharedOptionCategory();

/// Parses the command line. `--help` lists the shared options and those of
/// `toolCategory`, not the options of the LLVM libraries linked in.
void parseCommandLine(int argc, char **argv, llvm::StringRef overview,
                      const llvm::cl::OptionCategory *toolCategory = nullptr);

/// The positional input file (default stdin).
struct InputOptions {
  InputOptions();
  llvm::cl::opt<std::string> file;
};

/// `--func` (repeatable; `help` says what the tool does with it and
/// without it).
struct FunctionOptions {
  explicit FunctionOptions(const char *help);
  llvm::cl::list<std::string> names;
  /// The names given, in order (none: the tool's default).
  std::vector<std::string> get() const {
    return std::vector<std::string>(names.begin(), names.end());
  }
};

/// `--seed` and `--dynamic-size`: the generator of the random arguments and
/// the size every dynamic dimension gets.
struct ArgumentOptions {
  ArgumentOptions();
  llvm::cl::opt<unsigned> seed;
  llvm::cl::opt<int64_t> dynamicSize;
};

/// `--min`, `--max`, `--positive` and `--num-classes`: the values
/// `fillRandom` draws. The defaults and the help of the last two are the
/// tool's.
struct ValueOptions {
  struct Defaults {
    double minMagnitude = 0.1;
    double maxMagnitude = 1.0;
    const char *positiveHelp = "Only positive float values";
    const char *numClassesHelp =
        "Integer arguments of rank >= 1 (labels) are drawn from "
        "[0, num-classes)";
  };
  explicit ValueOptions(const Defaults &defaults);
  llvm::cl::opt<double> minMagnitude;
  llvm::cl::opt<double> maxMagnitude;
  llvm::cl::opt<bool> positive;
  llvm::cl::opt<int64_t> numClasses;
  /// The options as `fillRandom` takes them.
  RandomValueOptions get() const;
};

/// The 2-norm of `a - b` and that norm relative to the larger 2-norm of the
/// two; where that is 0, the 2-norm itself (0, unless the other side holds
/// a NaN). `a` and `b` have the same size.
std::pair<double, double> errorNorms(llvm::ArrayRef<double> a,
                                     llvm::ArrayRef<double> b);

} // namespace dlc::tools

#endif // DLC_TOOLS_TOOLSUPPORT_H
