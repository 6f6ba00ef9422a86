"""Kernels written the way public NumPy code is (tests/realworld/), judged three ways:

1. every loop's verdict against its `# expect:` comment (missed and unsafe counted apart);
2. `paralift rewrite --target numba` verifies and rewrites every function with a parallel
   loop, testing on the file's own `paralift_inputs_<kernel>()` first;
3. the rewrite computes what the hand-parallelized version in tests/realworld/hand/ does,
   on those inputs.
"""
from __future__ import annotations

import copy
import functools
import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from paralift.analysis import analyze_file
from paralift.rewriting import rewrite_source

HERE = Path(__file__).parent / "realworld"
FILES = sorted(HERE.glob("*.py"))
EXPECT = re.compile(r"#\s*expect:\s*(parallel|reduction|sequential)")


def _expected(path: Path) -> dict[int, str]:
    return {n: m.group(1) for n, line in enumerate(path.read_text().splitlines(), 1) if (m := EXPECT.search(line))}


def _rewritable(path: Path) -> set[str]:
    """Functions and methods with a loop expected to run in parallel (a method's loops move
    into compiled helpers, verified against the same loops lifted from the original)."""
    expected = _expected(path)
    fa = analyze_file(path)
    return {kv.kernel.name for kv in fa.kernels
            if any(expected.get(v.line) in ("parallel", "reduction") for v in kv.loops)}


def test_the_corpus_is_big_enough():
    kernels = {(p.name, kv.kernel.name) for p in FILES for kv in analyze_file(p).kernels
               if any(v.line in _expected(p) for v in kv.loops)}
    assert len(kernels) >= 30, len(kernels)
    hands = {(p.name, name) for p in FILES for name in _hand_functions(p)}
    assert len(hands) >= 24


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_verdicts_match_the_expectations(path):
    expected = _expected(path)
    wrong, unsafe = [], []
    for kv in analyze_file(path).kernels:
        for v in kv.loops:
            want = expected.get(v.line)
            if want is None or want == v.verdict:
                continue
            where = f"{path.name}:{v.line} {kv.kernel.name}: expected {want}, got {v.verdict}"
            (unsafe if want == "sequential" else wrong).append(where + f" {[r.message for r in v.reasons][:2]}")
    assert not unsafe, unsafe
    assert not wrong, wrong


# Rightly refused: the rewrite differs from the original on some input (what the tester
# found, as the refusal says it).
REFUSED = {
    # `int((v - lo) / width)` with `hi == lo`: Python raises, a prange loop computes on
    "histogram": "the original raises",
}


@functools.cache
def _verified(path: Path):
    return rewrite_source(path.read_text(), str(path), check=True)


@pytest.mark.parametrize("path", [p for p in FILES if _rewritable(p)], ids=lambda p: p.stem)
def test_every_parallel_function_gets_a_verified_rewrite(path):
    res = _verified(path)
    refused = {v.function: v.summary() for v in res.refused}
    for name, why in REFUSED.items():
        if name in refused:
            assert why in refused.pop(name)
    assert not (refused.keys() & _rewritable(path)), refused
    verified = {v.function for v in res.verdicts if v.ok}
    assert _rewritable(path) - REFUSED.keys() <= verified, {p.name: [s.reason for s in p.skipped] for p in res.plans}


def _hand_functions(path: Path) -> list[str]:
    hand = HERE / "hand" / path.name
    if not hand.exists():
        return []
    return [m.group(1) for m in re.finditer(r"^def (\w+)\(", hand.read_text(), re.M) if not m.group(1).startswith("_")]


def _load(name: str, source: str, where: Path):
    spec = importlib.util.spec_from_loader(name, loader=None, origin=str(where))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    exec(compile(source, str(where), "exec"), module.__dict__)
    return module


@pytest.mark.parametrize("path", [p for p in FILES if _hand_functions(p)], ids=lambda p: p.stem)
def test_the_rewrite_computes_what_the_hand_version_does(path):
    rewritten = _verified(path).result
    ours = _load(f"rw_{path.stem}", rewritten, path)
    hand = _load(f"hand_{path.stem}", (HERE / "hand" / path.name).read_text(), HERE / "hand" / path.name)
    compared = 0
    for name in _hand_functions(path):
        if name in REFUSED:
            continue  # left as it was: nothing of ours to compare
        for args in getattr(ours, f"paralift_inputs_{name}")():
            a, b = copy.deepcopy(list(args)), copy.deepcopy(list(args))
            got, want = getattr(ours, name)(*a), getattr(hand, name)(*b)
            for x, y in zip([got, *a], [want, *b]):
                if isinstance(x, np.ndarray) or isinstance(y, np.ndarray) or isinstance(x, float):
                    assert np.allclose(x, y, rtol=1e-9, atol=1e-12), (name, x, y)
            compared += 1
    assert compared >= 3


@pytest.mark.parametrize("target", ["cuda", "mpi"])
def test_already_decorated_kernels_take_the_other_targets(target):
    """`@nb.njit` kernels: the launching (or distributing) function loses the decorator."""
    path = HERE / "decorated.py"
    res = rewrite_source(path.read_text(), str(path), target=target, check=True)
    assert not res.refused, [v.summary() for v in res.refused]
    assert {"saxpy", "dot"} <= {v.function for v in res.verdicts if v.ok}
    assert "@nb.njit\ndef saxpy" not in res.result and "import numba\n" not in res.result
