"""Golden tests of the OpenMP rewrite, its fixed point, and the C tester on every output."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import golden_support
from paralift.rewriting import rewrite_source
from paralift.verify.ctester import Build, verify_c

CASES = Path(__file__).parent / "golden" / "openmp"
INPUTS = golden_support.inputs(CASES, ".c")


@pytest.mark.parametrize("case", INPUTS, ids=lambda p: p.stem)
def test_golden(case: Path):
    golden_support.check(case, rewrite_source(case.read_text(), case.name, check=False).result)


@pytest.mark.parametrize("case", INPUTS, ids=lambda p: p.stem)
def test_rewriting_the_output_again_changes_nothing(case: Path):
    once = golden_support.expected(case).read_text()
    assert rewrite_source(once, case.name, check=False).result == once


def test_nothing_to_parallelize_comes_out_byte_identical():
    source = (CASES / "unchanged.c").read_text()
    res = rewrite_source(source, "unchanged.c", check=False)
    assert not res.changed
    reasons = {p.name: [s.reason for s in p.skipped] for p in res.plans}
    assert "`omp atomic` has no `max`" in reasons["running_max"][0]


def _warnings(path: Path, text: str) -> list[str]:
    path.write_text(text)
    proc = subprocess.run(["gcc", "-Wall", "-O2", "-fopenmp", "-c", str(path), "-o", str(path) + ".o"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return sorted(line.split("warning:", 1)[1] for line in proc.stderr.splitlines() if "warning:" in line)


def test_output_compiles_with_wall_and_no_new_warnings(tmp_path: Path):
    for case in INPUTS:
        before = _warnings(tmp_path / "original.c", case.read_text())
        after = _warnings(tmp_path / "rewritten.c", golden_support.expected(case).read_text())
        assert set(after) <= set(before), (case.name, after)


@pytest.mark.parametrize("case, count", [("clauses.c", 8), ("compact.c", 5)])
def test_every_golden_rewrite_passes_the_c_tester(case, count):
    source = (CASES / case).read_text()
    res = rewrite_source(source, case, check=False)
    kernels = [p.name for p in res.plans if p.loops]
    assert len(kernels) == count
    with Build(source, res.result, case) as build:
        for name in kernels:
            v = verify_c(source, res.result, name, case, cases=12, build=build)
            assert v.ok, v.summary()


def test_the_checker_accepts_split_lines_and_atomics():
    from paralift.check import check_source
    out = golden_support.expected(CASES / "compact.c").read_text()
    found = check_source(out, "compact.c", "c").diagnostics
    assert not [d for d in found if d.severity.name in ("ERROR", "WARNING")], [(d.code, d.message) for d in found]
