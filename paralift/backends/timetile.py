"""A time-tiled nest (passes/timetile.py) written back as loops in the user's language.

isl's AST generator turns the statements' domain and the tiled schedule into loops: the
front of tiles, the tiles of the front, the points of a tile (the time step, the skewed
rows), and each statement's innermost loop as written. Each statement gets its original
loop variables assigned from the new ones, then its own text; in C each statement is a
block, since two can assign the same names. What comes out is sequential: the tile loop
inside a front is proven parallel by the pass, and `proven` (wavefront.py) marks it so for
the backend, which writes `prange` or the OpenMP pragma; the tester verifies the result.
"""
from __future__ import annotations

from dataclasses import dataclass

import islpy as isl

from paralift.backends.islast import AstWriter
from paralift.backends.nesttext import shadows_min_max, spelled, stmts_text
from paralift.ir import nodes as ir
from paralift.ir.walk import walk_exprs
from paralift.passes.affine import NotAffine, Params
from paralift.passes.timetile import TimeTiling, tiled_members


@dataclass(frozen=True)
class Written:
    """The nest's new lines, and the offset in them of the loop over the tiles of a front."""

    lines: list[str]
    tiles: int


def time_tiled(tt: TimeTiling, lines: list[str], language: str, unit: str,
               types: dict[str, str]) -> Written | None:
    """The nest as tiles, at the time loop's indentation; None where it cannot be written
    (it shares a line with other code, or a statement's text cannot be cut out)."""
    loop = tt.loop
    if not spelled(loop) or (language != "c" and shadows_min_max(lines)):
        return None
    head = lines[loop.span.line - 1]
    if head[:loop.span.col].strip() or lines[loop.span.end_line - 1][loop.span.end_col:].strip() not in ("", "}"):
        return None
    if any(word in t for t in types.values() for word in ("unsigned", "size_t")):
        return None   # the generated bounds count in signed `long`
    texts = {s.name: stmts_text((s.stmt,), lines) for s in tt.statements}
    if any(t is None for t in texts.values()):
        return None
    params = Params(dict(tt.params))
    domain = isl.UnionSet(tt.domain)
    schedule = isl.UnionMap(tt.schedule).intersect_domain(domain)
    node = isl.AstBuild.from_context(isl.Set(f"{params.header()} -> {{ : }}")).node_from_schedule_map(schedule)
    writer = _TileWriter(language, tt, params, unit, texts, types)
    try:
        body = writer.node(node, 0)
    except NotAffine:
        return None
    tile_loop = writer.iterators.get("c1")
    at = next((k for k, x in enumerate(body) if tile_loop and _heads(x, tile_loop, language)), None)
    if at is None:
        return None   # no loop over the tiles of a front: nothing runs in parallel
    note = f"{'//' if language == 'c' else '#'} paralift: time-tiled, {tt.shape}; the tiles of one " \
           f"front are independent, so each front runs in parallel"
    indent = head[:loop.span.col]
    return Written([indent + x for x in [note] + body], at + 1)


def _heads(line: str, name: str, language: str) -> bool:
    text = line.lstrip()
    return text.startswith(f"for (long {name} =") if language == "c" else text.startswith(f"for {name} in ")


class _TileWriter(AstWriter):
    """Loops named for what they run over; each statement's variables set, then its text."""

    def __init__(self, language: str, tt: TimeTiling, params: Params, unit: str,
                 texts: dict[str, list[str]], types: dict[str, str]):
        super().__init__(language, params, unit)
        self.tt, self.texts, self.types = tt, texts, types
        self.by_name = {s.name: s for s in tt.statements}
        loops = tt.statements[0].loops
        depth = len(loops)
        tiled = tiled_members(depth)
        names = ["pl_front"] + [f"pl_tile_{v.var}" for v in loops[1:tiled]] + \
                [f"pl_{v.var}" for v in loops[:tiled]] + ["pl_statement"]
        if tiled < depth:
            names.append(loops[-1].var)
        self.dims = names

    def loop_name(self, iterator: str, depth: int) -> str:
        k = int(iterator[1:])
        if k >= len(self.dims):
            raise NotAffine("an unexpected loop in the generated code")
        return self.dims[k]

    def statement(self, call: isl.AstExpr) -> list[str]:
        s = self.by_name[call.get_op_arg(0).get_id().get_name()]
        used = {x.id for x in walk_exprs((s.stmt,)) if isinstance(x, ir.Name)}
        sets = [(v, value) for v, value in zip(s.loops, self.values(call)) if value != v.var and v.var in used]
        if not self.c:
            return [f"{v.var} = {value}" for v, value in sets] + self.texts[s.name]
        decls = [f"{v.var} = {value};" if v.form == "c-for-var" else f"{self.types.get(v.var, 'long')} {v.var} = {value};"
                 for v, value in sets]
        return ["{"] + self.indented(decls + self.texts[s.name]) + ["}"] if decls else self.texts[s.name]

    def loop(self, n: isl.AstNode, depth: int) -> list[str]:
        """C: a loop whose whole body is one statement's block takes the block as its own."""
        out = super().loop(n, depth)
        body = out[1:-1]
        if self.c and len(body) > 2 and body[0] == self.unit + "{" and body[-1] == self.unit + "}" and \
                sum(1 for x in body if x in (self.unit + "{", self.unit + "}")) == 2:
            out = [out[0]] + [x[len(self.unit):] for x in body[1:-1]] + [out[-1]]
        return out
