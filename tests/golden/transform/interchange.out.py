"""Nests that walk down columns: split and swapped where that is legal and costs no
parallel loop; `carried` and `mean_of_columns` are left as written."""
import numpy as np
import numba

@numba.njit(parallel=True)
def two_mm(alpha, tmp, A, B):
    ni, nk = A.shape
    nj = B.shape[1]
    for i in numba.prange(ni):
        # paralift: `j` split around `k`, and `k` moved outside `j`: the innermost loop walks along rows
        for j in range(nj):
            tmp[i, j] = 0.0
        for k in range(nk):
            for j in range(nj):
                tmp[i, j] += alpha * A[i, k] * B[k, j]

@numba.njit(parallel=True)
def syrk(alpha, C, A):
    n, m = A.shape
    for i_t in numba.prange(n):
        i = i_t // 2 if i_t % 2 == 0 else n - 1 - i_t // 2
        # paralift: `j` moved outside `k`: the innermost loop walks along rows
        for j in range(i + 1):
            for k in range(m):
                C[i, j] += alpha * A[i, k] * A[j, k]

@numba.njit(parallel=True)
def covariance(float_n, data, cov):
    n, m = data.shape
    for i_t in numba.prange(m):
        i = i_t // 2 if i_t % 2 == 0 else m - 1 - i_t // 2
        # paralift: `j` split around `k`, and `k` moved outside `j`: the innermost loop walks along rows
        for j in range(i, m):
            cov[i, j] = 0.0
        for k in range(n):
            for j in range(i, m):
                cov[i, j] += data[k, i] * data[k, j]
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
