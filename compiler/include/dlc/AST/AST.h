//===- AST.h - The untyped syntax tree of a .dl program ---------*- C++ -*-===//
//
// The parser (the only code that sees ANTLR types) turns a file into this
// tree. Every node carries the source location of its first token. Sema reads
// it and produces the typed, elaborated program (Sema/Program.h); the tree
// itself is never annotated, so one layer definition can be instantiated at
// many shapes.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_AST_AST_H
#define DLC_AST_AST_H

#include "dlc/Basic/Diagnostics.h"

#include "llvm/Support/Casting.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dlc::ast {

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

class Expr {
public:
  enum class Kind {
    Name,
    Int,
    Float,
    String,
    Bool,
    List,
    Tuple,
    Call,
    Binary,
    Neg,
    Index
  };
  Expr(Kind kind, Loc loc) : kind(kind), loc(loc) {}
  virtual ~Expr() = default;
  Kind getKind() const { return kind; }
  Loc getLoc() const { return loc; }

private:
  Kind kind;
  Loc loc;
};
using ExprPtr = std::unique_ptr<Expr>;

class NameExpr : public Expr {
public:
  NameExpr(Loc loc, std::string name)
      : Expr(Kind::Name, loc), name(std::move(name)) {}
  std::string name;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Name; }
};

class IntExpr : public Expr {
public:
  IntExpr(Loc loc, int64_t value) : Expr(Kind::Int, loc), value(value) {}
  int64_t value;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Int; }
};

class FloatExpr : public Expr {
public:
  FloatExpr(Loc loc, double value) : Expr(Kind::Float, loc), value(value) {}
  double value;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Float; }
};

class StringExpr : public Expr {
public:
  StringExpr(Loc loc, std::string value)
      : Expr(Kind::String, loc), value(std::move(value)) {}
  std::string value;
  static bool classof(const Expr *e) { return e->getKind() == Kind::String; }
};

class BoolExpr : public Expr {
public:
  BoolExpr(Loc loc, bool value) : Expr(Kind::Bool, loc), value(value) {}
  bool value;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Bool; }
};

/// `[a, b, c]`
class ListExpr : public Expr {
public:
  ListExpr(Loc loc, std::vector<ExprPtr> elems)
      : Expr(Kind::List, loc), elems(std::move(elems)) {}
  std::vector<ExprPtr> elems;
  static bool classof(const Expr *e) { return e->getKind() == Kind::List; }
};

/// `(a, b)`
class TupleExpr : public Expr {
public:
  TupleExpr(Loc loc, std::vector<ExprPtr> elems)
      : Expr(Kind::Tuple, loc), elems(std::move(elems)) {}
  std::vector<ExprPtr> elems;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Tuple; }
};

/// One argument of a call: positional when `keyword` is empty.
struct Arg {
  Loc loc;
  std::string keyword;
  ExprPtr value;
};

/// `callee(args...)`: a built-in op, a layer, a model, or (in a train block)
/// a configuration constructor such as `sgd(lr=0.1)`.
class CallExpr : public Expr {
public:
  CallExpr(Loc loc, std::string callee, std::vector<Arg> args)
      : Expr(Kind::Call, loc), callee(std::move(callee)),
        args(std::move(args)) {}
  std::string callee;
  std::vector<Arg> args;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Call; }
};

/// `lhs op rhs` with op one of + - * / @ (the location is the operator's).
class BinaryExpr : public Expr {
public:
  BinaryExpr(Loc loc, char op, ExprPtr lhs, ExprPtr rhs)
      : Expr(Kind::Binary, loc), op(op), lhs(std::move(lhs)),
        rhs(std::move(rhs)) {}
  /// `+ - * / @`, or a comparison: `=` (==), `!` (!=), `<`, `>`, `l` (<=),
  /// `g` (>=).
  char op;
  ExprPtr lhs, rhs;
  bool isComparison() const {
    return std::string("=!<>lg").find(op) != std::string::npos;
  }
  /// The operator as written.
  std::string spelling() const {
    switch (op) {
    case '=':
      return "==";
    case '!':
      return "!=";
    case 'l':
      return "<=";
    case 'g':
      return ">=";
    default:
      return std::string(1, op);
    }
  }
  static bool classof(const Expr *e) { return e->getKind() == Kind::Binary; }
};

/// `-operand`
class NegExpr : public Expr {
public:
  NegExpr(Loc loc, ExprPtr operand)
      : Expr(Kind::Neg, loc), operand(std::move(operand)) {}
  ExprPtr operand;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Neg; }
};

/// One subscript of `x[...]`: an index (an integer, or an integer tensor),
/// a slice `start:stop:step` (each part optional), or `...`.
struct Subscript {
  enum class Kind { Index, Slice, Ellipsis };
  Kind kind = Kind::Index;
  Loc loc;
  /// Index: the index; Slice: start, stop and step, each possibly null.
  ExprPtr index, start, stop, step;
};

/// `base[subscripts]` (the location is the bracket's).
class IndexExpr : public Expr {
public:
  IndexExpr(Loc loc, ExprPtr base, std::vector<Subscript> subscripts)
      : Expr(Kind::Index, loc), base(std::move(base)),
        subscripts(std::move(subscripts)) {}
  ExprPtr base;
  std::vector<Subscript> subscripts;
  static bool classof(const Expr *e) { return e->getKind() == Kind::Index; }
};

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// One dimension of a tensor type: `...`, or an expression (an integer, a
/// symbolic dimension such as `B`, or arithmetic on integer parameters).
struct DimExpr {
  Loc loc;
  bool isEllipsis = false;
  ExprPtr expr; // null for `...`
};

/// `int`, `float`, `bool`, `str`, or `f32[B, 784]`.
struct TypeExpr {
  Loc loc;
  std::string name; // element type or scalar type name
  bool isTensor = false;
  std::vector<DimExpr> dims; // tensor types only
};

//===----------------------------------------------------------------------===//
// Statements and declarations
//===----------------------------------------------------------------------===//

class Stmt {
public:
  enum class Kind { Param, Assign, Return, Update, If, For };
  Stmt(Kind kind, Loc loc) : kind(kind), loc(loc) {}
  virtual ~Stmt() = default;
  Kind getKind() const { return kind; }
  Loc getLoc() const { return loc; }

private:
  Kind kind;
  Loc loc;
};
using StmtPtr = std::unique_ptr<Stmt>;

/// `param w: f32[I, out] init glorot_uniform` (trainable) or
/// `buffer mean: f32[C] init zeros` (state that is not trained).
class ParamStmt : public Stmt {
public:
  ParamStmt(Loc loc, std::string name, TypeExpr type, ExprPtr init,
            bool trainable)
      : Stmt(Kind::Param, loc), name(std::move(name)), type(std::move(type)),
        init(std::move(init)), trainable(trainable) {}
  std::string name;
  TypeExpr type;
  ExprPtr init; // may be null: the default initialiser
  bool trainable;
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Param; }
};

/// `h = expr` or `(a, b) = expr`.
class AssignStmt : public Stmt {
public:
  AssignStmt(Loc loc, std::vector<std::pair<std::string, Loc>> targets,
             ExprPtr value)
      : Stmt(Kind::Assign, loc), targets(std::move(targets)),
        value(std::move(value)) {}
  std::vector<std::pair<std::string, Loc>> targets;
  ExprPtr value;
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Assign; }
};

class ReturnStmt : public Stmt {
public:
  ReturnStmt(Loc loc, ExprPtr value)
      : Stmt(Kind::Return, loc), value(std::move(value)) {}
  ExprPtr value;
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Return; }
};

/// `update G with adam(lr=2e-4) minimizing loss` (train step blocks only).
class UpdateStmt : public Stmt {
public:
  UpdateStmt(Loc loc, std::string model, Loc modelLoc, ExprPtr optimizer,
             ExprPtr loss)
      : Stmt(Kind::Update, loc), model(std::move(model)), modelLoc(modelLoc),
        optimizer(std::move(optimizer)), loss(std::move(loss)) {}
  std::string model;
  Loc modelLoc;
  ExprPtr optimizer, loss;
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Update; }
};

/// `if cond { ... } else { ... }` on a compile-time condition (e.g. a
/// `bias: bool` argument); the chosen branch is inlined.
class IfStmt : public Stmt {
public:
  IfStmt(Loc loc, ExprPtr cond, std::vector<StmtPtr> thenBody,
         std::vector<StmtPtr> elseBody)
      : Stmt(Kind::If, loc), cond(std::move(cond)),
        thenBody(std::move(thenBody)), elseBody(std::move(elseBody)) {}
  ExprPtr cond;
  std::vector<StmtPtr> thenBody, elseBody;
  static bool classof(const Stmt *s) { return s->getKind() == Kind::If; }
};

/// `for t in range(T) { ... }`: a loop over a compile-time sequence (a
/// `range(...)`, a list of constants or a list of tensors). Sema elaborates
/// the body once per element; a layer call of the body keeps one instance
/// (its parameters) across the iterations when its name does not change.
class ForStmt : public Stmt {
public:
  ForStmt(Loc loc, std::string var, Loc varLoc, ExprPtr seq,
          std::vector<StmtPtr> body)
      : Stmt(Kind::For, loc), var(std::move(var)), varLoc(varLoc),
        seq(std::move(seq)), body(std::move(body)) {}
  std::string var;
  Loc varLoc;
  ExprPtr seq;
  std::vector<StmtPtr> body;
  static bool classof(const Stmt *s) { return s->getKind() == Kind::For; }
};

/// The statement lists nested in `s` (the branches of an `if`, the body of a
/// `for`), for walks over a body that do not care which construct it is.
inline std::vector<const std::vector<StmtPtr> *> nestedBodies(const Stmt &s) {
  if (auto *i = llvm::dyn_cast<IfStmt>(&s))
    return {&i->thenBody, &i->elseBody};
  if (auto *f = llvm::dyn_cast<ForStmt>(&s))
    return {&f->body};
  return {};
}

/// A formal parameter of a layer or model: `x: f32[..., I]`, `out: int`,
/// `bias: bool = true`.
struct Param {
  Loc loc;
  std::string name;
  TypeExpr type;
  ExprPtr defaultValue; // may be null
};

/// `layer` or `model` definition.
struct FuncDecl {
  Loc loc;
  bool isModel = false;
  std::string name;
  Loc nameLoc;
  std::vector<Param> params;
  std::optional<TypeExpr> resultType;
  std::vector<StmtPtr> body;
  Loc endLoc;         // the closing brace
  std::string module; // the module that defined it ("" for the main file)
};

/// `key = value` in a train block.
struct TrainSetting {
  Loc loc;
  std::string key;
  ExprPtr value;
};

/// `step (x, y) { ... }` in a train block.
struct TrainStep {
  Loc loc;
  std::vector<std::pair<std::string, Loc>> vars;
  std::vector<StmtPtr> body;
};

struct TrainDecl {
  Loc loc;
  std::string model;
  Loc modelLoc;
  std::vector<TrainSetting> settings;
  std::vector<TrainStep> steps;
};

struct UseDecl {
  Loc loc;
  std::string module; // dotted path, e.g. "nn" or "nn.vision"
};

/// One parsed file.
struct Module {
  std::string name; // "" for the main program, else the module path
  std::vector<UseDecl> uses;
  std::vector<std::unique_ptr<FuncDecl>> funcs; // layers and models in order
  std::vector<std::unique_ptr<TrainDecl>> trains;
};

} // namespace dlc::ast

#endif // DLC_AST_AST_H
