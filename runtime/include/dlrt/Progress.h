//===- Progress.h - Training progress display -------------------*- C++ -*-===//
//
// On a terminal, an epoch shows a progress bar redrawn in place on stderr
// (batches done, running loss and accuracy, throughput). Otherwise (a pipe, a
// file, a test) it prints a plain line on stdout at every tenth of the epoch,
// so logs stay readable.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_PROGRESS_H
#define DLRT_PROGRESS_H

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace dlrt {

/// Whether stderr is a terminal (and TERM is not "dumb").
bool stderrIsTerminal();

/// Writes `text` to stdout and flushes it, unless stdout has failed before.
/// The first failure (a closed pipe, `./train | head -1`; a full disk; a
/// file-size limit) discards what is buffered, warns once on stderr, and
/// from then on nothing more is written to stdout: training goes on and its
/// checkpoints are written. Never throws.
void printOut(const std::string &text);

/// printOut of a fmt-formatted text.
template <typename... Args>
void say(fmt::format_string<Args...> format, Args &&...args) {
  printOut(fmt::format(format, std::forward<Args>(args)...));
}

/// Progress of one epoch.
class Progress {
public:
  Progress(bool terminal, std::string label, int64_t totalBatches);

  /// Reports that `done` batches are finished, with the running means.
  void update(int64_t done, int64_t samples, double loss, const char *metric,
              double value);
  /// Clears the bar (terminal mode).
  void finish();

private:
  bool terminal;
  std::string label;
  int64_t total;
  int64_t lastPlainTenth = 0;
  std::chrono::steady_clock::time_point start, lastDraw;
};

} // namespace dlrt

#endif // DLRT_PROGRESS_H
