"""Tiling (passes/tiling.py, backends/tiling.py) against brute force: on random nests of a
loop over `i` whose body runs statements around a `k` loop over `j` rows, whenever the
analysis tiles, the tiled text (strips of 8 `i` by 8 `k`, the cache set tiny so that
the model always wants tiles) computes bit for bit what the original does, as Python and
as C through gcc."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_interchange import _as_c as _nest_as_c

from paralift.analysis import analyze_source
from paralift.backends import wavefront
from paralift.passes import cost

OFFSET = st.integers(-1, 1)
GOLDEN = Path(__file__).parent / "golden" / "transform"


def _at(var: str, o: int) -> str:
    return var if o == 0 else f"{var} + {o}" if o > 0 else f"{var} - {-o}"


@st.composite
def nests(draw):
    """`for i: [before] for k: for j: C[..] op= A[..] * B[k, j] [after]`, offsets random."""
    def sub(a: str, b: str) -> str:
        return f"{_at(a, draw(OFFSET))}, {_at(b, draw(OFFSET))}"
    target = draw(st.sampled_from(["C", "A"]))
    op = draw(st.sampled_from(["+=", "="]))
    core = f"{target}[{sub('i', 'j')}] {op} 0.5 * A[{sub('i', 'k')}] * B[k, j] + 1.0"
    edge = lambda: f"{draw(st.sampled_from(['C', 'A']))}[{sub('i', 'j')}] = 0.25 * C[i, j] + 2.0"
    before = [edge()] if draw(st.booleans()) else []
    after = [edge()] if draw(st.booleans()) else []
    lines = ["def kernel(A, B, C, n):", "    for i in range(1, n - 1):"]
    if before:
        lines += ["        for j in range(1, n - 1):", f"            {before[0]}"]
    lines += ["        for k in range(1, n - 1):", "            for j in range(1, n - 1):", f"                {core}"]
    if after:
        lines += ["        for j in range(1, n - 1):", f"            {after[0]}"]
    return "\n".join(lines) + "\n"


def _tiled(source: str, language: str) -> str | None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PARALIFT_CACHE_SIZE", "64")   # every walk is larger: tile wherever legal
        fa = analyze_source(source, f"k.{'c' if language == 'c' else 'py'}", language)
        if not any(v.tiling for kv in fa.kernels for v in kv.loops):
            return None
        text, _ = wavefront.transformed(fa, source, None, "all")
    assert "in strips of" in text and "pl_" in text, text
    return text


def _run(source: str, n: int):
    ns: dict = {}
    exec(compile(source, "k.py", "exec"), ns)
    rng = np.random.default_rng(n)
    arrays = [rng.random((n + 1, n + 1)) for _ in range(3)]
    ns["kernel"](*arrays, n)
    return arrays


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nests())
def test_a_tiling_computes_what_the_original_does(source):
    text = _tiled(source, "python")
    if text is None:
        return
    for n in (5, 13, 30):   # fewer than a strip, a strip and a bit, several
        for want, got in zip(_run(source, n), _run(text, n)):
            assert np.array_equal(want, got), (source, text)


DRIVER = r"""
#include <stdio.h>
void kernel(int n, double A[n + 1][n + 1], double B[n + 1][n + 1], double C[n + 1][n + 1]);
int main(void) {
    for (int n = 5; n <= 30; n += 25) {
        double A[n + 1][n + 1], B[n + 1][n + 1], C[n + 1][n + 1];
        for (int i = 0; i <= n; i++)
            for (int j = 0; j <= n; j++) { A[i][j] = (i * 7 + j * 3) % 11 / 11.0; B[i][j] = (i * 5 + j) % 13 / 13.0; C[i][j] = (i + j) % 3; }
        kernel(n, A, B, C);
        for (int i = 0; i <= n; i++)
            for (int j = 0; j <= n; j++) printf("%a %a %a\n", A[i][j], B[i][j], C[i][j]);
    }
    return 0;
}
"""


def _as_c(source: str) -> str:
    return _nest_as_c(source).replace("double A[n + 1][n + 1], double B[n + 1][n + 1]) {",
                                     "double A[n + 1][n + 1], double B[n + 1][n + 1], double C[n + 1][n + 1]) {")


def _run_c(code: str, tmp: Path) -> str:
    (tmp / "k.c").write_text(code)
    (tmp / "main.c").write_text(DRIVER)
    subprocess.run(["gcc", "-O1", "-o", str(tmp / "k"), str(tmp / "k.c"), str(tmp / "main.c")], check=True,
                   capture_output=True)
    return subprocess.run([str(tmp / "k")], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nests())
def test_a_c_tiling_computes_what_the_original_does(source):
    code = _as_c(source)
    text = _tiled(code, "c")
    if text is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        assert _run_c(text, Path(tmp)) == _run_c(code, Path(tmp)), (code, text)


def test_the_cache_size_comes_from_the_environment_or_the_machine(monkeypatch):
    monkeypatch.setenv("PARALIFT_CACHE_SIZE", "512K")
    assert cost.cache_size() == 512 * 1024
    monkeypatch.setenv("PARALIFT_CACHE_SIZE", "3145728")
    assert cost.cache_size() == 3 * 1024 * 1024
    monkeypatch.delenv("PARALIFT_CACHE_SIZE")
    machine = cost._machine_caches()
    assert cost.cache_size() == machine.get(2, cost.DEFAULT_CACHE)
    assert all(size > 0 for size in machine.values())


def test_tiles_are_offered_where_a_walk_outgrows_the_cache(monkeypatch):
    monkeypatch.setenv("PARALIFT_CACHE_SIZE", "2M")
    fa = analyze_source((GOLDEN / "tiling.py").read_text(), "tiling.py")
    offered = {kv.kernel.name: (v.tiling.outer.var, v.tiling.inner.var, v.tiling.rows, v.tiling.cols, v.tiling.reused)
               for kv in fa.kernels for v in kv.loops if v.tiling}
    # gemm walks all of B per `i` (~8 MB at the sizes gemm runs at): tiles of 8 by 128 rows
    # of 1000 doubles take 1 MB; `row_sums` walks nothing twice; `carried` reads a row the
    # `k` before wrote, backward in `k` across `i`
    assert offered == {"gemm": ("i", "k", 8, 128, "B")}


@pytest.mark.parametrize("name", ["tiling.py", "tiling.c"])
def test_every_tiling_is_verified_against_the_original(name, monkeypatch):
    from paralift.rewriting import rewrite_source
    monkeypatch.setenv("PARALIFT_CACHE_SIZE", "2M")
    case = GOLDEN / name
    res = rewrite_source(case.read_text(), str(case), check=True)
    assert not res.refused, [v.summary() for v in res.refused]
    assert "in strips of 8" in res.result


def test_strips_a_user_wrote_with_a_named_size_are_parallel():
    source = '''def blocked(A, n):
    bs = 32
    for i0 in range(0, n, bs):
        for i in range(i0, min(i0 + bs, n)):
            A[i] = 2.0 * A[i]


def resized(A, n):
    bs = 32
    for i0 in range(0, n, bs):
        for i in range(i0, min(i0 + bs, n)):
            A[i] = 2.0 * A[i]
        bs = 16
'''
    fa = analyze_source(source, "k.py")
    verdicts = {(kv.kernel.name, v.loop.var): v.verdict for kv in fa.kernels for v in kv.loops}
    # `bs` is a number, so strips of `i0` hold disjoint `i`s
    assert verdicts[("blocked", "i0")] == "parallel"
    # `range` reads its step once, but `bs` changes in the loop: its value at entry is not
    # a number the analysis takes (the loop is sequential anyway, for `bs`)
    assert verdicts[("resized", "i0")] == "sequential"


def test_analyze_says_where_tiles_pay(monkeypatch):
    from paralift.report import file_json, render_lines
    monkeypatch.setenv("PARALIFT_CACHE_SIZE", "2M")
    fa = analyze_source((GOLDEN / "tiling.py").read_text(), "tiling.py")
    (hint,) = [v["tiling"] for f in [file_json(fa)] for k in f["kernels"] for v in k["loops"] if "tiling" in v]
    assert hint["outer"] == "i" and hint["inner"] == "k" and hint["rows"] == 8 and hint["cols"] == 128
    assert hint["reused"] == "B" and hint["cache_bytes"] == 2 << 20
    assert any("hint: faster in tiles: `i` in strips of 8" in line for line in render_lines(fa))


def test_a_file_with_its_own_min_is_not_tiled(monkeypatch):
    monkeypatch.setenv("PARALIFT_CACHE_SIZE", "2M")
    source = "from mylib import min\n\n" + (GOLDEN / "tiling.py").read_text()
    fa = analyze_source(source, "k.py")
    assert any(v.tiling for kv in fa.kernels for v in kv.loops)   # the analysis still says so
    text, _ = wavefront.transformed(fa, source, None, "all")
    assert "pl_i0" not in text   # but the generated bounds would call the file's `min`
