"""Loops that are parallel, with the clauses they need."""
import numpy as np


def matmul(A, B, C, n, m, p):
    for i in range(n):
        for j in range(m):
            acc = 0.0
            for k in range(p):
                acc += A[i, k] * B[k, j]
            C[i, j] = acc


def scratch(a, b, n, m):
    tmp = np.empty(m)
    for i in range(n):
        for j in range(m):
            tmp[j] = a[i, j] * 2.0
        b[i] = tmp[0] + tmp[m - 1]


def argmin_value(a, n):
    best = a[0]
    for i in range(1, n):
        if a[i] < best:
            best = a[i]
    return best


def histogram(keys, hist, n):
    for i in range(n):
        hist[keys[i]] += 1


def flattened(a, b, n, m):
    for i in range(n):
        for j in range(m):
            b[i * m + j] = a[j * n + i]


def induction(a, b, n):
    k = 2
    for i in range(n):
        b[k] = a[i]
        k += 3
    return k
