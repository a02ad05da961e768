//===- Sema.cpp - Modules, declarations and the entry point ---------------===//
//
// Turns the parsed modules into a typed Program. The work is done per model:
// its body is elaborated statement by statement in a Scope; a layer call
// creates a nested Scope (an Instance), binds the layer's formal parameters
// to the actual arguments (matching tensor shapes against patterns such as
// `f32[..., I]`), elaborates the layer body there and checks the declared
// result type. Built-in ops are checked by the shape rules of Builtins.cpp;
// train blocks against the tables of TrainVocabulary.cpp.
//
// This file loads the modules (`use`), declares their layers and models and
// runs the rest; SemaInternal.h lists the files of the other concerns.
//
//===----------------------------------------------------------------------===//
#include "SemaInternal.h"

#include "dlc/Parse/Parser.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace dlc;
using namespace dlc::sema;

namespace dlc::sema::detail {

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
    return operand(*b.lhs) + " " + b.spelling() + " " + operand(*b.rhs);
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

} // namespace dlc::sema::detail

std::unique_ptr<Program> dlc::analyzeFile(DiagnosticEngine &diags,
                                          llvm::StringRef path,
                                          const SemaOptions &options) {
  detail::Sema sema(diags, options);
  return sema.run(path);
}
