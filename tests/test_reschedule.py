"""Rescheduling (passes/reschedule.py, backends/scheduled.py) against brute force.

Random triangular nests in the style of lu and cholesky (rows `i`, columns `j` below or
above the diagonal, updates over `k`, a division by the diagonal): whenever the analysis
reschedules, the new text, with its parallel loop run backwards (what parallel threads
may also do), computes bit for bit what the original does, as Python and as C through
gcc. Each element's updates keep their order (the dataflow between them is part of the
schedule's check), so even rounding agrees."""
from __future__ import annotations

import ctypes
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from order_support import as_c, backwards, compiled

from paralift.analysis import analyze_source
from paralift.backends import wavefront

GOLDEN = Path(__file__).parent / "golden" / "transform"


@st.composite
def triangles(draw):
    """lu's shape, varied: rows `i`; below the diagonal (`j < i`) updates over `k` and a
    division, on or above it updates over `k < i` or (cholesky's) the diagonal's update and
    a statement of `i` alone; the parts optional, the subscripts, bounds and divisors drawn
    (most variants are not lu or cholesky, and many have no parallel order)."""
    def update(bound: str) -> list[str]:
        a, b = draw(st.sampled_from([("i, k", "k, j")] * 6 + [("i, k", "j, k"), ("k, i", "k, j"), ("i, k", "k, i")]))
        target = draw(st.sampled_from(["i, j"] * 5 + ["j, i"]))
        return [f"            for k in range({bound}):", f"                A[{target}] -= A[{a}] * A[{b}]"]
    lines = ["def kernel(A, n):", "    for i in range(n):", "        for j in range(i):"]
    lines += update(draw(st.sampled_from(["j"] * 4 + ["i"])))
    if draw(st.integers(0, 3)):
        lines.append(f"            A[i, j] /= A[{draw(st.sampled_from(['j, j', 'j, j', 'i, i']))}] + 3.0")
    if draw(st.integers(0, 3)):
        lines += [f"        for j in range({draw(st.sampled_from(['i', 'i', 'i + 1']))}, n):"] + update("i")
    elif draw(st.integers(0, 1)):   # cholesky's diagonal: an update over `k`, then a statement in `i` alone
        lines += ["        for k in range(i):", "            A[i, i] -= A[i, k] * A[i, k]",
                  "        A[i, i] = A[i, i] * 0.5 + 1.0"]
    return "\n".join(lines) + "\n"


def _rescheduled(source: str, language: str) -> tuple[str, int] | None:
    """The rescheduled text and the line of its parallel loop, if the analysis reschedules."""
    fa = analyze_source(source, f"k.{'c' if language == 'c' else 'py'}", language)
    if not any(v.reschedule for kv in fa.kernels for v in kv.loops):
        return None
    text, applied = wavefront.transformed(fa, source, None, "auto")
    assert "rescheduled" in text and len(applied) == 1, text
    return text, applied[0].line


def _run(source: str, n: int) -> np.ndarray:
    ns: dict = {}
    exec(compile(source, "k.py", "exec"), ns)
    A = np.random.default_rng(n).random((n, n)) + 1.0
    ns["kernel"](A, n)
    return A


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(triangles())
def test_a_new_order_computes_what_the_original_does(source):
    found = _rescheduled(source, "python")
    if found is None:
        return
    text, line = found
    for n in (1, 4, 9):
        want = _run(source, n)
        for version in (text, backwards(text, line, "python")):
            assert np.array_equal(want, _run(version, n), equal_nan=True), (source, version)


LU = """def lu(A, n):
    for i in range(n):
        for j in range(i):
            for k in range(j):
                A[i, j] -= A[i, k] * A[k, j]
            A[i, j] /= A[j, j]
        for j in range(i, n):
            for k in range(i):
                A[i, j] -= A[i, k] * A[k, j]
"""


def test_lu_runs_right_looking_with_the_rows_in_parallel():
    text, line = _rescheduled(LU, "python")
    assert "loop order k, i, j" in text
    assert text.split("\n")[line - 1].lstrip().startswith("for i in range(")   # the user's name: `i` in every statement
    A = np.random.default_rng(1).random((12, 12)) + 12 * np.eye(12)
    want, got = A.copy(), A.copy()
    ns: dict = {}
    exec(compile(LU, "k.py", "exec"), ns)
    ns["lu"](want, 12)
    exec(compile(backwards(text, line, "python"), "k.py", "exec"), ns)
    ns["lu"](got, 12)
    assert np.array_equal(want, got)


CHOLESKY = """def cholesky(A, n):
    for i in range(n):
        for j in range(i):
            for k in range(j):
                A[i, j] -= A[i, k] * A[j, k]
            A[i, j] /= A[j, j]
        for k in range(i):
            A[i, i] -= A[i, k] * A[i, k]
        A[i, i] = A[i, i] ** 0.5
"""


def test_cholesky_keeps_its_order():
    """Right-looking, a row's update reads rows above it scaled in the same step: no loop
    of the scheduler's single band is free of dependences. (In phases, the column scaled
    first and the update's rows in parallel, it measured 0.16x of serial: the dot
    products of the row-by-row form become a stream over the whole trailing matrix.)"""
    assert _rescheduled(CHOLESKY, "python") is None


def test_a_nest_whose_work_is_all_in_parallel_loops_keeps_its_order():
    source = """def rows(A, B, n):
    for i in range(n):
        for j in range(n):
            for k in range(n):
                A[i, j] += B[i, k] * B[k, j]
"""
    assert _rescheduled(source, "python") is None


def _run_c(text: str, n: int, work: Path, tag: str) -> np.ndarray:
    A = np.ascontiguousarray(np.random.default_rng(n).random((n, n)) + 1.0)
    compiled(text, work, tag).kernel(ctypes.c_int(n), A.ctypes.data_as(ctypes.c_void_p))
    return A


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(triangles())
def test_c_a_new_order_computes_what_the_original_does(source):
    source = as_c(source, "void kernel(int n, double A[n][n])")
    found = _rescheduled(source, "c")
    if found is None:
        return
    text, line = found
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        want = _run_c(source, 9, work, "original")
        for tag, version in (("new", text), ("backwards", backwards(text, line, "c"))):
            assert np.array_equal(want, _run_c(version, 9, work, tag), equal_nan=True), (source, version)


@pytest.mark.parametrize("name", ["reschedule.py", "reschedule.c"])
def test_every_new_order_is_verified_against_the_original(name):
    from paralift.rewriting import rewrite_source
    case = GOLDEN / name
    res = rewrite_source(case.read_text(), str(case), check=True)
    assert not res.refused, [v.summary() for v in res.refused]
    assert "rescheduled to the loop order" in res.result


def test_analyze_says_which_nests_a_new_order_makes_parallel():
    from paralift.report import file_json, render_lines
    fa = analyze_source((GOLDEN / "reschedule.py").read_text(), "reschedule.py")
    hints = {k["name"]: v["reschedule"] for f in [file_json(fa)] for k in f["kernels"] for v in k["loops"]
             if "reschedule" in v}
    # cholesky's new order has no loop free of dependences; gemm_like runs in parallel as written
    assert hints == {"lu": {"kind": "reschedule", "order": ["k", "i", "j"], "parallel": "i",
                            "message": hints["lu"]["message"]}}
    assert any("hint: parallel after rescheduling" in line for line in render_lines(fa))


def test_a_nest_inside_a_parallel_loop_is_not_rescheduled(monkeypatch):
    """lu per batch: the batches run in parallel already; a parallel loop inside gains
    nothing, so the scheduler is not even asked (the editor runs this analysis)."""
    from paralift.passes import verdict
    asked = []
    real = verdict.reschedule
    monkeypatch.setattr(verdict, "reschedule", lambda loop, *a: asked.append(loop.var) or real(loop, *a))
    body = LU.replace("def lu(A, n):\n", "").replace("A[", "B[p, ")
    batched = "def batched(A, B, n, b):\n    for p in range(b):\n" + "".join("    " + x + "\n" for x in body.splitlines())
    fa = analyze_source(batched, "k.py")
    verdicts = {v.loop.var: v.verdict for kv in fa.kernels for v in kv.loops if v.depth <= 1}
    assert verdicts == {"p": "parallel", "i": "sequential"} and asked == []
    analyze_source(LU, "k.py")
    assert asked == ["i"]
