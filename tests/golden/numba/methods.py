"""Methods: Numba cannot compile them, so their parallel loops move into compiled helpers
that take what the loop reads (an attribute as a parameter) and return what the method reads after."""
import numpy as np


class Grid:
    def __init__(self, n):
        self.n = n
        self.u = np.zeros((n, n))

    def relax(self, u, n):
        for i in range(n):
            u[i] = 0.0

    def fill(self):
        for i in range(self.n):  # rows of the object's own array
            for j in range(self.n):
                self.u[i, j] = i - j

    def total(self):
        s = 0.0
        for i in range(self.n):
            s += self.u[i, :].sum()
        return s

    def shift(self):
        for i in range(self.n - 1):  # carried: stays in the method
            self.u[i, :] = self.u[i + 1, :]
