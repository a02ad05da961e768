//===- Diagnostics.cpp - Source files and error reporting
//------------------===//
//
// Implementation of the DiagnosticEngine: loading files into an
// llvm::SourceMgr, printing caret diagnostics, and nearest-name suggestions.
//
//===----------------------------------------------------------------------===//
#include "dlc/Basic/Diagnostics.h"

#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

using namespace dlc;

DiagnosticEngine::DiagnosticEngine(llvm::raw_ostream &os) : os(os) {}

unsigned DiagnosticEngine::loadFile(llvm::StringRef path, std::string &error) {
  auto bufOrErr = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (std::error_code ec = bufOrErr.getError()) {
    error = ec.message();
    return 0;
  }
  return srcMgr.AddNewSourceBuffer(std::move(*bufOrErr), llvm::SMLoc());
}

unsigned DiagnosticEngine::addBuffer(llvm::StringRef contents,
                                     llvm::StringRef name) {
  return srcMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(contents, name), llvm::SMLoc());
}

void DiagnosticEngine::emit(Loc loc, llvm::SourceMgr::DiagKind kind,
                            const llvm::Twine &msg) {
  if (kind == llvm::SourceMgr::DK_Error) {
    ++numErrors;
    if (numErrors > kMaxErrors) {
      if (!limitReported) {
        limitReported = true;
        os << "dlc: note: too many errors, stopping after " << kMaxErrors
           << "\n";
      }
      return;
    }
  } else if (numErrors > kMaxErrors) {
    return;
  }
  if (!loc.isValid()) {
    const char *kindName = kind == llvm::SourceMgr::DK_Error     ? "error"
                           : kind == llvm::SourceMgr::DK_Warning ? "warning"
                                                                 : "note";
    os << "dlc: " << kindName << ": " << msg << "\n";
    return;
  }
  printWithCaret(loc, kind, msg);
}

/// Prints `file:line:col: kind: message`, the source line and a caret.
/// Unlike llvm::SourceMgr, the caret is also drawn under lines with
/// non-ASCII text: it is placed by code points, and bytes that are not valid
/// UTF-8 are shown as '?'.
void DiagnosticEngine::printWithCaret(Loc loc, llvm::SourceMgr::DiagKind kind,
                                      const llvm::Twine &msg) {
  unsigned id = srcMgr.FindBufferContainingLoc(loc);
  const llvm::MemoryBuffer *buf = srcMgr.getMemoryBuffer(id);
  auto [line, col] = srcMgr.getLineAndColumn(loc, id);
  const char *kindName = kind == llvm::SourceMgr::DK_Error     ? "error"
                         : kind == llvm::SourceMgr::DK_Warning ? "warning"
                                                               : "note";
  os << buf->getBufferIdentifier() << ":" << line << ":" << col << ": "
     << kindName << ": " << msg << "\n";
  const char *start = loc.getPointer() - (col - 1);
  const char *end = start;
  while (end < buf->getBufferEnd() && *end != '\n' && *end != '\r')
    ++end;
  std::string text, caret;
  for (const char *p = start; p < end;) {
    auto *u = reinterpret_cast<const llvm::UTF8 *>(p);
    unsigned len = llvm::getNumBytesForUTF8(*u);
    bool valid =
        p + len <= end && llvm::isLegalUTF8Sequence(u, u + len) && *p != 0;
    if (!valid)
      len = 1;
    if (p < loc.getPointer())
      caret += *p == '\t' ? '\t' : ' ';
    if (valid)
      text.append(p, len);
    else
      text += '?';
    p += len;
  }
  os << text << "\n" << caret << "^\n";
}

void DiagnosticEngine::error(Loc loc, const llvm::Twine &msg) {
  emit(loc, llvm::SourceMgr::DK_Error, msg);
}
void DiagnosticEngine::warning(Loc loc, const llvm::Twine &msg) {
  emit(loc, llvm::SourceMgr::DK_Warning, msg);
}
void DiagnosticEngine::note(Loc loc, const llvm::Twine &msg) {
  emit(loc, llvm::SourceMgr::DK_Note, msg);
}
void DiagnosticEngine::error(const llvm::Twine &msg) {
  emit(Loc(), llvm::SourceMgr::DK_Error, msg);
}

std::string DiagnosticEngine::describe(Loc loc) const {
  std::string file;
  unsigned line, col;
  if (!getLineCol(loc, file, line, col))
    return "<unknown>";
  return (llvm::sys::path::filename(file) + ":" + llvm::Twine(line) + ":" +
          llvm::Twine(col))
      .str();
}

bool DiagnosticEngine::getLineCol(Loc loc, std::string &file, unsigned &line,
                                  unsigned &col) const {
  if (!loc.isValid())
    return false;
  unsigned id = srcMgr.FindBufferContainingLoc(loc);
  if (!id)
    return false;
  std::tie(line, col) = srcMgr.getLineAndColumn(loc, id);
  file = srcMgr.getMemoryBuffer(id)->getBufferIdentifier().str();
  return true;
}

Loc DiagnosticEngine::getLoc(unsigned bufferId, unsigned line,
                             unsigned col) const {
  const llvm::MemoryBuffer *buf = srcMgr.getMemoryBuffer(bufferId);
  const char *p = buf->getBufferStart();
  const char *end = buf->getBufferEnd();
  for (unsigned l = 1; l < line && p < end; ++p)
    if (*p == '\n')
      ++l;
  // Advance `col - 1` code points (ANTLR counts code points, not bytes).
  for (unsigned c = 1; c < col && p < end && *p != '\n'; ++c) {
    ++p;
    while (p < end && (static_cast<unsigned char>(*p) & 0xC0) == 0x80)
      ++p;
  }
  return Loc::getFromPointer(p);
}

/// Edit distance in which swapping two adjacent letters counts as one edit
/// (optimal string alignment), so `bais` is one edit from `bias`.
static unsigned typoDistance(llvm::StringRef a, llvm::StringRef b) {
  std::vector<std::vector<unsigned>> d(a.size() + 1,
                                       std::vector<unsigned>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string dlc::closestName(llvm::StringRef name,
                             llvm::ArrayRef<std::string> candidates) {
  std::string best;
  unsigned bestDist = ~0u;
  // A plausible typo: at most one edit for short names, a third of the
  // length for longer ones, and never a whole different short name (`x` is
  // not a misspelling of `a`).
  unsigned limit = std::max<unsigned>(1, name.size() / 3);
  if (name.size() > 64)
    return best; // no one misspells a name that long
  for (const std::string &c : candidates) {
    if (c == name || std::abs(int(c.size()) - int(name.size())) > int(limit))
      continue;
    unsigned d = typoDistance(name, c);
    if (d <= limit && d < name.size() && d < c.size() && d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return best;
}
