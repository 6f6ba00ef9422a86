"""How many elements of a pointer array a loop nest reaches, as readable C: `n`, `n + 1`,
`2 * m`. One past the largest index of its accesses, for subscripts affine in the loop
variables with integer coefficients, over loops with constant steps and bounds affine in
the names that do not change inside the nest. Anything else is refused (`cf.Refuse`):
a map or copy that might be too short is not emitted.
"""
from __future__ import annotations

from paralift.backends import cfootprint as cf
from paralift.ir import nodes as ir
from paralift.ir import poly
from paralift.ir.poly import Poly
from paralift.ir.walk import stmt_exprs, subexprs, walk_stmts
from paralift.passes.scalars import assigned_names


def length(loop: ir.Loop, array: str) -> str:
    fixed = _invariant(loop)
    ranges = _ranges(loop, fixed)
    ends = [_largest(x, ranges, fixed, array) for s in walk_stmts([loop]) for e in stmt_exprs(s)
            for x in subexprs(e) if isinstance(x, ir.Access) and x.array == array]
    if not ends or any(e is None for e in ends):
        raise cf.Refuse(f"cannot bound the part of `{array}` the loop touches")
    top = ends[0]
    for e in ends[1:]:
        gap = poly.constant_value(poly.add(e, top, -1))
        if gap is None:
            raise cf.Refuse(f"cannot tell which access of `{array}` reaches furthest")
        top = e if gap > 0 else top
    return _guarded(poly.add(top, poly.const(1)))


def _invariant(loop: ir.Loop):
    changed = assigned_names(loop.body) | {s.var for s in walk_stmts([loop]) if isinstance(s, ir.Loop)}
    return lambda name: name not in changed


def _ranges(loop: ir.Loop, fixed) -> dict[str, tuple[Poly, Poly, int]]:
    """Loop variable -> (first, last, step) for every counted loop of the nest."""
    out = {}
    for s in walk_stmts([loop]):
        if not isinstance(s, ir.Loop):
            continue
        step = s.step.value if isinstance(s.step, ir.Const) and type(s.step.value) is int else None
        lo, hi = _affine(s.lower, fixed), _affine(s.upper, fixed)
        if step == 1 and lo is not None and hi is not None:
            out[s.var] = (lo, poly.add(hi, poly.const(-1)), 1)
    return out


def _affine(e: ir.Expr, fixed) -> Poly | None:
    p = poly.from_expr(e, lambda n: poly.sym(n) if fixed(n) else None, lambda a, d: None)
    return p if p is not None and poly.degree(p) <= 1 else None


def _largest(x: ir.Access, ranges, fixed, array: str) -> Poly | None:
    if len(x.indices) != 1:
        return None
    p = poly.from_expr(x.indices[0], lambda n: poly.sym(n), lambda a, d: None)
    if p is None or poly.degree(p) > 1:
        return None
    out: Poly = {}
    for mono, c in p.items():
        name = mono[0] if mono else None
        if name in ranges:
            first, last, _ = ranges[name]
            out = poly.add(out, poly.scale(last if c > 0 else first, c))
        elif name is None or fixed(name):
            out = poly.add(out, {mono: c})
        else:
            return None
    return out


def _guarded(p: Poly) -> str:
    text = _show(p)
    if len(p) == 1 and (poly.constant_value(p) or 0) >= 0 and all(c > 0 for c in p.values()):
        return text  # `n`, `2 * n`, `8`: never negative for sizes
    return f"(({text}) > 0 ? ({text}) : 0)"


def _show(p: Poly) -> str:
    terms = []
    for mono, c in sorted(p.items(), key=lambda mc: (not mc[0], mc[0])):
        if not mono:
            terms.append(str(c))
            continue
        name = " * ".join(mono)
        terms.append(name if c == 1 else f"-{name}" if c == -1 else f"{c} * {name}")
    text = " + ".join(terms) or "0"
    return text.replace("+ -", "- ")
