//===- InputFile.h - Reading data and checkpoint files safely ---*- C++ -*-===//
//
// Every file the runtime reads (data, checkpoints) is opened through
// InputFile: it must be a regular file (checked with fstat after opening
// without blocking, so a FIFO, a device such as /dev/zero or a directory is a
// clear error instead of a hang, an endless read or a C++ library error), and
// gzip content is inflated incrementally, so that a reader that knows from a
// header how many bytes to expect (idx, npy) stops inflating there: a gzip
// bomb or trailing data is an error, never unbounded memory. Implemented in
// Idx.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_INPUTFILE_H
#define DLRT_INPUTFILE_H

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dlrt {

/// Most bytes a gzip file whose format has no size header (CSV) may inflate
/// to: 4 GiB.
constexpr uint64_t MaxInflatedBytes = uint64_t(4) << 30;

/// An open regular file whose content (inflated if it is gzip-compressed and
/// `gunzip` is set) is read in order.
class InputFile {
public:
  /// Opens `path`; `what` prefixes the path in errors ("checkpoint " or "").
  InputFile(const std::string &path, const std::string &what, bool gunzip);
  ~InputFile();
  InputFile(const InputFile &) = delete;
  InputFile &operator=(const InputFile &) = delete;

  const std::string &path() const { return name; }
  /// Whether the content is gzip-compressed (detected from its first bytes).
  bool isGzip() const { return gzip; }
  /// Size of the file on disk.
  uint64_t fileSize() const { return size; }

  /// Appends up to `n` more content bytes to `out` (fewer only at the end).
  void read(std::vector<uint8_t> &out, uint64_t n);
  /// Reads the rest of the content, which must not exceed `limit` bytes in
  /// all (an error saying so otherwise).
  void readAll(std::vector<uint8_t> &out, uint64_t limit);
  /// Whether the content has ended (for gzip: the last stream ended and its
  /// checksum was verified). Consumes one byte if it has not.
  bool atEnd();

private:
  size_t readSome(uint8_t *dst, size_t cap);
  size_t readRawInput(uint8_t *dst, size_t cap);
  size_t inflateSome(uint8_t *dst, size_t cap);

  std::string name, what;
  int fd = -1;
  uint64_t size = 0;
  bool gzip = false;
  struct Inflater;
  std::unique_ptr<Inflater> inflater;
  /// Bytes read ahead to detect gzip, not yet handed out.
  std::vector<uint8_t> pending;
};

/// What a file of this mode is, for messages: "a directory", "a FIFO", ...
/// (defined in SafeTensors.cpp).
const char *fileKind(mode_t mode);

} // namespace dlrt

#endif // DLRT_INPUTFILE_H
