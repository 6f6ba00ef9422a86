"""Respelled updates that share a line with other statements, or carry a comment."""
import numpy as np

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
def _paralift_packed_kernel(a, out, k_start, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        k = k_start + 2 * _g
        out[i] = a[i] * k; k = k_start + 2 * (_g + 1)  # the induction update is the second statement


def packed(a, out):
    _paralift_host = (a, out)
    a = _paralift_device(a)
    out = _paralift_device(out)
    try:
        k = 0
        _paralift_launch(_paralift_packed_kernel, ((0, a.shape[0]),), a, out, k)
        k = k + 2 * len(range(0, a.shape[0]))
        return k
    finally:
        _paralift_copy_back((_paralift_host[1],), (out,))


@cuda.jit
def _paralift_summed_kernel(a, _paralift_s, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        x = a[i] * 2.0; cuda.atomic.add(_paralift_s, 0, x)  # the reduction is the second statement


def summed(a):
    a = _paralift_device(a)
    s = 0.0
    _paralift_s = _paralift_accumulator(s)
    _paralift_launch(_paralift_summed_kernel, ((0, a.shape[0]),), a, _paralift_s)
    s = _paralift_result(_paralift_s)
    return s


@cuda.jit
def _paralift_counted_kernel(a, _paralift_hits, _lo0, _n0):
    _g = cuda.grid(1)
    if _g < _n0:
        i = _lo0 + _g
        if a[i] > 0.5: cuda.atomic.add(_paralift_hits, 0, 1)  # noqa: E701


def counted(a):
    a = _paralift_device(a)
    hits = 0
    _paralift_hits = _paralift_accumulator(hits)
    _paralift_launch(_paralift_counted_kernel, ((0, a.shape[0]),), a, _paralift_hits)
    hits = _paralift_result(_paralift_hits)
    return hits
