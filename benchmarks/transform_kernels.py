"""The eleven kernels of the transformation benchmark, sequential, as PolyBench writes them
(gemm, syrk, 2mm, covariance, jacobi-2d, fdtd-2d and heat-3d with their time loops,
seidel-2d, lu, floyd-warshall, nussinov). paralift rewrites this text; `transform_hand.py` holds the same
kernels with `prange` put by hand on the loops as written."""
import numpy as np


def gemm(alpha, beta, C, A, B):
    ni, nj = C.shape
    nk = A.shape[1]
    for i in range(ni):
        for j in range(nj):
            C[i, j] *= beta
        for k in range(nk):
            for j in range(nj):
                C[i, j] += alpha * A[i, k] * B[k, j]


def syrk(alpha, beta, C, A):
    n, m = A.shape
    for i in range(n):
        for j in range(i + 1):
            C[i, j] *= beta
        for k in range(m):
            for j in range(i + 1):
                C[i, j] += alpha * A[i, k] * A[j, k]


def two_mm(alpha, beta, tmp, A, B, C, D):
    ni, nk = A.shape
    nj = B.shape[1]
    nl = C.shape[1]
    for i in range(ni):
        for j in range(nj):
            tmp[i, j] = 0.0
            for k in range(nk):
                tmp[i, j] += alpha * A[i, k] * B[k, j]
    for i in range(ni):
        for j in range(nl):
            D[i, j] *= beta
            for k in range(nj):
                D[i, j] += tmp[i, k] * C[k, j]


def covariance(float_n, data, cov, mean):
    n, m = data.shape
    for j in range(m):
        mean[j] = 0.0
        for i in range(n):
            mean[j] += data[i, j]
        mean[j] /= float_n
    for i in range(n):
        for j in range(m):
            data[i, j] -= mean[j]
    for i in range(m):
        for j in range(i, m):
            cov[i, j] = 0.0
            for k in range(n):
                cov[i, j] += data[k, i] * data[k, j]
            cov[i, j] /= float_n - 1.0
            cov[j, i] = cov[i, j]


def jacobi_2d(tsteps, A, B):
    n = A.shape[0]
    for t in range(tsteps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j] + A[i - 1, j])
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j] + B[i - 1, j])


def fdtd_2d(tmax, ex, ey, hz, fict):
    nx, ny = ex.shape
    for t in range(tmax):
        for j in range(ny):
            ey[0, j] = fict[t]
        for i in range(1, nx):
            for j in range(ny):
                ey[i, j] = ey[i, j] - 0.5 * (hz[i, j] - hz[i - 1, j])
        for i in range(nx):
            for j in range(1, ny):
                ex[i, j] = ex[i, j] - 0.5 * (hz[i, j] - hz[i, j - 1])
        for i in range(nx - 1):
            for j in range(ny - 1):
                hz[i, j] = hz[i, j] - 0.7 * (ex[i, j + 1] - ex[i, j] + ey[i + 1, j] - ey[i, j])


def heat_3d(tsteps, A, B):
    n = A.shape[0]
    for t in range(1, tsteps + 1):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                for k in range(1, n - 1):
                    B[i, j, k] = (0.125 * (A[i + 1, j, k] - 2.0 * A[i, j, k] + A[i - 1, j, k])
                                  + 0.125 * (A[i, j + 1, k] - 2.0 * A[i, j, k] + A[i, j - 1, k])
                                  + 0.125 * (A[i, j, k + 1] - 2.0 * A[i, j, k] + A[i, j, k - 1])
                                  + A[i, j, k])
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                for k in range(1, n - 1):
                    A[i, j, k] = (0.125 * (B[i + 1, j, k] - 2.0 * B[i, j, k] + B[i - 1, j, k])
                                  + 0.125 * (B[i, j + 1, k] - 2.0 * B[i, j, k] + B[i, j - 1, k])
                                  + 0.125 * (B[i, j, k + 1] - 2.0 * B[i, j, k] + B[i, j, k - 1])
                                  + B[i, j, k])


def seidel_2d(tsteps, A):
    n = A.shape[0]
    for t in range(tsteps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = (A[i - 1, j - 1] + A[i - 1, j] + A[i - 1, j + 1]
                           + A[i, j - 1] + A[i, j] + A[i, j + 1]
                           + A[i + 1, j - 1] + A[i + 1, j] + A[i + 1, j + 1]) / 9.0


def lu(A):
    n = A.shape[0]
    for i in range(n):
        for j in range(i):
            for k in range(j):
                A[i, j] -= A[i, k] * A[k, j]
            A[i, j] /= A[j, j]
        for j in range(i, n):
            for k in range(i):
                A[i, j] -= A[i, k] * A[k, j]


def floyd_warshall(path):
    n = path.shape[0]
    for k in range(n):
        for i in range(n):
            for j in range(n):
                path[i, j] = min(path[i, j], path[i, k] + path[k, j])


def nussinov(seq, table):
    n = seq.shape[0]
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            if j - 1 >= 0:
                table[i, j] = max(table[i, j], table[i, j - 1])
            if i + 1 < n:
                table[i, j] = max(table[i, j], table[i + 1, j])
            if j - 1 >= 0 and i + 1 < n:
                if i < j - 1:
                    table[i, j] = max(table[i, j], table[i + 1, j - 1] + (1 if seq[i] + seq[j] == 3 else 0))
                else:
                    table[i, j] = max(table[i, j], table[i + 1, j - 1])
            for k in range(i + 1, j):
                table[i, j] = max(table[i, j], table[i, k] + table[k + 1, j])


KERNELS = ("gemm", "syrk", "two_mm", "covariance", "jacobi_2d", "fdtd_2d", "heat_3d", "seidel_2d", "lu",
           "floyd_warshall", "nussinov")

# sizes at which njit serial takes roughly 0.1 to 1 s on this project's 2-core machine
LARGE = {"gemm": 700, "syrk": 700, "two_mm": 500, "covariance": 600, "jacobi_2d": (1300, 50),
         "fdtd_2d": (1000, 40),
         "heat_3d": (120, 20), "seidel_2d": (1000, 20), "lu": 700, "floyd_warshall": 500, "nussinov": 700}


def make_inputs(name: str, size: str = "large") -> tuple:
    """Fresh inputs: `small` compiles, `large` is timed."""
    rng = np.random.default_rng(7)
    n, t = (24, 2) if size == "small" else (LARGE[name] if isinstance(LARGE[name], tuple) else (LARGE[name], 0))
    r = lambda *shape: rng.random(shape)  # noqa: E731
    if name == "gemm":
        return 1.5, 1.2, r(n, n), r(n, n), r(n, n)
    if name == "syrk":
        return 1.5, 1.2, r(n, n), r(n, n)
    if name == "two_mm":
        return 1.5, 1.2, np.zeros((n, n)), r(n, n), r(n, n), r(n, n), r(n, n)
    if name == "covariance":
        return float(n), r(n, n), np.zeros((n, n)), np.zeros(n)
    if name == "jacobi_2d":
        return t, r(n, n), r(n, n)
    if name == "fdtd_2d":
        return t, r(n, n), r(n, n), r(n, n), r(t)
    if name == "heat_3d":
        return t, r(n, n, n), r(n, n, n)
    if name == "seidel_2d":
        return t, r(n, n)
    if name == "lu":
        a = r(n, n)
        return (a @ a.T + n * np.eye(n),)   # diagonally dominant: no pivoting needed
    if name == "floyd_warshall":
        return (r(n, n) * 100.0,)
    if name == "nussinov":
        return rng.integers(0, 4, n).astype(np.int64), np.zeros((n, n), dtype=np.int64)
    raise KeyError(name)
