"""Analysis throughput on a generated file with 1,000 loop nests.

Run: `pytest benchmarks/ --benchmark-only`. The parse-only benchmark is the baseline in
the same run: the ratio says what the analysis costs on top of reading the code.
"""
from __future__ import annotations

import pytest

from benchmarks.generate import generate
from paralift.analysis import analyze_source
from paralift.frontend.python import parse

NESTS = 1000


@pytest.fixture(scope="module")
def source() -> tuple[str, int]:
    return generate(NESTS)


def test_parse_only(benchmark, source):
    text, _ = source
    module = benchmark.pedantic(parse, args=(text, "gen.py"), rounds=3, iterations=1)
    assert len(module.kernels) == NESTS


def test_analyze(benchmark, source):
    text, loops = source
    from paralift.passes import dependence

    def cold():  # every round pays for every isl query
        dependence._empty.cache_clear()
        dependence._single_value.cache_clear()
        return analyze_source(text, "gen.py")

    result = benchmark.pedantic(cold, rounds=3, iterations=1)
    assert sum(len(k.loops) for k in result.kernels) == loops
    benchmark.extra_info["loops"] = loops
    benchmark.extra_info["loops_per_second"] = round(loops / benchmark.stats.stats.mean)
