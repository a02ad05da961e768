//===- Diagnostics.cpp - Source files and error reporting ------------------===//
//
// Implementation of the DiagnosticEngine: loading files into an
// llvm::SourceMgr, printing caret diagnostics, and nearest-name suggestions.
//
//===----------------------------------------------------------------------===//
#include "dlc/Basic/Diagnostics.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

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
  srcMgr.PrintMessage(os, loc, kind, msg);
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
  if (!loc.isValid())
    return "<unknown>";
  unsigned id = srcMgr.FindBufferContainingLoc(loc);
  if (!id)
    return "<unknown>";
  auto [line, col] = srcMgr.getLineAndColumn(loc, id);
  llvm::StringRef name = srcMgr.getMemoryBuffer(id)->getBufferIdentifier();
  size_t slash = name.find_last_of('/');
  if (slash != llvm::StringRef::npos)
    name = name.drop_front(slash + 1);
  return (name + ":" + llvm::Twine(line) + ":" + llvm::Twine(col)).str();
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

std::string dlc::closestName(llvm::StringRef name,
                             llvm::ArrayRef<std::string> candidates) {
  std::string best;
  unsigned bestDist = ~0u;
  // A plausible typo: at most one edit for short names, a third of the
  // length for longer ones.
  unsigned limit = std::max<unsigned>(1, name.size() / 3);
  for (const std::string &c : candidates) {
    if (c == name)
      continue;
    unsigned d = name.edit_distance(c, /*AllowReplacements=*/true, limit);
    if (d <= limit && d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return best;
}
