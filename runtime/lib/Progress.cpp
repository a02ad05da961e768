//===- Progress.cpp - Training progress display ---------------------------===//
//
// The progress bar and its plain-line fallback; see Progress.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Progress.h"
#include "dlrt/Comm.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <stdio_ext.h>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace dlrt {

namespace {
bool stdoutFailed = false;
} // namespace

void printOut(const std::string &text) {
  // Data-parallel training: rank 0 alone reports.
  if (stdoutFailed || comm().rank() != 0)
    return;
  if (std::fwrite(text.data(), 1, text.size(), stdout) == text.size() &&
      std::fflush(stdout) == 0)
    return;
  int err = errno;
  stdoutFailed = true;
  // Drop what is still buffered so that no later flush (at exit) retries.
  __fpurge(stdout);
  std::clearerr(stdout);
  std::fprintf(stderr,
               "warning: cannot write to standard output (%s); training "
               "continues without printing progress\n",
               std::strerror(err));
}

bool stderrIsTerminal() {
  const char *term = std::getenv("TERM");
  return ::isatty(STDERR_FILENO) && !(term && std::strcmp(term, "dumb") == 0);
}

Progress::Progress(bool terminal, std::string label, int64_t totalBatches)
    : terminal(terminal), label(std::move(label)), total(totalBatches),
      start(std::chrono::steady_clock::now()), lastDraw(start) {}

/// " acc 0.8123", or nothing for a model without outputs (no metric).
static std::string shown(const char *metric, double value) {
  if (!metric)
    return "";
  return fmt::format(" {} {:.4f}", metric, value);
}

void Progress::update(int64_t done, int64_t samples, double loss,
                      const char *metric, double value) {
  auto now = std::chrono::steady_clock::now();
  double seconds = std::chrono::duration<double>(now - start).count();
  double rate = seconds > 0 ? samples / seconds : 0.0;
  if (terminal) {
    // Redraw at most 20 times a second, and always at the end.
    if (done != total && now - lastDraw < std::chrono::milliseconds(50))
      return;
    lastDraw = now;
    constexpr int Width = 30;
    int filled = total ? static_cast<int>(Width * done / total) : Width;
    std::string bar(filled, '=');
    if (filled < Width)
      bar += '>' + std::string(Width - filled - 1, ' ');
    std::string line =
        fmt::format("\r{} [{}] {}/{} loss {:.4f}{} {:.0f} samples/s", label,
                    bar, done, total, loss, shown(metric, value), rate);
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
    return;
  }
  int64_t tenth = total ? 10 * done / total : 10;
  if (tenth > lastPlainTenth && done != total) {
    lastPlainTenth = tenth;
    say("{} {}/{} loss {:.4f}{} {:.0f} samples/s\n", label, done, total,
        loss, shown(metric, value), rate);
  }
}

void Progress::finish() {
  if (terminal) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
}

} // namespace dlrt
