//===- Idx.cpp - idx file reader ------------------------------------------===//
//
// File reading (with zlib for gzip) and idx validation; see Idx.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Idx.h"
#include "dlrt/Error.h"
#include "dlrt/InputFile.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dlrt {

struct InputFile::Inflater {
  z_stream zs;
  std::vector<uint8_t> in = std::vector<uint8_t>(1 << 16);
  bool inputEnded = false;
  bool streamEnded = false;
  Inflater() { std::memset(&zs, 0, sizeof(zs)); }
  ~Inflater() { inflateEnd(&zs); }
};

InputFile::InputFile(const std::string &path, const std::string &what,
                     bool gunzip)
    : name(path), what(what) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
  // writer. It is cleared once the file is known to be a regular file.
  fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    fail("cannot open {}'{}': {}", what, path, std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    fail("cannot read {}'{}': {}", what, path, std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    fail("cannot read {}'{}': it is {}, not a regular file", what, path,
         fileKind(st.st_mode));
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  size = static_cast<uint64_t>(st.st_size);
  if (!gunzip)
    return;
  pending.resize(2);
  pending.resize(readRawInput(pending.data(), 2));
  if (pending.size() == 2 && pending[0] == 0x1F && pending[1] == 0x8B) {
    gzip = true;
    inflater = std::make_unique<Inflater>();
    // 16 + MAX_WBITS: expect a gzip header and check the CRC and length.
    if (inflateInit2(&inflater->zs, 16 + MAX_WBITS) != Z_OK)
      fail("cannot initialise zlib to read '{}'", path);
    std::memcpy(inflater->in.data(), pending.data(), 2);
    inflater->zs.next_in = inflater->in.data();
    inflater->zs.avail_in = 2;
    pending.clear();
  }
}

InputFile::~InputFile() {
  if (fd >= 0)
    ::close(fd);
}

size_t InputFile::readRawInput(uint8_t *dst, size_t cap) {
  while (true) {
    ssize_t got = ::read(fd, dst, cap);
    if (got >= 0)
      return static_cast<size_t>(got);
    if (errno != EINTR)
      fail("cannot read {}'{}': {}", what, name, std::strerror(errno));
  }
}

size_t InputFile::inflateSome(uint8_t *dst, size_t cap) {
  Inflater &z = *inflater;
  while (true) {
    if (z.zs.avail_in == 0 && !z.inputEnded) {
      size_t got = readRawInput(z.in.data(), z.in.size());
      z.zs.next_in = z.in.data();
      z.zs.avail_in = static_cast<uInt>(got);
      z.inputEnded = got == 0;
    }
    if (z.streamEnded) {
      if (z.zs.avail_in == 0 && z.inputEnded)
        return 0;
      // Another gzip member follows.
      if (inflateReset(&z.zs) != Z_OK)
        fail("'{}' is not a valid gzip file: cannot reset zlib", name);
      z.streamEnded = false;
    }
    z.zs.next_out = dst;
    z.zs.avail_out = static_cast<uInt>(cap);
    int status = inflate(&z.zs, Z_NO_FLUSH);
    size_t produced = cap - z.zs.avail_out;
    if (status == Z_STREAM_END)
      z.streamEnded = true;
    else if (status == Z_BUF_ERROR || (status == Z_OK && produced == 0)) {
      if (z.zs.avail_in == 0 && z.inputEnded)
        fail("'{}' is truncated: the gzip stream ends early", name);
    } else if (status != Z_OK) {
      std::string why = z.zs.msg ? z.zs.msg : zError(status);
      fail("'{}' is not a valid gzip file: {}", name, why);
    }
    if (produced > 0)
      return produced;
  }
}

size_t InputFile::readSome(uint8_t *dst, size_t cap) {
  if (!pending.empty()) {
    size_t n = std::min(cap, pending.size());
    std::memcpy(dst, pending.data(), n);
    pending.erase(pending.begin(), pending.begin() + n);
    return n;
  }
  return gzip ? inflateSome(dst, cap) : readRawInput(dst, cap);
}

void InputFile::read(std::vector<uint8_t> &out, uint64_t n) {
  while (n > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, 1 << 20));
    size_t have = out.size();
    out.resize(have + chunk);
    size_t got = readSome(out.data() + have, chunk);
    out.resize(have + got);
    if (got == 0)
      return;
    n -= got;
  }
}

void InputFile::readAll(std::vector<uint8_t> &out, uint64_t limit) {
  if (!gzip && size <= limit)
    out.reserve(static_cast<size_t>(size));
  while (true) {
    if (out.size() > limit)
      fail("'{}' {} more than {} bytes{}", name,
           gzip ? "inflates to" : "holds", limit,
           gzip ? " (a gzip bomb?); decompress it first" : "");
    size_t before = out.size();
    read(out, std::min<uint64_t>(limit + 1 - out.size(), 1 << 20));
    if (out.size() == before)
      return;
  }
}

bool InputFile::atEnd() {
  uint8_t byte;
  return readSome(&byte, 1) == 0;
}

std::vector<uint8_t> readFileMaybeGzip(const std::string &path,
                                       uint64_t maxInflated) {
  InputFile file(path, "", true);
  std::vector<uint8_t> bytes;
  file.readAll(bytes, file.isGzip() ? maxInflated : UINT64_MAX - 1);
  return bytes;
}

static size_t elementBytes(IdxType type) {
  switch (type) {
  case IdxType::UInt8:
  case IdxType::Int8:
    return 1;
  case IdxType::Int16:
    return 2;
  case IdxType::Int32:
  case IdxType::Float32:
    return 4;
  case IdxType::Float64:
    return 8;
  }
  return 0;
}

static bool isKnownType(uint8_t code) {
  return code == 0x08 || code == 0x09 || code == 0x0B || code == 0x0C ||
         code == 0x0D || code == 0x0E;
}

/// Reads a big-endian unsigned integer of `n` bytes.
static uint64_t readBE(const uint8_t *p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v = (v << 8) | p[i];
  return v;
}

static double decode(IdxType type, const uint8_t *p) {
  switch (type) {
  case IdxType::UInt8:
    return p[0];
  case IdxType::Int8:
    return static_cast<int8_t>(p[0]);
  case IdxType::Int16:
    return static_cast<int16_t>(readBE(p, 2));
  case IdxType::Int32:
    return static_cast<int32_t>(readBE(p, 4));
  case IdxType::Float32: {
    uint32_t bits = static_cast<uint32_t>(readBE(p, 4));
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  case IdxType::Float64: {
    uint64_t bits = readBE(p, 8);
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  }
  }
  return 0;
}

IdxArray parseIdx(std::vector<uint8_t> bytes, const std::string &name) {
  if (bytes.size() < 4)
    fail("'{}' is not an idx file: only {} bytes, too short for the 4-byte "
         "magic",
         name, bytes.size());
  if (bytes[0] != 0 || bytes[1] != 0)
    fail("'{}' is not an idx file: bad magic {:02x} {:02x} {:02x} {:02x} "
         "(expected 00 00 <type> <rank>)",
         name, bytes[0], bytes[1], bytes[2], bytes[3]);
  if (!isKnownType(bytes[2]))
    fail("'{}' has an unknown idx element type code 0x{:02x}", name, bytes[2]);
  unsigned rank = bytes[3];
  if (rank < 1 || rank > 8)
    fail("'{}' has an unsupported idx rank {} (expected 1..8)", name, rank);
  size_t headerBytes = 4 + 4 * size_t(rank);
  if (bytes.size() < headerBytes)
    fail("'{}' is truncated: {} bytes, the header of a rank-{} idx file needs "
         "{}",
         name, bytes.size(), rank, headerBytes);

  IdxArray array;
  array.type = static_cast<IdxType>(bytes[2]);
  uint64_t count = 1;
  for (unsigned i = 0; i < rank; ++i) {
    uint64_t dim = readBE(&bytes[4 + 4 * i], 4);
    if (dim == 0)
      fail("'{}' has an empty dimension {} (size 0)", name, i);
    array.dims.push_back(dim);
    count *= dim;
    if (count > (uint64_t(1) << 40))
      fail("'{}' declares an implausibly large array", name);
  }
  size_t elem = elementBytes(array.type);
  uint64_t expected = headerBytes + count * elem;
  if (bytes.size() < expected)
    fail("'{}' is truncated: the header declares {} elements ({} bytes in "
         "all) but the file has {} bytes",
         name, count, expected, bytes.size());
  if (bytes.size() > expected)
    fail("'{}' is corrupt: {} trailing bytes after the {} declared elements",
         name, bytes.size() - expected, count);

  array.payloadOffset = headerBytes;
  array.bytes = std::move(bytes);
  return array;
}

double IdxArray::at(uint64_t i) const {
  const uint8_t *p = bytes.data() + payloadOffset;
  if (type == IdxType::UInt8)
    return p[i];
  return decode(type, p + i * elementBytes(type));
}

IdxArray loadIdx(const std::string &path) {
  InputFile file(path, "", true);
  std::vector<uint8_t> bytes;
  file.read(bytes, 4);
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0 ||
      !isKnownType(bytes[2]) || bytes[3] < 1 || bytes[3] > 8)
    return parseIdx(std::move(bytes), path); // reports what is wrong
  size_t headerBytes = 4 + 4 * size_t(bytes[3]);
  file.read(bytes, headerBytes - 4);
  if (bytes.size() < headerBytes)
    return parseIdx(std::move(bytes), path);
  // The header says how long the file is: read that much and no more.
  uint64_t count = 1;
  for (size_t i = 4; i < headerBytes; i += 4) {
    uint64_t dim = readBE(&bytes[i], 4);
    if (dim == 0 || (count *= dim) > (uint64_t(1) << 40))
      return parseIdx(std::move(bytes), path);
  }
  uint64_t expected =
      headerBytes + count * elementBytes(static_cast<IdxType>(bytes[2]));
  if (!file.isGzip() && file.fileSize() > expected)
    fail("'{}' is corrupt: {} trailing bytes after the {} declared elements",
         path, file.fileSize() - expected, count);
  file.read(bytes, expected - bytes.size());
  if (bytes.size() == expected && !file.atEnd())
    fail("'{}' inflates to more than the {} bytes its idx header declares "
         "(trailing data, or a gzip bomb)",
         path, expected);
  return parseIdx(std::move(bytes), path);
}

} // namespace dlrt
