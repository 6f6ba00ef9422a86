"""Already-parallel Numba kernels for `paralift check`: racy ones carry `expect: PLxxx`."""
import numba
import numpy as np
from numba import prange


@numba.njit(parallel=True)
def prefix_sum(a, n):
    for i in prange(1, n):  # expect: PL101
        a[i] = a[i - 1] + a[i]


@numba.njit(parallel=True)
def saxpy(alpha, x, y, n):
    for i in prange(n):  # expect: clean
        y[i] = alpha * x[i] + y[i]


@numba.njit(parallel=True)
def dot(a, b, n):
    s = 0.0
    for i in prange(n):  # expect: clean
        s += a[i] * b[i]
    return s


@numba.njit(parallel=True)
def max_by_if(a, n):
    m = a[0]
    for i in prange(n):  # expect: PL102
        if a[i] > m:
            m = a[i]
    return m


@numba.njit(parallel=True)
def max_by_call(a, n):
    m = a[0]
    for i in prange(n):  # expect: clean
        m = max(m, a[i])
    return m


@numba.njit(parallel=True)
def shifted_write(a, b, n):
    for i in prange(n - 1):  # expect: PL101
        a[i + 1] = a[i] * b[i]


@numba.njit(parallel=True)
def last_value(a, n):
    t = 0.0
    for i in prange(n):  # expect: PL104
        t = a[i] * 2.0
        a[i] = t
    return t


@numba.njit(parallel=True)
def counter(a, b, n):
    k = 0
    for i in prange(n):  # expect: PL105
        b[k] = a[i]
        k += 1


@numba.njit(parallel=True)
def stencil(a, b, n):
    for i in prange(1, n - 1):  # expect: clean
        for j in range(1, n - 1):
            b[i, j] = 0.25 * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])


@numba.njit(parallel=True)
def scatter(a, idx, b, n):
    for i in prange(n):  # expect: PL101
        a[idx[i]] = b[i]


@numba.njit(parallel=True)
def row_scratch(a, n, m):
    for i in prange(n):  # expect: clean
        tmp = np.empty(m)
        for j in range(m):
            tmp[j] = a[i, j] * 2.0
        for j in range(m):
            a[i, j] = tmp[m - 1 - j]


@numba.njit(parallel=True)
def in_place_column_race(a, n, m):
    for j in prange(m):  # expect: clean
        for i in range(1, n):
            a[i, j] = a[i - 1, j] + a[i, j]


@numba.njit(parallel=True)
def wrong_axis(a, n, m):
    for i in prange(1, n):  # expect: PL101
        for j in range(m):
            a[i, j] = a[i - 1, j] + a[i, j]


@numba.njit(parallel=True)
def silenced(a, n):
    for i in prange(1, n):  # expect: clean  paralift: ignore[PL101]
        a[i] = a[i - 1] + 1.0


@numba.njit(parallel=True)
def histogram(h, keys, w, n):
    for i in prange(n):  # expect: PL101
        h[keys[i]] += w[i]


@numba.njit(parallel=True)
def halves(b, a, n):
    for i in prange(n):  # expect: PL101
        b[i // 2] = a[i]


@numba.njit(parallel=True)
def column_sums(c, a, n, m):
    for i in prange(n):  # expect: PL101
        for j in range(m):
            c[j] += a[i, j]


@numba.njit(parallel=True)
def strided(b, a, n, k):
    for i in prange(n):  # expect: clean
        b[2 * i + 1] = a[i]
        b[2 * i] = a[i] + k
