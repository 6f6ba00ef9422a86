# Nothing here can run in parallel: this file must come out byte-identical.
import numpy as np   # odd spacing kept


def prefix_sum(a, b, n):
    for i in range(1, n):
        a[i] = a[i - 1] + b[i]    # carried


def first_negative(a):
    for i in range(len(a)):
        if a[i] < 0:
            return i
    return -1


def prints(a, n):
    for i in range(n):
        print(a[i])
