"""Time-stepped stencils: the time loop is sequential, each sweep is parallel."""


def jacobi_2d(a, b, n, steps):
    for t in range(steps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                b[i, j] = 0.2 * (a[i, j] + a[i, j - 1] + a[i, j + 1] + a[i + 1, j] + a[i - 1, j])
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                a[i, j] = b[i, j]


def seidel_1d(a, n, steps):
    for t in range(steps):
        for i in range(1, n - 1):
            a[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0


def flattened_blur(src, dst, n, m):
    for i in range(1, n - 1):
        for j in range(m):
            dst[i * m + j] = (src[(i - 1) * m + j] + src[i * m + j] + src[(i + 1) * m + j]) / 3.0
