import numba as nb
import numpy as np


@nb.njit(parallel=True)
def saxpy(a, x, y, out):
    for i in nb.prange(x.shape[0]):
        out[i] = a * x[i] + y[i]


@nb.njit(parallel=True)
def dot(x, y):
    s = 0.0
    for i in nb.prange(x.shape[0]):
        s += x[i] * y[i]
    return s


@nb.njit(parallel=True)
def mandelbrot(xs, ys, max_iter, out):
    for r in nb.prange(ys.shape[0]):
        for c in range(xs.shape[0]):
            z = 0j
            k = 0
            while k < max_iter and abs(z) < 2.0:
                z = z * z + complex(xs[c], ys[r])
                k += 1
            out[r, c] = k


@nb.njit
def prefix_sum(a, out):
    acc = 0.0
    for i in range(a.shape[0]):
        acc += a[i]
        out[i] = acc
