//===- Parser.h - From .dl text to the AST ----------------------*- C++ -*-===//
//
// The only entry point into ANTLR. parseModule lexes and parses one loaded
// buffer and converts the parse tree into the AST of AST/AST.h; no other part
// of the compiler includes an ANTLR header.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_PARSE_PARSER_H
#define DLC_PARSE_PARSER_H

#include "dlc/AST/AST.h"

namespace dlc {

/// Parses buffer `bufferId` of the diagnostic engine's source manager.
/// Lexical and syntax errors are reported to `diags`; on any error the result
/// is null (every syntax error of the file is reported first).
std::unique_ptr<ast::Module> parseModule(DiagnosticEngine &diags,
                                         unsigned bufferId,
                                         llvm::StringRef moduleName);

/// The keywords of the language: the literal tokens of grammar/DL.g4's lexer
/// that are words (`layer`, `true`, ...), in the grammar's order. The editor
/// grammar (`dlc --emit-textmate`) is written from them.
std::vector<std::string> grammarKeywords();

/// Bracket nesting deeper than this is rejected before parsing, so that no
/// input can exhaust the stack of the recursive-descent parser.
constexpr unsigned kMaxNestingDepth = 200;
/// Expressions deeper than this (long operator chains, many unary minus) are
/// rejected, for the same reason.
constexpr unsigned kMaxExprDepth = 1000;
/// Source files larger than this are rejected.
constexpr size_t kMaxSourceBytes = 8 << 20;

} // namespace dlc

#endif // DLC_PARSE_PARSER_H
