//===- Driver.h - The generated driver of a trainer -------------*- C++ -*-===//
//
// The driver is the code that sequences the compiled kernels of a step and
// owns their buffers. It is generated in MLIR's LLVM dialect, translated to
// LLVM IR and compiled to an object, which is linked with the kernels and
// libdlrt into `./train`. The driver implements the C ABI of
// runtime/include/dlrt/dlrt.h: the `train_step` and `eval_step` functions,
// the `dlrt_model_desc` descriptor, and `main`.
//
// A step is described by a StepPlan: an ordered list of kernel calls whose
// arguments are tensors in ABI-provided memory (inputs, labels, parameters,
// gradient scratch, optimiser state, logits) or in the workspace (the memory
// plan gives each temporary an offset), and scalars of the step (lr, step
// counter, seeds); followed by copies (new parameter values into place). The
// plan is all the driver knows: grouping, fusion and the memory plan are
// decided before it.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TARGET_DRIVER_H
#define DLC_TARGET_DRIVER_H

#include "dlc/Basic/Diagnostics.h"
#include "dlc/Dialect/NN/IR/TrainAttr.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace dlc::target {

/// Where a tensor lives during a step.
struct TensorRef {
  enum class Source {
    Input,     ///< dlrt_step_args::x
    Labels,    ///< dlrt_step_args::y (i64)
    Param,     ///< params[index]
    Grad,      ///< grads[index] (scratch of a parameter's size)
    OptState,  ///< opt_state[index] (slot * num_params + param)
    Logits,    ///< dlrt_step_args::logits
    InputGrad, ///< dlrt_step_args::input_grad
    Workspace, ///< workspace + offsetFixed + offsetPerSample * batch
  };
  Source source = Source::Workspace;
  int64_t index = 0;
  uint64_t offsetFixed = 0, offsetPerSample = 0;
  /// Workspace tensors while a step is planned: which slot of the plan
  /// (StepPlanner.cpp), whose offsets the memory plan fills in.
  int64_t slot = -1;
  /// Row-major shape; -1 stands for the batch size n of the call.
  std::vector<int64_t> shape;
  /// Element type: 'f' float (bits 32/64) or 'i' signed integer.
  char typeCode = 'f';
  int bits = 32;

  /// Bytes of the tensor for batch size `n`.
  uint64_t bytes(int64_t n) const {
    uint64_t count = 1;
    for (int64_t d : shape)
      count *= d < 0 ? n : d;
    return count * bits / 8;
  }
};

/// A scalar passed to a kernel by value.
struct ScalarRef {
  enum class Kind {
    LearningRate, ///< f32: dlrt_step_args::lr
    StepCount,    ///< f32: dlrt_step_args::step as a float
    Seed,         ///< i64: dlrt_step_args::seed + `salt`
    BatchSize,    ///< i64 or f32: dlrt_step_args::n
  };
  Kind kind;
  int64_t salt = 0;
  char typeCode = 'f';
  int bits = 32;
};

/// One argument of a kernel call, in the kernel's argument order.
struct KernelArg {
  bool isScalar = false;
  TensorRef tensor;
  ScalarRef scalar{ScalarRef::Kind::LearningRate};
  /// Scalars passed as 0-d buffers rather than by value.
  bool scalarAsBuffer = false;
};

struct KernelCall {
  std::string symbol; ///< the AOT kernel's function name
  std::vector<KernelArg> args;
};

/// `dst = src` after the kernels ran (e.g. new parameter values).
struct Copy {
  TensorRef src, dst;
};

struct StepPlan {
  std::vector<KernelCall> calls;
  std::vector<Copy> copies;
  /// Where the kernels left the 0-d loss (f32), copied to
  /// dlrt_step_args::loss as a double.
  std::optional<TensorRef> loss;
  /// An explicit step: where each update's 0-d loss is, copied to
  /// dlrt_step_args::step_losses[k].
  std::vector<TensorRef> stepLosses;
};

/// The static data of the descriptor.
struct ModelDesc {
  std::string name;
  struct Param {
    std::string name;
    std::vector<int64_t> shape;
    int32_t init = 0;
    float initArgs[2] = {0, 0};
    int64_t fanIn = 0, fanOut = 0;
    bool trainable = true;
    /// A parameter that the recipe's `freeze` keeps fixed (a buffer of the
    /// steps, but shown as a frozen parameter).
    bool frozen = false;
  };
  std::vector<Param> params;
  /// The layers for `./train info`: each layer call and each op outside
  /// one, in evaluation order.
  struct Layer {
    std::string name, op, outputShape;
    int64_t flops = 0;
  };
  std::vector<Layer> layers;
  std::vector<int64_t> inputShape; ///< one sample
  /// A dlrt_label_kind; the classes (class labels) or the target values
  /// per sample (the others).
  int32_t labelKind = 0;
  int32_t numClasses = 0;
  int64_t targetSize = 0;
  int64_t numOutputs = 0;
  /// DLRT_LABEL_INPUT_MASK: the mask's threshold.
  float maskThreshold = 0;
  /// A dlrt_dtype of the input; class labels per sample (T for a sequence
  /// model).
  int32_t inputDtype = 0;
  int64_t labelsPerSample = 1;
  /// DLRT_DATA_TEXT_FILES: a dlrt_text_unit.
  int32_t textUnit = 0;
  // Defaults of the train block.
  int32_t epochs = 1, batch = 32;
  uint64_t seed = 0;
  double validation = 0;
  /// The data source: a dlrt_data_kind, its directory or files, the CSV
  /// target columns (each name followed by a newline) and header.
  int32_t dataKind = 0, csvHeader = 0;
  std::string dataPath, dataFiles[4], csvTargets, lossName;
  int32_t optKind = 0, nesterov = 0, numSlots = 0;
  double lr = 0.01, momentum = 0, weightDecay = 0, beta1 = 0.9, beta2 = 0.999,
         eps = 1e-8;
  std::vector<std::string> slotNames;
  int32_t schedKind = 0, stepEpochs = 0, t0 = 0, tMult = 0;
  double gamma = 0, minLr = 0, maxLr = 0, pctStart = 0, divFactor = 0,
         finalDivFactor = 0;
  /// Early stopping: DLRT_WATCH_LOSS or a metric, and on which split.
  int32_t patience = 0, monitor = -1, monitorValidation = 1;
  double minDelta = 0;
  uint32_t metrics = 0;
  /// Data preparation: a dlrt_normalize_kind, dlrt_augment_flag bits and
  /// the augmentations' arguments.
  int32_t normalize = 0;
  uint32_t augment = 0;
  int32_t cropPadding = 0, shiftPixels = 0;
  double noiseStd = 0;
  /// A dlrt_balance_kind and the cross-validation folds (1: off).
  int32_t balance = 0, folds = 1;
  /// Snapshot ensembles (1: off) and the whitenings' eps.
  int32_t snapshots = 1;
  double whitenEps = 0;
  int64_t flopsForward = 0, flopsTrain = 0;
  uint64_t workspaceFixed = 0, workspacePerSample = 0;
  /// The most elements per sample of any one batch-sized tensor.
  int64_t maxTensorElementsPerSample = 0;
  /// The CPU features the kernels need, space-separated (checked by the
  /// trainer at start-up).
  std::string cpuFeatures;
  /// An explicit step: the log name of each update's loss, and one line per
  /// update for `./train info`.
  std::vector<std::string> stepLossNames;
  std::string stepSummary;
  /// `show`: rows, channels, height, width and the names (one per line).
  int32_t showRows = 0, showChannels = 0;
  int64_t showHeight = 0, showWidth = 0;
  std::string showNames;
  /// A model with `freeze`: the shape of one sample's features (the output
  /// of its backbone_step; empty when it has none), or why its backbone
  /// cannot be cached.
  std::vector<int64_t> featureShape;
  std::string noBackbone;
  /// Data-parallel training (dlc --mpi): `main` calls dlrt_mpi_main, which
  /// starts MPI and runs dlrt_main as one rank.
  bool mpi = false;
};

/// An optional step of the trainer: the dlrt_step_fn field of
/// dlrt_model_desc it fills (offsetof), the driver function's name and its
/// plan.
struct OptionalStep {
  size_t field;
  std::string symbol;
  const StepPlan *plan;
};

/// Fills the descriptor data from the train function of a model (`@M_loss`)
/// and its parsed `nn.train` attribute. Reports (as MLIR diagnostics) what
/// the runtime cannot run, e.g. a data source it lacks.
bool describeModel(mlir::func::FuncOp lossFunc, const nn::TrainRecipe &train,
                   ModelDesc &desc);

/// Builds the driver module (LLVM dialect): `dlc_train_step`,
/// `dlc_eval_step`, one function per optional step (`dlc_grad_step`, ...),
/// the `dlc_model` descriptor and `main`.
mlir::OwningOpRef<mlir::ModuleOp>
buildDriver(mlir::MLIRContext &context, const ModelDesc &desc,
            const StepPlan &train, const StepPlan &eval,
            llvm::ArrayRef<OptionalStep> optional = {});

/// Translates the driver to LLVM IR text.
bool printDriverLLVMIR(mlir::ModuleOp driver, llvm::raw_ostream &os);
/// Compiles the driver to a host object file.
bool emitDriverObject(mlir::ModuleOp driver, llvm::StringRef path,
                      std::string &error);
/// Links objects with libdlrt into an executable with the system compiler
/// driver; `whitening` also links libdlrt's PCA/ZCA whitening and with it
/// the static LAPACKE and OpenBLAS (dlrt/Whiten.h).
/// `mpi`: also libdlrt_mpi.a and the MPI libraries (data-parallel training,
/// dlc --mpi; the driver's `main` then calls dlrt_mpi_main).
bool linkExecutable(llvm::ArrayRef<std::string> objects, llvm::StringRef output,
                    std::string &error, bool whitening = false,
                    bool mpi = false);

} // namespace dlc::target

#endif // DLC_TARGET_DRIVER_H
