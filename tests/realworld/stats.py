"""Statistics in the npbench style: centring in place, chained slice assignments."""
import numpy as np


def covariance(M, float_n, data):
    mean = np.mean(data, axis=0)
    data -= mean
    cov = np.zeros((M, M), dtype=data.dtype)
    for i in range(M):  # expect: parallel
        cov[i:M, i] = cov[i, i:M] = data[:, i] @ data[:, i:M] / (float_n - 1.0)
    return cov


def correlation(M, float_n, data):
    mean = np.mean(data, axis=0)
    stddev = np.std(data, axis=0)
    stddev[stddev <= 0.1] = 1.0
    data -= mean
    data /= np.sqrt(float_n) * stddev
    corr = np.eye(M, dtype=data.dtype)
    for i in range(M - 1):  # expect: parallel
        corr[i + 1:M, i] = corr[i, i + 1:M] = data[:, i] @ data[:, i + 1:M]
    return corr


def zscore_rows(X, out):
    for r in range(X.shape[0]):  # expect: parallel
        row = X[r]
        mu = row.mean()
        sd = row.std()
        out[r, :] = (row - mu) / (sd + 1e-12)


def pairwise_distances(X, D):
    n = X.shape[0]
    for i in range(n):  # expect: parallel
        for j in range(n):  # expect: parallel
            diff = X[i] - X[j]
            D[i, j] = np.sqrt(np.sum(diff * diff))


def histogram(values, bins, lo, hi):
    counts = np.zeros(bins, dtype=np.int64)
    width = (hi - lo) / bins
    for v in values:  # expect: reduction
        k = int((v - lo) / width)
        if 0 <= k < bins:
            counts[k] += 1
    return counts


def paralift_inputs_covariance():
    return [(m, float(n), np.random.default_rng(n).random((n, m))) for n, m in ((2, 1), (9, 4), (20, 11))]


def paralift_inputs_correlation():
    return [(m, float(n), np.random.default_rng(n).random((n, m))) for n, m in ((3, 2), (9, 4), (20, 11))]


def paralift_inputs_zscore_rows():
    out = []
    for n, m in ((1, 3), (6, 5), (13, 8)):
        X = np.random.default_rng(n).random((n, m))
        out.append((X, np.zeros_like(X)))
    return out


def paralift_inputs_pairwise_distances():
    out = []
    for n, d in ((1, 2), (5, 3), (12, 4)):
        out.append((np.random.default_rng(n).random((n, d)), np.zeros((n, n))))
    return out


def paralift_inputs_histogram():
    return [(np.random.default_rng(n).random(n) * 10.0 - 1.0, 7, 0.0, 8.0) for n in (1, 9, 40)]
