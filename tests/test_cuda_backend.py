"""The CUDA backend for Python: golden output, and every kernel under Numba's CUDA simulator."""
from __future__ import annotations

from pathlib import Path

import pytest

import golden_support
from paralift.rewriting import rewrite_source
from paralift.verify.sessions import CUDA_BLOCKS
from paralift.verify.tester import verify
from paralift.verify.worker import Worker

CASES = Path(__file__).parent / "golden" / "cuda"
SIM = {"NUMBA_ENABLE_CUDASIM": "1"}


def _rewrite(case: Path, check=False):
    return rewrite_source(case.read_text(), case.name, target="cuda", check=check)


@pytest.mark.parametrize("case", golden_support.inputs(CASES, ".py"), ids=lambda p: p.stem)
def test_golden(case: Path):
    golden_support.check(case, _rewrite(case).result)


def test_every_kernel_is_verified_in_the_simulator_with_two_block_sizes():
    res = _rewrite(CASES / "kernels.py", check=True)
    assert not res.refused, [v.summary() for v in res.refused]
    verified = {v.function: v for v in res.verdicts}
    assert set(verified) == {"saxpy", "dot", "largest", "norms", "scale3", "histogram", "column_sums",
                             "jacobi_1d", "clipped", "even_from_odd", "strided", "last_value", "product", "any_equal",
                             "doubled", "rows_scaled"}
    assert all(v.threads == CUDA_BLOCKS and v.unit.startswith("threads per block") for v in verified.values())
    assert "def prefix(a, n):\n    for i in range(1, n):" in res.result  # carried: left alone


def test_statements_sharing_a_line_with_an_update_are_kept_and_verified():
    """`out[i] = a[i] * k; k += 2`: only the update is respelled, the line's other statement
    and its comment stay (the whole line was once replaced by the update)."""
    res = _rewrite(CASES / "one_line.py", check=True)
    assert not res.refused, [v.summary() for v in res.refused]
    assert {v.function for v in res.verdicts} == {"packed", "summed", "counted"}
    assert "out[i] = a[i] * k; k = k_start + 2 * (_g + 1)  # the induction" in res.result


def test_grid_dimensions_and_atomics():
    plans = {p.name: p for p in _rewrite(CASES / "kernels.py").plans}
    assert [len(lp.dims) for lp in plans["scale3"].loops] == [3]
    assert [len(lp.dims) for lp in plans["norms"].loops] == [1]  # the inner loop is a private reduction
    assert [len(lp.dims) for lp in plans["column_sums"].loops] == [2]
    assert plans["dot"].loops[0].scalars[0][:2] == ("+", "s")
    assert plans["saxpy"].resident == ("x", "y") and plans["saxpy"].copy_back == ("y",)
    assert plans["largest"].resident == ()  # `a[0]` is read on the host


def _check(candidate: str, function: str):
    source = (CASES / "kernels.py").read_text()
    with Worker(env=SIM) as worker:
        assert worker.request(("load", candidate, "kernels.py"))[0] == "ok"
        return verify(source, candidate, function, "kernels.py", threads=CUDA_BLOCKS, cases=10,
                      worker=worker, unit="threads per block")


def test_a_grid_that_ignores_the_block_index_is_caught_only_with_several_blocks():
    good = _rewrite(CASES / "kernels.py").result
    wrong = good.replace("""def _paralift_saxpy_kernel(alpha, x, y, _lo0, _n0):
    _g = cuda.grid(1)""", """def _paralift_saxpy_kernel(alpha, x, y, _lo0, _n0):
    _g = cuda.threadIdx.x""")
    assert wrong != good
    v = _check(wrong, "saxpy")
    assert not v.ok and "with 8 threads per block" in v.message and v.counterexample


def test_an_off_by_one_launch_range_is_caught():
    good = _rewrite(CASES / "kernels.py").result
    wrong = good.replace("_paralift_launch(_paralift_jacobi_1d_kernel, ((1, n - 1),), a, b)",
                         "_paralift_launch(_paralift_jacobi_1d_kernel, ((1, n - 2),), a, b)")
    assert wrong != good
    v = _check(wrong, "jacobi_1d")
    assert not v.ok and v.counterexample


def test_the_host_function_accepts_device_arrays():
    import subprocess
    import sys
    program = _rewrite(CASES / "kernels.py").result + '''
import numpy as _np
x, y = _np.arange(5.0), _np.ones(5)
dy = cuda.to_device(y)
saxpy(2.0, cuda.to_device(x), dy, 5)
assert (dy.copy_to_host() == 2 * x + 1).all()
print("ok")
'''
    out = subprocess.run([sys.executable, "-c", program], env={**__import__("os").environ, **SIM},
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]


def test_a_target_the_language_has_not_is_refused_clearly():
    res = rewrite_source("void f(int n, double *a) { for (int i = 0; i < n; i++) a[i] = 0; }", "f.c",
                         target="numba", check=False)
    assert res.result == res.original and "PL005" in res.errors[0].code


def test_a_kernel_the_simulator_runs_but_no_gpu_compiles_is_refused():
    from paralift.verify.sessions import Candidate, cuda
    from paralift.verify.ptx import unavailable
    if unavailable():
        pytest.skip(unavailable())
    source = (CASES / "kernels.py").read_text()
    good = _rewrite(CASES / "kernels.py").result
    wrong = good.replace("        b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0",
                         "        b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0 if str(i) else 0.0")  # str: Python only
    assert wrong != good
    with cuda(Candidate(source, wrong, "kernels.py")) as verify_one:
        v = verify_one("jacobi_1d")
        assert not v.ok and "not on a GPU" in v.message
        assert verify_one("saxpy").unit == "threads per block, PTX for sm_80"
