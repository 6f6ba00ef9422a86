"""The tester for MPI candidates: the same cases under `mpiexec -n 1, 2, 3, 4`.

Every rank must return the original's result (an SPMD function returns the full result
everywhere). Sizes are the tester's usual boundary sizes, so most do not divide evenly by
the rank count.
"""
from __future__ import annotations

import copy
import os
import pickle
import shutil
import subprocess
import sys
import tempfile

from paralift.frontend.python import parse
from paralift.verify import inputs
from paralift.verify.compare import difference
from paralift.verify.signature import signature
from paralift.verify.tester import Verdict, _load

RANKS = (1, 2, 3, 4)


def mpiexec() -> str | None:
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    return here if os.path.exists(here) else shutil.which("mpiexec")


def verify_mpi(original: str, candidate: str, function: str, path: str = "<candidate>.py",
               ranks=RANKS, cases: int = 24, seed: int = 0) -> Verdict:
    launcher = mpiexec()
    if launcher is None:
        return Verdict(function, False, "no `mpiexec` found: install the `mpich` wheel")
    kernel = next((k for k in parse(original, path).kernels if k.name == function), None)
    if kernel is None:
        return Verdict(function, False, f"no function `{function}` in the original")
    specs = signature(kernel)
    run_original = _load(original, path, function)

    def run(args):
        args = copy.deepcopy(args)
        return args, run_original(*args)

    made = []
    for n, sizes in enumerate(inputs.size_schedule(specs, cases, seed)):
        case, _ = inputs.fitting_case(specs, sizes, seed + n, lambda a: run_original(*a))
        if case is not None:
            made.append(case)
    if not made:
        return Verdict(function, False, "no input could be run")
    expected = [run(c.args) for c in made]
    directory = tempfile.mkdtemp(prefix="paralift-mpi-")
    try:
        cand = os.path.join(directory, "candidate.py")
        with open(cand, "w", encoding="utf-8") as f:
            f.write(candidate)
        with open(os.path.join(directory, "cases.pkl"), "wb") as f:
            pickle.dump([c.args for c in made], f)
        for k in ranks:
            out = os.path.join(directory, f"out{k}")
            proc = subprocess.run([launcher, "-n", str(k), sys.executable, "-m", "paralift.verify.mpirunner",
                                   cand, function, os.path.join(directory, "cases.pkl"), out],
                                  capture_output=True, text=True, timeout=600)
            if proc.returncode != 0:
                return Verdict(function, False, f"with {k} ranks the candidate failed: "
                                                f"{(proc.stderr or proc.stdout).strip()[-1500:]}")
            for rank in range(k):
                with open(f"{out}.{rank}", "rb") as f:
                    got = pickle.load(f)
                for case, (e_args, e_ret), g in zip(made, expected, got):
                    problem = _differ(specs, case, e_args, e_ret, g)
                    if problem:
                        return Verdict(function, False, f"with {k} ranks, on rank {rank}: {problem}",
                                       counterexample=case.describe(specs))
        sizes = [v for c in made for v in c.sizes.values()] or [c.extent for c in made]
        return Verdict(function, True, "equivalent", len(made), tuple(ranks), (min(sizes), max(sizes)),
                       unit="ranks")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _differ(specs, case, e_args, e_ret, got) -> str | None:
    if got[0] == "error":
        return f"the candidate raised {got[1]}: {got[2]}"
    _, g_args, g_ret = got
    terms = max(case.extent, 1) ** max([s.rank for s in specs if s.role == "array"] + [1])
    for spec, e, g in zip(specs, e_args, g_args):
        if spec.role == "array":
            d = difference(e, g, terms, spec.name)
            if d:
                return d
    return difference(e_ret, g_ret, terms, "return value")
