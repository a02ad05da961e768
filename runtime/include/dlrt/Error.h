//===- Error.h - Runtime errors ---------------------------------*- C++ -*-===//
//
// Every failure inside libdlrt (a malformed data file, a corrupt checkpoint, a
// bad flag value) throws dlrt::Error with a message that names the file or the
// value and says what is wrong. Only dlrt_main catches it: it prints
// "error: <message>" and exits with status 1.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_ERROR_H
#define DLRT_ERROR_H

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace dlrt {

/// A user-facing runtime error; the message is complete and printable.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string &message) : std::runtime_error(message) {}
};

/// Throws an Error whose message is formatted with fmt.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args &&...args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

} // namespace dlrt

#endif // DLRT_ERROR_H
