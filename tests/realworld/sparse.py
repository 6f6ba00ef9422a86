"""Sparse matrices in CSR form, the way SciPy-free benchmark code writes them."""
import numpy as np


def spmv(A_row, A_col, A_val, x):
    y = np.empty(A_row.size - 1, dtype=A_val.dtype)
    for i in range(A_row.size - 1):  # expect: parallel
        cols = A_col[A_row[i]:A_row[i + 1]]
        vals = A_val[A_row[i]:A_row[i + 1]]
        y[i] = vals @ x[cols]
    return y


def row_norms(indptr, data, out):
    for r in range(len(indptr) - 1):  # expect: parallel
        s = 0.0
        for k in range(indptr[r], indptr[r + 1]):  # expect: reduction
            s += data[k] * data[k]
        out[r] = np.sqrt(s)


def scale_rows(indptr, data, scale):
    n = len(indptr) - 1
    for r in range(n):  # expect: sequential (rows are disjoint only if indptr ascends)
        for k in range(indptr[r], indptr[r + 1]):  # expect: sequential (a negative indptr would wrap)
            data[k] *= scale[r]


def csr_transpose_counts(indices, n_cols):
    counts = np.zeros(n_cols + 1, dtype=np.int64)
    for k in range(indices.shape[0]):  # expect: reduction
        counts[indices[k] + 1] += 1
    return counts


def _csr(n, m, seed):
    rng = np.random.default_rng(seed)
    dense = rng.random((n, m)) * (rng.random((n, m)) < 0.4)
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices, data = [], []
    for i in range(n):
        nz = np.nonzero(dense[i])[0]
        indices.extend(nz)
        data.extend(dense[i, nz])
        indptr[i + 1] = len(indices)
    return indptr, np.array(indices, dtype=np.int64), np.array(data, dtype=np.float64)


def paralift_inputs_spmv():
    out = []
    for n, m in ((1, 1), (6, 5), (17, 11)):
        indptr, indices, data = _csr(n, m, n)
        out.append((indptr, indices, data, np.random.default_rng(m).random(m)))
    return out


def paralift_inputs_row_norms():
    out = []
    for n, m in ((1, 2), (7, 4), (15, 9)):
        indptr, _, data = _csr(n, m, n)
        out.append((indptr, data, np.zeros(n)))
    return out


def paralift_inputs_scale_rows():
    out = []
    for n, m in ((1, 2), (7, 4), (15, 9)):
        indptr, _, data = _csr(n, m, n)
        out.append((indptr, data, np.random.default_rng(n).random(n)))
    return out


def paralift_inputs_csr_transpose_counts():
    out = []
    for n, m in ((1, 2), (7, 4), (15, 9)):
        _, indices, _ = _csr(n, m, n)
        out.append((indices, m))
    return out
