"""Kernels that already carry Numba's decorator, under the usual aliases."""
import numba as nb
import numpy as np


@nb.njit
def saxpy(a, x, y, out):
    for i in range(x.shape[0]):  # expect: parallel
        out[i] = a * x[i] + y[i]


@nb.njit(cache=False)
def dot(x, y):
    s = 0.0
    for i in range(x.shape[0]):  # expect: reduction
        s += x[i] * y[i]
    return s


@nb.jit(nopython=True)
def mandelbrot(xs, ys, max_iter, out):
    for r in range(ys.shape[0]):  # expect: parallel
        for c in range(xs.shape[0]):  # expect: parallel
            z = 0j
            k = 0
            while k < max_iter and abs(z) < 2.0:
                z = z * z + complex(xs[c], ys[r])
                k += 1
            out[r, c] = k


@nb.njit
def prefix_sum(a, out):
    acc = 0.0
    for i in range(a.shape[0]):  # expect: sequential
        acc += a[i]
        out[i] = acc


def paralift_inputs_saxpy():
    return [(2.0, np.arange(n, dtype=np.float64), np.ones(n), np.zeros(n)) for n in (1, 7, 33)]


def paralift_inputs_dot():
    return [(np.random.default_rng(n).random(n), np.random.default_rng(n + 1).random(n)) for n in (1, 7, 33)]


def paralift_inputs_mandelbrot():
    out = []
    for h, w in ((1, 1), (4, 6), (9, 13)):
        out.append((np.linspace(-2.0, 1.0, w), np.linspace(-1.2, 1.2, h), 30, np.zeros((h, w), dtype=np.int64)))
    return out


def paralift_inputs_prefix_sum():
    return [(np.random.default_rng(n).random(n), np.zeros(n)) for n in (1, 7)]
