"""A tiling (passes/tiling.py) written back in the user's language: strip loops named
`pl_<var>0` around the user's own loops, whose bounds are clipped to the strip with
`min(...)` (C: `a < b ? a : b`), the tile sizes as numbers in the strip loops' steps.

    for pl_i0 in range(0, ni, 8):
        for i in range(pl_i0, min(pl_i0 + 8, ni)):
            for j in range(nj):
                C[i, j] *= beta
        for pl_k0 in range(0, nk, 128):
            for i in range(pl_i0, min(pl_i0 + 8, ni)):
                for k in range(pl_k0, min(pl_k0 + 128, nk)):
                    for j in range(nj):
                        C[i, j] += alpha * A[i, k] * B[k, j]

paralift's analysis then proves the strip loop over `i` parallel afresh, and the tester
verifies the function against the original.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from paralift.backends.nesttext import shadows_min_max, spelled, stmts_text
from paralift.ir import nodes as ir
from paralift.passes.tiling import Tiling


@dataclass(frozen=True)
class _Header:
    """A loop header taken apart: `for <var> in range(<lower>, <upper>)` or
    `for (<decl><var> = <lower>; <var> <op> <upper>; <var>++)`."""

    var: str
    lower: str
    upper: str
    inclusive: bool = False   # C's `<=`
    decl: str = ""            # C: the type the header declares its variable with

    def strips(self, size: int, c: bool) -> str:
        s = f"pl_{self.var}0"
        if not c:
            return f"for {s} in range({self.lower}, {self.upper}, {size}):"
        return f"for ({self.decl or 'long '}{s} = {self.lower}; {s} {'<=' if self.inclusive else '<'} {self.upper}; {s} += {size})"

    def within(self, size: int, c: bool) -> str:
        s = f"pl_{self.var}0"
        if not c:
            return f"for {self.var} in range({s}, min({s} + {size}, {self.upper})):"
        last = size - 1 if self.inclusive else size
        end = f"({s} + {last} < {self.upper} ? {s} + {last} : {self.upper})"
        return f"for ({self.decl}{self.var} = {s}; {self.var} {'<=' if self.inclusive else '<'} {end}; {self.var}++)"


def tiled(t: Tiling, lines: list[str], language: str, unit: str) -> list[str] | None:
    """The nest's new lines, at its indentation; None where the text does not allow a clean
    edit (a header this cannot take apart, code sharing the nest's first or last line)."""
    c = language == "c"
    if not c and shadows_min_max(lines):
        return None
    outer, inner = t.outer, t.inner
    head = lines[outer.span.line - 1]
    if not spelled(outer) or head[:outer.span.col].strip() or \
            lines[outer.span.end_line - 1][outer.span.end_col:].strip() not in ("", "}"):
        return None
    i, k = _header(outer, lines, c), _header(inner, lines, c)
    if i is None or k is None:
        return None
    body = []
    for stmts in ((t.outer.body[:t.at], None, t.outer.body[t.at + 1:])):
        if stmts is None:
            core = stmts_text(inner.body, lines)
            if core is None:
                return None
            body += _loop(k.strips(t.cols, c), _loop(i.within(t.rows, c), _loop(k.within(t.cols, c), core, unit, c),
                                                     unit, c), unit, c)
        elif stmts:
            text = stmts_text(stmts, lines)
            if text is None:
                return None
            body += _loop(i.within(t.rows, c), text, unit, c)
    note = f"{'//' if c else '#'} paralift: {t.shape}"
    # comments at the top of the loop's body (an interchange's, a round before) stay
    lead = [x.strip() for x in lines[outer.span.line:outer.body[0].span.line - 1] if x.strip().startswith(("#", "//"))]
    out = [note] + lead + _loop(i.strips(t.rows, c), body, unit, c)
    return [head[:outer.span.col] + x if x else x for x in out]


def _loop(header: str, body: list[str], unit: str, c: bool) -> list[str]:
    inside = [unit + b if b else b for b in body]
    return [header + " {"] + inside + ["}"] if c else [header] + inside


_C_HEADER = re.compile(r"for\s*\(\s*(?P<decl>[A-Za-z_][\w \t]*?[ \t]+)?(?P<v>[A-Za-z_]\w*)\s*=\s*(?P<lo>[^;]+?)\s*;"
                       r"\s*(?P=v)\s*(?P<op><=|<)\s*(?P<hi>[^;]+?)\s*;"
                       r"\s*(?:(?P=v)\s*\+\+|\+\+\s*(?P=v)|(?P=v)\s*\+=\s*1)\s*\)")


def _header(loop: ir.Loop, lines: list[str], c: bool) -> _Header | None:
    text = lines[loop.span.line - 1][loop.span.col:]
    if c:
        m = _C_HEADER.match(text)
        if m is None or m.group("v") != loop.var:
            return None
        hi = m.group("hi")
        hi = hi if re.fullmatch(r"[\w.]+", hi) else f"({hi})"
        return _Header(loop.var, m.group("lo"), hi, m.group("op") == "<=", m.group("decl") or "")
    text = text.split("#", 1)[0].rstrip()
    try:
        node = ast.parse(text + " pass").body[0]
    except SyntaxError:
        return None
    call = node.iter if isinstance(node, ast.For) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "range"
            and isinstance(node.target, ast.Name) and node.target.id == loop.var and 1 <= len(call.args) <= 2
            and not call.keywords):
        return None
    args = [ast.get_source_segment(text + " pass", a) for a in call.args]
    lower, upper = ("0", args[0]) if len(args) == 1 else args
    return _Header(loop.var, lower, upper if re.fullmatch(r"[\w.\[\]]+", upper) else f"({upper})")
