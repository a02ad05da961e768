//===- Random.cpp - Deterministic random numbers --------------------------===//
//
// SplitMix64, FNV-1a and xoshiro256**, written from their published
// definitions; see Random.h for how the streams are keyed.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Random.h"

#include <cmath>

namespace dlrt {

uint64_t splitmix64(uint64_t &state) {
  state += 0x9E3779B97F4A7C15ull;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t hashName(std::string_view text) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  return h;
}

uint64_t deriveSeed(uint64_t seed, std::string_view purpose, uint64_t index) {
  uint64_t state = seed ^ hashName(purpose);
  splitmix64(state);
  state ^= index * 0xD1B54A32D192ED03ull;
  return splitmix64(state);
}

static inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

Rng::Rng(uint64_t seed) {
  uint64_t state = seed;
  for (uint64_t &word : s)
    word = splitmix64(state);
}

uint64_t Rng::next() {
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double Rng::uniform() { return (next() >> 11) * 0x1.0p-53; }

uint64_t Rng::below(uint64_t bound) {
  // Rejection sampling on the top of the range removes the modulo bias.
  uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t r;
  do
    r = next();
  while (r >= limit);
  return r % bound;
}

double Rng::normal() {
  if (hasSpare) {
    hasSpare = false;
    return spare;
  }
  double u1;
  do
    u1 = uniform();
  while (u1 <= 0.0);
  double u2 = uniform();
  double radius = std::sqrt(-2.0 * std::log(u1));
  double angle = 2.0 * M_PI * u2;
  spare = radius * std::sin(angle);
  hasSpare = true;
  return radius * std::cos(angle);
}

} // namespace dlrt
