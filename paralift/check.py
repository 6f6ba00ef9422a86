"""`paralift check`: verify loops that are already parallel.

A loop is already parallel when it iterates with a `prange` (Numba's, or
`cython.parallel.prange`) or follows an `#pragma omp parallel for` / `#pragma omp for`.
The analysis judges it as if it were sequential code, and its verdict is held against
what the loop claims:

    PL101 racy-loop            a dependence is carried between iterations (both accesses named)
    PL102 missing-reduction    a reduction has no `reduction` clause (or the wrong operator)
    PL103 shared-private       a variable every iteration sets first is shared between threads
    PL104 missing-lastprivate  a value the loop leaves behind is used after it, unkept
    PL105 racy-induction       `k += c` on a shared counter, whose in-loop value then depends on timing
    PL106 unverified-parallel  the analysis cannot prove the loop safe (a warning, not a race)
    PL110 could-be-parallel    a sequential loop that could run in parallel (with --suggest)

Errors (PL101-PL105) are proven problems; a dependence through an index array or a
non-affine subscript is only possible, so it is a PL106 warning. `# paralift: ignore[PL101]`
(or `// paralift: ignore[...]` in C) on the loop's line silences those codes there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from paralift.analysis import FileAnalysis, analyze_source
from paralift.backends import nests
from paralift.diagnostics import Diagnostic, Severity, Span
from paralift.files import source_lines
from paralift.ir import nodes as ir
from paralift.ir import poly
from paralift.ir.walk import stmt_exprs, subexprs, walk_stmts
from paralift.passes.scalars import target_names
from paralift.ir.printer import expr as show
from paralift.passes.verdict import LoopVerdict

_PRANGE = re.compile(r"for\s.*\bin\s+(?:[A-Za-z_][\w.]*\.)?prange\s*\(")
_PRAGMA = re.compile(r"^\s*#\s*pragma\s+omp\s+(?:parallel\s+)?for\b(.*)$")
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
    return parse_pragma(m.group(1)) if m else None


def _ignored(lines: list[str], line: int) -> set[str]:
    m = _IGNORE.search(lines[line - 1]) if 0 < line <= len(lines) else None
    return {c.strip() for c in m.group(1).split(",")} if m else set()


def _certain(reason: Diagnostic, loop: ir.Loop, kernel: ir.Kernel) -> bool:
    """A PL201 dependence between affine subscripts is exact: there are inputs on which the
    iterations conflict. Through an index array or a product of loop variables it is only
    possible."""
    if reason.code in ("PL202", "PL208"):
        return True
    if reason.code != "PL201":
        return False
    loop_vars = {s.var for s in walk_stmts(kernel.body) if isinstance(s, ir.Loop)}
    spans = set(reason.related)
    nodes = [x for s in walk_stmts([loop]) for e in stmt_exprs(s) for x in subexprs(e)
             if isinstance(x, ir.Access) and x.span in spans]
    if not nodes:
        return False
    for x in nodes:
        for i in x.indices:
            p = poly.from_expr(i, lambda n: poly.sym(n), lambda a, d: None)
            if p is None or any(sum(1 for s in m if s in loop_vars) > 1 for m in p):
                return False
    return True


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


def check_loop(v: LoopVerdict, claim: Claim, kernel: ir.Kernel, path: str,
               lines: list[str] | None = None) -> list[Diagnostic]:
    loop = v.loop
    at = _loop_span(loop, path)
    out: list[Diagnostic] = []
    kind = "prange" if claim.kind == "prange" else "`omp for`"
    scatter = _scatter(v, kernel) if claim.kind == "prange" else None
    if scatter is not None:
        # Numba's prange has no atomics: two iterations that meet on an element race, and
        # nothing proves they never meet
        out.append(Diagnostic(
            "PL101", f"this prange loop races: `{show(scatter)}` (line {scatter.span.line}) writes through a "
            f"subscript that can be the same for two iterations of `{loop.var}`, and Numba has no atomic "
            "updates: keep the loop sequential, or give each thread its own copy and combine them",
            at, Severity.ERROR, related=(scatter.span,)))
    if v.verdict == "sequential":
        certain = [r for r in v.reasons if _certain(r, loop, kernel)]
        if certain and scatter is None:
            r = certain[0]
            out.append(Diagnostic("PL101", f"this {kind} loop races: {r.message}", at, Severity.ERROR,
                                  related=r.related or (r.span,)))
        elif scatter is None:
            why = v.reasons[0].message if v.reasons else "the analysis cannot prove it"
            out.append(Diagnostic("PL106", f"cannot prove this {kind} loop safe: {why}", at, Severity.WARNING,
                                  related=tuple(r.span for r in v.reasons[:2])))
        return out
    accessed = nests.accessed(loop.body)
    for name, step in v.induction:
        if claim.kind == "prange" or name not in claim.linear:
            out.append(Diagnostic(
                "PL105", f"`{name}` steps by {step} in every iteration of this {kind} loop; its value in an "
                f"iteration depends on which iterations ran before it on the same thread"
                + ("" if claim.kind == "prange" else f": declare `linear({name}:{step})`"),
                at, Severity.ERROR))
    if claim.kind == "prange":
        for op, name in v.reductions:
            bad = _numba_cannot_reduce(loop, name)
            if bad is not None:
                out.append(Diagnostic(
                    "PL102", f"`{name}` is reduced with `{op}` in a spelling Numba does not recognize as a "
                    f"reduction (line {bad.span.line}): each thread keeps its own `{name}`; write "
                    + (f"`{name} = {op}({name}, ...)`" if op in ("max", "min") else f"`{name} {op}= ...`"),
                    at, Severity.ERROR, related=(bad.span,)))
        for name in v.lastprivate:
            out.append(Diagnostic(
                "PL104", f"`{name}` is used after this prange loop, but Numba does not keep the last "
                "iteration's value", at, Severity.ERROR))
        return out
    declared = {op_name for _, op_name in claim.reductions}
    for op, name in v.reductions:
        ops = [o for o, n in claim.reductions if n == name]
        if not ops and _all_atomic(loop, name, lines):
            continue
        if not ops:
            what = "elements of " if name in accessed else ""
            out.append(Diagnostic(
                "PL102", f"{what}`{name}` {'are' if what else 'is'} reduced with `{op}` by every thread "
                f"without a `reduction({op if op in ('+', '*', 'max', 'min') else op}:{name})` clause: "
                "the updates race", at, Severity.ERROR))
        elif op not in ops:
            out.append(Diagnostic(
                "PL102", f"`{name}` is updated with `{op}` but the clause reduces it with `{ops[0]}`",
                at, Severity.ERROR))
    inside = {loop.var} | nests.declared_in(loop.body) | _collapsed(loop, claim.collapse)
    for name in sorted(set(v.private) | set(v.lastprivate)):
        if name in inside or name in claim.private or name in declared or name in accessed \
                or claim.default_private or name in claim.linear:
            continue
        out.append(Diagnostic(
            "PL103", f"`{name}` is set by every iteration before it is used, but it is declared outside "
            f"the loop and shared between the threads: declare it `private({name})` or inside the loop",
            at, Severity.ERROR))
    for s in walk_stmts(loop.body):  # inner loop counters declared outside are shared too
        if isinstance(s, ir.Loop) and s.form == "c-for-var" and s.var not in inside \
                and s.var not in claim.private and not claim.default_private:
            out.append(Diagnostic(
                "PL103", f"the inner loop counter `{s.var}` is declared outside the parallel loop and shared "
                f"between the threads: declare it `private({s.var})` or in the inner `for`",
                at, Severity.ERROR))
            break
    for name in v.lastprivate:
        if name not in claim.lastprivate:
            out.append(Diagnostic(
                "PL104", f"`{name}` is used after this `omp for` loop, but without `lastprivate({name})` "
                "its value there is undefined", at, Severity.ERROR))
    return out


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
            quiet = _ignored(lines, v.loop.span.line)
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
