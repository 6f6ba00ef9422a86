"""lu and cholesky as PolyBench writes them, row by row: much of their work runs outside every
parallel loop. In the right-looking order isl's scheduler finds, the rows below each
step are independent for lu. Not for cholesky: in that order a row's update reads rows above it
scaled in the same step, so no loop of it is free of dependences (in phases, the column scaled
first, it measured 0.16x of serial). `gemm_like`'s work is all in parallel loops already."""
import numpy as np
import numba


@numba.njit(parallel=True)
def lu(A):
    n = A.shape[0]
    # paralift: rescheduled to the loop order k, i, j; the loop over i runs in parallel
    for pl_k in range(0, n - 1):
        for i_t in numba.prange(n - pl_k - 1):
            i = pl_k + 1 + i_t // 2 if i_t % 2 == 0 else pl_k + 1 + n - pl_k - 1 - 1 - i_t // 2
            j = pl_k
            A[i, j] /= A[j, j]
            for j in range(pl_k + 1, i):
                k = pl_k
                A[i, j] -= A[i, k] * A[k, j]
            for j in range(i, n):
                k = pl_k
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


@numba.njit(parallel=True)
def gemm_like(C, A, B):
    n = C.shape[0]
    # paralift: `i` in strips of 8 and `k` in strips of 128, the strips of `k` outside, so that the part of `B` a strip walks stays in the 2 MiB cache for every `i` of the strip
    # paralift: `k` moved outside `j`: the innermost loop walks along rows
    for pl_i0_t in numba.prange((n + 7) // 8):
        pl_i0 = 8 * (pl_i0_t // 2 if pl_i0_t % 2 == 0 else (n + 7) // 8 - 1 - pl_i0_t // 2)
        for pl_k0 in range(0, n, 128):
            for i in range(pl_i0, min(pl_i0 + 8, n)):
                for k in range(pl_k0, min(pl_k0 + 128, n)):
                    for j in range(n):
                        C[i, j] += A[i, k] * B[k, j]
