"""CUDA C and MPI C from C: golden output, verified candidates, and wrong ones caught."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import golden_support
from paralift.backends.contract import Rewrite
from paralift.rewriting import rewrite_source
from paralift.verify.cudatester import CudaBuilds, nvcc
from paralift.verify.mpitester import mpicc, mpiexec, verify_mpi_c

CUDA = Path(__file__).parent / "golden" / "cuda_c" / "kernels.c"
MPI = Path(__file__).parent / "golden" / "mpi_c" / "kernels.c"
needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="no g++: the CUDA C emulation cannot be built")
OFFLOADED = {"saxpy", "dot", "largest", "matvec", "jacobi_2d", "column_sums", "positive_roots"}


def test_cuda_c_golden():
    res = rewrite_source(CUDA.read_text(), CUDA.name, target="cuda", check=False)
    golden_support.check(CUDA, res.result, suffix=".cu")


@needs_gxx
def test_every_cuda_c_kernel_compiles_and_matches_in_the_emulation():
    res = rewrite_source(CUDA.read_text(), CUDA.name, target="cuda", check=True)
    assert not res.refused, [v.summary() for v in res.refused]
    assert {v.function for v in res.verdicts} == OFFLOADED | {"even_from_odd", "trisolv", "histogram", "induction_variable",
                                                        "pointer_walk", "last_value", "csr_spmv"}
    assert "PL_CHECK(cudaMemcpy(pl_d_x, x, pl_ext_x" in res.result  # x is used by the host too
    assert all(v.threads == (8, 64) for v in res.verdicts)
    # a data-dependent index: the extent copied comes from scanning the index array on the host
    assert "PL_MAX_OF(keys, " in res.result


def _cuda_verify(candidate: str, function: str):
    source = CUDA.read_text()
    with CudaBuilds(source, candidate, CUDA.name) as builds:
        return builds.verify(source, candidate, function, CUDA.name)


def _good_cu() -> str:
    return rewrite_source(CUDA.read_text(), CUDA.name, target="cuda", check=False).result


@needs_gxx
def test_a_kernel_that_ignores_the_block_index_is_caught():
    good = _good_cu()
    start = good.index("void pl_saxpy_kernel")
    line = "long pl_g0 = blockIdx.x * (long)blockDim.x + threadIdx.x;"
    at = good.index(line, start)
    wrong = good[:at] + "long pl_g0 = threadIdx.x;" + good[at + len(line):]
    v = _cuda_verify(wrong, "saxpy")
    assert not v.ok and "8 threads per block" in v.message


@needs_gxx
def test_too_small_a_device_copy_is_caught_by_the_guard_zones():
    good = _good_cu()
    wrong = good.replace("PL_CHECK(cudaMemcpy(y, pl_d_y, pl_ext_y * sizeof *pl_d_y",
                         "PL_CHECK(cudaMemcpy(y, pl_d_y, (pl_ext_y - 1) * sizeof *pl_d_y")
    assert wrong != good
    assert not _cuda_verify(wrong, "saxpy").ok


@needs_gxx
def test_a_function_that_does_not_compile_does_not_refuse_the_others(monkeypatch):
    """One function's compile error: the others are verified alone, rewritten together and
    verified again; the broken one stays in the C file."""
    from paralift.backends import cuda_c
    real = cuda_c.rewrite

    def broken(fa, source, functions=None):
        out = real(fa, source, functions)
        return Rewrite(out.source.replace("atomicAdd(pl_s, a[i] * b[i]);", "atomicAdd(pl_s, a[i] * b[i]) +;"),
                                   out.kernels, out.changed)
    monkeypatch.setattr(cuda_c, "rewrite", broken)
    res = rewrite_source(CUDA.read_text(), CUDA.name, target="cuda", check=True, functions={"dot", "saxpy"})
    assert [v.function for v in res.verdicts] == ["saxpy"]
    assert [v.function for v in res.refused] == ["dot"] and "compile" in res.refused[0].message
    assert "pl_saxpy_kernel" in res.result and "pl_dot_kernel" not in res.result


@pytest.mark.skipif(nvcc() is None, reason="nvcc not installed: the compile check is skipped")
def test_nvcc_rejects_what_does_not_compile():
    wrong = _good_cu().replace("atomicAdd(pl_s, a[i] * b[i]);", "atomicAdd(pl_s, a[i] * b[i]) +;")
    v = _cuda_verify(wrong, "dot")
    assert not v.ok and "nvcc" in v.message


needs_mpi = pytest.mark.skipif(mpiexec() is None or mpicc() is None, reason="no mpiexec/mpicc (pip install mpich)")


@needs_mpi
def test_mpi_c_golden_and_every_function_verified_on_1_to_4_ranks():
    source = MPI.read_text()
    res = rewrite_source(source, MPI.name, target="mpi", check=False)
    golden_support.check(MPI, res.result)
    distributed = [p.name for p in res.plans if p.loops]
    assert set(distributed) == OFFLOADED | {"even_from_odd", "rows_times_cols", "trisolv", "induction_variable",
                                            "pointer_walk", "last_value", "histogram"}
    assert "pl_merge(c, pl_before_c1" in res.result  # flattened rows: each rank's changes merged
    assert "MPI_Allreduce(MPI_IN_PLACE, &x[i], 1, MPI_DOUBLE, MPI_SUM" in res.result  # one element
    # the time loop exchanges halo rows before the sweep that reads them, and gathers once after
    assert "pl_halo(a, (1), (long)(n - 1) - (1), (n), 1, 1, MPI_DOUBLE);" in res.result
    assert res.result.count("pl_gather_rows(a, (1)") == 1
    for name in ("dot", "matvec", "jacobi_2d", "even_from_odd", "rows_times_cols", "trisolv", "induction_variable",
                 "pointer_walk", "last_value", "histogram"):
        v = verify_mpi_c(source, res.result, name, MPI.name, cases=8)
        assert v.ok and v.threads == (1, 2, 3, 4), v.summary()
        assert "trip counts" in v.coverage, v.coverage


@needs_mpi
def test_a_wrong_mpi_c_candidate_is_caught():
    source = MPI.read_text()
    good = rewrite_source(source, MPI.name, target="mpi", check=False).result
    wrong = good.replace("MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);", "")
    assert wrong != good
    v = verify_mpi_c(source, wrong, "dot", MPI.name, cases=6)
    assert not v.ok and "ranks" in v.message


@needs_mpi
def test_an_mpi_c_loop_no_case_enters_is_refused():
    source = "void f(int n, double *a) {\n    if (n > 100000)\n        for (int i = 0; i < n; i++)\n            a[i] *= 2.0;\n}\n"
    v = verify_mpi_c(source, source, "f", "f.c", cases=6)
    assert not v.ok and v.message == "inputs never entered the loop at line 3"

