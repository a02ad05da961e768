//===- Random.h - Counter-based RNG of the nn dialect -----------*- C++ -*-===//
//
// The random number generator that defines nn.dropout, nn.init_uniform and
// nn.init_normal: sample `i` of a tensor is a pure function of the seed and
// `i` (SplitMix64 of a mixed counter), so the evaluator, the generated
// kernels and the runtime agree bit for bit without sharing RNG state.
// Header-only and dependency-free so that any back end can include it.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_EVAL_RANDOM_H
#define DLC_DIALECT_NN_EVAL_RANDOM_H

#include <cmath>
#include <cstdint>

namespace dlc::nn::random {

/// SplitMix64 finaliser: a bijective mix of 64 bits.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// 64 random bits for element `index` of stream `seed`.
inline uint64_t bits(uint64_t seed, uint64_t index) {
  return mix64(mix64(seed + 0x9e3779b97f4a7c15ULL) ^
               (index * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL));
}

/// Uniform double in [0, 1) with 53 random bits.
inline double uniform(uint64_t seed, uint64_t index) {
  return static_cast<double>(bits(seed, index) >> 11) * 0x1.0p-53;
}

/// Standard normal sample for element `index` (Box-Muller on the uniforms of
/// the counters 2*index and 2*index+1).
inline double normal(uint64_t seed, uint64_t index) {
  double u1 = 1.0 - uniform(seed, 2 * index); // (0, 1]: log is finite
  double u2 = uniform(seed, 2 * index + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

} // namespace dlc::nn::random

#endif // DLC_DIALECT_NN_EVAL_RANDOM_H
