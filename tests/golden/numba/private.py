import numpy as np


def induction(a, b, n):
    k = 3
    for i in range(n):
        b[k] = a[i]
        k += 2
    return k


def scratch(a, b, n, m):
    tmp = np.empty(m)
    for i in range(n):
        for j in range(m):
            tmp[j] = a[i, j] * 2.0
        s = 0.0
        for j in range(m):
            s += tmp[j]
        b[i] = s


def last_value(a, n):
    t = 0.0
    for i in range(n):
        t = a[i] * a[i]
        a[i] = t
    return t


def histogram(keys, hist, n):
    for i in range(n):
        hist[keys[i]] += 1


def column_sums(a, out, n, m):
    for i in range(n):
        for j in range(m):
            out[j] += a[i, j]


def atax_polybench(A, x, y, tmp, m, n):
    for i in range(m):
        tmp[i] = 0.0
        for j in range(n):
            tmp[i] += A[i, j] * x[j]
        for j in range(n):
            y[j] = y[j] + A[i, j] * tmp[i]


def scaled_product(a, out, n, m):
    for i in range(1, n, 2):
        for j in range(m):
            out[j] *= a[i, j]  # `*` into elements: left as it is
