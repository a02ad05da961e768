//===- SafeTensors.cpp - safetensors files --------------------------------===//
//
// Encoding, validating decoding and crash-safe writing of safetensors files;
// see SafeTensors.h. The JSON header is built and parsed with nlohmann-json.
//
//===----------------------------------------------------------------------===//

#include "dlrt/SafeTensors.h"
#include "dlrt/Error.h"
#include "dlrt/InputFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <fstream>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

using nlohmann::json;

namespace dlrt {

/// Largest header we accept (the format's reference implementation uses
/// 100 MB as well).
static constexpr uint64_t MaxHeaderBytes = 100u << 20;

static uint64_t elementCount(const std::vector<int64_t> &shape) {
  uint64_t count = 1;
  for (int64_t dim : shape)
    count *= static_cast<uint64_t>(dim);
  return count;
}

static bool hostIsLittleEndian() {
  uint16_t probe = 1;
  uint8_t first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

std::vector<uint8_t>
encodeSafeTensors(const std::vector<TensorRef> &tensors,
                  const std::map<std::string, std::string> &metadata) {
  if (!hostIsLittleEndian())
    fail("safetensors writing needs a little-endian host");
  json header = json::object();
  if (!metadata.empty())
    header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const TensorRef &t : tensors) {
    uint64_t bytes = elementCount(t.shape) * sizeof(float);
    header[t.name] = {{"dtype", "F32"},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  // Pad with spaces so that the data starts 8-byte aligned.
  text.append((8 - text.size() % 8) % 8, ' ');

  std::vector<uint8_t> out(8 + text.size() + offset);
  uint64_t length = text.size();
  for (int i = 0; i < 8; ++i)
    out[i] = static_cast<uint8_t>(length >> (8 * i));
  std::memcpy(out.data() + 8, text.data(), text.size());
  uint8_t *data = out.data() + 8 + text.size();
  for (const TensorRef &t : tensors) {
    uint64_t bytes = elementCount(t.shape) * sizeof(float);
    if (bytes)
      std::memcpy(data, t.data, bytes);
    data += bytes;
  }
  return out;
}

/// Bytes per element of the safetensors dtypes (0: not a safetensors dtype).
static uint64_t dtypeBytes(const std::string &dtype) {
  static const std::map<std::string, uint64_t> sizes = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},   {"F8_E4M3", 1}, {"F8_E5M2", 1},
      {"I16", 2},  {"U16", 2}, {"F16", 2},  {"BF16", 2},    {"I32", 4},
      {"U32", 4},  {"F32", 4}, {"I64", 8},  {"U64", 8},     {"F64", 8}};
  auto it = sizes.find(dtype);
  return it == sizes.end() ? 0 : it->second;
}

SafeTensors decodeSafeTensors(const std::vector<uint8_t> &bytes,
                              const std::string &name, bool otherDtypes) {
  if (bytes.size() < 8)
    fail("'{}' is not a safetensors file: {} bytes, shorter than the 8-byte "
         "header length",
         name, bytes.size());
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i)
    length = (length << 8) | bytes[i];
  if (length < 2 || length > MaxHeaderBytes)
    fail("'{}' is not a valid safetensors file: header length {} is out of "
         "bounds",
         name, length);
  if (length > bytes.size() - 8)
    fail("'{}' is truncated: header length {} exceeds the {} bytes that "
         "follow it",
         name, length, bytes.size() - 8);
  json header;
  try {
    header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + length);
  } catch (const json::exception &e) {
    fail("'{}' has a corrupt safetensors header: {}", name, e.what());
  }
  if (!header.is_object())
    fail("'{}' has a corrupt safetensors header: not a JSON object", name);

  SafeTensors result;
  uint64_t dataSize = bytes.size() - 8 - length;
  const uint8_t *data = bytes.data() + 8 + length;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string &key = it.key();
    const json &entry = it.value();
    if (key == "__metadata__") {
      if (!entry.is_object())
        fail("'{}': __metadata__ is not an object", name);
      for (auto m = entry.begin(); m != entry.end(); ++m) {
        if (!m.value().is_string())
          fail("'{}': metadata value of '{}' is not a string", name, m.key());
        result.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    if (!entry.is_object() || !entry.contains("dtype") ||
        !entry.contains("shape") || !entry.contains("data_offsets"))
      fail("'{}': tensor '{}' lacks dtype, shape or data_offsets", name, key);
    const json &dtype = entry["dtype"];
    if (!dtype.is_string())
      fail("'{}': tensor '{}' has a non-string dtype", name, key);
    Tensor tensor;
    tensor.dtype = dtype.get<std::string>();
    uint64_t elementBytes = dtypeBytes(tensor.dtype);
    if (tensor.dtype != "F32" && (!otherDtypes || !elementBytes))
      fail("'{}': tensor '{}' has dtype {}, only F32 is supported", name, key,
           tensor.dtype);
    const json &shape = entry["shape"];
    if (!shape.is_array())
      fail("'{}': tensor '{}' has a shape that is not an array", name, key);
    uint64_t count = 1;
    for (const json &dim : shape) {
      if (!dim.is_number_unsigned())
        fail("'{}': tensor '{}' has a shape entry that is not a non-negative "
             "integer",
             name, key);
      uint64_t d = dim.get<uint64_t>();
      if (d > (uint64_t(1) << 40) || (d && count > (uint64_t(1) << 40) / d))
        fail("'{}': tensor '{}' has an implausibly large shape", name, key);
      count *= d;
      tensor.shape.push_back(static_cast<int64_t>(d));
    }
    const json &offsets = entry["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 ||
        !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      fail("'{}': tensor '{}' has malformed data_offsets", name, key);
    uint64_t begin = offsets[0].get<uint64_t>();
    uint64_t end = offsets[1].get<uint64_t>();
    if (begin > end || end > dataSize)
      fail("'{}': tensor '{}' has data_offsets [{}, {}] outside the {} data "
           "bytes (truncated file?)",
           name, key, begin, end, dataSize);
    if (end - begin != count * elementBytes)
      fail("'{}': tensor '{}' has {} data bytes but its shape needs {}", name,
           key, end - begin, count * elementBytes);
    if (tensor.dtype == "F32") {
      tensor.values.resize(count);
      if (count)
        std::memcpy(tensor.values.data(), data + begin, end - begin);
    }
    ranges.emplace_back(begin, end);
    result.tensors.emplace(key, std::move(tensor));
  }
  // The tensors must tile the data area exactly: no overlap, no hole.
  std::sort(ranges.begin(), ranges.end());
  uint64_t expected = 0;
  for (auto [begin, end] : ranges) {
    if (begin != expected)
      fail("'{}': tensor data ranges overlap or leave a gap at byte {}", name,
           std::min(begin, expected));
    expected = end;
  }
  if (expected != dataSize)
    fail("'{}' is corrupt: {} data bytes but the tensors cover {}", name,
         dataSize, expected);
  return result;
}

static void writeAll(int fd, const uint8_t *data, size_t size,
                     const std::string &path, const std::string &temp) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR)
        continue;
      fail("cannot write checkpoint '{}' (to its temporary file '{}'): {}",
           path, temp, std::strerror(errno));
    }
    if (written == 0)
      fail("cannot write checkpoint '{}' (to its temporary file '{}'): the "
           "write made no progress",
           path, temp);
    data += written;
    size -= static_cast<size_t>(written);
  }
}

namespace {

/// The directory and base name of `path`.
struct PathParts {
  std::string dir, base;
};

PathParts splitPath(const std::string &path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}


/// The pid of a temporary file of `base` ("<base>.tmp.<pid>"), or 0.
pid_t tempOwner(const std::string &name, const std::string &base) {
  std::string prefix = base + ".tmp.";
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix))
    return 0;
  std::string digits = name.substr(prefix.size());
  if (digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  return static_cast<pid_t>(std::stol(digits));
}

} // namespace

const char *fileKind(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISLNK(mode))
    return "a symbolic link";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

/// Removes "<path>.tmp.<pid>" files left by saves that were killed (kill -9,
/// power loss): those whose process no longer exists, and our own.
static void removeStaleTemps(const std::string &path) {
  PathParts parts = splitPath(path);
  DIR *dir = ::opendir(parts.dir.c_str());
  if (!dir)
    return;
  while (struct dirent *entry = ::readdir(dir)) {
    pid_t pid = tempOwner(entry->d_name, parts.base);
    if (pid <= 0)
      continue;
    bool dead = pid == ::getpid() || (::kill(pid, 0) != 0 && errno == ESRCH);
    std::string temp = parts.dir + "/" + entry->d_name;
    struct stat st;
    if (dead && ::lstat(temp.c_str(), &st) == 0 && S_ISREG(st.st_mode))
      ::unlink(temp.c_str());
  }
  ::closedir(dir);
}

void checkSaveTarget(const std::string &path) {
  PathParts parts = splitPath(path);
  if (parts.base.empty() || parts.base == "." || parts.base == "..")
    fail("cannot save a checkpoint to '{}': it names a directory, not a file",
         path);
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode))
      fail("refusing to save a checkpoint over '{}': it is {}, not a regular "
           "file",
           path, fileKind(st.st_mode));
  } else if (errno != ENOENT) {
    fail("cannot save a checkpoint to '{}': {}", path, std::strerror(errno));
  }
  if (::stat(parts.dir.c_str(), &st) != 0)
    fail("cannot save a checkpoint to '{}': directory '{}': {}", path,
         parts.dir, std::strerror(errno));
  if (!S_ISDIR(st.st_mode))
    fail("cannot save a checkpoint to '{}': '{}' is not a directory", path,
         parts.dir);
  if (::access(parts.dir.c_str(), W_OK | X_OK) != 0)
    fail("cannot save a checkpoint to '{}': directory '{}' is not writable: "
         "{}",
         path, parts.dir, std::strerror(errno));
  removeStaleTemps(path);
}

void writeFileAtomically(const std::string &path,
                         const std::vector<uint8_t> &bytes) {
  // Checked at start-up too; the target may have changed since.
  checkSaveTarget(path);
  PathParts parts = splitPath(path);
  // One temporary name per process, so that a later run can tell a killed
  // save's leftover (its process is gone) from a save in progress.
  std::string temp = fmt::format("{}.tmp.{}", path, ::getpid());
  int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::open(temp.c_str(), flags, 0644);
  if (fd < 0)
    fail("cannot create the temporary file '{}' for checkpoint '{}': {}", temp,
         path, std::strerror(errno));
  try {
    writeAll(fd, bytes.data(), bytes.size(), path, temp);
    if (::fsync(fd) != 0)
      fail("cannot write checkpoint '{}': fsync of '{}' failed: {}", path, temp,
           std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    fail("cannot write checkpoint '{}': closing '{}' failed: {}", path, temp,
         std::strerror(err));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    fail("cannot rename '{}' to '{}': {}", temp, path, std::strerror(err));
  }
  // Make the rename itself durable.
  int dirFd = ::open(parts.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    ::fsync(dirFd);
    ::close(dirFd);
  }
}

void saveSafeTensors(const std::string &path,
                     const std::vector<TensorRef> &tensors,
                     const std::map<std::string, std::string> &metadata) {
  writeFileAtomically(path, encodeSafeTensors(tensors, metadata));
}

SafeTensors loadSafeTensors(const std::string &path, bool otherDtypes) {
  // A regular file only: a FIFO would hang, /dev/zero never end, and a
  // directory is no checkpoint.
  InputFile file(path, "checkpoint ", false);
  std::vector<uint8_t> bytes;
  file.readAll(bytes, file.fileSize());
  if (bytes.size() != file.fileSize())
    fail("cannot read checkpoint '{}': it changed size while being read",
         path);
  return decodeSafeTensors(bytes, path, otherDtypes);
}

} // namespace dlrt
