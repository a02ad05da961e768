//===- Emit.cpp - Halide-level text of lowered groups ---------------------===//
//
// The emit stages of nn-to-halide: the groups as Halide Func definitions
// (`--emit=halide`) and as Halide's lowered statements (`--emit=stmt`).
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
