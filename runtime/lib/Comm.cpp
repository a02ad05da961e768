//===- Comm.cpp - The single-process communicator and shard arithmetic ----===//
//
// See Comm.h. The MPI communicator is runtime/mpi/MpiComm.cpp.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Comm.h"

#include <cstdlib>
#include <cstring>

namespace dlrt {

namespace {

/// One process: rank 0 of 1; a reduction over one rank is the identity.
class SingleComm final : public Comm {
public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string describe() const override { return "one process"; }
  void allreduceSum(float *, size_t) override {}
  void allreduceSum(double *, size_t) override {}
  void allreduceMax(double *, size_t) override {}
  [[noreturn]] void abort(int status) override { std::exit(status); }
};

SingleComm single;
Comm *current = &single;

} // namespace

Comm &comm() { return *current; }

void setComm(Comm *c) { current = c ? c : &single; }

bool Comm::any(bool flag) {
  double v = flag ? 1.0 : 0.0;
  allreduceMax(&v, 1);
  return v > 0;
}

bool Comm::same(uint64_t value) {
  // The two 32-bit halves and their negations as doubles (exact): the
  // maxima of both are the maximum and minus the minimum of each half.
  double v[4] = {double(value >> 32), double(value & 0xffffffffu),
                 -double(value >> 32), -double(value & 0xffffffffu)};
  allreduceMax(v, 4);
  return v[0] == -v[2] && v[1] == -v[3];
}

Shard shardOf(int64_t n, int rank, int size) {
  if (size < 1 || rank < 0 || rank >= size || n <= 0)
    return {};
  int64_t base = n / size, extra = n % size;
  Shard s;
  s.begin = rank * base + std::min<int64_t>(rank, extra);
  s.end = s.begin + base + (rank < extra ? 1 : 0);
  return s;
}

GradientPacker::GradientPacker(ModelState &state) : state(state) {
  const dlrt_model_desc &desc = state.desc();
  size_t total = 0;
  for (int32_t p = 0; p < desc.num_params; ++p) {
    if (desc.params[p].trainable)
      trainable.push_back(p);
    // A frozen parameter is neither trained nor written by any step.
    else if (!desc.params[p].frozen)
      buffers.push_back(p);
  }
  for (int32_t p : trainable)
    total += state.numValues(p);
  size_t bufferValues = 0;
  for (int32_t p : buffers)
    bufferValues += state.numValues(p);
  buffer.assign(total + bufferValues + 2, 0.0f);
  before.assign(bufferValues, 0.0f);
}

void GradientPacker::rememberBuffers() {
  size_t at = 0;
  for (int32_t p : buffers) {
    size_t n = state.numValues(p);
    std::memcpy(before.data() + at, state.param(p), n * sizeof(float));
    at += n;
  }
}

void GradientPacker::pack(bool ran, float weight, double lossSum, bool stop) {
  float *out = buffer.data();
  if (!ran) {
    std::fill(buffer.begin(), buffer.end() - 1, 0.0f);
  } else {
    for (int32_t p : trainable) {
      const float *g = state.grad(p);
      size_t n = state.numValues(p);
      for (size_t i = 0; i < n; ++i)
        out[i] = g[i] * weight;
      out += n;
    }
    const float *old = before.data();
    for (int32_t p : buffers) {
      const float *b = state.param(p);
      size_t n = state.numValues(p);
      for (size_t i = 0; i < n; ++i)
        out[i] = (b[i] - old[i]) * weight;
      out += n;
      old += n;
    }
    buffer[buffer.size() - 2] = float(lossSum);
  }
  buffer.back() = stop ? 1.0f : 0.0f;
}

double GradientPacker::unpack(bool *stop) {
  const float *in = buffer.data();
  for (int32_t p : trainable) {
    size_t n = state.numValues(p);
    std::memcpy(state.grad(p), in, n * sizeof(float));
    in += n;
  }
  const float *old = before.data();
  for (int32_t p : buffers) {
    float *b = state.param(p);
    size_t n = state.numValues(p);
    for (size_t i = 0; i < n; ++i)
      b[i] = old[i] + in[i];
    in += n;
    old += n;
  }
  if (stop)
    *stop = buffer.back() > 0;
  return double(buffer[buffer.size() - 2]);
}

uint64_t stateChecksum(ModelState &state) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const float *data, size_t n) {
    const unsigned char *bytes = reinterpret_cast<const unsigned char *>(data);
    for (size_t i = 0; i < n * sizeof(float); ++i) {
      h ^= bytes[i];
      h *= 1099511628211ull;
    }
  };
  for (int32_t p = 0; p < state.numParams(); ++p) {
    mix(state.param(p), state.numValues(p));
    for (int32_t s = 0; s < state.numSlots(); ++s)
      mix(state.optState(s, p), state.optStateValues(s, p));
  }
  return h;
}

} // namespace dlrt
