"""Sibling nests that share arrays (passes/fusion.py). `blur` runs a pass along rows and a
second pass over its result: fused, the second runs a column behind the first, the rows in
parallel. `scale_add` reads `x` in both loops (reuse no dependence asks for). `passes`
fuses three nests. `transposed` reads `B` by columns after writing it by rows: fused, one
of them would walk memory across rows, so it stays as written."""
import numpy as np
import numba


@numba.njit(parallel=True)
def blur(A, B, C):
    n, m = A.shape
    # the second pass reads the first one's neighbours
    # paralift: fused the nests at lines 11, 15, over i, j; the loop over i runs in parallel
    if m >= 3:
        for i in numba.prange(0, n):
            j = 1
            B[i, j] = (A[i, j - 1] + A[i, j] + A[i, j + 1]) / 3.0
            for pl_j in range(2, m - 1):
                j = pl_j
                B[i, j] = (A[i, j - 1] + A[i, j] + A[i, j + 1]) / 3.0
                j = pl_j - 1
                C[i, j] = (B[i, j - 1] + B[i, j] + B[i, j + 1]) / 3.0
            j = m - 2
            C[i, j] = (B[i, j - 1] + B[i, j] + B[i, j + 1]) / 3.0


@numba.njit(parallel=True)
def scale_add(x, y, z, alpha):
    n = x.shape[0]
    # paralift: fused the nests at lines 22, 24, over i; the loop over i runs in parallel
    for i in numba.prange(0, n):
        y[i] = alpha * x[i] + y[i]
        z[i] = x[i] * y[i]


@numba.njit(parallel=True)
def passes(A, B, C, D):
    n, m = A.shape
    # paralift: fused the nests at lines 30, 33, 36, over i, j; the loop over i runs in parallel
    for i in numba.prange(0, n):
        for j in range(0, m):
            B[i, j] = A[i, j] * A[i, j]
            C[i, j] = B[i, j] + A[i, j]
            D[i, j] = C[i, j] - B[i, j]


@numba.njit(parallel=True)
def transposed(A, B, C):
    n = A.shape[0]
    for i in numba.prange(n):
        for j in range(n):
            B[i, j] = 2.0 * A[i, j]
    for i in numba.prange(n):
        for j in range(n):
            C[i, j] = B[j, i] + A[i, j]
