//===- Sema.h - Semantic analysis of a .dl program --------------*- C++ -*-===//
//
// Sema resolves names (loading `use`d stdlib modules), checks and binds call
// arguments, instantiates every layer call at its argument shapes, names
// parameters after their call sites, applies the shape rule of every
// built-in op, and checks the train blocks. It reports every independent
// error it finds; an expression with an error gets the error type, which
// silences follow-on errors.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_SEMA_SEMA_H
#define DLC_SEMA_SEMA_H

#include "dlc/Sema/Program.h"

namespace dlc {

struct SemaOptions {
  /// Directories searched for `use` modules, before the standard library.
  std::vector<std::string> includeDirs;
  /// The standard library directory (stdlib/ of the source tree by default).
  std::string stdlibDir;
};

/// Parses the main file `path` and everything it uses, and analyses it.
/// Returns null if any error was reported.
std::unique_ptr<sema::Program> analyzeFile(DiagnosticEngine &diags,
                                           llvm::StringRef path,
                                           const SemaOptions &options);

} // namespace dlc

#endif // DLC_SEMA_SEMA_H
