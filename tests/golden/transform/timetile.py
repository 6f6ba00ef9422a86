"""Time loops over stencil sweeps, as PolyBench and textbooks write them: each step reads
all that the one before wrote. jacobi_2d and fdtd_2d run in skewed time tiles; heat_3d's
tiles would run over two space loops (measured slower), `damped` assigns a scalar, and
`wraps` reads `A[i - 1]` at `i = 0` (Python's last element)."""
import numpy as np


def jacobi_2d(tsteps, A, B):
    n = A.shape[0]
    for t in range(tsteps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j] + A[i - 1, j])
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j] + B[i - 1, j])


def fdtd_2d(tmax, ex, ey, hz, nx, ny):
    for t in range(tmax):
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
                    B[i, j, k] = 0.125 * (A[i + 1, j, k] - 2.0 * A[i, j, k] + A[i - 1, j, k]) + A[i, j, k]
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                for k in range(1, n - 1):
                    A[i, j, k] = 0.125 * (B[i + 1, j, k] - 2.0 * B[i, j, k] + B[i - 1, j, k]) + B[i, j, k]


def damped(tsteps, A, B):
    n = A.shape[0]
    for t in range(tsteps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                w = 0.2
                B[i, j] = w * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j] + A[i - 1, j])
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = B[i, j]


def wraps(tsteps, A, B):
    n = A.shape[0]
    for t in range(tsteps):
        for i in range(n - 1):
            for j in range(1, n - 1):
                B[i, j] = 0.5 * (A[i - 1, j] + A[i + 1, j])
        for i in range(n - 1):
            for j in range(1, n - 1):
                A[i, j] = B[i, j]
