"""pytest-benchmark form of the transformation benchmark (`transform_bench.py`).

    pytest benchmarks/test_transform_speed.py --benchmark-only

One benchmark per kernel; each of its rounds runs every variant once, interleaved, so a
noisy moment hits all alike. The minimum of each variant and its ratio to njit serial are
in the benchmark's `extra_info` (`--benchmark-json`), and printed (`-s`).
"""
from __future__ import annotations

import pytest

from benchmarks.transform_bench import Timing, compiled, variants
from benchmarks.transform_kernels import KERNELS, make_inputs


@pytest.fixture(scope="module")
def everything():
    return variants()


@pytest.mark.parametrize("kernel", KERNELS)
def test_transform_speed(benchmark, everything, kernel):
    fns, timing = compiled(kernel, everything), Timing(kernel)
    inputs = make_inputs(kernel)
    turns = iter(range(1000))
    benchmark.pedantic(lambda: timing.round(fns, inputs, next(turns)), rounds=5, warmup_rounds=0)
    assert not timing.disagreeing(), timing.disagreeing()
    benchmark.extra_info.update({f"{name} (s)": t for name, t in timing.best.items()})
    benchmark.extra_info.update({f"{name} speedup": r for name, r in timing.ratios().items()})
    print("\n" + timing.line())
