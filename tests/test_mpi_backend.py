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
    assert kernels == ["saxpy", "dot", "largest", "matvec", "jacobi_1d"]
    for name in kernels:
        v = verify_mpi(source, res.result, name, case.name, cases=12)
        assert v.ok and v.threads == (1, 2, 3, 4), v.summary()
    skipped = {p.name: p.skipped[0].reason for p in res.plans if p.skipped}
    assert "hist" in skipped["histogram"]


def test_a_wrong_mpi_candidate_is_caught():
    source = (CASES / "kernels.py").read_text()
    good = rewrite_source(source, "kernels.py", target="mpi", check=False).result
    wrong = good.replace("s = MPI.COMM_WORLD.allreduce(s, op=MPI.SUM)", "pass")  # the combine forgotten
    v = verify_mpi(source, wrong, "dot", "kernels.py", cases=8)
    assert not v.ok and "ranks" in v.message
