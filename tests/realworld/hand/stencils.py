import numpy as np
from numba import njit, prange


@njit(parallel=True)
def jacobi_2d(TSTEPS, A, B):
    n = A.shape[0]
    for t in range(1, TSTEPS):
        for i in prange(1, n - 1):
            B[i, 1:-1] = 0.2 * (A[i, 1:-1] + A[i, :-2] + A[i, 2:] + A[i + 1, 1:-1] + A[i - 1, 1:-1])
        for i in prange(1, n - 1):
            A[i, 1:-1] = 0.2 * (B[i, 1:-1] + B[i, :-2] + B[i, 2:] + B[i + 1, 1:-1] + B[i - 1, 1:-1])


@njit(parallel=True)
def heat_3d(TSTEPS, A, B):
    n = A.shape[0]
    for t in range(1, TSTEPS):
        for i in prange(1, n - 1):
            for j in range(1, n - 1):
                B[i, j, 1:-1] = (0.125 * (A[i + 1, j, 1:-1] - 2.0 * A[i, j, 1:-1] + A[i - 1, j, 1:-1])
                                 + 0.125 * (A[i, j + 1, 1:-1] - 2.0 * A[i, j, 1:-1] + A[i, j - 1, 1:-1])
                                 + A[i, j, 1:-1])
        A[:] = B


@njit
def seidel_2d(TSTEPS, A):
    n = A.shape[0]
    for t in range(TSTEPS):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = (A[i - 1, j - 1] + A[i - 1, j] + A[i - 1, j + 1] + A[i, j - 1] + A[i, j]
                           + A[i, j + 1] + A[i + 1, j - 1] + A[i + 1, j] + A[i + 1, j + 1]) / 9.0


@njit(parallel=True)
def blur_rows(img, out, radius):
    h, w = img.shape
    for y in prange(h):
        for x in range(w):
            lo = max(0, x - radius)
            hi = min(w, x + radius + 1)
            out[y, x] = img[y, lo:hi].mean()
