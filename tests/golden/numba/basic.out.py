"""Elementwise loops, a scalar reduction and two nests."""
import numpy as np
import numba


@numba.njit(parallel=True)
def saxpy(alpha, x, y, n):
    for i in numba.prange(n):
        y[i] = alpha * x[i] + y[i]


@numba.njit(parallel=True)
def dot(a, b, n):
    s = 0.0
    for i in numba.prange(n):  # the reduction stays `+=`
        s += a[i] * b[i]
    return s


@numba.njit(parallel=True)
def gemm(alpha, beta, A, B, C, ni, nj, nk):
    # paralift: `i` in strips of 8 and `k` in strips of 128, the strips of `k` outside, so that the part of `B` a strip walks stays in the 2 MiB cache for every `i` of the strip
    for pl_i0_t in numba.prange((ni + 7) // 8):
        pl_i0 = 8 * (pl_i0_t // 2 if pl_i0_t % 2 == 0 else (ni + 7) // 8 - 1 - pl_i0_t // 2)
        for i in range(pl_i0, min(pl_i0 + 8, ni)):
            for j in range(nj):
                C[i, j] *= beta
        for pl_k0 in range(0, nk, 128):
            for i in range(pl_i0, min(pl_i0 + 8, ni)):
                for k in range(pl_k0, min(pl_k0 + 128, nk)):
                    for j in range(nj):
                        C[i, j] += alpha * A[i, k] * B[k, j]


@numba.njit(parallel=True)
def jacobi_1d(a, b, n, steps):
    for t in range(steps):  # sequential: each sweep is parallel
        for i in numba.prange(1, n - 1):
            b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0
        for i in numba.prange(1, n - 1):
            a[i] = (b[i - 1] + b[i] + b[i + 1]) / 3.0


@numba.njit(parallel=True)
def syrk(alpha, beta, A, C, n, m):
    # triangular: the rows are paired so that both threads get the same work
    for i_t in numba.prange(n):
        i = i_t // 2 if i_t % 2 == 0 else n - 1 - i_t // 2
        for j in range(i + 1):
            C[i, j] *= beta
        for k in range(m):
            for j in range(i + 1):
                C[i, j] += alpha * A[i, k] * A[j, k]
