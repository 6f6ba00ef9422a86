"""Respelled updates that share a line with other statements, or carry a comment."""
import numpy as np
import numba


@numba.njit(parallel=True)
def packed(a, out):
    k = 0
    k_start = k
    for i in numba.prange(a.shape[0]):
        k = k_start + 2 * i
        out[i] = a[i] * k; k = k_start + 2 * (i + 1)  # the induction update is the second statement
    k = k_start + 2 * max(0, len(a))
    return k


@numba.njit(parallel=True)
def summed(a):
    s = 0.0
    for i in numba.prange(a.shape[0]):
        x = a[i] * 2.0; s += x  # the reduction is the second statement
    return s


@numba.njit(parallel=True)
def counted(a):
    hits = 0
    for i in numba.prange(a.shape[0]):
        if a[i] > 0.5: hits += 1  # noqa: E701
    return hits
