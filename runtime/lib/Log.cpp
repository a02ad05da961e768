//===- Log.cpp - JSON Lines metrics log -----------------------------------===//
//
// Line-buffered JSON Lines output; see Log.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Log.h"
#include "dlrt/Error.h"

#include <cerrno>
#include <cstring>

namespace dlrt {

std::string formatLogLine(const nlohmann::json &record) {
  // Non-finite numbers (a diverged loss) become null rather than invalid JSON.
  return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

void JsonlLog::open(const std::string &path, bool append) {
  if (file)
    std::fclose(file);
  this->path = path;
  file = std::fopen(path.c_str(), append ? "a" : "w");
  if (!file)
    fail("cannot open log file '{}': {}", path, std::strerror(errno));
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
