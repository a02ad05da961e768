//===- Idx.cpp - idx file reader ------------------------------------------===//
//
// File reading (with zlib for gzip) and idx validation; see Idx.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Idx.h"
#include "dlrt/Error.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace dlrt {

static std::vector<uint8_t> readRaw(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail("cannot open '{}': {}", path, std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad())
    fail("cannot read '{}'", path);
  return bytes;
}

/// Inflates a gzip stream (possibly several concatenated members).
static std::vector<uint8_t> gunzip(const std::vector<uint8_t> &in,
                                   const std::string &path) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  // 16 + MAX_WBITS: expect a gzip header and check the CRC and length.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
    fail("cannot initialise zlib to read '{}'", path);
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(1 << 20);
  zs.next_in = const_cast<Bytef *>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  int status = Z_OK;
  while (true) {
    zs.next_out = chunk.data();
    zs.avail_out = static_cast<uInt>(chunk.size());
    status = inflate(&zs, Z_NO_FLUSH);
    out.insert(out.end(), chunk.data(),
               chunk.data() + (chunk.size() - zs.avail_out));
    if (status == Z_STREAM_END) {
      if (zs.avail_in == 0)
        break;
      // Another gzip member follows.
      if (inflateReset(&zs) != Z_OK)
        break;
      continue;
    }
    if (status != Z_OK) {
      std::string why = zs.msg ? zs.msg : zError(status);
      inflateEnd(&zs);
      fail("'{}' is not a valid gzip file: {}", path, why);
    }
    if (zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      fail("'{}' is truncated: the gzip stream ends early", path);
    }
  }
  inflateEnd(&zs);
  return out;
}

std::vector<uint8_t> readFileMaybeGzip(const std::string &path) {
  std::vector<uint8_t> bytes = readRaw(path);
  if (bytes.size() >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B)
    return gunzip(bytes, path);
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
  return parseIdx(readFileMaybeGzip(path), path);
}

} // namespace dlrt
