"""What the translate loop costs per candidate at default settings: gate and tester, for
every target and language, on a candidate that passes and on one that fails (a failure
also costs the counterexample search and its shrinking). The budget is 10 s a candidate.

Run: `pytest benchmarks/test_tester_cost.py --benchmark-only --benchmark-group-by=param:case`,
or `python benchmarks/test_tester_cost.py` for the table with each mean as a share of the
budget. The model is a fixed answer, so only paralift's own work is timed.
"""
from __future__ import annotations

import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import pytest

from paralift.rewriting import rewrite_source
from paralift.translator_model.loop import translate_source
from paralift.verify import sandbox

BUDGET_S = 10.0
PY = """import numpy as np


def saxpy(a, x, y, n):
    for i in range(n):
        y[i] = a * x[i] + y[i]


def row_sums(A, out, n, m):
    for i in range(n):
        s = 0.0
        for j in range(m):
            s += A[i, j] * A[i, j]
        out[i] = s


def blur(src, dst, n, m):
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            dst[i, j] = (src[i - 1, j] + src[i + 1, j] + src[i, j - 1] + src[i, j + 1]) * 0.25
"""
C = """void saxpy(int n, double a, const double *x, double *y) {
    for (int i = 0; i < n; i++)
        y[i] = a * x[i] + y[i];
}

void row_sums(int n, int m, const double A[n][m], double *out) {
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int j = 0; j < m; j++)
            s += A[i][j] * A[i][j];
        out[i] = s;
    }
}

void blur(int n, int m, const double src[n][m], double dst[n][m]) {
    for (int i = 1; i < n - 1; i++)
        for (int j = 1; j < m - 1; j++)
            dst[i][j] = (src[i - 1][j] + src[i + 1][j] + src[i][j - 1] + src[i][j + 1]) * 0.25;
}
"""
FUNCTIONS = ("saxpy", "row_sums", "blur")
CASES = [(t, lang) for t, lang in [("numba", "python"), ("openmp", "c"), ("cuda", "python"), ("cuda", "c"),
                                   ("mpi", "python"), ("mpi", "c")]]


class Fixed:
    """A model that always answers with the same whole file: trusted like paralift's own
    pipeline, so it runs without the sandbox."""
    name = "fixed"
    returns_file = True

    def __init__(self, text: str):
        self.text = text

    def complete(self, messages):
        return f"```\n{self.text}\n```"


def candidates(target: str, language: str) -> tuple[str, str, str, str]:
    source, path = (PY, "k.py") if language == "python" else (C, "k.c")
    good = rewrite_source(source, path, target=target, check=False).result
    bad = good.replace("a * x[i]", "a + x[i]", 1)  # a wrong saxpy the tester must catch
    assert bad != good
    return source, path, good, bad


def one_candidate(source: str, path: str, target: str, answer: str, function: str, sandboxed: bool = True) -> bool:
    """One answer through the loop; `sandboxed` runs everything it starts in the sandbox, as
    a model's reply runs (the whole-file answer itself is paralift's, which a model's reply
    could not be: it has module-level constants)."""
    with sandbox.confined() if sandboxed else nullcontext():
        res = translate_source(source, path, target, Fixed(answer), attempts=1, functions={function})
    return res.functions[0].passed


@pytest.mark.parametrize("mode", ["sandboxed", "trusted"])
@pytest.mark.parametrize("outcome", ["passes", "fails"])
@pytest.mark.parametrize("case", [f"{t}-{lang}" for t, lang in CASES])
def test_cost_per_candidate(benchmark, case, outcome, mode):
    target, language = case.split("-")
    source, path, good, bad = candidates(target, language)
    answer, function = (good, "row_sums") if outcome == "passes" else (bad, "saxpy")
    passed = benchmark.pedantic(one_candidate, args=(source, path, target, answer, function, mode == "sandboxed"),
                                rounds=2, iterations=1)
    assert passed == (outcome == "passes")


def table(rounds: int = 2) -> list[str]:
    """Each candidate's cost run by paralift's own pipeline (trusted) and as a model's reply
    (sandboxed), interleaved so that the machine's load falls on both alike."""
    out = [f"{'target':12s} {'candidate':10s} {'trusted s':>9s} {'sandboxed s':>11s} {'ratio':>6s} {'of budget':>9s}"]
    for target, language in CASES:
        source, path, good, bad = candidates(target, language)
        for outcome, answer, functions in (("passes", good, FUNCTIONS), ("fails", bad, ("saxpy",))):
            times: dict[bool, list[float]] = {True: [], False: []}
            for _ in range(rounds):
                for function in functions:
                    for sandboxed in (False, True):
                        start = time.perf_counter()
                        ok = one_candidate(source, path, target, answer, function, sandboxed)
                        times[sandboxed].append(time.perf_counter() - start)
                        assert ok == (outcome == "passes"), (target, language, function, sandboxed)
            plain, boxed = statistics.mean(times[False]), statistics.mean(times[True])
            out.append(f"{target + '-' + language:12s} {outcome:10s} {plain:9.2f} {boxed:11.2f} "
                       f"{boxed / plain:6.2f} {boxed / BUDGET_S:9.0%}")
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent.parent))
    print("\n".join(table()))
