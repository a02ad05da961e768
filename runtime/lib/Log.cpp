//===- Log.cpp - JSON Lines metrics log -----------------------------------===//
//
// Line-buffered JSON Lines output; see Log.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Log.h"
#include "dlrt/Error.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace dlrt {

std::string formatLogLine(const nlohmann::json &record) {
  // Non-finite numbers (a diverged loss) become null rather than invalid JSON.
  return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

void JsonlLog::open(const std::string &path, bool append) {
  if (file)
    std::fclose(file);
  file = nullptr;
  this->path = path;
  // Non-blocking only to open: a FIFO that no process reads would otherwise
  // hang the trainer before its first step (a pipe that is read, such as
  // bash's `--log >(jq ...)`, opens as usual). Writes block as for a file.
  int fd = ::open(path.c_str(),
                  O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK |
                      (append ? O_APPEND : O_TRUNC),
                  0644);
  if (fd < 0) {
    if (errno == ENXIO)
      fail("cannot open log file '{}': it is a FIFO that no process is "
           "reading",
           path);
    fail("cannot open log file '{}': {}", path, std::strerror(errno));
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ||
      !(file = ::fdopen(fd, append ? "a" : "w"))) {
    int error = errno;
    ::close(fd);
    fail("cannot open log file '{}': {}", path, std::strerror(error));
  }
}

JsonlLog::~JsonlLog() {
  if (file)
    std::fclose(file);
}

void JsonlLog::write(const nlohmann::json &record) {
  if (!file)
    return;
  std::string line = formatLogLine(record);
  if (std::fwrite(line.data(), 1, line.size(), file) != line.size() ||
      std::fflush(file) != 0)
    fail("cannot write log file '{}': {}", path, std::strerror(errno));
}

} // namespace dlrt
