//===- SemaStatements.cpp - Models, bodies and statements -----------------===//
//
// Elaborates a model or layer body statement by statement: assignments,
// returns, `param`/`buffer` declarations, and the check of the result type.
//
//===----------------------------------------------------------------------===//
#include "SemaInternal.h"

namespace dlc::sema::detail {

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
  if (inst.result.kind == Type::Kind::Tuple) {
    diags.error(decl.resultType->loc,
                "layer '" + decl.name + "' returns a tuple, '" +
                    inst.result.str() +
                    "'; a tuple result cannot be declared (leave out '->')");
    return;
  }
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
    auto poisonBranches = [&] {
      poisonAssigned(i->thenBody, scope);
      poisonAssigned(i->elseBody, scope);
    };
    if (c.isError())
      return poisonBranches();
    if (c.c.kind != Const::Kind::Bool) {
      diags.error(i->cond->getLoc(),
                  "the condition of 'if' must be a compile-time bool, got " +
                      c.type.str());
      return poisonBranches();
    }
    elaborateBody(c.c.b ? i->thenBody : i->elseBody, scope);
    return;
  }
  if (auto *f = dyn_cast<ast::ForStmt>(&stmt)) {
    elaborateFor(*f, scope);
    return;
  }
  if (auto *r = dyn_cast<ast::ReturnStmt>(&stmt)) {
    if (scope.inStep) {
      diags.error(r->getLoc(), "'return' is not allowed in a train step");
      return;
    }
    if (scope.loopDepth > 0) {
      diags.error(r->getLoc(), "'return' is not allowed in a 'for' loop; "
                               "assign to a name and return after the loop");
      return;
    }
    EV v = eval(*r->value, scope);
    scope.returned = true;
    if (v.isError()) {
      scope.inst->result = Type::error();
      return;
    }
    // A layer may return a tuple of tensors (`return (h, c)`), which its
    // caller unpacks; a model returns one tensor.
    bool isLayer = scope.inst->decl && !scope.inst->decl->isModel;
    bool tensorTuple =
        v.type.kind == Type::Kind::Tuple && !v.elems.empty() &&
        llvm::all_of(v.elems, [](const EV &e) { return e.isTensor(); });
    if (!v.isTensor() && !(isLayer && tensorTuple)) {
      diags.error(r->value->getLoc(),
                  std::string(isLayer ? "a layer must return a tensor or a "
                                        "tuple of tensors, not "
                                      : "a model must return a tensor, not ") +
                      v.type.str());
      scope.inst->result = Type::error();
      return;
    }
    scope.inst->result = v.type;
    std::vector<EV> results;
    if (v.isTensor())
      results.push_back(std::move(v));
    else
      results = std::move(v.elems);
    for (EV &res : results)
      scope.stmts->push_back(
          {TStmt::Kind::Return, r->getLoc(), {}, std::move(res.node), "", {}});
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
  for (size_t i = 0; i < a.targets.size(); ++i)
    bindValue(a.targets[i].first, a.targets[i].second, std::move(values[i]),
              scope);
}

bool Sema::bindValue(const std::string &name, Loc loc, EV val, Scope &scope) {
  if (name == "_")
    return true;
  auto existing = scope.vars.find(name);
  if (existing != scope.vars.end() &&
      existing->second.ref == TExpr::Kind::Param &&
      existing->second.kind == Binding::Kind::Tensor) {
    diags.error(loc, "cannot assign to parameter '" + name + "'");
    diags.note(existing->second.loc, "declared here");
    return false;
  }
  // A tensor gets a statement of the body; a local that is only renamed
  // (`h = h2`, a list element) keeps its definition.
  auto tensorBinding = [&](EV &v, const std::string &shown) {
    Binding b;
    b.loc = loc;
    b.kind = Binding::Kind::Tensor;
    b.ref = TExpr::Kind::Local;
    b.type = v.type;
    if (v.node->kind == TExpr::Kind::Local && v.node->def) {
      b.def = v.node->def;
      return b;
    }
    scope.stmts->push_back(
        {TStmt::Kind::Assign, loc, {shown}, std::move(v.node), "", {}});
    b.def = scope.stmts->back().value.get();
    return b;
  };
  Binding b;
  b.loc = loc;
  if (val.isTensor()) {
    b = tensorBinding(val, name);
  } else if (val.isConst()) {
    b.kind = Binding::Kind::Const;
    b.type = val.type;
    b.c = val.c;
  } else if (val.type.kind == Type::Kind::List) {
    // A list with tensors: each element is bound (`ys = ys + [h]`).
    b.kind = Binding::Kind::List;
    b.type = val.type;
    for (size_t k = 0; k < val.elems.size(); ++k) {
      EV &el = val.elems[k];
      if (el.isTensor()) {
        b.elems.push_back(
            tensorBinding(el, name + "[" + std::to_string(k) + "]"));
      } else if (el.isConst()) {
        Binding c;
        c.kind = Binding::Kind::Const;
        c.type = el.type;
        c.c = el.c;
        c.loc = loc;
        b.elems.push_back(c);
      } else {
        diags.error(loc, "a list element cannot be a " + el.type.str());
        b = Binding();
        b.loc = loc;
        scope.vars[name] = b;
        return false;
      }
    }
  } else {
    diags.error(loc, "cannot assign a " + val.type.str() + " to a name");
    b.kind = Binding::Kind::Error;
    scope.vars[name] = b;
    return false;
  }
  scope.vars[name] = b;
  return true;
}

void Sema::poisonAssigned(const std::vector<ast::StmtPtr> &body, Scope &scope) {
  for (const ast::StmtPtr &st : body) {
    Binding b;
    b.loc = st->getLoc();
    if (auto *a = dyn_cast<ast::AssignStmt>(st.get()))
      for (auto &t : a->targets)
        scope.vars[t.first] = b;
    if (auto *p = dyn_cast<ast::ParamStmt>(st.get()))
      scope.vars[p->name] = b;
    for (const auto *nested : ast::nestedBodies(*st))
      poisonAssigned(*nested, scope);
  }
}

//===----------------------------------------------------------------------===//
// Loops
//===----------------------------------------------------------------------===//

/// At most this many iterations per loop: the body is elaborated once per
/// iteration.
constexpr size_t kMaxIterations = 4096;

bool Sema::loopItems(const ast::ForStmt &f, Scope &scope,
                     std::vector<EV> &out) {
  Loc at = f.seq->getLoc();
  auto tooMany = [&] {
    diags.error(at, "a 'for' loop may run at most " +
                        std::to_string(kMaxIterations) + " times");
    return false;
  };
  // `range(stop)`, `range(start, stop)`, `range(start, stop, step)`, as
  // Python's, over compile-time integers.
  auto *call = dyn_cast<ast::CallExpr>(f.seq.get());
  if (call && call->callee == "range" && !funcs.count("range")) {
    std::vector<int64_t> a;
    bool ok = true;
    for (const ast::Arg &arg : call->args) {
      EV v = eval(*arg.value, scope);
      if (v.isError()) {
        ok = false;
        continue;
      }
      if (!arg.keyword.empty()) {
        diags.error(arg.value->getLoc(), "range() takes no keyword arguments");
        ok = false;
      } else if (v.c.kind == Const::Kind::Int) {
        a.push_back(v.c.i);
      } else {
        diags.error(arg.value->getLoc(),
                    "range() takes compile-time integers, got " + v.type.str());
        ok = false;
      }
    }
    if (!ok)
      return false;
    if (a.empty() || a.size() > 3) {
      diags.error(at, "range() takes 1 to 3 integers (stop; start, stop; "
                      "start, stop, step), got " +
                          std::to_string(a.size()));
      return false;
    }
    int64_t start = a.size() >= 2 ? a[0] : 0;
    int64_t stop = a.size() >= 2 ? a[1] : a[0];
    int64_t step = a.size() == 3 ? a[2] : 1;
    if (step == 0) {
      diags.error(call->args[2].value->getLoc(),
                  "the step of range() must not be zero");
      return false;
    }
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
      if (out.size() == kMaxIterations)
        return tooMany();
      out.push_back(EV::constant(Const::ofInt(i), at));
      if ((step > 0 && i > INT64_MAX - step) ||
          (step < 0 && i < INT64_MIN - step))
        break;
    }
    return true;
  }
  EV seq = eval(*f.seq, scope);
  if (seq.isError())
    return false;
  if (seq.type.kind != Type::Kind::List) {
    diags.error(at, "a 'for' loop runs over range(...) or a list, not " +
                        seq.type.str());
    return false;
  }
  expandConstList(seq);
  if (seq.elems.size() > kMaxIterations)
    return tooMany();
  out = std::move(seq.elems);
  return true;
}

void Sema::elaborateFor(const ast::ForStmt &f, Scope &scope) {
  std::vector<EV> items;
  if (!loopItems(f, scope, items)) {
    poisonAssigned(f.body, scope);
    return;
  }
  std::optional<Binding> outer;
  if (auto it = scope.vars.find(f.var); it != scope.vars.end())
    outer = it->second;
  ++scope.loopDepth;
  unsigned before = diags.getNumErrors();
  for (EV &item : items) {
    if (!bindValue(f.var, f.varLoc, std::move(item), scope))
      break;
    elaborateBody(f.body, scope);
    // The errors of one iteration would repeat in every other.
    if (diags.getNumErrors() != before)
      break;
  }
  --scope.loopDepth;
  // The loop variable is the loop's own; the names the body assigned stay.
  if (outer)
    scope.vars[f.var] = *outer;
  else
    scope.vars.erase(f.var);
}

void Sema::elaborateParam(const ast::ParamStmt &stmt, Scope &scope) {
  const char *what = stmt.trainable ? "parameter" : "buffer";
  if (scope.inStep) {
    diags.error(stmt.getLoc(),
                std::string(what) + "s cannot be declared in a train step");
    return;
  }
  // A later iteration of a loop declares nothing new: the parameter is the
  // one the first iteration declared.
  if (scope.loopDepth > 0) {
    auto again = scope.loopParams.find(&stmt);
    if (again != scope.loopParams.end()) {
      scope.vars[stmt.name] = again->second;
      return;
    }
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
  std::string qualified =
      scope.prefix.empty() ? stmt.name : scope.prefix + "." + stmt.name;
  b.kind = Binding::Kind::Tensor;
  b.ref = TExpr::Kind::Param;
  b.type = *type;
  if (scope.sharing) {
    // A shared call: the first call of the instance declared it.
    const ParamInfo *first = nullptr;
    for (auto &p : scope.model->params)
      if (p->name == qualified)
        first = p.get();
    if (!stmt.trainable || (first && !first->trainable)) {
      diags.error(scope.inst->loc,
                  "this call shares the parameters of '" + scope.prefix +
                      "', but a layer with buffers ('" + qualified +
                      "') cannot be shared: each call would update them");
      diags.note(stmt.getLoc(), "buffer declared here");
      return;
    }
    if (!first || first->type != *type) {
      diags.error(
          scope.inst->loc,
          "this call shares the parameters of '" + scope.prefix +
              "', but its parameter '" + qualified + "' would be '" +
              type->str() + "'" +
              (first ? ", where the first call's is '" + first->type.str() + "'"
                     : ", which the first call does not have"));
      diags.note(stmt.getLoc(), "parameter declared here");
      if (first)
        diags.note(first->loc, "the first call's declaration");
      return;
    }
    b.param = first;
    scope.vars[stmt.name] = b;
    if (scope.loopDepth > 0)
      scope.loopParams[&stmt] = b;
    return;
  }
  auto info = std::make_unique<ParamInfo>();
  info->name = qualified;
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
  b.param = info.get();
  scope.vars[stmt.name] = b;
  if (scope.loopDepth > 0)
    scope.loopParams[&stmt] = b;
  scope.inst->params.push_back(info.get());
  scope.model->params.push_back(std::move(info));
}

} // namespace dlc::sema::detail
