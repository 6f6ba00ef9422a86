"""OpenMP target offload: golden output, and every offloaded function verified through
gcc's host fallback (the same C tester as OpenMP)."""
from __future__ import annotations

from pathlib import Path

import pytest

import golden_support
from paralift.rewriting import rewrite_source
from paralift.verify.sessions import offload_devices

CASES = Path(__file__).parent / "golden" / "offload"
INPUTS = golden_support.inputs(CASES, ".c")


@pytest.mark.parametrize("case", INPUTS, ids=lambda p: p.stem)
def test_golden_and_verified(case: Path):
    res = rewrite_source(case.read_text(), case.name, target="offload")
    golden_support.check(case, res.result)
    offloaded = {p.name for p in res.plans if p.loops}
    assert offloaded == {v.function for v in res.verdicts if v.ok} and not res.refused
    if not offload_devices():  # gcc's host fallback: the outputs prove the loops, not the maps
        assert all(any("map sections were not exercised" in w for w in v.warnings) for v in res.verdicts)
    skipped = {p.name: p.skipped[0].reason for p in res.plans if not p.loops and p.skipped}
    assert "counter stepped" in skipped["pack"] and "cannot bound" in skipped["gather"]


def test_offloading_the_output_again_changes_nothing():
    once = golden_support.expected(CASES / "kernels.c").read_text()
    assert rewrite_source(once, "kernels.c", target="offload", check=False).result == once


def test_offload_is_c_only():
    res = rewrite_source("def f(a, n):\n    for i in range(n):\n        a[i] = 0\n", "f.py", target="offload")
    assert not res.changed and res.errors[0].code == "PL005" and "c files, not python" in res.errors[0].message


def test_the_checker_reads_every_targets_parallel_syntax():
    from paralift import targets
    from paralift.check import _PRAGMA, _PRANGE, check_source
    for t in targets.TARGETS.values():
        if t.syntax.startswith("#pragma"):
            assert _PRAGMA.match(t.syntax + " private(t)"), t.name
        elif t.syntax:
            assert _PRANGE.search(f"for i in {t.syntax}(n):"), t.name
    out = golden_support.expected(CASES / "kernels.c").read_text()
    assert check_source(out, "k.c", "c").checked == 5
    racy = out.replace("b[i] = (a[i - 1]", "b[i] = (b[i - 1]")
    assert [d.code for d in check_source(racy, "k.c", "c").diagnostics] == ["PL101"]


def test_a_models_offload_answer_goes_through_the_exact_session_with_the_same_caveat():
    from paralift.translator_model.loop import translate_source
    from paralift.translator_model.translators import PipelineTranslator
    source = ("void saxpy(int n, double a, const double *x, double *y) {\n"
              "    for (int i = 0; i < n; i++)\n        y[i] = a * x[i] + y[i];\n}\n")
    res = translate_source(source, "s.c", "offload", PipelineTranslator("offload"), attempts=1)
    (attempt,) = res.functions[0].attempts
    assert attempt.stage == "verified" and "map(tofrom: y[0:n])" in res.result
    assert offload_devices() or "map sections were not exercised" in attempt.message
