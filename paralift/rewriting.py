"""`paralift rewrite`: analyze, rewrite, verify, and only then write.

A kernel whose rewrite fails the tester is left as it was (and the reason reported);
the others are kept. Writing the result is `files.write_back`'s job.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from paralift.analysis import analyze_source, language_of, read_source
from paralift.backends import numba as numba_backend
from paralift.backends import openmp as openmp_backend
from paralift.diagnostics import Diagnostic, Severity, Span
from paralift.files import source_lines
from paralift.verify.ctester import Build, verify_c
from paralift.verify.tester import Original, Verdict, verify
from paralift.verify.options import TesterOptions
from paralift.verify.worker import Worker

TARGETS = {"numba": ("python",), "openmp": ("c",), "mpi": ("python", "c"), "cuda": ("python", "c")}  # target -> languages
CUDA_BLOCKS = (8, 64)  # threads per block the CUDA simulator runs each candidate with


@dataclass(frozen=True)
class FileRewrite:
    path: str
    original: str
    result: str
    plans: tuple = ()
    verdicts: tuple[Verdict, ...] = ()
    refused: tuple[Verdict, ...] = ()
    errors: tuple[Diagnostic, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return self.result != self.original


def rewrite_source(source: str, path: str, target: str | None = None, functions: set[str] | None = None,
                   check: bool = True, progress: Callable[[str], None] | None = None,
                   tsan: bool = False, options: TesterOptions | None = None) -> FileRewrite:
    language = language_of(path) or "python"
    target = target or {"c": "openmp"}.get(language, "numba")
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose from {', '.join(TARGETS)}")
    if language not in TARGETS[target]:
        return FileRewrite(path, source, source, errors=(Diagnostic(
            "PL005", f"--target {target} rewrites {' and '.join(TARGETS[target])} files, not {language}",
            Span(1, 0, 1, 0, path), Severity.ERROR),))
    fa = analyze_source(source, path, language)
    if fa.errors:  # nothing is written for a file that does not parse
        return FileRewrite(path, source, source, errors=fa.errors)
    backend, session = _BACKENDS[f"{target}-c" if language == "c" and target in ("cuda", "mpi") else target]
    return _verified(fa, source, path, functions, check, progress, backend(),
                     lambda candidate: session(source, candidate, path, tsan, options))


def _verified(fa, source: str, path: str, functions, check: bool, progress, rewrite,
              session) -> FileRewrite:
    """Rewrite, verify every rewritten function, and keep only those that pass: the file
    is rewritten again with just them, so a failing function stays as it was. What is
    written is always what was verified: a file rewritten with fewer functions is
    verified again (functions can interact, in a CUDA file that must compile whole)."""
    first = rewrite(fa, source, functions)
    if not first.changed or not check:
        return FileRewrite(path, source, first.source, first.kernels)
    candidate, names = first, [p.name for p in first.kernels if p.loops]
    refused: list[Verdict] = []
    while True:
        passed, failed = [], []
        with session(candidate.source) as verify_one:
            for name in names:
                if progress:
                    progress(name)
                v = verify_one(name)
                (passed if v.ok else failed).append(v)
        refused += failed
        if not failed:
            return FileRewrite(path, source, candidate.source, first.kernels, tuple(passed), tuple(refused))
        names = [v.function for v in passed]
        if not names:
            return FileRewrite(path, source, source, first.kernels, (), tuple(refused))
        candidate = rewrite(fa, source, set(names))


# One verification session per rewritten file: whatever is costly to start (Numba, the
# gcc builds) starts once, and each function is then checked in it.

@contextmanager
def _numba_session(source: str, candidate: str, path: str, tsan: bool, options: TesterOptions | None = None):
    """Numba runs the candidate on 1, 2 and 4 threads. A race seldom shows in the outputs
    of small inputs, so a candidate with prange loops also runs under the race log."""
    with Worker() as worker, Original(source, path) as original, RaceLog(candidate, path, original) as race_log:
        loaded = worker.request(("load", candidate, path))

        def one(name: str) -> Verdict:
            if loaded[0] == "error":
                return Verdict(name, False, f"the rewrite cannot be loaded: {loaded[1]}: {loaded[2]}")
            return race_log.check(verify(source, candidate, name, path, worker=worker, options=options,
                                         original=original), source)
        yield one


class RaceLog:
    """The prange race log of one candidate file (`verify/races.py`): the candidate runs as
    plain Python with every array access logged, and two iterations touching one element,
    one of them writing, refuse it. Its worker starts when a verified function first needs
    it, and never for a file without prange loops."""

    def __init__(self, candidate: str, path: str, original: Original | None = None):
        self.candidate, self.path, self.original = candidate, path, original
        self.worker: Worker | None = None

    def run(self, source: str, name: str) -> Verdict:
        if self.worker is None:
            self.worker = Worker(1, env={"NUMBA_DISABLE_JIT": "1", "PARALIFT_RACE_CHECK": "prange"})
            self.worker.request(("load", self.candidate, self.path))
        return verify(source, self.candidate, name, self.path, threads=(1,), worker=self.worker, races=True,
                      unit="thread, every access logged", original=self.original)

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
def _openmp_session(source: str, candidate: str, path: str, tsan: bool, options: TesterOptions | None = None):
    with Build(source, candidate, path) as build:
        yield lambda name: verify_c(source, candidate, name, path, build=build, tsan=tsan)


@contextmanager
def _mpi_session(source: str, candidate: str, path: str, tsan: bool, options: TesterOptions | None = None):
    from paralift.verify.mpitester import verify_mpi
    yield lambda name: verify_mpi(source, candidate, name, path)


@contextmanager
def _cuda_session(source: str, candidate: str, path: str, tsan: bool, options: TesterOptions | None = None):
    """Numba's CUDA simulator runs every thread of every block, so block sizes that do and
    do not divide the problem both get exercised. The simulator runs Python, so each
    kernel is then compiled to PTX for the types it was launched with (`verify/ptx.py`)."""
    from dataclasses import replace
    with Worker(env={"NUMBA_ENABLE_CUDASIM": "1"}) as worker, Worker() as compiler, Original(source, path) as original:
        loaded = worker.request(("load", candidate, path))
        compiler.request(("load", candidate, path))

        def one(name: str) -> Verdict:
            if loaded[0] == "error":
                return Verdict(name, False, f"the rewrite cannot be loaded: {loaded[1]}: {loaded[2]}")
            worker.request(("launches",))  # forget what earlier functions launched
            v = verify(source, candidate, name, path, threads=CUDA_BLOCKS, cases=16, worker=worker,
                       unit="threads per block", options=options, original=original)
            if not v.ok:
                return v
            reply = compiler.request(("ptx", worker.request(("launches",))[1]))
            if reply[0] == "unavailable":
                return replace(v, warnings=v.warnings + (reply[1],))
            notes = tuple(e for e in reply[1] if e.startswith("skipped:")) if reply[0] == "ok" else ()
            errors = [e for e in reply[1] if not e.startswith("skipped:")] if reply[0] == "ok" else [reply[2]]
            if errors:
                return Verdict(name, False, f"passes in the simulator but not on a GPU: {errors[0]}",
                               v.cases, v.threads, unit=v.unit)
            if notes:
                return replace(v, warnings=v.warnings + notes)
            return replace(v, unit="threads per block, PTX for sm_80")
        yield one


@contextmanager
def _cuda_c_session(source: str, candidate: str, path: str, tsan: bool, options: TesterOptions | None = None):
    """A file that does not compile whole is checked one function at a time, each built
    alone, so one function's compile error does not refuse the others; the functions
    that pass are then rewritten together and verified again (see `_verified`)."""
    from paralift.backends import cuda_c
    from paralift.verify.cudatester import CudaBuilds
    with CudaBuilds(source, candidate, path) as builds:
        def one(name: str) -> Verdict:
            if builds.compiles:
                return builds.verify(source, candidate, name, path)
            alone = cuda_c.rewrite(analyze_source(source, path, "c"), source, {name}).source
            with CudaBuilds(source, alone, path) as own:
                v = own.verify(source, alone, name, path)
            if v.ok and alone == candidate:
                return builds.verify(source, candidate, name, path)
            return v
        yield one


@contextmanager
def _cuda_c_exact_session(source: str, candidate: str, path: str, tsan: bool, options: TesterOptions | None = None):
    """The candidate exactly as given, whole: for code paralift did not write (a model's),
    a file that does not compile is refused, never replaced by paralift's own rewrite. The
    emulation runs CUDA threads one after another, which no race can disturb, so a
    ThreadSanitizer run with a real thread per CUDA thread follows (`tsan.cuda_races`)."""
    from paralift.verify.ctester import race_inputs
    from paralift.verify.cudatester import CudaBuilds
    from paralift.verify.tsan import cuda_races
    with CudaBuilds(source, candidate, path) as builds:
        def one(name: str) -> Verdict:
            v = builds.verify(source, candidate, name, path)
            if not v.ok:
                return v
            found, error = cuda_races(candidate, name, *race_inputs(source, name, path), path)
            if found or error:  # a race check that could not run is no pass for a model's code
                return replace(v, ok=False, message=found[0] if found else error)
            return v
        yield one


@contextmanager
def _openmp_exact_session(source: str, candidate: str, path: str, tsan: bool, options: TesterOptions | None = None):
    """A model's OpenMP candidate: a race the tests did not happen to hit refuses it, as
    ThreadSanitizer reports it within one parallel region."""
    with Build(source, candidate, path) as build:
        yield lambda name: verify_c(source, candidate, name, path, build=build, tsan=True, refuse_races=True)


def candidate_session(target: str, language: str):
    """The tester session for a candidate someone else wrote: `session(original, candidate,
    path, tsan)` is a context manager yielding `verify_one(function) -> Verdict`."""
    key = f"{target}-c" if language == "c" and target in ("cuda", "mpi") else target
    return {"cuda-c": _cuda_c_exact_session, "openmp": _openmp_exact_session}.get(key) or _BACKENDS[key][1]


def _cuda_c_backend():
    from paralift.backends import cuda_c
    return cuda_c.rewrite


def _cuda_backend():
    from paralift.backends import cuda
    return cuda.rewrite


@contextmanager
def _mpi_c_session(source: str, candidate: str, path: str, tsan: bool, options: TesterOptions | None = None):
    from paralift.verify.mpitester import verify_mpi_c
    yield lambda name: verify_mpi_c(source, candidate, name, path)


def _mpi_c_backend():
    from paralift.backends import mpi_c
    return mpi_c.rewrite


def _mpi_backend():
    from paralift.backends import mpi  # mpi4py is only needed when the target is asked for
    return mpi.rewrite


_BACKENDS = {"numba": (lambda: numba_backend.rewrite, _numba_session),
             "openmp": (lambda: openmp_backend.rewrite, _openmp_session),
             "mpi": (_mpi_backend, _mpi_session),
             "cuda": (_cuda_backend, _cuda_session),
             "cuda-c": (_cuda_c_backend, _cuda_c_session),
             "mpi-c": (_mpi_c_backend, _mpi_c_session)}


MARKER = re.compile(r"paralift:\s*(numba|openmp|cuda|mpi)\b")


def marked_functions(source: str, path: str, language: str) -> dict[str, str]:
    """Functions marked for a target: `# paralift: numba` (or `// paralift: openmp`) on the
    `def` line, or on a comment or decorator line right above it."""
    from paralift.frontend import frontend_for
    parse = frontend_for(language)
    try:
        parsed = parse(source, path)
    except Exception:  # noqa: BLE001 - a file that does not parse has no marks to honour
        return {}
    module = parsed[0] if isinstance(parsed, tuple) else parsed
    lines = source_lines(source)
    out = {}
    for k in module.kernels:
        if k.kind != "function" or "." in k.name or k.name.startswith("<"):
            continue
        n = k.span.line - 1
        while n >= 0:
            m = MARKER.search(lines[n])
            if m:
                out[k.name] = m.group(1)
                break
            if n < k.span.line - 1 and not lines[n].lstrip().startswith(("#", "@", "//", "/*", "*")):
                break
            n -= 1
    return out


def rewrite_marked(path: str, check: bool = True, progress=None,
                   options: TesterOptions | None = None) -> FileRewrite:
    """Rewrite only the marked functions, each for its marked target (pre-commit's hook)."""
    source, problem = read_source(path)
    if problem is not None:
        return FileRewrite(path, "", "", errors=(problem,))
    language = language_of(path) or "python"
    marks = marked_functions(source, path, language)
    text, plans, verdicts, refused, errors = source, [], [], [], []
    for target in sorted(set(marks.values())):
        names = {f for f, t in marks.items() if t == target}
        if language == "c" and target == "cuda":
            errors.append(Diagnostic("PL005", f"{', '.join(sorted(names))}: CUDA from C is a new `.cu` file, not an "
                                     f"in-place edit: run `paralift rewrite {path} --target cuda -o OUT.cu`",
                                     Span(1, 0, 1, 0, path), Severity.ERROR))
            continue
        res = rewrite_source(text, path, target=target, functions=names, check=check, progress=progress,
                             options=options)
        errors += res.errors
        plans += res.plans
        verdicts += res.verdicts
        refused += res.refused
        text = res.result
    return FileRewrite(path, source, text, tuple(plans), tuple(verdicts), tuple(refused), tuple(errors))


def rewrite_file(path: str, **options) -> FileRewrite:
    source, problem = read_source(path)
    if problem is not None:
        return FileRewrite(path, "", "", errors=(problem,))
    return rewrite_source(source, path, **options)
