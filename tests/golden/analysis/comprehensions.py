import numpy as np

def row_sums(a, b, n, m):
    for i in range(n):  # parallel
        b[i] = sum(a[i, j] for j in range(m))

def comp_reads_written(a, n, m):
    for i in range(1, n):  # sequential: reads row i-1
        a[i, 0] = max([a[i - 1, j] for j in range(m)])

def comp_var_shadows(a, b, n):
    j = 0
    for i in range(n):  # parallel
        b[i] = sum(a[j] for j in range(3)) + j

def comp_uses_i(a, b, n):
    for i in range(n):  # sequential: a[k] for k < n overlaps a[i] writes
        a[i] = sum(a[k] for k in range(n))

def comp_impure(a, b, n):
    for i in range(n):  # sequential
        b[i] = sum(print(x) or 0 for x in range(3))
