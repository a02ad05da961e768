//===- TestUtil.h - Helpers of the libdlrt unit tests -----------*- C++ -*-===//
//
// Temporary files and idx/gzip builders shared by the unit tests.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_UNITTESTS_TESTUTIL_H
#define DLRT_UNITTESTS_TESTUTIL_H

#include "dlrt/Error.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace dlrt::test {

/// A fresh temporary directory, removed (with its files) at destruction.
class TempDir {
public:
  TempDir() {
    char name[] = "/tmp/dlrt-test-XXXXXX";
    path = ::mkdtemp(name);
  }
  ~TempDir() {
    std::string command = "rm -rf '" + path + "'";
    if (std::system(command.c_str()) != 0)
      std::fprintf(stderr, "cannot remove %s\n", path.c_str());
  }
  std::string file(const std::string &name) const { return path + "/" + name; }
  std::string path;
};

inline void writeBytes(const std::string &path,
                       const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
}

/// An idx image: magic 00 00 type rank, big-endian dims, then `payload`.
inline std::vector<uint8_t> makeIdx(uint8_t type,
                                    const std::vector<uint32_t> &dims,
                                    const std::vector<uint8_t> &payload) {
  std::vector<uint8_t> bytes = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes.push_back(static_cast<uint8_t>(d >> shift));
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  return bytes;
}

/// Writes `bytes` gzip-compressed to `path`.
inline void writeGzip(const std::string &path,
                      const std::vector<uint8_t> &bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  gzclose(file);
}

inline std::vector<uint8_t> readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

/// Expects `statement` to throw dlrt::Error whose message contains `part`.
#define EXPECT_DLRT_ERROR(statement, part)                                     \
  do {                                                                         \
    try {                                                                      \
      statement;                                                               \
      ADD_FAILURE() << "no error thrown by " #statement;                       \
    } catch (const dlrt::Error &e) {                                           \
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)           \
          << "message: " << e.what();                                          \
    }                                                                          \
  } while (0)

} // namespace dlrt::test

#endif // DLRT_UNITTESTS_TESTUTIL_H
