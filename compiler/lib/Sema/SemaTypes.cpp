//===- SemaTypes.cpp - Element types, dimensions, shape patterns ----------===//
//
// Resolves element types and scalar kinds, evaluates dimension expressions
// and matches tensor types against patterns such as `f32[..., I]`.
//
//===----------------------------------------------------------------------===//
#include "SemaInternal.h"

#include "dlc/Sema/TypeNames.h"

namespace dlc::sema {
namespace {
const std::pair<const char *, ArgKind> kScalarKinds[] = {
    {"int", ArgKind::Int},
    {"float", ArgKind::Float},
    {"bool", ArgKind::Bool},
    {"str", ArgKind::String}};
} // namespace

const std::vector<std::string> &scalarTypeNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (auto &[name, kind] : kScalarKinds)
      n.push_back(name);
    return n;
  }();
  return names;
}
} // namespace dlc::sema

namespace dlc::sema::detail {

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
  for (auto &[name, kind] : kScalarKinds)
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

} // namespace dlc::sema::detail
