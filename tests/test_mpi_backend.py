"""The MPI backend: golden output, and every rewritten kernel under mpiexec -n 1..4."""
from __future__ import annotations

from pathlib import Path

import pytest

import golden_support
from paralift.rewriting import rewrite_source
from paralift.verify.mpitester import mpiexec, verify_mpi

CASES = Path(__file__).parent / "golden" / "mpi"
pytestmark = pytest.mark.skipif(mpiexec() is None, reason="no mpiexec (pip install mpich)")


@pytest.mark.parametrize("case", golden_support.inputs(CASES, ".py"), ids=lambda p: p.stem)
def test_golden(case: Path):
    golden_support.check(case, rewrite_source(case.read_text(), case.name, target="mpi", check=False).result)


def test_every_rewritten_kernel_runs_right_on_1_to_4_ranks():
    case = CASES / "kernels.py"
    source = case.read_text()
    res = rewrite_source(source, case.name, target="mpi", check=False)
    kernels = [p.name for p in res.plans if p.loops]
    assert kernels == ["saxpy", "dot", "largest", "matvec", "jacobi_1d", "histogram", "packed", "strided",
                       "last_value", "column_recurrence", "flattened", "doubled"]
    for name in kernels:
        v = verify_mpi(source, res.result, name, case.name, cases=12)
        assert v.ok and v.threads == (1, 2, 3, 4), v.summary()
        assert "trip counts" in v.coverage, v.coverage
    assert "MPI.COMM_WORLD.Allreduce(MPI.IN_PLACE, hist, op=MPI.SUM)" in res.result  # an array reduction


def test_a_reduction_into_one_element_read_elsewhere_reduces_that_element_only():
    """`x[i] -= L[i, j] * x[j]` over j: the loop reads other elements of x, so only x[i]
    may start from zero on the other ranks."""
    source = """
def forward(L, b, x, n):
    for i in range(n):
        x[i] = b[i]
        for j in range(i):
            x[i] -= L[i, j] * x[j]
        x[i] = x[i] / L[i, i]
"""
    res = rewrite_source(source, "f.py", target="mpi", check=False)
    assert "x[i] = MPI.COMM_WORLD.allreduce(x[i], op=MPI.SUM)" in res.result
    assert "x[...]" not in res.result.split("def forward")[1]
    assert verify_mpi(source, res.result, "forward", "f.py", cases=10).ok


def test_time_steps_exchange_halo_rows_and_send_less_than_gathers():
    """jacobi-1d on 4 ranks: each step, an inner rank sends one row to each neighbour
    (2 x 8 bytes) instead of its whole block to every rank after both sweeps."""
    import json
    import subprocess
    import sys

    from paralift.analysis import analyze_source
    from paralift.backends import mpi
    source = (CASES / "kernels.py").read_text()
    halo = rewrite_source(source, "kernels.py", target="mpi", check=False).result
    gather = mpi.rewrite(analyze_source(source, "kernels.py"), source, halo=False).source
    assert "_paralift_halo(a, 1, (n - 1) - (1), 1, 1, MPI.COMM_WORLD)" in halo
    program = """
import json, sys
import numpy as np
from mpi4py import MPI
ns = {}
exec(open(sys.argv[1]).read(), ns)
a = np.arange(42.0) ** 0.5
ns["jacobi_1d"](a, np.zeros(42), 42, 5)
every = MPI.COMM_WORLD.gather([ns["_PARALIFT_SENT"]["halo"], ns["_PARALIFT_SENT"]["gather"], a.sum()])
if MPI.COMM_WORLD.Get_rank() == 0:
    print(json.dumps(every))
"""
    sent = {}
    for name, text in (("halo", halo), ("gather", gather)):
        path = CASES.parent.parent / f".mpi_{name}.py"
        path.write_text(text)
        try:
            out = subprocess.run([mpiexec(), "-n", "4", sys.executable, "-c", program, str(path)],
                                 capture_output=True, text=True, timeout=120, check=True).stdout
        finally:
            path.unlink()
        sent[name] = json.loads(out)
    ranks_halo, ranks_gather = sent["halo"], sent["gather"]
    assert {r[2] for r in ranks_halo} == {r[2] for r in ranks_gather} and len({r[2] for r in ranks_halo}) == 1
    # 40 interior rows over 4 ranks: 10 each. Halo: 5 steps x one 8-byte row per neighbour.
    assert [r[0] for r in ranks_halo] == [5 * 8, 5 * 16, 5 * 16, 5 * 8]
    # and one final gather of a and b: 10 rows x 8 bytes to 3 ranks, twice
    assert [r[1] for r in ranks_halo] == [2 * 10 * 8 * 3] * 4
    # whole-array gathers: after each of the 2 sweeps of the 5 steps
    assert [r[1] for r in ranks_gather] == [5 * 2 * 10 * 8 * 3] * 4


def test_a_wrong_mpi_candidate_is_caught():
    source = (CASES / "kernels.py").read_text()
    good = rewrite_source(source, "kernels.py", target="mpi", check=False).result
    wrong = good.replace("s = MPI.COMM_WORLD.allreduce(s, op=MPI.SUM)", "pass")  # the combine forgotten
    v = verify_mpi(source, wrong, "dot", "kernels.py", cases=8)
    assert not v.ok and "ranks" in v.message


def test_a_loop_no_mpi_case_enters_is_refused_before_any_rank_runs():
    original = "def f(a, n):\n    if n > 1000:\n        for i in range(n):\n            a[i] = 2.0 * a[i]\n"
    v = verify_mpi(original, original, "f", "f.py", cases=8)
    assert not v.ok and v.message == "inputs never entered the loop at line 3"

