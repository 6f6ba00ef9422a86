""""Verified" means the candidate agrees where the original is defined, on inputs that
exercise the loops (issue 12): each case below was once reported verified and written."""
from __future__ import annotations

import numpy as np

from paralift.verify import inputs
from paralift.verify.compare import difference, outside_int64
from paralift.verify.coverage import Coverage, instrument
from paralift.verify.options import TesterOptions
from paralift.verify.signature import signature
from paralift.verify.tester import verify
from paralift.frontend.python import parse

FACTORIAL = "def fact(n):\n    p = 1\n    for i in range(n):\n        p *= i + 2\n    return p\n"
FACTORIAL_NUMBA = ("import numba\n\n@numba.njit(parallel=True)\ndef fact(n):\n    p = 1\n"
                   "    for i in numba.prange(n):\n        p *= i + 2\n    return p\n")


def test_a_python_integer_past_int64_refuses_and_assume_int64_accepts():
    v = verify(FACTORIAL, FACTORIAL_NUMBA, "fact", "f.py", cases=24)
    assert not v.ok and "outside int64" in v.message and "--assume-int64" in v.message
    v = verify(FACTORIAL, FACTORIAL_NUMBA, "fact", "f.py", cases=24, options=TesterOptions(assume_int64=True))
    assert v.ok, v.summary()


def test_integers_compare_exactly_even_past_float_precision():
    assert difference(2**62 + 1, 2**62, 1) is not None  # equal as float64
    assert difference(np.int64(7), 7, 1) is None
    assert outside_int64((1, 2**63)) == "return value[1] = 9223372036854775808"
    assert outside_int64(-(2**63)) is None


ROOTS = "import math\n\ndef roots(a, b, n):\n    for i in range(n):\n        b[i] = math.sqrt(a[i])\n"
ROOTS_NUMBA = ("import math\nimport numba\n\n@numba.njit(parallel=True)\ndef roots(a, b, n):\n"
               "    for i in numba.prange(n):\n        b[i] = math.sqrt(a[i])\n")


def test_where_the_original_raises_the_candidate_must_raise_too():
    v = verify(ROOTS, ROOTS_NUMBA, "roots", "r.py", cases=12)
    assert not v.ok and "the original raises ValueError" in v.message and "without raising" in v.message


def test_a_loop_the_inputs_never_enter_refuses_the_function():
    original = ("def f(a, n):\n    if n > 1000:\n        for i in range(n):\n            a[i] = 2.0 * a[i]\n")
    v = verify(original, original, "f", "f.py", cases=12)
    assert not v.ok and v.message == "inputs never entered the loop at line 3"


def test_verified_says_how_much_the_loops_ran():
    original = "def f(a, n):\n    for i in range(n):\n        a[i] = 2.0 * a[i]\n"
    v = verify(original, original, "f", "f.py", cases=12)
    assert v.ok and "loop bodies ran" in v.summary() and "trip counts 0.." in v.summary()


def test_a_hanging_original_is_a_refusal_not_a_hang():
    original = "def f(a, n):\n    while n >= 0:\n        a[0] = 1.0\n    for i in range(n):\n        a[i] = 1.0\n"
    v = verify(original, original, "f", "f.py", cases=6, options=TesterOptions(timeout=1.0))
    assert not v.ok and "did not return within 1 s" in v.message


def test_an_original_that_always_raises_indexerror_is_refused_quickly():
    original = "def f(a, n):\n    for i in range(n):\n        a[i] = a[len(a)]\n"
    v = verify(original, original, "f", "f.py")
    assert not v.ok and "IndexError" in v.message


def test_extents_equal_to_the_sizes_and_integer_data_are_among_the_inputs():
    k = parse("def f(a, b, n):\n    for i in range(n):\n        a[i] = b[i] + 1\n", "f.py").kernels[0]
    specs = signature(k)
    pads, kinds = set(), set()
    for seed in range(9):
        fit = inputs.fitting_case(specs, {"n": 5}, seed, lambda args: None)
        pads.add(fit.case.extent - 5)
        kinds.add(fit.case.args[0].dtype.kind)
        if fit.case.args[0].dtype.kind == "f" and inputs.Variant.of(seed).data == "whole":
            assert np.all(fit.case.args[0] == np.round(fit.case.args[0]))  # small integers as floats
    assert pads == {0, 1, 2} and kinds == {"f", "i"}
    sizes = {max(s.values()) for s in inputs.size_schedule(specs, 40, 0)}
    assert max(sizes) > 19  # one large case: int64 overflow shows by 20 terms


def test_arrays_stored_with_floats_never_get_integer_data():
    k = parse("def f(a, b, n):\n    for i in range(n):\n        a[i] = b[i] / 2\n", "f.py").kernels[0]
    roles = {s.name: s.floating for s in signature(k)}
    assert roles == {"a": True, "b": False, "n": False}


def test_coverage_counts_trips_per_entry():
    source = "def f(a, n, m):\n    for i in range(n):\n        for j in range(m):\n            a[i] += j\n"
    namespace: dict = {}
    exec(instrument(source, "f", (2, 3)), namespace)  # noqa: S102
    namespace["f"]([0] * 4, 3, 2)
    records = [tuple(r) for r in namespace["__paralift_trips__"]]
    assert records.count((2, 3)) == 1 and records.count((3, 2)) == 3
    c = Coverage((2,))
    c.add(records)
    assert not c.complete and "trip counts 3" in c.shortfall()
    c.add([(2, 7), (2, 8)])
    assert c.complete


def test_an_aliased_call_that_differs_is_a_note_not_a_refusal():
    original = "def mirror(a, b, n):\n    for i in range(n):\n        b[i] = a[n - 1 - i]\n"
    backwards = "def mirror(a, b, n):\n    for i in range(n - 1, -1, -1):\n        b[i] = a[n - 1 - i]\n"
    v = verify(original, backwards, "mirror", "m.py", cases=12)
    assert v.ok and any("`a` and `b` one array" in w and "do not overlap" in w for w in v.warnings), v.warnings
    assert not verify(original, original, "mirror", "m.py", cases=12).warnings
