//===- NNToHalide.cpp - Groups of nn ops to Halide pipelines --------------===//
//
// The lowering of nn-to-halide: computes each group's live-in and live-out
// tensors, binds live-ins to ImageParams, hands each op to its Halide
// algorithm (HalideOpInterface), collects the outputs into a Pipeline and
// lets the schedule module schedule it. Grouping is in Grouping.cpp, the
// emit stages in Emit.cpp, ahead-of-time compilation in Compile.cpp.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "dlc/Dialect/NN/IR/NNOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <sstream>

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::nn::hl;

//===----------------------------------------------------------------------===//
// Lowering of one group
//===----------------------------------------------------------------------===//

namespace {

/// Names of the values of a function: `arg<i>` for arguments, `val<k>` for
/// the k-th op result. They name buffers, so they are C identifiers.
llvm::DenseMap<Value, std::string> nameValues(func::FuncOp func) {
  llvm::DenseMap<Value, std::string> names;
  for (BlockArgument arg : func.getArguments())
    names[arg] = "arg" + std::to_string(arg.getArgNumber());
  int k = 0;
  func.walk([&](Operation *op) {
    for (Value r : op->getResults())
      names[r] = "val" + std::to_string(k++);
  });
  return names;
}

/// Lowers `op` with its HalideOpInterface rule.
LogicalResult lowerOp(Operation *op, GroupBuilder &b) {
  auto lowerable = dyn_cast<HalideOpInterface>(op);
  if (!lowerable)
    return op->emitError() << "nn-to-halide: cannot lower '" << op->getName()
                           << "' to Halide yet";
  b.hintSchedule(ScheduleHint::None);
  try {
    return lowerable.lowerToHalide(b);
  } catch (const Halide::Error &e) {
    return op->emitError() << "nn-to-halide: Halide rejected the lowering "
                              "of '"
                           << op->getName() << "': " << e.what();
  }
}

/// The input whose extent `extent` is, when it is exactly one.
DimSource findDimSource(const Expr &extent,
                        llvm::ArrayRef<Halide::ImageParam> params) {
  Expr e = Halide::Internal::simplify(extent);
  const auto *var = e.as<Halide::Internal::Variable>();
  if (!var)
    return {};
  for (size_t i = 0; i < params.size(); ++i)
    for (int k = 0; k < params[i].dimensions(); ++k)
      if (var->name == params[i].name() + ".extent." + std::to_string(k))
        return {static_cast<int>(i), params[i].dimensions() - 1 - k};
  return {};
}

/// Declares the layout every caller passes (dlrt_make_buffer, the checker's
/// Halide::Buffer): dense row-major, every dimension starting at 0, static
/// extents as constants. Halide then knows each stride at compile time (a
/// [?, 32, 14, 14] tensor has strides 1, 14, 196, 6272) and folds the
/// address arithmetic of unrolled register tiles into constant offsets
/// instead of carrying run-time strides and mins through every loop.
void constrainLayout(Halide::OutputImageParam buffer,
                     llvm::ArrayRef<int64_t> rowMajorShape) {
  int rank = static_cast<int>(rowMajorShape.size());
  for (int d = 0; d < rank; ++d) {
    Halide::Internal::Dimension dim = buffer.dim(d);
    dim.set_min(0);
    int64_t extent = rowMajorShape[rank - 1 - d];
    if (!ShapedType::isDynamic(extent))
      dim.set_extent(static_cast<int>(extent));
    if (d == 0)
      dim.set_stride(1);
    else
      dim.set_stride(buffer.dim(d - 1).stride() * buffer.dim(d - 1).extent());
  }
}

/// See setFaultForTesting.
std::string &faultOpName() {
  static std::string name;
  return name;
}

FailureOr<HalideGroup>
lowerGroup(func::FuncOp func, const OpGroup &group, int index,
           const llvm::DenseMap<Value, std::string> &names) {
  HalideGroup g;
  g.interface.name = func.getName().str() + "_g" + std::to_string(index);
  g.interface.ops = group.ops;
  llvm::DenseSet<Operation *> members(group.ops.begin(), group.ops.end());
  GroupBuilder b(g.funcs, names);

  auto describe = [&](Value v) -> FailureOr<TensorInterface> {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    Halide::Type ht =
        type ? halideElementType(type.getElementType()) : Halide::Handle();
    if (ht.is_handle()) {
      // Point at the op that defines the value, or the first that uses it.
      Operation *at = v.getDefiningOp();
      if (!at && !v.use_empty())
        at = *v.getUsers().begin();
      if (!at)
        at = func;
      return at->emitError()
             << "nn-to-halide: unsupported tensor type " << v.getType()
             << " (f32 floats, i32 and i64 integers)";
    }
    TensorInterface t;
    t.name = names.lookup(v);
    t.value = v;
    t.elementType = type.getElementType();
    t.halideType = ht;
    t.shape.assign(type.getShape().begin(), type.getShape().end());
    return t;
  };

  // Live-ins become ImageParams: function arguments in argument order,
  // then results of other groups in definition order.
  llvm::SetVector<Value> uses;
  for (Operation *op : group.ops)
    for (Value operand : op->getOperands())
      if (!operand.getDefiningOp() || !members.count(operand.getDefiningOp()))
        uses.insert(operand);
  std::vector<Value> liveIns(uses.begin(), uses.end());
  llvm::DenseMap<Operation *, int> position;
  for (auto [i, op] : llvm::enumerate(func.getBody().front()))
    position[&op] = static_cast<int>(i);
  auto order = [&](Value v) -> std::pair<int, int> {
    if (auto arg = dyn_cast<BlockArgument>(v))
      return {0, static_cast<int>(arg.getArgNumber())};
    return {1, position.lookup(v.getDefiningOp()) * 64 +
                   static_cast<int>(cast<OpResult>(v).getResultNumber())};
  };
  std::stable_sort(liveIns.begin(), liveIns.end(),
                   [&](Value a, Value b) { return order(a) < order(b); });
  Func faulted; // see setFaultForTesting
  for (Value v : liveIns) {
    FailureOr<TensorInterface> t = describe(v);
    if (failed(t))
      return failure();
    int rank = static_cast<int>(t->shape.size());
    Halide::ImageParam param(t->halideType, rank, t->name);
    constrainLayout(param, t->shape);
    Func wrapper(t->name + "_in");
    if (!faultOpName().empty() && !faulted.defined() && rank > 0 &&
        !ShapedType::isDynamic(t->shape.back()) && t->shape.back() > 1 &&
        llvm::any_of(group.ops, [](Operation *op) {
          return op->getName().getStringRef() == faultOpName();
        }))
      faulted = wrapper;
    Index vars = pureVars(rank);
    std::vector<Expr> shape;
    for (int d = 0; d < rank; ++d)
      shape.push_back(param.dim(rank - 1 - d).extent());
    at(wrapper, vars) = param(toHalideOrder(vars));
    g.funcs.push_back({wrapper, FuncKind::Input, ""});
    b.set(v, wrapper, shape);
    g.inputParams.push_back(param);
    g.interface.inputs.push_back(std::move(*t));
  }

  for (Operation *op : group.ops)
    if (failed(lowerOp(op, b)))
      return failure();

  // Live-outs: results used outside the group, in definition order.
  for (Operation *op : group.ops)
    for (Value r : op->getResults()) {
      bool escapes = llvm::any_of(
          r.getUsers(), [&](Operation *user) { return !members.count(user); });
      if (!escapes)
        continue;
      FailureOr<TensorInterface> t = describe(r);
      if (failed(t))
        return failure();
      const HTensor &ht = b.get(r);
      for (const Expr &e : ht.shape)
        t->dimSources.push_back(findDimSource(e, g.inputParams));
      for (size_t d = 0; d < t->shape.size(); ++d)
        if (!ShapedType::isDynamic(t->shape[d]))
          t->dimSources[d] = DimSource();
      g.outputFuncs.push_back(ht.func);
      g.outputExtents.push_back(ht.shape);
      g.interface.outputs.push_back(std::move(*t));
    }
  if (g.outputFuncs.empty())
    return g; // nothing escapes: the caller drops the group
  try {
    for (size_t i = 0; i < g.outputFuncs.size(); ++i)
      constrainLayout(g.outputFuncs[i].output_buffer(),
                      g.interface.outputs[i].shape);
    g.pipeline = Halide::Pipeline(g.outputFuncs);
    scheduleGroup(g);
    // The consumers read the whole innermost dimension; a storage bound of
    // one element is the kind of schedule bug Halide proves at compile time.
    if (faulted.defined())
      faulted.compute_root().bound_storage(faulted.args()[0], 1);
  } catch (const Halide::Error &e) {
    return group.ops.front()->emitError()
           << "nn-to-halide: Halide rejected the schedule of the kernel of '"
           << group.ops.front()->getName() << "' (" << g.interface.name
           << "): " << e.what();
  }
  return g;
}

} // namespace

void dlc::nn::setFaultForTesting(llvm::StringRef opName) {
  faultOpName() = opName.str();
}

std::vector<Halide::Argument> HalideGroup::arguments() const {
  std::vector<Halide::Argument> args;
  for (const Halide::ImageParam &p : inputParams)
    args.push_back(p);
  return args;
}

std::vector<std::vector<int64_t>> HalideGroup::outputShapes(
    llvm::ArrayRef<std::vector<int64_t>> inputShapes) const {
  std::map<std::string, Expr> bindings;
  for (size_t i = 0; i < inputParams.size() && i < inputShapes.size(); ++i) {
    int rank = inputParams[i].dimensions();
    for (int k = 0; k < rank && k < (int)inputShapes[i].size(); ++k)
      bindings[inputParams[i].name() + ".extent." + std::to_string(k)] =
          Expr(static_cast<int>(inputShapes[i][rank - 1 - k]));
  }
  std::vector<std::vector<int64_t>> shapes;
  for (const std::vector<Expr> &extents : outputExtents) {
    std::vector<int64_t> shape;
    for (const Expr &e : extents) {
      Expr folded =
          Halide::Internal::simplify(Halide::Internal::substitute(bindings, e));
      const int64_t *c = Halide::Internal::as_const_int(folded);
      if (!c)
        return {};
      shape.push_back(*c);
    }
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

FailureOr<std::vector<HalideGroup>>
dlc::nn::lowerGroupsToHalide(func::FuncOp func,
                             llvm::ArrayRef<OpGroup> groups) {
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return func.emitError("nn-to-halide: needs a function with one block");
  for (Operation &op : func.getBody().front())
    if (!isa<NNDialect>(op.getDialect()) &&
        !op.hasTrait<OpTrait::IsTerminator>())
      return op.emitError() << "nn-to-halide: cannot lower '" << op.getName()
                            << "' (only nn ops)";
  llvm::DenseMap<Value, std::string> names = nameValues(func);
  std::vector<HalideGroup> result;
  for (const OpGroup &group : groups) {
    FailureOr<HalideGroup> g =
        lowerGroup(func, group, static_cast<int>(result.size()), names);
    if (failed(g))
      return failure();
    if (!g->outputFuncs.empty())
      result.push_back(std::move(*g));
  }
  return result;
}

FailureOr<std::vector<HalideGroup>>
dlc::nn::lowerToHalide(func::FuncOp func, GroupingPolicy policy) {
  return lowerGroupsToHalide(func, formGroups(func, policy));
}
