"""Nests that walk down columns: split and swapped where that is legal and costs no
parallel loop; `syrk`, `carried` and `mean_of_columns` are left as written."""
import numpy as np
import numba

@numba.njit(parallel=True)
def two_mm(alpha, tmp, A, B):
    ni, nk = A.shape
    nj = B.shape[1]
    # paralift: `i` in strips of 8 and `k` in strips of 128, the strips of `k` outside, so that the part of `B` a strip walks stays in the 2 MiB cache for every `i` of the strip
    # paralift: `j` split around `k`, and `k` moved outside `j`: the innermost loop walks along rows
    for pl_i0_t in numba.prange((ni + 7) // 8):
        pl_i0 = 8 * (pl_i0_t // 2 if pl_i0_t % 2 == 0 else (ni + 7) // 8 - 1 - pl_i0_t // 2)
        for i in range(pl_i0, min(pl_i0 + 8, ni)):
            for j in range(nj):
                tmp[i, j] = 0.0
        for pl_k0 in range(0, nk, 128):
            for i in range(pl_i0, min(pl_i0 + 8, ni)):
                for k in range(pl_k0, min(pl_k0 + 128, nk)):
                    for j in range(nj):
                        tmp[i, j] += alpha * A[i, k] * B[k, j]

@numba.njit(parallel=True)
def syrk(alpha, C, A):
    n, m = A.shape
    for i_t in numba.prange(n):
        i = i_t // 2 if i_t % 2 == 0 else n - 1 - i_t // 2
        for k in range(m):
            for j in range(i + 1):
                C[i, j] += alpha * A[i, k] * A[j, k]

@numba.njit(parallel=True)
def covariance(float_n, data, cov):
    n, m = data.shape
    # paralift: `i` in strips of 8 and `k` in strips of 64, the strips of `k` outside, so that the part of `data` a strip walks stays in the 2 MiB cache for every `i` of the strip
    # paralift: `j` split around `k`, and `k` moved outside `j`: the innermost loop walks along rows
    for pl_i0_t in numba.prange((m + 7) // 8):
        pl_i0 = 8 * (pl_i0_t // 2 if pl_i0_t % 2 == 0 else (m + 7) // 8 - 1 - pl_i0_t // 2)
        for i in range(pl_i0, min(pl_i0 + 8, m)):
            for j in range(i, m):
                cov[i, j] = 0.0
        for pl_k0 in range(0, n, 64):
            for i in range(pl_i0, min(pl_i0 + 8, m)):
                for k in range(pl_k0, min(pl_k0 + 64, n)):
                    for j in range(i, m):
                        cov[i, j] += data[k, i] * data[k, j]
        for i in range(pl_i0, min(pl_i0 + 8, m)):
            for j in range(i, m):
                cov[i, j] /= float_n - 1.0
                cov[j, i] = cov[i, j]

@numba.njit(parallel=True)
def carried(A, n):
    for i in numba.prange(1, n - 1):
        for j in range(1, n - 1):
            for k in range(1, n - 1):
                A[i, k, j] = A[i, k - 1, j + 1] + 1.0

@numba.njit(parallel=True)
def mean_of_columns(data, mean, float_n):
    n, m = data.shape
    for j in numba.prange(m):
        mean[j] = 0.0
        for i in range(n):
            mean[j] += data[i, j]
        mean[j] /= float_n
