//===- Backend.cpp - From the train step to a trainer executable
//-----------===//
//
// Orchestrates the back end: picks the trained model, lowers its
// `@M_train_step` and `@M_eval_step` to Halide groups, plans them, builds
// the driver, and writes the requested stage. Intermediate objects go to a
// private temporary directory that is removed afterwards.
//
//===----------------------------------------------------------------------===//
#include "dlc/Target/Backend.h"

#include "dlc/Target/Driver.h"
#include "dlc/Target/StepPlanner.h"
#include "dlrt/dlrt.h"
#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "dlc/Dialect/NN/Transforms/TrainStep.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cstddef>
#include <set>

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace dlc;
using namespace dlc::target;

namespace {

/// A temporary directory removed with its contents on destruction.
struct TempDir {
  llvm::SmallString<128> path;
  bool create(std::string &error) {
    if (std::error_code ec =
            llvm::sys::fs::createUniqueDirectory("dlc", path)) {
      error = "cannot create a temporary directory: " + ec.message();
      return false;
    }
    return true;
  }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<128> p(path);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  ~TempDir() {
    if (!path.empty())
      llvm::sys::fs::remove_directories(path);
  }
};

bool writeText(const std::string &path, DiagnosticEngine &diags,
               const std::function<void(llvm::raw_ostream &)> &write) {
  if (path.empty() || path == "-") {
    write(llvm::outs());
    return true;
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    diags.error("cannot write '" + path + "': " + ec.message());
    return false;
  }
  write(os);
  return true;
}

/// Writes `path` by renaming a finished temporary file over it, so that a
/// failed build never leaves half an output behind.
bool moveInto(const std::string &from, const std::string &to,
              DiagnosticEngine &diags) {
  if (std::error_code ec = llvm::sys::fs::rename(from, to)) {
    // Across file systems: copy.
    if (std::error_code ec2 = llvm::sys::fs::copy_file(from, to)) {
      diags.error("cannot write '" + to + "': " + ec2.message());
      return false;
    }
  }
  return true;
}

/// Compiles the distinct kernels of `groups` into objects in `dir` and
/// appends them to `objects`. Every Halide error, and every warning that a
/// kernel is guaranteed to fail at run time, is an error at the source
/// location of the op whose kernel it is: dlc never writes a trainer it
/// knows will fail.
/// The most elements per sample of batch of a batch-sized tensor that the
/// plan's kernels and copies touch.
int64_t maxElementsPerSample(const StepPlan &plan) {
  int64_t most = 0;
  auto visit = [&](const TensorRef &t) {
    if (!llvm::is_contained(t.shape, -1))
      return;
    int64_t elements = 1;
    for (int64_t d : t.shape)
      if (d >= 0)
        elements *= d;
    most = std::max(most, elements);
  };
  for (const KernelCall &c : plan.calls)
    for (const KernelArg &a : c.args)
      if (!a.isScalar)
        visit(a.tensor);
  for (const Copy &c : plan.copies) {
    visit(c.src);
    visit(c.dst);
  }
  return most;
}

bool compileKernels(llvm::ArrayRef<dlc::nn::HalideGroup> groups,
                    llvm::ArrayRef<size_t> distinct,
                    const BackendOptions &options, const std::string &dir,
                    std::vector<std::string> &objects) {
  dlc::nn::KernelCompileOptions compile;
  compile.target = options.halideTarget;
  compile.jobs = options.jobs;
  compile.runtimeChecks = options.kernelChecks;
  compile.directory = dir;
  std::vector<dlc::nn::KernelProblem> problems;
  std::set<std::pair<size_t, std::string>> reported;
  std::string error;
  mlir::LogicalResult result = dlc::nn::compileKernels(
      groups, distinct, compile, objects, problems, &error);
  for (const dlc::nn::KernelProblem &p : problems) {
    const dlc::nn::HalideGroup &g = groups[p.group];
    mlir::Operation *op = g.interface.ops.front();
    std::string what = "the kernel of '" + op->getName().getStringRef().str() +
                       "'" +
                       (g.interface.ops.size() > 1
                            ? " (and " +
                                  std::to_string(g.interface.ops.size() - 1) +
                                  " more ops)"
                            : "");
    // Halide's text: "Warning: This pipeline ...: \nhalide_error_...(...)".
    std::string message = llvm::StringRef(p.message).trim().str();
    if (llvm::StringRef(message).starts_with("Warning: "))
      message = message.substr(9);
    std::replace(message.begin(), message.end(), '\n', ' ');
    if (!reported.insert({p.group, message}).second)
      continue;
    if (p.fatal)
      mlir::emitError(op->getLoc())
          << "Halide cannot compile " << what << " ("
          << g.interface.name << "): " << message;
    else
      mlir::emitWarning(op->getLoc())
          << "Halide warns about " << what << ": " << message;
  }
  if (mlir::succeeded(result))
    return true;
  if (!error.empty())
    mlir::emitError(mlir::UnknownLoc::get(groups.front().interface.ops.front()
                                              ->getContext()))
        << "Halide failed to compile the kernels: " << error;
  return false;
}

} // namespace

bool target::runBackend(mlir::ModuleOp module, DiagnosticEngine &diags,
                        const BackendOptions &options) {
  // The trained model: the one recipe of the module.
  auto recipes =
      module->getAttrOfType<mlir::ArrayAttr>(dlc::nn::NNDialect::kTrainAttrName);
  if (!recipes || recipes.empty()) {
    diags.error(
        "nothing to build: the file has no train block (e.g. 'train M { "
        "data = fashion_mnist() }'); use --emit=ast or --emit=mlir to look at "
        "a model without one");
    return false;
  }
  std::vector<dlc::nn::TrainRecipe> parsed;
  for (mlir::Attribute a : recipes) {
    mlir::FailureOr<dlc::nn::TrainRecipe> r = dlc::nn::parseTrainAttr(
        mlir::dyn_cast<mlir::DictionaryAttr>(a),
        [&] { return mlir::emitError(module.getLoc()); });
    if (mlir::failed(r))
      return false;
    parsed.push_back(*r);
  }
  if (parsed.size() > 1) {
    mlir::InFlightDiagnostic d = mlir::emitError(parsed[1].at);
    d << "a trainer trains one model, but this module has "
      << parsed.size() << " train recipes";
    d.attachNote(parsed[0].at) << "the first one is here";
    return false;
  }
  const dlc::nn::TrainRecipe *recipe = &parsed[0];
  const std::string &name = recipe->model;
  auto lossFunc = module.lookupSymbol<mlir::func::FuncOp>(name + "_loss");
  auto trainFunc =
      module.lookupSymbol<mlir::func::FuncOp>(name + "_train_step");
  auto evalFunc = module.lookupSymbol<mlir::func::FuncOp>(name + "_eval_step");
  auto gradFunc =
      module.lookupSymbol<mlir::func::FuncOp>(name + "_eval_loss_grad");
  // An explicit step has no @M_loss and no gradient of the inference loss
  // (no `./train gradcheck`).
  bool explicitStep = !recipe->updates.empty();
  if (!trainFunc || !evalFunc ||
      (!explicitStep && (!lossFunc || !gradFunc))) {
    diags.error("internal error: nn-build-train-step produced no steps for '" +
                name + "'");
    return false;
  }
  // The steps of the trainer: train and eval, then the optional ones, each
  // lowered to Halide groups and planned the same way. An optional step is
  // a function of the module (absent: a null field of the descriptor).
  struct Step {
    mlir::func::FuncOp func;
    size_t field;       ///< its dlrt_step_fn in dlrt_model_desc
    std::string symbol; ///< the driver's function
    std::vector<dlc::nn::HalideGroup> groups;
    StepPlan plan;
  };
  std::vector<Step> steps = {
      {trainFunc, offsetof(dlrt_model_desc, train_step), "dlc_train_step"},
      {evalFunc, offsetof(dlrt_model_desc, eval_step), "dlc_eval_step"}};
  // `grad_step` (`./train gradcheck`): the gradient of the inference form's
  // loss, nothing updated; `saliency_step` (classifiers); the steps that
  // skip a frozen backbone (`./train precompute`).
  if (!explicitStep)
    steps.push_back(
        {gradFunc, offsetof(dlrt_model_desc, grad_step), "dlc_grad_step"});
  const std::pair<const char *, size_t> optional[] = {
      {"_saliency_step", offsetof(dlrt_model_desc, saliency_step)},
      {"_backbone_step", offsetof(dlrt_model_desc, backbone_step)},
      {"_head_train_step", offsetof(dlrt_model_desc, head_train_step)},
      {"_head_eval_step", offsetof(dlrt_model_desc, head_eval_step)}};
  for (auto [suffix, field] : optional)
    if (auto f = module.lookupSymbol<mlir::func::FuncOp>(name + suffix))
      steps.push_back({f, field, std::string("dlc") + suffix});
  // Data-parallel training: train_step cut where the gradients are
  // complete (nn-build-train-step's split-update), only with --mpi.
  if (options.mpi) {
    if (explicitStep) {
      mlir::emitError(recipe->at)
          << "--mpi: data-parallel training of a train block with an "
             "explicit step is not supported (each update reads the "
             "parameters the update before it changed, so the step cannot "
             "be cut into one gradient pass and one update)";
      return false;
    }
    auto gradStep =
        module.lookupSymbol<mlir::func::FuncOp>(name + "_train_grad_step");
    auto updateStep =
        module.lookupSymbol<mlir::func::FuncOp>(name + "_update_step");
    if (!gradStep || !updateStep) {
      diags.error("--mpi needs @" + name + "_train_grad_step and @" + name +
                  "_update_step (nn-build-train-step with split-update); this "
                  "input's train steps were built without them");
      return false;
    }
    std::string why;
    if (options.stage == BackendStage::Exe &&
        target::mpiRuntimeLibrary(why).empty()) {
      diags.error("--mpi: " + why);
      return false;
    }
    steps.push_back({gradStep, offsetof(dlrt_model_desc, train_grad_step),
                     "dlc_train_grad_step"});
    steps.push_back({updateStep, offsetof(dlrt_model_desc, update_step),
                     "dlc_update_step"});
  }
  for (Step &st : steps) {
    auto groups = dlc::nn::lowerToHalide(st.func, options.grouping);
    if (mlir::failed(groups))
      return false;
    st.groups = std::move(*groups);
  }
  std::vector<dlc::nn::HalideGroup> all;
  for (const Step &st : steps)
    all.insert(all.end(), st.groups.begin(), st.groups.end());
  std::string targetError;
  mlir::FailureOr<Halide::Target> halideTarget =
      dlc::nn::parseHalideTarget(options.halideTarget, &targetError);
  if (failed(halideTarget)) {
    diags.error(targetError + " (see --halide-target)");
    return false;
  }
  Halide::Target host = dlc::nn::hostTarget();
  if (options.stage == BackendStage::Exe &&
      (halideTarget->os != host.os || halideTarget->arch != host.arch ||
       halideTarget->bits != host.bits)) {
    diags.error("--halide-target=" + options.halideTarget +
                " is for another system than this one (" +
                host.to_string() +
                "): a trainer is linked for this system; use --emit=obj to "
                "cross-compile the kernels and the driver");
    return false;
  }
  for (Halide::Target::Feature gpu :
       {Halide::Target::CUDA, Halide::Target::OpenCL, Halide::Target::Metal,
        Halide::Target::D3D12Compute, Halide::Target::OpenGLCompute,
        Halide::Target::HVX})
    if (halideTarget->has_feature(gpu)) {
      diags.error("--halide-target=" + options.halideTarget +
                  " asks for a GPU or DSP back end, which the kernels' CPU "
                  "schedules do not use yet");
      return false;
    }

  if (options.stage == BackendStage::Halide)
    return writeText(options.output, diags, [&](llvm::raw_ostream &os) {
      dlc::nn::printHalide(all, os);
    });
  if (options.stage == BackendStage::Stmt) {
    std::string error;
    bool ok = true;
    bool written = writeText(options.output, diags, [&](llvm::raw_ostream &os) {
      ok = mlir::succeeded(
          dlc::nn::printStmt(all, os, &error, options.halideTarget));
    });
    if (!ok)
      diags.error("Halide failed to lower the kernels: " + error);
    return ok && written;
  }

  // One kernel for each distinct computation: the steps repeat most forward
  // ops, and models repeat layers. The driver calls kernels by name.
  std::vector<size_t> distinct = dlc::nn::shareIdenticalKernels(all);
  {
    size_t i = 0;
    for (Step &st : steps)
      for (dlc::nn::HalideGroup &g : st.groups)
        g.interface.name = all[i++].interface.name;
  }
  ModelDesc desc;
  if (!describeModel(explicitStep ? trainFunc : lossFunc, *recipe, desc))
    return false;
  if (auto why = trainFunc->getAttrOfType<mlir::StringAttr>(
          dlc::nn::kNoBackboneAttrName))
    desc.noBackbone = why.str();
  if (auto backbone =
          module.lookupSymbol<mlir::func::FuncOp>(name + "_backbone_step")) {
    auto features =
        mlir::cast<mlir::RankedTensorType>(backbone.getResultTypes()[0]);
    desc.featureShape.assign(features.getShape().begin() + 1,
                             features.getShape().end());
  }
  std::vector<OptionalStep> extra;
  for (Step &st : steps) {
    WorkspaceSize ws;
    if (!planStep(st.func, st.groups, desc, diags, st.plan, ws))
      return false;
    desc.workspaceFixed = std::max(desc.workspaceFixed, ws.fixed);
    desc.workspacePerSample = std::max(desc.workspacePerSample, ws.perSample);
    desc.maxTensorElementsPerSample = std::max(
        desc.maxTensorElementsPerSample, maxElementsPerSample(st.plan));
  }
  for (size_t k = 2; k < steps.size(); ++k)
    extra.push_back({steps[k].field, steps[k].symbol, &steps[k].plan});
  desc.cpuFeatures = llvm::join(dlc::nn::cpuFeaturesOf(*halideTarget), " ");
  desc.mpi = options.mpi;

  mlir::OwningOpRef<mlir::ModuleOp> driver =
      buildDriver(*module->getContext(), desc, steps[0].plan, steps[1].plan,
                  extra);
  if (!driver) {
    diags.error("internal error: cannot build the driver");
    return false;
  }
  if (options.stage == BackendStage::LLVM) {
    bool ok = true;
    bool written = writeText(options.output, diags, [&](llvm::raw_ostream &os) {
      ok = printDriverLLVMIR(*driver, os);
    });
    if (!ok)
      diags.error("internal error: cannot translate the driver to LLVM IR");
    return ok && written;
  }

  TempDir tmp;
  std::string error;
  if (!tmp.create(error)) {
    diags.error(error);
    return false;
  }
  std::string driverObj = tmp.file("driver.o");
  std::vector<std::string> objects = {driverObj};
  if (!compileKernels(all, distinct, options, tmp.path.str().str(), objects))
    return false;
  if (!emitDriverObject(*driver, driverObj, error)) {
    diags.error(error);
    return false;
  }
  std::string result = tmp.file("out");
  if (options.stage == BackendStage::Obj) {
    // One relocatable object with the driver and the kernels.
    llvm::ErrorOr<std::string> ld = llvm::sys::findProgramByName("ld");
    if (!ld) {
      diags.error("cannot find the system linker 'ld'");
      return false;
    }
    std::vector<llvm::StringRef> args = {*ld, "-r", "-o", result};
    args.insert(args.end(), objects.begin(), objects.end());
    std::string message;
    if (llvm::sys::ExecuteAndWait(*ld, args, std::nullopt, {}, 0, 0,
                                  &message) != 0) {
      diags.error("ld -r failed" + (message.empty() ? "" : ": " + message));
      return false;
    }
  } else if (!linkExecutable(objects, result, error,
                             desc.normalize == DLRT_NORMALIZE_PCA_WHITEN ||
                                 desc.normalize == DLRT_NORMALIZE_ZCA_WHITEN,
                             options.mpi)) {
    diags.error(error);
    return false;
  }
  return moveInto(result, options.output, diags);
}
