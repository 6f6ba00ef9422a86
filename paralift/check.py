"""`paralift check`: verify loops that are already parallel.

A loop is already parallel when it iterates with a `prange` (Numba's, or
`cython.parallel.prange`) or follows an `#pragma omp parallel for` / `#pragma omp for`.
The analysis judges it as if it were sequential code, and its verdict is held against
what the loop claims. Each check is a rule registered with the code it reports
(`_rule`); the codes, their names and severities live in `diagnostics.CODES`, from which
`paralift check --help` and SARIF's rules are made.

Errors (PL101-PL105) are proven problems; a dependence through an index array or a
non-affine subscript is only possible, so it is a PL106 warning. `# paralift: ignore[PL101]`
(or `// paralift: ignore[...]` in C) on the loop's line silences those codes there.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from paralift.analysis import FileAnalysis, analyze_source
from paralift.diagnostics import CODES, Diagnostic, Severity, Span
from paralift.files import source_lines
from paralift.ir import nodes as ir
from paralift.ir import poly
from paralift.ir.walk import accessed, declared_in, walk_stmts
from paralift.passes.scalars import target_names
from paralift.ir.printer import expr as show
from paralift.passes.verdict import LoopVerdict

_PRANGE = re.compile(r"for\s.*\bin\s+(?:[A-Za-z_][\w.]*\.)?prange\s*\(")
# `omp for` and the combined constructs that share its iterations out (`parallel for`,
# `target teams distribute parallel for`: the offload target)
_PRAGMA = re.compile(r"^\s*#\s*pragma\s+omp\s+(?:target\s+)?(?:teams\s+)?(?:distribute\s+)?(?:parallel\s+)?for\b(.*)$")
_IGNORE = re.compile(r"paralift:\s*ignore\[([A-Z0-9,\s]+)\]")
_CLAUSE = re.compile(r"(\w+)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)")
_OMP_OPS = {"+": "+", "-": "+", "*": "*", "max": "max", "min": "min", "&&": "and", "||": "or",
            "&": "&", "|": "|", "^": "^"}


@dataclass(frozen=True)
class Claim:
    """What an already-parallel loop says about itself."""

    kind: str                                    # prange | omp
    private: frozenset[str] = frozenset()        # private, firstprivate, lastprivate, linear
    lastprivate: frozenset[str] = frozenset()
    linear: frozenset[str] = frozenset()
    reductions: tuple[tuple[str, str], ...] = ()  # (op, name)
    default_private: bool = False
    collapse: int = 1                            # `collapse(n)`: the n loops' counters are private
    line: int = 0                                # the pragma's line (its first, if continued)


@dataclass(frozen=True)
class CheckResult:
    path: str
    diagnostics: tuple[Diagnostic, ...] = ()
    checked: int = 0                              # already-parallel loops verified
    errors: tuple[Diagnostic, ...] = field(default=())  # the file could not be analyzed


def parse_pragma(text: str) -> Claim:
    private, last, linear, reds = set(), set(), set(), []
    default_private, collapse = False, 1
    for name, args in _CLAUSE.findall(text):
        names = {a.split("[")[0].split(":")[0].strip() for a in args.split(",") if a.strip()}
        if name in ("private", "firstprivate"):
            private |= names
        elif name == "lastprivate":
            private |= names
            last |= names
        elif name == "linear":
            linear |= {a.split(":")[0].strip() for a in args.split(",")}
        elif name == "reduction" and ":" in args:
            op, _, vars_ = args.partition(":")
            reds += [(_OMP_OPS.get(op.strip(), op.strip()), v.split("[")[0].strip())
                     for v in vars_.split(",") if v.strip()]
        elif name == "default":
            default_private = args.strip() in ("private", "firstprivate")
        elif name == "collapse" and args.strip().isdigit():
            collapse = int(args.strip())
    return Claim("omp", frozenset(private), frozenset(last), frozenset(linear), tuple(reds), default_private,
                 collapse)


def _claim(loop: ir.Loop, lines: list[str], language: str) -> Claim | None:
    if language == "python":
        header = lines[loop.span.line - 1][loop.span.col:]
        return Claim("prange") if _PRANGE.match(header) else None
    k = loop.span.line - 2
    while k >= 0 and not lines[k].strip():
        k -= 1
    if k < 0:
        return None
    text, j = lines[k], k  # a pragma continued over lines with backslashes
    while j > 0 and lines[j - 1].rstrip().endswith("\\"):
        j -= 1
        text = lines[j].rstrip()[:-1] + " " + text
    m = _PRAGMA.match(text)
    return replace(parse_pragma(m.group(1)), line=j + 1) if m else None


def _ignored(lines: list[str], line: int) -> set[str]:
    m = _IGNORE.search(lines[line - 1]) if 0 < line <= len(lines) else None
    return {c.strip() for c in m.group(1).split(",")} if m else set()


def _certain(reason: Diagnostic) -> bool:
    """A PL201 dependence is proven when the analysis found a witness: values at which the
    two iterations touch one element. Without one it is only possible."""
    return reason.code in ("PL202", "PL208") or (reason.code == "PL201" and reason.proven)


def _scatter(v: LoopVerdict, kernel: ir.Kernel) -> ir.Access | None:
    """The first write to a shared array in the loop whose subscripts are not provably
    different in different iterations (`h[keys[i]] += w`, `b[i // 2] = x`, `c[j] += ...`)."""
    loop = v.loop
    local = {n for s in walk_stmts(loop.body) if isinstance(s, ir.Assign)
             for n in target_names(s.target)} | set(v.private)
    for s in walk_stmts(loop.body):
        targets = []
        if isinstance(s, ir.Assign):
            targets = list(s.target.elts) if isinstance(s.target, ir.Tuple) else [s.target]
        for t in targets:
            if isinstance(t, ir.Access) and t.array not in local and \
                    not _injective(t, {loop.var} | {n for n, step in v.induction if step}):
                return t
    return None


def _injective(access: ir.Access, steps: set[str]) -> bool:
    """Is some subscript `c * x + (terms without x)`, c != 0, where x is the loop variable or
    an induction variable (both change by a fixed step in every iteration)? Then two
    iterations never write one element through it."""
    for index in access.indices:
        p = poly.from_expr(index, lambda n: poly.sym(n), lambda a, d: None)
        if p is None:
            continue
        varying = [m for m in p if set(m) & steps]
        if len(varying) == 1 and len(varying[0]) == 1 and p[varying[0]] != 0:
            return True
    return False


def _collapsed(loop: ir.Loop, depth: int) -> set[str]:
    """The counters of the loops `collapse(depth)` joins to `loop`: OpenMP makes them private."""
    out, current = set(), loop
    for _ in range(depth - 1):
        inner = [s for s in current.body if isinstance(s, ir.Loop)]
        if len(inner) != 1:
            break
        current = inner[0]
        out.add(current.var)
    return out


def _loop_span(loop: ir.Loop, path: str) -> Span:
    return Span(loop.span.line, loop.span.col, loop.span.line, loop.span.col, path)


@dataclass(frozen=True)
class _Loop:
    """One parallel claim and what the analysis found about its loop: what every rule reads."""
    v: LoopVerdict
    claim: Claim
    kernel: ir.Kernel
    at: Span
    lines: list[str] | None
    scatter: ir.Access | None   # prange: a write two iterations may share
    certain: tuple[Diagnostic, ...]  # reasons of a sequential verdict that are proven races

    @property
    def kind(self) -> str:
        return "prange" if self.claim.kind == "prange" else "`omp for`"

    @property
    def parallel(self) -> bool:
        return self.v.verdict != "sequential"

    def diagnostic(self, code: str, message: str, related: tuple[Span, ...] = ()) -> Diagnostic:
        return Diagnostic(code, message, self.at, CODES[code].severity, related)


_RULES: list[tuple[str, Callable[[_Loop], list[Diagnostic]]]] = []


def _rule(code: str):
    """Register a rule: it reports `code` (severity from the registry) for one claim."""
    def register(fn):
        _RULES.append((code, fn))
        return fn
    return register


def check_loop(v: LoopVerdict, claim: Claim, kernel: ir.Kernel, path: str,
               lines: list[str] | None = None) -> list[Diagnostic]:
    scatter = _scatter(v, kernel) if claim.kind == "prange" else None
    certain = tuple(r for r in v.reasons if _certain(r)) if v.verdict == "sequential" else ()
    c = _Loop(v, claim, kernel, _loop_span(v.loop, path), lines, scatter, certain)
    return [d for _, rule in _RULES for d in rule(c)]


@_rule("PL101")
def _races(c: _Loop) -> list[Diagnostic]:
    if c.scatter is not None:
        # Numba's prange has no atomics: two iterations that meet on an element race, and
        # nothing proves they never meet
        return [c.diagnostic(
            "PL101", f"this prange loop races: `{show(c.scatter)}` (line {c.scatter.span.line}) writes through a "
            f"subscript that can be the same for two iterations of `{c.v.loop.var}`, and Numba has no atomic "
            "updates: keep the loop sequential, or give each thread its own copy and combine them",
            (c.scatter.span,))]
    first = c.certain[0] if c.certain else None
    return [c.diagnostic("PL101", f"this {c.kind} loop races: {first.message}",
                         first.related or (first.span,))] if first else []


@_rule("PL106")
def _unproven(c: _Loop) -> list[Diagnostic]:
    if c.parallel or c.scatter is not None or c.certain:
        return []
    why = c.v.reasons[0].message if c.v.reasons else "the analysis cannot prove it"
    return [c.diagnostic("PL106", f"cannot prove this {c.kind} loop safe: {why}",
                         tuple(r.span for r in c.v.reasons[:2]))]


@_rule("PL105")
def _inductions(c: _Loop) -> list[Diagnostic]:
    if not c.parallel:
        return []
    prange = c.claim.kind == "prange"
    return [c.diagnostic(
        "PL105", f"`{name}` steps by {step} in every iteration of this {c.kind} loop; its value in an "
        f"iteration depends on which iterations ran before it on the same thread"
        + ("" if prange else f": declare `linear({name}:{step})`"))
        for name, step in c.v.induction if prange or name not in c.claim.linear]


@_rule("PL102")
def _reductions(c: _Loop) -> list[Diagnostic]:
    if not c.parallel:
        return []
    if c.claim.kind == "prange":
        out = []
        for op, name in c.v.reductions:
            bad = _numba_cannot_reduce(c.v.loop, name)
            if bad is not None:
                out.append(c.diagnostic(
                    "PL102", f"`{name}` is reduced with `{op}` in a spelling Numba does not recognize as a "
                    f"reduction (line {bad.span.line}): each thread keeps its own `{name}`; write "
                    + (f"`{name} = {op}({name}, ...)`" if op in ("max", "min") else f"`{name} {op}= ...`"),
                    (bad.span,)))
        return out
    return _clause_reductions(c)


def _clause_reductions(c: _Loop) -> list[Diagnostic]:
    out, arrays = [], accessed(c.v.loop.body)
    for op, name in c.v.reductions:
        ops = [o for o, n in c.claim.reductions if n == name]
        if not ops and _all_atomic(c.v.loop, name, c.lines):
            continue
        if not ops:
            what = "elements of " if name in arrays else ""
            out.append(c.diagnostic(
                "PL102", f"{what}`{name}` {'are' if what else 'is'} reduced with `{op}` by every thread "
                f"without a `reduction({op}:{name})` clause: the updates race"))
        elif op not in ops:
            out.append(c.diagnostic("PL102", f"`{name}` is updated with `{op}` but the clause reduces it with "
                                             f"`{ops[0]}`"))
    return out


@_rule("PL103")
def _shared_privates(c: _Loop) -> list[Diagnostic]:
    if not c.parallel or c.claim.kind == "prange" or c.claim.default_private:
        return []
    loop, claim = c.v.loop, c.claim
    inside = {loop.var} | declared_in(loop.body) | _collapsed(loop, claim.collapse)
    reduced, arrays = {n for _, n in claim.reductions}, accessed(loop.body)
    out = [c.diagnostic(
        "PL103", f"`{name}` is set by every iteration before it is used, but it is declared outside "
        f"the loop and shared between the threads: declare it `private({name})` or inside the loop")
        for name in sorted(set(c.v.private) | set(c.v.lastprivate))
        if not (name in inside or name in claim.private or name in reduced or name in arrays
                or name in claim.linear)]
    counter = next((s for s in walk_stmts(loop.body)  # inner loop counters declared outside are shared too
                    if isinstance(s, ir.Loop) and s.form == "c-for-var" and s.var not in inside
                    and s.var not in claim.private), None)
    if counter is not None:
        out.append(c.diagnostic(
            "PL103", f"the inner loop counter `{counter.var}` is declared outside the parallel loop and shared "
            f"between the threads: declare it `private({counter.var})` or in the inner `for`"))
    return out


@_rule("PL104")
def _last_values(c: _Loop) -> list[Diagnostic]:
    if not c.parallel:
        return []
    if c.claim.kind == "prange":
        return [c.diagnostic("PL104", f"`{name}` is used after this prange loop, but Numba does not keep the "
                                      "last iteration's value") for name in c.v.lastprivate]
    return [c.diagnostic("PL104", f"`{name}` is used after this `omp for` loop, but without "
                                  f"`lastprivate({name})` its value there is undefined")
            for name in c.v.lastprivate if name not in c.claim.lastprivate]


_ATOMIC = re.compile(r"^\s*#\s*pragma\s+omp\s+(?:atomic|critical)\b")


def _all_atomic(loop: ir.Loop, name: str, lines: list[str] | None) -> bool:
    """Is every update of `name` in the loop under its own `#pragma omp atomic` (or a
    `critical` directly above it)? Then the updates do not race, clause or not."""
    from paralift.passes import updates
    if not lines:
        return False
    found = False
    for s in walk_stmts(loop.body):
        u = updates.match(s)
        target = u.target if u is not None else None
        base = target.id if isinstance(target, ir.Name) else getattr(target, "array", None)
        if base != name:
            continue
        k = s.span.line - 2
        while k >= 0 and not lines[k].strip():
            k -= 1
        if k < 0 or not _ATOMIC.match(lines[k]):
            return False
        found = True
    return found


def _numba_cannot_reduce(loop: ir.Loop, name: str) -> ir.Stmt | None:
    """The first update of scalar `name` not spelled as Numba's prange reduces (`x += e`,
    `x = x * e`, `x = max(x, e)`); an `if e > x: x = e` is silently made thread-private."""
    from paralift.passes import updates
    for s in walk_stmts(loop.body):
        u = updates.match(s)
        if u is None or u.target != ir.Name(name):
            continue
        if isinstance(s, ir.Assign) and (s.op in ("+", "-", "*") or (
                s.op is None and isinstance(s.value, ir.BinOp) and s.value.op in ("+", "-", "*")
                and s.value.left == ir.Name(name)) or (
                s.op is None and isinstance(s.value, ir.Call) and s.value.func in ("max", "min")
                and len(s.value.args) == 2 and ir.Name(name) in s.value.args)):
            continue
        return s
    return None


def check_analysis(fa: FileAnalysis, source: str, suggest: bool = False) -> CheckResult:
    if fa.errors:
        return CheckResult(fa.path, errors=fa.errors)
    lines = source_lines(source)
    found: list[Diagnostic] = []
    checked = 0
    for kv in fa.kernels:
        claimed_inside: set[int] = set()
        for v in kv.loops:
            if id(v.loop) in claimed_inside:
                continue
            claim = _claim(v.loop, lines, fa.language)
            if claim is None:
                continue
            checked += 1
            claimed_inside |= {id(s) for s in walk_stmts(v.loop.body) if isinstance(s, ir.Loop)}
            # `paralift: ignore[...]` on the loop's line or on its pragma's
            quiet = _ignored(lines, v.loop.span.line) | _ignored(lines, claim.line)
            found += [d for d in check_loop(v, claim, kv.kernel, fa.path, lines) if d.code not in quiet]
        if suggest:
            found += _suggestions(kv, lines, fa, claimed_inside)
    return CheckResult(fa.path, tuple(sorted(found, key=lambda d: (d.span.line, d.code))), checked)


def _suggestions(kv, lines, fa: FileAnalysis, claimed_inside: set[int]) -> list[Diagnostic]:
    out, covered = [], set(claimed_inside)
    for v in kv.loops:
        if id(v.loop) in covered or _claim(v.loop, lines, fa.language) is not None:
            covered |= {id(s) for s in walk_stmts([v.loop]) if isinstance(s, ir.Loop)}
            continue
        if v.verdict != "sequential" and "PL110" not in _ignored(lines, v.loop.span.line):
            what = "in parallel" if v.verdict == "parallel" else \
                "in parallel as a reduction (" + ", ".join(f"{op}:{t}" for op, t in v.reductions) + ")"
            out.append(Diagnostic("PL110", f"this loop could run {what}: `paralift rewrite` can do it",
                                  _loop_span(v.loop, fa.path), Severity.NOTE))
            covered |= {id(s) for s in walk_stmts([v.loop]) if isinstance(s, ir.Loop)}
    return out


def check_source(source: str, path: str, language: str, suggest: bool = False) -> CheckResult:
    return check_analysis(analyze_source(source, path, language), source, suggest)
