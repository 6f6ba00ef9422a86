import numpy as np
from numba import njit, prange


@njit(parallel=True)
def covariance(M, float_n, data):
    for j in prange(data.shape[1]):
        data[:, j] -= data[:, j].mean()
    cov = np.zeros((M, M), dtype=data.dtype)
    for i in prange(M):
        v = data[:, i] @ data[:, i:M] / (float_n - 1.0)
        cov[i:M, i] = v
        cov[i, i:M] = v
    return cov


@njit(parallel=True)
def correlation(M, float_n, data):
    for j in prange(data.shape[1]):
        mean = data[:, j].mean()
        stddev = data[:, j].std()
        if stddev <= 0.1:
            stddev = 1.0
        data[:, j] = (data[:, j] - mean) / (np.sqrt(float_n) * stddev)
    corr = np.eye(M, dtype=data.dtype)
    for i in prange(M - 1):
        v = data[:, i] @ data[:, i + 1:M]
        corr[i + 1:M, i] = v
        corr[i, i + 1:M] = v
    return corr


@njit(parallel=True)
def zscore_rows(X, out):
    for r in prange(X.shape[0]):
        row = X[r]
        out[r, :] = (row - row.mean()) / (row.std() + 1e-12)


@njit(parallel=True)
def pairwise_distances(X, D):
    n = X.shape[0]
    for i in prange(n):
        for j in range(n):
            diff = X[i] - X[j]
            D[i, j] = np.sqrt(np.sum(diff * diff))


@njit(parallel=True)
def histogram(values, bins, lo, hi):
    width = (hi - lo) / bins
    chunks = 4
    parts = np.zeros((chunks, bins), dtype=np.int64)
    size = (values.shape[0] + chunks - 1) // chunks
    for c in prange(chunks):
        for t in range(c * size, min(values.shape[0], (c + 1) * size)):
            k = int((values[t] - lo) / width)
            if 0 <= k < bins:
                parts[c, k] += 1
    return parts.sum(axis=0)
