//===- Diagnostics.h - Source files and error reporting ---------*- C++ -*-===//
//
// The front end reports every problem through a DiagnosticEngine, which owns
// the llvm::SourceMgr holding every loaded file (the main program and the
// stdlib modules it uses). Messages print as `file:line:col: error: message`
// followed by the source line and a caret, the format of clang and mlir-opt.
// Errors are counted, not thrown, so that all independent errors of a file
// are reported in one run.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_BASIC_DIAGNOSTICS_H
#define DLC_BASIC_DIAGNOSTICS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"

#include <string>

namespace dlc {

/// A location in a loaded source buffer. Invalid locations print without a
/// file position (used for errors that have no place in the source).
using Loc = llvm::SMLoc;

class DiagnosticEngine {
public:
  explicit DiagnosticEngine(llvm::raw_ostream &os);

  llvm::SourceMgr &getSourceMgr() { return srcMgr; }

  /// Loads a file into the source manager. Returns the buffer id, or 0 and
  /// sets `error` when the file cannot be read.
  unsigned loadFile(llvm::StringRef path, std::string &error);
  /// Adds an in-memory buffer (used by tests and by the fuzz harness).
  unsigned addBuffer(llvm::StringRef contents, llvm::StringRef name);

  void error(Loc loc, const llvm::Twine &msg);
  void warning(Loc loc, const llvm::Twine &msg);
  void note(Loc loc, const llvm::Twine &msg);
  /// An error with no source position (e.g. a file that cannot be opened).
  void error(const llvm::Twine &msg);

  unsigned getNumErrors() const { return numErrors; }
  bool hasErrors() const { return numErrors != 0; }

  /// The buffer's file name and the 1-based line and column of `loc`.
  std::string describe(Loc loc) const;
  /// The full buffer name and 1-based line and column of `loc`; false for an
  /// invalid location.
  bool getLineCol(Loc loc, std::string &file, unsigned &line,
                  unsigned &col) const;
  /// The location of line `line`, column `col` (1-based, in code points) of
  /// buffer `bufferId`; clamped to the buffer.
  Loc getLoc(unsigned bufferId, unsigned line, unsigned col) const;

  /// After this many errors further ones are dropped with a note.
  static constexpr unsigned kMaxErrors = 50;

private:
  void emit(Loc loc, llvm::SourceMgr::DiagKind kind, const llvm::Twine &msg);
  void printWithCaret(Loc loc, llvm::SourceMgr::DiagKind kind,
                      const llvm::Twine &msg);

  llvm::SourceMgr srcMgr;
  llvm::raw_ostream &os;
  unsigned numErrors = 0;
  bool limitReported = false;
};

/// Returns the candidate closest to `name` by edit distance, or an empty
/// string when none is close enough to be a plausible misspelling.
std::string closestName(llvm::StringRef name,
                        llvm::ArrayRef<std::string> candidates);

} // namespace dlc

#endif // DLC_BASIC_DIAGNOSTICS_H
