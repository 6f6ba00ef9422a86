"""Sibling nests that share arrays (passes/fusion.py). `blur` runs a pass along rows and a
second pass over its result: fused, the second runs a column behind the first, the rows in
parallel. `scale_add` reads `x` in both loops (reuse no dependence asks for). `passes`
fuses three nests. `transposed` reads `B` by columns after writing it by rows: fused, one
of them would walk memory across rows, so it stays as written."""
import numpy as np


def blur(A, B, C):
    n, m = A.shape
    for i in range(n):
        for j in range(1, m - 1):
            B[i, j] = (A[i, j - 1] + A[i, j] + A[i, j + 1]) / 3.0
    # the second pass reads the first one's neighbours
    for i in range(n):
        for j in range(1, m - 1):
            C[i, j] = (B[i, j - 1] + B[i, j] + B[i, j + 1]) / 3.0


def scale_add(x, y, z, alpha):
    n = x.shape[0]
    for i in range(n):
        y[i] = alpha * x[i] + y[i]
    for i in range(n):
        z[i] = x[i] * y[i]


def passes(A, B, C, D):
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            B[i, j] = A[i, j] * A[i, j]
    for i in range(n):
        for j in range(m):
            C[i, j] = B[i, j] + A[i, j]
    for i in range(n):
        for j in range(m):
            D[i, j] = C[i, j] - B[i, j]


def transposed(A, B, C):
    n = A.shape[0]
    for i in range(n):
        for j in range(n):
            B[i, j] = 2.0 * A[i, j]
    for i in range(n):
        for j in range(n):
            C[i, j] = B[j, i] + A[i, j]
