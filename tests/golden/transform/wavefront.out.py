"""Sweeps with no parallel loop as written, and one (`chain`) that stays sequential."""
import numpy as np
import numba

@numba.njit(parallel=True)
def seidel(A, n):
    # paralift: a wavefront; the iterations with the same i + j are independent, so each front runs in parallel
    for pl_front in range(2, 2 * n - 3):
        for pl_c1 in numba.prange(max(1, -n + pl_front + 2), min(n - 1, pl_front)):
            i = pl_c1
            j = pl_front - pl_c1
            A[i, j] = (A[i - 1, j] + A[i, j - 1] + A[i, j] + A[i + 1, j] + A[i, j + 1]) / 5.0

@numba.njit(parallel=True)
def seidel9(A, n, tsteps):
    # paralift: a wavefront; the iterations with the same 4*t + 2*i + j are independent, so each front runs in parallel
    for pl_front in range(3, 4 * tsteps + 3 * n - 9):
        for pl_c1 in numba.prange(max(0, -n + (n + pl_front + 1) // 4 + 2), min(tsteps, (pl_front + 1) // 4)):
            for pl_c2 in range(max(1, -n - 2 * pl_c1 + (n + pl_front + 1) // 2 + 1), min(n - 1, -2 * pl_c1 + (pl_front + 1) // 2)):
                i = pl_c2
                j = pl_front - 4 * pl_c1 - 2 * pl_c2
                A[i, j] = (A[i-1, j-1] + A[i-1, j] + A[i-1, j+1] + A[i, j-1] + A[i, j] + A[i, j+1]
                           + A[i+1, j-1] + A[i+1, j] + A[i+1, j+1]) / 9.0

@numba.njit(parallel=True)
def prefix2(A, n, m):
    # paralift: a wavefront; the iterations with the same i + j are independent, so each front runs in parallel
    for pl_front in range(2, n + m - 1):
        for pl_c1 in numba.prange(max(1, -m + pl_front + 1), min(n, pl_front)):
            i = pl_c1
            j = pl_front - pl_c1
            A[i, j] += A[i - 1, j] + A[i, j - 1] - A[i - 1, j - 1]

def chain(a, n):
    for i in range(1, n):
        for j in range(n):
            a[i * n + j] = a[i * n + j - 1] + 1

@numba.njit(parallel=True)
def nussinov(seq, table):
    # dynamic programming over a triangle, `i` counting down, with a loop inside each cell
    n = seq.shape[0]
    # paralift: a wavefront; the iterations with the same j - i are independent, so each front runs in parallel
    for pl_front in range(1, n):
        for pl_c1 in numba.prange(0, n - pl_front):
            i = pl_c1
            j = pl_front + pl_c1
            if j - 1 >= 0:
                table[i, j] = max(table[i, j], table[i, j - 1])
            if i + 1 < n:
                table[i, j] = max(table[i, j], table[i + 1, j])
            if j - 1 >= 0 and i + 1 < n:
                if i < j - 1:
                    table[i, j] = max(table[i, j], table[i + 1, j - 1] + (1 if seq[i] + seq[j] == 3 else 0))
                else:
                    table[i, j] = max(table[i, j], table[i + 1, j - 1])
            for k in range(i + 1, j):
                table[i, j] = max(table[i, j], table[i, k] + table[k + 1, j])
