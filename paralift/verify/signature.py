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
    floating: bool = False  # written with float values (`/`, a float constant, a math call)


def _names(e: ir.Expr) -> set[str]:
    return {x.id for x in subexprs(e) if isinstance(x, ir.Name)}


def _arrays_in(e: ir.Expr) -> set[str]:
    return {x.array for x in subexprs(e) if isinstance(x, ir.Access)}


def _floating(e: ir.Expr) -> bool:
    """Does `e` compute a float whatever its operands hold?"""
    for x in subexprs(e):
        if isinstance(x, ir.BinOp) and x.op in ("/", "**") or isinstance(x, ir.Const) and type(x.value) is float:
            return True
        if isinstance(x, ir.Call) and x.func.split(".")[0] in ("math", "np", "numpy", "cmath") \
                and x.func.rsplit(".", 1)[-1] not in ("floor", "ceil", "trunc", "abs", "fabs", "min", "max"):
            return True
    return False


def float_arrays(kernel: ir.Kernel) -> set[str]:
    """Arrays the kernel stores floats into: an integer array there would only truncate
    them (and raise on inf in Python, where Numba or C store garbage)."""
    out: set[str] = set()
    joined: list[set[str]] = []  # names bound to one another (`a, b = b, a`) hold one dtype
    for s in walk_stmts(kernel.body):
        if not isinstance(s, ir.Assign):
            continue
        targets = s.target.elts if isinstance(s.target, ir.Tuple) else (s.target,)
        if _floating(s.value) or s.op == "/":
            out |= {t.array for t in targets if isinstance(t, ir.Access)}
        values = s.value.elts if isinstance(s.value, ir.Tuple) else (s.value,)
        names = {x.id for x in (*targets, *values) if isinstance(x, ir.Name)}
        if len(names) > 1:
            joined.append(names)
    changed = True
    while changed:
        changed = False
        for group in joined:
            if group & out and not group <= out:
                out |= group
                changed = True
    return out


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
    floating = float_arrays(kernel)
    for p in kernel.params:
        n = p.name
        if n in ranks or p.kind == "array":
            out.append(ParamSpec(n, "array", max(ranks.get(n, 1), 1), n in index_arrays | bound_arrays,
                                 n in bound_arrays, n in floating))
        elif n in called:
            out.append(ParamSpec(n, "callable"))
        else:
            out.append(ParamSpec(n, "size" if n in shaping else "value"))
    return tuple(out)
