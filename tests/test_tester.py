"""The equivalence tester: its comparison, its inputs, and wrong candidates it must catch."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from paralift.frontend.python import parse
from paralift.verify import inputs
from paralift.verify.compare import difference, tolerance
from paralift.verify.signature import signature
from paralift.verify.tester import verify

# ------------------------------------------------------------------ comparison


def test_integers_must_match_exactly():
    assert difference(np.array([1, 2, 3]), np.array([1, 2, 3]), 10**6) is None
    assert "x[2]" in difference(np.array([1, 2, 3]), np.array([1, 2, 4]), 10**6, "x")


def test_float_tolerance_grows_with_the_number_of_terms():
    a = np.array([1.0, 2.0])
    b = a + 1e-13
    assert difference(a, b, 1) is not None
    assert difference(a, b, 10_000) is None
    assert tolerance(100) == 100 * tolerance(1)


def test_nan_equals_nan_but_not_a_number():
    assert difference(np.array([np.nan]), np.array([np.nan]), 1) is None
    assert difference(np.array([np.nan]), np.array([0.0]), 1) is not None


def test_shapes_tuples_and_scalars():
    assert "shape" in difference(np.zeros(3), np.zeros(4), 1)
    assert difference((1.0, np.int64(2)), (1.0, 2), 1) is None
    assert "[1]" in difference((1.0, 2), (1.0, 3), 1)
    assert "2 values expected" in difference((1, 2), (1,), 1)
    assert difference(None, None, 1) is None and difference(None, 0.0, 1) is not None


def test_counts_every_differing_element():
    msg = difference(np.zeros((2, 2)), np.ones((2, 2)), 1, "C")
    assert msg.startswith("C[0, 0]") and "4 elements differ" in msg


# ------------------------------------------------------------------ signature and inputs

def _kernel(src: str):
    return parse(textwrap.dedent(src)).kernels[0]


def test_parameter_roles():
    k = _kernel("""
        def f(rowptr, col, val, x, y, nrows, alpha, g):
            for i in range(nrows):
                for k in range(rowptr[i], rowptr[i + 1]):
                    y[i] += alpha * val[k] * x[col[k]] + g(1)
    """)
    roles = {s.name: (s.role, s.index, s.bounds) for s in signature(k)}
    assert roles == {"rowptr": ("array", True, True), "col": ("array", True, False),
                     "val": ("array", False, False), "x": ("array", False, False),
                     "y": ("array", False, False), "nrows": ("size", False, False),
                     "alpha": ("value", False, False), "g": ("callable", False, False)}


def test_arrays_grow_until_every_subscript_fits():
    k = _kernel("""
        def f(a, b, n, m):
            for i in range(n):
                for j in range(m):
                    b[i * m + j] = a[i + n]
    """)
    specs = signature(k)
    ns = {}
    exec(textwrap.dedent("""
        def f(a, b, n, m):
            for i in range(n):
                for j in range(m):
                    b[i * m + j] = a[i + n]
    """), ns)
    fit = inputs.fitting_case(specs, {"n": 13, "m": 17}, 0, lambda args: ns["f"](*args))
    assert fit.why is None and fit.raised is None and fit.case.extent >= 13 * 17


def test_index_arrays_are_in_range_with_repeats_and_bounds_ascend():
    k = _kernel("""
        def f(rowptr, col, x, y, n):
            for i in range(n):
                for k in range(rowptr[i], rowptr[i + 1]):
                    y[i] += x[col[k]]
    """)
    case = inputs.build(signature(k), {"n": 8}, 12, seed=3)
    rowptr, col = case.args[0], case.args[1]
    assert rowptr.dtype == np.int64 and np.all(np.diff(rowptr) >= 0)
    assert col.min() >= 0 and col.max() < 12 and len(set(col.tolist())) < len(col)


def test_size_schedule_covers_boundary_sizes():
    k = _kernel("def f(a, n):\n    for i in range(n):\n        a[i] = 0\n")
    sizes = [s["n"] for s in inputs.size_schedule(signature(k), 40, 0)]
    assert {0, 1, 2, 3, 5, 13, 17} <= set(sizes) and len(sizes) == 40


# ------------------------------------------------------------------ mutation test

ORIGINAL = """
def carried_scalar(a, b, n):
    t = 0.0
    for i in range(n):
        b[i] = t
        t = a[i]


def max_by_if(a, n):
    m = a[0]
    for i in range(1, n):
        if a[i] > m:
            m = a[i]
    return m


def scale(a, b, n):
    for i in range(n):
        b[i] = 2.0 * a[i]
"""

WRONG = {
    # a loop that carries a scalar, forced to prange
    "carried_scalar": """import numba
@numba.njit(parallel=True)
def carried_scalar(a, b, n):
    t = 0.0
    for i in numba.prange(n):
        b[i] = t
        t = a[i]
""",
    # the max reduction left in a form Numba does not reduce: each thread keeps its own
    "max_by_if": """import numba
@numba.njit(parallel=True)
def max_by_if(a, n):
    m = a[0]
    for i in numba.prange(1, n):
        if a[i] > m:
            m = a[i]
    return m
""",
    # an off-by-one bound
    "scale": """import numba
@numba.njit(parallel=True)
def scale(a, b, n):
    for i in numba.prange(n - 1):
        b[i] = 2.0 * a[i]
""",
}


@pytest.mark.parametrize("function", sorted(WRONG))
def test_wrong_candidates_are_caught_with_a_counterexample(function):
    v = verify(ORIGINAL, WRONG[function], function, "mutant.py")
    assert not v.ok
    assert v.counterexample and "n=" in v.counterexample
    assert "NOT verified" in v.summary()


def test_the_off_by_one_counterexample_is_shrunk_small():
    v = verify(ORIGINAL, WRONG["scale"], "scale", "mutant.py")
    assert "n=1" in v.counterexample  # the smallest n with an element the candidate misses


def test_a_correct_candidate_passes():
    good = WRONG["scale"].replace("prange(n - 1)", "prange(n)")
    v = verify(ORIGINAL, good, "scale", "ok.py")
    assert v.ok and v.threads == (1, 2, 4) and v.cases == 40
    assert v.summary().startswith("verified: scale (1/2/4 threads, 40 inputs")


def test_a_function_argument_cannot_be_tested():
    src = "def f(a, n, g):\n    for i in range(n):\n        a[i] = g(a[i])\n"
    v = verify(src, src, "f")
    assert not v.ok and "`g`" in v.message


def test_a_candidate_that_does_not_load_is_reported():
    v = verify(ORIGINAL, "def scale(a, b, n):\n    return (\n", "scale")
    assert not v.ok and "cannot be loaded" in v.message and "SyntaxError" in v.message


def test_float32_results_get_float32_tolerance():
    e, g = np.float32(5.0150003), np.float32(5.0149999)
    assert difference(e, g, 3) is None
    assert difference(np.float64(5.0150003), np.float64(5.0149999), 3) is not None


# ------------------------------------------------------------------ C (gcc -fopenmp)

C_ORIGINAL = """
void prefix_sum(int n, double *a, const double *b) {
    for (int i = 1; i < n; i++) a[i] = a[i - 1] + b[i];
}
double dot(int n, const double *a, const double *b) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}
void scale(int n, const double *a, double *b) {
    for (int i = 0; i < n; i++) b[i] = 2.0 * a[i];
}
"""
C_WRONG = {
    "prefix_sum": ("    for (int i = 1; i < n; i++) a[i]", "    #pragma omp parallel for\n    for (int i = 1; i < n; i++) a[i]"),
    # the reduction dropped (each thread sums into a private copy that is thrown away);
    # a bare race on `s` is caught only when threads happen to overlap: TSan is the tool for that
    "dot": ("    for (int i = 0; i < n; i++) s +=", "    #pragma omp parallel for private(s)\n    for (int i = 0; i < n; i++) s +="),
    "scale": ("for (int i = 0; i < n; i++) b[i] = 2.0", "for (int i = 0; i < n - 1; i++) b[i] = 2.0"),
}


@pytest.mark.parametrize("function", sorted(C_WRONG))
def test_wrong_openmp_candidates_are_caught(function):
    from paralift.verify.ctester import verify_c
    old, new = C_WRONG[function]
    v = verify_c(C_ORIGINAL, C_ORIGINAL.replace(old, new), function, "mutant.c")
    assert not v.ok and v.counterexample and "n=" in v.counterexample, v.summary()


def test_c_compile_errors_and_out_of_bounds_writes_are_reported():
    from paralift.verify.ctester import verify_c
    broken = C_ORIGINAL.replace("s += a[i] * b[i];", "s += a[i] * b[i]")
    v = verify_c(C_ORIGINAL, broken, "dot", "broken.c")
    assert not v.ok and "the candidate does not compile" in v.message
    wild = C_ORIGINAL.replace("b[i] = 2.0 * a[i];", "{ b[-1] = 1.0; b[i] = 2.0 * a[i]; }")
    v = verify_c(C_ORIGINAL, wild, "scale", "wild.c")
    assert not v.ok and "outside an array" in v.message


def test_thread_sanitizer_reports_a_race_and_not_a_reduction():
    from paralift.frontend.c import parse as parse_c
    from paralift.verify.ctester import _depth, parse_ctype
    from paralift.verify.tsan import races

    kernel = next(k for k in parse_c(C_ORIGINAL, "k.c")[0].kernels if k.name == "dot")
    specs, types = signature(kernel), [parse_ctype(p.ctype) for p in kernel.params]
    loop = "    for (int i = 0; i < n; i++) s +="
    racy = C_ORIGINAL.replace(loop, "    #pragma omp parallel for\n" + loop)
    good = C_ORIGINAL.replace(loop, "    #pragma omp parallel for reduction(+:s)\n" + loop)
    found, error = races(racy, "dot", specs, types, _depth(kernel), "k.c")
    assert error is None and found and "data race" in found[0] and "line" in found[0]
    assert races(good, "dot", specs, types, _depth(kernel), "k.c") == ([], None)
