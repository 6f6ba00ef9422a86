"""Tester sessions: one per candidate file and target, checking its functions one by one.

Whatever is costly to start (Numba, the gcc and nvcc builds, the race log's worker)
starts once per file, and each function is then checked in it. A session is a context
manager over a `Candidate` that yields `verify_one(function) -> Verdict`. Each target
names two (`targets.py`): one for paralift's own output, and an exact one for code
someone else wrote (a model's), which never substitutes paralift's work and refuses a
race any check reports.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, replace

from paralift.verify.ccall import gomp
from paralift.verify.ctester import Build, race_inputs, verify_c
from paralift.verify.options import TesterOptions
from paralift.verify.tester import Original, Verdict, verify
from paralift.verify.worker import Worker

CUDA_BLOCKS = (8, 64)  # threads per block the CUDA simulator runs each candidate with


@dataclass(frozen=True)
class Candidate:
    original: str
    source: str                          # the candidate file
    path: str
    tsan: bool = False                   # also run C candidates under ThreadSanitizer
    options: TesterOptions | None = None
    # the candidate with only this function rewritten, for a file that does not build whole
    alone: Callable[[str], str] | None = None


@contextmanager
def numba(c: Candidate):
    """Numba runs the candidate on 1, 2 and 4 threads. A race seldom shows in the outputs
    of small inputs, so a candidate with prange loops also runs under the race log."""
    with Worker() as worker, Original(c.original, c.path) as original, \
            RaceLog(c.source, c.path, original, c.options) as race_log:
        loaded = worker.request(("load", c.source, c.path))

        def one(name: str) -> Verdict:
            if loaded[0] == "error":
                return Verdict(name, False, f"the rewrite cannot be loaded: {loaded[1]}: {loaded[2]}")
            return race_log.check(verify(c.original, c.source, name, c.path, worker=worker, options=c.options,
                                         original=original), c.original)
        yield one


class RaceLog:
    """The prange race log of one candidate file (`races.py`): the candidate runs as plain
    Python with every array access logged, and two iterations touching one element, one of
    them writing, refuse it. Its worker starts when a verified function first needs it,
    and never for a file without prange loops."""

    def __init__(self, candidate: str, path: str, original: Original | None = None,
                 options: TesterOptions | None = None):
        self.candidate, self.path, self.original = candidate, path, original
        self.options = options  # the user's inputs (`--inputs`) judge here too
        self.worker: Worker | None = None

    def run(self, source: str, name: str) -> Verdict:
        if self.worker is None:
            self.worker = Worker(1, env={"NUMBA_DISABLE_JIT": "1", "PARALIFT_RACE_CHECK": "prange"})
            self.worker.request(("load", self.candidate, self.path))
        return verify(source, self.candidate, name, self.path, threads=(1,), worker=self.worker, races=True,
                      unit="thread, every access logged", original=self.original, options=self.options)

    def check(self, v: Verdict, source: str) -> Verdict:
        """`v`, or the race log's refusal when it found a race."""
        if not v.ok or "prange" not in self.candidate:
            return v
        race = self.run(source, v.function)
        return v if race.ok else replace(race, threads=v.threads)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.worker is not None:
            self.worker.close()
        return False


@contextmanager
def openmp(c: Candidate):
    with Build(c.original, c.source, c.path) as build:
        yield lambda name: verify_c(c.original, c.source, name, c.path, build=build, tsan=c.tsan)


def offload_devices() -> int:
    """How many offload devices the OpenMP runtime sees (0 without libgomp)."""
    try:
        return int(gomp().omp_get_num_devices())
    except (OSError, AttributeError):
        return 0


@contextmanager
def openmp_exact(c: Candidate):
    """A race the tests did not happen to hit refuses the candidate, as ThreadSanitizer
    reports it within one parallel region."""
    with Build(c.original, c.source, c.path) as build:
        yield lambda name: verify_c(c.original, c.source, name, c.path, build=build, tsan=True, refuse_races=True)


@contextmanager
def mpi(c: Candidate):
    from paralift.verify.mpitester import verify_mpi
    yield lambda name: verify_mpi(c.original, c.source, name, c.path)


@contextmanager
def mpi_c(c: Candidate):
    from paralift.verify.mpitester import verify_mpi_c
    yield lambda name: verify_mpi_c(c.original, c.source, name, c.path)


@contextmanager
def cuda(c: Candidate):
    """Numba's CUDA simulator runs every thread of every block, so block sizes that do and
    do not divide the problem both get exercised. The simulator runs Python, so each
    kernel is then compiled to PTX for the types it was launched with (`ptx.py`)."""
    with Worker(env={"NUMBA_ENABLE_CUDASIM": "1"}) as worker, Worker() as compiler, \
            Original(c.original, c.path) as original:
        loaded = worker.request(("load", c.source, c.path))
        compiler.request(("load", c.source, c.path))

        def one(name: str) -> Verdict:
            if loaded[0] == "error":
                return Verdict(name, False, f"the rewrite cannot be loaded: {loaded[1]}: {loaded[2]}")
            worker.request(("launches",))  # forget what earlier functions launched
            v = verify(c.original, c.source, name, c.path, threads=CUDA_BLOCKS, cases=16, worker=worker,
                       unit="threads per block", options=c.options, original=original)
            return _on_a_gpu(v, compiler.request(("ptx", worker.request(("launches",))[1]))) if v.ok else v
        yield one


def _on_a_gpu(v: Verdict, reply) -> Verdict:
    """A simulator pass, checked against what PTX compilation of its launches said."""
    if reply[0] == "unavailable":
        return replace(v, warnings=v.warnings + (reply[1],))
    notes = tuple(e for e in reply[1] if e.startswith("skipped:")) if reply[0] == "ok" else ()
    errors = [e for e in reply[1] if not e.startswith("skipped:")] if reply[0] == "ok" else [reply[2]]
    if errors:
        return Verdict(v.function, False, f"passes in the simulator but not on a GPU: {errors[0]}",
                       v.cases, v.threads, unit=v.unit)
    if notes:
        return replace(v, warnings=v.warnings + notes)
    return replace(v, unit="threads per block, PTX for sm_80")


@contextmanager
def cuda_c(c: Candidate):
    """A file that does not compile whole is checked one function at a time, each built
    alone (`c.alone`, from the rewrite pipeline), so one function's compile error does
    not refuse the others; the pipeline then rewrites the passing ones together and
    verifies that file again."""
    from paralift.verify.cudatester import CudaBuilds
    with CudaBuilds(c.original, c.source, c.path) as builds:
        def one(name: str) -> Verdict:
            if builds.compiles or c.alone is None:
                return builds.verify(c.original, c.source, name, c.path)
            alone = c.alone(name)
            with CudaBuilds(c.original, alone, c.path) as own:
                v = own.verify(c.original, alone, name, c.path)
            if v.ok and alone == c.source:
                return builds.verify(c.original, c.source, name, c.path)
            return v
        yield one


@contextmanager
def cuda_c_exact(c: Candidate):
    """The candidate exactly as given, whole: a file that does not compile is refused. The
    emulation runs CUDA threads one after another, which no race can disturb, so a
    ThreadSanitizer run with a real thread per CUDA thread follows (`tsan.cuda_races`)."""
    from paralift.verify.cudatester import CudaBuilds
    from paralift.verify.tsan import cuda_races
    with CudaBuilds(c.original, c.source, c.path) as builds:
        def one(name: str) -> Verdict:
            v = builds.verify(c.original, c.source, name, c.path)
            if not v.ok:
                return v
            found, error = cuda_races(c.source, name, *race_inputs(c.original, name, c.path), c.path)
            if found or error:  # a race check that could not run is no pass for a model's code
                return replace(v, ok=False, message=found[0] if found else error)
            return v
        yield one


def _maps_unexercised(session):
    """OpenMP target offload through `session`. Without a device the runtime runs each
    region on the host and ignores its `map` clauses, so the outputs prove the loop but not
    the maps: a verified function says so, unless a device ran it."""
    @contextmanager
    def offloaded(c: Candidate):
        devices = offload_devices()
        with session(c) as inner:
            def one(name: str) -> Verdict:
                v = inner(name)
                if not v.ok or devices:
                    return v
                return replace(v, warnings=v.warnings + (
                    "no offload device here: the regions ran on the host, where `map` clauses copy nothing, "
                    "so the map sections were not exercised",))
            yield one
    return offloaded


offload = _maps_unexercised(openmp)
offload_exact = _maps_unexercised(openmp_exact)
