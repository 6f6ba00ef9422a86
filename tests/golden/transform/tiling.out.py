"""gemm as PolyBench writes it walks all of B for every `i`: tiled, B's rows stay in cache.
`row_sums` reuses nothing; `carried` may not be tiled."""
import numpy as np
import numba

@numba.njit(parallel=True)
def gemm(alpha, beta, C, A, B):
    ni, nj = C.shape
    nk = A.shape[1]
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
def row_sums(A, out):
    n, m = A.shape
    for i in numba.prange(n):
        for j in range(m):
            out[i] += A[i, j]

def carried(A, B, n):
    for i in range(1, n):
        for k in range(1, n - 1):
            for j in range(n):
                A[i, j] += A[i - 1, j] * B[k + 1, j] + A[k - 1, j]
