"""Runs on every MPI rank: call a candidate on each case, save this rank's results.

    mpiexec -n K python -m paralift.verify.mpirunner CANDIDATE.py FUNCTION CASES.pkl OUT_PREFIX
    mpiexec -n K python -m paralift.verify.mpirunner --c LIBRARY.so FUNCTION CASES.pkl OUT_PREFIX

For C the cases file holds (argspec, restype, cases): the library, built with `mpicc`, is
called through ctypes after mpi4py has initialized MPI.
"""
from __future__ import annotations

import copy
import pickle
import sys


def main() -> None:
    if sys.argv[1] == "--c":
        return main_c(*sys.argv[2:6])
    path, function, cases_path, out_prefix = sys.argv[1:5]
    from mpi4py import MPI
    namespace = {"__name__": "paralift_mpi_candidate", "__file__": path}
    with open(path, encoding="utf-8") as f:
        exec(compile(f.read(), path, "exec"), namespace)  # noqa: S102 - the user's own code
    with open(cases_path, "rb") as f:
        cases = pickle.load(f)
    results = []
    for args in cases:
        args = copy.deepcopy(args)
        try:
            results.append(("ok", args, namespace[function](*args)))
        except Exception as err:  # noqa: BLE001 - a failure is a result
            results.append(("error", type(err).__name__, str(err)[:2000]))
    with open(f"{out_prefix}.{MPI.COMM_WORLD.Get_rank()}", "wb") as f:
        pickle.dump(results, f)


def main_c(lib: str, function: str, cases_path: str, out_prefix: str) -> None:
    from mpi4py import MPI

    from paralift.verify.ccall import c_function, call_c
    with open(cases_path, "rb") as f:
        argspec, restype, cases = pickle.load(f)
    func = c_function(lib, function, argspec, restype)
    results = []
    for args in cases:
        results.append(("ok",) + call_c(func, copy.deepcopy(args), restype, None, 1))
    with open(f"{out_prefix}.{MPI.COMM_WORLD.Get_rank()}", "wb") as f:
        pickle.dump(results, f)


if __name__ == "__main__":
    main()
