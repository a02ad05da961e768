//===- Npy.h - NumPy .npy file reader ---------------------------*- C++ -*-===//
//
// Reads NumPy's .npy format (versions 1 to 3; optionally gzip-compressed):
// the magic, the header dictionary (descr, fortran_order, shape), and a
// payload that must be exactly as long as the shape says. Little-endian and
// byte-sized integer and float types are supported; anything else (Fortran
// order, big-endian, objects, a truncated or overlong payload) throws
// dlrt::Error naming the file.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_NPY_H
#define DLRT_NPY_H

#include "dlrt/FileArray.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlrt {

/// A validated .npy array; values are decoded on access.
struct NpyArray : FileArray {
  /// NumPy kind: 'u' (unsigned), 'i' (signed) or 'f' (float).
  char kind = 'u';
  /// Bytes per element.
  int elementBytes = 1;
  /// The shape as written in the header, e.g. "(10, 784)", for errors.
  std::string shapeText;

  /// Element `i` in C order, widened to double.
  double at(uint64_t i) const;
  bool isUInt8() const { return kind == 'u' && elementBytes == 1; }
  bool isInteger() const { return kind != 'f'; }
};

/// A .npy (version 1.0) image of little-endian float32 `values` of `shape`,
/// C order.
std::vector<uint8_t> encodeNpyF32(const std::vector<int64_t> &shape,
                                  const std::vector<float> &values);

/// Parses a .npy image held in `bytes`; `name` names it in errors.
NpyArray parseNpy(std::vector<uint8_t> bytes, const std::string &name);

/// Reads (inflating gzip if needed) and parses a .npy file.
NpyArray loadNpy(const std::string &path);

} // namespace dlrt

#endif // DLRT_NPY_H
