"""Existing decorators and imports are kept; helpers the kernels call are compiled too."""
from __future__ import annotations

import functools
import math

import numba
from numba import njit


@njit
def square(x):
    return x * x


@numba.njit
def norm(x, y):
    return math.sqrt(x * x + y * y)


@njit(cache=True, parallel=True)
def already_jitted(a, b, n):
    for i in numba.prange(n):
        b[i] = square(a[i])


@numba.njit(fastmath=True, parallel=True)
def explicit_serial(a, b, n):
    for i in numba.prange(n):
        b[i] = a[i] + 1.0


@functools.lru_cache(maxsize=None)
def cached_no_loops(n):
    return n * 2


@numba.njit(parallel=True)
def uses_norm(P, out, n):
    for i in numba.prange(n):
        out[i] = norm(P[i, 0], P[i, 1])
