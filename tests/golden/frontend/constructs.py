"""Every construct the Python frontend models."""
import numpy as np
from math import sqrt


def ranges(a, b, n):
    for i in range(n):
        a[i] = 0.0
    for i in range(1, n):
        a[i] = a[i - 1]
    for i in range(n - 1, -1, -2):
        b[i, 0] = a[i]


def control(a, b, n):
    k = 0
    for i, v in enumerate(a):
        if v > 0:
            continue
        elif v < -1.0:
            break
        else:
            b[i] += v
    while k < n:
        k += 1
    return k


def shapes_and_slices(a, b):
    n, m = a.shape
    tmp = np.zeros(m)
    for i in range(len(a)):
        b[i, :] = a[i, 1:m:2] * 2.0
        tmp[0] = sqrt(abs(a[i][0]))
    return tmp.sum()


def swaps(a, b, steps):
    x: float = 1.0
    for t in range(steps):
        a, b = b, a
        x, y = x * 2, -x
    return a if x > 0 and y < 0 else b


def loop_forms(a, b, c):
    for x in a:
        c[0] += x
    for x, y in zip(a, b):
        c[1] += x * y
    for i, (x, y) in enumerate(zip(a, b), 1):
        c[i] = x - y
    for i in reversed(range(2, len(a))):
        c[i] = a[i].sum()


class Solver:
    def step(self, u, n):
        for i in range(n):
            u[i] = not u[i]


def comprehensions(a, n):
    s = sum(a[i] * 2 for i in range(n) if a[i] > 0)
    rows = [[a[i] for i in range(j)] for j in range(n)]
    return {x for x in a}, s, rows


def outer(a, n):
    def inner(b):
        for i in range(n):
            b[i] = 0.0
    inner(a)
