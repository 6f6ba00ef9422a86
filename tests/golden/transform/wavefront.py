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
