def min_by_if(a, n):
    m = a[0]
    for i in range(1, n):
        if a[i] < m:
            m = a[i]
    return m


def max_by_ternary(a, n):
    m = a[0]
    for i in range(n):
        m = a[i] if a[i] > m else m
    return m


def max_of_three(a, b, n):
    m = 0.0
    for i in range(n):
        m = max(m, a[i], b[i])
    return m


def any_equal(a, x, n):
    found = False
    for i in range(n):
        found = found or a[i] == x
    return found


def spelled_out(a, n):
    s = 0.0
    p = 1.0
    for i in range(n):
        s = s - a[i]
        p = a[i] * p
    return s, p


def updated_twice(a, n):
    s = 0.0
    for i in range(n):
        s = s + a[i]
        s += 0.5
    return s


def bitwise(k, n):
    acc = 0
    for i in range(n):
        acc |= k[i]
    return acc
