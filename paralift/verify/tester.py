"""The equivalence tester: run the original and the candidate on the same inputs, compare.

The original runs in CPython and the candidate under Numba, each in a worker process of
its own, so that every call has a timeout: a hanging original is a clear refusal, never a
hung paralift. The candidate runs once per thread count. A failure is shrunk with
Hypothesis to a small counterexample (fewest, smallest sizes) that the report prints.

"Verified" means the candidate agrees with the original where the original is defined,
on inputs that exercise the loops:
- an input on which the original raises is a case too: the candidate must raise as well;
- integers are compared exactly, and a result the original computes outside int64 refuses
  the candidate (Numba and C wrap around), unless the user assumes int64 arithmetic;
- the original's parallelizable loops must have run, with several trip counts of 2 or
  more (`coverage.py`), or the function is refused with the loop that was not reached.
"""
from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

from paralift.frontend.python import ParseError, parse
from paralift.verify import given, inputs
from paralift.verify.compare import difference, outside_int64
from paralift.verify.coverage import Coverage, instrument
from paralift.verify.options import TesterOptions
from paralift.verify.signature import ParamSpec, signature
from paralift.verify.worker import Worker

_HUNG = "did not return within"
THREADS = (1, 2, 4)
CASES = 40
COMPILE_ALLOWANCE = 120.0  # seconds on top of the timeout for a call that compiles first


def brief(error: str, lines: int = 2) -> str:
    """The gist of an exception's text: its first lines (a Numba typing error runs to fifty),
    and where the rest is."""
    kept = [ln.strip() for ln in (error or "").splitlines() if ln.strip()]
    if not kept:
        return ""
    # Numba's own summary of a typing failure is the line naming what has no implementation
    key = next((ln for ln in kept if ln.startswith(("No implementation", "Unknown attribute", "Cannot",
                                                    "Use of unsupported", "Untyped global"))), None)
    head = [kept[0]] + ([key] if key and key != kept[0] else kept[1:lines])
    text = " ".join(x[:200] for x in head)
    return text + (" (more with --verbose)" if len(kept) > len(head) else "")


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
    coverage: str = ""                             # how much the inputs ran the loops
    detail: str = ""                               # the full error behind a brief message (--verbose)

    def summary(self) -> str:
        if not self.ok:
            text = f"NOT verified: {self.function}: {self.message}"
            return text + (f"\n  counterexample: {self.counterexample}" if self.counterexample else "")
        lo, hi = self.sizes
        threads = "/".join(map(str, self.threads))
        ran = f", {self.coverage}" if self.coverage else ""
        text = (f"verified: {self.function} ({threads} {self.unit}, {self.cases} inputs, "
                f"sizes {lo}..{hi}{ran})")
        return text + "".join(f"\n  warning: {w}" for w in self.warnings)


class Runner:
    """One function of a module in a worker process: calls with a timeout, where the
    first call with new argument types may also compile."""

    def __init__(self, worker: Worker, function: str, timeout: float, threads: int = 1, compiles: bool = True):
        self.worker, self.function, self.timeout, self.threads = worker, function, timeout, threads
        self.typed: set[tuple] = set()
        self.compiles = compiles  # plain Python is not given time to compile

    def call(self, args: list, threads: int | None = None):
        """The worker's reply: ("ok", args after, result) or ("error", type, message)."""
        types = tuple((type(a).__name__, getattr(a, "dtype", None), getattr(a, "ndim", None)) for a in args)
        allowance = 0.0
        if self.compiles and types not in self.typed:
            # a Numba function compiles first, on its own clock; anything else (a host
            # function that launches kernels) may compile inside the call
            compiled = self.worker.request(("compile", self.function, args), timeout=COMPILE_ALLOWANCE)
            if compiled[0] == "error":
                return compiled
            allowance = 0.0 if compiled[1] else COMPILE_ALLOWANCE
        reply = self.worker.request(("call", self.function, threads or self.threads, copy.deepcopy(args)),
                                    timeout=self.timeout + allowance)
        if reply[0] == "ok":
            self.typed.add(types)
        return reply

    def __call__(self, args: list):
        """For `inputs.fitting_case`: raises what the original raised, `NoAnswer` on a hang."""
        reply = self.call(args)
        if reply[0] == "error" and reply[1] == "TimeoutError":
            raise inputs.NoAnswer(f"the original did not return within {self.timeout:g} s")
        if reply[0] == "error" and reply[1] == "WorkerError":
            raise inputs.NoAnswer("the original crashed its process")
        if reply[0] == "error":
            raise inputs.Raised(reply[1], reply[2].splitlines()[0][:300] if reply[2] else "")
        return reply


class _Check:
    """Runs one case through both versions and says how they differ, if they do."""

    def __init__(self, original: Runner, candidate: Runner, specs: tuple[ParamSpec, ...],
                 options: TesterOptions, races: bool = False):
        self.races = races  # the race log: outputs are not compared, a race is the failure
        self.original, self.candidate = original, candidate
        self.specs, self.options = specs, options
        self.expected: dict[int, tuple] = {}
        self.detail = ""  # the candidate's last error, in full

    def __call__(self, case: inputs.Case, threads: int, raised: str | None = None) -> str | None:
        if raised is None:
            self.note(case)
        reply = self.candidate.call(case.args, threads)
        if reply[0] == "error" and reply[1] == "TimeoutError":
            return f"the candidate {_HUNG} {self.options.timeout:g} s"
        if reply[0] == "error" and self.races and reply[1] == "DataRace":
            return reply[2]
        if raised is not None:  # (the race log too: an input the original raises on shows nothing)
            return None if reply[0] == "error" else \
                f"the original raises {raised}, but the candidate returned without raising"
        if reply[0] == "error" and self.races:
            return f"the race log could not run the candidate as plain Python: {reply[1]}: {reply[2]}"
        if reply[0] == "error":
            self.detail = f"{reply[1]}: {reply[2]}"
            return f"the candidate raised {reply[1]}: {brief(reply[2])}"
        if self.races:
            return None
        _, expected_args, expected = self.expected[id(case)][1]
        _, got_args, got = reply
        terms = reduction_terms(case, self.specs)
        for spec, e, g in zip(self.specs, expected_args, got_args):
            if spec.role == "array":
                d = difference(e, g, terms, spec.name)
                if d:
                    return d
        return difference(expected, got, terms, "return value")

    def note(self, case: inputs.Case, reply: tuple | None = None) -> tuple:
        """The original's reply on `case`, run once (the case is kept, so its id stays its own)."""
        if id(case) not in self.expected:
            self.expected[id(case)] = (case, reply or self.original(case.args))
        return self.expected[id(case)][1]

    def overflow(self, case: inputs.Case) -> str | None:
        """A result of the original outside int64 on this case (so compiled code differs)."""
        return outside_int64(self.note(case)[2])


def verify(original_source: str, candidate_source: str, function: str, path: str = "<candidate>",
           threads: Sequence[int] = THREADS, cases: int = CASES, seed: int = 0,
           shrink: bool = True, worker: Worker | None = None, unit: str = "threads", races: bool = False,
           options: TesterOptions | None = None, original: Original | None = None) -> Verdict:
    """Is `function` in the candidate equivalent to the original on generated inputs?

    Pass a `Worker` that has loaded the candidate, and the `Original`, to verify several
    functions of one file without starting Numba and Python again for each. With `races`, the worker runs the race log
    (`races.install_prange`): outputs are not compared, and the failure is the race found
    on the smallest input that shows one."""
    options = options or TesterOptions()
    found = _inputs(original_source, function, path, options)
    if isinstance(found, Verdict):
        return found
    specs, given_cases = found
    own_original = original is None
    original = original or Original(original_source, path)
    coverage = Trips(original_source, path, function, options, watch=not races)
    try:
        if original.error:
            return Verdict(function, False, original.error)
        own = worker is None
        if own:
            worker = Worker(max(threads))
            reply = worker.request(("load", candidate_source, path))
            if reply[0] == "error":
                worker.close()
                return Verdict(function, False, f"the candidate cannot be loaded: {reply[1]}: {reply[2]}")
        try:
            candidate = Runner(worker, function, options.timeout, compiles=_jit_compiled(candidate_source))
            check = _Check(original.runner(function, options.timeout), candidate, specs, options, races)
            failed, given_ran = _given(check, coverage, given_cases, function, threads, unit)
            if failed is not None:
                return failed
            if any(s.role == "callable" for s in specs):
                return _given_only(function, given_ran, threads, unit, coverage)
            return _run(check, coverage, function, specs, threads, cases, seed, shrink, unit, given_ran)
        finally:
            if own:
                worker.close()
    finally:
        coverage.close()
        if own_original:
            original.close()


def _inputs(source: str, function: str, path: str, options: TesterOptions) -> tuple[tuple, list] | Verdict:
    """The parameters' roles, and the user's inputs (`given`), or why there can be none."""
    try:
        module = parse(source, path)
    except ParseError as err:
        return Verdict(function, False, f"the original does not parse: {err}")
    kernel = next((k for k in module.kernels if k.name == function), None)
    if kernel is None:
        return Verdict(function, False, f"no function `{function}` in the original")
    hook = given.find_hook(path, source, function, options.inputs)
    try:
        cases = given.given_inputs(hook, function) if hook is not None else []
    except given.GivenError as err:
        return Verdict(function, False, str(err))
    specs = given.refine(signature(kernel, module), cases)
    untestable = [s.name for s in specs if s.role == "callable"]
    if untestable and not cases:
        return Verdict(function, False, f"cannot generate a value for `{untestable[0]}`, which is called "
                                        f"(give inputs: `def {given.HOOK_PREFIX}{function}()` or --inputs)")
    return specs, cases


class Original:
    """The original module, loaded once in a worker of its own, for every function of a
    file and every mode (equivalence, race log) it is checked in."""

    def __init__(self, source: str, path: str):
        self.compiles = _jit_compiled(source)
        self.worker = Worker(1)
        loaded = self.worker.request(("load", source, path), timeout=COMPILE_ALLOWANCE)
        self.error = f"the original cannot be loaded: {loaded[1]}: {loaded[2]}" if loaded[0] == "error" else None

    def runner(self, function: str, timeout: float) -> Runner:
        return Runner(self.worker, function, timeout, compiles=self.compiles)

    def close(self) -> None:
        self.worker.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class Trips:
    """The original with trip counters in its parallelizable loops, in its own worker (as
    plain Python: the counters are), run on the cases until every watched loop ran enough."""

    def __init__(self, source: str, path: str, function: str, options: TesterOptions, watch: bool = True):
        from paralift.verify.loops import loops_to_cover
        watched = loops_to_cover(source, path, function) if watch else ()
        self.coverage = Coverage(tuple(w.line for w in watched), {w.line for w in watched if w.fixed})
        self.worker: Worker | None = None
        self.runner: Runner | None = None
        self.error: str | None = None
        if watched:
            self.worker = Worker(1, env={"NUMBA_DISABLE_JIT": "1"})
            reply = self.worker.request(("load", instrument(source, function, self.coverage.lines), path),
                                        timeout=COMPILE_ALLOWANCE)
            if reply[0] == "error":
                self.error = f"the loops' trip counts cannot be measured: {reply[1]}: {reply[2]}"
            self.runner = Runner(self.worker, function, options.timeout, compiles=False)

    def add(self, case: inputs.Case) -> None:
        if self.runner is None or self.error or self.coverage.complete:
            return  # enough is enough: each run here is a second run of the original
        if self.runner.call(case.args)[0] == "ok":
            self.coverage.add(self.worker.request(("trips",))[1])

    def shortfall(self) -> str | None:
        return self.error or self.coverage.shortfall()

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()


def _run(check: _Check, coverage: Trips, function: str, specs, threads, cases: int, seed: int,
         shrink: bool, unit: str, given_ran: int = 0) -> Verdict:
    ran, skipped, seen, raising = given_ran, [], [], 0
    largest: inputs.Case | None = None
    for n, sizes in enumerate(inputs.size_schedule(specs, cases, seed)):
        if check.races and max(sizes.values(), default=0) > inputs.SIZES[-1]:
            continue  # every access is logged in Python: small inputs show a race as well
        try:
            fit = inputs.fitting_case(specs, sizes, seed + n, check.original)
        except inputs.NoAnswer as err:
            return Verdict(function, False, f"{err}, on {inputs.describe_sizes(sizes)}", ran, tuple(threads),
                           unit=unit)
        if fit.case is None:
            skipped.append(f"{inputs.describe_sizes(sizes)}: the original raised {fit.why}")
            if len(skipped) >= 3 and ran == raising == 0:
                break  # no array size makes it run: growing them further only costs time
            continue
        if fit.raised is None:
            check.note(fit.case, fit.result)
        if fit.raised is None and not check.races:
            why = _overflow(check, fit.case)
            if why:
                if check.options.assume_int64:
                    skipped.append(why)
                    continue
                return Verdict(function, False, why, ran, tuple(threads), unit=unit,
                               counterexample=fit.case.describe(specs))
        problem = _first_problem(check, fit, threads, unit)
        if problem:
            t, message = problem
            example = fit.case.describe(specs)
            # a hang is not shrunk: every smaller attempt would wait out the timeout again
            hung = _HUNG in message
            shrunk = _shrink(check, specs, sizes, seed + n, t) if shrink and fit.raised is None and not hung else None
            if check.races:  # the race as the smallest input shows it
                example, message = shrunk or (example, message.split(": ", 1)[-1])
            elif shrunk:
                example = f"{shrunk[0]}  ({shrunk[1]})"
            return Verdict(function, False, message, ran, tuple(threads), counterexample=example,
                           skipped=tuple(skipped), unit=unit, detail=check.detail)
        ran += 1
        raising += fit.raised is not None
        if fit.raised is None:
            coverage.add(fit.case)
            largest = fit.case if largest is None or fit.case.extent >= largest.extent else largest
        seen += [fit.case.extent] + [v for v in sizes.values()]
    if ran == raising:
        return Verdict(function, False, "no input could be run: " + (skipped[0] if skipped else "none made")
                       + f" (give inputs: `def {given.HOOK_PREFIX}{function}()` or --inputs)", skipped=tuple(skipped))
    short = None if check.races else coverage.shortfall()
    if short and skipped:
        short += f" (on other inputs {skipped[0].split(': ', 1)[-1]})"
    if short:
        return Verdict(function, False, short, ran, tuple(threads), skipped=tuple(skipped), unit=unit)
    notes = () if check.races or largest is None else _aliased(check, largest, specs, max(threads))
    return Verdict(function, True, "equivalent", ran, tuple(threads), (min(seen), max(seen)) if seen else (0, 0),
                   skipped=tuple(skipped), unit=unit, warnings=notes,
                   coverage="" if check.races else coverage.coverage.summary())


def _given(check: _Check, coverage: Trips, cases: list[list], function: str, threads,
           unit: str) -> tuple[Verdict | None, int]:
    """The user's own inputs, each compared as a generated one would be."""
    ran = 0
    for k, args in enumerate(cases, 1):
        case = inputs.Case({"given input": k}, args, extent=0)
        try:
            fit = inputs.Fit(case, result=check.original(args))
        except inputs.Raised as err:
            fit = inputs.Fit(case, raised=str(err))
        except inputs.NoAnswer as err:
            return Verdict(function, False, f"{err}, on given input #{k}"), ran
        if fit.raised is None:
            check.note(case, fit.result)
        problem = _first_problem(check, fit, threads, unit)
        if problem:
            return Verdict(function, False, f"on given input #{k}: {problem[1]}", ran, tuple(threads),
                           counterexample=case.describe(check.specs), unit=unit, detail=check.detail), ran
        ran += 1
        if fit.raised is None:
            coverage.add(case)
    return None, ran


def _given_only(function: str, ran: int, threads, unit: str, coverage: Trips) -> Verdict:
    """A kernel whose inputs cannot be generated (it takes a callable): the given ones judge."""
    short = coverage.shortfall()
    if short:
        return Verdict(function, False, short, ran, tuple(threads), unit=unit)
    return Verdict(function, True, "equivalent on the given inputs", ran, tuple(threads), unit=unit,
                   coverage=coverage.coverage.summary())


def _aliased(check: _Check, case: inputs.Case, specs, threads: int) -> tuple[str, ...]:
    """paralift assumes distinct array arguments do not overlap. Where two have the same
    shape and dtype, call both versions with one array passed for both (pickling keeps the
    sharing) and say so if they differ: a note on the assumption, not a refusal."""
    arrays = [k for k, a in enumerate(case.args) if hasattr(a, "shape")]
    pair = next(((i, j) for i in arrays for j in arrays
                 if i < j and case.args[i].shape == case.args[j].shape and case.args[i].dtype == case.args[j].dtype),
                None)
    if pair is None:
        return ()
    i, j = pair
    args = list(case.args)
    args[j] = args[i]
    expected, got = check.original.call(args), check.candidate.call(args, threads)
    if expected[0] != "ok" or got[0] != "ok":
        return ()
    terms = reduction_terms(case, specs)
    found = difference(expected[1][i], got[1][i], terms, specs[i].name) or difference(expected[2], got[2], terms)
    if not found:
        return ()
    return (f"with `{specs[i].name}` and `{specs[j].name}` one array, the result differs ({found}): "
            "paralift assumes distinct array arguments do not overlap",)


def reduction_terms(case: inputs.Case, specs) -> int:
    """How many terms a value of this case can be the sum of: the float tolerance grows with it."""
    return max(case.extent, 1) ** max([s.rank for s in specs if s.role == "array"] + [1])


def _jit_compiled(source: str) -> bool:
    """Might the original itself be compiled (by Numba) on its first call?"""
    return "numba" in source or "jit" in source


def _overflow(check: _Check, case: inputs.Case) -> str | None:
    found = check.overflow(case)
    if not found:
        return None
    return (f"the original computes {found}, outside int64, which Numba and C wrap around "
            "(pass --assume-int64 to accept int64 arithmetic)")


def _first_problem(check: _Check, fit: inputs.Fit, threads, unit: str) -> tuple[int, str] | None:
    for t in threads:
        problem = check(fit.case, t, fit.raised)
        if problem:
            return t, (problem if check.races else f"with {t} {unit}: {problem}")
    return None


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
        try:
            fit = inputs.fitting_case(specs, sz, s, check.original)
        except inputs.NoAnswer:
            return None
        if fit.case is None or fit.raised is not None:
            return None
        case = fit.case
        check.note(case, fit.result)
        problem = check(case, threads)
        if not problem:
            return ""
        text = f"{case.describe(specs)}  ({problem})"
        found[text] = (case.describe(specs), problem)
        return text
    return found.get(shrink(sizes, seed, attempt) or "")
