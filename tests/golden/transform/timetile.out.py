"""Time loops over stencil sweeps, as PolyBench and textbooks write them: each step reads
all that the one before wrote. jacobi_2d and fdtd_2d run in skewed time tiles; heat_3d's
tiles would run over two space loops (measured slower), `damped` assigns a scalar, and
`wraps` reads `A[i - 1]` at `i = 0` (Python's last element)."""
import numpy as np
import numba


@numba.njit(parallel=True)
def jacobi_2d(tsteps, A, B):
    n = A.shape[0]
    # paralift: time-tiled, 8 steps of `t` by 64 of `2*t + i`; the tiles of one front are independent, so each front runs in parallel
    for pl_front in range(0, (10 * tsteps + n - 11) // 64 + 1):
        for pl_tile_i in numba.prange(max(pl_front + (-tsteps) // 8 + 1, (pl_front + 1) // 5), min(min(pl_front, (2 * tsteps + n - 3) // 64), (n + 16 * pl_front + 13) // 80) + 1):
            for pl_t in range(max(8 * pl_front - 8 * pl_tile_i, -n + 32 * pl_tile_i + n // 2 + 1), min(tsteps - 1, 8 * pl_front - 8 * pl_tile_i + 7) + 1):
                for pl_i in range(max(64 * pl_tile_i, 2 * pl_t + 1), min(64 * pl_tile_i + 63, n + 2 * pl_t - 1) + 1):
                    if n + 2 * pl_t >= pl_i + 2:
                        for j in range(1, n - 1):
                            i = -2 * pl_t + pl_i
                            B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j] + A[i - 1, j])
                    if pl_i >= 2 * pl_t + 2:
                        for j in range(1, n - 1):
                            i = -2 * pl_t + pl_i - 1
                            A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j] + B[i - 1, j])


@numba.njit(parallel=True)
def fdtd_2d(tmax, ex, ey, hz, nx, ny):
    # paralift: time-tiled, 8 steps of `t` by 32 of `t + i`; the tiles of one front are independent, so each front runs in parallel
    for pl_front in range(0, (5 * tmax + nx - 6) // 32 + 1):
        for pl_tile_i in numba.prange(max(pl_front + (-tmax) // 8 + 1, (pl_front + 1) // 5), min(min(pl_front, (tmax + nx - 2) // 32), (nx + 8 * pl_front + 6) // 40) + 1):
            for pl_t in range(max(8 * pl_front - 8 * pl_tile_i, -nx + 32 * pl_tile_i + 1), min(min(tmax - 1, 8 * pl_front - 8 * pl_tile_i + 7), ny + 32 * pl_tile_i + 29) + 1):
                for pl_i in range(max(max(32 * pl_tile_i, pl_t), -ny + pl_t + 2), min(32 * pl_tile_i + 31, nx + pl_t - 1) + 1):
                    if pl_i >= pl_t + 1:
                        for j in range(0, ny):
                            i = -pl_t + pl_i
                            ey[i, j] = ey[i, j] - 0.5 * (hz[i, j] - hz[i - 1, j])
                    for j in range(1, ny):
                        i = -pl_t + pl_i
                        ex[i, j] = ex[i, j] - 0.5 * (hz[i, j] - hz[i, j - 1])
                    if pl_i >= pl_t + 1:
                        for j in range(0, ny - 1):
                            i = -pl_t + pl_i - 1
                            hz[i, j] = hz[i, j] - 0.7 * (ex[i, j + 1] - ex[i, j] + ey[i + 1, j] - ey[i, j])


@numba.njit(parallel=True)
def heat_3d(tsteps, A, B):
    n = A.shape[0]
    for t in range(1, tsteps + 1):
        for i in numba.prange(1, n - 1):
            for j in range(1, n - 1):
                for k in range(1, n - 1):
                    B[i, j, k] = 0.125 * (A[i + 1, j, k] - 2.0 * A[i, j, k] + A[i - 1, j, k]) + A[i, j, k]
        for i in numba.prange(1, n - 1):
            for j in range(1, n - 1):
                for k in range(1, n - 1):
                    A[i, j, k] = 0.125 * (B[i + 1, j, k] - 2.0 * B[i, j, k] + B[i - 1, j, k]) + B[i, j, k]


@numba.njit(parallel=True)
def damped(tsteps, A, B):
    n = A.shape[0]
    for t in range(tsteps):
        for i in numba.prange(1, n - 1):
            for j in range(1, n - 1):
                w = 0.2
                B[i, j] = w * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j] + A[i - 1, j])
        for i in numba.prange(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = B[i, j]


@numba.njit(parallel=True)
def wraps(tsteps, A, B):
    n = A.shape[0]
    for t in range(tsteps):
        for i in numba.prange(n - 1):
            for j in range(1, n - 1):
                B[i, j] = 0.5 * (A[i - 1, j] + A[i + 1, j])
        for i in numba.prange(n - 1):
            for j in range(1, n - 1):
                A[i, j] = B[i, j]
