"""Golden tests of the Numba rewrite, its fixed point, and the tester on every golden output.

Regenerate with `PARALIFT_UPDATE_GOLDEN=1 pytest tests/test_numba_backend.py` and review.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import golden_support
from paralift.rewriting import rewrite_source
from paralift.verify.tester import verify
from paralift.verify.worker import Worker

CASES = Path(__file__).parent / "golden" / "numba"
INPUTS = golden_support.inputs(CASES, ".py")


@pytest.mark.parametrize("case", INPUTS, ids=lambda p: p.stem)
def test_golden(case: Path):
    golden_support.check(case, rewrite_source(case.read_text(), case.name, check=False).result)


@pytest.mark.parametrize("case", INPUTS, ids=lambda p: p.stem)
def test_rewriting_the_output_again_changes_nothing(case: Path):
    once = golden_support.expected(case).read_text()
    assert rewrite_source(once, case.name, check=False).result == once


def test_nothing_to_parallelize_comes_out_byte_identical():
    source = (CASES / "unchanged.py").read_bytes().decode()
    res = rewrite_source(source, "unchanged.py", check=False)
    assert not res.changed and res.result.encode() == (CASES / "unchanged.py").read_bytes()


def test_reasons_for_what_stays_sequential():
    res = rewrite_source((CASES / "private.py").read_text(), "private.py", check=False)
    skipped = {p.name: [s.reason for s in p.skipped] for p in res.plans}
    assert "last iteration" in skipped["last_value"][0]
    assert skipped["histogram"] == []  # chunked, with one private histogram per chunk
    res = rewrite_source((CASES / "respell.py").read_text(), "respell.py", check=False)
    plans = {p.name: p for p in res.plans}
    assert "cannot reduce with `|`" in plans["bitwise"].skipped[0].reason
    assert "updated by 2 statements" in plans["updated_twice"].skipped[0].reason


@pytest.mark.parametrize("case", [c for c in INPUTS if c.stem != "unchanged"], ids=lambda p: p.stem)
def test_every_golden_rewrite_passes_the_tester(case: Path):
    source = case.read_text()
    res = rewrite_source(source, case.name, check=False)
    kernels = [p.name for p in res.plans if p.loops and not p.method]
    if any(p.method for p in res.plans if p.loops):  # through their helpers, against the lifted loops
        checked = rewrite_source(source, case.name, check=True)
        assert not checked.refused and checked.result == res.result, [v.summary() for v in checked.refused]
        return
    with Worker() as worker:
        assert worker.request(("load", res.result, case.name))[0] == "ok"
        for name in kernels:
            v = verify(source, res.result, name, case.name, cases=12, worker=worker)
            assert v.ok, v.summary()


def test_a_loop_is_lifted_only_when_the_call_cannot_fail_where_the_loop_would_not():
    source = '''class M:
    def step(self, a, flag):
        if flag:
            t = 2.0
        for i in range(a.shape[0]):
            if flag:
                a[i] = t

    def nested(self, a, out):
        for t in range(out.shape[0]):
            acc = 0.0
            for i in range(a.shape[0]):
                acc += a[i] * t
            out[t] = acc + self.k
'''
    res = rewrite_source(source, "m.py", check=False)
    plans = {p.name: p for p in res.plans}
    assert "`t` may be unset when the loop starts" in plans["M.step"].skipped[0].reason
    assert plans["M.nested"].loops and "_paralift_M_nested(a, out, self.k)" in res.result


def test_a_helper_before_the_files_first_function_leaves_two_blank_lines():
    """The helper goes above the function it was lifted from: PEP 8's two blank lines
    between them even where the function had none above it (the file's first line)."""
    source = '''def k(A, B, C, n):
    for i in range(n):
        B[i] = A[i] * 2.0
    else:
        C[0] = 1.0
    for i in range(n):
        C[i] = B[i] + A[i]
'''
    res = rewrite_source(source, "k.py", check=False)
    assert "        C[i] = B[i] + A[i]\n\n\ndef k(" in res.result, res.result
