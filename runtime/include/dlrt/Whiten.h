//===- Whiten.h - PCA and ZCA whitening (LAPACK, BLAS) ----------*- C++ -*-===//
//
// The linear algebra of normalize = pca_whiten | zca_whiten (Prep.h): the
// covariance of the training samples, its eigendecomposition and the
// whitening matrix, and the matrix applied to a batch. The eigensolver is
// LAPACK's dsyevd (through LAPACKE) and the products are BLAS (dsyrk,
// sgemm), both from Debian's OpenBLAS (the serial build: no thread pool of
// its own beside the kernels', and results that do not depend on the thread
// count); nothing of the numerics is written by hand.
//
// The static OpenBLAS archive adds ~25 MB to an executable (kernels for
// every x86 CPU), so only trainers that whiten carry it: the functions
// below are weak references, which do not pull Whiten.o (and with it BLAS
// and LAPACK) out of libdlrt.a; dlc links a trainer whose normalize is a
// whitening with -Wl,--undefined=dlrt_whitening_linked, which does.
// whiteningLinked() says whether they are there.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_WHITEN_H
#define DLRT_WHITEN_H

#include <cstdint>
#include <functional>
#include <vector>

extern "C" {
/// Defined in Whiten.cpp; the symbol that pulls it into an executable.
extern const int dlrt_whitening_linked __attribute__((weak));
}

namespace dlrt {

/// Whether this executable has the whitening functions (see above).
inline bool whiteningLinked() { return &dlrt_whitening_linked != nullptr; }

/// The mean and population covariance (divided by the count) of `count`
/// samples of `d` features, in double precision; `sample(i, row)` writes
/// sample i (0 <= i < count) into `row` (d values). The covariance is
/// d x d, row-major, both triangles filled.
__attribute__((weak)) void
meanAndCovariance(int64_t count, int64_t d,
                  const std::function<void(int64_t, double *)> &sample,
                  std::vector<double> &mean, std::vector<double> &covariance);

/// The whitening matrix W (d x d, row-major) of a covariance C = U diag(l)
/// U^T: PCA (zca false) W = diag(1 / sqrt(l + eps)) U^T, rows ordered by
/// decreasing eigenvalue; ZCA W = U diag(1 / sqrt(l + eps)) U^T
/// (symmetric). Eigenvalues below 0 (rounding) count as 0. `eigenvalues`,
/// if not null, receives them in the order of W's rows (PCA: decreasing).
__attribute__((weak)) std::vector<float>
whiteningMatrix(const std::vector<double> &covariance, int64_t d, double eps,
                bool zca, std::vector<double> *eigenvalues = nullptr);

/// x[i] <- W (x[i] - mean) for the `n` rows of x (d values each), as one
/// matrix product; `scratch` is resized to n * d values.
__attribute__((weak)) void whitenRows(const std::vector<float> &w,
                                      const std::vector<float> &mean, float *x,
                                      int64_t n, int64_t d,
                                      std::vector<float> &scratch);

} // namespace dlrt

#endif // DLRT_WHITEN_H
