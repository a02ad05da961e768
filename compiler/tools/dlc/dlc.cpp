//===- dlc.cpp - The dlc compiler driver
//-----------------------------------===//
//
// `dlc FILE.dl [-o OUT] [--emit=STAGE] [-I DIR] ...`: parses and analyses a
// program and prints the requested stage. `dlc FILE.mlir` starts from the nn
// dialect instead (any stage up to --emit=mlir-train, e.g. the output of
// `dlc FILE.dl --emit=mlir`): the back end reads only the IR, so both build
// the same trainer. Errors go to stderr as
// `file:line:col: error: message` with the source line and a caret, and the
// exit code is 1; internal failures never crash the driver.
//
//===----------------------------------------------------------------------===//
#include "dlc/InitAllDialects.h"
#include "dlc/InitAllPasses.h"
#include "dlc/MLIRGen/MLIRGen.h"
#include "dlc/Sema/Builtins.h"
#include "dlc/Sema/Sema.h"
#include "dlc/Target/Backend.h"
#include "dlc/Target/OnnxExport.h"

#include "TextMate.h"
#include "dlc_version.h"

#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "dlc/Dialect/NN/IR/TrainAttr.h"
#include "dlc/Dialect/NN/Transforms/Fusion.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/thread.h"

using namespace dlc;
namespace cl = llvm::cl;

namespace {

enum class Stage {
  AST,
  MLIR,
  MLIRGrad,
  MLIRTrain,
  MLIRFused,
  Halide,
  Stmt,
  LLVM,
  Obj,
  Exe,
  /// The inference graph with a checkpoint's weights (not on the path to
  /// Exe: it needs only the nn dialect of MLIRGen).
  Onnx
};

cl::OptionCategory dlcCategory("dlc options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input .dl or .mlir file>"),
                               cl::Required, cl::cat(dlcCategory));
cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                cl::value_desc("file"), cl::init(""),
                                cl::cat(dlcCategory));
cl::opt<Stage> emit(
    "emit", cl::desc("The stage to produce"), cl::init(Stage::Exe),
    cl::values(
        clEnumValN(Stage::AST, "ast",
                   "the typed AST, with every tensor's shape"),
        clEnumValN(Stage::MLIR, "mlir", "the nn dialect (forward model)"),
        clEnumValN(Stage::MLIRGrad, "mlir-grad", "forward and backward"),
        clEnumValN(Stage::MLIRTrain, "mlir-train", "the train and eval steps"),
        clEnumValN(Stage::MLIRFused, "mlir-fused", "after fusion"),
        clEnumValN(Stage::Halide, "halide", "the Halide pipelines"),
        clEnumValN(Stage::Stmt, "stmt", "Halide's lowered statements"),
        clEnumValN(Stage::LLVM, "llvm", "the driver as LLVM IR"),
        clEnumValN(Stage::Obj, "obj", "an object file"),
        clEnumValN(Stage::Exe, "exe", "a standalone trainer (default)"),
        clEnumValN(Stage::Onnx, "onnx",
                   "the inference graph as an ONNX model (needs --weights)")),
    cl::cat(dlcCategory));
cl::opt<std::string> weightsFile(
    "weights",
    cl::desc("Checkpoint (safetensors) whose weights --emit=onnx exports"),
    cl::value_desc("file"), cl::init(""), cl::cat(dlcCategory));
cl::list<std::string>
    includeDirs("I", cl::desc("Add a directory to the module search path"),
                cl::value_desc("dir"), cl::Prefix, cl::cat(dlcCategory));
cl::opt<dlc::nn::GroupingPolicy>
    grouping("kernels", cl::desc("How the steps are cut into Halide kernels"),
             cl::init(dlc::nn::GroupingPolicy::Fused),
             cl::values(clEnumValN(dlc::nn::GroupingPolicy::PerOp, "per-op",
                                   "one kernel per op"),
                        clEnumValN(dlc::nn::GroupingPolicy::Fused, "fused",
                                   "one kernel per fusion group (nn-fuse)"),
                        clEnumValN(dlc::nn::GroupingPolicy::WholeFunction,
                                   "whole-step", "one kernel per step")),
             cl::cat(dlcCategory));
enum class TargetKind { Host, Cuda };
cl::opt<TargetKind> targetKind(
    "target", cl::desc("Where the trainer runs"), cl::init(TargetKind::Host),
    cl::values(clEnumValN(TargetKind::Host, "host", "this CPU (default)"),
               clEnumValN(TargetKind::Cuda, "cuda", "an NVIDIA GPU")),
    cl::cat(dlcCategory));
cl::opt<std::string>
    halideTarget("halide-target",
                 cl::desc("Halide target of the kernels (default: host)"),
                 cl::init("host"), cl::cat(dlcCategory));
cl::opt<bool> kernelChecks(
    "kernel-checks",
    cl::desc("Keep Halide's run-time assertions in the kernels (buffer "
             "shapes, allocations, 32-bit extents): for diagnosing a suspected "
             "kernel bug; kernels compile about twice as slowly"),
    cl::init(false), cl::cat(dlcCategory));
cl::opt<bool> mpi(
    "mpi",
    cl::desc("Build a data-parallel trainer: under `mpirun -np N ./train` "
             "each of the N ranks trains on its share of every batch and the "
             "gradients are summed with MPI_Allreduce before one update "
             "(needs a dlc built with OpenMPI)"),
    cl::init(false), cl::cat(dlcCategory));
cl::opt<unsigned>
    jobs("j",
         cl::desc("Processes compiling kernels (default: one per core)"),
         cl::value_desc("N"), cl::init(0), cl::Prefix, cl::cat(dlcCategory));
cl::opt<std::string> debugHalideFault(
    "debug-halide-fault",
    cl::desc("For tests: make the kernels of this op (e.g. nn.matmul) fail "
             "Halide's compile-time checks"),
    cl::value_desc("op"), cl::init(""), cl::Hidden, cl::cat(dlcCategory));
// Like --help, it answers while the command line is parsed (no input file
// needed) and exits.
cl::opt<bool> listOps("list-ops",
                      cl::desc("List the built-in ops with their arguments "
                               "and defaults, and exit"),
                      cl::init(false), cl::cat(dlcCategory),
                      cl::callback([](const bool &) {
                        for (const std::string &line : sema::describeOps())
                          llvm::outs() << line << "\n";
                        llvm::outs().flush();
                        std::exit(0);
                      }));
cl::opt<std::string> stdlibDir("stdlib",
                               cl::desc("The standard library directory"),
                               cl::value_desc("dir"), cl::init(""),
                               cl::cat(dlcCategory));

/// ../share/dlc/stdlib next to an installed binary (cmake/Install.cmake),
/// else stdlib/ of the source tree this dlc was built from.
std::string defaultStdlib(const char *argv0) {
  std::string exe =
      llvm::sys::fs::getMainExecutable(argv0, (void *)&defaultStdlib);
  llvm::SmallString<256> installed(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(installed, "..", "share", "dlc", "stdlib");
  llvm::sys::path::remove_dots(installed, /*remove_dot_dot=*/true);
  if (llvm::sys::fs::is_directory(installed))
    return std::string(installed);
  return DLC_STDLIB_DIR;
}

// Like --list-ops, it answers while the command line is parsed, with the
// standard library of a --stdlib given before it (default: as a
// compilation's).
cl::opt<bool> emitTextMate(
    "emit-textmate",
    cl::desc("Print the TextMate grammar of .dl files (editors/vscode), "
             "written from the keywords, types, ops and train vocabulary, "
             "and exit"),
    cl::init(false), cl::cat(dlcCategory), cl::callback([](const bool &) {
      std::string dir =
          stdlibDir.empty() ? defaultStdlib(nullptr) : stdlibDir.getValue();
      std::string grammar, error;
      if (!textMateGrammar(dir, grammar, error)) {
        llvm::errs() << "dlc: error: " << error << "\n";
        std::exit(1);
      }
      llvm::outs() << grammar;
      llvm::outs().flush();
      std::exit(0);
    }));

/// Runs the passes that lead from the module to `stage`, with MLIR's
/// pass-manager options (--mlir-print-ir-after-all, --mlir-timing). The
/// trained models are those of the module's `nn.train` recipes; passes whose
/// results the module already holds (an input written at a later stage) are
/// not run again.
mlir::LogicalResult runPipeline(mlir::ModuleOp module, Stage stage) {
  mlir::PassManager pm(module->getName());
  if (mlir::failed(mlir::applyPassManagerCLOptions(pm)))
    return mlir::failure();
  auto timing = std::make_unique<mlir::DefaultTimingManager>();
  mlir::applyDefaultTimingManagerCLOptions(*timing);
  if (timing->isEnabled())
    pm.enableTiming(std::move(timing));
  std::vector<std::string> funcs, models;
  auto recipes =
      module->getAttrOfType<mlir::ArrayAttr>(dlc::nn::NNDialect::kTrainAttrName);
  for (mlir::Attribute recipe : recipes ? recipes.getValue()
                                        : llvm::ArrayRef<mlir::Attribute>()) {
    auto name = mlir::cast<mlir::DictionaryAttr>(recipe)
                    .getAs<mlir::StringAttr>("model");
    if (!name)
      continue;
    std::string m = name.str();
    if (module.lookupSymbol(m + "_u0_loss")) {
      // An explicit step: one loss per update.
      for (unsigned k = 0;; ++k) {
        std::string f = m + "_u" + std::to_string(k) + "_loss";
        if (!module.lookupSymbol(f))
          break;
        if (!module.lookupSymbol(f + "_grad"))
          funcs.push_back(f);
      }
    } else if (!module.lookupSymbol(m + "_loss_grad")) {
      funcs.push_back(m + "_loss");
      funcs.push_back(m + "_eval_loss");
    }
    if (!module.lookupSymbol(m + "_train_step"))
      models.push_back(m);
  }
  if (stage >= Stage::MLIRGrad && !funcs.empty()) {
    // Slices of one tensor along one axis (a loop over a sequence) become
    // one split before the gradients are built from them.
    pm.addNestedPass<mlir::func::FuncOp>(dlc::nn::createNNMergeSlices());
    dlc::nn::NNAutodiffOptions options;
    options.funcs = funcs;
    pm.addPass(dlc::nn::createNNAutodiff(options));
    // One value for identical pure ops: the VJPs of a loop body repeat, per
    // step, the transposes of the weights they share.
    pm.addPass(mlir::createCSEPass());
  }
  if (stage >= Stage::MLIRTrain && !models.empty()) {
    dlc::nn::NNBuildTrainStepOptions stepOptions;
    stepOptions.models = models;
    stepOptions.splitUpdate = mpi;
    pm.addPass(dlc::nn::createNNBuildTrainStep(stepOptions));
    pm.addPass(mlir::createCSEPass());
  }
  return pm.run(module);
}

/// The front end's share of "one trainer per file": the back end builds the
/// one train block with a model (and an explicit step or not).
bool checkTrainBlocks(const sema::Program &prog, DiagnosticEngine &diags) {
  const sema::TrainConfig *first = nullptr;
  for (const sema::TrainConfig &t : prog.trains) {
    if (!t.model)
      continue;
    if (first) {
      diags.error(t.loc, "a trainer trains one model, but this file has more "
                         "than one train block");
      diags.note(first->loc, "the first one is here");
      return false;
    }
    first = &t;
  }
  return true;
}

/// The first file position inside `loc` (through call sites, fusions and
/// names), or null.
mlir::FileLineColLoc filePosition(mlir::Location loc) {
  mlir::FileLineColLoc found;
  loc->walk([&](mlir::Location l) {
    if (auto f = mlir::dyn_cast<mlir::FileLineColLoc>(l)) {
      found = f;
      return mlir::WalkResult::interrupt();
    }
    return mlir::WalkResult::advance();
  });
  return found;
}

/// Reports MLIR diagnostics (from passes and the back end) like the front
/// end's: `file:line:col: error: message`, the source line and a caret,
/// whenever the location is in a loaded source file.
class SourceDiagnosticHandler : public mlir::ScopedDiagnosticHandler {
public:
  SourceDiagnosticHandler(mlir::MLIRContext &ctx, DiagnosticEngine &diags)
      : mlir::ScopedDiagnosticHandler(&ctx), diags(diags) {
    setHandler([this](mlir::Diagnostic &d) {
      // Inside a layer, the error is at the user's outermost call; notes
      // follow the calls down to the op in the layer's code.
      mlir::Location loc = d.getLocation();
      llvm::SmallVector<mlir::Location> calls; // outermost first
      while (auto site = mlir::dyn_cast<mlir::CallSiteLoc>(loc)) {
        calls.push_back(site.getCaller());
        loc = site.getCallee();
      }
      report(calls.empty() ? loc : calls.front(), d.getSeverity(), d.str());
      for (size_t i = 1; i < calls.size(); ++i)
        report(calls[i], mlir::DiagnosticSeverity::Note, "through this call");
      if (!calls.empty())
        report(loc, mlir::DiagnosticSeverity::Note,
               "in the layer's code here");
      for (mlir::Diagnostic &note : d.getNotes())
        report(note.getLocation(), mlir::DiagnosticSeverity::Note, note.str());
      return mlir::success();
    });
  }

private:
  void report(mlir::Location loc, mlir::DiagnosticSeverity severity,
              const std::string &message) {
    Loc at;
    if (mlir::FileLineColLoc pos = filePosition(loc)) {
      llvm::SourceMgr &sm = diags.getSourceMgr();
      for (unsigned id = 1; id <= sm.getNumBuffers(); ++id)
        if (sm.getMemoryBuffer(id)->getBufferIdentifier() ==
            pos.getFilename().getValue()) {
          at = diags.getLoc(id, pos.getLine(), pos.getColumn());
          break;
        }
    }
    std::string text = message;
    if (!at.isValid() && filePosition(loc)) {
      mlir::FileLineColLoc pos = filePosition(loc);
      text = (pos.getFilename().getValue() + ":" + llvm::Twine(pos.getLine()) +
              ":" + llvm::Twine(pos.getColumn()) + ": " + message)
                 .str();
    }
    switch (severity) {
    case mlir::DiagnosticSeverity::Error:
      diags.error(at, text);
      break;
    case mlir::DiagnosticSeverity::Warning:
      diags.warning(at, text);
      break;
    default:
      diags.note(at, text);
      break;
    }
  }
  DiagnosticEngine &diags;
};

} // namespace

int compile(int argc, char **argv);

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  // The parser and Sema recurse over the program; a big stack lets the
  // front end's own depth limits, not the system's, decide what is too deep.
  int rc = 1;
  llvm::thread worker(std::optional<unsigned>(1u << 30),
                      [&] { rc = compile(argc, argv); });
  worker.join();
  return rc;
}

int compile(int argc, char **argv) {
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  dlc::registerAllPasses();
  // With where this dlc finds its standard library and runtime (installed
  // beside it, or the build and source trees).
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    std::string looked, runtime = target::runtimeLibrary(looked);
    os << "dlc " << DLC_VERSION << " (commit " << DLC_GIT_COMMIT << ")\n"
       << "LLVM and MLIR " << LLVM_VERSION_STRING << "\n"
       << "standard library: " << defaultStdlib(nullptr) << "\n"
       << "runtime library: "
       << (runtime.empty() ? "not found (" + looked + ")" : runtime) << "\n";
  });
  cl::ParseCommandLineOptions(argc, argv,
                              "dlc: compiles a .dl model into a trainer\n");

  // The train tables of the front end and the runtime's vocabulary are one
  // list; a name the runtime runs but the language refuses is a build bug.
  for (const std::string &name : sema::vocabularyMismatches()) {
    llvm::errs() << "dlc: internal error: the trainer runtime has the " << name
                 << " but the language does not accept it\n";
    return 1;
  }
  DiagnosticEngine diags(llvm::errs());
  SemaOptions options;
  options.includeDirs.assign(includeDirs.begin(), includeDirs.end());
  options.stdlibDir =
      stdlibDir.empty() ? defaultStdlib(argv[0]) : stdlibDir.getValue();

  if (llvm::sys::fs::is_directory(inputFile)) {
    llvm::errs() << "dlc: error: '" << inputFile << "' is a directory\n";
    return 1;
  }
  if (targetKind == TargetKind::Cuda) {
    llvm::errs()
        << "dlc: error: --target=cuda is not available yet; kernels are "
           "generated for the host CPU (--target=host)\n";
    return 1;
  }
  bool fromIR = llvm::StringRef(inputFile).ends_with(".mlir");
  if (fromIR && emit == Stage::AST) {
    llvm::errs() << "dlc: error: --emit=ast needs a .dl file, not '"
                 << inputFile << "'\n";
    return 1;
  }
  if (emit == Stage::Onnx && weightsFile.empty()) {
    llvm::errs() << "dlc: error: --emit=onnx needs the trained weights: "
                    "--weights CHECKPOINT.safetensors\n";
    return 1;
  }
  if (emit != Stage::Onnx && !weightsFile.empty()) {
    llvm::errs() << "dlc: error: --weights is only for --emit=onnx\n";
    return 1;
  }
  std::unique_ptr<sema::Program> prog;
  if (!fromIR) {
    prog = analyzeFile(diags, inputFile, options);
    if (!prog || diags.hasErrors())
      return 1;
    if (emit >= Stage::Halide && emit != Stage::Onnx &&
        !checkTrainBlocks(*prog, diags))
      return 1;
  }

  std::error_code ec;
  std::unique_ptr<llvm::raw_fd_ostream> file;
  auto out = [&]() -> llvm::raw_ostream & {
    if (outputFile.empty() || outputFile == "-")
      return llvm::outs();
    file = std::make_unique<llvm::raw_fd_ostream>(outputFile, ec);
    if (ec) {
      llvm::errs() << "dlc: error: cannot write '" << outputFile
                   << "': " << ec.message() << "\n";
      std::exit(1);
    }
    return *file;
  };

  if (emit == Stage::AST) {
    sema::printProgram(*prog, diags, out());
    return 0;
  }

  // Every later stage starts from the nn dialect, through the MLIR passes.
  mlir::DialectRegistry registry;
  dlc::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  SourceDiagnosticHandler diagnosticHandler(context, diags);
  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (fromIR) {
    std::string error;
    if (!diags.loadFile(inputFile, error)) {
      llvm::errs() << "dlc: error: " << error << "\n";
      return 1;
    }
    mlir::ParserConfig config(&context);
    module = mlir::parseSourceFile<mlir::ModuleOp>(diags.getSourceMgr(),
                                                   config);
  } else {
    module = generateMLIR(context, *prog, diags);
  }
  if (emit == Stage::Onnx) {
    // @M_eval straight from MLIRGen (or the input IR): no pass is needed.
    if (!module)
      return 1;
    target::OnnxExportOptions onnx;
    onnx.weights = weightsFile;
    onnx.output = outputFile.empty()
                      ? llvm::sys::path::stem(inputFile).str() + ".onnx"
                      : outputFile.getValue();
    return target::exportOnnx(*module, onnx) ? 0 : 1;
  }
  Stage lastPass = std::min(emit.getValue(), Stage::MLIRTrain);
  if (!module || mlir::failed(runPipeline(*module, lastPass)))
    return 1;
  if (emit <= Stage::MLIRFused) {
    if (emit == Stage::MLIRFused)
      for (auto func : module->getOps<mlir::func::FuncOp>())
        dlc::nn::wrapFusionGroups(func);
    llvm::raw_ostream &os = out();
    module->print(os);
    os << "\n";
    return 0;
  }
  target::BackendOptions backend;
  backend.stage = emit == Stage::Halide ? target::BackendStage::Halide
                  : emit == Stage::Stmt ? target::BackendStage::Stmt
                  : emit == Stage::LLVM ? target::BackendStage::LLVM
                  : emit == Stage::Obj  ? target::BackendStage::Obj
                                        : target::BackendStage::Exe;
  backend.output = outputFile;
  if (backend.output.empty() && (emit == Stage::Obj || emit == Stage::Exe)) {
    // `dlc model.dl` builds ./model (and --emit=obj ./model.o).
    backend.output = llvm::sys::path::stem(inputFile).str();
    if (emit == Stage::Obj)
      backend.output += ".o";
  }
  backend.grouping = grouping;
  backend.halideTarget = halideTarget;
  backend.jobs = jobs;
  backend.kernelChecks = kernelChecks;
  backend.mpi = mpi;
  dlc::nn::setFaultForTesting(debugHalideFault);
  return target::runBackend(*module, diags, backend) ? 0 : 1;
}
