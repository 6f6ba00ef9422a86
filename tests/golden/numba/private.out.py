import numpy as np
import numba


@numba.njit(parallel=True)
def induction(a, b, n):
    k = 3
    k_start = k
    for i in numba.prange(n):
        k = k_start + 2 * i
        b[k] = a[i]
        k = k_start + 2 * (i + 1)
    k = k_start + 2 * max(0, n)
    return k


@numba.njit(parallel=True)
def scratch(a, b, n, m):
    tmp = np.empty(m)
    for i in numba.prange(n):
        tmp = np.empty(m)
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
