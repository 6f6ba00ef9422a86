"""Respelled updates that share a line with other statements, or carry a comment."""
import numpy as np


def packed(a, out):
    k = 0
    for i in range(a.shape[0]):
        out[i] = a[i] * k; k += 2  # the induction update is the second statement
    return k


def summed(a):
    s = 0.0
    for i in range(a.shape[0]):
        x = a[i] * 2.0; s += x  # the reduction is the second statement
    return s


def counted(a):
    hits = 0
    for i in range(a.shape[0]):
        if a[i] > 0.5: hits += 1  # noqa: E701
    return hits
