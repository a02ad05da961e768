//===- MpiComm.cpp - The MPI communicator and dlrt_mpi_main ---------------===//
//
// libdlrt_mpi.a: the only code of the runtime that calls MPI. A trainer
// built with `dlc --mpi` has a `main` that calls dlrt_mpi_main, which starts
// MPI, installs MpiComm as the runtime's communicator (dlrt/Comm.h) and runs
// dlrt_main as one rank of MPI_COMM_WORLD.
//
// Failure: MPI's default error handler on MPI_COMM_WORLD aborts the job on
// any MPI error; dlrt_main returning an error status (an exception on this
// rank: a missing data file, a bad flag, a failed step) makes this rank call
// MPI_Abort, which ends every rank, so that none waits forever in a
// collective for it. A rank killed outright (kill -9) is seen by mpirun,
// which then terminates the others. Only a status every rank agrees on (0,
// or 130 after an interrupt that the ranks decided on together) ends with
// MPI_Finalize.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Comm.h"
#include "dlrt/dlrt.h"

// The C API only: without these, OpenMPI's mpi.h in a C++ file pulls in
// its deprecated C++ bindings (libmpi_cxx), which are not linked.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <limits>

namespace {

class MpiComm final : public dlrt::Comm {
public:
  MpiComm() {
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    MPI_Comm_size(MPI_COMM_WORLD, &n);
  }
  int rank() const override { return r; }
  int size() const override { return n; }
  std::string describe() const override {
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    std::string v(version, length);
    // "Open MPI v4.1.4, package: ..." -> its first part.
    size_t comma = v.find(',');
    if (comma != std::string::npos)
      v.resize(comma);
    while (!v.empty() && (v.back() == '\n' || v.back() == ' '))
      v.pop_back();
    return fmt::format("{}, {} rank{}", v, n, n == 1 ? "" : "s");
  }
  void allreduceSum(float *data, size_t count) override {
    reduce(data, count, MPI_FLOAT, MPI_SUM);
  }
  void allreduceSum(double *data, size_t count) override {
    reduce(data, count, MPI_DOUBLE, MPI_SUM);
  }
  void allreduceMax(double *data, size_t count) override {
    reduce(data, count, MPI_DOUBLE, MPI_MAX);
  }
  [[noreturn]] void abort(int status) override {
    std::fflush(stdout);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, status);
    std::_Exit(status); // MPI_Abort does not return
  }

private:
  void reduce(void *data, size_t count, MPI_Datatype type, MPI_Op op) {
    // MPI counts are ints: large buffers go in pieces.
    const size_t chunk = size_t(std::numeric_limits<int>::max() / 2);
    size_t elementSize = type == MPI_FLOAT ? sizeof(float) : sizeof(double);
    char *bytes = static_cast<char *>(data);
    for (size_t done = 0; done < count; done += chunk) {
      int part = int(std::min(chunk, count - done));
      MPI_Allreduce(MPI_IN_PLACE, bytes + done * elementSize, part, type, op,
                    MPI_COMM_WORLD);
    }
  }
  int r = 0, n = 1;
};

} // namespace

extern "C" int dlrt_mpi_main(int argc, char **argv,
                             const dlrt_model_desc *model) {
  if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
    std::fprintf(stderr, "error: MPI_Init failed\n");
    return 1;
  }
  int rc;
  {
    MpiComm world;
    dlrt::setComm(&world);
    rc = dlrt_main(argc, argv, model);
    dlrt::setComm(nullptr);
    // Every rank ends with the status of its own dlrt_main; a failure of
    // one rank must not leave the others in a collective.
    if (rc != 0 && rc != 130 && world.size() > 1) {
      std::fflush(stdout);
      std::fprintf(stderr,
                   "error: rank %d of %d failed (exit status %d); stopping "
                   "every rank\n",
                   world.rank(), world.size(), rc);
      world.abort(rc);
    }
  }
  MPI_Finalize();
  return rc;
}
