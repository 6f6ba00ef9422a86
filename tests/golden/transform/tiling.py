"""gemm as PolyBench writes it walks all of B for every `i`: tiled, B's rows stay in cache.
`row_sums` reuses nothing; `carried` may not be tiled."""
import numpy as np

def gemm(alpha, beta, C, A, B):
    ni, nj = C.shape
    nk = A.shape[1]
    for i in range(ni):
        for j in range(nj):
            C[i, j] *= beta
        for k in range(nk):
            for j in range(nj):
                C[i, j] += alpha * A[i, k] * B[k, j]

def row_sums(A, out):
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            out[i] += A[i, j]

def carried(A, B, n):
    for i in range(1, n):
        for k in range(1, n - 1):
            for j in range(n):
                A[i, j] += A[i - 1, j] * B[k + 1, j] + A[k - 1, j]
