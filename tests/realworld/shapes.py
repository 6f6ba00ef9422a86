"""Arguments whose shapes depend on one another, and a dtype argument."""
import numpy as np


def vadv_flux(wcon, u_stage, flux):
    I, J, K = u_stage.shape
    for i in range(I):  # expect: parallel
        for j in range(J):  # expect: parallel
            for k in range(1, K):  # expect: parallel
                gcv = 0.25 * (wcon[i + 1, j, k] + wcon[i, j, k])
                flux[i, j, k] = gcv * (u_stage[i, j, k] - u_stage[i, j, k - 1])


def make_grid(n, dtype):
    out = np.empty((n, n), dtype=dtype)
    for i in range(n):  # expect: parallel
        for j in range(n):  # expect: parallel
            out[i, j] = i * n + j
    return out


def softmax_rows(x, out):
    for i in range(x.shape[0]):  # expect: parallel
        m = x[i].max()
        e = np.exp(x[i] - m)
        out[i] = e / e.sum()


def nbody_accel(pos, mass, acc, eps):
    n = pos.shape[0]
    for i in range(n):  # expect: parallel
        a = np.zeros(3)
        for j in range(n):  # expect: reduction
            d = pos[j] - pos[i]
            r2 = d @ d + eps
            a += mass[j] * d / (r2 * np.sqrt(r2))
        acc[i, :] = a


def kmeans_assign(points, centers, labels):
    for p in range(points.shape[0]):  # expect: parallel
        best = 0
        best_d = np.inf
        for c in range(centers.shape[0]):  # expect: sequential
            d = np.sum((points[p] - centers[c]) ** 2)
            if d < best_d:
                best_d = d
                best = c
        labels[p] = best


def paralift_inputs_vadv_flux():
    out = []
    for I, J, K in ((1, 1, 2), (3, 4, 5), (6, 5, 8)):
        rng = np.random.default_rng(I)
        out.append((rng.random((I + 1, J, K)), rng.random((I, J, K)), np.zeros((I, J, K))))
    return out


def paralift_inputs_make_grid():
    return [(n, dt) for n in (1, 5, 9) for dt in (np.float64, np.int64)]


def paralift_inputs_softmax_rows():
    return [(np.random.default_rng(n).random((n, m)), np.zeros((n, m))) for n, m in ((1, 1), (4, 6), (11, 3))]


def paralift_inputs_nbody_accel():
    out = []
    for n in (1, 5, 16):
        rng = np.random.default_rng(n)
        out.append((rng.random((n, 3)), rng.random(n), np.zeros((n, 3)), 0.01))
    return out


def paralift_inputs_kmeans_assign():
    out = []
    for n, k in ((1, 1), (9, 3), (30, 4)):
        rng = np.random.default_rng(n)
        out.append((rng.random((n, 2)), rng.random((k, 2)), np.zeros(n, dtype=np.int64)))
    return out
