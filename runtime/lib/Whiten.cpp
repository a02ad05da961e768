//===- Whiten.cpp - PCA and ZCA whitening (LAPACK, BLAS) ------------------===//
//
// See Whiten.h. LAPACKE_dsyevd (divide and conquer) computes every
// eigenvalue and eigenvector of the d x d covariance; cblas_dsyrk
// accumulates the covariance over blocks of samples; cblas_sgemm applies
// the matrix to a whole batch.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Whiten.h"
#include "dlrt/Error.h"

#include <cblas.h>
#include <lapacke.h>

#include <algorithm>
#include <cmath>

extern "C" const int dlrt_whitening_linked = 1;

namespace dlrt {

void meanAndCovariance(int64_t count, int64_t d,
                       const std::function<void(int64_t, double *)> &sample,
                       std::vector<double> &mean,
                       std::vector<double> &covariance) {
  if (count < 1)
    fail("cannot compute a covariance of no samples");
  mean.assign(size_t(d), 0.0);
  std::vector<double> row(static_cast<size_t>(d));
  for (int64_t i = 0; i < count; ++i) {
    sample(i, row.data());
    for (int64_t j = 0; j < d; ++j)
      mean[j] += row[j];
  }
  for (double &m : mean)
    m /= double(count);
  // Centred blocks of samples, C += X^T X per block (upper triangle), in
  // double precision: two passes, so no cancellation for data far from 0.
  const int64_t block = 256;
  std::vector<double> x(size_t(block * d));
  covariance.assign(size_t(d * d), 0.0);
  for (int64_t start = 0; start < count; start += block) {
    int64_t m = std::min(block, count - start);
    for (int64_t i = 0; i < m; ++i) {
      double *r = x.data() + i * d;
      sample(start + i, r);
      for (int64_t j = 0; j < d; ++j)
        r[j] -= mean[j];
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, int(d), int(m), 1.0,
                x.data(), int(d), 1.0, covariance.data(), int(d));
  }
  for (int64_t r = 0; r < d; ++r)
    for (int64_t c = r; c < d; ++c) {
      double v = covariance[r * d + c] / double(count);
      covariance[r * d + c] = v;
      covariance[c * d + r] = v;
    }
}

std::vector<float> whiteningMatrix(const std::vector<double> &covariance,
                                   int64_t d, double eps, bool zca,
                                   std::vector<double> *eigenvalues) {
  if (!(eps > 0))
    fail("whitening needs eps > 0, got {}", eps);
  if (int64_t(covariance.size()) != d * d)
    fail("whitening: a covariance of {} values is not {} x {}",
         covariance.size(), d, d);
  // On return the columns of `u` are the eigenvectors, `lambda` ascending.
  std::vector<double> u = covariance, lambda(static_cast<size_t>(d));
  lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', lapack_int(d),
                                   u.data(), lapack_int(d), lambda.data());
  if (info != 0)
    fail("whitening: the eigendecomposition of the {} x {} covariance failed "
         "(LAPACK dsyevd info {})",
         d, d, int(info));
  std::vector<double> scale(static_cast<size_t>(d));
  for (int64_t k = 0; k < d; ++k)
    scale[k] = 1.0 / std::sqrt(std::max(lambda[k], 0.0) + eps);
  std::vector<float> w(size_t(d * d));
  if (zca) {
    // W = U S U^T: (U S) times U^T.
    std::vector<double> us(size_t(d * d)), out(size_t(d * d));
    for (int64_t j = 0; j < d; ++j)
      for (int64_t k = 0; k < d; ++k)
        us[j * d + k] = u[j * d + k] * scale[k];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(d), int(d), int(d),
                1.0, us.data(), int(d), u.data(), int(d), 0.0, out.data(),
                int(d));
    // Symmetric up to rounding; make it exactly so.
    for (int64_t r = 0; r < d; ++r)
      for (int64_t c = 0; c < d; ++c)
        w[r * d + c] = float(0.5 * (out[r * d + c] + out[c * d + r]));
    if (eigenvalues)
      *eigenvalues = lambda;
  } else {
    // Row r of W: the eigenvector of the r-th largest eigenvalue, scaled.
    for (int64_t r = 0; r < d; ++r) {
      int64_t k = d - 1 - r;
      for (int64_t j = 0; j < d; ++j)
        w[r * d + j] = float(u[j * d + k] * scale[k]);
    }
    if (eigenvalues)
      eigenvalues->assign(lambda.rbegin(), lambda.rend());
  }
  return w;
}

void whitenRows(const std::vector<float> &w, const std::vector<float> &mean,
                float *x, int64_t n, int64_t d, std::vector<float> &scratch) {
  if (n <= 0)
    return;
  scratch.resize(size_t(n * d));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j)
      scratch[i * d + j] = x[i * d + j] - mean[j];
  // X' = (X - mean) W^T.
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(n), int(d), int(d),
              1.0f, scratch.data(), int(d), w.data(), int(d), 0.0f, x, int(d));
}

} // namespace dlrt
