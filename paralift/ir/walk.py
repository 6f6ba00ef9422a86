"""Generic traversals of the IR, so passes do not each re-implement the recursion."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from paralift.ir import nodes as ir


def children(e: ir.Expr) -> tuple[ir.Expr, ...]:
    match e:
        case ir.Access(indices=idx):
            return idx
        case ir.Slice(lower=lo, upper=hi, step=st):
            return tuple(x for x in (lo, hi, st) if x is not None)
        case ir.BinOp(left=l, right=r):
            return (l, r)
        case ir.UnaryOp(operand=x):
            return (x,)
        case ir.Compare(operands=xs) | ir.BoolOp(values=xs) | ir.Tuple(elts=xs):
            return xs
        case ir.Ternary(cond=c, then=t, orelse=o):
            return (c, t, o)
        case ir.Call(args=args, keywords=kws, receiver=r):
            return ((r,) if r is not None else ()) + args + tuple(v for _, v in kws)
        case ir.Attribute(value=v):
            return (v,)
        case ir.Comprehension(elt=elt, generators=gens):
            return tuple(x for g in gens for x in (g.iter, *g.conds)) + (elt,)
    return ()


def bound_names(e: ir.Expr) -> set[str]:
    """Names a comprehension binds for its own body."""
    if isinstance(e, ir.Comprehension):
        return {t for g in e.generators for t in g.targets}
    return set()


def subexprs(e: ir.Expr) -> Iterator[ir.Expr]:
    """`e` and every expression inside it, parents first."""
    stack = [e]
    while stack:
        x = stack.pop()
        yield x
        stack.extend(reversed(children(x)))


def stmt_exprs(s: ir.Stmt) -> tuple[ir.Expr, ...]:
    """The expressions a statement evaluates itself (not those of nested statements)."""
    match s:
        case ir.Loop(lower=lo, upper=hi, step=st):
            return (lo, hi, st)
        case ir.While(cond=c) | ir.If(cond=c):
            return (c,)
        case ir.Assign(target=t, value=v):
            return (t, v)
        case ir.ExprStmt(value=v):
            return (v,)
        case ir.Return(value=v) if v is not None:
            return (v,)
    return ()


def stmt_children(s: ir.Stmt) -> tuple[ir.Stmt, ...]:
    match s:
        case ir.Loop(body=b) | ir.While(body=b):
            return b
        case ir.If(body=b, orelse=o):
            return b + o
    return ()


def walk_stmts(body: Iterable[ir.Stmt]) -> Iterator[ir.Stmt]:
    """Every statement in `body`, nested ones included, in source order."""
    for s in body:
        yield s
        yield from walk_stmts(stmt_children(s))


def walk_exprs(body: Iterable[ir.Stmt]) -> Iterator[ir.Expr]:
    for s in walk_stmts(body):
        for e in stmt_exprs(s):
            yield from subexprs(e)


def free_names(e: ir.Expr, bound: frozenset[str] = frozenset()) -> Iterator[ir.Name]:
    """Name nodes that refer to the enclosing scope (comprehension variables excluded)."""
    if isinstance(e, ir.Name):
        if e.id not in bound:
            yield e
        return
    if isinstance(e, ir.Comprehension):
        inner = bound
        for n, g in enumerate(e.generators):
            # the first iterable is evaluated outside the comprehension's scope
            yield from free_names(g.iter, bound if n == 0 else inner)
            inner = inner | set(g.targets)
            for c in g.conds:
                yield from free_names(c, inner)
        yield from free_names(e.elt, inner)
        return
    for c in children(e):
        yield from free_names(c, bound)


def accessed(body: Iterable[ir.Stmt]) -> set[str]:
    """The arrays `body` subscripts."""
    return {x.array for s in walk_stmts(body) for e in stmt_exprs(s) for x in subexprs(e)
            if isinstance(x, ir.Access)}


def declared_in(body: Iterable[ir.Stmt]) -> set[str]:
    """Names declared inside `body` (C declarations, `for (int j ...)` counters): private to it."""
    out = set()
    for s in walk_stmts(body):
        if isinstance(s, ir.Assign) and s.declares and isinstance(s.target, ir.Name):
            out.add(s.target.id)
        elif isinstance(s, ir.Declare):
            out |= set(s.names)
        elif isinstance(s, ir.Loop) and s.form == "c-for":
            out.add(s.var)
    return out


def written_arrays(body: Iterable[ir.Stmt]) -> set[str]:
    """The arrays `body` assigns elements of (`a[i] = ...`, `a[i], b[i] = ...`)."""
    out = set()
    for s in walk_stmts(body):
        if isinstance(s, ir.Assign):
            targets = s.target.elts if isinstance(s.target, ir.Tuple) else (s.target,)
            out |= {t.array for t in targets if isinstance(t, ir.Access)}
    return out
