import numba


@numba.njit(parallel=True)
def strided(a, n):
    for i_t in numba.prange(n // 2):
        i = 2 * i_t
        a[i] = a[i + 1] * 0.5


@numba.njit(parallel=True)
def downwards(a, b, n):
    for i in numba.prange(n):
        b[i] = a[i] + 1.0


@numba.njit(parallel=True)
def backwards(a, b, n):
    for i in numba.prange(1, n):
        b[i] = a[i - 1]


@numba.njit(parallel=True)
def numbered(a, b):
    for i in numba.prange(len(a)):
        v = a[i]
        b[i] = v * 2.0


@numba.njit(parallel=True)
def numbered_from_one(a, b):
    for i_t in numba.prange(len(a)):
        i = 1 + i_t
        v = a[i_t]
        b[i] = v


@numba.njit(parallel=True)
def pairs(a, b):
    s = 0.0
    for x_t in numba.prange(min(len(a), len(b))):
        x = a[x_t]
        y = b[x_t]
        s += x * y
    return s


@numba.njit(parallel=True)
def elements(a):
    s = 0.0
    for x_t in numba.prange(len(a)):
        x = a[x_t]
        s += x * x
    return s


@numba.njit(parallel=True)
def one_liner(a, n):
    for i in numba.prange(n):
        a[i] = 0.0
