import numpy as np
import numba


@numba.njit(parallel=True)
def induction(a, b, n):
    k = 3
    k_start = k
    for i in numba.prange(n):
        k = k_start + 2 * i
        b[k] = a[i]
        k = k_start + 2 * (i + 1)
    k = k_start + 2 * max(0, n)
    return k


@numba.njit(parallel=True)
def scratch(a, b, n, m):
    tmp = np.empty(m)
    for i in numba.prange(n):
        tmp = np.empty(m)
        for j in range(m):
            tmp[j] = a[i, j] * 2.0
        s = 0.0
        for j in range(m):
            s += tmp[j]
        b[i] = s


def last_value(a, n):
    t = 0.0
    for i in range(n):
        t = a[i] * a[i]
        a[i] = t
    return t


@numba.njit(parallel=True)
def histogram(keys, hist, n):
    chunks = numba.get_num_threads()
    chunk_size = (n + chunks - 1) // chunks
    hist_parts = np.zeros((chunks,) + hist.shape, hist.dtype)
    for chunk in numba.prange(chunks):
        for i in range(chunk * chunk_size, min(n, (chunk + 1) * chunk_size)):
            hist_parts[chunk, keys[i]] += 1
    hist += hist_parts.sum(axis=0)


@numba.njit(parallel=True)
def column_sums(a, out, n, m):
    chunks = numba.get_num_threads()
    chunk_size = (n + chunks - 1) // chunks
    out_parts = np.zeros((chunks,) + out.shape, out.dtype)
    for chunk in numba.prange(chunks):
        for i in range(chunk * chunk_size, min(n, (chunk + 1) * chunk_size)):
            for j in range(m):
                out_parts[chunk, j] += a[i, j]
    out += out_parts.sum(axis=0)


@numba.njit(parallel=True)
def atax_polybench(A, x, y, tmp, m, n):
    chunks = numba.get_num_threads()
    chunk_size = (m + chunks - 1) // chunks
    y_parts = np.zeros((chunks,) + y.shape, y.dtype)
    for chunk in numba.prange(chunks):
        for i in range(chunk * chunk_size, min(m, (chunk + 1) * chunk_size)):
            tmp[i] = 0.0
            for j in range(n):
                tmp[i] += A[i, j] * x[j]
            for j in range(n):
                y_parts[chunk, j] += A[i, j] * tmp[i]
    y += y_parts.sum(axis=0)


@numba.njit(parallel=True)
def scaled_product(a, out, n, m):
    for i in range(1, n, 2):
        for j in numba.prange(m):
            out[j] *= a[i, j]  # `*` into elements: left as it is
