"""pytest-benchmark form of the C transformation benchmark (`c_transform_bench.py`).

    pytest benchmarks/test_c_transform_speed.py --benchmark-only

One benchmark per kernel; each round runs the three builds once, interleaved. The kernel
time each build reports (its own clock, without start-up), its minimum and its ratio to
gcc -O3 serial are in `extra_info`, and printed (`-s`).
"""
from __future__ import annotations

import shutil

import pytest

from benchmarks.c_transform_bench import KERNELS, LARGE, CTiming, build

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


@pytest.fixture(scope="module")
def exes(tmp_path_factory):
    return build(tmp_path_factory.mktemp("c_transform"))


@pytest.mark.parametrize("kernel", KERNELS)
def test_c_transform_speed(benchmark, exes, kernel):
    timing = CTiming(kernel, LARGE[kernel])
    turns = iter(range(1000))
    benchmark.pedantic(lambda: timing.round(exes, next(turns)), rounds=5, warmup_rounds=0)
    assert not timing.disagreeing(), timing.disagreeing()
    benchmark.extra_info.update({f"{name} (s)": t for name, t in timing.best.items()})
    benchmark.extra_info.update({f"{name} speedup": r for name, r in timing.ratios().items()})
    print("\n" + timing.line())
