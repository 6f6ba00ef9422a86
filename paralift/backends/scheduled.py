"""Nests in a new order (time tiles: passes/timetile.py; a rescheduled nest:
passes/reschedule.py) written back as loops in the user's language.

isl's AST generator turns the statements' domain and the new schedule into loops: for
time tiles, the front of tiles, the tiles of the front, the points of a tile (the time
step, the skewed rows) and each statement's innermost loop as written; for a rescheduled
nest, its loops in the new order. Each statement gets its original loop variables
assigned from the new ones, then its own text; in C each statement is a block, since two
can assign the same names. What comes out is sequential: the loop the pass proved
parallel is marked so for the backend by `proven` (wavefront.py), which writes `prange`
or the OpenMP pragma; the tester verifies the result.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import islpy as isl

from paralift.backends.islast import AstWriter
from paralift.backends.nesttext import generated_fits, stmts_text
from paralift.ir import nodes as ir
from paralift.ir.walk import walk_exprs
from paralift.passes.affine import NotAffine, Params
from paralift.passes.fusion import Fusion
from paralift.passes.reschedule import Reschedule
from paralift.passes.timetile import TimeTiling, tiled_members


@dataclass(frozen=True)
class Written:
    """The nest's new lines, and the offset in them of its parallel loop (the loop over the
    tiles of a front, or the loop no dependence crosses)."""

    lines: list[str]
    parallel: int


@dataclass(frozen=True)
class _Plan:
    """What to write: the statements, where, in which order, and the names of the new
    loops (one per dimension of the schedule; the parallel one is `dims[parallel]`)."""

    loop: ir.Loop
    statements: tuple
    domain: str
    schedule: str
    params: tuple[tuple[str, str], ...]
    dims: list[str]
    parallel: int
    note: str
    separate: bool = False   # peel the first and last iterations off the loops inside the parallel one


def time_tiled(tt: TimeTiling, lines: list[str], language: str, unit: str,
               types: dict[str, str]) -> Written | None:
    """The nest as tiles, at the time loop's indentation; None where it cannot be written
    (it shares a line with other code, or a statement's text cannot be cut out)."""
    loops = tt.statements[0].loops
    depth = len(loops)
    tiled = tiled_members(depth)
    dims = ["pl_front"] + [f"pl_tile_{v.var}" for v in loops[1:tiled]] + [f"pl_{v.var}" for v in loops[:tiled]] + \
        ["pl_statement"] + ([loops[-1].var] if tiled < depth else [])
    note = f"time-tiled, {tt.shape}; the tiles of one front are independent, so each front runs in parallel"
    return _written(_Plan(tt.loop, tt.statements, tt.domain, tt.schedule, tt.params, dims, 1, note),
                    lines, language, unit, types)


def rescheduled(rs: Reschedule, lines: list[str], language: str, unit: str,
                types: dict[str, str]) -> Written | None:
    """The nest in its new loop order, at its first loop's indentation."""
    dims = _names(rs.order, rs.names, language, types)
    note = f"rescheduled to the loop order {', '.join(rs.order)}; the loop over {rs.order[rs.parallel]} runs " \
           f"in parallel"
    return _written(_Plan(rs.loop, rs.statements, rs.domain, rs.schedule, rs.params, dims, rs.parallel, note),
                    lines, language, unit, types)


def fused(fz: Fusion, lines: list[str], language: str, unit: str, types: dict[str, str]) -> Written | None:
    """The nests as one, at the first one's indentation; the comments between them (the
    only lines there may be between two statements) kept above it."""
    if not all(generated_fits(x, lines, language) for x in fz.loops[1:]):
        return None
    between = [lines[k].strip() for a, b in zip(fz.loops, fz.loops[1:]) for k in range(a.span.end_line, b.span.line - 1)]
    if any(x and not _comment(x, language) for x in between):
        return None   # C: a preprocessor line, or a comment over several lines
    at = ", ".join(str(x.span.line) for x in fz.loops)
    dims = _names(fz.order, fz.names, language, types)
    note = f"fused the nests at lines {at}, over {', '.join(fz.order)}; the loop over {fz.order[fz.parallel]} " \
           f"runs in parallel"
    new = _written(_Plan(fz.loop, fz.statements, fz.domain, fz.schedule, fz.params, dims, fz.parallel, note,
                         separate=True), lines, language, unit, types)
    if new is None:
        return None
    indent = lines[fz.loop.span.line - 1][:fz.loop.span.col]
    kept = [indent + x for x in between if x]
    return Written(kept + new.lines, new.parallel + len(kept))


def _names(order: tuple[str, ...], names: tuple[str | None, ...], language: str,
           types: dict[str, str]) -> list[str]:
    """The new loops' names: the user's where a loop is one variable in every statement
    (in C only where its loops declare its type: the new loop declares the same, so that
    an `int` wraps where it wrapped)."""
    return [name if name and (language != "c" or name in types) else f"pl_{v}" for v, name in zip(order, names)] + \
        ["pl_statement"]


def _comment(line: str, language: str) -> bool:
    if language != "c":
        return line.startswith("#")
    return line.startswith("//") or line.startswith("/*") and line.endswith("*/") and "*/" not in line[2:-2]


def _written(plan: _Plan, lines: list[str], language: str, unit: str, types: dict[str, str]) -> Written | None:
    loop = plan.loop
    if not generated_fits(loop, lines, language):
        return None
    if any(word in t for t in types.values() for word in ("unsigned", "size_t")):
        return None   # the generated bounds count in signed `long`
    texts = {s.name: stmts_text((s.stmt,), lines) for s in plan.statements}
    if any(t is None for t in texts.values()):
        return None
    params = Params(dict(plan.params))
    domain = isl.UnionSet(plan.domain)
    schedule = isl.UnionMap(plan.schedule).intersect_domain(domain)
    build = isl.AstBuild.from_context(isl.Set(f"{params.header()} -> {{ : }}"))
    if plan.separate:   # the parallel loop one loop; inside it, no test of which statements run
        dims = ", ".join(f"d{k}" for k in range(len(plan.dims)))
        build = build.set_options(isl.UnionMap(f"{{ [{dims}] -> separate[x] : x > {plan.parallel}; "
                                               f"[{dims}] -> atomic[x] : x <= {plan.parallel} }}"))
    node = build.node_from_schedule_map(schedule)
    writer = _StatementWriter(language, plan, params, unit, texts, types)
    try:
        body = writer.node(node, 0)
    except NotAffine:
        return None
    name = writer.iterators.get(f"c{plan.parallel}")
    at = next((k for k, x in enumerate(body) if name and _heads(x, name, language)), None)
    if at is None:
        return None   # the parallel loop is not a loop of the generated code
    note = f"{'//' if language == 'c' else '#'} paralift: {plan.note}"
    indent = lines[loop.span.line - 1][:loop.span.col]
    return Written([indent + x for x in [note] + body], at + 1)


def _heads(line: str, name: str, language: str) -> bool:
    text = line.lstrip()
    if language == "c":
        return re.match(rf"for \((?:[A-Za-z_][\w ]*?) {re.escape(name)} =", text) is not None
    return text.startswith(f"for {name} in ")


class _StatementWriter(AstWriter):
    """Loops named for what they run over; each statement's variables set, then its text."""

    def __init__(self, language: str, plan: _Plan, params: Params, unit: str,
                 texts: dict[str, list[str]], types: dict[str, str]):
        super().__init__(language, params, unit)
        self.texts, self.types, self.dims = texts, types, plan.dims
        self.by_name = {s.name: s for s in plan.statements}
        self.open: list[str] = []   # the names of the loops around the node being written

    def loop_name(self, iterator: str, depth: int) -> str:
        k = int(iterator[1:])
        if k >= len(self.dims):
            raise NotAffine("an unexpected loop in the generated code")
        return self.dims[k]

    def statement(self, call: isl.AstExpr) -> list[str]:
        s = self.by_name[call.get_op_arg(0).get_id().get_name()]
        used = {x.id for x in walk_exprs((s.stmt,)) if isinstance(x, ir.Name)}
        # a loop named for the variable holds its value, however isl writes it (`n - 1` at the last row)
        sets = [(v, value) for v, value in zip(s.loops, self.values(call))
                if value != v.var and v.var in used and v.var not in self.open]
        if not self.c:
            return [f"{v.var} = {value}" for v, value in sets] + self.texts[s.name]
        decls = [f"{v.var} = {value};" if v.form == "c-for-var" else f"{self.types.get(v.var, 'long')} {v.var} = {value};"
                 for v, value in sets]
        return ["{"] + self.indented(decls + self.texts[s.name]) + ["}"] if decls else self.texts[s.name]

    def loop_head(self, name: str, start: str, op, limit: str, iterator: str) -> str:
        """C: a loop named for the user's variable declares it as the user's loops did."""
        head = super().loop_head(name, start, op, limit, iterator)
        if self.c and name in self.types:
            head = head.replace(f"for (long {name} =", f"for ({self.types[name]} {name} =", 1)
        return head

    def loop(self, n: isl.AstNode, depth: int) -> list[str]:
        self.open.append(self.loop_name(n.for_get_iterator().get_id().get_name(), depth))
        try:
            return self._unwrapped(super().loop(n, depth))
        finally:
            self.open.pop()

    def node(self, n: isl.AstNode, depth: int) -> list[str]:
        out = super().node(n, depth)
        if n.get_type() == isl.ast_node_type.if_ and not n.if_has_else_node():
            return self._unwrapped(out)
        return out

    def _unwrapped(self, out: list[str]) -> list[str]:
        """C: a loop or `if` whose whole body is one statement's block takes the block as its own."""
        body = out[1:-1]
        if self.c and len(body) > 2 and body[0] == self.unit + "{" and body[-1] == self.unit + "}" and \
                sum(1 for x in body if x in (self.unit + "{", self.unit + "}")) == 2:
            out = [out[0]] + [x[len(self.unit):] for x in body[1:-1]] + [out[-1]]
        return out
