//===- dlc-gradcheck.cpp - Check nn-autodiff against finite differences ---===//
//
// Reads an .mlir file with a function returning a 0-d loss, builds its
// gradient with the same code nn-autodiff uses, fills the arguments with
// seeded random values, evaluates the gradient with the reference evaluator,
// and compares it with central finite differences of the loss, all in double
// precision. Prints one line per differentiated argument and PASS or FAIL;
// exits non-zero on failure. The differentiated arguments are those marked
// `nn.param` (plus the other float arguments with --wrt-inputs).
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/Eval/Evaluator.h"
#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "dlc/Dialect/NN/Transforms/Autodiff.h"
#include "dlc/Tools/ToolSupport.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <random>

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::tools;
namespace cl = llvm::cl;

static InputOptions inputOptions;
static FunctionOptions functionOptions(
    "Function to check (default: the first one; with several, the first "
    "named)");
static ArgumentOptions argumentOptions;
static ValueOptions valueOptions({0.1, 1.0,
                                  "Only positive float values (log, sqrt, "
                                  "probabilities)"});
static cl::OptionCategory toolCategory("Options of dlc-gradcheck");
static cl::opt<double> step("step", cl::desc("Finite-difference step"),
                            cl::init(1e-6), cl::cat(toolCategory));
static cl::opt<double> tolerance("tolerance",
                                 cl::desc("Largest accepted relative error"),
                                 cl::init(1e-6), cl::cat(toolCategory));
static cl::opt<double>
    absoluteTolerance("atol",
                      cl::desc("Also accept an argument whose error norm is "
                               "below this (gradients that are exactly zero, "
                               "where finite differences are rounding noise)"),
                      cl::init(1e-9), cl::cat(toolCategory));
static cl::opt<unsigned> maxElements(
    "max-elements",
    cl::desc("Check at most this many (seeded random) elements of each "
             "argument; 0 checks all. For whole models."),
    cl::init(0), cl::cat(toolCategory));
static cl::opt<bool> wrtInputs("wrt-inputs",
                               cl::desc("Also check the float arguments "
                                        "without nn.param"),
                               cl::init(false), cl::cat(toolCategory));

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  parseCommandLine(argc, argv, "nn gradient checker\n", &toolCategory);

  InputModule input;
  if (failed(input.parse(inputOptions.file, "dlc-gradcheck")))
    return 1;

  std::vector<std::string> names = functionOptions.get();
  std::vector<func::FuncOp> funcs = definedFunctions(input.get(), names);
  if (funcs.empty()) {
    llvm::errs() << "dlc-gradcheck: no function to check\n";
    return 1;
  }
  func::FuncOp func = funcs.front();
  if (!returnsScalarLoss(func)) {
    func.emitError("dlc-gradcheck: the function must return a 0-d loss first");
    return 1;
  }

  GradientOptions options;
  options.wrtInputs = wrtInputs;
  FailureOr<func::FuncOp> grad = buildGradientFunction(func, options);
  if (failed(grad))
    return 1;

  // The differentiated arguments, in the order of the gradient results.
  std::vector<unsigned> wrt;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    auto type = dyn_cast<RankedTensorType>(func.getArgumentTypes()[i]);
    if (!type || !isa<FloatType>(type.getElementType()))
      continue;
    bool isParam =
        static_cast<bool>(func.getArgAttr(i, NNDialect::kParamAttrName));
    bool isBuffer = static_cast<bool>(func.getArgAttr(i, "nn.buffer"));
    if (isParam || (wrtInputs && !isBuffer))
      wrt.push_back(i);
  }

  // Seeded random arguments.
  std::mt19937_64 rng(argumentOptions.seed);
  RandomValueOptions values = valueOptions.get();
  std::vector<Tensor> args;
  for (Type t : func.getArgumentTypes()) {
    Tensor value = zeroTensorOf(t, argumentOptions.dynamicSize);
    fillRandom(value, cast<RankedTensorType>(t), rng, values,
               valueOptions.numClasses);
    args.push_back(std::move(value));
  }

  Evaluator evaluator(input.get());
  FailureOr<std::vector<Tensor>> gradResults = evaluator.call(*grad, args);
  if (failed(gradResults))
    return 1;
  auto lossAt = [&](const std::vector<Tensor> &a) -> FailureOr<double> {
    FailureOr<std::vector<Tensor>> r = evaluator.call(func, a);
    if (failed(r))
      return failure();
    return r->front().data[0];
  };
  FailureOr<double> loss = lossAt(args);
  if (failed(loss))
    return 1;
  llvm::outs() << "function @" << func.getName()
               << ": loss = " << llvm::format("%.10g", *loss) << "\n";
  if (std::abs(gradResults->front().data[0] - *loss) >
      1e-12 * std::max(1.0, std::abs(*loss))) {
    llvm::outs() << "FAIL: @" << grad->getName()
                 << " computes a different loss\n";
    return 1;
  }

  bool ok = true;
  for (auto [k, i] : llvm::enumerate(wrt)) {
    const Tensor &analytic = (*gradResults)[func.getNumResults() + k];
    // The elements to check: all, or a seeded random sample.
    std::vector<size_t> elements(args[i].data.size());
    for (size_t j = 0; j < elements.size(); ++j)
      elements[j] = j;
    if (maxElements && elements.size() > maxElements) {
      std::shuffle(elements.begin(), elements.end(), rng);
      elements.resize(maxElements);
    }
    std::vector<double> numeric, checked;
    for (size_t j : elements) {
      double saved = args[i].data[j];
      args[i].data[j] = saved + step;
      FailureOr<double> up = lossAt(args);
      args[i].data[j] = saved - step;
      FailureOr<double> down = lossAt(args);
      args[i].data[j] = saved;
      if (failed(up) || failed(down))
        return 1;
      numeric.push_back((*up - *down) / (2 * step));
      checked.push_back(analytic.data[j]);
    }
    auto [absErr, err] = errorNorms(checked, numeric);
    bool argOk = err < tolerance || absErr < absoluteTolerance;
    ok &= argOk;
    std::string name = "arg" + std::to_string(i);
    if (auto param =
            func.getArgAttrOfType<StringAttr>(i, NNDialect::kParamAttrName))
      name += " (" + param.getValue().str() + ")";
    llvm::outs() << name << " [" << args[i].shapeString() << "]";
    if (elements.size() != args[i].data.size())
      llvm::outs() << " (" << elements.size() << " elements)";
    llvm::outs() << ": relative error " << llvm::format("%.3e", err)
                 << ", absolute " << llvm::format("%.3e", absErr) << " "
                 << (argOk ? "OK" : "FAIL") << "\n";
  }
  if (wrt.empty())
    llvm::outs() << "warning: no argument to differentiate (mark parameters "
                    "with nn.param or pass --wrt-inputs)\n";
  llvm::outs() << (ok ? "PASS" : "FAIL") << "\n";
  return ok ? 0 : 1;
}
