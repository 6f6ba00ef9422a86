"""Solvers as classes: loops in methods reading `self.N` and arrays held by the object."""
import numpy as np


class Grid:
    def __init__(self, N):
        self.N = N
        self.B = np.zeros(N * N)
        self.u = np.linspace(0.0, 1.0, N * N).reshape(N, N)

    def fill_flat(self, A):
        for i in range(self.N):  # expect: parallel
            for j in range(self.N):  # expect: parallel
                self.B[self.N * i + j] = A[i, j] * 2.0

    def laplacian(self, out):
        u = self.u
        for i in range(1, self.N - 1):  # expect: parallel
            for j in range(1, self.N - 1):  # expect: parallel
                out[i, j] = u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1] - 4.0 * u[i, j]

    def smooth(self):
        u = self.u
        for i in range(1, self.N - 1):  # expect: sequential
            u[i, :] = 0.5 * (u[i - 1, :] + u[i + 1, :])

    def total(self):
        s = 0.0
        for i in range(self.N):  # expect: reduction
            s += self.u[i, :].sum()
        return s


class Particles:
    def __init__(self, n):
        self.n = n
        self.pos = np.zeros((n, 3))
        self.vel = np.ones((n, 3))

    def advance(self, dt):
        for p in range(self.n):  # expect: parallel
            self.pos[p, :] += dt * self.vel[p, :]

    def kinetic(self, mass):
        e = 0.0
        for p in range(self.n):  # expect: reduction
            e += 0.5 * mass[p] * (self.vel[p, 0] ** 2 + self.vel[p, 1] ** 2 + self.vel[p, 2] ** 2)
        return e
