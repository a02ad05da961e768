//===- TextMate.cpp - The editor grammar of the language
//-------------------===//
//
// `dlc --emit-textmate` writes the TextMate grammar of .dl files
// (editors/vscode/syntaxes/dl.tmLanguage.json, used by VS Code and the other
// editors that read TextMate grammars) from the compiler's own lists: the
// keywords of grammar/DL.g4's lexer, the element and scalar type names Sema
// resolves, the built-in op table (`dlc --list-ops`), the train vocabulary
// (optimisers, schedules, metrics, ...) and the layers of the standard
// library, parsed by the compiler's parser. The committed grammar is this
// output (test/Tools/textmate.test regenerates and compares it), so it
// cannot drift from the language.
//
//===----------------------------------------------------------------------===//
#include "TextMate.h"

#include "dlc/Basic/Diagnostics.h"
#include "dlc/Parse/Parser.h"
#include "dlc/Sema/Builtins.h"
#include "dlc/Sema/TypeNames.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <set>

using namespace dlc;
namespace json = llvm::json;

namespace {

/// `\b(?:a|b|c)\b` over sorted, distinct names (identifiers: nothing to
/// escape).
std::string wordsRegex(const std::set<std::string> &names) {
  std::string alternatives;
  for (const std::string &n : names)
    alternatives += (alternatives.empty() ? "" : "|") + n;
  return "\\b(?:" + alternatives + ")\\b";
}

json::Object match(const std::string &scope, const std::string &regex) {
  return json::Object{{"name", scope}, {"match", regex}};
}

json::Object include(const std::string &rule) {
  return json::Object{{"include", "#" + rule}};
}

json::Object captures(std::initializer_list<std::string> scopes) {
  json::Object c;
  unsigned i = 1;
  for (const std::string &s : scopes)
    c[std::to_string(i++)] = json::Object{{"name", s}};
  return c;
}

/// The layers defined by the standard library's modules (every .dl file of
/// `stdlibDir`), parsed by the compiler's parser.
bool stdlibLayers(const std::string &stdlibDir, std::set<std::string> &layers,
                  std::string &error) {
  std::error_code ec;
  std::vector<std::string> files;
  for (llvm::sys::fs::directory_iterator it(stdlibDir, ec), end;
       it != end && !ec; it.increment(ec))
    if (llvm::sys::path::extension(it->path()) == ".dl")
      files.push_back(it->path());
  if (ec || files.empty()) {
    error = "no standard library modules (.dl files) in '" + stdlibDir + "'";
    return false;
  }
  std::sort(files.begin(), files.end());
  DiagnosticEngine diags(llvm::errs());
  for (const std::string &file : files) {
    std::string loadError;
    unsigned id = diags.loadFile(file, loadError);
    if (!id) {
      error = loadError;
      return false;
    }
    std::unique_ptr<ast::Module> mod =
        parseModule(diags, id, llvm::sys::path::stem(file).str());
    if (!mod) {
      error = "the standard library module '" + file + "' does not parse";
      return false;
    }
    for (const auto &f : mod->funcs)
      if (!f->isModel)
        layers.insert(f->name);
  }
  return true;
}

} // namespace

bool dlc::textMateGrammar(const std::string &stdlibDir, std::string &out,
                          std::string &error) {
  // Keywords, each in its scope; every other keyword of the grammar is a
  // keyword.control, so a new one is highlighted without a change here.
  std::vector<std::string> keywords = grammarKeywords();
  const std::set<std::string> constants = {"true", "false"};
  const std::set<std::string> declarations = {"layer", "model", "train"};
  std::set<std::string> control;
  for (const std::string &k : keywords)
    if (!constants.count(k))
      control.insert(k);
  for (const std::set<std::string> *named : {&constants, &declarations})
    for (const std::string &k : *named)
      if (!llvm::is_contained(keywords, k)) {
        error = "internal error: '" + k +
                "' is no longer a keyword of grammar/DL.g4; update the "
                "editor grammar's scopes (compiler/tools/dlc/TextMate.cpp)";
        return false;
      }

  std::set<std::string> elementTypes(sema::elementTypeNames().begin(),
                                     sema::elementTypeNames().end());
  std::set<std::string> types = elementTypes;
  types.insert(sema::scalarTypeNames().begin(), sema::scalarTypeNames().end());

  std::vector<std::string> opNames = sema::allOpNames();
  std::set<std::string> ops(opNames.begin(), opNames.end());

  // The train vocabulary: constructors (`adam(...)`) and bare names
  // (`metrics = [accuracy]`), without the names that are ops already
  // (`loss = cross_entropy`).
  std::set<std::string> trainFunctions, trainConstants;
  for (const sema::ConstructorTable *table :
       {&sema::initializers(), &sema::dataSources(), &sema::optimizers(),
        &sema::schedules(), &sema::earlyStopping(), &sema::lossConfigs(),
        &sema::augmentations()})
    for (const std::string &n : table->names())
      if (!ops.count(n))
        trainFunctions.insert(n);
  for (const std::vector<std::string> *list :
       {&sema::metricNames(), &sema::monitorNames(), &sema::normalizations(),
        &sema::balancings()})
    for (const std::string &n : *list)
      if (!ops.count(n) && !trainFunctions.count(n))
        trainConstants.insert(n);

  std::set<std::string> layers;
  if (!stdlibLayers(stdlibDir, layers, error))
    return false;
  for (const std::string &n : ops)
    layers.erase(n);

  const std::string ident = "[A-Za-z_][A-Za-z_0-9]*";
  // DL.g4's FLOAT and INT, not inside a name or another number.
  const std::string exponent = "[eE][+-]?[0-9]+";
  const std::string floatRegex =
      "(?<![A-Za-z_0-9.])(?:[0-9]+\\.[0-9]*(?:" + exponent + ")?|[0-9]+" +
      exponent + "|\\.[0-9]+(?:" + exponent + ")?)";
  const std::string intRegex = "(?<![A-Za-z_0-9.])[0-9]+(?![A-Za-z_0-9.])";

  json::Object repo;
  repo["comment"] = json::Object{
      {"name", "comment.line.number-sign.dl"},
      {"match", "(#).*$"},
      {"captures", captures({"punctuation.definition.comment.dl"})}};
  repo["string"] = json::Object{
      {"name", "string.quoted.double.dl"},
      {"begin", "\""},
      {"beginCaptures",
       json::Object{{"0", json::Object{{"name", "punctuation.definition.string."
                                                "begin.dl"}}}}},
      {"end", "(\")|$"},
      {"endCaptures", captures({"punctuation.definition.string.end.dl"})},
      {"patterns",
       json::Array{match("constant.character.escape.dl", "\\\\.")}}};
  repo["declaration"] = json::Object{
      {"match",
       "\\b(" + llvm::join(declarations, "|") + ")\\s+(" + ident + ")"},
      {"captures",
       captures({"keyword.control.dl", "entity.name.function.dl"})}};
  repo["use"] = json::Object{
      {"match", "\\b(use)\\s+(" + ident + "(?:\\." + ident + ")*)"},
      {"captures",
       captures({"keyword.control.import.dl", "entity.name.namespace.dl"})}};
  repo["tensor-type"] = json::Object{
      {"name", "meta.type.tensor.dl"},
      {"begin", wordsRegex(elementTypes).insert(0, "(") + ")\\s*(\\[)"},
      {"beginCaptures",
       captures({"storage.type.dl", "punctuation.section.brackets.begin.dl"})},
      {"end", "\\]"},
      {"endCaptures",
       json::Object{{"0", json::Object{{"name", "punctuation.section."
                                                "brackets.end.dl"}}}}},
      {"patterns",
       json::Array{include("number"),
                   match("keyword.operator.ellipsis.dl", "\\.\\.\\."),
                   include("operator"),
                   match("variable.other.dimension.dl", "\\b" + ident)}}};
  repo["type"] = match("storage.type.dl", wordsRegex(types));
  repo["keyword"] = match("keyword.control.dl", wordsRegex(control));
  repo["constant"] =
      match("constant.language.boolean.dl", wordsRegex(constants));
  repo["number"] = json::Object{
      {"patterns",
       json::Array{match("constant.numeric.float.dl", floatRegex),
                   match("constant.numeric.integer.dl", intRegex)}}};
  repo["builtin"] = match("support.function.builtin.dl", wordsRegex(ops));
  repo["stdlib"] = match("support.function.stdlib.dl", wordsRegex(layers));
  repo["train-function"] =
      match("support.function.train.dl", wordsRegex(trainFunctions));
  repo["train-constant"] =
      match("support.constant.train.dl", wordsRegex(trainConstants));
  repo["operator"] = json::Object{
      {"patterns", json::Array{match("keyword.operator.arrow.dl", "->"),
                               match("keyword.operator.dl", "[-+*/@=]")}}};

  json::Array patterns;
  for (const char *rule :
       {"comment", "string", "use", "declaration", "tensor-type", "type",
        "keyword", "constant", "number", "builtin", "stdlib", "train-function",
        "train-constant", "operator"})
    patterns.push_back(include(rule));

  json::Value grammar = json::Object{
      {"name", "dl"},
      {"scopeName", "source.dl"},
      {"fileTypes", json::Array{"dl"}},
      {"comment", "Generated by `dlc --emit-textmate` from the compiler's "
                  "keywords (grammar/DL.g4), types, built-in ops, train "
                  "vocabulary and standard library: do not edit."},
      {"patterns", std::move(patterns)},
      {"repository", std::move(repo)}};
  out = llvm::formatv("{0:2}", grammar).str() + "\n";
  return true;
}
