"""Kernels for the CUDA backend: grids of 1-3 loops, atomics, a time-stepped stencil."""
import math


def saxpy(alpha, x, y, n):
    for i in range(n):
        y[i] = alpha * x[i] + y[i]


def dot(a, b, n):
    s = 0
    for i in range(n):
        s += a[i] * b[i]
    return s


def largest(a, n):
    m = a[0]
    for i in range(1, n):
        m = max(m, a[i])
    return m


def norms(A, out, n, m):
    for i in range(n):
        acc = 0.0
        for j in range(m):
            acc += A[i, j] * A[i, j]
        out[i] = math.sqrt(acc)


def scale3(a, n, m, p, c):
    for i in range(n):
        for j in range(m):
            for k in range(p):
                a[i, j, k] = c * a[i, j, k] - 1.0


def histogram(keys, hist, n):
    for i in range(n):
        hist[keys[i]] += 1


def column_sums(A, out, n, m):
    for i in range(n):
        for j in range(m):
            out[j] -= A[i, j]


def jacobi_1d(a, b, n, steps):
    for t in range(steps):
        for i in range(1, n - 1):
            b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0
        for i in range(1, n - 1):
            a[i] = b[i]


def clamp(x, lo, hi):
    return min(max(x, lo), hi)


def clipped(a, b, n):
    for i in range(n):
        b[i] = clamp(a[i], -1.0, 1.0)


def scratch_rows(a, n, m):
    tmp = [0.0] * m
    for i in range(n):
        for j in range(m):
            tmp[j] = a[i, j]
        for j in range(m):
            a[i, j] = tmp[m - 1 - j]


def prefix(a, n):
    for i in range(1, n):
        a[i] += a[i - 1]


def even_from_odd(a, n):
    for i in range(0, n - 1, 2):
        a[i] = a[i + 1] * 2.0


def strided(a, b, n):
    k = 3
    for i in range(1, n, 2):
        k -= 2
        b[i] = a[i] * k
    return k


def last_value(a, b, n):
    t = -1.0
    for i in range(n):
        t = a[i] * 2.0
        b[i] = t + 1.0
    return t


def product(a, n):
    p = 1.0
    for i in range(n):
        p *= a[i]
    return p


def any_equal(a, x, n):
    found = False
    for i in range(n):
        found = found or a[i] == x
    return found


def doubled(a, b):
    for i, v in enumerate(a):
        b[i] = v * 2.0


def rows_scaled(a, b, n):
    for i in range(n):
        b[i, :] = a[i, :] * 2.0
