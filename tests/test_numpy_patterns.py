"""Everyday NumPy that once gave false dependences (issue 14), each in a few lines, with the
verdict it must get now and a nearby case that must stay sequential."""
from __future__ import annotations

import pytest

from paralift.analysis import analyze_source


def _verdicts(source: str) -> list[str]:
    fa = analyze_source(source, "k.py", "python")
    assert not fa.errors, fa.errors
    return [v.verdict for kv in fa.kernels for v in kv.loops]


CASES = {
    "in-place update after the loop": ("""
def f(A, B, alpha):
    for i in range(A.shape[0]):
        B[i] = A[i] * 2.0
    B *= alpha
""", ["parallel"]),
    "in-place update before the loop": ("""
def f(data, mean):
    data -= mean
    for i in range(data.shape[0]):
        data[i] = data[i] / 2.0
""", ["parallel"]),
    "in-place update inside the loop writes the whole array": ("""
def f(B, A, n):
    for i in range(n):
        B *= 2.0
        A[i] = B[0]
""", ["sequential"]),
    "read-only slices of CSR arrays": ("""
import numpy as np
def f(A_row, A_col, A_val, x, y):
    for i in range(A_row.shape[0] - 1):
        cols = A_col[A_row[i]:A_row[i + 1]]
        vals = A_val[A_row[i]:A_row[i + 1]]
        y[i] = vals @ x[cols]
""", ["parallel"]),
    "a view of what the loop writes": ("""
def f(a, n):
    v = a[1:]
    for i in range(n - 1):
        a[i] = v[i] + 1.0
""", ["sequential"]),
    "NumPy results are new arrays": ("""
import numpy as np
def f(X, Y, out):
    mask = np.less(X, Y)
    s = X + Y
    for i in range(out.shape[0]):
        out[i] = s[i] if mask[i] else 0.0
""", ["parallel"]),
    "np.asarray may be the argument itself": ("""
import numpy as np
def f(a, n):
    v = np.asarray(a)
    for i in range(n - 1):
        a[i] = v[i + 1]
""", ["sequential"]),
    "max of two arrays is one of them": ("""
def f(a, b, n):
    v = max(a, b)
    for i in range(n - 1):
        v[i] = a[i + 1]
""", ["sequential"]),
    "copy=False may be the argument itself": ("""
import numpy as np
def f(a, n):
    v = np.array(a, copy=False)
    for i in range(n - 1):
        a[i] = v[i + 1]
""", ["sequential"]),
    "self.N in a subscript": ("""
class G:
    def fill(self, A):
        for i in range(self.N):
            for j in range(self.N):
                self.B[self.N * i + j] = A[i, j]
""", ["parallel", "parallel"]),
    "self.N that the kernel changes": ("""
class G:
    def fill(self, A):
        for i in range(self.N):
            self.B[self.N * i] = A[i]
            self.grow()
""", ["sequential"]),
    "chained assignment of slices": ("""
def f(data, cov, M, N):
    for i in range(M):
        cov[i:M, i] = cov[i, i:M] = data[:, i] @ data[:, i:M] / (N - 1.0)
""", ["parallel"]),
    "a slice bounded by an outer index": ("""
def f(A, n):
    for i in range(n):
        for j in range(i, n):
            A[i, j] -= A[i, :i] @ A[:i, j]
""", ["sequential", "parallel"]),
    "a slice that does reach the written element": ("""
def f(A, n):
    for i in range(n):
        for j in range(i, n):
            A[i, j] -= A[i, :j] @ A[:j, j]
""", ["sequential", "sequential"]),
    "an element of a computed value": ("""
import numpy as np
def f(A, u, v):
    for i in range(A.shape[0]):
        A[i, :] += np.outer(u, v)[i, :]
""", ["parallel"]),
    "a guarded data-dependent histogram": ("""
def f(values, counts, lo, width):
    for v in values:
        k = int((v - lo) / width)
        if 0 <= k < counts.shape[0]:
            counts[k] += 1
""", ["reduction"]),
}


@pytest.mark.parametrize("name", CASES)
def test_the_pattern_gets_its_verdict(name):
    source, expected = CASES[name]
    assert _verdicts(source) == expected


def test_a_definite_reason_has_a_witness_and_an_unsure_one_says_may():
    fa = analyze_source("def f(a, b, idx, n):\n    for i in range(1, n):\n        a[i] = a[i - 1]\n"
                        "        b[idx[i]] = 1.0\n", "k.py", "python")
    reasons = {r.message for v in fa.kernels[0].loops for r in v.reasons}
    sure = [r for r in reasons if "a[i - 1]" in r]
    unsure = [r for r in reasons if "b[idx[i]]" in r]
    assert sure and all("reads the element" in r and "for example with n = " in r for r in sure), reasons
    assert unsure and all("may" in r and "for example" not in r for r in unsure), reasons
