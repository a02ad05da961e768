//===- dlc-halide-check.cpp - Check nn-to-halide against the evaluator ----===//
//
// Reads an .mlir file, lowers functions of nn ops to Halide pipelines with a
// chosen grouping, JIT-compiles them for the host, runs them on seeded
// random inputs and compares every group output with the reference
// evaluator (float32 kernels against the double oracle). By default each
// group is fed the oracle's values of its inputs (rounded to float) and
// judged against the evaluator run on exactly those rounded inputs, so an
// error points at one kernel's arithmetic; --chain feeds the kernels' own
// outputs forward instead and compares with the oracle's chain (end to
// end). Prints one line per checked tensor and PASS
// or FAIL per function; exits non-zero on any failure.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/NNToHalide/NNToHalide.h"
#include "dlc/Dialect/NN/Eval/Evaluator.h"
#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "dlc/Dialect/NN/IR/NNOps.h"
#include "dlc/Dialect/NN/Transforms/Autodiff.h"
#include "dlc/Dialect/NN/Transforms/Passes.h"
#include "dlc/Tools/ToolSupport.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <random>

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::tools;
namespace cl = llvm::cl;

static InputOptions inputOptions;
static FunctionOptions
    functionOptions("Function to check (repeatable; default: all)");
static ArgumentOptions argumentOptions;
static ValueOptions valueOptions(
    {0.1, 0.9,
     "Only positive float values (default: when the function has log, sqrt, "
     "fractional pow, div, bce or batch_norm_infer)",
     "Label range when it cannot be inferred from the logits"});
static cl::OptionCategory toolCategory("Options of dlc-halide-check");
static cl::opt<std::string>
    groupsOption("groups",
                 cl::desc("Grouping: op (one group per op), fused (the "
                          "groups of the fusion planner, nn-fuse) or "
                          "function (one group)"),
                 cl::init("op"), cl::cat(toolCategory));
static cl::opt<bool> withGrad("grad",
                              cl::desc("Also check the gradient function "
                                       "that nn-autodiff builds for each "
                                       "function returning a 0-d loss"),
                              cl::init(false), cl::cat(toolCategory));
static cl::opt<bool>
    mergeSlicesFirst("merge-slices",
                     cl::desc("First run nn-merge-slices on each function, "
                              "as dlc does before building gradients"),
                     cl::init(false), cl::cat(toolCategory));
static cl::opt<bool> chain("chain",
                           cl::desc("Feed each group the kernels' outputs "
                                    "instead of the oracle's values"),
                           cl::init(false), cl::cat(toolCategory));
static cl::opt<std::string>
    emit("emit",
         cl::desc("Instead of checking, print the lowered groups: 'halide' "
                  "(Func definitions) or 'stmt' (Halide's lowered statement)"),
         cl::init(""), cl::cat(toolCategory));
static cl::opt<std::string>
    aotOutput("aot",
              cl::desc("Instead of checking, compile the groups ahead of "
                       "time into this object (.o) or static library (.a)"),
              cl::init(""), cl::cat(toolCategory));
static cl::opt<std::string> target("target",
                                   cl::desc("Halide target of --emit=stmt "
                                            "and --aot"),
                                   cl::init("host"), cl::cat(toolCategory));
static cl::opt<unsigned>
    benchRuns("bench",
              cl::desc("Also time each pipeline over this many runs after "
                       "a warm-up and print milliseconds per run (a "
                       "measurement, not a test)"),
              cl::init(0), cl::cat(toolCategory));
static cl::opt<bool> fanInScaling(
    "fan-in-scaling",
    cl::desc("Scale nn.param weights by 1/sqrt(fan-in) (rows of a 2-D "
             "weight, I*KH*KW of an OIHW one) so that deep models do not "
             "saturate"),
    cl::init(true), cl::cat(toolCategory));
static cl::opt<double> relTolerance("rtol",
                                    cl::desc("Relative tolerance per element"),
                                    cl::init(1e-4), cl::cat(toolCategory));
static cl::opt<double> absTolerance(
    "atol",
    cl::desc("Absolute tolerance per element, relative to the largest "
             "magnitude of the reference tensor"),
    cl::init(1e-5), cl::cat(toolCategory));
static cl::opt<double>
    absFloor("atol-floor",
             cl::desc("Absolute tolerance per element relative to the "
                      "largest magnitude of the group's inputs: for outputs "
                      "whose exact values cancel to (nearly) zero"),
             cl::init(1e-6), cl::cat(toolCategory));

namespace {

/// Whether `func` needs positive inputs to stay in the domain of its ops.
bool needsPositiveInputs(func::FuncOp func) {
  bool result = false;
  func.walk([&](Operation *op) {
    if (isa<LogOp, SqrtOp, DivOp, BCEOp, BatchNormInferOp>(op))
      result = true;
    if (auto pow = dyn_cast<PowOp>(op)) {
      double p = pow.getExponent().convertToDouble();
      result |= p != std::floor(p);
    }
  });
  return result;
}

/// The number of classes an integer argument indexes, from the logits of a
/// loss that uses it (for one_hot, its classes + 2, and for gather, the
/// gathered axis + 2, so that out-of-range indices occur); `--num-classes`
/// otherwise.
int64_t classesOf(BlockArgument arg) {
  for (Operation *user : arg.getUsers()) {
    Value scores;
    if (auto o = dyn_cast<CrossEntropyOp>(user))
      scores = o.getLogits();
    else if (auto o = dyn_cast<CrossEntropyGradOp>(user))
      scores = o.getLogits();
    else if (auto o = dyn_cast<NLLOp>(user))
      scores = o.getLogp();
    else if (auto o = dyn_cast<NLLGradOp>(user))
      scores = o.getLogp();
    if (auto o = dyn_cast<OneHotOp>(user))
      // Two values beyond the classes: rows of zeros are checked too.
      return o.getClasses() + 2;
    if (auto o = dyn_cast<GatherOp>(user))
      // Likewise two beyond the gathered axis.
      return o.getX().getType().getDimSize(o.getAxis()) + 2;
    if (!scores)
      continue;
    auto type = cast<RankedTensorType>(scores.getType());
    if (!type.isDynamicDim(1))
      return type.getDimSize(1);
  }
  return valueOptions.numClasses;
}

/// Seeded random arguments; floats are rounded to float so that the kernels
/// and the oracle see the same values.
std::vector<Tensor> randomArguments(func::FuncOp func) {
  std::mt19937_64 rng(argumentOptions.seed);
  RandomValueOptions values = valueOptions.get();
  values.positive = values.positive || needsPositiveInputs(func);
  values.roundToFloat = true;
  std::vector<Tensor> args;
  for (BlockArgument arg : func.getArguments()) {
    auto type = cast<RankedTensorType>(arg.getType());
    Tensor value = zeroTensorOf(type, argumentOptions.dynamicSize);
    const std::vector<int64_t> &shape = value.shape;
    double scale = 1.0;
    bool isParam = static_cast<bool>(
        func.getArgAttr(arg.getArgNumber(), NNDialect::kParamAttrName));
    if (fanInScaling && isParam && type.getRank() >= 2) {
      int64_t fanIn = type.getRank() == 2 ? shape[0] : value.size() / shape[0];
      scale = 1.0 / std::sqrt(static_cast<double>(std::max<int64_t>(fanIn, 1)));
    }
    fillRandom(value, type, rng, values, classesOf(arg), scale);
    args.push_back(std::move(value));
  }
  return args;
}

/// A copy of `func` that returns every op result, in op order: the oracle's
/// value of every intermediate tensor.
func::FuncOp buildProbe(func::FuncOp func) {
  OpBuilder builder(func);
  auto probe = cast<func::FuncOp>(builder.clone(*func));
  probe.setName((func.getName() + "__probe").str());
  Block &body = probe.getBody().front();
  Operation *ret = body.getTerminator();
  SmallVector<Value> values;
  for (Operation &op : body.without_terminator())
    for (Value r : op.getResults())
      values.push_back(r);
  OpBuilder rb(ret);
  rb.create<func::ReturnOp>(ret->getLoc(), values);
  ret->erase();
  probe->removeAttr("res_attrs");
  probe.setFunctionType(FunctionType::get(func.getContext(),
                                          probe.getArgumentTypes(),
                                          ValueRange(values).getTypes()));
  return probe;
}

/// The oracle on exactly what a kernel was given: the group's ops, cloned
/// into a function of the group's inputs, evaluated in double on `inputs`
/// (the values the kernel got, floats rounded to f32). Unchained, kernels
/// are judged against this rather than against the oracle's own chain, so
/// that an ill-conditioned op (batch statistics of a nearly constant
/// channel, a max-pool window whose values tie once rounded to f32) does
/// not count the rounding of its inputs as the kernel's error.
FailureOr<std::vector<Tensor>>
groupReference(ModuleOp module, const HalideGroup &g,
               const std::vector<Tensor> &inputs) {
  SmallVector<Type> argTypes, resultTypes;
  for (const TensorInterface &in : g.interface.inputs)
    argTypes.push_back(in.value.getType());
  for (const TensorInterface &out : g.interface.outputs)
    resultTypes.push_back(out.value.getType());
  OpBuilder builder(module.getBodyRegion());
  builder.setInsertionPointToEnd(module.getBody());
  auto fn = builder.create<func::FuncOp>(
      module.getLoc(), "__group_reference",
      builder.getFunctionType(argTypes, resultTypes));
  Block *body = fn.addEntryBlock();
  IRMapping mapping;
  for (auto [in, arg] : llvm::zip(g.interface.inputs, body->getArguments()))
    mapping.map(in.value, arg);
  builder.setInsertionPointToEnd(body);
  for (Operation *op : g.interface.ops)
    builder.clone(*op, mapping);
  SmallVector<Value> results;
  for (const TensorInterface &out : g.interface.outputs)
    results.push_back(mapping.lookup(out.value));
  builder.create<func::ReturnOp>(module.getLoc(), results);
  Evaluator evaluator(module);
  FailureOr<std::vector<Tensor>> values = evaluator.call(fn, inputs);
  fn.erase();
  return values;
}

/// A Halide buffer holding `t` (dense; Halide dimension 0 innermost).
Halide::Buffer<> toBuffer(const Tensor &t, Halide::Type type) {
  std::vector<int> sizes(t.shape.rbegin(), t.shape.rend());
  Halide::Buffer<> buffer(type, sizes);
  for (int64_t i = 0; i < t.size(); ++i) {
    if (type == Halide::Float(32))
      static_cast<float *>(buffer.data())[i] = static_cast<float>(t.data[i]);
    else if (type == Halide::Int(64))
      static_cast<int64_t *>(buffer.data())[i] =
          static_cast<int64_t>(t.data[i]);
    else
      static_cast<int32_t *>(buffer.data())[i] =
          static_cast<int32_t>(t.data[i]);
  }
  return buffer;
}

Tensor fromBuffer(const Halide::Buffer<> &buffer,
                  const std::vector<int64_t> &shape) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) {
    if (buffer.type() == Halide::Float(32))
      t.data[i] = static_cast<const float *>(buffer.data())[i];
    else
      t.data[i] =
          static_cast<double>(static_cast<const int64_t *>(buffer.data())[i]);
  }
  return t;
}

struct Comparison {
  double maxRelative = 0; ///< Largest |got - ref| / |ref| over the elements.
  double maxAbsolute = 0; ///< Largest |got - ref|.
  int64_t failures = 0;   ///< Elements outside the tolerance.
  int64_t firstFailure = -1;
};

/// The largest finite magnitude in `t`.
double magnitude(const Tensor &t) {
  double m = 0;
  for (double v : t.data)
    if (std::isfinite(v))
      m = std::max(m, std::abs(v));
  return m;
}

Comparison compare(const Tensor &got, const Tensor &ref, double inputScale) {
  Comparison c;
  double scale = magnitude(ref);
  for (int64_t i = 0; i < ref.size(); ++i) {
    double g = got.data[i], r = ref.data[i];
    if (std::isnan(g) && std::isnan(r))
      continue;
    if (std::isinf(r) && g == r)
      continue;
    double err = std::abs(g - r);
    c.maxAbsolute = std::max(c.maxAbsolute, err);
    if (r != 0)
      c.maxRelative = std::max(c.maxRelative, err / std::abs(r));
    if (!(err <= relTolerance * std::abs(r) +
                     std::max(absTolerance * scale, absFloor * inputScale))) {
      if (c.failures++ == 0)
        c.firstFailure = i;
    }
  }
  return c;
}

/// Lowers, runs and checks one function. Returns false on any failure.
bool checkFunction(ModuleOp module, func::FuncOp func, GroupingPolicy policy) {
  llvm::outs() << "function @" << func.getName() << " (groups=" << groupsOption
               << (chain ? ", chained" : "") << ")\n";
  std::vector<Tensor> args = randomArguments(func);

  // The oracle's value of every argument and op result.
  func::FuncOp probe = buildProbe(func);
  Evaluator evaluator(module);
  FailureOr<std::vector<Tensor>> all = evaluator.call(probe, args);
  probe.erase();
  if (failed(all))
    return false;
  llvm::DenseMap<Value, Tensor> reference, computed;
  for (auto [arg, value] : llvm::zip(func.getArguments(), args)) {
    reference[arg] = value;
    computed[arg] = value;
  }
  size_t k = 0;
  for (Operation &op : func.getBody().front().without_terminator())
    for (Value r : op.getResults())
      reference[r] = (*all)[k++];

  FailureOr<std::vector<HalideGroup>> groups = lowerToHalide(func, policy);
  if (failed(groups)) {
    llvm::outs() << "FAIL: @" << func.getName() << " does not lower\n";
    return false;
  }

  bool ok = true;
  double totalMs = 0;
  for (HalideGroup &g : *groups) {
    llvm::DenseMap<Value, Tensor> &source = chain ? computed : reference;
    std::vector<std::vector<int64_t>> inputShapes;
    std::vector<Tensor> given; // unchained: what the kernel gets, as it gets it
    double inputScale = 0;
    for (auto [param, in] : llvm::zip(g.inputParams, g.interface.inputs)) {
      const Tensor &t = source[in.value];
      inputShapes.push_back(t.shape);
      if (isa<FloatType>(in.elementType))
        inputScale = std::max(inputScale, magnitude(t));
      param.set(toBuffer(t, in.halideType));
      if (chain)
        continue;
      given.push_back(t);
      if (in.halideType == Halide::Float(32))
        for (double &v : given.back().data)
          v = static_cast<float>(v);
    }
    std::vector<Tensor> sameInputs;
    if (!chain) {
      FailureOr<std::vector<Tensor>> r = groupReference(module, g, given);
      if (failed(r))
        return false;
      sameInputs = std::move(*r);
    }
    std::vector<std::vector<int64_t>> shapes = g.outputShapes(inputShapes);
    std::vector<Halide::Buffer<>> outputs;
    for (auto [i, out] : llvm::enumerate(g.interface.outputs)) {
      const std::vector<int64_t> &expected = reference[out.value].shape;
      if (shapes.size() != g.interface.outputs.size() ||
          shapes[i] != expected) {
        llvm::outs() << "FAIL: " << g.interface.name << ": shape of "
                     << out.name << " is not computable or differs from "
                     << reference[out.value].shapeString() << "\n";
        return false;
      }
      outputs.push_back(
          Halide::Buffer<>(out.halideType, std::vector<int>(expected.rbegin(),
                                                            expected.rend())));
    }
    try {
      Halide::Realization realization(outputs);
      // JIT for this CPU's real features (Halide's own host detection
      // claims features that AMD Zen 4 lacks).
      static const Halide::Target jitTarget =
          hostTarget().with_feature(Halide::Target::JIT);
      g.pipeline.realize(realization, jitTarget);
      if (benchRuns > 0) {
        auto start = std::chrono::steady_clock::now();
        for (unsigned run = 0; run < benchRuns; ++run)
          g.pipeline.realize(realization, jitTarget);
        std::chrono::duration<double, std::milli> elapsed =
            std::chrono::steady_clock::now() - start;
        double ms = elapsed.count() / benchRuns;
        totalMs += ms;
        llvm::outs() << "  " << g.interface.name << ": "
                     << llvm::format("%.3f", ms) << " ms/run ("
                     << g.interface.ops.size() << " op(s), first "
                     << g.interface.ops.front()->getName() << ")\n";
      }
    } catch (const Halide::Error &e) {
      llvm::outs() << "FAIL: " << g.interface.name
                   << ": Halide error: " << e.what() << "\n";
      return false;
    }
    for (auto [i, out] : llvm::enumerate(g.interface.outputs)) {
      const Tensor &ref = chain ? reference[out.value] : sameInputs[i];
      Tensor got = fromBuffer(outputs[i], ref.shape);
      Comparison c = compare(got, ref, inputScale);
      bool pass = c.failures == 0;
      ok &= pass;
      Operation *def = out.value.getDefiningOp();
      llvm::outs() << "  " << out.name << " = " << def->getName() << " ["
                   << ref.shapeString() << "]: max rel "
                   << llvm::format("%.2e", c.maxRelative) << ", max abs "
                   << llvm::format("%.2e", c.maxAbsolute) << " "
                   << (pass ? "PASS" : "FAIL") << "\n";
      if (!pass)
        llvm::outs() << "    " << c.failures << " element(s) out of "
                     << "tolerance; first at flat index " << c.firstFailure
                     << ": got " << got.data[c.firstFailure] << ", expected "
                     << ref.data[c.firstFailure] << "\n";
      computed[out.value] = std::move(got);
    }
  }
  if (benchRuns > 0)
    llvm::outs() << "time: " << llvm::format("%.3f", totalMs)
                 << " ms/run in all pipelines\n";
  llvm::outs() << (ok ? "PASS" : "FAIL") << ": @" << func.getName() << " ("
               << groups->size() << " pipeline(s))\n";
  return ok;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  parseCommandLine(argc, argv, "nn-to-halide checker against the evaluator\n",
                   &toolCategory);
  GroupingPolicy policy;
  if (groupsOption == "op") {
    policy = GroupingPolicy::PerOp;
  } else if (groupsOption == "fused") {
    policy = GroupingPolicy::Fused;
  } else if (groupsOption == "function") {
    policy = GroupingPolicy::WholeFunction;
  } else {
    llvm::errs()
        << "dlc-halide-check: --groups must be 'op', 'fused' or 'function'\n";
    return 1;
  }

  InputModule input;
  if (failed(input.parse(inputOptions.file, "dlc-halide-check")))
    return 1;

  std::vector<func::FuncOp> funcs =
      definedFunctions(input.get(), functionOptions.get());
  if (funcs.empty()) {
    llvm::errs() << "dlc-halide-check: no function to check\n";
    return 1;
  }
  if (mergeSlicesFirst)
    for (func::FuncOp f : funcs)
      mergeSlices(f);
  if (withGrad) {
    std::vector<func::FuncOp> grads;
    for (func::FuncOp f : funcs) {
      if (!returnsScalarLoss(f))
        continue;
      FailureOr<func::FuncOp> grad = buildGradientFunction(f);
      if (failed(grad))
        return 1;
      grads.push_back(*grad);
    }
    funcs.insert(funcs.end(), grads.begin(), grads.end());
  }

  if (!emit.empty() || !aotOutput.empty()) {
    if (!emit.empty() && emit != "halide" && emit != "stmt") {
      llvm::errs() << "dlc-halide-check: --emit must be 'halide' or 'stmt'\n";
      return 1;
    }
    std::vector<HalideGroup> all;
    for (func::FuncOp f : funcs) {
      FailureOr<std::vector<HalideGroup>> groups = lowerToHalide(f, policy);
      if (failed(groups))
        return 1;
      all.insert(all.end(), groups->begin(), groups->end());
    }
    std::string message;
    if (emit == "halide")
      printHalide(all, llvm::outs());
    else if (emit == "stmt" &&
             failed(printStmt(all, llvm::outs(), &message, target))) {
      llvm::errs() << "dlc-halide-check: " << message << "\n";
      return 1;
    }
    if (!aotOutput.empty()) {
      if (failed(compileGroupsToObject(all, target, aotOutput, &message))) {
        llvm::errs() << "dlc-halide-check: " << message << "\n";
        return 1;
      }
      for (const HalideGroup &g : all) {
        llvm::outs() << "kernel " << g.interface.name << "(";
        std::vector<std::string> params;
        for (const TensorInterface &t : g.interface.inputs)
          params.push_back("in " + t.name);
        for (const TensorInterface &t : g.interface.outputs)
          params.push_back("out " + t.name);
        llvm::interleaveComma(params, llvm::outs());
        llvm::outs() << ")\n";
      }
    }
    return 0;
  }

  bool ok = true;
  for (func::FuncOp f : funcs)
    ok &= checkFunction(input.get(), f, policy);
  llvm::outs() << (ok ? "ALL PASS" : "SOME FAILED") << "\n";
  return ok ? 0 : 1;
}
