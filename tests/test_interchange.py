"""Interchange (passes/interchange.py, backends/interchange.py) against brute force: on
random nests of a loop over `j` with statements around an inner loop over `k`, whenever
the analysis offers to split and swap, the transformed text run as plain Python computes
exactly what the original does (each element sees its updates in the same order, so
even floats agree to the bit)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paralift.analysis import analyze_source
from paralift.backends import wavefront
from paralift.passes import verdict

OFFSET = st.integers(-1, 1)


@st.composite
def subscript(draw):
    """Two subscripts over `j`, `k` and a constant, `k` before `j` more often than not (a
    column walk, what interchange is for)."""
    pick = draw(st.sampled_from(["kj", "kj", "jk", "kc", "cj", "jc", "ck"]))
    parts = []
    for ch in pick:
        if ch == "c":
            parts.append(str(draw(st.integers(0, 2))))
        else:
            o = draw(OFFSET)
            parts.append(ch if o == 0 else f"{ch} + {o}" if o > 0 else f"{ch} - {-o}")
    return ", ".join(parts)


@st.composite
def nests(draw):
    arrays = ("A", "B")
    def access(_):
        return f"{draw(st.sampled_from(arrays))}[{draw(subscript())}]"

    inner = []
    for _ in range(draw(st.integers(1, 2))):
        op = draw(st.sampled_from(["=", "+="]))
        inner.append(f"{access(draw)} {op} 0.5 * {access(draw)} + {access(draw)} + 1.0")
    edge = lambda: f"{draw(st.sampled_from(arrays))}[{draw(st.sampled_from(['j', 'j + 1', '0']))}, " \
                   f"{draw(st.sampled_from(['j', 'j - 1', '1']))}] = 0.25 * A[1, j] + 2.0"
    before = [edge() for _ in range(draw(st.integers(0, 1)))]
    after = [edge() for _ in range(draw(st.integers(0, 1)))]
    lines = (["def kernel(A, B, n):", "    for j in range(1, n - 1):"] + [f"        {s}" for s in before]
             + ["        for k in range(1, n - 1):"] + [f"            {s}" for s in inner]
             + [f"        {s}" for s in after])
    return "\n".join(lines) + "\n"


def _run(source: str, n: int):
    ns: dict = {}
    exec(compile(source, "k.py", "exec"), ns)
    rng = np.random.default_rng(n)
    A, B = rng.random((n + 1, n + 1)), rng.random((n + 1, n + 1))
    ns["kernel"](A, B, n)
    return A, B


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nests())
def test_an_interchange_computes_what_the_original_does(source):
    with pytest.MonkeyPatch.context() as mp:
        # offer the swap wherever it is legal and walks more accesses along rows, not only
        # where it costs no parallel loop (the nest here is the whole function)
        mp.setattr(verdict, "_swap_keeps_parallelism", lambda v, inside: True)
        fa = analyze_source(source, "k.py")
    if not any(v.interchange for kv in fa.kernels for v in kv.loops):
        return
    text, _ = wavefront.transformed(fa, source, None, "all")
    assert text != source
    for n in (3, 5, 8):
        for want, got in zip(_run(source, n), _run(text, n)):
            assert np.array_equal(want, got), (source, text)


def test_the_split_and_swap_is_offered_where_it_pays_and_is_legal():
    source = (Path(__file__).parent / "golden" / "transform" / "interchange.py").read_text()
    fa = analyze_source(source, "k.py")
    offered = {kv.kernel.name: (v.interchange.outer.var, v.interchange.inner.var, bool(v.interchange.before))
               for kv in fa.kernels for v in kv.loops if v.interchange}
    assert offered == {"two_mm": ("j", "k", True), "covariance": ("j", "k", True)}
    # `syrk` would walk both `A`s along rows, but its innermost loop would then add into one
    # element of C in memory, each step waiting for the last (measured 4% slower in Numba);
    # `carried` reads A[k - 1, j + 1]: forward in `j`, backward in `k`; `mean_of_columns`'
    # `j` is the loop that runs in parallel, and would move inside


@pytest.mark.parametrize("name", ["interchange.py", "interchange.c"])
def test_every_interchange_is_verified_against_the_original(name):
    from paralift.rewriting import rewrite_source
    case = Path(__file__).parent / "golden" / "transform" / name
    res = rewrite_source(case.read_text(), str(case), check=True)
    assert not res.refused, [v.summary() for v in res.refused]
    assert "moved outside" in res.result
    want = {"two_mm", "syrk", "covariance", "carried", "mean_of_columns"} if name.endswith(".py") else {"mm"}
    assert {v.function for v in res.verdicts} == want


# ---------------------------------------------------------------- the same in C, through gcc
import re
import shutil
import subprocess

DRIVER = r"""
#include <stdio.h>
void kernel(int n, double A[n + 1][n + 1], double B[n + 1][n + 1]);
int main(void) {
    for (int n = 3; n <= 8; n += 5) {
        double A[n + 1][n + 1], B[n + 1][n + 1];
        for (int i = 0; i <= n; i++)
            for (int j = 0; j <= n; j++) { A[i][j] = (i * 7 + j * 3) % 11 / 11.0; B[i][j] = (i * 5 + j) % 13 / 13.0; }
        kernel(n, A, B);
        for (int i = 0; i <= n; i++)
            for (int j = 0; j <= n; j++) printf("%a %a\n", A[i][j], B[i][j]);
    }
    return 0;
}
"""


def _as_c(source: str) -> str:
    """The Python nest as C: `A[j + 1, k]` -> `A[j + 1][k]`, `range` loops -> `for`, braces."""
    out = ["void kernel(int n, double A[n + 1][n + 1], double B[n + 1][n + 1]) {"]
    depth = 0
    for line in source.splitlines()[1:]:
        indent = (len(line) - len(line.lstrip())) // 4
        while depth >= indent:
            out.append("    " * depth + "}")
            depth -= 1
        text = re.sub(r"\[([^\]]*), ([^\]]*)\]", r"[\1][\2]", line.strip())
        loop = re.match(r"for (\w) in range\(1, n - 1\):", text)
        if loop:
            out.append("    " * indent + f"for (int {loop.group(1)} = 1; {loop.group(1)} < n - 1; {loop.group(1)}++) {{")
            depth = indent
        else:
            out.append("    " * indent + text + ";")
    while depth >= 1:
        out.append("    " * depth + "}")
        depth -= 1
    return "\n".join(out + ["}"]) + "\n"


def _run_c(code: str, tmp: Path) -> str:
    (tmp / "k.c").write_text(code)
    (tmp / "main.c").write_text(DRIVER)
    subprocess.run(["gcc", "-O1", "-o", str(tmp / "k"), str(tmp / "k.c"), str(tmp / "main.c")], check=True,
                   capture_output=True)
    return subprocess.run([str(tmp / "k")], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nests())
def test_a_c_interchange_computes_what_the_original_does(source):
    import tempfile
    code = _as_c(source)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(verdict, "_swap_keeps_parallelism", lambda v, inside: True)
        fa = analyze_source(code, "k.c", "c")
    if not any(v.interchange for kv in fa.kernels for v in kv.loops):
        return
    text, _ = wavefront.transformed(fa, code, None, "all")
    assert "moved outside" in text
    with tempfile.TemporaryDirectory() as tmp:
        assert _run_c(text, Path(tmp)) == _run_c(code, Path(tmp)), (code, text)
