"""`paralift rewrite`: analyze, rewrite, verify, and only then write.

A kernel whose rewrite fails the tester is left as it was (and the reason reported);
the others are kept. Writing the result is `files.write_back`'s job.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from paralift import targets
from paralift.analysis import analyze_source
from paralift.diagnostics import Diagnostic, Severity, Span
from paralift.files import language_of, read_source, source_lines
from paralift.targets import MARKER
from paralift.verify.given import HOOK_PREFIX
from paralift.verify.options import TesterOptions
from paralift.verify.sessions import Candidate
from paralift.verify.tester import Verdict


@dataclass(frozen=True)
class FileRewrite:
    path: str
    original: str
    result: str
    plans: tuple = ()
    verdicts: tuple[Verdict, ...] = ()
    refused: tuple[Verdict, ...] = ()
    errors: tuple[Diagnostic, ...] = field(default=())
    warnings: tuple[Diagnostic, ...] = field(default=())  # the analysis's (a C header not found)
    sequential: int = 0    # loops left sequential: by the analysis, or by the target's backend
    parallel: int = 0      # loops the analysis found parallel (rewritten, or already parallel)

    @property
    def changed(self) -> bool:
        return self.result != self.original


def rewrite_source(source: str, path: str, target: str | None = None, functions: set[str] | None = None,
                   check: bool = True, progress: Callable[[str], None] | None = None,
                   tsan: bool = False, options: TesterOptions | None = None, transform: str = "auto") -> FileRewrite:
    language = language_of(path) or "python"
    try:
        emitter = targets.emitter(target, language)
    except targets.TargetError as why:
        if target not in targets.TARGETS:
            raise
        return FileRewrite(path, source, source, errors=(Diagnostic("PL005", str(why), Span(1, 0, 1, 0, path),
                                                                    Severity.ERROR),))
    fa = analyze_source(source, path, language)
    if fa.errors:  # nothing is written for a file that does not parse
        return FileRewrite(path, source, source, errors=fa.errors, warnings=fa.warnings)
    backend, session = targets.load(emitter.backend), targets.load(emitter.session)
    # a function without loops has nothing to say, and the tester's inputs hooks are the
    # user's test code: neither is planned or listed
    with_loops = {kv.kernel.name for kv in fa.kernels if kv.loops and not kv.kernel.name.startswith(HOOK_PREFIX)}
    functions = with_loops if functions is None else set(functions) & with_loops

    staged = _Transforms(fa, source, path, transform if emitter.transforms else "none")

    def alone(name: str) -> str:  # the file with only `name` rewritten, for a session to build on its own
        return staged.rewrite(backend, {name}, None)

    def rewrite(functions, lifted):
        return staged.rewrite(backend, functions, frozenset(lifted) if emitter.lifts else None, whole=True)
    done = _verified(source, path, functions, check, progress, rewrite,
                     lambda original, candidate: session(Candidate(original, candidate, path, tsan, options, alone)),
                     emitter.lifts)
    judged = [v for kv in fa.kernels for v in kv.loops if functions is None or kv.kernel.name in functions]
    skewed = staged.parallel_in({v.function for v in done.verdicts}) if done.changed else 0
    return replace(done, warnings=fa.warnings,
                   sequential=sum(v.verdict == "sequential" for v in judged) + sum(len(p.skipped) for p in done.plans)
                   - skewed, parallel=sum(v.verdict != "sequential" for v in judged) + skewed)


class _Transforms:
    """The file as the backend sees it: with the wavefront nests of the functions being
    rewritten written front by front first (`--transform`), each front's loop parallel by
    the wavefront's proof. A function whose transformed nest the backend then does not
    parallelize is left untransformed: a reordered sequential nest gains nothing."""

    def __init__(self, fa, source: str, path: str, policy: str):
        self.fa, self.source, self.path, self.policy = fa, source, path, policy
        self.memo: dict = {}
        self.applied: tuple = ()   # the wavefronts of the last whole rewrite

    def staged(self, functions: frozenset[str]):
        if functions not in self.memo:
            from paralift.backends import wavefront
            text, applied = wavefront.transformed(self.fa, self.source, set(functions), self.policy)
            fw = wavefront.proven(analyze_source(text, self.path, self.fa.language), applied) \
                if text != self.source else self.fa
            self.memo[functions] = (text, fw, applied)
        return self.memo[functions]

    def rewrite(self, backend, functions, lifted, whole: bool = False):
        chosen = frozenset(functions) if functions is not None else frozenset(kv.kernel.name for kv in self.fa.kernels)
        while True:
            text, fw, applied = self.staged(chosen)
            out = backend(fw, text, functions, lifted=lifted) if lifted is not None else backend(fw, text, functions)
            idle = {a.function for a in applied} - {p.name for p in out.kernels if p.loops}
            if not idle:
                if whole:
                    self.applied = applied
                return out if whole else out.source
            chosen -= idle

    def parallel_in(self, verified: set[str]) -> int:
        """Loops written as a wavefront, in the functions that passed: no longer sequential."""
        return sum(a.nest for a in self.applied if a.function in verified)


def _verified(source: str, path: str, functions, check: bool, progress, rewrite, session,
              lifts: bool) -> FileRewrite:
    """Rewrite, verify every rewritten function, and keep only those that pass: the file
    is rewritten again with just them, so a failing function stays as it was. What is
    written is always what was verified: a file rewritten with fewer functions is
    verified again (functions can interact, in a CUDA file that must compile whole).

    Where the backend can lift loops into helpers (`lifts`), a function that fails whole
    is tried once more with its loops lifted: Numba may lack what its other code uses."""
    first = rewrite(functions, set())
    if not first.changed or not check:
        return FileRewrite(path, source, first.source, first.kernels)
    candidate, names, lifted = first, [p.name for p in first.kernels if p.loops], set()
    refused: list[Verdict] = []
    while True:
        passed, failed = _verify_round(candidate, names, session, source, progress)
        retry = {v.function for v in failed if lifts and v.function not in lifted and _whole(candidate, v.function)}
        refused += [v for v in failed if v.function not in retry]
        lifted |= retry
        if not failed:
            return FileRewrite(path, source, candidate.source, first.kernels, tuple(passed), tuple(refused))
        names = [v.function for v in passed] + sorted(retry)
        if not names:
            return FileRewrite(path, source, source, first.kernels, (), tuple(refused))
        candidate = rewrite(set(names), lifted)


def _whole(candidate, name: str) -> bool:
    """Was `name` rewritten whole (not yet lifted, and not a method)?"""
    plan = next((p for p in candidate.kernels if p.name == name), None)
    return plan is not None and not getattr(plan, "lifted", True)


def _verify_round(candidate, names: list[str], session, source: str, progress) -> tuple[list, list]:
    """Each function's verdict, named after the function (a method is verified through the
    helpers its loops moved into, against the same loops lifted from the original)."""
    plans = {p.name: p for p in candidate.kernels}
    passed, failed = [], []
    with session(candidate.reference or source, candidate.source) as verify_one:
        for name in names:
            if progress:
                progress(name)
            verdicts = [verify_one(n) for n in getattr(plans.get(name), "verify_as", (name,))]
            bad = next((v for v in verdicts if not v.ok), None)
            v = verdicts[0] if bad is None else bad
            v = v if v.function == name else replace(v, function=name, message=f"(its loop, lifted into `{v.function}`) "
                                                                               f"{v.message}")
            (passed if v.ok else failed).append(v)
    return passed, failed




def marked_functions(source: str, path: str, language: str) -> dict[str, str]:
    """Functions marked for a target: `# paralift: numba` (or `// paralift: openmp`) on the
    `def` line, or on a comment or decorator line right above it."""
    from paralift.frontend import frontend_for
    module, _ = frontend_for(language)(source, path)
    if module is None:  # a file that does not parse has no marks to honour
        return {}
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
    text, plans, verdicts, refused, errors, warnings = source, [], [], [], [], ()
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
        warnings = warnings or res.warnings  # every target reads the same file
        plans += res.plans
        verdicts += res.verdicts
        refused += res.refused
        text = res.result
    return FileRewrite(path, source, text, tuple(plans), tuple(verdicts), tuple(refused), tuple(errors), warnings)


def rewrite_file(path: str, **options) -> FileRewrite:
    source, problem = read_source(path)
    if problem is not None:
        return FileRewrite(path, "", "", errors=(problem,))
    return rewrite_source(source, path, **options)
