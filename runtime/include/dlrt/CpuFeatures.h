//===- CpuFeatures.h - The x86 features this CPU really has -----*- C++ -*-===//
//
// One probe of the CPU, shared by the compiler (which builds the Halide
// target of `--target=host` from it) and the trainer (which checks at
// start-up that the CPU it runs on has every feature its kernels were
// compiled for). A feature counts only when the CPU reports it (cpuid) and
// the operating system saves the registers it needs (xgetbv): AVX needs the
// YMM state, AVX-512 the opmask and ZMM state, which some hypervisors hide
// while cpuid still reports the instructions. Header-only so that the
// runtime library stays free of compiler code and vice versa.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_CPUFEATURES_H
#define DLRT_CPUFEATURES_H

#include <set>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace dlrt {

/// The features of this CPU by lower-case name: sse2, sse4.1, sse4.2,
/// popcnt, movbe, avx, fma, f16c, bmi, bmi2, lzcnt, avx2, avx512f,
/// avx512dq, avx512ifma, avx512cd, avx512bw, avx512vl, avx512vbmi,
/// avx512vnni, avx512fp16, avxvnni, avx512bf16. Empty on other
/// architectures.
inline std::set<std::string> hostCpuFeatures() {
  std::set<std::string> has;
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d))
    return has;
  auto bit = [](unsigned reg, int n) { return ((reg >> n) & 1u) != 0; };
  auto add = [&](bool present, const char *name) {
    if (present)
      has.insert(name);
  };
  add(bit(d, 26), "sse2");
  add(bit(c, 19), "sse4.1");
  add(bit(c, 20), "sse4.2");
  add(bit(c, 23), "popcnt");
  add(bit(c, 22), "movbe");
  unsigned long long xcr0 = 0;
  if (bit(c, 27)) { // OSXSAVE: xgetbv is available
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (static_cast<unsigned long long>(hi) << 32) | lo;
  }
  const bool ymm = (xcr0 & 0x6) == 0x6;   // XMM and YMM state
  const bool zmm = (xcr0 & 0xe6) == 0xe6; // + opmask, ZMM_Hi256, Hi16_ZMM
  add(ymm && bit(c, 28), "avx");
  add(ymm && bit(c, 12), "fma");
  add(ymm && bit(c, 29), "f16c");
  unsigned maxLeaf = __get_cpuid_max(0, nullptr);
  if (maxLeaf >= 7) {
    unsigned a7 = 0, b7 = 0, c7 = 0, d7 = 0;
    __cpuid_count(7, 0, a7, b7, c7, d7);
    add(bit(b7, 3), "bmi");
    add(bit(b7, 8), "bmi2");
    add(ymm && bit(b7, 5), "avx2");
    add(zmm && bit(b7, 16), "avx512f");
    add(zmm && bit(b7, 17), "avx512dq");
    add(zmm && bit(b7, 21), "avx512ifma");
    add(zmm && bit(b7, 28), "avx512cd");
    add(zmm && bit(b7, 30), "avx512bw");
    add(zmm && bit(b7, 31), "avx512vl");
    add(zmm && bit(c7, 1), "avx512vbmi");
    add(zmm && bit(c7, 11), "avx512vnni");
    add(zmm && bit(d7, 23), "avx512fp16");
    if (a7 >= 1) {
      unsigned a71 = 0, b71 = 0, c71 = 0, d71 = 0;
      __cpuid_count(7, 1, a71, b71, c71, d71);
      add(ymm && bit(a71, 4), "avxvnni");
      add(zmm && bit(a71, 5), "avx512bf16");
    }
  }
  if (__get_cpuid(0x80000001, &a, &b, &c, &d))
    add(bit(c, 5), "lzcnt");
#endif
  return has;
}

} // namespace dlrt

#endif // DLRT_CPUFEATURES_H
