"""Loops that must stay sequential: a carried dependence, an unknown call, an early exit."""


def carried(a, n):
    for i in range(1, n):
        a[i] = a[i - 1] * 0.5


def unknown_call(a, b, n, f):
    for i in range(n):
        b[i] = f(a[i])


def early_exit(a, n):
    for i in range(n):
        if a[i] < 0:
            return i
    return -1


def prints(a, n):
    for i in range(n):
        print(a[i])


def opaque_body(a, n):
    for i in range(n):
        with open("x") as f:
            a[i] = 1
