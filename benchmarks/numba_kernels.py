"""Sequential kernels for the Numba benchmarks (PolyBench-style), as a user writes them.

paralift rewrites this text; the hand-written prange versions are in `hand_prange.py`.
"""
import numpy as np


def gemm(alpha, beta, A, B, C, ni, nj, nk):
    for i in range(ni):
        for j in range(nj):
            C[i, j] *= beta
        for k in range(nk):
            for j in range(nj):
                C[i, j] += alpha * A[i, k] * B[k, j]


def two_mm(alpha, beta, A, B, C, D, tmp, ni, nj, nk, nl):
    for i in range(ni):
        for j in range(nj):
            acc = 0.0
            for k in range(nk):
                acc += alpha * A[i, k] * B[k, j]
            tmp[i, j] = acc
    for i in range(ni):
        for j in range(nl):
            acc = D[i, j] * beta
            for k in range(nj):
                acc += tmp[i, k] * C[k, j]
            D[i, j] = acc


def atax(A, x, y, tmp, m, n):
    for j in range(n):
        y[j] = 0.0
    for i in range(m):
        acc = 0.0
        for j in range(n):
            acc += A[i, j] * x[j]
        tmp[i] = acc
    for j in range(n):
        acc = 0.0
        for i in range(m):
            acc += A[i, j] * tmp[i]
        y[j] = acc


def bicg(A, s, q, p, r, m, n):
    for j in range(m):
        acc = 0.0
        for i in range(n):
            acc += r[i] * A[i, j]
        s[j] = acc
    for i in range(n):
        acc = 0.0
        for j in range(m):
            acc += A[i, j] * p[j]
        q[i] = acc


def mvt(x1, x2, y1, y2, A, n):
    for i in range(n):
        acc = x1[i]
        for j in range(n):
            acc += A[i, j] * y1[j]
        x1[i] = acc
    for i in range(n):
        acc = x2[i]
        for j in range(n):
            acc += A[j, i] * y2[j]
        x2[i] = acc


def jacobi_2d(a, b, n, steps):
    for t in range(steps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                b[i, j] = 0.2 * (a[i, j] + a[i, j - 1] + a[i, j + 1] + a[i + 1, j] + a[i - 1, j])
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                a[i, j] = 0.2 * (b[i, j] + b[i, j - 1] + b[i, j + 1] + b[i + 1, j] + b[i - 1, j])


def heat_3d(a, b, n, steps):
    for t in range(steps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                for k in range(1, n - 1):
                    b[i, j, k] = (0.125 * (a[i + 1, j, k] - 2.0 * a[i, j, k] + a[i - 1, j, k])
                                  + 0.125 * (a[i, j + 1, k] - 2.0 * a[i, j, k] + a[i, j - 1, k])
                                  + 0.125 * (a[i, j, k + 1] - 2.0 * a[i, j, k] + a[i, j, k - 1])
                                  + a[i, j, k])
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                for k in range(1, n - 1):
                    a[i, j, k] = b[i, j, k]


def covariance(data, cov, mean, m, n):
    for j in range(m):
        acc = 0.0
        for i in range(n):
            acc += data[i, j]
        mean[j] = acc / n
    for i in range(n):
        for j in range(m):
            data[i, j] -= mean[j]
    for i in range(m):
        for j in range(i, m):
            acc = 0.0
            for k in range(n):
                acc += data[k, i] * data[k, j]
            cov[i, j] = acc / (n - 1)
            cov[j, i] = cov[i, j]


def dot(a, b, n):
    s = 0.0
    for i in range(n):
        s += a[i] * b[i]
    return s


def spmv(rowptr, col, val, x, y, nrows):
    for i in range(nrows):
        acc = 0.0
        for k in range(rowptr[i], rowptr[i + 1]):
            acc += val[k] * x[col[k]]
        y[i] = acc


def histogram(keys, hist, n):
    for i in range(n):
        hist[keys[i]] += 1


def make_inputs(name: str, size: str = "medium"):
    """Arguments for one kernel at a size: 'medium' for the benchmarks, 'small' for tests."""
    rng = np.random.default_rng(42)
    s = {"medium": 1, "small": 0}[size]
    n2 = (3000, 40)[1 - s]  # O(n^2) kernels
    n3 = (400, 24)[1 - s]   # O(n^3) kernels
    r = lambda *shape: rng.random(shape)  # noqa: E731
    if name == "gemm":
        return [1.5, 1.2, r(n3, n3), r(n3, n3), r(n3, n3), n3, n3, n3]
    if name == "two_mm":
        n = (300, 24)[1 - s]
        return [1.5, 1.2, r(n, n), r(n, n), r(n, n), r(n, n), np.zeros((n, n)), n, n, n, n]
    if name == "atax":
        return [r(n2, n2), r(n2), np.zeros(n2), np.zeros(n2), n2, n2]
    if name == "bicg":
        return [r(n2, n2), np.zeros(n2), np.zeros(n2), r(n2), r(n2), n2, n2]
    if name == "mvt":
        return [r(n2), r(n2), r(n2), r(n2), r(n2, n2), n2]
    if name == "jacobi_2d":
        n = (1000, 30)[1 - s]
        return [r(n, n), r(n, n), n, (20, 3)[1 - s]]
    if name == "heat_3d":
        n = (120, 12)[1 - s]
        return [r(n, n, n), r(n, n, n), n, (10, 2)[1 - s]]
    if name == "covariance":
        return [r(n3, n3), np.zeros((n3, n3)), np.zeros(n3), n3, n3]
    if name == "dot":
        n = (10_000_000, 1000)[1 - s]
        return [r(n), r(n), n]
    if name == "spmv":
        rows, per_row = (300_000, 50)[1 - s], 20
        rowptr = np.arange(0, rows * per_row + 1, per_row, dtype=np.int64)
        col = rng.integers(0, rows, rows * per_row)
        return [rowptr, col, r(rows * per_row), r(rows), np.zeros(rows), rows]
    if name == "histogram":
        n = (10_000_000, 1000)[1 - s]
        return [rng.integers(0, 256, n), np.zeros(256), n]
    raise KeyError(name)


KERNELS = ["gemm", "two_mm", "atax", "bicg", "mvt", "jacobi_2d", "heat_3d", "covariance", "dot",
           "spmv", "histogram"]
COMPUTE_BOUND = {"gemm", "two_mm", "covariance"}
