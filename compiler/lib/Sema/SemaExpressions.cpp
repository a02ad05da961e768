//===- SemaExpressions.cpp - Expressions ----------------------------------===//
//
// Evaluates expressions to tensors (typed AST nodes) or constants: names,
// numbers, operators (as the built-in ops they stand for) and calls.
//
//===----------------------------------------------------------------------===//
#include "ArgSpecs.h"
#include "SemaInternal.h"

#include <cmath>

namespace dlc::sema::detail {

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
  case ast::Expr::Kind::Index:
    return evalIndex(cast<ast::IndexExpr>(e), scope);
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
    if (b.kind == Binding::Kind::List) {
      EV list;
      list.loc = e.getLoc();
      list.type = Type::scalar(Type::Kind::List);
      for (size_t k = 0; k < b.elems.size(); ++k) {
        const Binding &el = b.elems[k];
        list.elems.push_back(
            el.kind == Binding::Kind::Const
                ? EV::constant(el.c, e.getLoc())
                : EV::tensor(refNode(e.name + "[" + std::to_string(k) + "]", el,
                                     e.getLoc())));
      }
      return list;
    }
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

/// A comparison of two compile-time values (`t == 0`, `kind == "lstm"`):
/// numbers by value, strings and bools by equality, dimensions when both
/// are known or (for == and !=) the same symbol.
EV Sema::evalCompare(const ast::BinaryExpr &e, const EV &l, const EV &r) {
  auto fail = [&](const std::string &why) {
    diags.error(e.getLoc(),
                "cannot compare " + why + " with '" + e.spelling() + "'");
    return EV::error(e.getLoc());
  };
  if (!l.isConst() || !r.isConst())
    return fail((l.isConst() ? r : l).type.str() +
                " (comparisons are of compile-time values)");
  const Const &a = l.c, &b = r.c;
  bool eq = e.op == '=' || e.op == '!';
  int cmp = 0; // <0, 0, >0
  if (a.isNumber() && b.isNumber()) {
    if (a.kind == Const::Kind::Int && b.kind == Const::Kind::Int)
      cmp = a.i < b.i ? -1 : a.i > b.i;
    else
      cmp = a.asDouble() < b.asDouble() ? -1 : a.asDouble() > b.asDouble();
  } else if (a.kind == b.kind &&
             (a.kind == Const::Kind::String || a.kind == Const::Kind::Bool ||
              a.kind == Const::Kind::Dim || a.kind == Const::Kind::Symbol)) {
    if (!eq)
      return fail(l.type.str() + " values");
    cmp = a.kind == Const::Kind::Bool ? a.b != b.b : a.s != b.s;
  } else {
    return fail(l.type.str() + " and " + r.type.str());
  }
  bool v = false;
  switch (e.op) {
  case '=':
    v = cmp == 0;
    break;
  case '!':
    v = cmp != 0;
    break;
  case '<':
    v = cmp < 0;
    break;
  case '>':
    v = cmp > 0;
    break;
  case 'l':
    v = cmp <= 0;
    break;
  default:
    v = cmp >= 0;
    break;
  }
  return EV::constant(Const::ofBool(v), e.getLoc());
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
  std::string opStr = e.spelling();
  if (e.isComparison())
    return evalCompare(e, l, r);
  // `a + b` of two lists is their concatenation (`ys = ys + [h]`).
  if (l.type.kind == Type::Kind::List && r.type.kind == Type::Kind::List) {
    if (e.op != '+') {
      diags.error(e.getLoc(), "lists can only be joined with '+'");
      return EV::error(e.getLoc());
    }
    EV v;
    v.loc = e.getLoc();
    v.type = Type::scalar(Type::Kind::List);
    bool allConst = true;
    for (EV *side : {&l, &r}) {
      expandConstList(*side);
      for (EV &el : side->elems) {
        allConst &= el.isConst();
        v.elems.push_back(std::move(el));
      }
    }
    if (allConst) {
      std::vector<Const> cs;
      for (EV &el : v.elems)
        cs.push_back(el.c);
      v.c = Const::ofList(std::move(cs));
    }
    return v;
  }
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

/// `split(x, sizes, axis=0)` as PyTorch's torch.split: `sizes` an int
/// (pieces of that size along the static axis, the last one smaller when it
/// does not divide) or a list of sizes that add up to the axis. The only
/// built-in with several results, so it is not an op-table row (a row's
/// shape rule has one result type): it binds x to a hidden local and
/// returns a tuple of `slice` calls on it, to be unpacked,
/// `(a, b) = split(x, 2, axis=1)`.
EV Sema::evalSplit(const ast::CallExpr &e, Scope &scope) {
  static const FuncSpec spec{
      "split",
      {tensor("x"), {"sizes", ArgKind::Call, std::nullopt}, intArg("axis", 0)},
      "pieces of x along axis"};
  std::vector<ActualArg> args = evalArgs(e.args, scope);
  std::vector<BoundArg> bound;
  if (!bindArgs(spec, args, e.getLoc(), "'split'", bound))
    return EV::error(e.getLoc());
  auto fail = [&](const std::string &msg) {
    diags.error(e.getLoc(), "invalid arguments for 'split': " + msg);
    return EV::error(e.getLoc());
  };
  if (!scope.stmts || scope.inStep)
    return fail("split is only available in a layer or model body");
  Type x = bound[0].type;
  std::string shown = "'" + x.str() + "'";
  int64_t r = x.rank(), axis = bound[2].c.i;
  if (axis < -r || axis >= r)
    return fail("axis " + std::to_string(axis) + " out of range for " + shown);
  if (axis < 0)
    axis += r;
  if (!x.shape[axis].isKnown())
    return fail("cannot split the symbolic dimension " + x.shape[axis].str() +
                " of " + shown);
  int64_t size = x.shape[axis].size;
  std::vector<int64_t> sizes;
  const Const &sc = bound[1].c;
  if (sc.kind == Const::Kind::Int) {
    if (sc.i < 1)
      return fail("the piece size must be positive, got " + sc.str());
    for (int64_t at = 0; at < size; at += sc.i)
      sizes.push_back(std::min(sc.i, size - at));
  } else if (sc.kind == Const::Kind::List) {
    int64_t total = 0;
    for (const Const &c : sc.list) {
      if (c.kind != Const::Kind::Int || c.i < 1)
        return fail("sizes must be positive integers, got " + sc.str());
      sizes.push_back(c.i);
      total += c.i;
    }
    if (total != size)
      return fail("sizes " + sc.str() + " add up to " + std::to_string(total) +
                  ", but axis " + std::to_string(axis) + " of " + shown +
                  " has " + std::to_string(size));
  } else {
    return fail("sizes must be an integer or a list of integers, got " +
                sc.str());
  }
  // x once, as a hidden local that every slice reads.
  Binding b;
  b.kind = Binding::Kind::Tensor;
  b.ref = TExpr::Kind::Local;
  b.type = x;
  b.loc = e.getLoc();
  std::string name = "split." + std::to_string(scope.stmts->size());
  scope.stmts->push_back({TStmt::Kind::Assign,
                          e.getLoc(),
                          {name},
                          std::move(bound[0].node),
                          "",
                          {}});
  b.def = scope.stmts->back().value.get();
  const OpInfo *slice = lookupOp("slice");
  EV tuple;
  tuple.loc = e.getLoc();
  tuple.type = Type::scalar(Type::Kind::Tuple);
  int64_t start = 0;
  for (int64_t n : sizes) {
    std::vector<ActualArg> sa;
    sa.push_back({"", e.getLoc(), EV::tensor(refNode(name, b, e.getLoc()))});
    sa.push_back(
        {"", e.getLoc(), EV::constant(Const::ofInt(axis), e.getLoc())});
    sa.push_back(
        {"", e.getLoc(), EV::constant(Const::ofInt(start), e.getLoc())});
    sa.push_back(
        {"", e.getLoc(), EV::constant(Const::ofInt(start + n), e.getLoc())});
    EV piece = callOp(*slice, "'split'", e.getLoc(), std::move(sa));
    if (piece.isError())
      return EV::error(e.getLoc());
    tuple.type.elems.push_back(piece.type);
    tuple.elems.push_back(std::move(piece));
    start += n;
  }
  return tuple;
}

/// `x[s0, s1, ...]` as Python and numpy index: subscript k applies to axis
/// k (after a `...`, to the axes counted from the end; missing trailing
/// subscripts take whole axes). A slice `a:b:c` (compile-time integers,
/// each optional) is `slice(x, axis, a, b, c)`; an integer `i` (negative:
/// from the end) is that slice of one element with the axis dropped by a
/// `reshape`; an integer tensor is `gather(x, ids, axis)`, whose shape
/// replaces the axis. The subscripts are applied from the last to the
/// first, so that each one's axis is still where it was in `x`.
EV Sema::evalIndex(const ast::IndexExpr &e, Scope &scope) {
  const std::string shown = "'x[...]' (indexing)";
  auto fail = [&](Loc at, const std::string &msg) {
    diags.error(at, "invalid index: " + msg);
    return EV::error(e.getLoc());
  };
  EV x = eval(*e.base, scope);
  if (x.isError())
    return x;
  if (!x.isTensor())
    return fail(e.getLoc(), "only tensors can be indexed, got " + x.type.str());
  int64_t rank = x.type.rank();
  // The axis of x that each subscript applies to.
  int64_t ellipses = 0, explicitCount = 0;
  for (const ast::Subscript &s : e.subscripts) {
    if (s.kind == ast::Subscript::Kind::Ellipsis)
      ++ellipses;
    else
      ++explicitCount;
  }
  if (ellipses > 1)
    return fail(e.getLoc(), "at most one '...' in an index");
  if (explicitCount > rank)
    return fail(e.getLoc(), std::to_string(explicitCount) +
                                " subscripts for a tensor of rank " +
                                std::to_string(rank) + " ('" + x.type.str() +
                                "')");
  struct Step {
    const ast::Subscript *sub;
    int64_t axis;
    EV value; // an index: its value
  };
  std::vector<Step> steps;
  int64_t axis = 0;
  for (const ast::Subscript &s : e.subscripts) {
    if (s.kind == ast::Subscript::Kind::Ellipsis) {
      axis += rank - explicitCount;
      continue;
    }
    Step st{&s, axis++, EV()};
    if (s.kind == ast::Subscript::Kind::Index) {
      st.value = eval(*s.index, scope);
      if (st.value.isError())
        return EV::error(e.getLoc());
      bool isInt = st.value.isConst() && st.value.c.kind == Const::Kind::Int;
      if (!isInt && !st.value.isTensor())
        return fail(s.loc, "a subscript must be an integer, a slice a:b:c "
                           "or an integer tensor, got " +
                               st.value.type.str());
    }
    steps.push_back(std::move(st));
  }
  // A compile-time integer part of a slice, or none.
  auto part = [&](const ast::ExprPtr &p, const char *what,
                  std::optional<int64_t> &out) {
    if (!p)
      return true;
    EV v = eval(*p, scope);
    if (v.isError())
      return false;
    if (!v.isConst() || v.c.kind != Const::Kind::Int) {
      fail(p->getLoc(), std::string("the ") + what +
                            " of a slice must be a compile-time integer, "
                            "got " +
                            v.type.str());
      return false;
    }
    out = v.c.i;
    return true;
  };
  auto constant = [&](int64_t v, Loc at) {
    return ActualArg{"", at, EV::constant(Const::ofInt(v), at)};
  };
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    const ast::Subscript &s = *it->sub;
    const Type t = x.type;
    std::vector<ActualArg> args;
    if (s.kind == ast::Subscript::Kind::Slice) {
      std::optional<int64_t> start, stop, step;
      if (!part(s.start, "start", start) || !part(s.stop, "stop", stop) ||
          !part(s.step, "step", step))
        return EV::error(e.getLoc());
      // A whole axis (`:`, `::`) is no op.
      if (!start && !stop && (!step || *step == 1))
        continue;
      args.push_back({"", s.loc, std::move(x)});
      args.push_back(constant(it->axis, s.loc));
      args.push_back(constant(start.value_or(0), s.loc));
      if (stop)
        args.push_back(constant(*stop, s.loc));
      args.push_back(constant(step.value_or(1), s.loc));
      args.back().keyword = "step";
      x = callOp(*lookupOp("slice"), shown, s.loc, std::move(args));
    } else if (it->value.isTensor()) {
      args.push_back({"", s.loc, std::move(x)});
      args.push_back({"", s.loc, std::move(it->value)});
      args.push_back(constant(it->axis, s.loc));
      x = callOp(*lookupOp("gather"), shown, s.loc, std::move(args));
    } else {
      const Dim &d = t.shape[it->axis];
      int64_t i = it->value.c.i;
      if (!d.isKnown())
        return fail(s.loc, "cannot index the symbolic dimension " + d.str() +
                               " of '" + t.str() + "'");
      if (i < -d.size || i >= d.size)
        return fail(s.loc, "index " + std::to_string(i) +
                               " is out of range for axis " +
                               std::to_string(it->axis) + " of '" + t.str() +
                               "' (size " + std::to_string(d.size) + ")");
      if (i < 0)
        i += d.size;
      args.push_back({"", s.loc, std::move(x)});
      args.push_back(constant(it->axis, s.loc));
      args.push_back(constant(i, s.loc));
      args.push_back(constant(i + 1, s.loc));
      x = callOp(*lookupOp("slice"), shown, s.loc, std::move(args));
      if (x.isError())
        return x;
      // Drops the axis.
      std::vector<Const> dims;
      for (int64_t k = 0; k < rank; ++k)
        if (k != it->axis)
          dims.push_back(Const::ofDim(x.type.shape[k]));
      std::vector<ActualArg> shape;
      shape.push_back({"", s.loc, std::move(x)});
      shape.push_back(
          {"", s.loc, EV::constant(Const::ofList(std::move(dims)), s.loc)});
      x = callOp(*lookupOp("reshape"), shown, s.loc, std::move(shape));
    }
    if (x.isError())
      return x;
    rank = x.type.rank();
  }
  return x;
}

EV Sema::evalCall(const ast::CallExpr &e, Scope &scope) {
  if (!scope.inst && !scope.inStep) {
    diags.error(e.getLoc(), "a call is not allowed here; expected a constant");
    return EV::error(e.getLoc());
  }
  if (const OpInfo *op = lookupOp(e.callee)) {
    std::vector<ActualArg> args = evalArgs(e.args, scope);
    // sqrt, exp and log of a compile-time number are numbers (a layer's
    // `1.0 / sqrt(hidden)`), folded in double precision.
    static const std::map<std::string, double (*)(double)> folds = {
        {"sqrt", [](double v) { return std::sqrt(v); }},
        {"exp", [](double v) { return std::exp(v); }},
        {"log", [](double v) { return std::log(v); }}};
    auto fold = folds.find(e.callee);
    if (fold != folds.end() && args.size() == 1 && args[0].keyword.empty() &&
        args[0].value.c.isNumber()) {
      double v = fold->second(args[0].value.c.asDouble());
      if (!std::isfinite(v)) {
        diags.error(e.getLoc(), e.callee + "(" + args[0].value.c.str() +
                                    ") is not a finite number");
        return EV::error(e.getLoc());
      }
      return EV::constant(Const::ofFloat(v), e.getLoc());
    }
    return callOp(*op, "'" + e.callee + "'", e.getLoc(), std::move(args));
  }
  if (e.callee == "split" && !funcs.count("split"))
    return evalSplit(e, scope);
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

} // namespace dlc::sema::detail
