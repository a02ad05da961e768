//===- ToolSupport.cpp - Shared pieces of the checking tools --------------===//
//
// Input parsing, function selection, random arguments and error norms for
// the tools that run nn functions with the reference evaluator.
//
//===----------------------------------------------------------------------===//

#include "dlc/Tools/ToolSupport.h"
#include "dlc/InitAllDialects.h"

#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace dlc;
using namespace dlc::tools;

/// Every dialect dlc produces or consumes.
static DialectRegistry allDialects() {
  DialectRegistry registry;
  registerAllDialects(registry);
  return registry;
}

InputModule::InputModule()
    : context(allDialects()), diagHandler(sourceMgr, &context) {}

LogicalResult InputModule::parse(StringRef filename, StringRef toolName) {
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(filename, &error);
  if (!file) {
    llvm::errs() << toolName << ": " << error << "\n";
    return failure();
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  return success(static_cast<bool>(module));
}

std::vector<func::FuncOp>
tools::definedFunctions(ModuleOp module, llvm::ArrayRef<std::string> names) {
  std::vector<func::FuncOp> funcs;
  for (auto f : module.getOps<func::FuncOp>())
    if (!f.isExternal() &&
        (names.empty() || llvm::is_contained(names, f.getName())))
      funcs.push_back(f);
  return funcs;
}

bool tools::returnsScalarLoss(func::FuncOp func) {
  auto type = func.getNumResults()
                  ? dyn_cast<RankedTensorType>(func.getResultTypes()[0])
                  : RankedTensorType();
  return type && type.getRank() == 0;
}

nn::Tensor tools::zeroTensorOf(Type type, int64_t dynamicSize) {
  std::vector<int64_t> shape;
  for (int64_t d : cast<RankedTensorType>(type).getShape())
    shape.push_back(ShapedType::isDynamic(d) ? dynamicSize : d);
  return nn::Tensor(shape);
}

void tools::fillRandom(nn::Tensor &value, RankedTensorType type,
                       std::mt19937_64 &rng, const RandomValueOptions &options,
                       int64_t numClasses, double scale) {
  std::uniform_real_distribution<double> magnitude(options.minMagnitude,
                                                   options.maxMagnitude);
  for (double &v : value.data) {
    if (isa<FloatType>(type.getElementType())) {
      v = magnitude(rng) * scale;
      if (!options.positive && (rng() & 1))
        v = -v;
      if (options.roundToFloat)
        v = static_cast<float>(v);
    } else if (type.getRank() == 0) {
      v = static_cast<double>(rng() % 100000);
    } else {
      v = static_cast<double>(rng() % numClasses);
    }
  }
}

std::pair<double, double> tools::errorNorms(llvm::ArrayRef<double> a,
                                            llvm::ArrayRef<double> b) {
  double diff = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff += (a[i] - b[i]) * (a[i] - b[i]);
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  double scale = std::sqrt(std::max(na, nb));
  diff = std::sqrt(diff);
  return {diff, scale == 0 ? diff : diff / scale};
}

//===----------------------------------------------------------------------===//
// Shared command-line options
//===----------------------------------------------------------------------===//

namespace cl = llvm::cl;

cl::OptionCategory &tools::sharedOptionCategory() {
  static cl::OptionCategory category("Options of every dlc check tool");
  return category;
}

void tools::parseCommandLine(int argc, char **argv, llvm::StringRef overview,
                             const cl::OptionCategory *toolCategory) {
  llvm::SmallVector<const cl::OptionCategory *, 2> shown = {
      &sharedOptionCategory()};
  if (toolCategory)
    shown.push_back(toolCategory);
  cl::HideUnrelatedOptions(shown);
  cl::ParseCommandLineOptions(argc, argv, overview);
}

InputOptions::InputOptions()
    : file(cl::Positional, cl::desc("<input .mlir file>"), cl::init("-"),
           cl::cat(sharedOptionCategory())) {}

FunctionOptions::FunctionOptions(const char *help)
    : names("func", cl::desc(help), cl::cat(sharedOptionCategory())) {}

ArgumentOptions::ArgumentOptions()
    : seed("seed", cl::desc("Seed of the argument values"), cl::init(1),
           cl::cat(sharedOptionCategory())),
      dynamicSize("dynamic-size", cl::desc("Size given to dynamic dimensions"),
                  cl::init(3), cl::cat(sharedOptionCategory())) {}

ValueOptions::ValueOptions(const Defaults &d)
    : minMagnitude("min",
                   cl::desc("Smallest magnitude of a float argument value "
                            "(keeps relu inputs off their kink)"),
                   cl::init(d.minMagnitude), cl::cat(sharedOptionCategory())),
      maxMagnitude("max",
                   cl::desc("Largest magnitude of a float argument value"),
                   cl::init(d.maxMagnitude), cl::cat(sharedOptionCategory())),
      positive("positive", cl::desc(d.positiveHelp), cl::init(false),
               cl::cat(sharedOptionCategory())),
      numClasses("num-classes", cl::desc(d.numClassesHelp), cl::init(2),
                 cl::cat(sharedOptionCategory())) {}

RandomValueOptions ValueOptions::get() const {
  RandomValueOptions options;
  options.minMagnitude = minMagnitude;
  options.maxMagnitude = maxMagnitude;
  options.positive = positive;
  return options;
}
