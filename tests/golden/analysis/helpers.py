import math
import numpy as np

def sq(x):
    return x * x

def norm(v):
    s = 0.0
    for i in range(len(v)):
        s += sq(v[i])
    return math.sqrt(s)

def scratch_user(n):
    t = np.zeros(n)
    for i in range(n):
        t[i] = i
    return t

def logger(x):
    print(x)
    return x

def writer(a, i):
    a[i] = 0.0
    return 1

def uses_helpers(a, b, A, n):
    for i in range(n):  # parallel
        b[i] = sq(a[i]) + norm(A[i])

def uses_logger(a, b, n):
    for i in range(n):  # sequential
        b[i] = logger(a[i])

def uses_writer(a, b, n):
    for i in range(n):  # sequential
        b[i] = writer(a, i)

def calls_uses_logger(a, b, n):
    for i in range(n):  # sequential
        b[i] = uses_logger(a, b, 1)


def reads_global(i):
    return G[i + 1]


def sums_global(i):
    return np.sum(G) + i


def uses_global_readers(n):
    for i in range(n):  # sequential: G[i + 1] is read by the helper
        G[i] = reads_global(i)
    for i in range(n):  # sequential
        G[i] = sums_global(i)
