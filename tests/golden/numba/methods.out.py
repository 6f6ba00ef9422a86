"""Methods: Numba cannot compile them, so their parallel loops move into compiled helpers
that take what the loop reads (an attribute as a parameter) and return what the method reads after."""
import numpy as np
import numba


@numba.njit(parallel=True)
def _paralift_Grid_relax(n, u):
    for i in numba.prange(n):
        u[i] = 0.0


@numba.njit(parallel=True)
def _paralift_Grid_fill(self_n, self_u):
    for i in numba.prange(self_n):  # rows of the object's own array
        for j in range(self_n):
            self_u[i, j] = i - j


@numba.njit(parallel=True)
def _paralift_Grid_total(s, self_n, self_u):
    for i in numba.prange(self_n):
        s += self_u[i, :].sum()
    return s


class Grid:
    def __init__(self, n):
        self.n = n
        self.u = np.zeros((n, n))

    def relax(self, u, n):
        _paralift_Grid_relax(n, u)

    def fill(self):
        _paralift_Grid_fill(self.n, self.u)

    def total(self):
        s = 0.0
        s = _paralift_Grid_total(s, self.n, self.u)
        return s

    def shift(self):
        for i in range(self.n - 1):  # carried: stays in the method
            self.u[i, :] = self.u[i + 1, :]
