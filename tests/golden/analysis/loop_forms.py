import numpy as np

def rows(a, b, n):
    for i in range(n):  # parallel
        b[i] = a[i].sum() + a[i, :].max()

def ternary_max(a, n):
    m = a[0]
    for i in range(n):  # reduction(max:m)
        m = a[i] if a[i] > m else m
    return m

def ternary_min2(a, n):
    m = a[0]
    for i in range(n):  # reduction(min:m)
        m = m if m < a[i] else a[i]
    return m

def nary(a, b, n):
    m = 0.0
    for i in range(n):  # reduction(max:m)
        m = max(m, a[i], b[i])
    return m

def each(a, b):
    s = 0.0
    for x in a:  # reduction(+:s)
        s += x * x
    return s

def zipped(a, b, c):
    for i, (x, y) in enumerate(zip(a, b)):  # parallel
        c[i] = x * y

def zipped_sum(a, b):
    s = 0.0
    for x, y in zip(a, b):  # reduction(+:s)
        s += x * y
    return s

def backwards(a, n):
    for i in reversed(range(1, n)):  # sequential
        a[i] = a[i - 1]

def backwards_ok(a, b, n):
    for i in reversed(range(n)):  # parallel
        b[i] = a[i]

def mutate_row(a, n):
    for i in range(n):  # sequential
        a[i].fill(0.0)

def last_elem(a, b):
    for x in a:  # parallel lastprivate x
        b[0] = 1.0 if x > 0 else b[0]
    return x
