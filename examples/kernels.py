"""Example kernels: run `paralift analyze examples/` to see what can run in parallel."""
import numpy as np


def dot(a, b, n):
    s = 0.0
    for i in range(n):
        s += a[i] * b[i]
    return s


def prefix_sum(a, b, n):
    for i in range(1, n):
        a[i] = a[i - 1] + b[i]


def gemm(alpha, beta, A, B, C, ni, nj, nk):
    for i in range(ni):
        for j in range(nj):
            C[i, j] *= beta
        for k in range(nk):
            for j in range(nj):
                C[i, j] += alpha * A[i, k] * B[k, j]


def matmul(A, B, C, n, m, p):
    for i in range(n):
        for j in range(m):
            acc = 0.0
            for k in range(p):
                acc += A[i, k] * B[k, j]
            C[i, j] = acc


def row_max(a, out):
    n, m = a.shape
    for i in range(n):
        best = a[i, 0]
        for j in range(1, m):
            if a[i, j] > best:
                best = a[i, j]
        out[i] = best


def histogram(keys, hist):
    for i in range(len(keys)):
        hist[keys[i]] += 1


def first_negative(a):
    for i in range(len(a)):
        if a[i] < 0.0:
            return i
    return -1


def normalize_rows(a, n, m):
    scratch = np.empty(m)
    for i in range(n):
        for j in range(m):
            scratch[j] = a[i, j] * a[i, j]
        total = 0.0
        for j in range(m):
            total += scratch[j]
        for j in range(m):
            a[i, j] = a[i, j] / total
