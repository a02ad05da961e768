//===- NNToHalide.h - nn functions to Halide pipelines ----------*- C++ -*-===//
//
// The C++ API of nn-to-halide: a straight-line func.func of nn ops is cut
// into groups of ops (today one group per op, or the whole function as one
// group; later the fusion pass decides), and each group becomes one
// Halide::Pipeline whose inputs are the group's live-in tensors and whose
// outputs are its live-out tensors. What a group computes (the per-op
// algorithms) is independent of how groups are formed (OpGroup lists) and of
// how they are scheduled (the schedule module).
//
// Conventions shared by every group:
//  - Every live-in tensor, 0-d ones included, is a Halide::ImageParam (a 0-d
//    tensor is a 0-dimensional buffer), so a kernel takes only buffers.
//  - Halide indexes dimension 0 innermost: a row-major tensor [N, C, H, W]
//    is a buffer with dimensions (W, H, C, N), dense (stride 1 innermost).
//  - Float tensors are Float(32) (f32 only), integer tensors (labels, seeds)
//    Int(64). Dynamic dimensions are read from the input buffers' extents at
//    run time.
//  - Kernels compute in float32 (the random ops in double, so that dropout
//    masks and initial values match the evaluator bit for bit).
//
// A driver uses it like this:
//
//   FailureOr<std::vector<HalideGroup>> groups =
//       lowerToHalide(func, GroupingPolicy::WholeFunction);
//   // JIT: bind inputs, allocate outputs, run.
//   for (HalideGroup &g : *groups) {
//     for (auto [param, in] : llvm::zip(g.inputParams, g.interface.inputs))
//       param.set(bufferOf(in.value));               // Halide::Buffer<>
//     auto shapes = g.outputShapes(inputShapesOf(g)); // row-major
//     g.pipeline.realize(Halide::Realization(outputBuffers(shapes)));
//   }
//   // AOT: one object, one C function per group (see compileGroupsToObject).
//   compileGroupsToObject(*groups, "host", "kernels.o", &error);
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CONVERSION_NNTOHALIDE_NNTOHALIDE_H
#define DLC_CONVERSION_NNTOHALIDE_NNTOHALIDE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

#include <Halide.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::nn {

//===----------------------------------------------------------------------===//
// Groups: how ops are cut
//===----------------------------------------------------------------------===//

/// How the ops of a function are cut into groups (one pipeline each).
enum class GroupingPolicy {
  /// One group per op: every intermediate tensor crosses a kernel boundary.
  PerOp,
  /// The groups of the fusion planner (dlc/Dialect/NN/Transforms/Fusion.h).
  Fused,
  /// The whole function body is one group (one pipeline).
  WholeFunction,
};

/// An ordered list of ops of one function that becomes one pipeline. The
/// order must respect the def-use order (the function's order does).
struct OpGroup {
  std::vector<mlir::Operation *> ops;
};

/// Cuts the body of `func` (one block, nn ops and a func.return) into groups
/// following `policy`. nn ops only; the terminator belongs to no group.
std::vector<OpGroup> formGroups(mlir::func::FuncOp func, GroupingPolicy policy);

//===----------------------------------------------------------------------===//
// The interface of a group: what a driver needs to call it
//===----------------------------------------------------------------------===//

/// Where the run-time extent of a dynamic output dimension comes from.
struct DimSource {
  /// Index into GroupInterface::inputs, or -1 when the extent is static or
  /// not simply an input extent (then use HalideGroup::outputShapes).
  int input = -1;
  /// Row-major dimension of that input.
  int dim = -1;
};

/// One tensor crossing a group boundary.
struct TensorInterface {
  /// The Halide name: the buffer argument of the kernel (a C identifier).
  std::string name;
  /// The MLIR value it carries (a block argument or an op result).
  mlir::Value value;
  /// The MLIR element type (f32, i64, ...).
  mlir::Type elementType;
  /// The Halide element type of the buffer (Float(32) or Int(64)).
  Halide::Type halideType;
  /// Row-major shape; mlir::ShapedType::kDynamic for a `?` dimension.
  std::vector<int64_t> shape;
  /// Outputs only: one entry per row-major dimension.
  std::vector<DimSource> dimSources;
};

/// The calling interface of one group's kernel.
struct GroupInterface {
  /// The kernel's function name: `<func>_g<index>` (AOT symbol, C linkage).
  std::string name;
  /// The ops it computes, in order.
  std::vector<mlir::Operation *> ops;
  /// Live-in tensors, function arguments first (in argument order), then
  /// results of other groups (in definition order): the kernel's first
  /// arguments.
  std::vector<TensorInterface> inputs;
  /// Live-out tensors in definition order: the kernel's last arguments.
  std::vector<TensorInterface> outputs;
};

//===----------------------------------------------------------------------===//
// Halide groups: what a group computes
//===----------------------------------------------------------------------===//

/// What kind of computation a Func performs: the schedule module keys on it.
enum class FuncKind {
  /// A wrapper reading an input buffer.
  Input,
  /// Pointwise (possibly with broadcasting, gathers or index arithmetic):
  /// cheap to recompute, inlined into its consumers.
  Elementwise,
  /// A reduction over some dimensions (sum, max, statistics, losses).
  Reduction,
  /// A window reduction (pooling and its gradients).
  Window,
  /// A matrix product.
  Matmul,
  /// A convolution or one of its gradients.
  Conv,
  /// Copies a matmul's or convolution's accumulator out to the op's result
  /// (the schedule computes the accumulator per output tile).
  Readout,
};

/// A schedule special case that an op's Halide algorithm asks for (with
/// GroupBuilder::hintSchedule) for the Funcs it defines; see Schedule.cpp.
enum class ScheduleHint {
  None,
  /// Per-channel statistics over (N, H, W) reduced with rfactor'ed vector
  /// partial sums (batch_norm_train's mean and variance).
  ChannelStatistic,
  /// The weight gradient of a convolution: the contraction runs over the
  /// batch and the image plane.
  ConvGradWeight,
  /// The window Funcs of a pooling gradient are computed per image plane of
  /// the gradient (max_pool2d_grad).
  PoolGradPlane,
};

/// One Func of a group, with what produced it.
struct FuncInfo {
  Halide::Func func;
  FuncKind kind;
  /// The nn op it belongs to ("nn.add").
  std::string opName;
  /// Row-major static shape of the tensor value the Func is bound to
  /// (mlir::ShapedType::kDynamic where dynamic); empty for a Func that is
  /// not bound to a value. The schedule sizes its tiles from it.
  std::vector<int64_t> staticShape;
  /// The schedule special case its op asked for.
  ScheduleHint hint = ScheduleHint::None;
};

/// One group lowered to a Halide pipeline.
struct HalideGroup {
  GroupInterface interface;
  /// One ImageParam per input, in interface order.
  std::vector<Halide::ImageParam> inputParams;
  /// One Func per output, in interface order.
  std::vector<Halide::Func> outputFuncs;
  /// Row-major extents of every output as expressions of the input extents.
  std::vector<std::vector<Halide::Expr>> outputExtents;
  /// Every Func the group defines, in definition order.
  std::vector<FuncInfo> funcs;
  /// The scheduled pipeline of `outputFuncs`.
  Halide::Pipeline pipeline;

  /// The kernel's arguments in calling order: the inputs, then the outputs
  /// are appended by Halide (one halide_buffer_t per output Func).
  std::vector<Halide::Argument> arguments() const;
  /// Run-time row-major shapes of the outputs given those of the inputs.
  /// Fails (returns an empty vector) if an extent does not fold to a
  /// constant.
  std::vector<std::vector<int64_t>>
  outputShapes(llvm::ArrayRef<std::vector<int64_t>> inputShapes) const;
};

/// Lowers each group of `func` to a scheduled Halide pipeline. Emits an
/// error at the first op it cannot lower (naming it) and fails. A group none
/// of whose results is used outside it (dead ops) yields no pipeline, and a
/// function argument returned as it is belongs to no group: the caller
/// copies it. Group names (`<func>_g<i>`) count the pipelines returned.
mlir::FailureOr<std::vector<HalideGroup>>
lowerGroupsToHalide(mlir::func::FuncOp func, llvm::ArrayRef<OpGroup> groups);

/// For tests of the diagnostics only (dlc's hidden
/// --debug-halide-fault=OP): the kernels of groups containing an op named
/// `opName` store their first static input with a storage bound of one
/// element, a schedule bug that Halide proves at compile time ("guaranteed
/// to fail an assertion at runtime"). Empty: off.
void setFaultForTesting(llvm::StringRef opName);

/// formGroups + lowerGroupsToHalide.
mlir::FailureOr<std::vector<HalideGroup>> lowerToHalide(mlir::func::FuncOp func,
                                                        GroupingPolicy policy);

//===----------------------------------------------------------------------===//
// Emit stages and AOT compilation
//===----------------------------------------------------------------------===//

/// Prints the groups at the Halide level: the interface of each group and
/// the definition (pure and update) of each of its Funcs (`--emit=halide`).
void printHalide(llvm::ArrayRef<HalideGroup> groups, llvm::raw_ostream &os);

/// Prints Halide's lowered statement of every group for `target` (default
/// host) (`--emit=stmt`). Fails with a message in `error` on a Halide error.
mlir::LogicalResult printStmt(llvm::ArrayRef<HalideGroup> groups,
                              llvm::raw_ostream &os,
                              std::string *error = nullptr,
                              const std::string &target = "host");

/// Compiles every group ahead of time into one file at `path`: a static
/// library when `path` ends in `.a`, otherwise an object file, with the
/// Halide runtime included (and a C header next to it, `path` with its
/// extension replaced by `.h`). Each group is one function with C linkage
///   int <func>_g<i>(halide_buffer_t *in_0, ..., halide_buffer_t *out_0, ...)
/// taking its interface's inputs then outputs, in order, and returning 0 on
/// success. `target` is a Halide target string ("host", "x86-64-linux-avx2").
mlir::LogicalResult compileGroupsToObject(llvm::ArrayRef<HalideGroup> groups,
                                          const std::string &target,
                                          const std::string &path,
                                          std::string *error = nullptr);

/// A key that is equal for two groups exactly when they compute the same
/// function of their inputs: the ops in order, with their attributes,
/// operand positions and types, and the interface. Locations do not count.
std::string kernelFingerprint(const HalideGroup &group);

/// Gives every group that computes the same function as an earlier group
/// (equal kernelFingerprint) the earlier group's kernel name, so that one
/// kernel serves both. Returns the indices of the distinct kernels, in
/// order.
std::vector<size_t> shareIdenticalKernels(llvm::MutableArrayRef<HalideGroup> groups);

/// How compileKernels runs.
struct KernelCompileOptions {
  /// A Halide target string, or "host".
  std::string target = "host";
  /// Worker processes; 0 means one per core.
  unsigned jobs = 0;
  /// Existing directory for the objects and the workers' logs.
  std::string directory;
  /// Keep Halide's run-time assertions in the kernels (buffer shapes and
  /// strides, allocation failures, 32-bit extents). Off by default: the
  /// driver passes exactly the buffers the kernels were compiled for, every
  /// assertion Halide can decide while compiling is still a compile error
  /// (KernelProblem), the check tools run the kernels with assertions, and
  /// without them a kernel compiles in about half the time.
  bool runtimeChecks = false;
};

/// Something Halide reported while compiling one group's kernel.
struct KernelProblem {
  /// Index of the group (into the groups given to compileKernels).
  size_t group;
  /// Halide's message.
  std::string message;
  /// An error, or a warning that the kernel is guaranteed to fail at run
  /// time; otherwise a plain warning.
  bool fatal;
};

/// The number of cores (at least 1).
unsigned defaultCompileJobs();

/// Compiles the groups listed in `kernels` (the distinct ones, see
/// shareIdenticalKernels) into one object each, in parallel worker
/// processes, plus one object with the Halide runtime; appends their paths
/// to `objects`. Each kernel is the C function described at
/// compileGroupsToObject. Every Halide error and every warning is appended
/// to `problems` for its group; fails when any is fatal (`error` is then
/// empty), or with a message in `error` when something else goes wrong.
mlir::LogicalResult compileKernels(llvm::ArrayRef<HalideGroup> groups,
                                   llvm::ArrayRef<size_t> kernels,
                                   const KernelCompileOptions &options,
                                   std::vector<std::string> &objects,
                                   std::vector<KernelProblem> &problems,
                                   std::string *error = nullptr);

/// The Halide target of the CPU dlc runs on, built from its cpuid feature
/// bits and the register state the OS enables (never a CPU model that
/// implies features the CPU lacks, as Halide 14's own detection does on
/// AMD Zen 4).
Halide::Target hostTarget();

/// The CPU features (lower-case names: "avx2", "avx512f", ...) that kernels
/// compiled for `target` may use; the trainer checks them at start-up.
std::vector<std::string> cpuFeaturesOf(const Halide::Target &target);

/// Parses a Halide target string ("host" means the host with its features).
/// Fails with a message in `error` on an invalid string.
mlir::FailureOr<Halide::Target> parseHalideTarget(const std::string &target,
                                                  std::string *error);

} // namespace dlc::nn

#endif // DLC_CONVERSION_NNTOHALIDE_NNTOHALIDE_H
