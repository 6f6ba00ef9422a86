"""Integer polynomials over symbols: the form subscripts and bounds take before isl.

A polynomial is a dict from a monomial (a sorted tuple of symbols) to its integer
coefficient; the empty monomial is the constant. Degree-one polynomials are affine;
`i * m + j` (symbol times symbol) is kept so that delinearization can split it.
"""
from __future__ import annotations

from collections.abc import Callable

from paralift.ir import nodes as ir

Poly = dict[tuple, int]


def const(c: int) -> Poly:
    return {(): c} if c else {}


def sym(s) -> Poly:
    return {(s,): 1}


def add(p: Poly, q: Poly, k: int = 1) -> Poly:
    out = dict(p)
    for m, c in q.items():
        v = out.get(m, 0) + k * c
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    return out


def scale(p: Poly, k: int) -> Poly:
    return {m: c * k for m, c in p.items()} if k else {}


def mul(p: Poly, q: Poly) -> Poly:
    out: Poly = {}
    for m1, c1 in p.items():
        for m2, c2 in q.items():
            out = add(out, {tuple(sorted(m1 + m2)): c1 * c2})
    return out


def degree(p: Poly) -> int:
    return max((len(m) for m in p), default=0)


def constant_value(p: Poly) -> int | None:
    return p.get((), 0) if all(m == () for m in p) else None


def substitute(p: Poly, value: Callable[[object], Poly | None]) -> Poly | None:
    """Replace every symbol s by value(s); None if any symbol has no polynomial value."""
    out: Poly = {}
    for m, c in p.items():
        term = const(c)
        for s in m:
            v = value(s)
            if v is None:
                return None
            term = mul(term, v)
        out = add(out, term)
    return out


def dotted_name(e: ir.Expr) -> str | None:
    """`self.grid.n` for a chain of attributes on a name, else None."""
    if isinstance(e, ir.Name):
        return e.id
    if isinstance(e, ir.Attribute):
        base = dotted_name(e.value)
        return None if base is None else f"{base}.{e.attr}"
    return None


def from_expr(e: ir.Expr, name: Callable[[str], Poly | None],
              extent: Callable[[str, int], Poly | None]) -> Poly | None:
    """The polynomial value of an integer expression, or None when it has none."""
    match e:
        case ir.Const(value=v) if type(v) is int:
            return const(v)
        case ir.Name(id=n):
            return name(n)
        case ir.UnaryOp(op="-", operand=x):
            p = from_expr(x, name, extent)
            return None if p is None else scale(p, -1)
        case ir.UnaryOp(op="+", operand=x):
            return from_expr(x, name, extent)
        case ir.BinOp(op=("+" | "-" | "*") as op, left=l, right=r):
            a, b = from_expr(l, name, extent), from_expr(r, name, extent)
            if a is None or b is None:
                return None
            return mul(a, b) if op == "*" else add(a, b, 1 if op == "+" else -1)
        case ir.Attribute() if (dotted := dotted_name(e)) is not None:
            return name(dotted)   # `self.n`: the caller decides whether it is a constant
        case ir.Call(func="len", args=(ir.Name(id=a),), keywords=()):
            return extent(a, 0)
        case ir.Access(array=arr, indices=(ir.Const(value=int(d)),)) if arr.endswith(".shape"):
            return extent(arr.removesuffix(".shape"), d)
    return None
