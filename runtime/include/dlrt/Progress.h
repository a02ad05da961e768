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

#include <chrono>
#include <cstdint>
#include <string>

namespace dlrt {

/// Whether stderr is a terminal (and TERM is not "dumb").
bool stderrIsTerminal();

/// Progress of one epoch.
class Progress {
public:
  Progress(bool terminal, std::string label, int64_t totalBatches);

  /// Reports that `done` batches are finished, with the running means.
  void update(int64_t done, int64_t samples, double loss, double accuracy);
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
