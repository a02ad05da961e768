//===- NNToHalide.cpp - Groups of nn ops to Halide pipelines --------------===//
//
// The driver of nn-to-halide: forms groups, computes each group's live-in
// and live-out tensors, binds live-ins to ImageParams, hands each op to the
// algorithm of its family, collects the outputs into a Pipeline and lets the
// schedule module schedule it. Also the emit stages (Halide-level text,
// lowered statements) and ahead-of-time compilation.
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
// Grouping
//===----------------------------------------------------------------------===//

std::vector<OpGroup> dlc::nn::formGroups(func::FuncOp func,
                                         GroupingPolicy policy) {
  std::vector<OpGroup> groups;
  if (func.isExternal())
    return groups;
  for (Operation &op : func.getBody().front()) {
    if (op.hasTrait<OpTrait::IsTerminator>())
      continue;
    if (policy == GroupingPolicy::PerOp || groups.empty())
      groups.emplace_back();
    groups.back().ops.push_back(&op);
  }
  return groups;
}

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

//===----------------------------------------------------------------------===//
// Emit stages
//===----------------------------------------------------------------------===//

namespace {

const char *kindName(FuncKind kind) {
  switch (kind) {
  case FuncKind::Input:
    return "input";
  case FuncKind::Elementwise:
    return "elementwise";
  case FuncKind::Reduction:
    return "reduction";
  case FuncKind::Window:
    return "window";
  case FuncKind::Matmul:
    return "matmul";
  case FuncKind::Conv:
    return "conv";
  case FuncKind::Readout:
    return "readout";
  }
  return "?";
}

/// `name: 4x?xfloat32`, with where each dynamic output extent comes from
/// (`{?1 = arg0.0}`: dimension 1 has the extent of dimension 0 of arg0).
std::string tensorSignature(const TensorInterface &t,
                            llvm::ArrayRef<TensorInterface> inputs = {}) {
  std::string s = t.name + ": ";
  for (int64_t d : t.shape)
    s +=
        (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d)) + "x";
  std::ostringstream type;
  type << t.halideType;
  s += type.str();
  std::string sources;
  for (size_t d = 0; d < t.dimSources.size(); ++d) {
    if (!ShapedType::isDynamic(t.shape[d]))
      continue;
    const DimSource &src = t.dimSources[d];
    sources +=
        (sources.empty() ? "" : ", ") + std::string("?") + std::to_string(d) +
        " = " +
        (src.input >= 0 ? inputs[src.input].name + "." + std::to_string(src.dim)
                        : std::string("computed"));
  }
  return sources.empty() ? s : s + " {" + sources + "}";
}

template <typename T> std::string joined(const std::vector<T> &items) {
  std::ostringstream os;
  for (size_t i = 0; i < items.size(); ++i)
    os << (i ? ", " : "") << items[i];
  return os.str();
}

} // namespace

void dlc::nn::printHalide(llvm::ArrayRef<HalideGroup> groups,
                          llvm::raw_ostream &os) {
  for (const HalideGroup &g : groups) {
    os << "// group " << g.interface.name << ": " << g.interface.ops.size()
       << " op(s)\n";
    os << "pipeline " << g.interface.name << "(";
    for (size_t i = 0; i < g.interface.inputs.size(); ++i)
      os << (i ? ", " : "") << tensorSignature(g.interface.inputs[i]);
    os << ") -> (";
    for (size_t i = 0; i < g.interface.outputs.size(); ++i)
      os << (i ? ", " : "")
         << tensorSignature(g.interface.outputs[i], g.interface.inputs);
    os << ") {\n";
    for (const FuncInfo &info : g.funcs) {
      const Func &f = info.func;
      std::vector<Halide::Var> args = f.args();
      std::ostringstream def;
      def << "  " << f.name() << "(" << joined(args)
          << ") = " << joined(f.values().as_vector());
      os << def.str() << "  // " << kindName(info.kind);
      if (!info.opName.empty())
        os << ", " << info.opName;
      os << "\n";
      for (int u = 0; u < f.num_update_definitions(); ++u) {
        std::ostringstream upd;
        upd << "  " << f.name() << "(" << joined(f.update_args(u))
            << ") = " << joined(f.update_values(u).as_vector());
        const std::vector<Halide::Internal::ReductionVariable> &rvars =
            f.function().update(u).schedule().rvars();
        if (!rvars.empty()) {
          upd << "  // over";
          for (const Halide::Internal::ReductionVariable &r : rvars)
            upd << " " << r.var << " in [" << r.min << ", "
                << Halide::Internal::simplify(r.min + r.extent) << ")";
        }
        os << upd.str() << "\n";
      }
    }
    os << "  return ";
    for (size_t i = 0; i < g.outputFuncs.size(); ++i)
      os << (i ? ", " : "") << g.outputFuncs[i].name();
    os << "\n}\n\n";
  }
}

FailureOr<Halide::Target> dlc::nn::parseHalideTarget(const std::string &target,
                                                     std::string *error) {
  if (target.empty() || target == "host")
    return hostTarget();
  // `host-<features>`: this CPU's target plus the given features.
  std::string spelled = target;
  if (llvm::StringRef(target).starts_with("host-"))
    spelled = hostTarget().to_string() + target.substr(4);
  if (!Halide::Target::validate_target_string(spelled)) {
    if (error)
      *error = "invalid Halide target '" + target + "'";
    return failure();
  }
  return Halide::Target(spelled);
}

LogicalResult dlc::nn::printStmt(llvm::ArrayRef<HalideGroup> groups,
                                 llvm::raw_ostream &os, std::string *error,
                                 const std::string &target) {
  FailureOr<Halide::Target> t = parseHalideTarget(target, error);
  if (failed(t))
    return failure();
  llvm::SmallString<128> path;
  if (llvm::sys::fs::createTemporaryFile("dlc-halide", "stmt", path)) {
    if (error)
      *error = "cannot create a temporary file";
    return failure();
  }
  for (const HalideGroup &g : groups) {
    try {
      // Through a module (as compile_to_lowered_stmt does) so that the
      // function carries the group's name.
      Halide::Pipeline pipeline =
          g.pipeline; // a handle; compiling is not const
      Halide::Module module =
          pipeline.compile_to_module(g.arguments(), g.interface.name, *t);
      module.compile({{Halide::OutputFileType::stmt, path.str().str()}});
    } catch (const Halide::Error &e) {
      if (error)
        *error = e.what();
      llvm::sys::fs::remove(path);
      return failure();
    }
    auto buffer = llvm::MemoryBuffer::getFile(path);
    if (!buffer) {
      if (error)
        *error = "cannot read the lowered statement";
      return failure();
    }
    os << "// group " << g.interface.name << "\n"
       << (*buffer)->getBuffer() << "\n";
  }
  llvm::sys::fs::remove(path);
  return success();
}

LogicalResult dlc::nn::compileGroupsToObject(llvm::ArrayRef<HalideGroup> groups,
                                             const std::string &target,
                                             const std::string &path,
                                             std::string *error) {
  FailureOr<Halide::Target> t = parseHalideTarget(target, error);
  if (failed(t))
    return failure();
  if (groups.empty()) {
    if (error)
      *error = "no kernel to compile";
    return failure();
  }
  try {
    std::vector<Halide::Module> modules;
    for (const HalideGroup &g : groups) {
      Halide::Pipeline pipeline = g.pipeline;
      modules.push_back(
          pipeline.compile_to_module(g.arguments(), g.interface.name, *t));
    }
    llvm::StringRef stem = llvm::sys::path::stem(path);
    Halide::Module linked = Halide::link_modules(stem.str(), modules);
    llvm::SmallString<128> header(path);
    llvm::sys::path::replace_extension(header, "h");
    bool isLibrary = llvm::StringRef(path).ends_with(".a");
    linked.compile({{isLibrary ? Halide::OutputFileType::static_library
                               : Halide::OutputFileType::object,
                     path},
                    {Halide::OutputFileType::c_header, header.str().str()}});
  } catch (const Halide::Error &e) {
    if (error)
      *error = e.what();
    return failure();
  }
  return success();
}
