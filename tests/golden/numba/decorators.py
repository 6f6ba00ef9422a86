"""Existing decorators and imports are kept; helpers the kernels call are compiled too."""
from __future__ import annotations

import functools
import math

import numba
from numba import njit


@njit
def square(x):
    return x * x


def norm(x, y):
    return math.sqrt(x * x + y * y)


@njit(cache=True)
def already_jitted(a, b, n):
    for i in range(n):
        b[i] = square(a[i])


@numba.njit(parallel=False, fastmath=True)
def explicit_serial(a, b, n):
    for i in range(n):
        b[i] = a[i] + 1.0


@functools.lru_cache(maxsize=None)
def cached_no_loops(n):
    return n * 2


def uses_norm(P, out, n):
    for i in range(n):
        out[i] = norm(P[i, 0], P[i, 1])
