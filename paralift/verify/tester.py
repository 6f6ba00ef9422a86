"""The equivalence tester: run the original and the candidate on the same inputs, compare.

The original runs in CPython; the candidate under Numba in a worker process, once per
thread count. A failure is shrunk with Hypothesis to a small counterexample (fewest,
smallest sizes) that the report prints.
"""
from __future__ import annotations

import atexit
import copy
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from paralift.frontend.python import ParseError, parse
from paralift.verify import inputs
from paralift.verify.compare import difference
from paralift.verify.signature import ParamSpec, signature
from paralift.verify.worker import Worker, load

THREADS = (1, 2, 4)
CASES = 40


@dataclass(frozen=True)
class Verdict:
    function: str
    ok: bool
    message: str
    cases: int = 0
    threads: tuple[int, ...] = ()
    sizes: tuple[int, int] = (0, 0)
    counterexample: str | None = None
    skipped: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())  # e.g. ThreadSanitizer reports
    unit: str = "threads"                          # what `threads` counts: threads or MPI ranks

    def summary(self) -> str:
        if not self.ok:
            text = f"NOT verified: {self.function}: {self.message}"
            return text + (f"\n  counterexample: {self.counterexample}" if self.counterexample else "")
        lo, hi = self.sizes
        threads = "/".join(map(str, self.threads))
        text = (f"verified: {self.function} ({threads} {self.unit}, {self.cases} inputs, "
                f"sizes {lo}..{hi})")
        return text + "".join(f"\n  warning: {w}" for w in self.warnings)


_SCRATCH = tempfile.mkdtemp(prefix="paralift-originals-")
atexit.register(shutil.rmtree, _SCRATCH, True)


def _load(source: str, path: str, function: str) -> Callable:
    return load(source, path, "paralift_original", _SCRATCH)[function]


class _Check:
    """Runs one case through both versions and says how they differ, if they do."""

    def __init__(self, original: Callable, worker: Worker, function: str, specs: tuple[ParamSpec, ...],
                 races: bool = False):
        self.races = races  # the race log: outputs are not compared, a race is the failure
        self.original = original
        self.worker = worker
        self.function = function
        self.specs = specs

    def run_original(self, args: list):
        args = copy.deepcopy(args)
        result = self.original(*args)
        return args, result

    def __call__(self, case: inputs.Case, threads: int) -> str | None:
        expected_args, expected = self.run_original(case.args)
        reply = self.worker.request(("call", self.function, threads, copy.deepcopy(case.args)))
        if reply[0] == "error" and self.races:
            return reply[2] if reply[1] == "DataRace" else \
                f"the race log could not run the candidate as plain Python: {reply[1]}: {reply[2]}"
        if reply[0] == "error":
            return f"the candidate raised {reply[1]}: {reply[2]}"
        if self.races:
            return None
        _, got_args, got = reply
        terms = max(case.extent, 1) ** max([s.rank for s in self.specs if s.role == "array"] + [1])
        for spec, e, g in zip(self.specs, expected_args, got_args):
            if spec.role == "array":
                d = difference(e, g, terms, spec.name)
                if d:
                    return d
        return difference(expected, got, terms, "return value")


def verify(original_source: str, candidate_source: str, function: str, path: str = "<candidate>",
           threads: Sequence[int] = THREADS, cases: int = CASES, seed: int = 0,
           shrink: bool = True, worker: Worker | None = None, unit: str = "threads", races: bool = False) -> Verdict:
    """Is `function` in the candidate equivalent to the original on generated inputs?

    Pass a `Worker` that has loaded the candidate to verify several functions of one file
    without starting Numba again for each. With `races`, the worker runs the race log
    (`races.install_prange`): outputs are not compared, and the failure is the race found
    on the smallest input that shows one."""
    try:
        module = parse(original_source, path)
    except ParseError as err:
        return Verdict(function, False, f"the original does not parse: {err}")
    kernel = next((k for k in module.kernels if k.name == function), None)
    if kernel is None:
        return Verdict(function, False, f"no function `{function}` in the original")
    specs = signature(kernel)
    untestable = [s.name for s in specs if s.role == "callable"]
    if untestable:
        return Verdict(function, False, f"cannot generate a value for `{untestable[0]}`, which is called")
    try:
        original = _load(original_source, path, function)
    except Exception as err:  # noqa: BLE001
        return Verdict(function, False, f"the original cannot be loaded: {type(err).__name__}: {err}")

    own = worker is None
    if own:
        worker = Worker(max(threads))
        reply = worker.request(("load", candidate_source, path))
        if reply[0] == "error":
            worker.close()
            return Verdict(function, False, f"the candidate cannot be loaded: {reply[1]}: {reply[2]}")
    try:
        return _run(original, worker, function, specs, threads, cases, seed, shrink, unit, races)
    finally:
        if own:
            worker.close()


def _run(original, worker: Worker, function: str, specs, threads, cases: int, seed: int,
         shrink: bool, unit: str, races: bool = False) -> Verdict:
    check = _Check(original, worker, function, specs, races)
    ran, skipped, seen = 0, [], []
    for n, sizes in enumerate(inputs.size_schedule(specs, cases, seed)):
        case, why = inputs.fitting_case(specs, sizes, seed + n, check.run_original)
        if case is None:
            skipped.append(f"sizes {sizes}: the original raised {why}")
            continue
        for t in threads:
            problem = check(case, t)
            if problem:
                shrunk = _shrink(check, specs, sizes, seed + n, t) if shrink else None
                if races:  # the race as the smallest input shows it
                    example, problem = shrunk or (case.describe(specs), problem)
                    message = problem
                else:
                    example = f"{shrunk[0]}  ({shrunk[1]})" if shrunk else case.describe(specs)
                    message = f"with {t} {unit}: {problem}"
                return Verdict(function, False, message, ran, tuple(threads), counterexample=example,
                               skipped=tuple(skipped), unit=unit)
        ran += 1
        seen += [case.extent] + [v for v in sizes.values()]
    if ran == 0:
        return Verdict(function, False, "no input could be run: " + (skipped[0] if skipped else "none made"),
                       skipped=tuple(skipped))
    return Verdict(function, True, "equivalent", ran, tuple(threads), (min(seen), max(seen)),
                   skipped=tuple(skipped), unit=unit)


def shrink(sizes: dict[str, int], seed: int, attempt, low: dict[str, int] | None = None) -> str | None:
    """The smallest failing input Hypothesis can find, starting from a known failure.

    `attempt(sizes, seed)` returns None when the input cannot be made (it is discarded),
    "" when it passes, or a description of the failure. `low` gives each size's least
    value (default 0)."""
    from hypothesis import HealthCheck, Phase, assume, example, given, settings
    from hypothesis import strategies as st

    failures: list[str] = []
    top = max(list(sizes.values()) + [1])
    low = low or {}
    strategy = st.fixed_dictionaries({k: st.integers(low.get(k, 0), top) for k in sizes})

    @settings(max_examples=40, database=None, deadline=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @example(sizes, seed)
    @given(strategy, st.integers(0, 1000))
    def fails(sz, s):
        outcome = attempt(sz, s)
        assume(outcome is not None)
        if outcome:
            failures.append(outcome)
            raise AssertionError(outcome)

    try:
        fails()
    except AssertionError:
        pass
    except Exception:  # noqa: BLE001 - shrinking is best effort; the first failure stands
        return None
    return failures[-1] if failures else None


def _shrink(check: _Check, specs, sizes: dict[str, int], seed: int, threads: int) -> tuple[str, str] | None:
    """(the smallest failing input, its failure), or None."""
    found: dict[str, tuple[str, str]] = {}

    def attempt(sz, s):
        case, _ = inputs.fitting_case(specs, sz, s, check.run_original)
        if case is None:
            return None
        problem = check(case, threads)
        if not problem:
            return ""
        text = f"{case.describe(specs)}  ({problem})"
        found[text] = (case.describe(specs), problem)
        return text
    return found.get(shrink(sizes, seed, attempt) or "")
