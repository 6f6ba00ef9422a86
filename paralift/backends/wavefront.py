"""A wavefront (passes/transform.py) written back as loops in the user's language.

The nest's iteration domain and the schedule `S[v] -> [h . v, v]` go to isl's AST
generator, which gives the front loop, the loops inside a front with `min`/`max` bounds,
and the original loop variables as expressions of those. The front loop stays sequential;
the loops inside it are plain sequential loops too, and the original variables are
assigned at the top of the body: what comes out is the same program in another order,
whose first inner loop paralift's own analysis then proves parallel, so the usual backend
(Numba, OpenMP) parallelizes it and the usual tester verifies it against the original.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import islpy as isl

from paralift.backends.interchange import swapped
from paralift.backends.islast import C_HELPERS, AstWriter
from paralift.backends.nesttext import (
    declared_types,
    generated_fits,
    indent_unit,
    parallel_form,
    stmts_text,
)
from paralift.backends.scheduled import fused, rescheduled, time_tiled
from paralift.backends.tiling import tiled
from paralift.ir import nodes as ir
from paralift.ir.walk import walk_exprs, walk_stmts
from paralift.passes import cost
from paralift.passes.affine import NotAffine, Params, affine
from paralift.passes.fusion import Fusion
from paralift.passes.reschedule import Reschedule
from paralift.passes.scalars import live_after
from paralift.passes.timetile import TimeTiling
from paralift.passes.transform import Wavefront


def skewed(w: Wavefront, language: str, body: list[str], indent: str, unit: str,
           types: dict[str, str] | None = None) -> list[str]:
    """The nest as a wavefront: source lines at `indent`, each level one `unit` deeper, with
    `body` (the innermost loop's statements, already dedented) inside."""
    names = Params()
    bounds = [_bounds(v, k, w, names) for k, v in enumerate(w.loops)]
    params = ", ".join(names.params)
    iters = ", ".join(f"v{k}" for k in range(len(w.loops)))
    front = " + ".join(f"{h}*v{k}" for k, h in enumerate(w.hyperplane))
    domain = isl.UnionSet(f"[{params}] -> {{ S[{iters}] : {' and '.join(bounds)} }}")
    schedule = isl.UnionMap(f"[{params}] -> {{ S[{iters}] -> [{front}, {iters}] }}").intersect_domain(domain)
    node = isl.AstBuild.from_context(isl.Set(f"[{params}] -> {{ : }}")).node_from_schedule_map(schedule)
    writer = _FrontWriter(language, w, names, body, unit, types)
    note = f"{'//' if language == 'c' else '#'} paralift: a wavefront; the iterations with the same " \
           f"{w.front} are independent, so each front runs in parallel"
    return [indent + line for line in [note] + writer.node(node, 0)]


def _bounds(v: ir.Loop, k: int, w: Wavefront, names: Params) -> str:
    """`range(lower, upper)` or, counting down, `range(lower, upper, -1)`, in isl's syntax."""
    step = cost.estimate(v.step, {}, DEFAULT_SIZE)
    if step == 1:
        return f"{_affine(v.lower, w, names)} <= v{k} < {_affine(v.upper, w, names)}"
    if step == -1:
        return f"{_affine(v.upper, w, names)} < v{k} <= {_affine(v.lower, w, names)}"
    raise NotAffine(f"a step of {step}")


def _affine(e: ir.Expr, w: Wavefront, names: Params) -> str:
    return affine(e, {v.var: f"v{k}" for k, v in enumerate(w.loops)}, names)


class _FrontWriter(AstWriter):
    """The front loop, then the loops inside a front; the original variables assigned at
    the top of the body, then the body as written."""

    def __init__(self, language: str, w: Wavefront, params: Params, body: list[str], unit: str,
                 types: dict[str, str] | None = None):
        super().__init__(language, params, unit)
        self.w, self.body = w, body
        self.types = types or {}   # C: each loop variable's declared type (`for (int i = ...`)

    def loop_name(self, iterator: str, depth: int) -> str:
        return "pl_front" if depth == 0 else f"pl_c{depth}"

    def statement(self, call: isl.AstExpr) -> list[str]:
        used = {x.id for x in walk_exprs(self.w.loops[-1].body) if isinstance(x, ir.Name)}
        pairs = [(v, value) for v, value in zip(self.w.loops, self.values(call)) if v.var in used]
        return assignments(pairs, self.c, self.types) + self.body


def assignments(pairs, c: bool, types: dict[str, str]) -> list[str]:
    """`i = <value>` for each (loop, value); C declares a variable its loop header declared
    (a variable declared outside the loop is assigned, and the backend privatizes it)."""
    if c:
        return [f"{v.var} = {value};" if v.form == "c-for-var" else f"{types.get(v.var, 'long')} {v.var} = {value};"
                for v, value in pairs]
    return [f"{v.var} = {value}" for v, value in pairs]


DEFAULT_SIZE = 512       # the cost model's value for a size it cannot know
MIN_FRONT_WORK = 4096    # iterations per front (on average) that pay for a parallel start


@dataclass(frozen=True)
class Applied:
    """A nest rewritten as a wavefront: where its first loop inside a front now is."""

    function: str
    line: int        # of the loop inside the front, in the transformed text
    front: str
    nest: int = 0    # how many sequential loops of the original now run in a parallel one


@dataclass(frozen=True)
class _Edit:
    """Lines `first`..`last` of the source become `new`; for a wavefront, `inner` is the
    offset in `new` of the loop inside a front."""

    first: int
    last: int
    new: list[str]
    function: str
    wave: Wavefront | None = None
    inner: int = 0
    swap: bool = False        # an interchange: its new nests may tile
    scheduled: TimeTiling | Reschedule | Fusion | None = None   # time tiles, a new order, fused nests: `inner` is its parallel loop
    gained: int = 0           # of the loops it replaces, how many ran sequentially


def transformed(fa, source: str, functions: set[str] | None, policy: str) -> tuple[str, tuple[Applied, ...]]:
    """The source with the nests of `functions` transformed: wavefronts written front by
    front, interchanges split and swapped, tilings in strips. `policy`: `all` takes every
    wavefront the analysis found, `auto` only those the cost model expects to gain from,
    `none` nothing (interchanges and tilings are taken by both `auto` and `all`: the
    analysis offers them only where the cost model expects a gain). A nest an interchange
    wrote may then tile (2mm's, whose rows of B every `i` walks): a second round, on the
    new text's analysis, takes tilings only."""
    if policy == "none":
        return source, ()
    lines = source.split("\n")
    edits = []
    for kv in _chosen(fa, functions):
        edits += [e for v in _free(kv, lines, fa.language)
                  for e in (_wave_edit(kv, v, lines, fa.language, policy), _swap_edit(kv, v, lines, fa.language),
                            _tile_edit(kv, v, lines, fa.language), _time_edit(kv, v, lines, fa.language),
                            _order_edit(kv, v, lines, fa.language), _fusion_edit(kv, v, lines, fa.language))
                  if e is not None]
    lines, applied = _apply(lines, edits, [])
    if any(e.swap for e in edits):
        from paralift.analysis import analyze_source
        again = analyze_source("\n".join(lines), fa.path, fa.language)
        more = [e for kv in _chosen(again, functions) for v in _free(kv, lines, fa.language)
                if (e := _tile_edit(kv, v, lines, fa.language)) is not None]
        lines, applied = _apply(lines, more, applied)
    text = "\n".join(lines)
    if applied and fa.language == "c":
        text = _with_c_helpers(text)
        applied = [replace(a, line=a.line + C_HELPERS.count("\n")) for a in applied]
    return text, tuple(applied)


def _free(kv, lines: list[str], language: str) -> list:
    """The verdicts of loops no parallel loop is in or around (`prange`, an OpenMP pragma):
    a nest already in parallel form, the user's or paralift's own, is left as it is, so
    that rewriting paralift's output again changes nothing."""
    marked = [v.loop for v in kv.loops if parallel_form(v.loop, lines, language)]
    taken = {id(x) for m in marked for x in walk_stmts((m,)) if isinstance(x, ir.Loop)}
    around = {id(v.loop) for v in kv.loops
              if any(id(x) in taken for x in walk_stmts((v.loop,)) if isinstance(x, ir.Loop))}
    return [v for v in kv.loops if id(v.loop) not in taken | around]


def _chosen(fa, functions: set[str] | None):
    return [kv for kv in fa.kernels if functions is None or kv.kernel.name in functions]


def _apply(lines: list[str], edits: list[_Edit], applied: list[Applied]) -> tuple[list[str], list[Applied]]:
    """The lines with `edits` made, and where the wavefronts' front loops are now: those
    `applied` before, moved by the edits above them, and those of `edits`."""
    lines = list(lines)
    moved = [replace(a, line=a.line + sum(len(e.new) - (e.last - e.first + 1) for e in edits if e.last < a.line))
             for a in applied]
    shift = 0
    for e in sorted(edits, key=lambda e: e.first):
        if e.wave is not None:
            moved.append(Applied(e.function, e.first + shift + e.inner, e.wave.front, len(e.wave.loops)))
        if e.scheduled is not None:
            moved.append(Applied(e.function, e.first + shift + e.inner, e.scheduled.describe(), e.gained))
        shift += len(e.new) - (e.last - e.first + 1)
    for e in sorted(edits, key=lambda e: e.first, reverse=True):
        lines[e.first - 1:e.last] = e.new
    return lines, moved


def _wave_edit(kv, v, lines: list[str], language: str, policy: str) -> _Edit | None:
    w = v.transform
    if w is None or (policy == "auto" and not worth_it(w)) or _live_after(kv, w):
        return None
    try:
        new = _nest_lines(w, lines, language)
    except NotAffine:
        return None
    inner = next((k for k, x in enumerate(new or ()) if k > 1 and x.lstrip().startswith("for")), None)
    if new is None or inner is None:
        return None
    return _Edit(w.loops[0].span.line, w.loops[0].span.end_line, new, kv.kernel.name, w, inner)


def _tile_edit(kv, v, lines: list[str], language: str) -> _Edit | None:
    t = v.tiling
    if t is None or live_after(kv.kernel.body, t.outer, {x.var for x in walk_stmts((t.outer,)) if isinstance(x, ir.Loop)}):
        return None
    new = tiled(t, lines, language, indent_unit(lines, (t.outer, t.inner)))
    return None if new is None else _Edit(t.outer.span.line, t.outer.span.end_line, new, kv.kernel.name)


def _time_edit(kv, v, lines: list[str], language: str) -> _Edit | None:
    return _scheduled_edit(kv, v.timetile, time_tiled, lines, language)


def _order_edit(kv, v, lines: list[str], language: str) -> _Edit | None:
    return _scheduled_edit(kv, v.reschedule, rescheduled, lines, language)


def _fusion_edit(kv, v, lines: list[str], language: str) -> _Edit | None:
    return _scheduled_edit(kv, v.fusion, fused, lines, language)


def _scheduled_edit(kv, plan: TimeTiling | Reschedule | Fusion | None, write, lines: list[str],
                    language: str) -> _Edit | None:
    """Time tiles, a new order or fused nests in place of the nests, unless a loop variable
    is read after them or two nests declare one in two types (C)."""
    if plan is None:
        return None
    heads = plan.loops if isinstance(plan, Fusion) else (plan.loop,)
    if live_after(kv.kernel.body, heads[-1], {x.var for x in walk_stmts(heads) if isinstance(x, ir.Loop)}):
        return None
    loops = [v for s in plan.statements for v in s.loops]
    types = declared_types(loops, lines)
    if any(declared_types((v,), lines).get(v.var, types.get(v.var)) != types.get(v.var) for v in loops):
        return None
    deepest = max(plan.statements, key=lambda s: len(s.loops)).loops
    new = write(plan, lines, language, indent_unit(lines, deepest), types)
    sequential = sum(1 for v in kv.loops if any(v.loop is x for x in heads) and v.verdict == "sequential")
    return None if new is None else _Edit(heads[0].span.line, heads[-1].span.end_line, new.lines, kv.kernel.name,
                                          inner=new.parallel, scheduled=plan, gained=sequential)


def _swap_edit(kv, v, lines: list[str], language: str) -> _Edit | None:
    x = v.interchange
    if x is None or live_after(kv.kernel.body, x.outer, {x.outer.var, x.inner.var}):
        return None
    new = swapped(x, lines, language, indent_unit(lines, (x.outer, x.inner)))
    return None if new is None else _Edit(x.outer.span.line, x.outer.span.end_line, new, kv.kernel.name, swap=True)


def proven(fa, applied: tuple[Applied, ...]):
    """The transformed file's analysis, with each front's first loop parallel: the
    wavefront's proof (every dependence goes from a front to a later one) is what the
    per-loop analysis cannot redo on bounds with floor divisions. Only array dependences
    are set aside; a loop held back by anything else stays sequential."""
    at = {(a.function, a.line) for a in applied}
    kernels = []
    for kv in fa.kernels:
        loops = []
        for v in kv.loops:
            if (kv.kernel.name, v.line) in at and v.verdict == "sequential" and all(r.code == "PL201" for r in v.reasons):
                arrays = sorted({x.array for x in walk_exprs(v.loop.body) if isinstance(x, ir.Access)}
                                & {p.name for p in kv.kernel.params})
                v = replace(v, verdict="parallel", reasons=(), distinct=tuple(arrays) if len(arrays) > 1 else ())
            loops.append(v)
        kernels.append(replace(kv, loops=tuple(loops)))
    return replace(fa, kernels=tuple(kernels))


def worth_it(w: Wavefront) -> bool:
    """The cost model: enough work per front, on average, to pay for starting the threads
    once per front. Work is iterations of the nest times the work of one iteration (the
    loops inside it, nussinov's `k`); sizes it cannot know are DEFAULT_SIZE (measured: a
    2-d sweep's fronts lose at the sizes people run them, so no work budget here)."""
    env: dict[str, int] = {}
    counts = []
    for v in w.loops:
        t = cost.trips(v, env, DEFAULT_SIZE)
        if t is None:
            return False
        counts.append(t)
    total = cost.work(w.loops[-1].body, env, DEFAULT_SIZE)
    for t in counts:
        total *= t
    fronts = sum(abs(h) * t for h, t in zip(w.hyperplane, counts)) or 1
    return total / fronts >= MIN_FRONT_WORK


def _live_after(kv, w: Wavefront) -> bool:
    """Is a loop variable of the nest read after it? Its last value would change."""
    by_loop = {id(v.loop): v for v in kv.loops}
    return any(by_loop[id(x)].lastprivate for x in w.loops if id(x) in by_loop)


def _nest_lines(w: Wavefront, lines: list[str], language: str) -> list[str] | None:
    outer, inner = w.loops[0], w.loops[-1]
    if not generated_fits(outer, lines, language):
        return None
    body = stmts_text(inner.body, lines)
    if body is None:
        return None
    indent = lines[outer.span.line - 1][:outer.span.col]
    unit = indent_unit(lines, w.loops)
    return skewed(w, language, body, indent, unit, declared_types(w.loops, lines))


def _with_c_helpers(text: str) -> str:
    """The helpers the generated bounds call, after the last `#include`."""
    last = max((m.end() for m in re.finditer(r"^[ \t]*#[ \t]*include[^\n]*\n", text, re.MULTILINE)), default=0)
    return text[:last] + C_HELPERS + text[last:]
