def strided(a, n):
    for i in range(0, n - 1, 2):
        a[i] = a[i + 1] * 0.5


def downwards(a, b, n):
    for i in range(n - 1, -1, -1):
        b[i] = a[i] + 1.0


def backwards(a, b, n):
    for i in reversed(range(1, n)):
        b[i] = a[i - 1]


def numbered(a, b):
    for i, v in enumerate(a):
        b[i] = v * 2.0


def numbered_from_one(a, b):
    for i, v in enumerate(a, 1):
        b[i] = v


def pairs(a, b):
    s = 0.0
    for x, y in zip(a, b):
        s += x * y
    return s


def elements(a):
    s = 0.0
    for x in a:
        s += x * x
    return s


def one_liner(a, n):
    for i in range(n): a[i] = 0.0
