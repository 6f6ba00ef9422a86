import numpy as np
from numba import njit, prange


@njit(parallel=True)
def spmv(A_row, A_col, A_val, x):
    y = np.empty(A_row.size - 1, dtype=A_val.dtype)
    for i in prange(A_row.size - 1):
        cols = A_col[A_row[i]:A_row[i + 1]]
        vals = A_val[A_row[i]:A_row[i + 1]]
        y[i] = vals @ x[cols]
    return y


@njit(parallel=True)
def row_norms(indptr, data, out):
    for r in prange(len(indptr) - 1):
        s = 0.0
        for k in range(indptr[r], indptr[r + 1]):
            s += data[k] * data[k]
        out[r] = np.sqrt(s)


@njit(parallel=True)
def scale_rows(indptr, data, scale):
    n = len(indptr) - 1
    for r in prange(n):  # rows own disjoint ranges of data (indptr ascends)
        for k in range(indptr[r], indptr[r + 1]):
            data[k] *= scale[r]


@njit
def csr_transpose_counts(indices, n_cols):
    counts = np.zeros(n_cols + 1, dtype=np.int64)
    for k in range(indices.shape[0]):
        counts[indices[k] + 1] += 1
    return counts
