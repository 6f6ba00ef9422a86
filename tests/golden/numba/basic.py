"""Elementwise loops, a scalar reduction and two nests."""
import numpy as np


def saxpy(alpha, x, y, n):
    for i in range(n):
        y[i] = alpha * x[i] + y[i]


def dot(a, b, n):
    s = 0.0
    for i in range(n):  # the reduction stays `+=`
        s += a[i] * b[i]
    return s


def gemm(alpha, beta, A, B, C, ni, nj, nk):
    for i in range(ni):
        for j in range(nj):
            C[i, j] *= beta
        for k in range(nk):
            for j in range(nj):
                C[i, j] += alpha * A[i, k] * B[k, j]


def jacobi_1d(a, b, n, steps):
    for t in range(steps):  # sequential: each sweep is parallel
        for i in range(1, n - 1):
            b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0
        for i in range(1, n - 1):
            a[i] = (b[i - 1] + b[i] + b[i + 1]) / 3.0


def syrk(alpha, beta, A, C, n, m):
    # triangular: the rows are paired so that both threads get the same work
    for i in range(n):
        for j in range(i + 1):
            C[i, j] *= beta
        for k in range(m):
            for j in range(i + 1):
                C[i, j] += alpha * A[i, k] * A[j, k]
