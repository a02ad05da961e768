//===- SafeTensors.h - safetensors files ------------------------*- C++ -*-===//
//
// Reading and writing the safetensors format (an 8-byte little-endian header
// length, a JSON header mapping each tensor name to its dtype, shape and
// byte range, an optional "__metadata__" map of strings, then the raw
// little-endian data), the checkpoint format of dlc trainers. Writes go to a
// temporary file in the target's directory, are fsync'ed and renamed over
// the target, so a crash never leaves a partial file. Reads validate the
// whole structure and throw dlrt::Error naming the file on any problem.
// Only F32 tensors are supported.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_SAFETENSORS_H
#define DLRT_SAFETENSORS_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dlrt {

/// A tensor to write: name, shape and `product(shape)` f32 values.
struct TensorRef {
  std::string name;
  std::vector<int64_t> shape;
  const float *data = nullptr;
};

/// A tensor read back. Only F32 tensors have values; others (read with
/// `otherDtypes`, for --init from a foreign file) have their dtype and shape.
struct Tensor {
  std::string dtype = "F32";
  std::vector<int64_t> shape;
  std::vector<float> values;
};

/// Contents of a safetensors file.
struct SafeTensors {
  std::map<std::string, std::string> metadata;
  std::map<std::string, Tensor> tensors;
};

/// Serialises `tensors` (data in the given order) and `metadata` to bytes.
std::vector<uint8_t>
encodeSafeTensors(const std::vector<TensorRef> &tensors,
                  const std::map<std::string, std::string> &metadata);

/// Parses and validates a safetensors image; `name` names it in errors. A
/// tensor of a dtype other than F32 is an error unless `otherDtypes`, which
/// keeps its dtype and shape (no values) so that the caller can say which
/// tensor it is, if it needs it.
SafeTensors decodeSafeTensors(const std::vector<uint8_t> &bytes,
                              const std::string &name,
                              bool otherDtypes = false);

/// Throws unless a checkpoint can be saved to `path`: it must not exist or be
/// a regular file (never a symlink, device, FIFO or directory), in an
/// existing, writable directory. Also removes the temporary files
/// "<path>.tmp.<pid>" of earlier saves whose process is gone (killed while
/// saving).
void checkSaveTarget(const std::string &path);

/// Writes `bytes` to `path` atomically: checkSaveTarget, a temporary file
/// "<path>.tmp.<pid>" in the same directory, every write, the fsync and the
/// close checked (the temporary is removed on any failure, so the previous
/// file stays intact), rename, fsync of the directory.
void writeFileAtomically(const std::string &path,
                         const std::vector<uint8_t> &bytes);

/// encodeSafeTensors + writeFileAtomically.
void saveSafeTensors(const std::string &path,
                     const std::vector<TensorRef> &tensors,
                     const std::map<std::string, std::string> &metadata);

/// Reads and validates a safetensors file (see decodeSafeTensors).
SafeTensors loadSafeTensors(const std::string &path, bool otherDtypes = false);

} // namespace dlrt

#endif // DLRT_SAFETENSORS_H
