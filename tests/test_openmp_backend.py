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
    assert "needs its extent" in reasons["histogram"][0]


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


def test_every_golden_rewrite_passes_the_c_tester():
    source = (CASES / "clauses.c").read_text()
    res = rewrite_source(source, "clauses.c", check=False)
    kernels = [p.name for p in res.plans if p.loops]
    assert len(kernels) == 8
    with Build(source, res.result, "clauses.c") as build:
        for name in kernels:
            v = verify_c(source, res.result, name, "clauses.c", cases=12, build=build)
            assert v.ok, v.summary()
