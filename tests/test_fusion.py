"""Fusion of sibling nests (passes/fusion.py, backends/scheduled.py) against brute force.

Random runs of two or three sibling nests over three arrays (1-d or 2-d; bounds that
differ by a row or column; reads of the arrays at offsets -1..1, now and then transposed
or as an update): whenever the analysis fuses, the fused text, and the same with its
parallel loop run backwards (what parallel threads may also do), computes bit for bit
what the original does, as Python and as C through gcc. The cache is set tiny so that
the cost model does not decline what it would decline at small sizes."""
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
ARRAYS = ("A", "B", "C")


@pytest.fixture(autouse=True)
def tiny_cache(monkeypatch):
    monkeypatch.setenv("PARALIFT_CACHE_SIZE", "64")


@st.composite
def siblings(draw):
    """Two or three nests of one depth, each one statement: a target along the innermost
    loop (now and then across it), a sum of one to three reads."""
    depth = draw(st.sampled_from([1, 2, 2]))
    names = ["i", "j"][:depth]
    lines = ["def kernel(A, B, C, n):"]
    for _ in range(draw(st.integers(2, 3))):
        for k, v in enumerate(names):
            lo, hi = draw(st.sampled_from([("1", "n - 1"), ("1", "n - 1"), ("2", "n - 1"), ("1", "n - 2")]))
            lines.append(f"{'    ' * (k + 1)}for {v} in range({lo}, {hi}):")

        def at(offsets: bool) -> str:
            subs = [f"{v} {'+' if d >= 0 else '-'} {abs(d)}" if d else v
                    for v in names for d in [draw(st.integers(-1, 1)) if offsets else 0]]
            return ", ".join(reversed(subs) if depth == 2 and draw(st.integers(0, 5)) == 0 else subs)
        target = f"{draw(st.sampled_from(ARRAYS))}[{at(False)}]"
        reads = [f"{draw(st.sampled_from(ARRAYS))}[{at(True)}]" for _ in range(draw(st.integers(1, 3)))]
        op = draw(st.sampled_from(["=", "=", "+="]))
        lines.append(f"{'    ' * (depth + 1)}{target} {op} {' + '.join(reads)} * 0.5")
    return "\n".join(lines) + "\n", depth


def _fused(source: str, language: str) -> tuple[str, int] | None:
    """The fused text and the line of its parallel loop, if the analysis fuses."""
    fa = analyze_source(source, f"k.{'c' if language == 'c' else 'py'}", language)
    if not any(v.fusion for kv in fa.kernels for v in kv.loops):
        return None
    text, applied = wavefront.transformed(fa, source, None, "auto")
    assert "fused the nests" in text and applied, text
    return text, applied[0].line


def _inputs(n: int, depth: int) -> list[np.ndarray]:
    rng = np.random.default_rng(n)
    return [np.ascontiguousarray(rng.random((n,) * depth)) for _ in ARRAYS]


def _run(source: str, n: int, depth: int) -> list[np.ndarray]:
    ns: dict = {}
    exec(compile(source, "k.py", "exec"), ns)
    arrays = _inputs(n, depth)
    ns["kernel"](*arrays, n)
    return arrays


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(siblings())
def test_fused_nests_compute_what_the_original_does(case):
    source, depth = case
    found = _fused(source, "python")
    if found is None:
        return
    text, line = found
    for n in (3, 6, 11):
        want = _run(source, n, depth)
        for version in (text, backwards(text, line, "python")):
            got = _run(version, n, depth)
            assert all(np.array_equal(a, b) for a, b in zip(want, got)), (source, version)


def test_the_generated_nests_fuse_often_enough_to_test_something():
    """A guard on the property test: a fixed sample of its nests, of which a good share fuse."""
    fused = []

    @settings(max_examples=120, deadline=None, database=None, derandomize=True)
    @given(siblings())
    def sample(case):
        fused.append(_fused(case[0], "python") is not None)
    sample()
    assert sum(fused) >= len(fused) // 10, (sum(fused), len(fused))


def _as_c(source: str, depth: int) -> str:
    dims = "[n]" * depth
    return as_c(source, f"void kernel(int n, double A{dims}, double B{dims}, double C{dims})")


def _run_c(text: str, n: int, depth: int, work: Path, tag: str) -> list[np.ndarray]:
    arrays = _inputs(n, depth)
    compiled(text, work, tag).kernel(ctypes.c_int(n), *(a.ctypes.data_as(ctypes.c_void_p) for a in arrays))
    return arrays


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(siblings())
def test_c_fused_nests_compute_what_the_original_does(case):
    source, depth = case
    source = _as_c(source, depth)
    found = _fused(source, "c")
    if found is None:
        return
    text, line = found
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        want = _run_c(source, 9, depth, work, "original")
        for tag, version in (("new", text), ("backwards", backwards(text, line, "c"))):
            got = _run_c(version, 9, depth, work, tag)
            assert all(np.array_equal(a, b) for a, b in zip(want, got)), (source, version)


@pytest.mark.parametrize("name", ["fusion.py", "fusion.c"])
def test_every_fusion_is_verified_against_the_original(name):
    from paralift.rewriting import rewrite_source
    case = GOLDEN / name
    res = rewrite_source(case.read_text(), str(case), check=True)
    assert not res.refused, [v.summary() for v in res.refused]
    fused = {"blur", "scale_add", "passes"} if name.endswith(".py") else {"scale_add", "passes"}
    assert res.result.count("fused the nests") == len(fused)
    assert fused <= {v.function for v in res.verdicts}


def test_analyze_says_which_nests_fuse():
    from paralift.report import file_json, render_lines
    fa = analyze_source((GOLDEN / "fusion.py").read_text(), "fusion.py")
    hints = {k["name"]: v["fusion"] for f in [file_json(fa)] for k in f["kernels"] for v in k["loops"]
             if "fusion" in v}
    # `transposed` would walk `B` across its rows in one of the two nests
    assert {k: (h["nests"], h["order"], h["parallel"]) for k, h in hints.items()} == {
        "blur": ([11, 15], ["i", "j"], "i"), "scale_add": ([22, 24], ["i"], "i"),
        "passes": ([30, 33, 36], ["i", "j"], "i")}
    assert any("hint: faster fused: the nests at lines 11, 15" in line for line in render_lines(fa))


def test_nests_that_fit_in_the_cache_are_left_apart(monkeypatch):
    """Fusion only saves the trips to memory of arrays larger than the cache."""
    monkeypatch.setenv("PARALIFT_CACHE_SIZE", "1G")
    source = "def kernel(A, B, C):\n" + "".join(
        f"    for i in range(100000):\n        {t}[i] = {s}[i] * 2.0\n" for t, s in (("B", "A"), ("C", "B")))
    fa = analyze_source(source, "k.py")
    assert not any(v.fusion for kv in fa.kernels for v in kv.loops)
    monkeypatch.setenv("PARALIFT_CACHE_SIZE", "64")
    fa = analyze_source(source, "k.py")
    assert [v.fusion.order for kv in fa.kernels for v in kv.loops if v.fusion] == [("i",)]


def test_a_loop_variable_read_outside_its_loop_is_not_modelled():
    """After `for j in ...` ends, `j` holds its last value: a nest reading it there sees
    one number the model would take for a parameter."""
    from paralift.passes import polyhedral as poly
    from paralift.passes.effects import CallEnv
    source = ("def kernel(A, B, n):\n    for i in range(n):\n        for j in range(n):\n"
              "            A[i, j] = 1.0\n        for k in range(j):\n            B[i, k] = A[i, k]\n")
    kv = analyze_source(source, "k.py").kernels[0]
    assert poly.statements(kv.kernel.body[0]) is not None
    assert poly.exact(kv.kernel.body[0], kv.kernel, CallEnv()) is None


CONTEXT = """def kernel(u, v, w, T, n):
    for t in range(T):
        for i in range(n):
            v[i] = u[t, i] * 2.0
        for i in range(n):
            w[i] = v[i] + u[t, i]
        for i in range(n):
            u[t + 1, i] = w[i] * 0.5
"""


def test_the_loops_around_the_nests_bound_the_variables_they_read():
    """`u[t, i]` inside `for t in range(T)`: `t` is at least 0 there, so the subscript does
    not wrap; the three nests of each step fuse, and the result is verified. Where the
    loop's body assigns `t`, nothing is known of it, and the nests stay apart."""
    from paralift.rewriting import rewrite_source
    fa = analyze_source(CONTEXT, "k.py")
    assert [[x.span.line for x in v.fusion.loops] for kv in fa.kernels for v in kv.loops if v.fusion] == [[3, 5, 7]]
    res = rewrite_source(CONTEXT, "k.py", check=True)
    assert not res.refused and "fused the nests at lines 3, 5, 7" in res.result
    for changed in (CONTEXT.replace("    for t in range(T):\n", "    for t in range(T):\n        t = t - 1\n"),
                    CONTEXT.replace("range(T)", "range(-1, T)")):
        fa = analyze_source(changed, "k.py")
        assert not any(v.fusion for kv in fa.kernels for v in kv.loops), changed


def test_nests_inside_loops_that_do_not_fuse_are_fused():
    """Two time loops one after the other do not fuse (the second assigns a scalar); the
    two nests inside the first still do."""
    source = """def kernel(A, B, C, T, n):
    for t in range(T):
        for i in range(n):
            B[i] = A[i] * 2.0 + t
        for i in range(n):
            C[i] = B[i] + A[i]
    for t in range(T):
        s = 0.0
        for i in range(n):
            A[i] = C[i] * 0.5
"""
    fa = analyze_source(source, "k.py")
    assert [[x.span.line for x in v.fusion.loops] for kv in fa.kernels for v in kv.loops if v.fusion] == [[3, 5]]
    text, line = _fused(source, "python")
    assert text.split("\n")[line - 1].strip() == "for i in range(0, n):"


def test_c_loops_named_after_yours_declare_your_type():
    """A new loop takes the user's name only with the type the user's loops declared it
    with (an `int` must wrap where it wrapped); a variable declared before its loops keeps
    its declaration and is set from a `long` loop of paralift's."""
    declared = """void kernel(int n, double x[n], double y[n], double z[n]) {
    for (int i = 0; i < n; i++)
        y[i] = 2.0 * x[i];
    for (int i = 0; i < n; i++)
        z[i] = x[i] + y[i];
}
"""
    text, line = _fused(declared, "c")
    assert text.split("\n")[line - 1].strip() == "for (int i = 0; i < n; i++) {"
    outside = declared.replace("    for (int i = 0;", "    for (i = 0;").replace("{\n", "{\n    int i;\n", 1)
    text, line = _fused(outside, "c")
    assert text.split("\n")[line - 1].strip().startswith("for (long pl_i = 0;") and "i = pl_i;" in text
