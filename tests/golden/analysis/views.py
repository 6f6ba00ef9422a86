import numpy as np

def transposed_sum(a, b, n):
    c = a.T
    for i in range(n):  # sequential: c aliases a
        b[i] = np.sum(c)
        a[i, 0] = 1.0

def sliced(a, b, n):
    c = a[1:]
    for i in range(n):  # sequential
        b[i] = np.sum(c)
        a[i] = 1.0

def ident(x):
    return x

def through_helper(a, b, n):
    c = ident(a)
    for i in range(n):  # sequential
        b[i] = c.sum()
        a[i] = 1.0

def scalar_total(a, b, n):
    total = np.sum(a)
    for i in range(n):  # parallel: total is a number
        b[i] = a[i] / total

def row_element(a, b, n):
    for i in range(n):  # parallel: a is 1-D here, x is a number
        x = a[i]
        b[i] = x * 2
