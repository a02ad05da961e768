//===- Builtins.h - The built-in ops and their shape rules ------*- C++ -*-===//
//
// Each built-in op is one entry: its signature, its shape rule and its nn
// form. The table in Builtins.cpp is the only list of built-in ops: Sema
// checks calls with it and MLIRGen emits them from it. Train-block
// vocabulary (data sources, optimisers, schedules, ...) is described here
// too, as tables of signatures (TrainVocabulary.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_SEMA_BUILTINS_H
#define DLC_SEMA_BUILTINS_H

#include "dlc/Sema/Signature.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <climits>
#include <vector>

namespace dlc::sema {

/// The arguments of one op call, bound to the op's signature, for its shape
/// rule. `types[i]` is the type of argument i if it is a tensor;
/// `consts[i]` its value otherwise (defaults filled in).
class OpContext {
public:
  OpContext(const FuncSpec &spec, std::vector<Type> types,
            std::vector<Const> consts)
      : spec(spec), types(std::move(types)), consts(std::move(consts)) {}

  const Type &type(unsigned i) const { return types[i]; }
  /// Tensor types of a TensorList argument.
  const std::vector<Type> &listTypes() const { return listTys; }
  void setListTypes(std::vector<Type> t) { listTys = std::move(t); }
  const Const &arg(unsigned i) const { return consts[i]; }
  bool present(unsigned i) const {
    return types[i].isTensor() || !consts[i].isNone();
  }
  int64_t intArg(unsigned i) const { return consts[i].i; }
  double floatArg(unsigned i) const { return consts[i].asDouble(); }

  /// Records a shape error; the shape rule then returns Type::error().
  Type fail(std::string msg) {
    message = std::move(msg);
    return Type::error();
  }
  /// Records an element-type error.
  Type failType(std::string msg) {
    typeError = true;
    return fail(std::move(msg));
  }
  bool isTypeError() const { return typeError; }
  const std::string &getMessage() const { return message; }
  const FuncSpec &getSpec() const { return spec; }

private:
  const FuncSpec &spec;
  std::vector<Type> types;
  std::vector<Const> consts;
  std::vector<Type> listTys;
  std::string message;
  bool typeError = false;
};

/// The largest number of elements of one tensor (Halide indexes with 32 bits).
constexpr int64_t kMaxElements = INT32_MAX;

using ShapeRule = Type (*)(OpContext &);

/// How a constant argument of a call becomes an attribute of its nn op.
enum class AttrForm {
  F64,        ///< a number, as an f64 attribute
  I64,        ///< an int
  Bool,       ///< a bool
  Axis,       ///< an axis of the first operand, normalised to 0..rank-1
  SortedAxes, ///< axes of the first operand (absent: none, meaning all),
              ///< normalised and sorted
  Perm,       ///< a permutation of the first operand's axes (absent: the
              ///< reversed axes), normalised
  Pair,       ///< two ints, as a dense i64 array
};

/// One attribute of the nn op: the argument `arg` in the form `form`, named
/// `attr`; when `arg` is absent, the argument `orArg` instead.
struct AttrBinding {
  const char *arg;
  const char *attr;
  AttrForm form;
  const char *orArg = nullptr;
};

/// The ops whose nn form is not one nn op with the call's operands: a
/// composition of nn ops, or a form that depends on training/inference.
/// MLIRGen has one emitter for each (a switch, so a new value without an
/// emitter is a compiler warning, an error in this project's build).
enum class Expansion {
  None,            ///< the direct nn op
  Pow,             ///< nn.pow for a constant exponent, else exp(y log x)
  Abs,             ///< x * sign(x)
  Matmul,          ///< vectors promoted to 1-row/1-column matrices
  Reshape,         ///< nn.reshape, at most one symbolic dimension
  AdaptiveAvgPool, ///< nn.avg_pool2d with the kernel that divides the input
  BatchNorm,       ///< batch statistics and running-statistic updates
                   ///< (training); the direct op (inference)
  LayerNorm,       ///< mean, variance and scaling over the last axis
  Dropout,         ///< nn.dropout with a seed (training); identity (inference)
  CrossEntropy,    ///< the direct op for class indices; log_softmax, mul,
                   ///< sum and mean for class probabilities
  Slice,           ///< nn.slice along one axis (sliceBounds)
  Pad,             ///< nn.pad from PyTorch's (last-axis-first) pairs
                   ///< (padsPerAxis)
  Random,          ///< nn.init_normal / nn.init_uniform with a seed, and the
                   ///< batch of the function's first input for `B`
  Upsample,        ///< nn.upsample_nearest2d or nn.upsample_bilinear2d
                   ///< (the `mode` argument)
  Stack,           ///< nn.reshape of each tensor (a new unit axis), then
                   ///< nn.concat along it
  Attention,       ///< softmax(q k^T / sqrt(D) [+ causal mask]) v:
                   ///< nn.transpose, nn.matmul, nn.mul, nn.add of a
                   ///< constant mask, nn.softmax, nn.matmul
  NotYet,          ///< refused by code generation (`notYet` says what)
};

/// `slice(x, axis, start, end, step)` along an axis of size `size`: start
/// and end as in Python (negative: from the end; clamped to [0, size]; an
/// absent end is `size`), and the result's length. False if it is empty or
/// the step is not positive. Shared by the shape rule and MLIRGen.
bool sliceBounds(int64_t size, int64_t start, std::optional<int64_t> end,
                 int64_t step, int64_t &first, int64_t &limit,
                 int64_t &length);

/// `pad(x, pads)` as PyTorch's F.pad: pairs (before, after) for the last
/// axis, then the one before it, ...; returns (before, after) per axis of a
/// rank-`rank` tensor. Shared by the shape rule and MLIRGen.
std::vector<std::pair<int64_t, int64_t>>
padsPerAxis(const std::vector<int64_t> &pads, unsigned rank);

/// How MLIRGen emits a call: the nn op named `op` with the call's tensor
/// operands in signature order (absent optional ones left out), its result
/// type, and the attributes `attrs`; or `expansion`, which may use the direct
/// form for some of its cases.
struct Emission {
  llvm::StringRef op;
  std::vector<AttrBinding> attrs;
  /// Operands after the first are broadcast to the first's shape (the
  /// element-wise losses, whose nn form needs equal shapes).
  bool broadcastToFirst = false;
  Expansion expansion = Expansion::None;
  const char *notYet = nullptr;
};

/// One built-in op: how to check a call (signature and shape rule) and how
/// to emit it.
struct OpInfo {
  FuncSpec spec;
  ShapeRule rule;
  Emission emit;
};

/// The built-in op called `name`, or null.
const OpInfo *lookupOp(const std::string &name);
/// Every built-in op name (for suggestions and documentation).
std::vector<std::string> allOpNames();
/// Every built-in op as `name(arg, arg=default, ...): summary`, in table
/// order (`dlc --list-ops`).
std::vector<std::string> describeOps();

/// Broadcasts two shapes by numpy rules. Returns false if incompatible.
bool broadcastShapes(const Shape &a, const Shape &b, Shape &out);

/// A table of constructors that a train-block key or a `param ... init`
/// accepts: e.g. the optimisers for `optimizer`.
struct ConstructorTable {
  std::string what; ///< "optimizer", "schedule", ... for messages
  std::vector<FuncSpec> entries;
  const FuncSpec *find(const std::string &name) const {
    for (const FuncSpec &f : entries)
      if (f.name == name)
        return &f;
    return nullptr;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> n;
    for (const FuncSpec &f : entries)
      n.push_back(f.name);
    return n;
  }
};

const ConstructorTable &initializers();
const ConstructorTable &dataSources();
const ConstructorTable &optimizers();
const ConstructorTable &schedules();
const ConstructorTable &earlyStopping();
/// Losses usable as `loss = ...`: their configuration arguments only.
const ConstructorTable &lossConfigs();
/// The call form of `target`: input_mask(threshold=0.5).
const ConstructorTable &targetCalls();
const std::vector<std::string> &metricNames();
const std::vector<std::string> &monitorNames();
/// `normalize = ...`: the normalisations the trainer runs, by name, and as
/// constructors with their arguments (the whitenings' eps).
const std::vector<std::string> &normalizations();
const ConstructorTable &normalizationCalls();
/// The entries of `augment = [...]`.
const ConstructorTable &augmentations();
/// `balance = ...`: the class balancings of the training split.
const std::vector<std::string> &balancings();
/// The names of the runtime's vocabulary (dlrt/vocabulary.h) that the tables
/// above do not accept, as "schedule 'cosine'"; empty when they agree.
std::vector<std::string> vocabularyMismatches();

/// What a data source yields per sample, when it is fixed by the source.
struct DataSignature {
  bool known = false;
  Type sample; // e.g. f32[1, 28, 28]
  Type label;  // e.g. i64[]
  int64_t classes = 0;
  /// The source's targets can only be class labels (fashion_mnist, mnist);
  /// idx, csv and npy files may hold class labels or float targets.
  bool classesOnly = false;
  /// The source yields a sequence of token ids per sample and one class
  /// label per token (text): labels [T], scores [B, T, C].
  bool sequence = false;
};
DataSignature dataSignature(const Const &source);

} // namespace dlc::sema

#endif // DLC_SEMA_BUILTINS_H
