//===- Random.h - Deterministic random numbers ------------------*- C++ -*-===//
//
// Our own PRNG, so that results are a function of --seed alone and never of
// the C++ standard library's distributions. SplitMix64 derives independent
// seeds (one stream per purpose: a parameter's initialisation, the
// validation split, the shuffle of epoch e, the dropout seed of step s);
// xoshiro256** generates the numbers of a stream. Because every stream is a
// pure function of (seed, purpose, index), resuming needs no generator state.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_RANDOM_H
#define DLRT_RANDOM_H

#include <cstdint>
#include <string_view>
#include <vector>

namespace dlrt {

/// One step of SplitMix64: advances `state` and returns a well-mixed value.
uint64_t splitmix64(uint64_t &state);

/// A 64-bit FNV-1a hash of `text`, used to key streams by name.
uint64_t hashName(std::string_view text);

/// Derives the seed of stream (`purpose`, `index`) of run seed `seed`.
uint64_t deriveSeed(uint64_t seed, std::string_view purpose, uint64_t index);

/// xoshiro256** 1.0 (Blackman and Vigna), seeded through SplitMix64.
class Rng {
public:
  explicit Rng(uint64_t seed);

  /// The next 64 random bits.
  uint64_t next();
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform();
  /// Uniform double in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [0, bound), without modulo bias; bound > 0.
  uint64_t below(uint64_t bound);
  /// Standard normal deviate (Box-Muller; both values of a pair are used).
  double normal();

private:
  uint64_t s[4];
  bool hasSpare = false;
  double spare = 0;
};

/// Shuffles `items` in place with Fisher-Yates driven by `rng`.
template <typename T> void shuffle(std::vector<T> &items, Rng &rng) {
  for (size_t i = items.size(); i > 1; --i) {
    size_t j = static_cast<size_t>(rng.below(i));
    std::swap(items[i - 1], items[j]);
  }
}

} // namespace dlrt

#endif // DLRT_RANDOM_H
