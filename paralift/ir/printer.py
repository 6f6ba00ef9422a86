"""A stable text form of the IR, used by golden tests and in analysis reasons.

Expressions print in Python syntax with the fewest parentheses that keep their meaning,
so a reason can quote `a[i - 1]` exactly as a user would write it.
"""
from __future__ import annotations

from paralift.ir import nodes as ir

_PREC = {"or": 1, "and": 2, "not": 3, "cmp": 4, "|": 5, "^": 6, "&": 7, "<<": 8, ">>": 8,
         "+": 9, "-": 9, "*": 10, "/": 10, "//": 10, "%": 10, "unary": 11, "**": 12}
_ATOM = 13


def expr(e: ir.Expr | None) -> str:
    return "" if e is None else _expr(e)[0]


def _wrap(e: ir.Expr, min_prec: int) -> str:
    text, prec = _expr(e)
    return f"({text})" if prec < min_prec else text


def _expr(e: ir.Expr) -> tuple[str, int]:
    match e:
        case ir.Const(value=v):
            return repr(v), _ATOM
        case ir.Name(id=n):
            return n, _ATOM
        case ir.Access(array=a, indices=idx):
            return f"{a}[{', '.join(expr(i) for i in idx)}]", _ATOM
        case ir.Slice(lower=lo, upper=hi, step=st):
            text = f"{expr(lo)}:{expr(hi)}"
            return (text + f":{expr(st)}" if st is not None else text), _ATOM
        case ir.BinOp(op=op, left=l, right=r):
            p = _PREC[op]
            if op == "**":  # right-associative
                return f"{_wrap(l, p + 1)} ** {_wrap(r, p)}", p
            return f"{_wrap(l, p)} {op} {_wrap(r, p + 1)}", p
        case ir.UnaryOp(op="not", operand=x):
            return f"not {_wrap(x, _PREC['not'])}", _PREC["not"]
        case ir.UnaryOp(op=op, operand=x):
            return f"{op}{_wrap(x, _PREC['unary'])}", _PREC["unary"]
        case ir.Compare(ops=ops, operands=xs):
            p = _PREC["cmp"]
            parts = [_wrap(xs[0], p + 1)]
            for op, x in zip(ops, xs[1:]):
                parts += [op, _wrap(x, p + 1)]
            return " ".join(parts), p
        case ir.BoolOp(op=op, values=vs):
            p = _PREC[op]
            return f" {op} ".join(_wrap(v, p + 1) for v in vs), p
        case ir.Ternary(cond=c, then=t, orelse=o):
            return f"{_wrap(t, 1)} if {_wrap(c, 1)} else {_wrap(o, 1)}", 0
        case ir.Call(func=ir.SUBSCRIPT, args=(base, *idx)):
            return f"{_wrap(base, _ATOM)}[{', '.join(expr(i) for i in idx)}]", _ATOM
        case ir.Call(func=f, args=args, keywords=kws, receiver=r):
            parts = [expr(a) for a in args] + [f"{k}={expr(v)}" for k, v in kws]
            head = f if r is None else f"{_wrap(r, _ATOM)}.{f}"
            return f"{head}({', '.join(parts)})", _ATOM
        case ir.Attribute(value=v, attr=a):
            return f"{_wrap(v, _ATOM)}.{a}", _ATOM
        case ir.Tuple(elts=es):
            inner = ", ".join(expr(x) for x in es)
            return (f"({inner},)" if len(es) == 1 else f"({inner})"), _ATOM
        case ir.Comprehension(kind=kind, elt=elt, generators=gens):
            clauses = "".join(f" for {', '.join(g.targets)} in {expr(g.iter)}"
                              + "".join(f" if {expr(c)}" for c in g.conds) for g in gens)
            left, right = {"list": "[]", "set": "{}", "generator": "()"}[kind]
            return f"{left}{expr(elt)}{clauses}{right}", _ATOM
        case ir.OpaqueExpr(reason=r, text=t):
            return f"<opaque {t!r}: {r}>", _ATOM
    raise TypeError(f"not an expression: {e!r}")


def stmt_lines(s: ir.Stmt, indent: int = 0) -> list[str]:
    pad = "    " * indent
    line = f"  # line {s.span.line}" if s.span.line else ""
    match s:
        case ir.Loop(var=v, lower=lo, upper=hi, step=st, body=body, form=form):
            head = f"{pad}for {v} in range({expr(lo)}, {expr(hi)}, {expr(st)}):"
            tag = f" [{form}]" if form != "range" else ""
            return [head + line + tag] + _block(body, indent + 1)
        case ir.While(cond=c, body=body):
            return [f"{pad}while {expr(c)}:{line}"] + _block(body, indent + 1)
        case ir.If(cond=c, body=body, orelse=orelse):
            out = [f"{pad}if {expr(c)}:{line}"] + _block(body, indent + 1)
            if orelse:
                out += [f"{pad}else:"] + _block(orelse, indent + 1)
            return out
        case ir.Assign(target=t, value=v, op=op):
            return [f"{pad}{_target(t)} {op or ''}= {expr(v)}{line}"]
        case ir.ExprStmt(value=v):
            return [f"{pad}{expr(v)}{line}"]
        case ir.Return(value=v):
            return [f"{pad}return {expr(v)}".rstrip() + line]
        case ir.Break():
            return [f"{pad}break{line}"]
        case ir.Continue():
            return [f"{pad}continue{line}"]
        case ir.Pass():
            return [f"{pad}pass{line}"]
        case ir.Declare(names=names):
            return [f"{pad}declare {', '.join(names)}{line}"]
        case ir.Opaque(reason=r, text=t):
            return [f"{pad}<opaque {t!r}: {r}>{line}"]
    raise TypeError(f"not a statement: {s!r}")


def _target(t: ir.Expr) -> str:
    if isinstance(t, ir.Tuple):
        return ", ".join(expr(x) for x in t.elts)
    return expr(t)


def _block(body: tuple[ir.Stmt, ...], indent: int) -> list[str]:
    return [line for s in body for line in stmt_lines(s, indent)] or ["    " * indent + "pass"]


def kernel(k: ir.Kernel) -> str:
    params = ", ".join(f"{p.name}: {p.kind}" + (f"[{p.rank}]" if p.rank else "") for p in k.params)
    return "\n".join([f"kernel {k.name}({params}):  # line {k.span.line}"] + _block(k.body, 1))


def module(m: ir.Module) -> str:
    return "\n\n".join(kernel(k) for k in m.kernels) + "\n"
