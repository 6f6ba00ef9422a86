"""Kernels for the MPI backend: rows owned by the loop index, scalar reductions, a stencil."""


def saxpy(alpha, x, y, n):
    for i in range(n):
        y[i] = alpha * x[i] + y[i]


def dot(a, b, n):
    s = 0.0
    for i in range(n):
        s += a[i] * b[i]
    return s


def largest(a, n):
    m = a[0]
    for i in range(1, n):
        m = max(m, a[i])
    return m


def matvec(A, x, y, n, m):
    for i in range(n):
        acc = 0.0
        for j in range(m):
            acc += A[i, j] * x[j]
        y[i] = acc


def jacobi_1d(a, b, n, steps):
    for t in range(steps):
        for i in range(1, n - 1):
            b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0
        for i in range(1, n - 1):
            a[i] = b[i]


def histogram(keys, hist, n):
    for i in range(n):
        hist[keys[i]] += 1


def packed(a, b, n):
    k = 0
    for i in range(n):
        b[k] = a[i]
        k += 1
    return k


def strided(a, b, n):
    k = 3
    for i in range(1, n, 2):
        k -= 2
        b[i] = a[i] * k
    return k


def last_value(a, b, n):
    t = -1.0
    for i in range(n):
        t = a[i] * 2.0
        b[i] = t + 1.0
    return t


def column_recurrence(a, n, m):
    for i in range(1, n):
        for j in range(m):
            a[i, j] = a[i - 1, j] + a[i, j]


def flattened(a, b, n, m):
    for i in range(n):
        for j in range(m):
            b[i * m + j] = a[i * m + j] * 2.0


def doubled(a, b):
    for i, v in enumerate(a):
        b[i] = v * 2.0
