//===- Idx.h - idx file reader ----------------------------------*- C++ -*-===//
//
// Reads the idx format of the MNIST family (raw or gzip-compressed) into
// memory and validates it completely: the magic (two zero bytes, a known type
// code, a rank of 1..8), every dimension, and that the payload is exactly as
// long as the dimensions say. Any problem throws dlrt::Error naming the file.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_IDX_H
#define DLRT_IDX_H

#include "dlrt/FileArray.h"
#include "dlrt/InputFile.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlrt {

/// Element type codes of the idx format (third byte of the magic).
enum class IdxType : uint8_t {
  UInt8 = 0x08,
  Int8 = 0x09,
  Int16 = 0x0B,
  Int32 = 0x0C,
  Float32 = 0x0D,
  Float64 = 0x0E,
};

/// A validated idx array: its type, dimensions and the file's bytes.
struct IdxArray : FileArray {
  IdxType type = IdxType::UInt8;

  /// Element `i` in row-major order, widened to double (exact for every
  /// idx type).
  double at(uint64_t i) const;
  bool isUInt8() const { return type == IdxType::UInt8; }
  bool isInteger() const {
    return type != IdxType::Float32 && type != IdxType::Float64;
  }
};

/// Reads a whole file, inflating it if it is gzip-compressed (detected from
/// its content, not its name). Throws on a missing, unreadable, truncated or
/// corrupt file, and on a compressed one that inflates to more than
/// `maxInflated` bytes (formats without a header that declares their size,
/// such as CSV: a gzip bomb must not take all memory).
std::vector<uint8_t>
readFileMaybeGzip(const std::string &path,
                  uint64_t maxInflated = MaxInflatedBytes);

/// Parses an idx image held in `bytes`; `name` names the source in errors.
IdxArray parseIdx(std::vector<uint8_t> bytes, const std::string &name);

/// readFileMaybeGzip + parseIdx.
IdxArray loadIdx(const std::string &path);

} // namespace dlrt

#endif // DLRT_IDX_H
