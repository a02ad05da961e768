//===- Log.h - JSON Lines metrics log ---------------------------*- C++ -*-===//
//
// `--log FILE.jsonl` writes one JSON object per line: an "epoch" record after
// every epoch, optional "step" records every N steps, and a "test" record at
// the end. Each line is flushed when written, so the file can be followed
// while training runs and survives a crash up to the last complete line.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_LOG_H
#define DLRT_LOG_H

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

namespace dlrt {

/// Formats one log record as a single JSON line (with the newline).
std::string formatLogLine(const nlohmann::json &record);

/// A JSON Lines file; a default-constructed log writes nothing.
class JsonlLog {
public:
  JsonlLog() = default;
  /// Opens `path`, truncating it unless `append`.
  JsonlLog(const std::string &path, bool append) { open(path, append); }
  ~JsonlLog();
  JsonlLog(const JsonlLog &) = delete;
  JsonlLog &operator=(const JsonlLog &) = delete;

  /// (Re)opens the log on `path`, truncating it unless `append`.
  void open(const std::string &path, bool append);
  bool enabled() const { return file != nullptr; }
  /// Writes `record` as one line and flushes it.
  void write(const nlohmann::json &record);

private:
  std::string path;
  std::FILE *file = nullptr;
};

} // namespace dlrt

#endif // DLRT_LOG_H
