"""Recognise reduction updates: statements of the form `x = x op e` in all their spellings.

    x += e   x -= e   x = x + e   x = e + x   x *= e   x = x or e
    x = max(x, e)   x = max(x, e1, e2)   x = e if e > x else x   if e < x: x = e

`x` is a Name or an Access. For a Name, `e` must not mention `x`. For an Access, `e`
may read other elements of the array: those reads stay ordinary accesses, and the
dependence test refuses the reduction if any of them meets the updated element in
another iteration (`x[i] -= L[i, j] * x[j]` with `j < i` is a reduction over `j`).
"""
from __future__ import annotations

from dataclasses import dataclass

from paralift.ir import nodes as ir
from paralift.ir.walk import subexprs

_AUG = {"+": "+", "-": "+", "*": "*", "&": "&", "|": "|", "^": "^"}
_BIN_COMMUTES = {"+": "+", "*": "*", "&": "&", "|": "|", "^": "^"}
_MINMAX = {"max": "max", "min": "min", "numpy.maximum": "max", "numpy.minimum": "min",
           "np.maximum": "max", "np.minimum": "min", "math.fmax": "max", "math.fmin": "min",
           "fmax": "max", "fmin": "min", "fmaxf": "max", "fminf": "min"}
_LESS = {"<", "<="}
_GREATER = {">", ">="}


@dataclass(frozen=True)
class Update:
    target: ir.Expr  # Name or Access
    op: str          # + * max min and or & | ^
    operand: ir.Expr


def _mentions(e: ir.Expr, target: ir.Expr) -> bool:
    if isinstance(target, ir.Access):
        return any(x == target for x in subexprs(e))
    return any(isinstance(x, ir.Name) and x.id == target.id for x in subexprs(e))


def _ok(target: ir.Expr, op: str, operand: ir.Expr) -> Update | None:
    return None if _mentions(operand, target) else Update(target, op, operand)


def match_assign(s: ir.Assign) -> Update | None:
    t, v = s.target, s.value
    if not isinstance(t, (ir.Name, ir.Access)):
        return None
    if s.op is not None:
        return _ok(t, _AUG[s.op], v) if s.op in _AUG else None
    match v:
        case ir.BinOp(op="-", left=l, right=r) if l == t:
            return _ok(t, "+", r)
        case ir.BinOp(op=op, left=l, right=r) if op in _BIN_COMMUTES and (l == t or r == t):
            return _ok(t, _BIN_COMMUTES[op], r if l == t else l)
        case ir.BoolOp(op=op, values=(a, b), boolean=gives_bool) if a == t or b == t:
            operand = b if a == t else a
            # Python's `x or e` keeps the first truthy operand: order-free only for booleans
            return _ok(t, op, operand) if gives_bool or is_boolean(operand) else None
        case ir.Call(func=f, args=(a, b), keywords=()) if f in _MINMAX and (a == t or b == t):
            return _ok(t, _MINMAX[f], b if a == t else a)
        case ir.Call(func=("max" | "min") as f, args=args, keywords=(), receiver=None) \
                if len(args) > 2 and args.count(t) == 1:
            rest = tuple(a for a in args if a != t)
            return _ok(t, f, ir.Call(f, rest))  # made up: no span of its own
        case ir.Ternary(cond=ir.Compare(ops=(op,), operands=(l, r)), then=a, orelse=b):
            kind = _picked(op, l, r, a, b)
            if kind is not None and t in (l, r):
                return _ok(t, kind, r if l == t else l)
    return None


_BOOLEAN_CALLS = {"bool", "isinstance", "callable", "math.isnan", "math.isinf", "math.isfinite",
                  "np.isnan", "np.isinf", "np.isfinite", "numpy.isnan", "numpy.isinf",
                  "numpy.isfinite", "np.any", "np.all", "numpy.any", "numpy.all", "any", "all"}


def is_boolean(e: ir.Expr) -> bool:
    """Is `e` provably True or False (never another truthy or falsy value)?"""
    match e:
        case ir.Compare() | ir.UnaryOp(op="not"):
            return True
        case ir.Const(value=v):
            return type(v) is bool
        case ir.BoolOp(values=vs, boolean=gives_bool):
            return gives_bool or all(is_boolean(v) for v in vs)
        case ir.Call(func=f, receiver=None):
            return f in _BOOLEAN_CALLS
    return False


def _picked(op: str, l: ir.Expr, r: ir.Expr, then: ir.Expr, orelse: ir.Expr) -> str | None:
    """`then if l op r else orelse` picks max or min of l and r, or neither."""
    if {l, r} != {then, orelse} or l == r:
        return None
    larger_first = op in _GREATER  # l op r true means l is the larger (or equal)
    if op not in _GREATER and op not in _LESS:
        return None
    picks_l = then == l
    return "max" if picks_l == larger_first else "min"


def match_if(s: ir.If) -> Update | None:
    """`if e < x: x = e` (min) and `if e > x: x = e` (max), either operand order."""
    if s.orelse or len(s.body) != 1 or not isinstance(s.body[0], ir.Assign):
        return None
    a = s.body[0]
    if a.op is not None or not isinstance(s.cond, ir.Compare) or len(s.cond.ops) != 1:
        return None
    (op,), (l, r) = s.cond.ops, s.cond.operands
    x, e = a.target, a.value
    if (l, r) == (e, x):
        kind = "min" if op in _LESS else "max" if op in _GREATER else None
    elif (l, r) == (x, e):
        kind = "max" if op in _LESS else "min" if op in _GREATER else None
    else:
        kind = None
    if kind is None or not isinstance(x, (ir.Name, ir.Access)):
        return None
    return _ok(x, kind, e)


def match(s: ir.Stmt) -> Update | None:
    if isinstance(s, ir.Assign):
        return match_assign(s)
    if isinstance(s, ir.If):
        return match_if(s)
    return None
