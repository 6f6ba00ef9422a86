"""What each parameter of a kernel is, read off the kernel's own code.

    size      an integer that shapes the iteration space: used in a loop bound, a subscript
              or an array allocation (`n`, `k`)
    value     any other scalar (`alpha`, the `x` searched for)
    array     subscripted; `index` arrays (their elements are used as subscripts or loop
              bounds) hold integers, `bounds` arrays (used as loop bounds) also ascend
    callable  called like a function: nothing to generate, the kernel cannot be tested
"""
from __future__ import annotations

from dataclasses import dataclass

from paralift.ir import nodes as ir
from paralift.ir.walk import stmt_exprs, subexprs, walk_stmts


@dataclass(frozen=True)
class ParamSpec:
    name: str
    role: str          # size | value | array | callable
    rank: int = 0
    index: bool = False
    bounds: bool = False


def _names(e: ir.Expr) -> set[str]:
    return {x.id for x in subexprs(e) if isinstance(x, ir.Name)}


def _arrays_in(e: ir.Expr) -> set[str]:
    return {x.array for x in subexprs(e) if isinstance(x, ir.Access)}


def signature(kernel: ir.Kernel) -> tuple[ParamSpec, ...]:
    shaping: set[str] = set()     # names in bounds, subscripts, allocations
    index_arrays: set[str] = set()
    bound_arrays: set[str] = set()
    called: set[str] = set()
    ranks: dict[str, int] = {}
    for s in walk_stmts(kernel.body):
        if isinstance(s, ir.Loop):
            for e in (s.lower, s.upper, s.step):
                shaping |= _names(e)
                bound_arrays |= _arrays_in(e)
        for e in stmt_exprs(s):
            for x in subexprs(e):
                if isinstance(x, ir.Access):
                    ranks[x.array] = max(ranks.get(x.array, 0), len(x.indices))
                    for i in x.indices:
                        shaping |= _names(i)
                        index_arrays |= _arrays_in(i)
                elif isinstance(x, ir.Call):
                    called.add(x.func.split(".")[0])
                    if x.func.rsplit(".", 1)[-1] in ("zeros", "empty", "ones", "full"):
                        for a in x.args[:1]:
                            shaping |= _names(a)
    out = []
    for p in kernel.params:
        n = p.name
        if n in ranks or p.kind == "array":
            out.append(ParamSpec(n, "array", max(ranks.get(n, 1), 1), n in index_arrays | bound_arrays,
                                 n in bound_arrays))
        elif n in called:
            out.append(ParamSpec(n, "callable"))
        else:
            out.append(ParamSpec(n, "size" if n in shaping else "value"))
    return tuple(out)
