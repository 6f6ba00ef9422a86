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
import sys

from paralift.files import remove_directory
from paralift.frontend.python import parse
from paralift.verify import inputs, sandbox
from paralift.verify.compare import difference
from paralift.verify.options import TesterOptions
from paralift.verify.signature import signature
from paralift.verify.tester import COMPILE_ALLOWANCE, Runner, Trips, Verdict, reduction_terms
from paralift.verify.toolchain import compile_program, exported, include_flags, needed_only
from paralift.verify.worker import Worker

RANKS = (1, 2, 3, 4)


def mpiexec() -> str | None:
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    return here if os.path.exists(here) else shutil.which("mpiexec")


def verify_mpi(original: str, candidate: str, function: str, path: str = "<candidate>.py",
               ranks=RANKS, cases: int = 24, seed: int = 0) -> Verdict:
    launcher = mpiexec()
    if launcher is None:
        return Verdict(function, False, "no `mpiexec` found: install the `mpich` wheel")
    module = parse(original, path)
    kernel = next((k for k in module.kernels if k.name == function), None)
    if kernel is None:
        return Verdict(function, False, f"no function `{function}` in the original")
    specs = signature(kernel, module)
    made = _cases(original, path, function, specs, cases, seed)
    if isinstance(made, Verdict):
        return made
    made, expected = made
    ran = _covered(original, path, function, made)
    if isinstance(ran, Verdict):
        return ran
    directory = sandbox.scratch("paralift-mpi-")
    try:
        cand = os.path.join(directory, "candidate.py")
        with open(cand, "w", encoding="utf-8") as f:
            f.write(candidate)
        with open(os.path.join(directory, "cases.pkl"), "wb") as f:
            pickle.dump([c.args for c in made], f)
        failed = _on_every_rank(launcher, ranks, [cand, function, os.path.join(directory, "cases.pkl")], directory,
                                function, specs, made,
                                lambda case, n, got: _differ(specs, case, *expected[n], got))
        if failed:
            return failed
        sizes = [v for c in made for v in c.sizes.values()] or [c.extent for c in made]
        return Verdict(function, True, "equivalent", len(made), tuple(ranks), (min(sizes), max(sizes)),
                       unit="ranks", coverage=ran)
    finally:
        remove_directory(directory)


def _covered(original: str, path: str, function: str, made) -> str | Verdict:
    """How much the cases ran the loops a rank splits (the summary), or the refusal: a loop
    the cases never ran far is a loop no rank count was tried on."""
    trips = Trips(original, path, function, TesterOptions())
    try:
        for case in made:
            trips.add(case)
        short = trips.shortfall()
        return Verdict(function, False, short, len(made), unit="ranks") if short else trips.coverage.summary()
    finally:
        trips.close()


def _cases(original: str, path: str, function: str, specs, cases: int, seed: int):
    """(cases, the original's (args, result) on each), or the refusal: the original runs in
    a worker of its own, with a timeout per call."""
    options = TesterOptions()
    with Worker(1) as worker:
        loaded = worker.request(("load", original, path), timeout=COMPILE_ALLOWANCE)
        if loaded[0] == "error":
            return Verdict(function, False, f"the original cannot be loaded: {loaded[1]}: {loaded[2]}")
        run = Runner(worker, function, options.timeout)
        made, expected = [], []
        for n, sizes in enumerate(inputs.size_schedule(specs, cases, seed)):
            try:
                fit = inputs.fitting_case(specs, sizes, seed + n, run)
            except inputs.NoAnswer as err:
                return Verdict(function, False, f"{err}, on {inputs.describe_sizes(sizes)}", unit="ranks")
            if fit.case is not None and fit.raised is None:
                made.append(fit.case)
                expected.append(fit.result[1:])
    if not made:
        return Verdict(function, False, "no input could be run")
    return made, expected


def _on_every_rank(launcher: str, ranks, runner_args: list[str], directory: str, function: str, specs, made,
                   differ) -> Verdict | None:
    """Run the candidate under `mpiexec -n k` for each k; the first difference any rank
    shows from the original, as a failing verdict, or None."""
    for k in ranks:
        out = os.path.join(directory, f"out{k}")
        proc = sandbox.run([launcher, "-n", str(k), sys.executable, "-m", "paralift.verify.mpirunner",
                            *runner_args, out], timeout=600)
        if proc.returncode != 0:
            return Verdict(function, False, f"with {k} ranks the candidate failed: "
                                            f"{(proc.stderr or proc.stdout).strip()[-1500:]}", unit="ranks")
        for rank in range(k):
            with open(f"{out}.{rank}", "rb") as f:
                got = pickle.load(f)
            for n, (case, g) in enumerate(zip(made, got)):
                problem = differ(case, n, g)
                if problem:
                    return Verdict(function, False, f"with {k} ranks, on rank {rank}: {problem}",
                                   counterexample=case.describe(specs), unit="ranks")
    return None


def _differ(specs, case, e_args, e_ret, got) -> str | None:
    if got[0] == "error":
        return f"the candidate raised {got[1]}: {got[2]}"
    _, g_args, g_ret = got
    terms = reduction_terms(case, specs)
    for spec, e, g in zip(specs, e_args, g_args):
        if spec.role == "array":
            d = difference(e, g, terms, spec.name)
            if d:
                return d
    return difference(e_ret, g_ret, terms, "return value")


def mpicc() -> str | None:
    here = os.path.join(os.path.dirname(sys.executable), "mpicc")
    return here if os.path.exists(here) else shutil.which("mpicc")


def _compile_mpicc(source: str, path: str, directory: str, tag: str):
    from paralift.verify.ctester import CFLAGS
    compiler = mpicc()
    if compiler is None:
        return None, "no `mpicc` found: install the `mpich` wheel"
    src = os.path.join(directory, f"{tag}_mpi.c")
    lib = os.path.join(directory, f"{tag}_mpi.so")
    with open(src, "w", encoding="utf-8") as f:
        f.write(exported(source))
    flags = [f for f in CFLAGS if f != "-fopenmp"]
    proc = compile_program([compiler, *flags, *include_flags(path), "-o", lib, src, "-lm"])
    return (lib if proc.returncode == 0 else None), proc.stderr.replace(src, path)


def verify_mpi_c(original: str, candidate: str, function: str, path: str = "<candidate>.c",
                 ranks=RANKS, cases: int = 16, seed: int = 0) -> Verdict:
    """The C candidate, built with mpicc, against the original built with gcc, on every rank."""
    from paralift.verify.ctester import Build, CTrips, _CCase, c_signature
    launcher = mpiexec()
    if launcher is None:
        return Verdict(function, False, "no `mpiexec` found: install the `mpich` wheel")
    sig = c_signature(original, function, path)
    if isinstance(sig, str):
        return Verdict(function, False, sig)
    specs, argspec, restype = sig.specs, list(sig.argspec), sig.restype
    # built for this function alone: what only other functions use need not resolve
    with Build(needed_only(original, function), needed_only(candidate, function), path, max_threads=1,
               compile_candidate=_compile_mpicc) as build:
        if build.error:
            return Verdict(function, False, build.error)
        reply = build.worker.request(("cload", "original", build.libs["original"], function, argspec, restype))
        if reply[0] == "error":
            return Verdict(function, False, f"cannot load the original: {reply[2]}")
        trips = CTrips(original, path, function, sig, build)
        made, expected = [], []
        for n, sizes in enumerate(inputs.size_schedule(specs, cases, seed)):
            sizes = {k: max(v, 1) if k in sig.positive else v for k, v in sizes.items()}
            if sig.cap is not None:  # as the C tester: within the program's fixed extents
                sizes = {k: max(min(v, sig.cap), 1) for k, v in sizes.items()}
            case = _CCase(specs, list(sig.ctypes), sizes, sig.depth, seed + n)
            e = build.worker.request(("ccall", "original", 1, copy.deepcopy(case.args)))
            if e[0] == "ok" and case.guards_intact(e[1]):
                made.append(case)
                expected.append(e)
                trips.add(case)
        if not made:
            return Verdict(function, False, "no input could be run")
        short = trips.shortfall()
        if short:
            return Verdict(function, False, short, len(made), unit="ranks")
        cases_path = os.path.join(build.directory, "cases.pkl")
        with open(cases_path, "wb") as f:
            pickle.dump((argspec, restype, [c.args for c in made]), f)
        failed = _on_every_rank(launcher, ranks, ["--c", build.libs["candidate"], function, cases_path],
                                build.directory, function, specs, made,
                                lambda case, n, got: _differ_c(specs, case, expected[n], got))
        if failed:
            return failed
    seen = [v for c in made for v in c.sizes.values()] or [0]
    return Verdict(function, True, "equivalent", len(made), tuple(ranks), (min(seen), max(seen)), unit="ranks",
                   coverage=trips.coverage.summary())


def _differ_c(specs, case, expected, got) -> str | None:
    if not case.guards_intact(got[1]):
        return "the candidate wrote outside an array"
    arrays = [s for s in specs if s.role == "array"]
    for spec, e, g in zip(arrays, case.outputs(expected[1]), case.outputs(got[1])):
        d = difference(e, g, case.extent, spec.name)
        if d:
            return d
    return difference(expected[2], got[2], case.extent, "return value")
