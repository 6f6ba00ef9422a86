"""Time-tiling (passes/timetile.py, backends/timetile.py) against brute force.

Random time loops over 1-d and 2-d sweeps (one to three statements, stencils of offsets
-1..1 on two arrays, bounds that keep the subscripts in range or do not): whenever the
analysis time-tiles, the tiled text, with the tiles of every front run in reverse order
(what a parallel front may do), computes bit for bit what the original does, as Python
and as C through gcc. The cache is set tiny, so that the model always wants tiles, and
they are small (2 steps by 4), so that there are many of them."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paralift.analysis import analyze_source
from paralift.backends import wavefront
from paralift.passes import polyhedral, timetile

GOLDEN = Path(__file__).parent / "golden" / "transform"
VARS = ("i", "j")


def _at(var: str, o: int) -> str:
    return var if o == 0 else f"{var} + {o}" if o > 0 else f"{var} - {-o}"


@st.composite
def sweeps(draw, language: str = "python"):
    """`for t: for i (: for j): X[..] = c * (Y[..] + ...)`, one nest or several."""
    dims = draw(st.integers(1, 2))
    lows = [draw(st.sampled_from([0, 1, 1, 2])) for _ in range(dims)]
    highs = [draw(st.sampled_from([1, 1, 2])) for _ in range(dims)]

    def sub(offsets) -> str:
        subs = [_at(v, o) for v, o in zip(VARS, offsets)] + (["0"] if language == "c" and dims == 1 else [])
        return ", ".join(subs) if language != "c" else "".join(f"[{x}]" for x in subs)

    def statement() -> str:
        target = draw(st.sampled_from("AB"))
        where = [draw(st.sampled_from([0, 0, 0, 1])) for _ in range(dims)]
        reads = [_element(draw(st.sampled_from("AB")), sub([draw(st.integers(-1, 1)) for _ in range(dims)]), language)
                 for _ in range(draw(st.integers(1, 3)))]
        return f"{_element(target, sub(where), language)} = 0.5 * ({' + '.join(reads)}) + 0.25"
    nests = [[statement() for _ in range(draw(st.integers(1, 2)))] for _ in range(draw(st.integers(1, 2)))]
    if language == "c":
        return _c_sweep(dims, lows, highs, nests)
    lines = ["def kernel(A, B, n, steps):", "    for t in range(steps):"]
    for body in nests:
        for d in range(dims):
            lines.append("    " * (d + 2) + f"for {VARS[d]} in range({lows[d]}, n - {highs[d]}):")
        lines += ["    " * (dims + 2) + s for s in body]
    return "\n".join(lines) + "\n"


def _element(array: str, sub: str, language: str) -> str:
    return f"{array}{sub}" if language == "c" else f"{array}[{sub}]"


def _c_sweep(dims: int, lows: list[int], highs: list[int], nests: list[list[str]]) -> str:
    lines = ["void kernel(int n, int steps, double A[n][n], double B[n][n]) {",
             "    for (int t = 0; t < steps; t++) {"]
    for body in nests:
        for d in range(dims):
            v = VARS[d]
            lines.append("    " * (d + 2) + f"for (int {v} = {lows[d]}; {v} < n - {highs[d]}; {v}++)" +
                         (" {" if d == dims - 1 else ""))
        lines += ["    " * (dims + 2) + x + ";" for x in body] + ["    " * (dims + 1) + "}"]
    return "\n".join(lines + ["    }", "}"]) + "\n"


def _tiled(source: str, language: str, mp) -> str | None:
    mp.setenv("PARALIFT_CACHE_SIZE", "64")   # every step's arrays are larger: tile wherever legal
    fa = analyze_source(source, f"k.{'c' if language == 'c' else 'py'}", language)
    if not any(v.timetile for kv in fa.kernels for v in kv.loops):
        return None
    text, applied = wavefront.transformed(fa, source, None, "auto")
    assert "time-tiled" in text and applied, text
    return text


def _reversed_fronts(text: str, language: str) -> str:
    """Each front's tiles in reverse order: the order a parallel front may also take."""
    if language == "c":
        return re.sub(r"for \(long (pl_tile_\w+) = (.*?); \1 <= (.*?); \1\+\+\)",
                      r"for (long \1 = \3; \1 >= \2; \1--)", text, count=1)
    return re.sub(r"for (pl_tile_\w+) in range\((.*)\):", r"for \1 in reversed(range(\2)):", text, count=1)


def _run(source: str, n: int, steps: int):
    ns: dict = {}
    exec(compile(source, "k.py", "exec"), ns)
    rng = np.random.default_rng(n)
    arrays = [rng.random((n,) * 2) for _ in range(2)]
    ns["kernel"](*arrays, n, steps)
    return arrays


@pytest.fixture(autouse=True)
def small_tiles(monkeypatch):
    monkeypatch.setattr(timetile, "MIN_STEPS", 2)
    monkeypatch.setattr(timetile, "MIN_WIDTH", 4)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(sweeps())
def test_time_tiles_compute_what_the_original_does(monkeypatch, source):
    text = _tiled(source, "python", monkeypatch)
    if text is None:
        return
    backward = _reversed_fronts(text, "python")
    assert backward != text
    for n, steps in ((6, 3), (13, 5), (20, 9)):
        want = _run(source, n, steps)
        for version in (text, backward):
            for w, g in zip(want, _run(version, n, steps)):
                assert np.array_equal(w, g), (source, version)


JACOBI = """def kernel(A, B, n, steps):
    for t in range(steps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j] + A[i - 1, j])
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j] + B[i - 1, j])
"""


def test_jacobi_is_time_tiled_and_each_front_may_run_backwards(monkeypatch):
    text = _tiled(JACOBI, "python", monkeypatch)
    assert text is not None and "2*t + i" in text
    for n, steps in ((7, 4), (19, 11)):
        want = _run(JACOBI, n, steps)
        for w, g in zip(want, _run(_reversed_fronts(text, "python"), n, steps)):
            assert np.array_equal(w, g)


@pytest.mark.parametrize("change, why", [
    ("B[i, j] = 0.2 * (A[i, j]", "a scalar assigned inside"),
    ("for i in range(1, n - 1):\n            for j in range(1, n - 1):\n                B",
     "a subscript that wraps around"),
])
def test_inexact_nests_are_not_time_tiled(monkeypatch, change, why):
    if why == "a scalar assigned inside":
        source = JACOBI.replace("                B[i, j] = 0.2 * (A[i, j]", "                s = 0.2\n                B[i, j] = s * (A[i, j]")
    else:
        source = JACOBI.replace(change, change.replace("range(1, n - 1):\n            for j", "range(0, n - 1):\n            for j"), 1)
    assert source != JACOBI
    assert _tiled(source, "python", monkeypatch) is None, why


def test_a_rebound_array_is_not_time_tiled(monkeypatch):
    source = JACOBI.replace("    for t in range(steps):", "    B = A\n    for t in range(steps):")
    assert _tiled(source, "python", monkeypatch) is None


def test_arrays_that_fit_in_the_cache_are_not_time_tiled(monkeypatch):
    monkeypatch.setenv("PARALIFT_CACHE_SIZE", "1G")
    fa = analyze_source(JACOBI, "k.py", "python")
    assert not any(v.timetile for kv in fa.kernels for v in kv.loops)


def _run_c(text: str, n: int, steps: int, work: Path, tag: str):
    src = work / f"{tag}.c"
    src.write_text(text)
    lib = work / f"{tag}.so"
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True, capture_output=True)
    import ctypes
    fn = ctypes.CDLL(str(lib)).kernel
    rng = np.random.default_rng(n)
    arrays = [np.ascontiguousarray(rng.random((n, n))) for _ in range(2)]
    fn(ctypes.c_int(n), ctypes.c_int(steps), *[a.ctypes.data_as(ctypes.c_void_p) for a in arrays])
    return arrays


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(sweeps("c"))
def test_c_time_tiles_compute_what_the_original_does(monkeypatch, source):
    text = _tiled(source, "c", monkeypatch)
    if text is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        want = _run_c(source, 17, 6, work, "original")
        for tag, version in (("tiled", text), ("backward", _reversed_fronts(text, "c"))):
            for w, g in zip(want, _run_c(version, 17, 6, work, tag)):
                assert np.array_equal(w, g), (source, version)


def test_the_legality_check_refuses_a_backward_dependence_and_one_inside_a_front():
    """`_legal` on hand-made schedules: [front, tile, point]."""
    import islpy as isl
    deps = isl.UnionMap("{ S[x] -> S[x + 1] : 0 <= x < 10 }")
    forward = isl.UnionMap("{ S[x] -> [x, 0, x] }")
    backward = isl.UnionMap("{ S[x] -> [-x, 0, x] }")
    same_front = isl.UnionMap("{ S[x] -> [0, x, x] }")    # every x in one front, x the tile
    assert polyhedral.legal(forward, deps)
    assert not polyhedral.legal(backward, deps)
    assert not polyhedral.legal(same_front, deps)


@pytest.mark.parametrize("name, functions", [("timetile.py", {"jacobi_2d", "fdtd_2d"}), ("timetile.c", None)])
def test_every_time_tiling_is_verified_against_the_original(name, functions):
    from paralift.rewriting import rewrite_source
    case = GOLDEN / name
    res = rewrite_source(case.read_text(), str(case), check=True, functions=functions)
    assert not res.refused, [v.summary() for v in res.refused]
    assert res.result.count("paralift: time-tiled") == (2 if name.endswith(".py") else 1)


def test_analyze_says_which_time_loops_tile_and_why_the_others_do_not():
    from paralift.report import file_json, render_lines
    fa = analyze_source((GOLDEN / "timetile.py").read_text(), "timetile.py")
    hints = {k["name"]: v["timetile"] for f in [file_json(fa)] for k in f["kernels"] for v in k["loops"]
             if "timetile" in v}
    # heat_3d's tiles would run over two space loops (measured slower); `damped` assigns a
    # scalar in the nest; `wraps` reads A[-1], the last row, at i = 0
    assert set(hints) == {"jacobi_2d", "fdtd_2d"}
    assert hints["jacobi_2d"]["loops"] == ["t", "2*t + i"] and hints["jacobi_2d"]["steps"] == 8
    assert hints["fdtd_2d"]["loops"] == ["t", "t + i"] and hints["fdtd_2d"]["statements"] == 3
    assert any("hint: faster after time-tiling" in line for line in render_lines(fa))


def test_transform_none_leaves_time_loops_as_written():
    from paralift.rewriting import rewrite_source
    case = GOLDEN / "timetile.py"
    res = rewrite_source(case.read_text(), str(case), check=False, transform="none")
    assert "time-tiled" not in res.result and "for t in range(tsteps):" in res.result


def test_a_c_sweep_bounded_by_an_unsigned_size_is_not_time_tiled(monkeypatch):
    """`i < n - 1` with `size_t n` wraps around at n = 0; the model's integers do not."""
    source = (GOLDEN / "timetile.c").read_text()
    assert _tiled(source, "c", monkeypatch) is not None
    assert _tiled(source.replace("int tsteps, int n,", "int tsteps, size_t n,"), "c", monkeypatch) is None


@pytest.mark.parametrize("target", ["cuda", "mpi", "offload"])
def test_targets_off_the_cpu_take_the_loops_as_written(target):
    """The transformations' cost model is about CPU threads sharing caches: a GPU kernel
    per tile row, or a message per front, would lose what they gain."""
    from paralift.rewriting import rewrite_source
    case = GOLDEN / "timetile.c"
    res = rewrite_source(case.read_text(), str(case), target=target, check=False)
    assert "time-tiled" not in res.result and "pl_front" not in res.result
