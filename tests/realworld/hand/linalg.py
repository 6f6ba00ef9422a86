import numpy as np
from numba import njit, prange


@njit(parallel=True)
def gemm(alpha, beta, C, A, B):
    C *= beta
    for i in prange(C.shape[0]):
        C[i, :] += alpha * A[i, :] @ B


@njit(parallel=True)
def gemver(alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
    for i in prange(A.shape[0]):
        A[i, :] += u1[i] * v1 + u2[i] * v2
    x += beta * y @ A + z
    for i in prange(A.shape[0]):
        w[i] += alpha * A[i, :] @ x


@njit(parallel=True)
def syrk(alpha, beta, C, A):
    n = C.shape[0]
    for i in prange(n):
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, :i + 1] += alpha * A[i, k] * A[:i + 1, k]


@njit(parallel=True)
def atax(A, x):
    tmp = np.empty(A.shape[0])
    for i in prange(A.shape[0]):
        tmp[i] = A[i, :] @ x
    y = np.zeros(A.shape[1])
    for j in prange(A.shape[1]):
        y[j] = A[:, j] @ tmp
    return y


@njit(parallel=True)
def lu(A):
    n = A.shape[0]
    for i in range(n):
        for j in range(i):
            A[i, j] -= A[i, :j] @ A[:j, j]
            A[i, j] /= A[j, j]
        for j in prange(i, n):
            A[i, j] -= A[i, :i] @ A[:i, j]
