"""Sweeps with no parallel loop as written, and one (`chain`) that stays sequential."""
import numpy as np

def seidel(A, n):
    for i in range(1, n - 1):
        for j in range(1, n - 1):
            A[i, j] = (A[i - 1, j] + A[i, j - 1] + A[i, j] + A[i + 1, j] + A[i, j + 1]) / 5.0

def seidel9(A, n, tsteps):
    for t in range(tsteps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = (A[i-1, j-1] + A[i-1, j] + A[i-1, j+1] + A[i, j-1] + A[i, j] + A[i, j+1]
                           + A[i+1, j-1] + A[i+1, j] + A[i+1, j+1]) / 9.0

def prefix2(A, n, m):
    for i in range(1, n):
        for j in range(1, m):
            A[i, j] += A[i - 1, j] + A[i, j - 1] - A[i - 1, j - 1]

def chain(a, n):
    for i in range(1, n):
        for j in range(n):
            a[i * n + j] = a[i * n + j - 1] + 1

def nussinov(seq, table):
    # dynamic programming over a triangle, `i` counting down, with a loop inside each cell
    n = seq.shape[0]
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            if j - 1 >= 0:
                table[i, j] = max(table[i, j], table[i, j - 1])
            if i + 1 < n:
                table[i, j] = max(table[i, j], table[i + 1, j])
            if j - 1 >= 0 and i + 1 < n:
                if i < j - 1:
                    table[i, j] = max(table[i, j], table[i + 1, j - 1] + (1 if seq[i] + seq[j] == 3 else 0))
                else:
                    table[i, j] = max(table[i, j], table[i + 1, j - 1])
            for k in range(i + 1, j):
                table[i, j] = max(table[i, j], table[i, k] + table[k + 1, j])
