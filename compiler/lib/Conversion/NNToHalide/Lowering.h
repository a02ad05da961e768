//===- Lowering.h - Internals of the nn-to-halide algorithms ----*- C++ -*-===//
//
// The pieces the Halide algorithms of the ops share (they live in the op
// family files under compiler/lib/Dialect/NN/Ops/, as HalideOpInterface
// rules): the tensor value of a group (a Func plus its row-major extents),
// the one helper that reverses row-major indices into Halide's
// innermost-first argument order, and the builder that maps MLIR values to
// tensors and registers every new Func with its kind for the schedule
// module. Defined in Support.cpp (library DLCNNHalideSupport).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_CONVERSION_NNTOHALIDE_LOWERING_H
#define DLC_LIB_CONVERSION_NNTOHALIDE_LOWERING_H

#include "dlc/Conversion/NNToHalide/NNToHalide.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"

#include <string>
#include <vector>

namespace dlc::nn::hl {

using Halide::Expr;
using Halide::Func;

/// A row-major list of index expressions (outermost dimension first).
using Index = std::vector<Expr>;

//===----------------------------------------------------------------------===//
// Layout: the one place where row-major becomes Halide order
//===----------------------------------------------------------------------===//

/// Halide dimension 0 is the innermost: the row-major index [n, c, h, w]
/// becomes the Halide argument list (w, h, c, n).
std::vector<Expr> toHalideOrder(llvm::ArrayRef<Expr> rowMajor);

/// `f` at a row-major index; usable as a value, as the left-hand side of a
/// pure definition (when every index is a Var) or of an update.
Halide::FuncRef at(Func f, llvm::ArrayRef<Expr> rowMajor);

/// Fresh pure variables for a rank-`rank` tensor, row-major (named i0 for
/// the outermost dimension).
Index pureVars(int64_t rank);

/// A reduction domain over row-major `extents` (all starting at 0) whose
/// innermost loop is the last row-major dimension. `rvar(k)` is the RVar of
/// row-major dimension k.
struct RowMajorRDom {
  Halide::RDom rdom;
  int64_t rank = 0;
  RowMajorRDom(llvm::ArrayRef<Expr> extents, const std::string &name);
  Expr operator[](int64_t k) const;
};

//===----------------------------------------------------------------------===//
// Tensors of a group
//===----------------------------------------------------------------------===//

/// A tensor inside a group.
struct HTensor {
  /// Called with Halide-order arguments (use `at`).
  Func func;
  /// Row-major run-time extents (constants for static dimensions).
  std::vector<Expr> shape;
  /// Row-major static shape; mlir::ShapedType::kDynamic where dynamic.
  std::vector<int64_t> staticShape;
  Halide::Type type;

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  /// Whether row-major dimension `d` is a static 1 (a broadcast dimension).
  bool isStaticOne(int64_t d) const { return staticShape[d] == 1; }
  /// The value at a row-major index.
  Expr operator()(llvm::ArrayRef<Expr> idx) const;
};

/// Float(32) constant.
inline Expr f32(double v) { return Expr(static_cast<float>(v)); }
/// The product of extents (1 for none).
Expr product(llvm::ArrayRef<Expr> extents);
/// Row-major flat index of `idx` in a tensor of `shape`.
Expr flatIndex(llvm::ArrayRef<Expr> idx, llvm::ArrayRef<Expr> shape);

/// The index into `t` read by result index `idx` under numpy broadcasting
/// (right-aligned; static size-1 dimensions stretch).
Index broadcastIndex(const HTensor &t, llvm::ArrayRef<Expr> idx);
/// The run-time shape of `a` broadcast with `b` (numpy rules).
std::vector<Expr> broadcastShape(const HTensor &a, const HTensor &b);

/// Maps the values of one group to tensors and records the Funcs it defines.
class GroupBuilder {
public:
  GroupBuilder(std::vector<FuncInfo> &funcs,
               const llvm::DenseMap<mlir::Value, std::string> &names)
      : funcs(funcs), names(names) {}

  bool has(mlir::Value v) const { return values.count(v); }
  const HTensor &get(mlir::Value v) const { return values.find(v)->second; }
  /// Binds `v` to `func` with row-major extents `shape`; the static shape
  /// and the element type come from the type of `v`. Static dimensions of
  /// the type override `shape` (they are known constants).
  void set(mlir::Value v, Func func, std::vector<Expr> shape);

  /// A new, uniquely named Func for op `op`, registered with `kind`.
  Func newFunc(mlir::Operation *op, llvm::StringRef stem, FuncKind kind);
  /// A new Func that will be bound to result `v` of `op`, named after `v`
  /// (so that a group output carries the value's name), registered with
  /// `kind`.
  Func newResultFunc(mlir::Operation *op, mlir::Value v, FuncKind kind);
  /// Marks the Funcs this builder creates from now on (until the next op)
  /// with a schedule special case (see ScheduleHint).
  void hintSchedule(ScheduleHint h) { hint = h; }

private:
  std::vector<FuncInfo> &funcs;
  llvm::DenseMap<mlir::Value, HTensor> values;
  const llvm::DenseMap<mlir::Value, std::string> &names;
  int counter = 0;
  ScheduleHint hint = ScheduleHint::None;
};

/// The Halide element type of an MLIR tensor element type, or an
/// unsupported marker (Halide::Handle()).
Halide::Type halideElementType(mlir::Type elementType);

//===----------------------------------------------------------------------===//
// The schedule module
//===----------------------------------------------------------------------===//

/// Schedules the Funcs of one group (see Schedule.cpp for the rules).
void scheduleGroup(HalideGroup &group);

} // namespace dlc::nn::hl

#endif // DLC_LIB_CONVERSION_NNTOHALIDE_LOWERING_H
