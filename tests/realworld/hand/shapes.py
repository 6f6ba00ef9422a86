import numpy as np
from numba import njit, prange


@njit(parallel=True)
def vadv_flux(wcon, u_stage, flux):
    I, J, K = u_stage.shape
    for i in prange(I):
        for j in range(J):
            for k in range(1, K):
                gcv = 0.25 * (wcon[i + 1, j, k] + wcon[i, j, k])
                flux[i, j, k] = gcv * (u_stage[i, j, k] - u_stage[i, j, k - 1])


def make_grid(n, dtype):
    return _grid(n, np.empty((n, n), dtype=dtype))


@njit(parallel=True)
def _grid(n, out):
    for i in prange(n):
        for j in range(n):
            out[i, j] = i * n + j
    return out


@njit(parallel=True)
def softmax_rows(x, out):
    for i in prange(x.shape[0]):
        m = x[i].max()
        e = np.exp(x[i] - m)
        out[i] = e / e.sum()


@njit(parallel=True)
def nbody_accel(pos, mass, acc, eps):
    n = pos.shape[0]
    for i in prange(n):
        a = np.zeros(3)
        for j in range(n):
            d = pos[j] - pos[i]
            r2 = d @ d + eps
            a += mass[j] * d / (r2 * np.sqrt(r2))
        acc[i, :] = a


@njit(parallel=True)
def kmeans_assign(points, centers, labels):
    for p in prange(points.shape[0]):
        best = 0
        best_d = np.inf
        for c in range(centers.shape[0]):
            d = np.sum((points[p] - centers[c]) ** 2)
            if d < best_d:
                best_d = d
                best = c
        labels[p] = best
