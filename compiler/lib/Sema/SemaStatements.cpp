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

} // namespace dlc::sema::detail
