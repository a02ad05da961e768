//===- SemaInternal.h - The elaborator, shared by Sema's files --*- C++ -*-===//
//
// The elaborator of Sema (the class `Sema`) and the values it works with.
// Its methods are defined by concern, one file each:
//   Sema.cpp            modules, `use`, declarations, the entry point
//   SemaTypes.cpp       element types, dimensions, shape patterns
//   SemaStatements.cpp  models, bodies, statements, parameters
//   SemaExpressions.cpp expressions and operators
//   SemaCalls.cpp       argument binding, built-in ops, layers, models,
//                       names in layers that are never called
//   SemaTrain.cpp       train blocks and train steps
// Private to the library: nothing outside compiler/lib/Sema includes it.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_LIB_SEMA_SEMAINTERNAL_H
#define DLC_LIB_SEMA_SEMAINTERNAL_H

#include "dlc/Sema/Builtins.h"
#include "dlc/Sema/Sema.h"

#include <map>
#include <optional>
#include <set>

namespace dlc::sema::detail {

using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;

/// The value of an expression during elaboration: a tensor (with the node
/// that computes it), a compile-time constant, or a list/tuple of those.
struct EV {
  Type type;
  TExprPtr node;         // tensors
  Const c;               // constants (also the constant form of lists)
  std::vector<EV> elems; // lists and tuples
  Loc loc;

  static EV error(Loc loc) {
    EV v;
    v.loc = loc;
    return v;
  }
  static EV constant(Const c, Loc loc) {
    EV v;
    v.c = std::move(c);
    v.loc = loc;
    switch (v.c.kind) {
    case Const::Kind::Int:
      v.type = Type::scalar(Type::Kind::Int);
      break;
    case Const::Kind::Float:
      v.type = Type::scalar(Type::Kind::Float);
      break;
    case Const::Kind::Bool:
      v.type = Type::scalar(Type::Kind::Bool);
      break;
    case Const::Kind::String:
      v.type = Type::scalar(Type::Kind::String);
      break;
    case Const::Kind::Dim:
      v.type = Type::scalar(Type::Kind::Dim);
      break;
    case Const::Kind::Symbol:
      v.type = Type::scalar(Type::Kind::Symbol);
      break;
    case Const::Kind::List:
      v.type = Type::scalar(Type::Kind::List);
      break;
    case Const::Kind::Call:
      v.type = Type::scalar(Type::Kind::Call);
      break;
    case Const::Kind::None:
      break;
    }
    return v;
  }
  static EV tensor(TExprPtr node) {
    EV v;
    v.type = node->type;
    v.loc = node->loc;
    v.node = std::move(node);
    return v;
  }
  bool isError() const { return type.isError(); }
  bool isTensor() const { return type.isTensor(); }
  bool isConst() const {
    return !isError() && !isTensor() && type.kind != Type::Kind::Tuple &&
           !c.isNone();
  }
};

/// Gives a constant list (`[1, 2]`, or a named one, which keeps only its
/// Const form) its elements as values, as a list with tensors has them.
inline void expandConstList(EV &list) {
  if (list.elems.empty() && list.c.kind == Const::Kind::List)
    for (const Const &c : list.c.list)
      list.elems.push_back(EV::constant(c, list.loc));
}

/// What a name stands for inside a body.
struct Binding {
  enum class Kind { Tensor, Const, List, Error } kind = Kind::Error;
  TExpr::Kind ref = TExpr::Kind::Local; // Input, Param or Local
  Type type;
  const TExpr *def = nullptr;
  const ParamInfo *param = nullptr;
  int index = 0;
  Const c;
  std::vector<Binding> elems; // List: a list with tensors (`ys = ys + [h]`)
  Loc loc;
};

/// One body being elaborated: a model, a layer instance, or a train step.
struct Scope {
  Model *model = nullptr;   // owner of the parameters
  Instance *inst = nullptr; // null in a train step
  std::string prefix;       // "" or "block_0.linear_1"
  std::map<std::string, Binding> vars;
  std::map<std::string, Dim> dims;      // bound dimension variables
  std::optional<Shape> ellipsis;        // what `...` matched
  std::map<std::string, int> callCount; // per layer, for call-site names
  std::set<std::string> instanceNames;
  bool inStep = false;
  bool returned = false;
  std::vector<TStmt> *stmts = nullptr;
  /// The layer of each instance name of this body (for `shared=`).
  std::map<std::string, const ast::FuncDecl *> instanceLayers;
  /// A shared instance's body: its parameters are those of the first call.
  bool sharing = false;
  /// `for` loops being elaborated around the current statement.
  int loopDepth = 0;
  /// In loops: the instance name of each layer call site in the iteration
  /// that first reached it, and the parameters each `param` statement
  /// declared there; later iterations share them.
  std::map<const ast::CallExpr *, std::string> loopCalls;
  std::map<const ast::ParamStmt *, Binding> loopParams;
};

struct ActualArg {
  std::string keyword;
  Loc loc;
  EV value;
};

/// A bound, converted argument.
struct BoundArg {
  bool present = false;
  Loc loc;
  Type type;
  TExprPtr node;               // Tensor / OptTensor
  std::vector<TExprPtr> nodes; // TensorList
  Const c;                     // everything else
};

/// Whether the known dimensions of `shape` multiply to at most kMaxElements.

/// Whether the known dimensions of `shape` multiply to at most kMaxElements.
bool withinElementLimit(const Shape &shape);
/// Source-like text of a (dimension) expression, for messages.
std::string exprText(const ast::Expr &e);
/// Source-like text of a type expression, for messages.
std::string typeText(const ast::TypeExpr &t);

class Sema {
public:
  Sema(DiagnosticEngine &diags, const SemaOptions &opts)
      : diags(diags), opts(opts) {}

  std::unique_ptr<Program> run(llvm::StringRef path);

private:
  //--- Modules and declarations ---------------------------------------------
  ast::Module *loadModule(llvm::StringRef path, llvm::StringRef name,
                          Loc useLoc);
  void processUses(ast::Module &mod, std::vector<std::string> &stack);
  void declare(ast::Module &mod);
  std::vector<std::string> functionNames() const;

  //--- Bodies -----------------------------------------------------------------
  void elaborateModel(const ast::FuncDecl &decl);
  void elaborateBody(const std::vector<ast::StmtPtr> &body, Scope &scope);
  void elaborateStmt(const ast::Stmt &stmt, Scope &scope);
  void elaborateParam(const ast::ParamStmt &stmt, Scope &scope);
  void elaborateFor(const ast::ForStmt &stmt, Scope &scope);
  /// The elements a `for` loop runs over; false after an error.
  bool loopItems(const ast::ForStmt &stmt, Scope &scope, std::vector<EV> &out);
  /// Binds `name` to a value as an assignment does (a tensor, a constant or
  /// a list); false (and an error binding) if the value cannot be named.
  bool bindValue(const std::string &name, Loc loc, EV value, Scope &scope);
  /// Binds every name that `body` would assign to an error, so that a body
  /// that is not elaborated does not leave them undefined.
  void poisonAssigned(const std::vector<ast::StmtPtr> &body, Scope &scope);
  void checkResult(const ast::FuncDecl &decl, Scope &scope, Instance &inst);

  //--- Expressions ------------------------------------------------------------
  EV eval(const ast::Expr &e, Scope &scope);
  EV evalName(const ast::NameExpr &e, Scope &scope);
  EV evalBinary(const ast::BinaryExpr &e, Scope &scope);
  EV evalNeg(const ast::NegExpr &e, Scope &scope);
  EV evalCompare(const ast::BinaryExpr &e, const EV &l, const EV &r);
  EV evalCall(const ast::CallExpr &e, Scope &scope);
  /// `split(x, sizes, axis=0)`: a tuple of slices of x (see evalSplit).
  EV evalSplit(const ast::CallExpr &e, Scope &scope);
  /// `x[...]`: slice, reshape and gather calls (see evalIndex).
  EV evalIndex(const ast::IndexExpr &e, Scope &scope);
  EV callOp(const OpInfo &op, const std::string &shownName, Loc loc,
            std::vector<ActualArg> args);
  EV callLayer(const ast::FuncDecl &decl, const ast::CallExpr &call,
               std::vector<ActualArg> args, Scope &scope);
  EV callModel(const Model &model, const ast::CallExpr &call,
               std::vector<ActualArg> args);
  std::vector<ActualArg> evalArgs(const std::vector<ast::Arg> &args,
                                  Scope &scope);
  TExprPtr refNode(const std::string &name, const Binding &b, Loc loc);

  //--- Arguments --------------------------------------------------------------
  bool bindArgs(const FuncSpec &spec, std::vector<ActualArg> &args, Loc callLoc,
                const std::string &callee, std::vector<BoundArg> &out);
  bool convertArg(const ArgSpec &spec, EV value, const std::string &callee,
                  BoundArg &out);

  //--- Types ------------------------------------------------------------------
  bool evalDim(const ast::Expr &e, Scope &scope, bool allowBind, Dim &out,
               std::optional<Dim> actual);
  std::string dimText(const ast::Expr &e) { return "'" + exprText(e) + "'"; }
  bool matchType(const ast::TypeExpr &pattern, const Type &actual, Scope &scope,
                 std::string &why, bool allowBind = true);
  std::optional<Type> concreteType(const ast::TypeExpr &t, Scope &scope,
                                   bool modelInput);
  bool resolveElementType(const ast::TypeExpr &t, DType &out);
  /// The argument kind of a scalar formal type (`int`, `float`, `bool`,
  /// `str`); reports an unknown name and returns false.
  bool scalarKind(const ast::TypeExpr &t, ArgKind &out);

  //--- Train blocks -----------------------------------------------------------
  void elaborateTrain(const ast::TrainDecl &decl);
  EV evalConfig(const ast::Expr &e);
  std::optional<Const>
  normalizeCall(const ast::Expr &e, const ConstructorTable &table,
                const std::function<EV(const ast::Expr &)> &evalArg);
  void elaborateStep(const ast::TrainStep &step, TrainConfig &cfg,
                     const ast::TrainSetting *show);
  void resolveShow(const ast::TrainSetting &show, TrainConfig &cfg,
                   const Scope &scope);
  void checkLoss(TrainConfig &cfg, const Const &data, const Const &loss, Loc at,
                 Loc targetAt);
  void checkMetrics(const TrainConfig &cfg, const Const &loss, Loc at,
                    Loc earlyStopAt);
  std::optional<Const>
  checkFreeze(const std::map<std::string, const ast::TrainSetting *> &given,
              const TrainConfig &cfg, const ast::TrainDecl &decl);
  void checkAugment(const TrainConfig &cfg, Loc at);
  /// Checks a text(...) data source; false if it does not fit.
  bool checkTextSource(const TrainConfig &cfg, Const &data, Loc at);
  void checkStepSettings(
      TrainConfig &cfg,
      const std::map<std::string, const ast::TrainSetting *> &given,
      const ast::TrainDecl &decl);
  void checkStepOrder(const TrainConfig &cfg);

  DiagnosticEngine &diags;
  const SemaOptions &opts;
  /// Layer calls already reported for a parameter with a dimension < 1.
  std::set<std::string> badParamCalls; ///< "model/call-site prefix"
  std::unique_ptr<Program> prog;
  std::map<std::string, const ast::FuncDecl *> funcs;
  std::map<std::string, ast::Module *> modulesByName;
  std::map<std::string, ast::Module *> modulesByPath;
  std::vector<const ast::FuncDecl *> instantiating; // recursion guard
  std::set<const ast::FuncDecl *> failedLayers;
  std::set<const ast::FuncDecl *> instantiated;
  void checkNames(const ast::FuncDecl &decl);
  void checkNamesIn(const ast::Expr &e, const std::set<std::string> &defined);
  void checkNamesIn(const std::vector<ast::StmtPtr> &body,
                    std::set<std::string> &defined);
  std::set<std::string> rejectedNames; // declarations refused by declare()
  bool moduleFailed = false;
  unsigned numInstances = 0;
  static constexpr unsigned kMaxInstances = 100000;
};

} // namespace dlc::sema::detail

#endif // DLC_LIB_SEMA_SEMAINTERNAL_H
