//===- Parser.cpp - ANTLR parse tree to AST
//--------------------------------===//
//
// Runs the ANTLR-generated lexer and parser over a buffer, turns their error
// callbacks into dlc diagnostics, and converts the parse tree into the AST.
// Before ANTLR sees the text, it is checked for valid UTF-8 and for bounded
// bracket nesting, so that malformed input ends in a diagnostic, never in an
// exception or a stack overflow.
//
//===----------------------------------------------------------------------===//
#include "dlc/Parse/Parser.h"

#include "DLLexer.h"
#include "DLParser.h"
#include "antlr4-runtime.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

using namespace dlc;
using namespace dlc::ast;
using G = dlc::grammar::DLParser;

namespace {

/// Forwards ANTLR's syntax errors to the diagnostic engine.
class ErrorListener : public antlr4::BaseErrorListener {
public:
  ErrorListener(DiagnosticEngine &diags, unsigned bufferId)
      : diags(diags), bufferId(bufferId) {}

  void syntaxError(antlr4::Recognizer *, antlr4::Token *offending, size_t line,
                   size_t col, const std::string &msg,
                   std::exception_ptr) override {
    ++count;
    std::string text = rephrase(msg);
    // ANTLR quotes the glued-together text of the whole ambiguous input;
    // the offending token says more.
    if (text.rfind("cannot parse ", 0) == 0 && offending)
      text = offending->getType() == antlr4::Token::EOF
                 ? "unexpected end of file"
                 : "unexpected '" + offending->getText() + "'";
    diags.error(diags.getLoc(bufferId, line, col + 1), "syntax error: " + text);
  }
  unsigned count = 0;

private:
  /// Turns ANTLR's wording into ours: token names become words, and
  /// "mismatched input 'x' expecting y" becomes "unexpected 'x'; expected y".
  static std::string rephrase(std::string text) {
    auto replaceAll = [&](const std::string &from, const std::string &to) {
      for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos;
           pos += to.size())
        text.replace(pos, from.size(), to);
    };
    replaceAll("<EOF>", "end of file");
    replaceAll("IDENT", "a name");
    replaceAll("FLOAT", "a number");
    replaceAll("INT", "an integer");
    replaceAll("STRING", "a string");
    for (const char *prefix : {"mismatched input ", "extraneous input "}) {
      if (text.rfind(prefix, 0) == 0) {
        text = "unexpected " + text.substr(strlen(prefix));
        replaceAll(" expecting ", "; expected ");
      }
    }
    if (text.rfind("no viable alternative at input ", 0) == 0)
      text = "cannot parse " +
             text.substr(strlen("no viable alternative at input "));
    if (text.rfind("missing ", 0) == 0)
      replaceAll(" at ", " before ");
    return text;
  }

  DiagnosticEngine &diags;
  unsigned bufferId;
};

/// Converts parse-tree contexts to AST nodes. Only called on a tree without
/// syntax errors, so every mandatory child is present.
class Converter {
public:
  Converter(DiagnosticEngine &diags, unsigned bufferId)
      : diags(diags), bufferId(bufferId) {}

  Loc loc(antlr4::Token *tok) {
    return diags.getLoc(bufferId, tok->getLine(),
                        tok->getCharPositionInLine() + 1);
  }
  Loc loc(antlr4::ParserRuleContext *ctx) { return loc(ctx->getStart()); }
  Loc loc(antlr4::tree::TerminalNode *node) { return loc(node->getSymbol()); }

  std::unique_ptr<Module> convert(G::ProgramContext *prog,
                                  llvm::StringRef moduleName) {
    auto mod = std::make_unique<Module>();
    mod->name = moduleName.str();
    for (G::DeclContext *decl : prog->decl()) {
      if (auto *use = decl->useDecl()) {
        UseDecl u;
        u.loc = loc(use);
        for (size_t i = 0; i < use->IDENT().size(); ++i)
          u.module += (i ? "." : "") + use->IDENT(i)->getText();
        mod->uses.push_back(std::move(u));
      } else if (auto *layer = decl->layerDecl()) {
        mod->funcs.push_back(convertFunc(layer, layer->IDENT(),
                                         layer->paramList(), layer->typeExpr(),
                                         layer->block(),
                                         /*isModel=*/false, moduleName));
      } else if (auto *model = decl->modelDecl()) {
        mod->funcs.push_back(convertFunc(model, model->IDENT(),
                                         model->paramList(), model->typeExpr(),
                                         model->block(),
                                         /*isModel=*/true, moduleName));
      } else if (auto *train = decl->trainDecl()) {
        mod->trains.push_back(convertTrain(train));
      }
    }
    return mod;
  }

private:
  std::unique_ptr<FuncDecl> convertFunc(antlr4::ParserRuleContext *ctx,
                                        antlr4::tree::TerminalNode *name,
                                        G::ParamListContext *params,
                                        G::TypeExprContext *result,
                                        G::BlockContext *block, bool isModel,
                                        llvm::StringRef moduleName) {
    auto f = std::make_unique<FuncDecl>();
    f->loc = loc(ctx);
    f->isModel = isModel;
    f->name = name->getText();
    f->nameLoc = loc(name);
    f->module = moduleName.str();
    if (params) {
      for (G::ParamContext *p : params->param()) {
        Param param;
        param.loc = loc(p);
        param.name = p->IDENT()->getText();
        param.type = convertType(p->typeExpr());
        if (p->expr())
          param.defaultValue = convertExpr(p->expr());
        f->params.push_back(std::move(param));
      }
    }
    if (result)
      f->resultType = convertType(result);
    f->body = convertBlock(block);
    f->endLoc = loc(block->getStop());
    return f;
  }

  std::vector<StmtPtr> convertBlock(G::BlockContext *block) {
    std::vector<StmtPtr> stmts;
    for (G::StmtContext *s : block->stmt())
      stmts.push_back(convertStmt(s));
    return stmts;
  }

  StmtPtr convertStmt(G::StmtContext *s) {
    if (auto *p = dynamic_cast<G::ParamStmtContext *>(s))
      return std::make_unique<ParamStmt>(
          loc(p), p->IDENT()->getText(), convertType(p->typeExpr()),
          p->expr() ? convertExpr(p->expr()) : nullptr, /*trainable=*/true);
    if (auto *b = dynamic_cast<G::BufferStmtContext *>(s))
      return std::make_unique<ParamStmt>(
          loc(b), b->IDENT()->getText(), convertType(b->typeExpr()),
          b->expr() ? convertExpr(b->expr()) : nullptr, /*trainable=*/false);
    if (auto *r = dynamic_cast<G::ReturnStmtContext *>(s))
      return std::make_unique<ReturnStmt>(loc(r), convertExpr(r->expr()));
    if (auto *u = dynamic_cast<G::UpdateStmtContext *>(s))
      return std::make_unique<UpdateStmt>(
          loc(u), u->IDENT()->getText(), loc(u->IDENT()),
          convertExpr(u->expr(0)), convertExpr(u->expr(1)));
    if (auto *i = dynamic_cast<G::IfStmtContext *>(s))
      return std::make_unique<IfStmt>(
          loc(i), convertExpr(i->expr()), convertBlock(i->block(0)),
          i->block().size() > 1 ? convertBlock(i->block(1))
                                : std::vector<StmtPtr>());
    if (auto *f = dynamic_cast<G::ForStmtContext *>(s))
      return std::make_unique<ForStmt>(loc(f), f->IDENT()->getText(),
                                       loc(f->IDENT()), convertExpr(f->expr()),
                                       convertBlock(f->block()));
    auto *a = static_cast<G::AssignStmtContext *>(s);
    std::vector<std::pair<std::string, Loc>> targets;
    if (auto *n = dynamic_cast<G::NameTargetContext *>(a->target()))
      targets.emplace_back(n->IDENT()->getText(), loc(n->IDENT()));
    else
      for (auto *id :
           static_cast<G::TupleTargetContext *>(a->target())->IDENT())
        targets.emplace_back(id->getText(), loc(id));
    return std::make_unique<AssignStmt>(loc(a), std::move(targets),
                                        convertExpr(a->expr()));
  }

  TypeExpr convertType(G::TypeExprContext *t) {
    TypeExpr type;
    type.loc = loc(t);
    if (auto *tensor = dynamic_cast<G::TensorTypeContext *>(t)) {
      type.name = tensor->IDENT()->getText();
      type.isTensor = true;
      for (G::DimContext *d : tensor->dim()) {
        DimExpr dim;
        dim.loc = loc(d);
        if (auto *e = dynamic_cast<G::ExprDimContext *>(d))
          dim.expr = convertExpr(e->expr());
        else
          dim.isEllipsis = true;
        type.dims.push_back(std::move(dim));
      }
    } else {
      type.name = static_cast<G::ScalarTypeContext *>(t)->IDENT()->getText();
    }
    return type;
  }

  std::unique_ptr<TrainDecl> convertTrain(G::TrainDeclContext *t) {
    auto train = std::make_unique<TrainDecl>();
    train->loc = loc(t);
    train->model = t->IDENT()->getText();
    train->modelLoc = loc(t->IDENT());
    for (G::TrainItemContext *item : t->trainItem()) {
      if (auto *s = dynamic_cast<G::TrainSettingContext *>(item)) {
        train->settings.push_back(
            {loc(s), s->IDENT()->getText(), convertExpr(s->expr())});
      } else {
        auto *st = static_cast<G::TrainStepContext *>(item);
        if (st->IDENT(0)->getText() != "step") {
          diags.error(
              loc(st->IDENT(0)),
              "expected 'step (inputs, labels) { ... }' or 'key = value' "
              "in a train block, got '" +
                  st->IDENT(0)->getText() + "'");
          continue;
        }
        TrainStep step;
        step.loc = loc(st);
        for (size_t i = 1; i < st->IDENT().size(); ++i)
          step.vars.emplace_back(st->IDENT(i)->getText(), loc(st->IDENT(i)));
        step.body = convertBlock(st->block());
        train->steps.push_back(std::move(step));
      }
    }
    return train;
  }

  /// Counts nesting while converting, so that a pathologically long
  /// expression is an error rather than a stack overflow further on.
  struct DepthGuard {
    DepthGuard(unsigned &d) : d(d) { ++d; }
    ~DepthGuard() { --d; }
    unsigned &d;
  };

  ExprPtr convertExpr(G::ExprContext *e) {
    DepthGuard guard(depth);
    if (depth > kMaxExprDepth) {
      if (!depthReported)
        diags.error(loc(e), "expression nested too deeply (more than " +
                                llvm::Twine(kMaxExprDepth) +
                                " operators or calls)");
      depthReported = true;
      return std::make_unique<IntExpr>(loc(e), 0);
    }
    if (auto *n = dynamic_cast<G::NegExprContext *>(e))
      return std::make_unique<NegExpr>(loc(n), convertExpr(n->expr()));
    if (auto *x = dynamic_cast<G::IndexExprContext *>(e)) {
      std::vector<Subscript> subs;
      for (G::SubscriptContext *sc : x->subscript()) {
        Subscript sub;
        sub.loc = loc(sc);
        auto opt = [&](G::ExprContext *part) {
          return part ? convertExpr(part) : nullptr;
        };
        if (dynamic_cast<G::EllipsisSubContext *>(sc)) {
          sub.kind = Subscript::Kind::Ellipsis;
        } else if (auto *sl = dynamic_cast<G::SliceSubContext *>(sc)) {
          sub.kind = Subscript::Kind::Slice;
          sub.start = opt(sl->lo);
          sub.stop = opt(sl->hi);
          sub.step = opt(sl->st);
        } else {
          sub.index =
              convertExpr(static_cast<G::IndexSubContext *>(sc)->expr());
        }
        subs.push_back(std::move(sub));
      }
      return std::make_unique<IndexExpr>(loc(x->lb), convertExpr(x->expr()),
                                         std::move(subs));
    }
    if (auto *m = dynamic_cast<G::MulExprContext *>(e))
      return std::make_unique<BinaryExpr>(loc(m->op), m->op->getText()[0],
                                          convertExpr(m->expr(0)),
                                          convertExpr(m->expr(1)));
    if (auto *a = dynamic_cast<G::AddExprContext *>(e))
      return std::make_unique<BinaryExpr>(loc(a->op), a->op->getText()[0],
                                          convertExpr(a->expr(0)),
                                          convertExpr(a->expr(1)));
    if (auto *c = dynamic_cast<G::CmpExprContext *>(e)) {
      std::string t = c->op->getText();
      char op = t == "=="   ? '='
                : t == "!=" ? '!'
                : t == "<=" ? 'l'
                : t == ">=" ? 'g'
                            : t[0];
      return std::make_unique<BinaryExpr>(
          loc(c->op), op, convertExpr(c->expr(0)), convertExpr(c->expr(1)));
    }
    return convertPrimary(static_cast<G::PrimaryExprContext *>(e)->primary());
  }

  ExprPtr convertPrimary(G::PrimaryContext *p) {
    if (auto *c = dynamic_cast<G::CallExprContext *>(p)) {
      std::vector<Arg> args;
      if (c->argList())
        for (G::ArgContext *a : c->argList()->arg())
          args.push_back({loc(a), a->IDENT() ? a->IDENT()->getText() : "",
                          convertExpr(a->expr())});
      return std::make_unique<CallExpr>(loc(c), c->IDENT()->getText(),
                                        std::move(args));
    }
    if (auto *n = dynamic_cast<G::NameExprContext *>(p))
      return std::make_unique<NameExpr>(loc(n), n->IDENT()->getText());
    if (auto *i = dynamic_cast<G::IntExprContext *>(p)) {
      std::string text = i->INT()->getText();
      errno = 0;
      char *end = nullptr;
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (errno == ERANGE) {
        diags.error(loc(i), "integer literal '" + text + "' is too large");
        v = 0;
      }
      return std::make_unique<IntExpr>(loc(i), v);
    }
    if (auto *f = dynamic_cast<G::FloatExprContext *>(p)) {
      std::string text = f->FLOAT()->getText();
      double v = std::strtod(text.c_str(), nullptr);
      if (!std::isfinite(v)) {
        diags.error(loc(f),
                    "floating-point literal '" + text + "' is out of range");
        v = 0;
      }
      return std::make_unique<FloatExpr>(loc(f), v);
    }
    if (auto *s = dynamic_cast<G::StringExprContext *>(p))
      return std::make_unique<StringExpr>(loc(s),
                                          unquote(s->STRING()->getText()));
    if (auto *b = dynamic_cast<G::BoolExprContext *>(p))
      return std::make_unique<BoolExpr>(loc(b), b->TRUE() != nullptr);
    if (auto *l = dynamic_cast<G::ListExprContext *>(p)) {
      std::vector<ExprPtr> elems;
      for (G::ExprContext *e : l->expr())
        elems.push_back(convertExpr(e));
      return std::make_unique<ListExpr>(loc(l), std::move(elems));
    }
    if (auto *t = dynamic_cast<G::TupleExprContext *>(p)) {
      std::vector<ExprPtr> elems;
      for (G::ExprContext *e : t->expr())
        elems.push_back(convertExpr(e));
      return std::make_unique<TupleExpr>(loc(t), std::move(elems));
    }
    return convertExpr(static_cast<G::ParenExprContext *>(p)->expr());
  }

  /// Strips the quotes and resolves \n, \t, \\ and \" escapes.
  static std::string unquote(const std::string &lit) {
    std::string out;
    for (size_t i = 1; i + 1 < lit.size(); ++i) {
      char c = lit[i];
      if (c == '\\' && i + 2 < lit.size()) {
        char n = lit[++i];
        c = n == 'n' ? '\n' : n == 't' ? '\t' : n;
      }
      out.push_back(c);
    }
    return out;
  }

  DiagnosticEngine &diags;
  unsigned bufferId;
  unsigned depth = 0;
  bool depthReported = false;
};

/// Reports invalid UTF-8 (ANTLR's decoder would throw on it). Returns false
/// if the buffer is not valid.
bool checkEncoding(DiagnosticEngine &diags, unsigned bufferId,
                   llvm::StringRef text) {
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(text.begin());
  const auto *end = reinterpret_cast<const llvm::UTF8 *>(text.end());
  const llvm::UTF8 *p = begin;
  while (p < end) {
    unsigned len = llvm::getNumBytesForUTF8(*p);
    if (p + len > end || !llvm::isLegalUTF8Sequence(p, p + len) || (*p == 0)) {
      diags.error(
          llvm::SMLoc::getFromPointer(reinterpret_cast<const char *>(p)),
          *p == 0 ? "invalid NUL byte in source file"
                  : "invalid UTF-8 byte in source file");
      return false;
    }
    p += len;
  }
  return true;
}

/// Checks that brackets balance before the parser runs: an unclosed or
/// mismatched bracket is reported where it was opened, which is more useful
/// than the parser's view of it, and absurd nesting is rejected so that no
/// input can exhaust the stack of the recursive-descent parser.
bool checkBrackets(DiagnosticEngine &diags, llvm::StringRef text) {
  std::vector<const char *> open;
  bool inComment = false, inString = false, skipNext = false;
  const char *stringStart = nullptr;
  auto closer = [](char c) { return c == '(' ? ')' : c == '[' ? ']' : '}'; };
  for (const char &c : text) {
    if (skipNext) {
      skipNext = false;
      continue;
    }
    if (inComment) {
      inComment = c != '\n';
      continue;
    }
    if (inString) {
      if (c == '\n') {
        diags.error(llvm::SMLoc::getFromPointer(stringStart),
                    "unterminated string literal");
        return false;
      }
      inString = c != '"';
      if (c == '\\' && &c + 1 < text.end())
        skipNext = true;
      continue;
    }
    if (c == '#') {
      inComment = true;
    } else if (c == '"') {
      inString = true;
      stringStart = &c;
    } else if (c == '(' || c == '[' || c == '{') {
      open.push_back(&c);
      if (open.size() > kMaxNestingDepth) {
        diags.error(llvm::SMLoc::getFromPointer(&c),
                    "brackets nested too deeply (more than " +
                        llvm::Twine(kMaxNestingDepth) + " levels)");
        return false;
      }
    } else if (c == ')' || c == ']' || c == '}') {
      if (open.empty()) {
        diags.error(llvm::SMLoc::getFromPointer(&c),
                    "unmatched '" + llvm::Twine(c) + "'");
        return false;
      }
      if (closer(*open.back()) != c) {
        diags.error(llvm::SMLoc::getFromPointer(&c),
                    "'" + llvm::Twine(c) + "' does not match the '" +
                        llvm::Twine(*open.back()) + "'");
        diags.note(llvm::SMLoc::getFromPointer(open.back()),
                   "'" + llvm::Twine(*open.back()) + "' opened here");
        return false;
      }
      open.pop_back();
    }
  }
  if (inString) {
    diags.error(llvm::SMLoc::getFromPointer(stringStart),
                "unterminated string literal");
    return false;
  }
  if (!open.empty()) {
    diags.error(llvm::SMLoc::getFromPointer(open.back()),
                "'" + llvm::Twine(*open.back()) + "' is never closed");
    return false;
  }
  return true;
}

} // namespace

std::unique_ptr<Module> dlc::parseModule(DiagnosticEngine &diags,
                                         unsigned bufferId,
                                         llvm::StringRef moduleName) {
  llvm::StringRef text =
      diags.getSourceMgr().getMemoryBuffer(bufferId)->getBuffer();
  if (text.size() > kMaxSourceBytes) {
    diags.error(llvm::SMLoc::getFromPointer(text.begin()),
                "source file is too large (" + llvm::Twine(text.size()) +
                    " bytes; the limit is " + llvm::Twine(kMaxSourceBytes) +
                    ")");
    return nullptr;
  }
  if (!checkEncoding(diags, bufferId, text) || !checkBrackets(diags, text))
    return nullptr;

  antlr4::ANTLRInputStream input(text.data(), text.size());
  grammar::DLLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();

  // Characters outside the language are reported once each, by the lexer's
  // catch-all token, and parsing stops there.
  unsigned lexErrors = 0;
  for (antlr4::Token *tok : tokens.getTokens()) {
    if (tok->getType() != grammar::DLLexer::ERROR_CHAR)
      continue;
    ++lexErrors;
    std::string ch = tok->getText();
    std::string shown = ch == "\"" ? "unterminated string literal"
                                   : "invalid character '" + ch + "'";
    diags.error(diags.getLoc(bufferId, tok->getLine(),
                             tok->getCharPositionInLine() + 1),
                shown);
  }
  if (lexErrors)
    return nullptr;

  grammar::DLParser parser(&tokens);
  ErrorListener listener(diags, bufferId);
  parser.removeErrorListeners();
  parser.addErrorListener(&listener);
  G::ProgramContext *tree = parser.program();
  if (listener.count)
    return nullptr;

  unsigned before = diags.getNumErrors();
  auto mod = Converter(diags, bufferId).convert(tree, moduleName);
  if (diags.getNumErrors() != before)
    return nullptr;
  return mod;
}

std::vector<std::string> dlc::grammarKeywords() {
  antlr4::ANTLRInputStream input("");
  grammar::DLLexer lexer(&input);
  const antlr4::dfa::Vocabulary &vocabulary = lexer.getVocabulary();
  std::vector<std::string> words;
  for (size_t type = 1; type <= vocabulary.getMaxTokenType(); ++type) {
    // A literal token is named by its text in quotes: 'layer', '('.
    std::string literal = vocabulary.getLiteralName(type);
    if (literal.size() < 3 || literal.front() != '\'')
      continue;
    std::string text = literal.substr(1, literal.size() - 2);
    if (std::isalpha(static_cast<unsigned char>(text[0])) &&
        llvm::all_of(text, [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        }))
      words.push_back(text);
  }
  return words;
}
