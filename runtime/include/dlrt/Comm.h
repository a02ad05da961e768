//===- Comm.h - The ranks of a data-parallel run ----------------*- C++ -*-===//
//
// The one interface through which the runtime talks to the other processes
// of a data-parallel run (`mpirun -np N ./train`, a trainer built with
// `dlc --mpi`). libdlrt holds the single-process communicator (rank 0 of 1,
// every reduction the identity); libdlrt_mpi.a (runtime/mpi/MpiComm.cpp, the
// only file that includes mpi.h) implements it with MPI and installs it in
// dlrt_mpi_main before dlrt_main runs. A trainer built without --mpi links
// no MPI at all.
//
// Also here: the pure arithmetic of data parallelism that does not need MPI
// (the shard of a batch each rank takes, the packing of gradients into one
// buffer), so that it is unit-tested without processes.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_COMM_H
#define DLRT_COMM_H

#include "dlrt/Model.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dlrt {

/// The processes of a run, numbered 0 .. size() - 1.
class Comm {
public:
  virtual ~Comm() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// "one process", "OpenMPI 4.1.4, 2 ranks", ... for messages.
  virtual std::string describe() const = 0;
  /// Replaces `data[0..count)` on every rank by its sum over the ranks.
  virtual void allreduceSum(float *data, size_t count) = 0;
  virtual void allreduceSum(double *data, size_t count) = 0;
  /// Replaces `data[0..count)` on every rank by its maximum over the ranks.
  virtual void allreduceMax(double *data, size_t count) = 0;
  /// Ends every rank of the run now with exit status `status` (MPI_Abort);
  /// a single process just exits.
  [[noreturn]] virtual void abort(int status) = 0;

  /// Whether `flag` holds on some rank (every rank gets the same answer).
  bool any(bool flag);
  /// Whether `value` is the same on every rank (exactly, as bits).
  bool same(uint64_t value);
};

/// The communicator of this process: the single-process one unless
/// dlrt_mpi_main installed another.
Comm &comm();
/// Installs `c` (owned by the caller, alive until dlrt_main returns);
/// nullptr restores the single-process communicator.
void setComm(Comm *c);

/// The samples [begin, end) of a batch of `n` that rank `rank` of `size`
/// takes: contiguous, in rank order, sizes differing by at most one (the
/// first n % size ranks take one more). A rank's shard is empty when
/// n < size.
struct Shard {
  int64_t begin = 0, end = 0;
  int64_t size() const { return end - begin; }
};
Shard shardOf(int64_t n, int rank, int size);

/// The buffer of one data-parallel step's allreduce: every trainable
/// parameter's gradient scaled by the rank's share of the batch (n_r / n:
/// the step's gradient is the mean over the rank's n_r samples, so the sum
/// over the ranks is the mean over the batch, the single-process
/// gradient), then the change of every buffer (batch-norm running
/// statistics) the rank's step made, scaled the same way (their sum is the
/// change of the mean over the ranks: the running mean of the whole batch's
/// mean), then the rank's loss times n_r and its stop request. One
/// contiguous buffer, one MPI_Allreduce.
class GradientPacker {
public:
  explicit GradientPacker(ModelState &state);

  /// Before the rank's gradient step: remembers the buffers' values.
  void rememberBuffers();
  /// After it: packs the gradients (and buffer changes) times `weight`, the
  /// loss sum and the stop flag. A rank with an empty shard calls it with
  /// `ran` false: it contributes zeros (and its stop flag).
  void pack(bool ran, float weight, double lossSum, bool stop);
  /// After the allreduce: the summed gradients into the gradient scratch,
  /// the buffers their remembered values plus the summed changes; returns
  /// the loss summed over the ranks and sets `stop` when a rank asked.
  double unpack(bool *stop);

  float *data() { return buffer.data(); }
  size_t size() const { return buffer.size(); }

private:
  ModelState &state;
  std::vector<int32_t> trainable, buffers;
  std::vector<size_t> sizes;
  std::vector<float> buffer;
  std::vector<float> before;
};

/// A 64-bit FNV-1a hash of every parameter, buffer and optimiser state
/// value (their bits): equal on two ranks iff their replicas are (barring
/// collisions). For --check-replicas.
uint64_t stateChecksum(ModelState &state);

} // namespace dlrt

#endif // DLRT_COMM_H
