"""What an array name stands for when the kernel rebinds it: a C rotation through a
temporary is a swap (two distinct arrays), a copy `u1 = u2` makes the names one array."""
from __future__ import annotations

import pytest

from paralift.analysis import analyze_source
from paralift.check import check_source
from paralift.rewriting import rewrite_source

SWEEP = """void heat(int steps, int n, double *u1, double *u2) {{
{decl}    for (int t = 0; t < steps; t++) {{
        #pragma omp parallel for
        for (int i = 1; i < n - 1; i++)
            u2[i] = (u1[i-1] + u1[i] + u1[i+1]) / 3.0;
{rebind}
    }}
}}
"""
ROTATIONS = {
    "declared in the loop": ("", "        double *tmp = u1; u1 = u2; u2 = tmp;"),
    "declared before": ("    double *tmp;\n", "        tmp = u1;\n        u1 = u2;\n        u2 = tmp;"),
}


def _verdicts(source: str, language: str = "c") -> list[tuple[int, str, tuple[str, ...]]]:
    fa = analyze_source(source, "k.c" if language == "c" else "k.py", language)
    assert not fa.errors, fa.errors
    return [(v.line, v.verdict, tuple(r.message for r in v.reasons)) for kv in fa.kernels for v in kv.loops]


@pytest.mark.parametrize("name", ROTATIONS)
def test_a_rotation_through_a_temporary_keeps_two_arrays(name):
    decl, rebind = ROTATIONS[name]
    source = SWEEP.format(decl=decl, rebind=rebind)
    (_, time, _), (_, sweep, why) = _verdicts(source)
    assert (time, sweep) == ("sequential", "parallel"), why
    assert not [d for d in check_source(source, "k.c", "c").diagnostics if d.severity.name == "ERROR"]


def test_a_temporary_used_elsewhere_is_not_a_rotation():
    source = SWEEP.format(decl="", rebind="        double *tmp = u1; u1 = u2; u2 = tmp; tmp[0] = 1.0;")
    (_, _, _), (_, sweep, why) = _verdicts(source)
    assert sweep == "sequential"


def test_a_copy_makes_the_names_one_array_and_the_pragma_a_warning_that_says_so():
    """The pragma races once `u1 = u2` has run (from the second step on): a race that
    depends on how often the outer loop runs is not proven, so it is PL106, not PL101."""
    source = SWEEP.format(decl="", rebind="        u1 = u2;")
    (_, sweep, why) = _verdicts(source)[1]
    assert sweep == "sequential"
    assert any("`u1 = u2` at line" in w and "`u1` may be `u2`" in w and "may read" in w for w in why), why
    found = [(d.code, d.severity.name) for d in check_source(source, "k.c", "c").diagnostics]
    assert found == [("PL106", "WARNING")]


def test_python_copies_are_one_array_swaps_two():
    copy = ("def f(a, b, n):\n    b = a\n    for i in range(n - 1):\n        b[i + 1] = a[i] * 2.0\n")
    assert _verdicts(copy, "python")[0][1] == "sequential"
    same = copy.replace("b[i + 1] = a[i]", "b[i] = a[i]")
    assert _verdicts(same, "python")[0][1] == "parallel"
    swap = copy.replace("b = a", "a, b = b, a")
    assert _verdicts(swap, "python")[0][1] == "parallel"


def test_the_rotated_sweep_is_rewritten_and_verified_for_openmp_and_refused_for_cuda():
    source = SWEEP.format(decl="", rebind="        double *tmp = u1; u1 = u2; u2 = tmp;").replace(
        "        #pragma omp parallel for\n", "")
    omp = rewrite_source(source, "k.c", target="openmp")
    assert "#pragma omp parallel for" in omp.result
    assert all(v.ok for v in omp.verdicts), [v.summary() for v in omp.verdicts]
    cuda = rewrite_source(source, "k.c", target="cuda", check=False)
    assert "__global__" not in cuda.result
    assert any("rebound in the function" in s.reason for p in cuda.plans for s in p.skipped)
