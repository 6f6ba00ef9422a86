"""IR expressions as isl affine text: the named loops' variables, numbers, and the rest as
parameters named by the source text they stand for (`n`, `A.shape[0]`), so that what isl
generates from them can be written back as source.

The wavefront and time-tiling writers give isl their nests' bounds this way, and the
time-tiling pass its subscripts: one spelling of a nest for the analysis and the code.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from paralift.ir import nodes as ir
from paralift.ir.walk import subexprs


class NotAffine(Exception):
    """An expression isl cannot take (a call of a loop variable, a product of two unknowns)."""


@dataclass
class Params:
    """isl names for the parameters, and back."""

    params: dict[str, str] = field(default_factory=dict)   # isl name -> the source text

    def param(self, text: str) -> str:
        for k, v in self.params.items():
            if v == text:
                return k
        name = f"p{len(self.params)}"
        self.params[name] = text
        return name

    def header(self) -> str:
        return f"[{', '.join(self.params)}]"


def affine(e: ir.Expr, loops: dict[str, str], params: Params) -> str:
    """`e` in isl's syntax; `loops` maps a loop variable to its isl name."""
    from paralift.ir.printer import expr as show
    if isinstance(e, ir.Const) and type(e.value) is int:
        return str(e.value)
    if isinstance(e, ir.Name):
        return loops.get(e.id) or params.param(e.id)
    if isinstance(e, ir.UnaryOp) and e.op in ("-", "+"):
        return f"{e.op}({affine(e.operand, loops, params)})"
    if isinstance(e, ir.BinOp) and e.op in ("+", "-"):
        return f"({affine(e.left, loops, params)} {e.op} {affine(e.right, loops, params)})"
    if isinstance(e, ir.BinOp) and e.op == "*" and any(isinstance(x, ir.Const) and type(x.value) is int
                                                        for x in (e.left, e.right)):
        return f"({affine(e.left, loops, params)} * {affine(e.right, loops, params)})"
    if isinstance(e, (ir.Attribute, ir.Access, ir.Call)) and not any(
            isinstance(x, ir.Name) and x.id in loops for x in subexprs(e)):
        return params.param(show(e))
    raise NotAffine(show(e))
