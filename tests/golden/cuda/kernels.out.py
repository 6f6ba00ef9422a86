"""Kernels for the CUDA backend: grids of 1-3 loops, atomics, a time-stepped stencil."""
import math

import numpy
from numba import cuda


PARALIFT_CUDA_BLOCK = 256  # threads per block


def _paralift_block_shape(dims, threads):
    """A block of `threads` threads in `dims` dimensions, widest along x."""
    x = max(1, min(32, threads // 2 ** (dims - 1)))
    if dims == 1:
        return (threads,)
    rest = max(1, threads // x)
    if dims == 2:
        return (x, rest)
    y = max(1, int(rest ** 0.5))
    return (x, y, max(1, rest // y))


def _paralift_launch(kernel, ranges, *args):
    """Launch `kernel` over the iteration ranges [(lo, hi) or (lo, hi, step), ...], outermost
    first; the kernel gets `args`, then each range's first index and trip count."""
    trips = [len(range(*r)) for r in ranges]
    if min(trips) == 0:
        return
    block = _paralift_block_shape(len(trips), PARALIFT_CUDA_BLOCK)
    extents = trips[::-1]  # the innermost loop runs along x
    grid = tuple((e + b - 1) // b for e, b in zip(extents, block))
    kernel[grid, block](*args, *[v for r, n in zip(ranges, trips) for v in (r[0], n)])


def _paralift_device(a):
    """`a` on the device: copied there once, unless it is already a device array."""
    return a if hasattr(a, "copy_to_host") else cuda.to_device(a)


def _paralift_copy_back(hosts, devices):
    for h, d in zip(hosts, devices):
        if d is not h:
            d.copy_to_host(h)


def _paralift_accumulator(value, *dtypes):
    """A one-element device array holding `value`, in the type the reduction computes in."""
    return cuda.to_device(numpy.array([value], dtype=numpy.result_type(value, *dtypes)))


def _paralift_result(acc):
    return acc.copy_to_host()[0].item()


def _paralift_same_extent(a, b, axis):
    """A row statement runs element by element: NumPy would have broadcast a shorter row."""
    if a.shape[axis] != b.shape[axis]:
        raise ValueError(f"rows of different lengths ({a.shape[axis]} and {b.shape[axis]}): "
                         "the CUDA version does not broadcast")


def _paralift_terms(n, *dtypes):
    """One slot per iteration, for a reduction CUDA has no atomic for."""
    return cuda.device_array(max(n, 1), dtype=numpy.result_type(*dtypes))


def _paralift_fold(op, terms, value, n):
    """Combine the n iterations' terms in iteration order, exactly as the loop did."""
    for t in terms.copy_to_host()[:n]:
        value = (value * t if op == "*" else (value or t) if op == "or" else (value and t) if op == "and"
                 else value & t if op == "&" else value | t if op == "|" else value ^ t)
    return value


@cuda.jit
def _paralift_saxpy_kernel(alpha, x, y, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        y[i] = alpha * x[i] + y[i]


def saxpy(alpha, x, y, n):
    _paralift_host = (x, y)
    x = _paralift_device(x)
    y = _paralift_device(y)
    try:
        _paralift_launch(_paralift_saxpy_kernel, ((0, n),), alpha, x, y)
    finally:
        _paralift_copy_back((_paralift_host[1],), (y,))


@cuda.jit
def _paralift_dot_kernel(a, b, _paralift_s, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        cuda.atomic.add(_paralift_s, 0, a[i] * b[i])


def dot(a, b, n):
    a = _paralift_device(a)
    b = _paralift_device(b)
    s = 0
    _paralift_s = _paralift_accumulator(s, a.dtype, b.dtype)
    _paralift_launch(_paralift_dot_kernel, ((0, n),), a, b, _paralift_s)
    s = _paralift_result(_paralift_s)
    return s


@cuda.jit
def _paralift_largest_kernel(a, _paralift_m, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        cuda.atomic.max(_paralift_m, 0, a[i])


def largest(a, n):
    m = a[0]
    _paralift_m = _paralift_accumulator(m, a.dtype)
    _paralift_launch(_paralift_largest_kernel, ((1, n),), a, _paralift_m)
    m = _paralift_result(_paralift_m)
    return m


@cuda.jit
def _paralift_norms_kernel(A, m, out, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        acc = 0.0
        for j in range(m):
            acc += A[i, j] * A[i, j]
        out[i] = math.sqrt(acc)


def norms(A, out, n, m):
    _paralift_host = (A, out)
    A = _paralift_device(A)
    out = _paralift_device(out)
    try:
        _paralift_launch(_paralift_norms_kernel, ((0, n),), A, m, out)
    finally:
        _paralift_copy_back((_paralift_host[1],), (out,))


@cuda.jit
def _paralift_scale3_kernel(a, c, m, p, _lo0, _n0, _lo1, _n1, _lo2, _n2):
    _g2, _g1, _g0 = cuda.grid(3)
    if _g0 < _n0 and _g1 < _n1 and _g2 < _n2:
        i = _lo0 + _g0
        j = _lo1 + _g1
        k = _lo2 + _g2
        a[i, j, k] = c * a[i, j, k] - 1.0


def scale3(a, n, m, p, c):
    _paralift_host = (a,)
    a = _paralift_device(a)
    try:
        _paralift_launch(_paralift_scale3_kernel, ((0, n), (0, m), (0, p),), a, c, m, p)
    finally:
        _paralift_copy_back((_paralift_host[0],), (a,))


@cuda.jit
def _paralift_histogram_kernel(hist, keys, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        cuda.atomic.add(hist, keys[i], 1)


def histogram(keys, hist, n):
    _paralift_host = (hist, keys)
    hist = _paralift_device(hist)
    keys = _paralift_device(keys)
    try:
        _paralift_launch(_paralift_histogram_kernel, ((0, n),), hist, keys)
    finally:
        _paralift_copy_back((_paralift_host[0],), (hist,))


@cuda.jit
def _paralift_column_sums_kernel(A, m, out, _lo0, _n0, _lo1, _n1):
    _g1, _g0 = cuda.grid(2)
    if _g0 < _n0 and _g1 < _n1:
        i = _lo0 + _g0
        j = _lo1 + _g1
        cuda.atomic.add(out, j, -(A[i, j]))


def column_sums(A, out, n, m):
    _paralift_host = (A, out)
    A = _paralift_device(A)
    out = _paralift_device(out)
    try:
        _paralift_launch(_paralift_column_sums_kernel, ((0, n), (0, m),), A, m, out)
    finally:
        _paralift_copy_back((_paralift_host[1],), (out,))


@cuda.jit
def _paralift_jacobi_1d_kernel(a, b, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0


@cuda.jit
def _paralift_jacobi_1d_kernel2(a, b, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        a[i] = b[i]


def jacobi_1d(a, b, n, steps):
    _paralift_host = (a, b)
    a = _paralift_device(a)
    b = _paralift_device(b)
    try:
        for t in range(steps):
            _paralift_launch(_paralift_jacobi_1d_kernel, ((1, n - 1),), a, b)
            _paralift_launch(_paralift_jacobi_1d_kernel2, ((1, n - 1),), a, b)
    finally:
        _paralift_copy_back((_paralift_host[0], _paralift_host[1]), (a, b))


def clamp(x, lo, hi):
    return min(max(x, lo), hi)


@cuda.jit
def _paralift_clipped_kernel(a, b, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        b[i] = _paralift_device_clamp(a[i], -1.0, 1.0)


def clipped(a, b, n):
    _paralift_host = (a, b)
    a = _paralift_device(a)
    b = _paralift_device(b)
    try:
        _paralift_launch(_paralift_clipped_kernel, ((0, n),), a, b)
    finally:
        _paralift_copy_back((_paralift_host[1],), (b,))


def scratch_rows(a, n, m):
    tmp = [0.0] * m
    for i in range(n):
        for j in range(m):
            tmp[j] = a[i, j]
        for j in range(m):
            a[i, j] = tmp[m - 1 - j]


def prefix(a, n):
    for i in range(1, n):
        a[i] += a[i - 1]


@cuda.jit
def _paralift_even_from_odd_kernel(a, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + 2 * _g
        a[i] = a[i + 1] * 2.0


def even_from_odd(a, n):
    _paralift_host = (a,)
    a = _paralift_device(a)
    try:
        _paralift_launch(_paralift_even_from_odd_kernel, ((0, n - 1, 2),), a)
    finally:
        _paralift_copy_back((_paralift_host[0],), (a,))


@cuda.jit
def _paralift_strided_kernel(a, b, k_start, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + 2 * _g
        k = k_start + -2 * _g
        k = k_start + -2 * (_g + 1)
        b[i] = a[i] * k


def strided(a, b, n):
    _paralift_host = (a, b)
    a = _paralift_device(a)
    b = _paralift_device(b)
    try:
        k = 3
        _paralift_launch(_paralift_strided_kernel, ((1, n, 2),), a, b, k)
        k = k + -2 * len(range(1, n, 2))
        return k
    finally:
        _paralift_copy_back((_paralift_host[1],), (b,))


@cuda.jit
def _paralift_last_value_kernel(a, b, _paralift_last_t, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        t = a[i] * 2.0
        b[i] = t + 1.0
        if _g == _n0 - 1:
            _paralift_last_t[0] = t


def last_value(a, b, n):
    _paralift_host = (a, b)
    a = _paralift_device(a)
    b = _paralift_device(b)
    try:
        t = -1.0
        _paralift_last_t = _paralift_accumulator(0, a.dtype, numpy.float64)
        _paralift_launch(_paralift_last_value_kernel, ((0, n),), a, b, _paralift_last_t)
        if len(range(0, n)) > 0:
            t = _paralift_result(_paralift_last_t)
        return t
    finally:
        _paralift_copy_back((_paralift_host[1],), (b,))


@cuda.jit
def _paralift_product_kernel(a, _paralift_p, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        _paralift_p[_g] = a[i]


def product(a, n):
    a = _paralift_device(a)
    p = 1.0
    _paralift_p = _paralift_terms(len(range(0, n)), a.dtype)
    _paralift_launch(_paralift_product_kernel, ((0, n),), a, _paralift_p)
    p = _paralift_fold('*', _paralift_p, p, len(range(0, n)))
    return p


@cuda.jit
def _paralift_any_equal_kernel(a, x, _paralift_found, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        _paralift_found[_g] = a[i] == x


def any_equal(a, x, n):
    a = _paralift_device(a)
    found = False
    _paralift_found = _paralift_terms(len(range(0, n)), numpy.bool_)
    _paralift_launch(_paralift_any_equal_kernel, ((0, n),), a, x, _paralift_found)
    found = _paralift_fold('or', _paralift_found, found, len(range(0, n)))
    return found


@cuda.jit
def _paralift_doubled_kernel(a, b, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        v = a[i]
        b[i] = v * 2.0


def doubled(a, b):
    _paralift_host = (a, b)
    a = _paralift_device(a)
    b = _paralift_device(b)
    try:
        _paralift_launch(_paralift_doubled_kernel, ((0, len(a)),), a, b)
    finally:
        _paralift_copy_back((_paralift_host[1],), (b,))


@cuda.jit
def _paralift_rows_scaled_kernel(a, b, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        for _k in range(b.shape[1]):
            b[i, _k] = a[i, _k] * 2.0


def rows_scaled(a, b, n):
    _paralift_host = (a, b)
    a = _paralift_device(a)
    b = _paralift_device(b)
    try:
        _paralift_same_extent(a, b, 1)
        _paralift_launch(_paralift_rows_scaled_kernel, ((0, n),), a, b)
    finally:
        _paralift_copy_back((_paralift_host[1],), (b,))


# device versions of the helpers the kernels call
_paralift_device_clamp = cuda.jit(device=True)(clamp)
