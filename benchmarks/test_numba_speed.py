"""pytest-benchmark form of the Numba benchmarks: njit serial, paralift's output, hand prange.

Run: `pytest benchmarks/test_numba_speed.py --benchmark-only --benchmark-group-by=param:kernel`;
within each group, the njit serial row is the baseline of the ratios. Pure Python and the
table/chart come from `benchmarks/numba_report.py`.
"""
from __future__ import annotations

import copy

import numba
import pytest

from benchmarks import hand_prange, numba_kernels
from benchmarks.numba_kernels import KERNELS, make_inputs
from benchmarks.numba_report import paralift_module


@pytest.fixture(scope="module")
def generated():
    namespace, _ = paralift_module()
    return namespace


@pytest.mark.parametrize("variant", ["njit serial", "paralift", "hand prange"])
@pytest.mark.parametrize("kernel", KERNELS)
def test_speed(benchmark, generated, kernel, variant):
    fn = {"njit serial": lambda: numba.njit(getattr(numba_kernels, kernel)),
          "paralift": lambda: generated[kernel],
          "hand prange": lambda: getattr(hand_prange, kernel)}[variant]()
    fn(*copy.deepcopy(make_inputs(kernel, "small")))  # compile outside the timing
    args = make_inputs(kernel, "medium")
    benchmark.pedantic(fn, setup=lambda: (copy.deepcopy(args), {}), rounds=5, warmup_rounds=1)
