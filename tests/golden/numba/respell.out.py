import numba


@numba.njit(parallel=True)
def min_by_if(a, n):
    m = a[0]
    for i in numba.prange(1, n):
        m = min(m, a[i])
    return m


@numba.njit(parallel=True)
def max_by_ternary(a, n):
    m = a[0]
    for i in numba.prange(n):
        m = max(m, a[i])
    return m


@numba.njit(parallel=True)
def max_of_three(a, b, n):
    m = 0.0
    for i in numba.prange(n):
        m = max(m, max(a[i], b[i]))
    return m


@numba.njit(parallel=True)
def any_equal(a, x, n):
    found = False
    for i in numba.prange(n):
        found = max(found, a[i] == x)
    return found


@numba.njit(parallel=True)
def spelled_out(a, n):
    s = 0.0
    p = 1.0
    for i in numba.prange(n):
        s -= a[i]
        p *= a[i]
    return s, p


def updated_twice(a, n):
    s = 0.0
    for i in range(n):
        s = s + a[i]
        s += 0.5
    return s


def bitwise(k, n):
    acc = 0
    for i in range(n):
        acc |= k[i]
    return acc
