//===- SemaCalls.cpp - Argument binding and calls -------------------------===//
//
// Binds actual arguments to a signature (keywords, defaults, conversions),
// checks built-in op calls with their shape rules, instantiates layers and
// checks the names used in layers that are never called.
//
//===----------------------------------------------------------------------===//
#include "SemaInternal.h"

#include "llvm/ADT/StringExtras.h"

namespace dlc::sema::detail {

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
  case ArgKind::IntList:
    if (!isIntList(0))
      return fail("a list of integers");
    out.c = v.c;
    return true;
  case ArgKind::StringList: {
    std::vector<Const> items;
    if (v.c.kind == Const::Kind::List)
      items = v.c.list;
    else
      items.push_back(v.c);
    for (const Const &c : items)
      if (c.kind != Const::Kind::String)
        return fail("a string or a list of strings");
    out.c = Const::ofList(items);
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
  // `name=` names the instance and `shared=` names an earlier call whose
  // parameters this one uses, unless the layer has formals of those names.
  std::string explicitName, sharedName;
  Loc sharedLoc;
  for (const char *kw : {"name", "shared"}) {
    if (llvm::any_of(decl.params,
                     [&](const ast::Param &p) { return p.name == kw; }))
      continue;
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i].keyword != kw)
        continue;
      if (args[i].value.isError())
        return EV::error(call.getLoc());
      std::string text = args[i].value.c.kind == Const::Kind::String
                             ? args[i].value.c.s
                             : std::string();
      // `{t}` in a name is the value of the compile-time integer or string
      // `t` (a loop variable: `name="layer{l}"`).
      std::string expanded;
      for (size_t at = 0; at < text.size();) {
        if (text[at] != '{') {
          expanded += text[at++];
          continue;
        }
        size_t close = text.find('}', at);
        std::string var = close == std::string::npos
                              ? std::string()
                              : text.substr(at + 1, close - at - 1);
        auto v = scope.vars.find(var);
        if (v == scope.vars.end() || v->second.kind != Binding::Kind::Const ||
            (v->second.c.kind != Const::Kind::Int &&
             v->second.c.kind != Const::Kind::String)) {
          diags.error(args[i].loc,
                      "'{" + var + "}' in '" + std::string(kw) +
                          "' must name a compile-time integer or string");
          return EV::error(call.getLoc());
        }
        const Const &c = v->second.c;
        expanded += c.kind == Const::Kind::Int ? std::to_string(c.i) : c.s;
        at = close + 1;
      }
      if (expanded.empty() || !llvm::all_of(expanded, [](char c) {
            return llvm::isAlnum(c) || c == '_';
          })) {
        diags.error(args[i].loc, "'" + std::string(kw) +
                                     "' must be a string of letters, digits "
                                     "and '_'");
        return EV::error(call.getLoc());
      }
      if (std::string(kw) == "name") {
        explicitName = expanded;
      } else {
        sharedName = expanded;
        sharedLoc = args[i].loc;
      }
      args.erase(args.begin() + i);
      break;
    }
  }
  if (!explicitName.empty() && !sharedName.empty()) {
    diags.error(sharedLoc, "a call with 'shared=' uses the name of the call "
                           "it shares; it cannot also have 'name='");
    return EV::error(call.getLoc());
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
  // A call shares an earlier instance's parameters when it says so
  // (`shared=`), when a loop reaches it again under the same name, or when
  // the whole body it is in is a shared one.
  std::string local = explicitName;
  bool share = false;
  auto loopCall =
      scope.loopDepth > 0 ? scope.loopCalls.find(&call) : scope.loopCalls.end();
  if (!sharedName.empty()) {
    auto first = scope.instanceLayers.find(sharedName);
    if (first == scope.instanceLayers.end()) {
      std::vector<std::string> names;
      for (auto &kv : scope.instanceLayers)
        names.push_back(kv.first);
      std::string sugg = closestName(sharedName, names);
      diags.error(sharedLoc,
                  "'shared' names no earlier layer call of this body: '" +
                      sharedName + "'" +
                      (sugg.empty() ? "" : "; did you mean '" + sugg + "'?"));
      return EV::error(call.getLoc());
    }
    if (first->second != &decl) {
      diags.error(sharedLoc, "'" + sharedName + "' is a call of layer '" +
                                 first->second->name + "', not of '" +
                                 decl.name + "'");
      return EV::error(call.getLoc());
    }
    local = sharedName;
    share = true;
  } else if (loopCall != scope.loopCalls.end() &&
             (local.empty() || local == loopCall->second)) {
    local = loopCall->second;
    share = true;
  } else if (local.empty()) {
    do {
      local = decl.name + "_" + std::to_string(scope.callCount[decl.name]++);
    } while (scope.instanceNames.count(local));
  } else if (scope.instanceNames.count(local)) {
    diags.error(call.getLoc(),
                "two layer calls are both named '" + local + "'" +
                    (scope.loopDepth > 0
                         ? " (in a loop, a name that changes with the loop "
                           "variable, such as name=\"layer{i}\", gives "
                           "each iteration its own)"
                         : "; to use the same parameters, pass shared=\"" +
                               local + "\""));
    return EV::error(call.getLoc());
  }
  if (scope.loopDepth > 0 && !share)
    scope.loopCalls[&call] = local;
  scope.instanceNames.insert(local);
  scope.instanceLayers[local] = &decl;
  inst->prefix = scope.prefix.empty() ? local : scope.prefix + "." + local;
  inst->shared = share || scope.sharing;

  Scope inner;
  inner.model = scope.model;
  inner.inst = inst.get();
  inner.prefix = inst->prefix;
  inner.stmts = &inst->body;
  inner.sharing = inst->shared;
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
  if (node->type.isTensor())
    return EV::tensor(std::move(node));
  // A tuple: the call is a hidden statement of this body, and each element
  // refers to one of its results.
  std::string hidden = "(" + node->instance->prefix + ")";
  scope.stmts->push_back(
      {TStmt::Kind::Assign, call.getLoc(), {hidden}, std::move(node), "", {}});
  const TExpr *def = scope.stmts->back().value.get();
  EV tuple;
  tuple.loc = call.getLoc();
  tuple.type = def->type;
  for (size_t i = 0; i < def->type.elems.size(); ++i) {
    auto el = std::make_unique<TExpr>(TExpr::Kind::Element, call.getLoc(),
                                      def->type.elems[i]);
    el->name = hidden + "." + std::to_string(i);
    el->def = def;
    el->index = int(i);
    tuple.elems.push_back(EV::tensor(std::move(el)));
  }
  return tuple;
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
  } else if (auto *ix = dyn_cast<ast::IndexExpr>(&e)) {
    checkNamesIn(*ix->base, defined);
    for (const ast::Subscript &s : ix->subscripts)
      for (const ast::ExprPtr *part : {&s.index, &s.start, &s.stop, &s.step})
        if (*part)
          checkNamesIn(**part, defined);
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
    } else if (auto *f = dyn_cast<ast::ForStmt>(st.get())) {
      checkNamesIn(*f->seq, defined);
      std::set<std::string> inner = defined;
      inner.insert(f->var);
      checkNamesIn(f->body, inner);
      inner.erase(f->var);
      defined.insert(inner.begin(), inner.end());
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

} // namespace dlc::sema::detail
