"""A definite reason is true: every proven dependence of the corpus happens when replayed.

`paralift analyze` says two accesses *do* touch one element only with a witness (values of
the parameters and of both iterations); otherwise it says they *may*. Each such reason in
the acceptance corpus, the golden analysis inputs and tests/realworld is replayed on the
witness's values with the loop run as a logged prange (tests/witness_replay.py): the race
must show.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import witness_replay
from paralift.analysis import analyze_file

HERE = Path(__file__).parent
FILES = sorted([*(HERE.parent.parent / "shared" / "acceptance" / "python").glob("*.py"),
                *(HERE / "golden" / "analysis").glob("*.py"), *(HERE / "realworld").glob("*.py")])


def _jobs():
    jobs, skipped = [], []
    for path in FILES:
        source = path.read_text()
        fa = analyze_file(path)
        for kv in fa.kernels:
            for v in kv.loops:
                for reason in v.reasons:
                    if not reason.proven:
                        continue
                    replayed = witness_replay.prange_source(source, v.loop)
                    args = witness_replay.arguments(kv.kernel, reason, fa.module)
                    if args is not None:  # each choice of the free extents is an instance
                        args = [args, witness_replay.arguments(kv.kernel, reason, fa.module, shared=True)]
                    where = f"{path.name}:{v.loop.span.line}: {reason.message}"
                    if replayed is None or args is None:
                        skipped.append(where)
                        continue
                    jobs.append(({"source": replayed, "path": str(path), "function": kv.kernel.name,
                                  "args": args}, where))
    return jobs, skipped


def test_every_proven_dependence_happens_when_replayed():
    jobs, skipped = _jobs()
    assert len(jobs) >= 20, "the corpus should prove dependences"
    results = witness_replay.replay([job for job, _ in jobs])
    failed = [f"{where}\n    -> {got}" for (_, where), got in zip(jobs, results) if not got.startswith("race")]
    assert not failed, "\n".join(failed)
    assert len(skipped) <= len(jobs) // 4, skipped


@pytest.mark.parametrize("claim", ["may read", "may write"])
def test_an_unprovable_dependence_says_may(claim, tmp_path):
    src = tmp_path / "k.py"
    src.write_text("def f(a, b, idx, n):\n    for i in range(n):\n        b[idx[i]] = a[idx[i]]\n"
                   "        a[idx[i] + 1] = 1.0\n")
    reasons = [r.message for kv in analyze_file(src).kernels for v in kv.loops for r in v.reasons]
    assert any(claim in r for r in reasons) or claim == "may read" and any("may" in r for r in reasons), reasons
    assert not any("for example" in r for r in reasons)
