//===- FileArray.h - An array held as the bytes of its file -----*- C++ -*-===//
//
// What the idx and .npy readers return alike: the dimensions of the array
// and the whole file, whose values each format decodes on access (so that a
// 47 MB image file is not widened in memory). IdxArray and NpyArray add the
// element type and `at`; the dataset loader works on either.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_FILEARRAY_H
#define DLRT_FILEARRAY_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dlrt {

/// The dimensions and bytes of a validated array file.
struct FileArray {
  std::vector<uint64_t> dims;
  /// The whole (inflated) file; the values start at `payloadOffset`.
  std::vector<uint8_t> bytes;
  size_t payloadOffset = 0;

  /// Number of elements.
  uint64_t size() const {
    uint64_t size = 1;
    for (uint64_t dim : dims)
      size *= dim;
    return size;
  }
  /// Product of the dimensions after the first (size of one item).
  uint64_t itemSize() const {
    uint64_t size = 1;
    for (size_t i = 1; i < dims.size(); ++i)
      size *= dims[i];
    return size;
  }
};

} // namespace dlrt

#endif // DLRT_FILEARRAY_H
