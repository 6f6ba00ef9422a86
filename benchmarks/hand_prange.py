"""The same kernels parallelized by hand with `numba.prange`, as an expert would write them."""
import numba
import numpy as np


@numba.njit(parallel=True)
def gemm(alpha, beta, A, B, C, ni, nj, nk):
    for i in numba.prange(ni):
        for j in range(nj):
            C[i, j] *= beta
        for k in range(nk):
            for j in range(nj):
                C[i, j] += alpha * A[i, k] * B[k, j]


@numba.njit(parallel=True)
def two_mm(alpha, beta, A, B, C, D, tmp, ni, nj, nk, nl):
    for i in numba.prange(ni):
        for j in range(nj):
            acc = 0.0
            for k in range(nk):
                acc += alpha * A[i, k] * B[k, j]
            tmp[i, j] = acc
    for i in numba.prange(ni):
        for j in range(nl):
            acc = D[i, j] * beta
            for k in range(nj):
                acc += tmp[i, k] * C[k, j]
            D[i, j] = acc


@numba.njit(parallel=True)
def atax(A, x, y, tmp, m, n):
    for j in numba.prange(n):
        y[j] = 0.0
    for i in numba.prange(m):
        acc = 0.0
        for j in range(n):
            acc += A[i, j] * x[j]
        tmp[i] = acc
    for j in numba.prange(n):
        acc = 0.0
        for i in range(m):
            acc += A[i, j] * tmp[i]
        y[j] = acc


@numba.njit(parallel=True)
def bicg(A, s, q, p, r, m, n):
    for j in numba.prange(m):
        acc = 0.0
        for i in range(n):
            acc += r[i] * A[i, j]
        s[j] = acc
    for i in numba.prange(n):
        acc = 0.0
        for j in range(m):
            acc += A[i, j] * p[j]
        q[i] = acc


@numba.njit(parallel=True)
def mvt(x1, x2, y1, y2, A, n):
    for i in numba.prange(n):
        acc = x1[i]
        for j in range(n):
            acc += A[i, j] * y1[j]
        x1[i] = acc
    for i in numba.prange(n):
        acc = x2[i]
        for j in range(n):
            acc += A[j, i] * y2[j]
        x2[i] = acc


@numba.njit(parallel=True)
def jacobi_2d(a, b, n, steps):
    for t in range(steps):
        for i in numba.prange(1, n - 1):
            for j in range(1, n - 1):
                b[i, j] = 0.2 * (a[i, j] + a[i, j - 1] + a[i, j + 1] + a[i + 1, j] + a[i - 1, j])
        for i in numba.prange(1, n - 1):
            for j in range(1, n - 1):
                a[i, j] = 0.2 * (b[i, j] + b[i, j - 1] + b[i, j + 1] + b[i + 1, j] + b[i - 1, j])


@numba.njit(parallel=True)
def heat_3d(a, b, n, steps):
    for t in range(steps):
        for i in numba.prange(1, n - 1):
            for j in range(1, n - 1):
                for k in range(1, n - 1):
                    b[i, j, k] = (0.125 * (a[i + 1, j, k] - 2.0 * a[i, j, k] + a[i - 1, j, k])
                                  + 0.125 * (a[i, j + 1, k] - 2.0 * a[i, j, k] + a[i, j - 1, k])
                                  + 0.125 * (a[i, j, k + 1] - 2.0 * a[i, j, k] + a[i, j, k - 1])
                                  + a[i, j, k])
        for i in numba.prange(1, n - 1):
            for j in range(1, n - 1):
                for k in range(1, n - 1):
                    a[i, j, k] = b[i, j, k]


@numba.njit(parallel=True)
def covariance(data, cov, mean, m, n):
    for j in numba.prange(m):
        acc = 0.0
        for i in range(n):
            acc += data[i, j]
        mean[j] = acc / n
    for i in numba.prange(n):
        for j in range(m):
            data[i, j] -= mean[j]
    for i in numba.prange(m):
        for j in range(i, m):
            acc = 0.0
            for k in range(n):
                acc += data[k, i] * data[k, j]
            cov[i, j] = acc / (n - 1)
            cov[j, i] = cov[i, j]


@numba.njit(parallel=True)
def dot(a, b, n):
    s = 0.0
    for i in numba.prange(n):
        s += a[i] * b[i]
    return s


@numba.njit(parallel=True)
def spmv(rowptr, col, val, x, y, nrows):
    for i in numba.prange(nrows):
        acc = 0.0
        for k in range(rowptr[i], rowptr[i + 1]):
            acc += val[k] * x[col[k]]
        y[i] = acc


@numba.njit(parallel=True)
def histogram(keys, hist, n):
    # one private histogram per chunk, summed at the end
    chunks = numba.get_num_threads()
    parts = np.zeros((chunks, hist.shape[0]))
    size = (n + chunks - 1) // chunks
    for c in numba.prange(chunks):
        for i in range(c * size, min(n, (c + 1) * size)):
            parts[c, keys[i]] += 1
    for c in range(chunks):
        for h in range(hist.shape[0]):
            hist[h] += parts[c, h]
