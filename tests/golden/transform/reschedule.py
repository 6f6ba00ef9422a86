"""lu and cholesky as PolyBench writes them, row by row: much of their work runs outside every
parallel loop. In the right-looking order isl's scheduler finds, the rows below each
step are independent for lu. Not for cholesky: in that order a row's update reads rows above it
scaled in the same step, so no loop of it is free of dependences (in phases, the column scaled
first, it measured 0.16x of serial). `gemm_like`'s work is all in parallel loops already."""
import numpy as np


def lu(A):
    n = A.shape[0]
    for i in range(n):
        for j in range(i):
            for k in range(j):
                A[i, j] -= A[i, k] * A[k, j]
            A[i, j] /= A[j, j]
        for j in range(i, n):
            for k in range(i):
                A[i, j] -= A[i, k] * A[k, j]


def cholesky(A):
    n = A.shape[0]
    for i in range(n):
        for j in range(i):
            for k in range(j):
                A[i, j] -= A[i, k] * A[j, k]
            A[i, j] /= A[j, j]
        for k in range(i):
            A[i, i] -= A[i, k] * A[i, k]
        A[i, i] = np.sqrt(A[i, i])


def gemm_like(C, A, B):
    n = C.shape[0]
    for i in range(n):
        for j in range(n):
            for k in range(n):
                C[i, j] += A[i, k] * B[k, j]
