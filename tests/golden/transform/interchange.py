"""Nests that walk down columns: split and swapped where that is legal and costs no
parallel loop; `syrk`, `carried` and `mean_of_columns` are left as written."""
import numpy as np

def two_mm(alpha, tmp, A, B):
    ni, nk = A.shape
    nj = B.shape[1]
    for i in range(ni):
        for j in range(nj):
            tmp[i, j] = 0.0
            for k in range(nk):
                tmp[i, j] += alpha * A[i, k] * B[k, j]

def syrk(alpha, C, A):
    n, m = A.shape
    for i in range(n):
        for k in range(m):
            for j in range(i + 1):
                C[i, j] += alpha * A[i, k] * A[j, k]

def covariance(float_n, data, cov):
    n, m = data.shape
    for i in range(m):
        for j in range(i, m):
            cov[i, j] = 0.0
            for k in range(n):
                cov[i, j] += data[k, i] * data[k, j]
            cov[i, j] /= float_n - 1.0
            cov[j, i] = cov[i, j]

def carried(A, n):
    for i in range(1, n - 1):
        for j in range(1, n - 1):
            for k in range(1, n - 1):
                A[i, k, j] = A[i, k - 1, j + 1] + 1.0

def mean_of_columns(data, mean, float_n):
    n, m = data.shape
    for j in range(m):
        mean[j] = 0.0
        for i in range(n):
            mean[j] += data[i, j]
        mean[j] /= float_n
