"""The verdict per loop: parallel, reduction or sequential, with the reasons why.

Combines the effects, scalar, dependence and privatization passes for every loop of a
kernel. Each loop is judged at its own level: the iterations of the loops around it are
fixed, the loops inside it run whole within one iteration.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import combinations_with_replacement

from paralift.diagnostics import Diagnostic, Span
from paralift.ir import nodes as ir
from paralift.ir.printer import expr as show
from paralift.ir.walk import stmt_exprs, subexprs, walk_stmts
from paralift.passes import effects, scalars
from paralift.passes.accesses import AccessRec, KernelAccesses, collect
from paralift.passes.bindings import Bindings, bindings
from paralift.passes.dependence import Dependence, LevelAnalysis
from paralift.passes.privatize import privatizable
from paralift.passes import cost
from paralift.passes.fusion import Fusion, fusions
from paralift.passes.interchange import Interchange, interchange
from paralift.passes.tiling import Tiling, tiling
from paralift.passes.reschedule import Reschedule, reschedule
from paralift.passes.timetile import TimeTiling, time_tiling
from paralift.passes.transform import Wavefront, perfect_nest, wavefront
from paralift.passes.views import possible_views


@dataclass(frozen=True)
class LoopVerdict:
    loop: ir.Loop
    depth: int
    verdict: str                                  # parallel | reduction | sequential
    reductions: tuple[tuple[str, str], ...] = ()  # (op, target)
    private: tuple[str, ...] = ()
    lastprivate: tuple[str, ...] = ()
    induction: tuple[tuple[str, int], ...] = ()
    reasons: tuple[Diagnostic, ...] = field(default=())
    # array parameters the verdict assumes do not overlap (it writes one of them and touches
    # another): were they views of one buffer, `parallel` would no longer be a proof
    distinct: tuple[str, ...] = ()
    # a sequential nest this loop heads that a transformation makes parallel (transform.py)
    transform: Wavefront | None = None
    # the nest this loop heads walks memory along rows after a split and swap (interchange.py)
    interchange: Interchange | None = None
    # the nest this loop heads reuses an array from cache in tiles (tiling.py)
    tiling: Tiling | None = None
    # the time loop this is runs faster in skewed tiles of several steps (timetile.py)
    timetile: TimeTiling | None = None
    # the nest this loop heads has a parallel loop around all its work in another order (reschedule.py)
    reschedule: Reschedule | None = None
    # the nest this loop heads and the ones after it run faster as one nest (fusion.py)
    fusion: Fusion | None = None

    @property
    def line(self) -> int:
        return self.loop.span.line

    @property
    def hints(self) -> tuple:
        """The transformations found for this loop (each with `describe()`)."""
        return tuple(h for h in (self.transform, self.interchange, self.tiling, self.timetile, self.reschedule,
                                 self.fusion) if h is not None)


@dataclass(frozen=True)
class KernelVerdicts:
    kernel: ir.Kernel
    loops: tuple[LoopVerdict, ...]

    def moved_to(self, kernel: ir.Kernel) -> KernelVerdicts | None:
        """The same verdicts for the same function text parsed again at another line (an
        edit above it): each loop's verdict on the new parse's loop, every line number in
        the reasons moved. None if the loops do not line up (then analyze again)."""
        delta = kernel.span.line - self.kernel.span.line
        fresh = {(s.span.line, s.span.col): s for s in walk_stmts(kernel.body) if isinstance(s, ir.Loop)}
        loops = []
        for v in self.loops:
            loop = fresh.get((v.loop.span.line + delta, v.loop.span.col))
            if loop is None or loop.var != v.loop.var:
                return None
            loops.append(replace(v, loop=loop, reasons=tuple(_moved(r, delta) for r in v.reasons)))
        at = {id(old.loop): new.loop for old, new in zip(self.loops, loops)}
        loops = [replace(v, transform=v.transform and replace(v.transform, loops=tuple(at[id(x)] for x in v.transform.loops)),
                         interchange=v.interchange and Interchange(at[id(v.interchange.outer)], at[id(v.interchange.inner)]),
                         tiling=v.tiling and replace(v.tiling, outer=at[id(v.tiling.outer)], inner=at[id(v.tiling.inner)]),
                         timetile=v.timetile and v.timetile.moved(at[id(v.timetile.loop)]),
                         reschedule=v.reschedule and v.reschedule.moved(at[id(v.reschedule.loop)]),
                         fusion=v.fusion and v.fusion.moved(tuple(at[id(x)] for x in v.fusion.loops)))
                 for v in loops]
        return KernelVerdicts(kernel, tuple(loops))


def _moved(d: Diagnostic, delta: int) -> Diagnostic:
    def span(s: Span) -> Span:
        return replace(s, line=s.line + delta, end_line=s.end_line + delta) if s.line else s
    message = re.sub(r"\bline (\d+)", lambda m: f"line {int(m.group(1)) + delta}", d.message)
    return replace(d, message=message, span=span(d.span), related=tuple(span(s) for s in d.related))


# The work one function may cost, counted (not timed, so a verdict never depends on the
# machine): a nest deeper than MAX_DEPTH, or more than MAX_TESTS dependence tests (each an
# isl emptiness test), leaves the loops it did not reach sequential, saying why.
MAX_DEPTH = 24
MAX_TESTS = 50_000


class _OverBudget(Exception):
    pass


@dataclass
class _Budget:
    tests: int = 0

    def spend(self) -> None:
        self.tests += 1
        if self.tests > MAX_TESTS:
            raise _OverBudget


@dataclass
class _KernelFacts:
    """What every loop of a kernel needs to know about the kernel as a whole."""

    kernel: ir.Kernel
    env: effects.CallEnv
    arrays: set[str]
    accesses: KernelAccesses
    bound: Bindings          # how array names are rebound: fresh, swapped, copied
    params: set[str]
    assigned: set[str]       # every name the kernel assigns
    param_names: dict = field(default_factory=dict)  # isl parameter names, shared by all loops
    budget: _Budget = field(default_factory=_Budget)


def analyze_kernel(kernel: ir.Kernel, env: effects.CallEnv) -> KernelVerdicts:
    ranks: dict[str, int] = {}
    for s in walk_stmts(kernel.body):
        for e in stmt_exprs(s):
            for x in subexprs(e):
                if isinstance(x, ir.Access) and not x.array.endswith(".shape"):
                    ranks[x.array] = max(ranks.get(x.array, 0), len(x.indices))
    arrays = set(ranks)
    arrays |= possible_views(kernel, arrays, ranks, env)  # a view is an array of unknown identity
    bound = bindings(kernel, env, arrays)
    facts = _KernelFacts(kernel, env, arrays, collect(kernel, env, arrays, bound.alias), bound,
                         {p.name for p in kernel.params}, scalars.assigned_names(kernel.body))
    loops = list(_loops_with_depth(kernel.body, 0))
    deepest = max((depth for _, depth in loops), default=0) + 1
    if deepest > MAX_DEPTH:
        why = f"a nest of {deepest} loops is deeper than the analysis takes on ({MAX_DEPTH})"
        return KernelVerdicts(kernel, tuple(_unjudged(loop, depth, why) for loop, depth in loops))
    out = []
    for loop, depth in loops:
        try:
            out.append(_judge(loop, depth, facts))
        except _OverBudget:
            out.append(_unjudged(loop, depth, f"the function needs more than {MAX_TESTS:,} dependence "
                                              "tests; the analysis stopped before this loop"))
    return KernelVerdicts(kernel, _with_transforms(out, facts))


def _with_transforms(verdicts: list[LoopVerdict], f: _KernelFacts) -> tuple[LoopVerdict, ...]:
    """A sequential nest with no parallel loop, held back only by array dependences, may run
    as a wavefront: the outermost loop it can be found for carries it."""
    by_loop = {id(v.loop): v for v in verdicts}
    covered: set[int] = set()
    inside_parallel = {id(x) for v in verdicts if v.verdict != "sequential"
                       for x in walk_stmts(v.loop.body) if isinstance(x, ir.Loop)}
    out = []
    for v in verdicts:
        nest = perfect_nest(v.loop)
        judged = [by_loop.get(id(x)) for x in nest]
        if id(v.loop) not in covered and len(nest) > 1 and all(
                j is not None and j.verdict == "sequential" and j.reasons and
                all(r.code == "PL201" for r in j.reasons) for j in judged):
            found = wavefront(nest, f.accesses, f.param_names)
            if found is not None:
                v = replace(v, transform=found)
                covered |= {id(x) for x in nest}
        if id(v.loop) not in covered and v.transform is None and _swap_keeps_parallelism(v, inside_parallel):
            swap = interchange(v.loop, f.accesses, f.param_names)
            if swap is not None:
                v = replace(v, interchange=swap)
                covered |= {id(x) for x in walk_stmts((v.loop,)) if isinstance(x, ir.Loop)}
        out.append(v)
    return _with_tilings(out, covered, f)


def _with_tilings(verdicts: list[LoopVerdict], covered: set[int], f: _KernelFacts) -> tuple[LoopVerdict, ...]:
    """Tilings, for the nests no other transformation took (around them neither): time
    tiles for a sequential loop around parallel sweeps, else a new loop order with a
    parallel loop around all the work, else strips for reuse. Then fusion, for sibling
    nests none of these took."""
    taken = covered | {id(x) for v in verdicts if v.transform or v.interchange
                       for x in walk_stmts((v.loop,)) if isinstance(x, ir.Loop)}
    out, size = [], functools.cache(lambda: cost.budget_size(f.kernel.body))
    parallel = {id(v.loop) for v in verdicts if v.verdict != "sequential"}
    # a new parallel loop inside one that runs in parallel already gains nothing
    enclosed = {id(x) for v in verdicts if v.verdict != "sequential" for x in walk_stmts(v.loop.body)
                if isinstance(x, ir.Loop)}
    for v in verdicts:
        inside = [x for x in walk_stmts((v.loop,)) if isinstance(x, ir.Loop)]
        if not any(id(x) in taken for x in inside) and len(inside) > 1:
            alone = v.verdict == "sequential" and id(v.loop) not in enclosed
            if alone:
                v = replace(v, timetile=time_tiling(v.loop, f.kernel, f.env, size(), cost.cache_size()))
            if alone and v.timetile is None:
                v = replace(v, reschedule=reschedule(v.loop, f.kernel, f.env, parallel, size()))
            if v.timetile is None and v.reschedule is None:
                v = replace(v, tiling=tiling(v.loop, f.accesses, f.param_names, size()))
            if v.timetile or v.reschedule or v.tiling:
                taken |= {id(x) for x in inside}
        out.append(v)
    return _with_fusions(out, taken, enclosed, parallel, size, f)


def _with_fusions(verdicts: list[LoopVerdict], taken: set[int], enclosed: set[int], parallel: set[int],
                  size: Callable[[], int], f: _KernelFacts) -> tuple[LoopVerdict, ...]:
    """Each fusion on the verdict of its first nest's loop: nests no other transformation
    took, outside every parallel loop."""
    def free(loop: ir.Loop) -> bool:
        return id(loop) not in enclosed and not any(id(x) in taken for x in walk_stmts((loop,))
                                                    if isinstance(x, ir.Loop))
    runs = list(_sibling_runs(f.kernel.body, free))
    if not runs:
        return tuple(verdicts)
    first: dict[int, Fusion] = {}
    inside: set[int] = set()   # a run inside fused nests is fused with them already: not scheduled again
    for run in runs:
        if id(run[0]) in inside:
            continue
        for x in fusions([run], f.kernel, f.env, parallel, size(), cost.cache_size()):
            first[id(x.loops[0])] = x
            inside |= {id(y) for y in walk_stmts(x.loops) if isinstance(y, ir.Loop)}
    return tuple(replace(v, fusion=first[id(v.loop)]) if id(v.loop) in first else v for v in verdicts)


def _sibling_runs(body, free):
    """Runs of two or more loops one after another in one block, each heading a nest `free`
    says may change, in every block of `body`, a block's before the ones inside it."""
    runs: list[list[ir.Loop]] = [[]]
    for s in body:
        if isinstance(s, ir.Loop) and free(s):
            runs[-1].append(s)
        elif runs[-1]:
            runs.append([])
    for run in runs:
        if len(run) > 1:
            yield tuple(run)
    for s in body:
        if isinstance(s, (ir.Loop, ir.If, ir.While)):
            for block in (s.body, getattr(s, "orelse", ())):
                yield from _sibling_runs(block, free)


def _swap_keeps_parallelism(v: LoopVerdict, inside_parallel: set[int]) -> bool:
    """An interchange moves `v`'s loop inward: only where that costs no parallelism, inside
    a loop that runs in parallel already (each thread's order changes) or where `v`'s loop
    is not parallel itself."""
    return id(v.loop) in inside_parallel or v.verdict == "sequential"


def _unjudged(loop: ir.Loop, depth: int, why: str) -> LoopVerdict:
    return LoopVerdict(loop, depth, "sequential", reasons=(Diagnostic("PL205", why, loop.span),))


def _loops_with_depth(body, depth):
    for s in body:
        if isinstance(s, ir.Loop):
            yield s, depth
            yield from _loops_with_depth(s.body, depth + 1)
        elif isinstance(s, (ir.If, ir.While)):
            yield from _loops_with_depth(s.body + getattr(s, "orelse", ()), depth)


def _judge(loop: ir.Loop, depth: int, f: _KernelFacts) -> LoopVerdict:
    uid = f.accesses.loop_uid[id(loop)]
    reasons: list[Diagnostic] = list(effects.loop_blockers(loop, f.env))
    # loop variables (and what loop forms bind, like enumerate's value) are private by nature
    inner_vars = {n for s in walk_stmts(loop.body) if isinstance(s, ir.Loop) for n in (s.var, *s.binds)}
    written = scalars.assigned_names(loop.body)
    if loop.var in written - inner_vars:
        reasons.append(Diagnostic("PL205", f"the loop variable `{loop.var}` is assigned in the body",
                                  loop.span))
    written.discard(loop.var)
    live_after = scalars.live_after(f.kernel.body, loop, written | f.arrays | {loop.var})
    own_last = (loop.var,) if loop.var in live_after and loop.form != "c-for" else ()
    exposed, _ = scalars.exposure(loop.body, written)
    # arrays allocated afresh inside each iteration cannot be shared between iterations
    local_arrays = {n for n in written & f.arrays if n in f.bound.fresh and n not in exposed}
    facts = scalars.classify(loop, written, live_after, scalars.induction_steps(loop))
    reasons += facts.reasons

    accs = [a for a in f.accesses.accesses if uid in a.loops and a.array not in local_arrays]
    reasons += _shared_updates(loop, f) + _unknown_memory(loop, accs, f.bound)
    deps = _dependences(LevelAnalysis(f.accesses, uid, f.param_names), accs, f.budget)
    private_arrays = _privatized(deps, loop, uid, f, live_after)
    array_reductions: dict[str, set[str]] = {}
    for d in deps:
        if d.array in private_arrays:
            continue
        if d.reduction is not None:
            array_reductions.setdefault(d.array, set()).add(d.reduction)
        else:
            reasons.append(_describe(d, loop, f.bound))
    for array, ops in array_reductions.items():
        if len(ops) > 1:
            reasons.append(Diagnostic("PL201", f"`{array}` is updated with different operators "
                                               f"({', '.join(sorted(ops))}) in different iterations",
                                      loop.span))
    reductions = tuple(sorted(set(facts.reductions) |
                              {(next(iter(ops)), a) for a, ops in array_reductions.items()}))
    private = tuple(sorted(set(facts.private) - inner_vars - set(loop.binds) | private_arrays))
    if reasons:
        verdict = "sequential"
    else:
        verdict = "reduction" if reductions else "parallel"
    return LoopVerdict(loop, depth, verdict, reductions if verdict != "sequential" else (),
                       private, tuple(sorted(set(facts.lastprivate) | set(own_last))),
                       facts.induction, tuple(_dedupe(reasons)),
                       _assumed_distinct(accs, f.params) if verdict != "sequential" else ())


def _shared_updates(loop: ir.Loop, f: _KernelFacts) -> list[Diagnostic]:
    """`a += 1` where `a = b` elsewhere: if they name one array, the update changes both."""
    if f.env.language != "python":
        return []
    return [Diagnostic("PL207", f"`{s.target.id}` may name the same array as another name it is bound "
                                f"to, and `{s.target.id} {s.op}= ...` would change both in place", s.span)
            for s in walk_stmts(loop.body) if isinstance(s, ir.Assign) and s.op is not None
            and isinstance(s.target, ir.Name) and s.target.id in f.bound.shared]


def _unknown_memory(loop: ir.Loop, accs: list[AccessRec], bound: Bindings) -> list[Diagnostic]:
    """Names of unknown memory the loop uses, and views whose memory it may write."""
    touched, written = {a.array for a in accs}, {a.array for a in accs if a.write}
    out = [Diagnostic("PL207", f"`{name}` is bound to something that is not a new array, so it "
                               "may be a view of another array", loop.span)
           for name in sorted(touched & bound.unknown)]
    for view in sorted(touched & set(bound.views)):
        if not bound.harmless(view, touched, written):
            viewed = bound.viewed(view)
            bases = ", ".join(f"`{b}`" for b in sorted(viewed) if not any(b.startswith(o + ".") for o in viewed))
            what = f"`{view}`, a view of {bases}," if bases else f"`{view}`"
            out.append(Diagnostic("PL207", f"{what} shares memory the loop writes", loop.span))
    return out


def _assumed_distinct(accs: list[AccessRec], params: set[str]) -> tuple[str, ...]:
    touched = {a.array for a in accs} & params
    written = {a.array for a in accs if a.write} & params
    return tuple(sorted(touched)) if written and len(touched) > 1 else ()


def _privatized(deps: list[Dependence], loop: ir.Loop, uid: int, f: _KernelFacts,
                live: set[str]) -> set[str]:
    blocked = {d.array for d in deps if d.reduction is None}
    return {a for a in blocked
            if a in f.bound.fresh and a not in f.params and a not in live
            and a not in scalars.assigned_names(loop.body)
            and privatizable(f.accesses, uid, a, f.param_names)}


def _dependences(level: LevelAnalysis, accs: list[AccessRec], budget: _Budget) -> list[Dependence]:
    by_array: dict[str, list[AccessRec]] = {}
    for a in accs:
        by_array.setdefault(a.array, []).append(a)
    found = []
    for array, group in sorted(by_array.items()):
        if not any(a.write for a in group):
            continue
        for x, y in combinations_with_replacement(group, 2):
            if not (x.write or y.write):
                continue
            orders = [(x, y)] if x is y else [(x, y), (y, x)]
            d = _carried(level, orders, budget, joined=False) or _carried(level, orders, budget, joined=True)
            if d is not None:
                found.append(d)
    return found


def _carried(level: LevelAnalysis, orders, budget: _Budget, joined: bool) -> Dependence | None:
    if joined and level.rows_joined(*orders[0]) is None:
        return None
    found = None
    for first, second in orders:  # both directions, until one is proven (has a witness)
        budget.spend()
        d = level.carried(first, second, joined)
        if d is not None and (d.witness is not None or d.reduction is not None):
            return d
        found = found or d
    return found


def _describe(d: Dependence, loop: ir.Loop, bound: Bindings) -> Diagnostic:
    a, b = d.earlier, d.later
    at = lambda x: f"`{show(x.node)}` (line {x.node.span.line})"  # noqa: E731
    when = ""
    if d.distance:
        k = abs(d.distance)
        when = f", {k} iteration{'s' if k > 1 else ''} apart"
    names = [x.node.array if isinstance(x.node, ir.Access) else x.array for x in (a, b)]
    # a witness holds for names that stand for one array throughout the loop: not bound in
    # it, not swapped (`a, b = b, a`), not perhaps another's copy (`c = a`)
    moving = scalars.assigned_names(loop.body) | bound.swapped | set(bound.alias) | bound.unknown
    sure = d.witness is not None and not (set(names) & moving)
    if a.update and b.update:
        msg = (f"{at(a)} and {at(b)} may update the same element in different iterations of "
               f"`{loop.var}`, and the elements updated cannot be bounded for a reduction")
        span = a.node.span
    elif a.write and b.write and not (a.update or b.update):
        verb = "write" if sure else "may write"
        msg = f"{at(a)} and {at(b)} {verb} the same element in different iterations of `{loop.var}`"
        span = a.node.span
    elif a.write and (not b.write or b.update):
        msg = (f"{at(b)} reads the element {at(a)} wrote in an earlier iteration of `{loop.var}`{when}" if sure
               else f"{at(b)} may read an element {at(a)} wrote in an earlier iteration of `{loop.var}`{when}")
        span = b.node.span
    else:
        msg = (f"{at(a)} reads an element that {at(b)} overwrites in a later iteration of `{loop.var}`{when}"
               if sure else
               f"{at(a)} may read an element that {at(b)} overwrites in a later iteration of `{loop.var}`{when}")
        span = a.node.span
    copy = next((c for c in bound.copies if c.name in names), None)
    if names[0] != names[1] and copy is not None:
        msg += f" (`{copy.name}` may be `{copy.source}`: `{copy.name} = {copy.source}` at line {copy.line})"
    if d.rows is not None:  # the rows run together: which row each touches is not the point
        other = b if d.rows.access is a else a
        verb = "updates" if other.update else "writes" if other.write else "reads"
        msg = (f"{d.rows.describe()}, and {at(other)} {'' if sure else 'may '}{verb if sure else verb[:-1]} "
               f"elements of other rows in other iterations of `{loop.var}`")
        span = d.rows.access.node.span
    if sure:
        msg += f" ({d.witness.describe()})"
    return Diagnostic("PL201", msg, span, related=(a.node.span, b.node.span), witness=d.witness if sure else None)


def _dedupe(reasons: list[Diagnostic]) -> list[Diagnostic]:
    seen, out = set(), []
    for r in reasons:
        key = (r.code, r.message, r.span.line)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
