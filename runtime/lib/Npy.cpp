//===- Npy.cpp - NumPy .npy file reader -----------------------------------===//
//
// The .npy header is a Python dict literal; this file scans the three keys it
// needs rather than parsing Python. See Npy.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Npy.h"
#include "dlrt/Error.h"
#include "dlrt/Idx.h"
#include "dlrt/InputFile.h"

#include <cctype>
#include <cstring>

namespace dlrt {

double NpyArray::at(uint64_t i) const {
  const uint8_t *p = bytes.data() + payloadOffset + i * elementBytes;
  uint64_t raw = 0;
  for (int b = elementBytes - 1; b >= 0; --b)
    raw = (raw << 8) | p[b];
  if (kind == 'u')
    return static_cast<double>(raw);
  if (kind == 'i') {
    int shift = 64 - 8 * elementBytes;
    return static_cast<double>(static_cast<int64_t>(raw << shift) >> shift);
  }
  if (elementBytes == 4) {
    uint32_t bits = static_cast<uint32_t>(raw);
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  double d;
  std::memcpy(&d, &raw, 8);
  return d;
}

/// Returns the text after `'key':` in `header` (leading spaces skipped), or
/// throws if the key is absent.
static std::string valueOf(const std::string &header, const std::string &key,
                           const std::string &name) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    at = header.find("\"" + key + "\"");
  if (at == std::string::npos)
    fail("'{}' has a corrupt .npy header: no '{}' entry", name, key);
  size_t colon = header.find(':', at);
  if (colon == std::string::npos)
    fail("'{}' has a corrupt .npy header near '{}'", name, key);
  size_t start = colon + 1;
  while (start < header.size() && std::isspace(uint8_t(header[start])))
    ++start;
  return header.substr(start);
}

/// Largest .npy header accepted (NumPy's own reader refuses headers over
/// 10000 bytes unless told otherwise).
static constexpr size_t MaxNpyHeaderBytes = 1 << 20;

/// Validates the magic and header held at the start of `bytes` (which must
/// contain the whole header, else a "truncated" error) into `array`;
/// returns the size the whole file must have.
static uint64_t parseNpyHeader(const std::vector<uint8_t> &bytes,
                               const std::string &name, NpyArray &array) {
  static const uint8_t Magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (bytes.size() < 10 || std::memcmp(bytes.data(), Magic, 6) != 0)
    fail("'{}' is not a .npy file: bad magic", name);
  unsigned major = bytes[6];
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = bytes[8] | (size_t(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      fail("'{}' is truncated: no room for the .npy header length", name);
    headerLength = bytes[8] | (size_t(bytes[9]) << 8) |
                   (size_t(bytes[10]) << 16) | (size_t(bytes[11]) << 24);
    headerStart = 12;
  } else {
    fail("'{}' has an unsupported .npy version {}", name, major);
  }
  if (headerLength > MaxNpyHeaderBytes)
    fail("'{}' has an implausibly long .npy header ({} bytes)", name,
         headerLength);
  if (headerStart + headerLength > bytes.size())
    fail("'{}' is truncated: the .npy header needs {} bytes, the file has {}",
         name, headerStart + headerLength, bytes.size());
  std::string header(bytes.begin() + headerStart,
                     bytes.begin() + headerStart + headerLength);

  std::string descr = valueOf(header, "descr", name);
  if (descr.empty() || (descr[0] != '\'' && descr[0] != '"'))
    fail("'{}' has a corrupt .npy header: descr is not a string", name);
  size_t close = descr.find(descr[0], 1);
  if (close == std::string::npos || close < 3)
    fail("'{}' has a corrupt .npy header: bad descr", name);
  std::string type = descr.substr(1, close - 1);
  char order = type[0];
  array.kind = type[1];
  std::string width = type.substr(2);
  if (order == '>')
    fail("'{}' holds big-endian data ({}); only little-endian is supported",
         name, type);
  if ((order != '<' && order != '|' && order != '=') ||
      (array.kind != 'u' && array.kind != 'i' && array.kind != 'f') ||
      (width != "1" && width != "2" && width != "4" && width != "8") ||
      (array.kind == 'f' && width != "4" && width != "8"))
    fail("'{}' has an unsupported .npy dtype '{}' (expected an integer or "
         "float type such as <f4 or |u1)",
         name, type);
  array.elementBytes = width[0] - '0';

  if (valueOf(header, "fortran_order", name).rfind("False", 0) != 0)
    fail("'{}' is in Fortran order; only C order is supported", name);

  std::string shape = valueOf(header, "shape", name);
  if (shape.empty() || shape[0] != '(')
    fail("'{}' has a corrupt .npy header: shape is not a tuple", name);
  size_t end = shape.find(')');
  if (end == std::string::npos)
    fail("'{}' has a corrupt .npy header: unterminated shape", name);
  uint64_t count = 1;
  for (size_t i = 1; i < end;) {
    while (i < end && (shape[i] == ' ' || shape[i] == ','))
      ++i;
    if (i >= end)
      break;
    if (!std::isdigit(uint8_t(shape[i])))
      fail("'{}' has a corrupt .npy header: bad shape '{}'", name,
           shape.substr(0, end + 1));
    uint64_t dim = 0;
    while (i < end && std::isdigit(uint8_t(shape[i]))) {
      dim = dim * 10 + uint64_t(shape[i] - '0');
      if (dim > (uint64_t(1) << 40))
        fail("'{}' declares an implausibly large array", name);
      ++i;
    }
    array.dims.push_back(dim);
    count *= dim;
    if (count > (uint64_t(1) << 40))
      fail("'{}' declares an implausibly large array", name);
  }
  if (array.dims.empty())
    fail("'{}' holds a scalar; an array is expected", name);

  array.payloadOffset = headerStart + headerLength;
  array.shapeText = shape.substr(0, end + 1);
  return array.payloadOffset + count * array.elementBytes;
}

NpyArray parseNpy(std::vector<uint8_t> bytes, const std::string &name) {
  NpyArray array;
  uint64_t expected = parseNpyHeader(bytes, name, array);
  if (bytes.size() < expected)
    fail("'{}' is truncated: shape {} needs {} bytes in all but the file has "
         "{}",
         name, array.shapeText, expected, bytes.size());
  if (bytes.size() > expected)
    fail("'{}' is corrupt: {} trailing bytes after the data", name,
         bytes.size() - expected);
  array.bytes = std::move(bytes);
  return array;
}

NpyArray loadNpy(const std::string &path) {
  InputFile file(path, "", true);
  std::vector<uint8_t> bytes;
  // Magic, version and header length (2 or 4 bytes), then the header: it
  // says how long the file is, so no more than that is read or inflated.
  file.read(bytes, 10);
  if (bytes.size() == 10 && (bytes[6] == 2 || bytes[6] == 3))
    file.read(bytes, 2);
  size_t headerStart = bytes.size() == 12 ? 12 : 10;
  if (bytes.size() == headerStart) {
    uint64_t headerLength = bytes[8] | (uint64_t(bytes[9]) << 8);
    if (headerStart == 12)
      headerLength |= (uint64_t(bytes[10]) << 16) | (uint64_t(bytes[11]) << 24);
    if (headerLength <= MaxNpyHeaderBytes)
      file.read(bytes, headerLength);
  }
  NpyArray array;
  uint64_t expected = parseNpyHeader(bytes, path, array);
  if (!file.isGzip() && file.fileSize() > expected)
    fail("'{}' is corrupt: {} trailing bytes after the data", path,
         file.fileSize() - expected);
  file.read(bytes, expected - bytes.size());
  if (bytes.size() == expected && !file.atEnd())
    fail("'{}' inflates to more than the {} bytes its .npy header declares "
         "(trailing data, or a gzip bomb)",
         path, expected);
  return parseNpy(std::move(bytes), path);
}

std::vector<uint8_t> encodeNpyF32(const std::vector<int64_t> &shape,
                                  const std::vector<float> &values) {
  std::string dims;
  for (int64_t d : shape)
    dims += std::to_string(d) + ", ";
  if (shape.size() > 1)
    dims.resize(dims.size() - 2);
  else if (shape.size() == 1)
    dims.resize(dims.size() - 1); // "(n,)"
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       dims + "), }";
  // Magic (6) + version (2) + length (2) + header + '\n', a multiple of 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(uint8_t(header.size() & 0xff));
  out.push_back(uint8_t(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  for (float v : values) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    for (int b = 0; b < 4; ++b)
      out.push_back(uint8_t(bits >> (8 * b)));
  }
  return out;
}

} // namespace dlrt
