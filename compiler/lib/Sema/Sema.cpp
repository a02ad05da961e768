//===- Sema.cpp - Name resolution, shapes and elaboration
//------------------===//
//
// Turns the parsed modules into a typed Program. The work is done per model:
// its body is elaborated statement by statement in a Scope; a layer call
// creates a nested Scope (an Instance), binds the layer's formal parameters
// to the actual arguments (matching tensor shapes against patterns such as
// `f32[..., I]`), elaborates the layer body there and checks the declared
// result type. Built-in ops are checked by the shape rules of Builtins.cpp.
// Train blocks are checked against the constructor tables of Builtins.cpp.
//
//===----------------------------------------------------------------------===//
#include "dlc/Sema/Sema.h"

#include "dlc/Parse/Parser.h"
#include "dlc/Sema/Builtins.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <map>
#include <optional>
#include <set>

using namespace dlc;
using namespace dlc::sema;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;

namespace {

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

/// What a name stands for inside a body.
struct Binding {
  enum class Kind { Tensor, Const, Error } kind = Kind::Error;
  TExpr::Kind ref = TExpr::Kind::Local; // Input, Param or Local
  Type type;
  const TExpr *def = nullptr;
  const ParamInfo *param = nullptr;
  int index = 0;
  Const c;
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
bool withinElementLimit(const Shape &shape) {
  int64_t elements = 1;
  for (const Dim &d : shape)
    if (d.isKnown() && (__builtin_mul_overflow(elements, d.size, &elements) ||
                        elements > kMaxElements))
      return false;
  return true;
}

/// Source-like text of a (dimension) expression, for messages.
std::string exprText(const ast::Expr &e) {
  switch (e.getKind()) {
  case ast::Expr::Kind::Name:
    return llvm::cast<ast::NameExpr>(e).name;
  case ast::Expr::Kind::Int:
    return std::to_string(llvm::cast<ast::IntExpr>(e).value);
  case ast::Expr::Kind::Float:
    return Const::ofFloat(llvm::cast<ast::FloatExpr>(e).value).str();
  case ast::Expr::Kind::Neg:
    return "-" + exprText(*llvm::cast<ast::NegExpr>(e).operand);
  case ast::Expr::Kind::Binary: {
    auto &b = llvm::cast<ast::BinaryExpr>(e);
    auto operand = [](const ast::Expr &o) {
      std::string t = exprText(o);
      return llvm::isa<ast::BinaryExpr>(o) ? "(" + t + ")" : t;
    };
    return operand(*b.lhs) + " " + std::string(1, b.op) + " " + operand(*b.rhs);
  }
  case ast::Expr::Kind::Call:
    return llvm::cast<ast::CallExpr>(e).callee + "(...)";
  default:
    return "...";
  }
}

std::string typeText(const ast::TypeExpr &t) {
  if (!t.isTensor)
    return t.name;
  std::string s = t.name + "[";
  for (size_t i = 0; i < t.dims.size(); ++i)
    s += (i ? ", " : "") + (t.dims[i].isEllipsis ? std::string("...")
                                                 : exprText(*t.dims[i].expr));
  return s + "]";
}

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
  void checkResult(const ast::FuncDecl &decl, Scope &scope, Instance &inst);

  //--- Expressions ------------------------------------------------------------
  EV eval(const ast::Expr &e, Scope &scope);
  EV evalName(const ast::NameExpr &e, Scope &scope);
  EV evalBinary(const ast::BinaryExpr &e, Scope &scope);
  EV evalNeg(const ast::NegExpr &e, Scope &scope);
  EV evalCall(const ast::CallExpr &e, Scope &scope);
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
  void elaborateStep(const ast::TrainStep &step, TrainConfig &cfg);
  void checkLoss(const TrainConfig &cfg, const Const &data, const Const &loss,
                 Loc at);

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

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

ast::Module *Sema::loadModule(llvm::StringRef path, llvm::StringRef name,
                              Loc useLoc) {
  llvm::SmallString<256> real;
  if (llvm::sys::fs::real_path(path, real))
    real = path;
  auto it = modulesByPath.find(std::string(real));
  if (it != modulesByPath.end())
    return it->second;
  std::string err;
  unsigned id = diags.loadFile(path, err);
  if (!id) {
    if (useLoc.isValid())
      diags.error(useLoc, "cannot read module '" + name + "' from " + path +
                              ": " + err);
    else
      diags.error("cannot read '" + path + "': " + err);
    return nullptr;
  }
  std::unique_ptr<ast::Module> mod = parseModule(diags, id, name);
  if (!mod)
    return nullptr;
  ast::Module *raw = mod.get();
  prog->modules.push_back(std::move(mod));
  modulesByPath[std::string(real)] = raw;
  return raw;
}

void Sema::processUses(ast::Module &mod, std::vector<std::string> &stack) {
  for (const ast::UseDecl &use : mod.uses) {
    if (std::find(stack.begin(), stack.end(), use.module) != stack.end()) {
      diags.error(use.loc, "module '" + use.module + "' uses itself (through " +
                               llvm::join(stack, " -> ") + ")");
      continue;
    }
    if (modulesByName.count(use.module))
      continue;
    // nn.vision -> nn/vision.dl
    std::string rel = use.module;
    std::replace(rel.begin(), rel.end(), '.', '/');
    rel += ".dl";
    std::vector<std::string> dirs = opts.includeDirs;
    dirs.push_back(opts.stdlibDir);
    std::string found;
    for (const std::string &dir : dirs) {
      llvm::SmallString<256> candidate(dir);
      llvm::sys::path::append(candidate, rel);
      if (llvm::sys::fs::is_regular_file(candidate)) {
        found = std::string(candidate);
        break;
      }
    }
    if (found.empty()) {
      std::string searched;
      for (const std::string &d : dirs)
        searched += (searched.empty() ? "" : ", ") + d;
      diags.error(use.loc, "cannot find module '" + use.module +
                               "' (looked for " + rel + " in " + searched +
                               ")");
      moduleFailed = true;
      continue;
    }
    ast::Module *used = loadModule(found, use.module, use.loc);
    modulesByName[use.module] = used;
    if (!used) {
      moduleFailed = true;
      continue;
    }
    stack.push_back(use.module);
    processUses(*used, stack);
    stack.pop_back();
    declare(*used);
  }
}

void Sema::declare(ast::Module &mod) {
  for (auto &f : mod.funcs) {
    const char *what = f->isModel ? "model" : "layer";
    if (lookupOp(f->name)) {
      diags.error(f->nameLoc, std::string(what) + " '" + f->name +
                                  "' has the name of a built-in op");
      rejectedNames.insert(f->name);
      continue;
    }
    auto [it, inserted] = funcs.emplace(f->name, f.get());
    if (!inserted) {
      diags.error(f->nameLoc, "redefinition of '" + f->name + "'");
      diags.note(it->second->nameLoc, "previous definition is here");
      continue;
    }
    // Formal parameters must be distinct.
    std::map<std::string, Loc> seen;
    for (const ast::Param &p : f->params) {
      auto [pit, ok] = seen.emplace(p.name, p.loc);
      if (!ok) {
        diags.error(p.loc, "duplicate parameter '" + p.name + "' of " + what +
                               " '" + f->name + "'");
        diags.note(pit->second, "previous parameter is here");
      }
    }
  }
}

std::vector<std::string> Sema::functionNames() const {
  std::vector<std::string> names = allOpNames();
  for (auto &kv : funcs)
    names.push_back(kv.first);
  return names;
}

std::unique_ptr<Program> Sema::run(llvm::StringRef path) {
  prog = std::make_unique<Program>();
  ast::Module *main = loadModule(path, "", Loc());
  if (!main)
    return nullptr;
  std::vector<std::string> stack = {"<main>"};
  processUses(*main, stack);
  declare(*main);

  for (auto &f : main->funcs)
    if (auto it = funcs.find(f->name);
        f->isModel && it != funcs.end() && it->second == f.get())
      elaborateModel(*f);
  for (auto &t : main->trains)
    elaborateTrain(*t);
  // A layer that is never called has no shapes to check, but its names can
  // be: a typo in a layer must not wait for its first use.
  for (auto &f : main->funcs)
    if (!f->isModel && !instantiated.count(f.get()) && funcs.count(f->name) &&
        funcs[f->name] == f.get())
      checkNames(*f);
  if (diags.hasErrors())
    return nullptr;
  return std::move(prog);
}

//===----------------------------------------------------------------------===//
// Types and shape patterns
//===----------------------------------------------------------------------===//

bool Sema::resolveElementType(const ast::TypeExpr &t, DType &out) {
  if (parseDType(t.name, out))
    return true;
  std::string sugg = closestName(t.name, {"f32", "f64", "i32", "i64"});
  diags.error(t.loc, "unknown element type '" + t.name + "'" +
                         (sugg.empty() ? "; expected f32, f64, i32 or i64"
                                       : "; did you mean '" + sugg + "'?"));
  return false;
}

bool Sema::scalarKind(const ast::TypeExpr &t, ArgKind &out) {
  static const std::pair<const char *, ArgKind> kinds[] = {
      {"int", ArgKind::Int},
      {"float", ArgKind::Float},
      {"bool", ArgKind::Bool},
      {"str", ArgKind::String}};
  for (auto &[name, kind] : kinds)
    if (t.name == name) {
      out = kind;
      return true;
    }
  std::string s = closestName(t.name, {"int", "float", "bool", "str"});
  diags.error(t.loc, "unknown type '" + t.name + "'" +
                         (s.empty() ? "; expected int, float, bool, str or a "
                                      "tensor type"
                                    : "; did you mean '" + s + "'?"));
  return false;
}

/// Evaluates a dimension expression. With `allowBind`, an unknown name is a
/// dimension variable and binds to `actual` (or, for model inputs, becomes a
/// symbolic dimension).
bool Sema::evalDim(const ast::Expr &e, Scope &scope, bool allowBind, Dim &out,
                   std::optional<Dim> actual) {
  if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
    auto d = scope.dims.find(n->name);
    if (d != scope.dims.end()) {
      out = d->second;
      return true;
    }
    auto v = scope.vars.find(n->name);
    if (v != scope.vars.end() && v->second.kind == Binding::Kind::Const) {
      const Const &c = v->second.c;
      if (c.kind == Const::Kind::Int) {
        out = Dim::known(c.i);
        return true;
      }
      if (c.kind == Const::Kind::Dim) {
        out = Dim::symbol(c.s);
        return true;
      }
      diags.error(e.getLoc(), "'" + n->name + "' is a " + v->second.type.str() +
                                  ", not an integer dimension");
      return false;
    }
    if (allowBind) {
      out = actual ? *actual : Dim::symbol(n->name);
      scope.dims[n->name] = out;
      return true;
    }
    std::vector<std::string> cands;
    for (auto &kv : scope.dims)
      cands.push_back(kv.first);
    for (auto &kv : scope.vars)
      cands.push_back(kv.first);
    std::string s = closestName(n->name, cands);
    diags.error(e.getLoc(),
                "unknown dimension '" + n->name + "'" +
                    (s.empty() ? "" : "; did you mean '" + s + "'?"));
    return false;
  }
  // Any other expression must be a compile-time integer.
  EV v = eval(e, scope);
  if (v.isError())
    return false;
  if (v.c.kind == Const::Kind::Int) {
    if (v.c.i <= 0) {
      diags.error(e.getLoc(),
                  "dimension must be positive, got " + std::to_string(v.c.i));
      return false;
    }
    if (v.c.i > kMaxElements) {
      diags.error(e.getLoc(),
                  "dimension " + std::to_string(v.c.i) + " is too large");
      return false;
    }
    out = Dim::known(v.c.i);
    return true;
  }
  if (v.c.kind == Const::Kind::Dim) {
    out = Dim::symbol(v.c.s);
    return true;
  }
  if (v.c.kind == Const::Kind::Float)
    diags.error(e.getLoc(), "a dimension must be an integer, but " +
                                dimText(e) + " is the number " + v.c.str());
  else
    diags.error(e.getLoc(),
                "a dimension must be an integer, got " + v.type.str());
  return false;
}

/// Matches an actual tensor type against a formal pattern, binding dimension
/// variables and `...`. On mismatch, `why` says which dimension differs.
bool Sema::matchType(const ast::TypeExpr &pattern, const Type &actual,
                     Scope &scope, std::string &why, bool allowBind) {
  DType dt;
  if (!resolveElementType(pattern, dt))
    return true; // already reported
  if (dt != actual.dtype) {
    why = "element type " + std::string(dtypeName(actual.dtype)) + " is not " +
          dtypeName(dt);
    return false;
  }
  size_t nEllipsis = 0;
  for (const ast::DimExpr &d : pattern.dims)
    nEllipsis += d.isEllipsis;
  if (nEllipsis > 1) {
    diags.error(pattern.loc, "at most one '...' is allowed in a shape");
    return true;
  }
  size_t fixed = pattern.dims.size() - nEllipsis;
  if (nEllipsis ? actual.rank() < fixed : actual.rank() != fixed) {
    why = "rank " + std::to_string(actual.rank()) + " is not " +
          (nEllipsis ? "at least " : "") + std::to_string(fixed);
    return false;
  }
  size_t ai = 0;
  for (const ast::DimExpr &d : pattern.dims) {
    if (d.isEllipsis) {
      size_t n = actual.rank() - fixed;
      Shape matched(actual.shape.begin() + ai, actual.shape.begin() + ai + n);
      if (scope.ellipsis && *scope.ellipsis != matched) {
        why = "'...' stands for " + shapeStr(*scope.ellipsis) +
              " in an earlier argument but here for " + shapeStr(matched);
        return false;
      }
      scope.ellipsis = matched;
      ai += n;
      continue;
    }
    Dim got = actual.shape[ai];
    Dim want;
    if (!evalDim(*d.expr, scope, allowBind, want, got))
      return true;
    if (want != got) {
      why = "dimension " + std::to_string(ai) + " is " + got.str() +
            " but must be " + want.str();
      return false;
    }
    ++ai;
  }
  return true;
}

/// A fully determined tensor type (model inputs, parameters). Unknown names
/// become symbolic dimensions only for model inputs.
std::optional<Type> Sema::concreteType(const ast::TypeExpr &t, Scope &scope,
                                       bool modelInput) {
  if (!t.isTensor) {
    diags.error(t.loc, "expected a tensor type such as f32[B, 10], got '" +
                           t.name + "'");
    return std::nullopt;
  }
  DType dt;
  if (!resolveElementType(t, dt))
    return std::nullopt;
  Shape shape;
  bool ok = true;
  for (const ast::DimExpr &d : t.dims) {
    if (d.isEllipsis) {
      diags.error(d.loc,
                  modelInput
                      ? "a model input needs an explicit shape; "
                        "name the batch dimension instead of '...'"
                      : "'...' is only allowed in the signature of a layer");
      ok = false;
      continue;
    }
    Dim dim;
    if (!evalDim(*d.expr, scope, modelInput, dim, std::nullopt)) {
      ok = false;
      continue;
    }
    shape.push_back(dim);
  }
  if (!ok)
    return std::nullopt;
  if (modelInput && !withinElementLimit(shape)) {
    diags.error(t.loc, "the type '" + Type::tensor(dt, shape).str() +
                           "' has too many elements");
    return std::nullopt;
  }
  return Type::tensor(dt, shape);
}

//===----------------------------------------------------------------------===//
// Models and bodies
//===----------------------------------------------------------------------===//

void Sema::elaborateModel(const ast::FuncDecl &decl) {
  auto model = std::make_unique<Model>();
  model->name = decl.name;
  Instance &inst = model->inst;
  inst.layer = decl.name;
  inst.loc = decl.loc;
  inst.decl = &decl;
  Scope scope;
  scope.model = model.get();
  scope.inst = &inst;
  scope.stmts = &inst.body;
  int index = 0;
  for (const ast::Param &p : decl.params) {
    if (p.defaultValue)
      diags.error(p.defaultValue->getLoc(),
                  "a model input cannot have a default value");
    std::optional<Type> t = concreteType(p.type, scope, /*modelInput=*/true);
    Binding b;
    b.loc = p.loc;
    if (t) {
      b.kind = Binding::Kind::Tensor;
      b.ref = TExpr::Kind::Input;
      b.type = *t;
      b.index = index++;
      inst.inputs.emplace_back(p.name, *t);
    }
    scope.vars[p.name] = b;
  }
  unsigned before = diags.getNumErrors();
  elaborateBody(decl.body, scope);
  checkResult(decl, scope, inst);
  model->hasErrors = diags.getNumErrors() != before;
  prog->models.push_back(std::move(model));
}

void Sema::checkResult(const ast::FuncDecl &decl, Scope &scope,
                       Instance &inst) {
  const char *what = decl.isModel ? "model" : "layer";
  if (!scope.returned) {
    diags.error(decl.endLoc, std::string(what) + " '" + decl.name +
                                 "' ends without a return statement");
    inst.result = Type::error();
    return;
  }
  if (inst.result.isError() || !decl.resultType)
    return;
  if (!decl.resultType->isTensor) {
    diags.error(decl.resultType->loc, "the result of a " + std::string(what) +
                                          " must be a tensor type");
    return;
  }
  std::string why;
  // The result pattern may use `...` and the dimension variables bound by the
  // arguments, and must not bind new ones.
  Scope check = scope;
  unsigned before = diags.getNumErrors();
  if (!matchType(*decl.resultType, inst.result, check, why,
                 /*allowBind=*/false)) {
    Loc at = inst.body.empty() ? decl.endLoc : inst.body.back().loc;
    diags.error(at, std::string(what) + " '" + decl.name + "' returns '" +
                        inst.result.str() + "' but declares '" +
                        typeText(*decl.resultType) + "': " + why);
    diags.note(decl.resultType->loc, "result type declared here");
  } else if (diags.getNumErrors() != before) {
    inst.result = Type::error();
  }
}

void Sema::elaborateBody(const std::vector<ast::StmtPtr> &body, Scope &scope) {
  for (const ast::StmtPtr &s : body) {
    if (scope.returned) {
      diags.error(s->getLoc(), "statement after return is never executed");
      return;
    }
    elaborateStmt(*s, scope);
  }
}

void Sema::elaborateStmt(const ast::Stmt &stmt, Scope &scope) {
  if (auto *p = dyn_cast<ast::ParamStmt>(&stmt)) {
    elaborateParam(*p, scope);
    return;
  }
  if (auto *i = dyn_cast<ast::IfStmt>(&stmt)) {
    EV c = eval(*i->cond, scope);
    // Names the branches would have bound are errors, not undefined.
    std::function<void(const ast::IfStmt &)> poison =
        [&](const ast::IfStmt &ifs) {
          for (const auto *body : {&ifs.thenBody, &ifs.elseBody})
            for (const ast::StmtPtr &st : *body) {
              Binding b;
              b.loc = st->getLoc();
              if (auto *a = dyn_cast<ast::AssignStmt>(st.get()))
                for (auto &t : a->targets)
                  scope.vars[t.first] = b;
              if (auto *p = dyn_cast<ast::ParamStmt>(st.get()))
                scope.vars[p->name] = b;
              if (auto *nested = dyn_cast<ast::IfStmt>(st.get()))
                poison(*nested);
            }
        };
    auto poisonAssigned = [&] { poison(*i); };
    if (c.isError())
      return poisonAssigned();
    if (c.c.kind != Const::Kind::Bool) {
      diags.error(i->cond->getLoc(),
                  "the condition of 'if' must be a compile-time bool, got " +
                      c.type.str());
      return poisonAssigned();
    }
    elaborateBody(c.c.b ? i->thenBody : i->elseBody, scope);
    return;
  }
  if (auto *r = dyn_cast<ast::ReturnStmt>(&stmt)) {
    if (scope.inStep) {
      diags.error(r->getLoc(), "'return' is not allowed in a train step");
      return;
    }
    EV v = eval(*r->value, scope);
    scope.returned = true;
    if (v.isError()) {
      scope.inst->result = Type::error();
      return;
    }
    if (!v.isTensor()) {
      diags.error(r->value->getLoc(),
                  "a layer or model must return a tensor, not " + v.type.str());
      scope.inst->result = Type::error();
      return;
    }
    scope.inst->result = v.type;
    TStmt ts{TStmt::Kind::Return, r->getLoc(), {}, std::move(v.node), "", {}};
    scope.stmts->push_back(std::move(ts));
    return;
  }
  if (auto *u = dyn_cast<ast::UpdateStmt>(&stmt)) {
    if (!scope.inStep) {
      diags.error(u->getLoc(),
                  "'update' is only allowed in the step of a train block");
      return;
    }
    const Model *m = prog->findModel(u->model);
    if (!m) {
      std::vector<std::string> names;
      for (auto &mm : prog->models)
        names.push_back(mm->name);
      std::string s = closestName(u->model, names);
      diags.error(u->modelLoc,
                  "unknown model '" + u->model + "'" +
                      (s.empty() ? "" : "; did you mean '" + s + "'?"));
    }
    std::optional<Const> opt =
        normalizeCall(*u->optimizer, optimizers(),
                      [&](const ast::Expr &e) { return eval(e, scope); });
    EV loss = eval(*u->loss, scope);
    if (!loss.isError() && (!loss.isTensor() || loss.type.rank() != 0 ||
                            !isFloat(loss.type.dtype))) {
      diags.error(u->loss->getLoc(),
                  "the loss to minimize must be a scalar f32[], got '" +
                      loss.type.str() + "'");
      return;
    }
    if (!m || !opt || loss.isError())
      return;
    TStmt ts{TStmt::Kind::Update,  u->getLoc(), {},
             std::move(loss.node), u->model,    *opt};
    scope.stmts->push_back(std::move(ts));
    return;
  }
  auto &a = cast<ast::AssignStmt>(stmt);
  EV v = eval(*a.value, scope);
  auto bindError = [&] {
    for (auto &t : a.targets) {
      Binding b;
      b.loc = t.second;
      scope.vars[t.first] = b;
    }
  };
  if (v.isError())
    return bindError();
  std::vector<EV> values;
  if (a.targets.size() > 1) {
    if (v.type.kind != Type::Kind::Tuple ||
        v.elems.size() != a.targets.size()) {
      diags.error(a.getLoc(), "cannot unpack " + v.type.str() + " into " +
                                  std::to_string(a.targets.size()) + " names");
      return bindError();
    }
    values = std::move(v.elems);
  } else {
    values.push_back(std::move(v));
  }
  for (size_t i = 0; i < a.targets.size(); ++i) {
    const std::string &name = a.targets[i].first;
    Loc loc = a.targets[i].second;
    if (name == "_")
      continue;
    auto existing = scope.vars.find(name);
    if (existing != scope.vars.end() &&
        existing->second.ref == TExpr::Kind::Param &&
        existing->second.kind == Binding::Kind::Tensor) {
      diags.error(loc, "cannot assign to parameter '" + name + "'");
      diags.note(existing->second.loc, "declared here");
      continue;
    }
    EV &val = values[i];
    Binding b;
    b.loc = loc;
    if (val.isTensor()) {
      b.kind = Binding::Kind::Tensor;
      b.ref = TExpr::Kind::Local;
      b.type = val.type;
      TStmt ts{TStmt::Kind::Assign, loc, {name}, std::move(val.node), "", {}};
      scope.stmts->push_back(std::move(ts));
      b.def = scope.stmts->back().value.get();
    } else if (val.isConst()) {
      b.kind = Binding::Kind::Const;
      b.type = val.type;
      b.c = val.c;
    } else {
      diags.error(loc,
                  val.type.kind == Type::Kind::List
                      ? "a list of tensors cannot be given a name; pass it "
                        "directly, e.g. concat([a, b])"
                      : "cannot assign a " + val.type.str() + " to a name");
      b.kind = Binding::Kind::Error;
    }
    scope.vars[name] = b;
  }
}

void Sema::elaborateParam(const ast::ParamStmt &stmt, Scope &scope) {
  const char *what = stmt.trainable ? "parameter" : "buffer";
  if (scope.inStep) {
    diags.error(stmt.getLoc(),
                std::string(what) + "s cannot be declared in a train step");
    return;
  }
  auto existing = scope.vars.find(stmt.name);
  if (existing != scope.vars.end()) {
    diags.error(stmt.getLoc(), "redefinition of '" + stmt.name + "'");
    diags.note(existing->second.loc, "previous definition is here");
    return;
  }
  Binding b;
  b.loc = stmt.getLoc();
  scope.vars[stmt.name] = b; // an error binding until the type is known
  std::optional<Type> type =
      concreteType(stmt.type, scope, /*modelInput=*/false);
  if (!type)
    return;
  if (!withinElementLimit(type->shape)) {
    diags.error(stmt.type.loc, std::string(what) + " '" + stmt.name +
                                   "' of type '" + type->str() +
                                   "' has too many elements");
    return;
  }
  for (const Dim &d : type->shape) {
    if (!d.isKnown()) {
      diags.error(stmt.type.loc, std::string("the shape of ") + what + " '" +
                                     stmt.name + "' must be static, but '" +
                                     d.sym + "' is symbolic");
      return;
    }
    if (d.size < 1) {
      // Reported once per layer call, at the call: its arguments are what
      // is wrong (linear(h, 0)); a note shows the declaration.
      if (scope.inst && !scope.prefix.empty()) {
        if (badParamCalls
                .insert((scope.model ? scope.model->name : "") + "/" +
                        scope.prefix)
                .second) {
          diags.error(scope.inst->loc,
                      "this call of layer '" + scope.inst->layer +
                          "' would give " + what + " '" + stmt.name +
                          "' the type '" + type->str() +
                          "': every dimension must be at least 1");
          diags.note(stmt.type.loc, std::string(what) + " declared here");
        }
      } else {
        diags.error(stmt.type.loc, std::string(what) + " '" + stmt.name +
                                       "' would have type '" + type->str() +
                                       "': every dimension must be at least 1");
      }
      return;
    }
  }
  if (!isFloat(type->dtype)) {
    diags.error(stmt.type.loc, std::string(what) + " '" + stmt.name +
                                   "' must have a floating-point element type");
    return;
  }
  std::optional<Const> init;
  if (stmt.init) {
    init = normalizeCall(*stmt.init, initializers(),
                         [&](const ast::Expr &e) { return eval(e, scope); });
    if (!init)
      return;
  } else {
    Const c;
    c.kind = Const::Kind::Call;
    if (type->rank() >= 2 && stmt.trainable) {
      c.s = "glorot_uniform";
      c.kwargs = {{"gain", Const::ofFloat(1.0)}};
    } else {
      c.s = "zeros";
    }
    init = c;
  }
  auto info = std::make_unique<ParamInfo>();
  info->name =
      scope.prefix.empty() ? stmt.name : scope.prefix + "." + stmt.name;
  info->loc = stmt.getLoc();
  info->type = *type;
  info->init = *init;
  info->trainable = stmt.trainable;
  for (auto &p : scope.model->params)
    if (p->name == info->name) {
      diags.error(stmt.getLoc(),
                  "two parameters would both be named '" + info->name + "'");
      diags.note(p->loc, "the other one is declared here");
      return;
    }
  b.kind = Binding::Kind::Tensor;
  b.ref = TExpr::Kind::Param;
  b.type = *type;
  b.param = info.get();
  scope.vars[stmt.name] = b;
  scope.inst->params.push_back(info.get());
  scope.model->params.push_back(std::move(info));
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

TExprPtr Sema::refNode(const std::string &name, const Binding &b, Loc loc) {
  auto node = std::make_unique<TExpr>(b.ref, loc, b.type);
  node->name = b.param ? b.param->name : name;
  node->index = b.index;
  node->def = b.def;
  node->param = b.param;
  return node;
}

EV Sema::eval(const ast::Expr &e, Scope &scope) {
  switch (e.getKind()) {
  case ast::Expr::Kind::Int:
    return EV::constant(Const::ofInt(cast<ast::IntExpr>(e).value), e.getLoc());
  case ast::Expr::Kind::Float:
    return EV::constant(Const::ofFloat(cast<ast::FloatExpr>(e).value),
                        e.getLoc());
  case ast::Expr::Kind::Bool:
    return EV::constant(Const::ofBool(cast<ast::BoolExpr>(e).value),
                        e.getLoc());
  case ast::Expr::Kind::String:
    return EV::constant(Const::ofString(cast<ast::StringExpr>(e).value),
                        e.getLoc());
  case ast::Expr::Kind::Name:
    return evalName(cast<ast::NameExpr>(e), scope);
  case ast::Expr::Kind::Neg:
    return evalNeg(cast<ast::NegExpr>(e), scope);
  case ast::Expr::Kind::Binary:
    return evalBinary(cast<ast::BinaryExpr>(e), scope);
  case ast::Expr::Kind::Call:
    return evalCall(cast<ast::CallExpr>(e), scope);
  case ast::Expr::Kind::List:
  case ast::Expr::Kind::Tuple: {
    bool isList = e.getKind() == ast::Expr::Kind::List;
    const auto &elems =
        isList ? cast<ast::ListExpr>(e).elems : cast<ast::TupleExpr>(e).elems;
    EV v;
    v.loc = e.getLoc();
    bool allConst = true, failed = false;
    for (const ast::ExprPtr &el : elems) {
      EV ev = eval(*el, scope);
      failed |= ev.isError();
      allConst &= ev.isConst();
      v.elems.push_back(std::move(ev));
    }
    if (failed)
      return EV::error(e.getLoc());
    if (isList) {
      v.type = Type::scalar(Type::Kind::List);
      if (allConst) {
        std::vector<Const> cs;
        for (EV &el : v.elems)
          cs.push_back(el.c);
        v.c = Const::ofList(std::move(cs));
      }
    } else {
      v.type = Type::scalar(Type::Kind::Tuple);
      for (EV &el : v.elems)
        v.type.elems.push_back(el.type);
    }
    return v;
  }
  }
  return EV::error(e.getLoc());
}

EV Sema::evalName(const ast::NameExpr &e, Scope &scope) {
  auto v = scope.vars.find(e.name);
  if (v != scope.vars.end()) {
    const Binding &b = v->second;
    if (b.kind == Binding::Kind::Error)
      return EV::error(e.getLoc());
    if (b.kind == Binding::Kind::Const)
      return EV::constant(b.c, e.getLoc());
    return EV::tensor(refNode(e.name, b, e.getLoc()));
  }
  auto d = scope.dims.find(e.name);
  if (d != scope.dims.end())
    return EV::constant(Const::ofDim(d->second), e.getLoc());
  if (lookupOp(e.name) || funcs.count(e.name)) {
    diags.error(e.getLoc(), "'" + e.name + "' is a function; call it as " +
                                e.name + "(...)");
    return EV::error(e.getLoc());
  }
  std::vector<std::string> cands;
  for (auto &kv : scope.vars)
    cands.push_back(kv.first);
  for (auto &kv : scope.dims)
    cands.push_back(kv.first);
  std::string s = closestName(e.name, cands);
  diags.error(e.getLoc(), "use of undefined name '" + e.name + "'" +
                              (s.empty() ? "" : "; did you mean '" + s + "'?"));
  return EV::error(e.getLoc());
}

EV Sema::evalNeg(const ast::NegExpr &e, Scope &scope) {
  EV v = eval(*e.operand, scope);
  if (v.isError())
    return v;
  if (v.c.kind == Const::Kind::Int) {
    if (v.c.i == INT64_MIN) {
      diags.error(e.getLoc(), "integer overflow in '-'");
      return EV::error(e.getLoc());
    }
    return EV::constant(Const::ofInt(-v.c.i), e.getLoc());
  }
  if (v.c.kind == Const::Kind::Float)
    return EV::constant(Const::ofFloat(-v.c.f), e.getLoc());
  if (!v.isTensor()) {
    diags.error(e.getLoc(), "cannot negate a " + v.type.str());
    return EV::error(e.getLoc());
  }
  std::vector<ActualArg> args;
  args.push_back({"", v.loc, std::move(v)});
  return callOp(*lookupOp("neg"), "neg", e.getLoc(), std::move(args));
}

EV Sema::evalBinary(const ast::BinaryExpr &e, Scope &scope) {
  EV l = eval(*e.lhs, scope), r = eval(*e.rhs, scope);
  if (l.isError() || r.isError())
    return EV::error(e.getLoc());
  std::string opStr(1, e.op);
  // Constant folding of integer and float arithmetic (layer arguments,
  // dimensions).
  if (l.c.isNumber() && r.c.isNumber() && e.op != '@') {
    if (l.c.kind == Const::Kind::Int && r.c.kind == Const::Kind::Int) {
      int64_t a = l.c.i, b = r.c.i, v = 0;
      bool overflow = false;
      switch (e.op) {
      case '+':
        overflow = __builtin_add_overflow(a, b, &v);
        break;
      case '-':
        overflow = __builtin_sub_overflow(a, b, &v);
        break;
      case '*':
        overflow = __builtin_mul_overflow(a, b, &v);
        break;
      case '/':
        if (b == 0) {
          diags.error(e.getLoc(), "division by zero");
          return EV::error(e.getLoc());
        }
        overflow = a == INT64_MIN && b == -1;
        break;
      }
      if (overflow) {
        diags.error(e.getLoc(), "integer overflow in '" + opStr + "'");
        return EV::error(e.getLoc());
      }
      if (e.op != '/')
        return EV::constant(Const::ofInt(v), e.getLoc());
      {
        if (a % b == 0)
          return EV::constant(Const::ofInt(a / b), e.getLoc());
        return EV::constant(Const::ofFloat(double(a) / double(b)), e.getLoc());
      }
    }
    double a = l.c.asDouble(), b = r.c.asDouble();
    double v = e.op == '+'   ? a + b
               : e.op == '-' ? a - b
               : e.op == '*' ? a * b
                             : a / b;
    return EV::constant(Const::ofFloat(v), e.getLoc());
  }
  bool lNum = l.isTensor() || l.c.isNumber(),
       rNum = r.isTensor() || r.c.isNumber();
  if (!lNum || !rNum || (!l.isTensor() && !r.isTensor())) {
    diags.error(e.getLoc(), "operator '" + opStr + "' cannot be applied to " +
                                l.type.str() + " and " + r.type.str());
    return EV::error(e.getLoc());
  }
  const char *name = e.op == '+'   ? "add"
                     : e.op == '-' ? "sub"
                     : e.op == '*' ? "mul"
                     : e.op == '/' ? "div"
                                   : "matmul";
  std::vector<ActualArg> args;
  args.push_back({"", l.loc, std::move(l)});
  args.push_back({"", r.loc, std::move(r)});
  return callOp(*lookupOp(name), "'" + opStr + "' (" + name + ")", e.getLoc(),
                std::move(args));
}

std::vector<ActualArg> Sema::evalArgs(const std::vector<ast::Arg> &args,
                                      Scope &scope) {
  std::vector<ActualArg> out;
  for (const ast::Arg &a : args)
    out.push_back({a.keyword, a.loc, eval(*a.value, scope)});
  return out;
}

EV Sema::evalCall(const ast::CallExpr &e, Scope &scope) {
  if (!scope.inst && !scope.inStep) {
    diags.error(e.getLoc(), "a call is not allowed here; expected a constant");
    return EV::error(e.getLoc());
  }
  if (const OpInfo *op = lookupOp(e.callee))
    return callOp(*op, "'" + e.callee + "'", e.getLoc(),
                  evalArgs(e.args, scope));
  auto f = funcs.find(e.callee);
  if (f != funcs.end()) {
    if (f->second->isModel) {
      if (!scope.inStep) {
        diags.error(e.getLoc(),
                    "model '" + e.callee +
                        "' cannot be called here; only a train step "
                        "calls models (define a layer to reuse code)");
        return EV::error(e.getLoc());
      }
      const Model *m = prog->findModel(e.callee);
      if (!m)
        return EV::error(e.getLoc()); // the model itself had errors
      return callModel(*m, e, evalArgs(e.args, scope));
    }
    if (scope.inStep) {
      diags.error(e.getLoc(),
                  "layer '" + e.callee +
                      "' cannot be called in a train step; call a model");
      return EV::error(e.getLoc());
    }
    return callLayer(*f->second, e, evalArgs(e.args, scope), scope);
  }
  if (moduleFailed) {
    // The function may well be defined in the module that failed to load.
    evalArgs(e.args, scope);
    return EV::error(e.getLoc());
  }
  std::string s = closestName(e.callee, functionNames());
  std::string hint;
  if (s.empty() && !modulesByName.count("nn") && e.callee != "nn")
    hint = " (layers such as linear and conv2d need 'use nn')";
  diags.error(e.getLoc(),
              "call to undefined function '" + e.callee + "'" +
                  (s.empty() ? hint : "; did you mean '" + s + "'?"));
  // Evaluate the arguments anyway, to report their errors too.
  evalArgs(e.args, scope);
  return EV::error(e.getLoc());
}

//===----------------------------------------------------------------------===//
// Argument binding
//===----------------------------------------------------------------------===//

bool Sema::bindArgs(const FuncSpec &spec, std::vector<ActualArg> &args,
                    Loc callLoc, const std::string &callee,
                    std::vector<BoundArg> &out) {
  out.clear();
  out.resize(spec.args.size());
  std::vector<int> actualFor(spec.args.size(), -1);
  bool ok = true, sawKeyword = false;
  size_t nextPositional = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    ActualArg &a = args[i];
    int slot = -1;
    if (a.keyword.empty()) {
      if (sawKeyword) {
        diags.error(a.loc,
                    "positional argument after a keyword argument in call to " +
                        callee);
        return false;
      }
      if (nextPositional >= spec.args.size()) {
        diags.error(a.loc, callee + " takes " +
                               std::to_string(spec.args.size()) + " argument" +
                               (spec.args.size() == 1 ? "" : "s") + " but " +
                               std::to_string(args.size()) + " were given");
        return false;
      }
      slot = nextPositional++;
    } else {
      sawKeyword = true;
      for (size_t k = 0; k < spec.args.size(); ++k)
        if (spec.args[k].name == a.keyword)
          slot = k;
      if (slot < 0) {
        std::vector<std::string> names;
        for (const ArgSpec &s : spec.args)
          names.push_back(s.name);
        std::string s = closestName(a.keyword, names);
        diags.error(a.loc,
                    callee + " has no argument named '" + a.keyword + "'" +
                        (s.empty() ? "" : "; did you mean '" + s + "'?"));
        ok = false;
        continue;
      }
      if (actualFor[slot] >= 0) {
        diags.error(a.loc, "argument '" + a.keyword + "' of " + callee +
                               " is given twice");
        ok = false;
        continue;
      }
    }
    actualFor[slot] = i;
  }
  for (size_t k = 0; k < spec.args.size(); ++k) {
    const ArgSpec &s = spec.args[k];
    BoundArg &b = out[k];
    if (actualFor[k] < 0) {
      if (!s.dflt) {
        diags.error(callLoc,
                    callee + " is missing its argument '" + s.name + "'");
        ok = false;
        continue;
      }
      b.c = *s.dflt;
      b.present = !s.dflt->isNone();
      b.loc = callLoc;
      continue;
    }
    ActualArg &a = args[actualFor[k]];
    if (a.value.isError()) {
      ok = false;
      continue;
    }
    b.loc = a.loc;
    if (!convertArg(s, std::move(a.value), callee, b))
      ok = false;
  }
  return ok;
}

bool Sema::convertArg(const ArgSpec &spec, EV v, const std::string &callee,
                      BoundArg &out) {
  Loc loc = out.loc;
  auto fail = [&](const std::string &expected) {
    diags.error(loc, "argument '" + spec.name + "' of " + callee + " must be " +
                         expected + ", got " + v.type.str());
    return false;
  };
  auto isIntList = [&](size_t n) {
    if (v.c.kind != Const::Kind::List || (n && v.c.list.size() != n))
      return false;
    for (const Const &c : v.c.list)
      if (c.kind != Const::Kind::Int)
        return false;
    return true;
  };
  out.present = true;
  switch (spec.kind) {
  case ArgKind::Tensor:
  case ArgKind::OptTensor:
    if (v.c.isNumber()) {
      auto node = std::make_unique<TExpr>(TExpr::Kind::Scalar, v.loc,
                                          Type::tensor(DType::F32, {}));
      node->scalar = v.c.asDouble();
      out.type = node->type;
      out.node = std::move(node);
      return true;
    }
    if (!v.isTensor())
      return fail("a tensor");
    out.type = v.type;
    out.node = std::move(v.node);
    return true;
  case ArgKind::TensorList:
    if (v.type.kind != Type::Kind::List)
      return fail("a list of tensors");
    for (EV &el : v.elems) {
      if (!el.isTensor()) {
        loc = el.loc;
        return fail("a list of tensors");
      }
      out.nodes.push_back(std::move(el.node));
    }
    return true;
  case ArgKind::Int:
    if (v.c.kind != Const::Kind::Int)
      return fail("an integer");
    out.c = v.c;
    break;
  case ArgKind::Float:
    if (!v.c.isNumber())
      return fail("a number");
    out.c = Const::ofFloat(v.c.asDouble());
    break;
  case ArgKind::Bool:
    if (v.c.kind != Const::Kind::Bool)
      return fail("true or false");
    out.c = v.c;
    break;
  case ArgKind::String:
    if (v.c.kind != Const::Kind::String)
      return fail("a string");
    out.c = v.c;
    break;
  case ArgKind::IntPair:
    if (v.c.kind == Const::Kind::Int)
      out.c = Const::ofList({v.c, v.c});
    else if (isIntList(2))
      out.c = v.c;
    else
      return fail("an integer or a list of two integers");
    for (const Const &c : out.c.list)
      if (spec.check && !spec.check(c).empty()) {
        diags.error(loc, "argument '" + spec.name + "' of " + callee + " " +
                             spec.check(c) + ", got " + out.c.str());
        return false;
      }
    return true;
  case ArgKind::DimList: {
    if (v.c.kind != Const::Kind::List)
      return fail("a list of dimensions");
    for (const Const &c : v.c.list) {
      if (c.kind != Const::Kind::Int && c.kind != Const::Kind::Dim)
        return fail("a list of dimensions, but an element is " + c.str());
      if (c.kind == Const::Kind::Int && c.i > kMaxElements) {
        diags.error(loc, "dimension " + std::to_string(c.i) + " is too large");
        return false;
      }
    }
    out.c = v.c;
    return true;
  }
  case ArgKind::Axes:
    if (v.c.kind == Const::Kind::Int)
      out.c = Const::ofList({v.c});
    else if (isIntList(0))
      out.c = v.c;
    else
      return fail("an axis or a list of axes");
    return true;
  case ArgKind::FloatList: {
    if (v.c.kind != Const::Kind::List)
      return fail("a list of numbers");
    std::vector<Const> fs;
    for (const Const &c : v.c.list) {
      if (!c.isNumber())
        return fail("a list of numbers");
      fs.push_back(Const::ofFloat(c.asDouble()));
    }
    out.c = Const::ofList(fs);
    return true;
  }
  case ArgKind::Symbol:
  case ArgKind::SymbolList: {
    std::vector<Const> items;
    if (spec.kind == ArgKind::SymbolList && v.c.kind == Const::Kind::List)
      items = v.c.list;
    else
      items.push_back(v.c);
    for (const Const &c : items) {
      if (c.kind != Const::Kind::Symbol)
        return fail("one of: " + llvm::join(spec.choices, ", "));
      if (std::find(spec.choices.begin(), spec.choices.end(), c.s) ==
          spec.choices.end()) {
        std::string s = closestName(c.s, spec.choices);
        diags.error(loc, "unknown value '" + c.s + "' for '" + spec.name +
                             "' of " + callee +
                             (s.empty() ? "; expected one of: " +
                                              llvm::join(spec.choices, ", ")
                                        : "; did you mean '" + s + "'?"));
        return false;
      }
    }
    out.c = spec.kind == ArgKind::Symbol ? items[0] : Const::ofList(items);
    return true;
  }
  case ArgKind::Call:
    out.c = v.c;
    return true;
  }
  if (spec.check) {
    std::string msg = spec.check(out.c);
    if (!msg.empty()) {
      diags.error(loc, "argument '" + spec.name + "' of " + callee + " " + msg +
                           ", got " + out.c.str());
      return false;
    }
  }
  return true;
}

EV Sema::callOp(const OpInfo &op, const std::string &shownName, Loc loc,
                std::vector<ActualArg> args) {
  std::vector<BoundArg> bound;
  if (!bindArgs(op.spec, args, loc, shownName, bound))
    return EV::error(loc);
  std::vector<Type> types;
  std::vector<Const> consts;
  std::vector<Type> listTypes;
  auto node = std::make_unique<TExpr>(TExpr::Kind::Op, loc, Type());
  node->name = op.spec.name;
  node->op = &op;
  for (size_t i = 0; i < bound.size(); ++i) {
    BoundArg &b = bound[i];
    types.push_back(b.type);
    consts.push_back(b.c);
    ArgKind k = op.spec.args[i].kind;
    if (k == ArgKind::Tensor || k == ArgKind::OptTensor) {
      node->operands.push_back(std::move(b.node)); // null when absent
    } else if (k == ArgKind::TensorList) {
      for (TExprPtr &n : b.nodes) {
        listTypes.push_back(n->type);
        node->operands.push_back(std::move(n));
      }
    } else {
      node->attrs.emplace_back(op.spec.args[i].name, b.c);
    }
  }
  // A number used as a tensor takes the element type of the other tensor
  // operands (`x * 2` on an f64 tensor is f64).
  std::optional<DType> tensorType;
  for (auto &o : node->operands)
    if (o && o->kind != TExpr::Kind::Scalar && !tensorType)
      tensorType = o->type.dtype;
  if (tensorType)
    for (size_t i = 0, k = 0; i < bound.size(); ++i) {
      ArgKind kind = op.spec.args[i].kind;
      if (kind != ArgKind::Tensor && kind != ArgKind::OptTensor)
        continue;
      TExpr *o = node->operands[k++].get();
      if (o && o->kind == TExpr::Kind::Scalar) {
        o->type.dtype = *tensorType;
        types[i].dtype = *tensorType;
      }
    }
  OpContext ctx(op.spec, std::move(types), std::move(consts));
  ctx.setListTypes(std::move(listTypes));
  Type result = op.rule(ctx);
  if (result.isError()) {
    diags.error(loc,
                std::string(ctx.isTypeError() ? "invalid element types for "
                                              : "invalid shapes for ") +
                    shownName + ": " + ctx.getMessage());
    return EV::error(loc);
  }
  node->type = result;
  return EV::tensor(std::move(node));
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

EV Sema::callLayer(const ast::FuncDecl &decl, const ast::CallExpr &call,
                   std::vector<ActualArg> args, Scope &scope) {
  std::string callee = "layer '" + decl.name + "'";
  instantiated.insert(&decl);
  if (std::find(instantiating.begin(), instantiating.end(), &decl) !=
      instantiating.end()) {
    diags.error(call.getLoc(), "layer '" + decl.name + "' calls itself");
    return EV::error(call.getLoc());
  }
  // `name=` names the instance unless the layer has a formal called `name`.
  std::string explicitName;
  bool hasNameFormal = false;
  for (const ast::Param &p : decl.params)
    hasNameFormal |= p.name == "name";
  if (!hasNameFormal) {
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i].keyword != "name")
        continue;
      if (args[i].value.isError())
        return EV::error(call.getLoc());
      if (args[i].value.c.kind != Const::Kind::String ||
          !llvm::all_of(args[i].value.c.s,
                        [](char c) { return llvm::isAlnum(c) || c == '_'; }) ||
          args[i].value.c.s.empty()) {
        diags.error(args[i].loc,
                    "'name' must be a string of letters, digits and '_'");
        return EV::error(call.getLoc());
      }
      explicitName = args[i].value.c.s;
      args.erase(args.begin() + i);
      break;
    }
  }

  // The signature as a FuncSpec; defaults are evaluated in an empty scope.
  FuncSpec spec;
  spec.name = decl.name;
  Scope defaults;
  for (const ast::Param &p : decl.params) {
    ArgSpec a;
    a.name = p.name;
    if (p.type.isTensor)
      a.kind = ArgKind::Tensor;
    else if (!scalarKind(p.type, a.kind))
      return EV::error(call.getLoc());
    if (p.defaultValue) {
      EV d = eval(*p.defaultValue, defaults);
      if (d.isError())
        return EV::error(call.getLoc());
      if (!d.isConst()) {
        diags.error(p.defaultValue->getLoc(),
                    "a default value must be a constant");
        return EV::error(call.getLoc());
      }
      a.dflt = d.c;
    }
    spec.args.push_back(a);
  }
  std::vector<BoundArg> bound;
  if (!bindArgs(spec, args, call.getLoc(), callee, bound))
    return EV::error(call.getLoc());

  // The instance and its call-site name.
  auto inst = std::make_unique<Instance>();
  inst->layer = decl.name;
  inst->loc = call.getLoc();
  inst->decl = &decl;
  std::string local = explicitName;
  if (local.empty()) {
    do {
      local = decl.name + "_" + std::to_string(scope.callCount[decl.name]++);
    } while (scope.instanceNames.count(local));
  } else if (scope.instanceNames.count(local)) {
    diags.error(call.getLoc(),
                "two layer calls are both named '" + local + "'");
    return EV::error(call.getLoc());
  }
  scope.instanceNames.insert(local);
  inst->prefix = scope.prefix.empty() ? local : scope.prefix + "." + local;

  Scope inner;
  inner.model = scope.model;
  inner.inst = inst.get();
  inner.prefix = inst->prefix;
  inner.stmts = &inst->body;
  auto node =
      std::make_unique<TExpr>(TExpr::Kind::Layer, call.getLoc(), Type());
  node->name = decl.name;
  bool ok = true;
  // Scalars first: they may appear in the tensor patterns (`f32[I, out]`).
  for (size_t i = 0; i < decl.params.size(); ++i) {
    if (spec.args[i].kind == ArgKind::Tensor)
      continue;
    Binding b;
    b.kind = Binding::Kind::Const;
    b.c = bound[i].c;
    b.type = EV::constant(b.c, Loc()).type;
    b.loc = decl.params[i].loc;
    inner.vars[decl.params[i].name] = b;
    inst->consts.emplace_back(decl.params[i].name, bound[i].c);
    node->attrs.emplace_back(decl.params[i].name, bound[i].c);
  }
  int index = 0;
  for (size_t i = 0; i < decl.params.size(); ++i) {
    if (spec.args[i].kind != ArgKind::Tensor)
      continue;
    const ast::Param &p = decl.params[i];
    std::string why;
    unsigned before = diags.getNumErrors();
    if (!matchType(p.type, bound[i].type, inner, why)) {
      diags.error(bound[i].loc, "argument '" + p.name + "' of " + callee +
                                    " has type '" + bound[i].type.str() +
                                    "', which does not match its "
                                    "declared type: " +
                                    why);
      diags.note(p.loc, "parameter declared here");
      ok = false;
    }
    ok &= diags.getNumErrors() == before;
    Binding b;
    b.kind = Binding::Kind::Tensor;
    b.ref = TExpr::Kind::Input;
    b.type = bound[i].type;
    b.index = index++;
    b.loc = p.loc;
    inner.vars[p.name] = b;
    inst->inputs.emplace_back(p.name, bound[i].type);
    node->operands.push_back(std::move(bound[i].node));
  }
  if (!ok)
    return EV::error(call.getLoc());
  if (instantiating.size() > 64) {
    diags.error(call.getLoc(), "layers nested more than 64 deep");
    return EV::error(call.getLoc());
  }
  if (++numInstances > kMaxInstances) {
    if (numInstances == kMaxInstances + 1)
      diags.error(call.getLoc(), "the model has more than " +
                                     std::to_string(kMaxInstances) +
                                     " layer instances");
    return EV::error(call.getLoc());
  }
  instantiating.push_back(&decl);
  instantiated.insert(&decl);
  unsigned before = diags.getNumErrors();
  // A body that failed once is not elaborated again: its errors would only
  // repeat at every call.
  if (!failedLayers.count(&decl)) {
    elaborateBody(decl.body, inner);
    checkResult(decl, inner, *inst);
  }
  instantiating.pop_back();
  if (failedLayers.count(&decl) || diags.getNumErrors() != before ||
      inst->result.isError()) {
    if (!failedLayers.count(&decl))
      diags.note(call.getLoc(),
                 "in the call of layer '" + decl.name + "' here");
    failedLayers.insert(&decl);
    return EV::error(call.getLoc());
  }
  node->type = inst->result;
  node->instance = std::move(inst);
  return EV::tensor(std::move(node));
}

EV Sema::callModel(const Model &model, const ast::CallExpr &call,
                   std::vector<ActualArg> args) {
  FuncSpec spec;
  spec.name = model.name;
  for (auto &in : model.inst.inputs)
    spec.args.push_back({in.first, ArgKind::Tensor, std::nullopt});
  std::string callee = "model '" + model.name + "'";
  std::vector<BoundArg> bound;
  if (!bindArgs(spec, args, call.getLoc(), callee, bound))
    return EV::error(call.getLoc());
  auto node = std::make_unique<TExpr>(TExpr::Kind::Model, call.getLoc(),
                                      model.inst.result);
  node->name = model.name;
  bool ok = true;
  for (size_t i = 0; i < bound.size(); ++i) {
    const Type &want = model.inst.inputs[i].second;
    if (bound[i].type != want) {
      diags.error(bound[i].loc, "argument '" + model.inst.inputs[i].first +
                                    "' of " + callee + " must be '" +
                                    want.str() + "', got '" +
                                    bound[i].type.str() + "'");
      ok = false;
    }
    node->operands.push_back(std::move(bound[i].node));
  }
  if (!ok)
    return EV::error(call.getLoc());
  return EV::tensor(std::move(node));
}

//===----------------------------------------------------------------------===//
// Layers that are never called
//===----------------------------------------------------------------------===//

void Sema::checkNamesIn(const ast::Expr &e,
                        const std::set<std::string> &defined) {
  if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
    if (defined.count(n->name))
      return;
    std::string sugg = closestName(
        n->name, std::vector<std::string>(defined.begin(), defined.end()));
    diags.error(e.getLoc(),
                "use of undefined name '" + n->name + "'" +
                    (sugg.empty() ? "" : "; did you mean '" + sugg + "'?"));
  } else if (auto *c = dyn_cast<ast::CallExpr>(&e)) {
    if (!lookupOp(c->callee) && !funcs.count(c->callee) && !moduleFailed) {
      std::string sugg = closestName(c->callee, functionNames());
      diags.error(e.getLoc(),
                  "call to undefined function '" + c->callee + "'" +
                      (sugg.empty() ? "" : "; did you mean '" + sugg + "'?"));
    }
    for (const ast::Arg &a : c->args)
      checkNamesIn(*a.value, defined);
  } else if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    checkNamesIn(*b->lhs, defined);
    checkNamesIn(*b->rhs, defined);
  } else if (auto *ng = dyn_cast<ast::NegExpr>(&e)) {
    checkNamesIn(*ng->operand, defined);
  } else if (auto *l = dyn_cast<ast::ListExpr>(&e)) {
    for (const ast::ExprPtr &el : l->elems)
      checkNamesIn(*el, defined);
  } else if (auto *t = dyn_cast<ast::TupleExpr>(&e)) {
    for (const ast::ExprPtr &el : t->elems)
      checkNamesIn(*el, defined);
  }
}

void Sema::checkNamesIn(const std::vector<ast::StmtPtr> &body,
                        std::set<std::string> &defined) {
  for (const ast::StmtPtr &st : body) {
    if (auto *p = dyn_cast<ast::ParamStmt>(st.get())) {
      DType dt;
      if (p->type.isTensor)
        resolveElementType(p->type, dt);
      for (const ast::DimExpr &d : p->type.dims)
        if (d.expr)
          checkNamesIn(*d.expr, defined);
      // Initialisers are names of their own table.
      if (auto *c = p->init ? dyn_cast<ast::CallExpr>(p->init.get()) : nullptr)
        for (const ast::Arg &a : c->args)
          checkNamesIn(*a.value, defined);
      defined.insert(p->name);
    } else if (auto *a = dyn_cast<ast::AssignStmt>(st.get())) {
      checkNamesIn(*a->value, defined);
      for (auto &t : a->targets)
        defined.insert(t.first);
    } else if (auto *r = dyn_cast<ast::ReturnStmt>(st.get())) {
      checkNamesIn(*r->value, defined);
    } else if (auto *i = dyn_cast<ast::IfStmt>(st.get())) {
      checkNamesIn(*i->cond, defined);
      std::set<std::string> thenDefs = defined, elseDefs = defined;
      checkNamesIn(i->thenBody, thenDefs);
      checkNamesIn(i->elseBody, elseDefs);
      defined.insert(thenDefs.begin(), thenDefs.end());
      defined.insert(elseDefs.begin(), elseDefs.end());
    }
  }
}

void Sema::checkNames(const ast::FuncDecl &decl) {
  std::set<std::string> defined;
  for (const ast::Param &p : decl.params) {
    defined.insert(p.name);
    if (p.type.isTensor) {
      DType dt;
      resolveElementType(p.type, dt);
      // Dimension names in a formal's shape are bound by the call.
      for (const ast::DimExpr &d : p.type.dims)
        if (d.expr)
          if (auto *n = dyn_cast<ast::NameExpr>(d.expr.get()))
            defined.insert(n->name);
    } else {
      ArgKind kind;
      scalarKind(p.type, kind);
    }
  }
  checkNamesIn(decl.body, defined);
}

//===----------------------------------------------------------------------===//
// Train blocks
//===----------------------------------------------------------------------===//

/// Evaluates a train-block value: bare names are symbols, calls are kept as
/// calls for normalisation against a constructor table.
EV Sema::evalConfig(const ast::Expr &e) {
  switch (e.getKind()) {
  case ast::Expr::Kind::Name:
    return EV::constant(Const::ofSymbol(cast<ast::NameExpr>(e).name),
                        e.getLoc());
  case ast::Expr::Kind::List: {
    std::vector<Const> items;
    for (const ast::ExprPtr &el : cast<ast::ListExpr>(e).elems) {
      EV v = evalConfig(*el);
      if (v.isError())
        return v;
      items.push_back(v.c);
    }
    return EV::constant(Const::ofList(items), e.getLoc());
  }
  case ast::Expr::Kind::Call: {
    // Nested calls are normalised by the key that reads them.
    Const c;
    c.kind = Const::Kind::Call;
    c.s = cast<ast::CallExpr>(e).callee;
    return EV::constant(c, e.getLoc());
  }
  default: {
    Scope empty;
    EV v = eval(e, empty);
    if (!v.isError() && !v.isConst()) {
      diags.error(e.getLoc(), "expected a constant here");
      return EV::error(e.getLoc());
    }
    return v;
  }
  }
}

std::optional<Const>
Sema::normalizeCall(const ast::Expr &e, const ConstructorTable &table,
                    const std::function<EV(const ast::Expr &)> &evalArg) {
  std::string name;
  const std::vector<ast::Arg> *args = nullptr;
  if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
    name = n->name;
  } else if (auto *c = dyn_cast<ast::CallExpr>(&e)) {
    name = c->callee;
    args = &c->args;
  } else {
    diags.error(e.getLoc(), "expected " + table.what + " such as " +
                                table.entries.front().name + "(...)");
    return std::nullopt;
  }
  const FuncSpec *spec = table.find(name);
  if (!spec) {
    std::string s = closestName(name, table.names());
    diags.error(e.getLoc(), "unknown " + table.what + " '" + name + "'" +
                                (s.empty() ? "; expected one of: " +
                                                 llvm::join(table.names(), ", ")
                                           : "; did you mean '" + s + "'?"));
    return std::nullopt;
  }
  std::vector<ActualArg> actuals;
  if (args)
    for (const ast::Arg &a : *args)
      actuals.push_back({a.keyword, a.loc, evalArg(*a.value)});
  std::vector<BoundArg> bound;
  if (!bindArgs(*spec, actuals, e.getLoc(), table.what + " '" + name + "'",
                bound))
    return std::nullopt;
  Const c;
  c.kind = Const::Kind::Call;
  c.s = name;
  for (size_t i = 0; i < bound.size(); ++i)
    c.kwargs.emplace_back(spec->args[i].name, bound[i].c);
  return c;
}

/// The keys of a train block, in the order they are printed.
struct TrainKey {
  const char *name;
  const char *doc;
};
const TrainKey kTrainKeys[] = {
    {"data", "data source, e.g. fashion_mnist()"},
    {"validation", "fraction of the training set held out, in [0, 1)"},
    {"loss", "loss function, e.g. cross_entropy"},
    {"optimizer", "optimizer, e.g. sgd(lr=0.1, momentum=0.9)"},
    {"schedule", "learning-rate schedule, e.g. one_cycle(max_lr=0.1)"},
    {"batch", "batch size"},
    {"epochs", "number of epochs"},
    {"seed", "random seed"},
    {"metrics", "list of metrics, e.g. [accuracy, f1]"},
    {"early_stop", "early stopping, e.g. patience(3, on=val_loss)"},
    {"grad_clip", "clip the global gradient norm to this value (0: off)"},
    {"l1", "L1 penalty on the trainable weights"},
};

void Sema::elaborateTrain(const ast::TrainDecl &decl) {
  TrainConfig cfg;
  cfg.loc = decl.loc;
  auto f = funcs.find(decl.model);
  if (f == funcs.end() && rejectedNames.count(decl.model)) {
    // Already reported where it was declared.
  } else if (f == funcs.end()) {
    std::vector<std::string> names;
    for (auto &kv : funcs)
      if (kv.second->isModel)
        names.push_back(kv.first);
    std::string s = closestName(decl.model, names);
    diags.error(decl.modelLoc,
                "unknown model '" + decl.model + "'" +
                    (s.empty() ? "" : "; did you mean '" + s + "'?"));
  } else if (!f->second->isModel) {
    diags.error(decl.modelLoc,
                "'" + decl.model + "' is a layer; a train block needs a model");
    diags.note(f->second->nameLoc, "defined here");
  } else {
    cfg.model = prog->findModel(decl.model);
    for (const TrainConfig &other : prog->trains)
      if (cfg.model && other.model == cfg.model) {
        diags.error(decl.modelLoc,
                    "model '" + decl.model + "' already has a train block");
        diags.note(other.loc, "the first one is here");
        break;
      }
  }

  std::map<std::string, const ast::TrainSetting *> given;
  std::vector<std::string> keyNames;
  for (const TrainKey &k : kTrainKeys)
    keyNames.push_back(k.name);
  // Known keys first (silently); their problems are reported in source order
  // together with the values' below.
  for (const ast::TrainSetting &s : decl.settings)
    if (std::find(keyNames.begin(), keyNames.end(), s.key) != keyNames.end())
      given.emplace(s.key, &s);
  auto cfgEval = [&](const ast::Expr &e) { return evalConfig(e); };
  auto number = [&](const char *key, bool integer, Const dflt,
                    std::function<std::string(const Const &)> check) -> Const {
    auto it = given.find(key);
    if (it == given.end())
      return dflt;
    EV v = evalConfig(*it->second->value);
    if (v.isError())
      return dflt;
    if (integer ? v.c.kind != Const::Kind::Int : !v.c.isNumber()) {
      diags.error(it->second->value->getLoc(),
                  std::string("'") + key + "' must be " +
                      (integer ? "an integer" : "a number") + ", got " +
                      v.type.str());
      return dflt;
    }
    Const c = integer ? v.c : Const::ofFloat(v.c.asDouble());
    if (check && !check(c).empty())
      diags.error(it->second->value->getLoc(), std::string("'") + key + "' " +
                                                   check(c) + ", got " +
                                                   c.str());
    return c;
  };
  auto table = [&](const char *key, const ConstructorTable &t,
                   const char *dflt) -> std::optional<Const> {
    auto it = given.find(key);
    if (it == given.end()) {
      if (!dflt)
        return std::nullopt;
      ast::NameExpr def(decl.loc, dflt);
      return normalizeCall(def, t, cfgEval);
    }
    return normalizeCall(*it->second->value, t, cfgEval);
  };

  // One validator per key. They run in source order, so that errors come
  // out in the order of the file; absent keys then get their defaults.
  std::map<std::string, std::function<std::optional<Const>()>> validators = {
      {"data",
       [&]() -> std::optional<Const> {
         if (!given.count("data")) {
           diags.error(decl.loc,
                       "train block for '" + decl.model +
                           "' needs 'data', e.g. data = fashion_mnist()");
           return std::nullopt;
         }
         return table("data", dataSources(), nullptr);
       }},
      {"validation",
       [&]() -> std::optional<Const> {
         return number("validation", false, Const::ofFloat(0.0),
                       checkProbability);
       }},
      {"loss", [&] { return table("loss", lossConfigs(), "cross_entropy"); }},
      {"optimizer",
       [&]() -> std::optional<Const> {
         std::optional<Const> c = table("optimizer", optimizers(), "sgd");
         // PyTorch's rule: Nesterov momentum needs a momentum and no
         // dampening.
         const Const *nesterov = c ? c->get("nesterov") : nullptr;
         if (nesterov && nesterov->b) {
           double momentum = c->get("momentum")->f;
           double dampening = c->get("dampening")->f;
           if (momentum <= 0 || dampening != 0)
             diags.error(given.count("optimizer")
                             ? given["optimizer"]->value->getLoc()
                             : decl.loc,
                         "sgd with nesterov=true needs momentum > 0 and "
                         "dampening = 0, got momentum=" +
                             Const::ofFloat(momentum).str() +
                             ", dampening=" + Const::ofFloat(dampening).str());
         }
         return c;
       }},
      {"schedule", [&] { return table("schedule", schedules(), "constant"); }},
      {"batch",
       [&]() -> std::optional<Const> {
         return number("batch", true, Const::ofInt(32), checkPositive);
       }},
      {"epochs",
       [&]() -> std::optional<Const> {
         return number("epochs", true, Const::ofInt(1), checkPositive);
       }},
      {"seed",
       [&]() -> std::optional<Const> {
         return number("seed", true, Const::ofInt(0), checkNonNegative);
       }},
      {"metrics",
       [&]() -> std::optional<Const> {
         ArgSpec spec{"metrics", ArgKind::SymbolList, std::nullopt,
                      metricNames()};
         Const metrics = Const::ofList({Const::ofSymbol("accuracy")});
         auto it = given.find("metrics");
         if (it != given.end()) {
           EV v = evalConfig(*it->second->value);
           BoundArg b;
           b.loc = it->second->value->getLoc();
           if (!v.isError() &&
               convertArg(spec, std::move(v), "the train block", b))
             metrics =
                 b.c.kind == Const::Kind::List ? b.c : Const::ofList({b.c});
         }
         return metrics;
       }},
      {"early_stop",
       [&]() -> std::optional<Const> {
         if (!given.count("early_stop"))
           return Const::none();
         return table("early_stop", earlyStopping(), nullptr);
       }},
      {"grad_clip",
       [&]() -> std::optional<Const> {
         return number("grad_clip", false, Const::ofFloat(0.0),
                       checkNonNegative);
       }},
      {"l1",
       [&]() -> std::optional<Const> {
         return number("l1", false, Const::ofFloat(0.0), checkNonNegative);
       }},
  };
  std::map<std::string, std::optional<Const>> results;
  for (const ast::TrainSetting &st : decl.settings) {
    if (!validators.count(st.key)) {
      std::string sugg = closestName(st.key, keyNames);
      diags.error(st.loc,
                  "unknown train setting '" + st.key + "'" +
                      (sugg.empty()
                           ? "; known settings: " + llvm::join(keyNames, ", ")
                           : "; did you mean '" + sugg + "'?"));
    } else if (given[st.key] != &st) {
      diags.error(st.loc, "train setting '" + st.key + "' is given twice");
      diags.note(given[st.key]->loc, "first given here");
    } else {
      results[st.key] = validators[st.key]();
    }
  }
  for (const TrainKey &k : kTrainKeys) {
    if (!results.count(k.name))
      results[k.name] = validators[k.name]();
    if (results[k.name])
      cfg.settings.emplace_back(k.name, *results[k.name]);
  }
  std::optional<Const> data = results["data"], loss = results["loss"];

  // The data must fit the model, and the loss the model's output.
  if (data) {
    DataSignature sig = dataSignature(*data);
    cfg.labelType = sig.label;
    if (sig.known && cfg.model && !cfg.model->hasErrors && decl.steps.empty()) {
      cfg.sampleType = sig.sample;
      Shape batched = {Dim::symbol("B")};
      batched.insert(batched.end(), sig.sample.shape.begin(),
                     sig.sample.shape.end());
      const auto &inputs = cfg.model->inst.inputs;
      bool fits = inputs.size() == 1 &&
                  inputs[0].second.dtype == sig.sample.dtype &&
                  inputs[0].second.rank() == batched.size() &&
                  std::equal(batched.begin() + 1, batched.end(),
                             inputs[0].second.shape.begin() + 1) &&
                  !inputs[0].second.shape[0].isKnown();
      if (!fits) {
        std::string in = inputs.size() == 1
                             ? "'" + inputs[0].second.str() + "'"
                             : std::to_string(inputs.size()) + " inputs";
        diags.error(given["data"]->value->getLoc(),
                    "model '" + cfg.model->name + "' takes " + in + " but " +
                        data->s + "() yields batches of '" +
                        Type::tensor(sig.sample.dtype, batched).str() + "'");
      }
    }
  }
  if (data && loss && cfg.model && !cfg.model->hasErrors &&
      decl.steps.empty() && !cfg.model->inst.result.isError())
    checkLoss(cfg, *data, *loss,
              given.count("loss") ? given["loss"]->value->getLoc() : decl.loc);
  for (const ast::TrainStep &step : decl.steps) {
    if (&step != &decl.steps.front()) {
      diags.error(step.loc, "a train block has at most one step");
      break;
    }
    elaborateStep(step, cfg);
  }
  prog->trains.push_back(std::move(cfg));
}

/// The loss of a train block against the model's output and what the data
/// source yields: the loss's own shape rule, class counts, class weights.
void Sema::checkLoss(const TrainConfig &cfg, const Const &data,
                     const Const &loss, Loc at) {
  DataSignature sig = dataSignature(data);
  Type out = cfg.model->inst.result;
  bool classLoss = loss.s == "cross_entropy" || loss.s == "nll";
  if (!classLoss && !isFloat(sig.label.dtype)) {
    diags.error(at, "loss '" + loss.s + "' compares '" + out.str() +
                        "' with float targets of the same shape, but " +
                        data.s +
                        "() yields class indices; float targets "
                        "(regression) are not supported by the trainer yet: "
                        "use cross_entropy or nll");
    return;
  }
  const OpInfo *op = lookupOp(loss.s);
  Type labels = Type::tensor(sig.label.dtype,
                             {out.rank() ? out.shape[0] : Dim::symbol("B")});
  std::vector<Type> types(op->spec.args.size());
  std::vector<Const> consts(op->spec.args.size());
  types[0] = out;
  types[1] = labels;
  for (size_t i = 2; i < op->spec.args.size(); ++i)
    if (op->spec.args[i].dflt)
      consts[i] = *op->spec.args[i].dflt;
  OpContext ctx(op->spec, types, consts);
  if (op->rule(ctx).isError()) {
    diags.error(at, "loss '" + loss.s + "' does not fit model '" +
                        cfg.model->name + "' with " +
                        (sig.classes ? std::to_string(sig.classes) + "-class "
                                     : std::string("class ")) +
                        "labels: " + ctx.getMessage());
    return;
  }
  if (!classLoss || out.rank() != 2)
    return;
  if (sig.classes && out.shape[1] != Dim::known(sig.classes)) {
    diags.error(at, "model '" + cfg.model->name + "' produces '" + out.str() +
                        "' but " + data.s + "() has " +
                        std::to_string(sig.classes) + " classes");
    return;
  }
  const Const *weight = loss.get("weight");
  if (weight && !weight->isNone() && out.shape[1].isKnown()) {
    int64_t classes = out.shape[1].size;
    if (static_cast<int64_t>(weight->list.size()) != classes) {
      diags.error(at, "loss '" + loss.s + "' has " +
                          std::to_string(weight->list.size()) +
                          " class weights, but model '" + cfg.model->name +
                          "' produces " + std::to_string(classes) +
                          " classes ('" + out.str() + "')");
      return;
    }
    for (const Const &w : weight->list) {
      double v = w.kind == Const::Kind::Int ? static_cast<double>(w.i) : w.f;
      if (!(v >= 0) || !std::isfinite(v)) {
        diags.error(at, "class weights of loss '" + loss.s +
                            "' must be finite and non-negative, got " +
                            w.str());
        return;
      }
    }
  }
}

void Sema::elaborateStep(const ast::TrainStep &step, TrainConfig &cfg) {
  Scope scope;
  scope.inStep = true;
  scope.stmts = &cfg.step;
  cfg.stepVars = step.vars;
  const Const *data = cfg.get("data");
  DataSignature sig = data ? dataSignature(*data) : DataSignature();
  scope.dims["B"] = Dim::symbol("B");
  if (data && !sig.known) {
    diags.error(step.loc,
                "a train step needs a data source whose samples have a "
                "known shape, such as fashion_mnist(); " +
                    data->s + "() has none");
    return;
  }
  if (step.vars.size() > 2)
    diags.error(step.vars[2].second,
                "a step takes (inputs) or (inputs, labels)");
  for (size_t i = 0; i < step.vars.size() && i < 2; ++i) {
    Binding b;
    b.loc = step.vars[i].second;
    if (sig.known) {
      const Type &t = i == 0 ? sig.sample : sig.label;
      Shape s = {Dim::symbol("B")};
      s.insert(s.end(), t.shape.begin(), t.shape.end());
      b.kind = Binding::Kind::Tensor;
      b.ref = TExpr::Kind::Input;
      b.type = Type::tensor(t.dtype, s);
      b.index = i;
    }
    if (step.vars[i].first != "_")
      scope.vars[step.vars[i].first] = b;
  }
  unsigned before = diags.getNumErrors();
  elaborateBody(step.body, scope);
  bool updates = false;
  for (const TStmt &s : cfg.step)
    updates |= s.kind == TStmt::Kind::Update;
  bool updateStmt = false;
  for (const ast::StmtPtr &st : step.body)
    updateStmt |= llvm::isa<ast::UpdateStmt>(st.get());
  if (!updates && !updateStmt && diags.getNumErrors() == before)
    diags.error(step.loc, "a train step must contain at least one "
                          "'update MODEL with OPTIMIZER minimizing LOSS'");
}

} // namespace

std::unique_ptr<Program> dlc::analyzeFile(DiagnosticEngine &diags,
                                          llvm::StringRef path,
                                          const SemaOptions &options) {
  Sema sema(diags, options);
  return sema.run(path);
}
