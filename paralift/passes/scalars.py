"""Scalar def-use per loop: private, last-private, induction variables, reductions.

A scalar written in a loop is, in this order of preference:
  reduction   every mention of it in the loop is a reduction update with one operator
  induction   one unconditional `x += c` (integer c) at the loop's top level, no other write
  private     never read in an iteration before that iteration assigns it
  carried     anything else: its value flows between iterations (the loop is sequential)
A private scalar whose value is read after the loop is last-private; if some iteration
may skip assigning it, the last value is not the last iteration's and the loop stays
sequential.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from paralift.diagnostics import Diagnostic, Span
from paralift.ir import nodes as ir
from paralift.ir.walk import free_names, stmt_children, stmt_exprs, subexprs
from paralift.passes import updates


# ------------------------------------------------------------------ reads and writes

def expr_reads(e: ir.Expr) -> Iterator[ir.Name]:
    """Names an expression reads; an access reads its array's name too."""
    yield from free_names(e)
    for x in subexprs(e):
        if isinstance(x, ir.Access):
            yield ir.Name(x.array, x.span)


def target_names(t: ir.Expr) -> list[str]:
    if isinstance(t, ir.Name):
        return [t.id]
    if isinstance(t, ir.Tuple):
        return [n for e in t.elts for n in target_names(e)]
    return []


def stmt_reads(s: ir.Stmt) -> list[ir.Name]:
    """Names `s` reads itself, in evaluation order (not those of nested statements)."""
    if isinstance(s, ir.Assign):
        out = list(expr_reads(s.value))
        for t in (s.target.elts if isinstance(s.target, ir.Tuple) else (s.target,)):
            if isinstance(t, ir.Name):
                if s.op is not None:
                    out.append(t)
            else:
                out += expr_reads(t)
        return out
    return [n for e in stmt_exprs(s) for n in expr_reads(e)]


def stmt_writes(s: ir.Stmt) -> list[str]:
    if isinstance(s, ir.Assign):
        return target_names(s.target)
    if isinstance(s, ir.Loop):
        return [s.var]
    return []


def assigned_names(body: Iterable[ir.Stmt]) -> set[str]:
    out: set[str] = set()
    for s in body:
        out.update(stmt_writes(s))
        out |= assigned_names(stmt_children(s))
    return out


# ------------------------------------------------------------------ upward exposure

class _Exposure:
    """Walks one iteration of a loop body tracking the names assigned on every path."""

    def __init__(self, watched: set[str]):
        self.watched = watched
        self.exposed: dict[str, Span] = {}
        self.depth = 0  # loops entered below the walked body: their `continue`s are their own
        self.continued: list[set[str]] = []  # names defined where a `continue` ends the iteration

    def read(self, names: Iterable[ir.Name], defined: set[str]) -> None:
        for n in names:
            if n.id in self.watched and n.id not in defined and n.id not in self.exposed:
                self.exposed[n.id] = n.span

    def block(self, body: Iterable[ir.Stmt], defined: set[str]) -> set[str] | None:
        """Names defined when `body` falls through; None if it never does."""
        defined = set(defined)
        for s in body:
            match s:
                case ir.Continue():
                    if self.depth == 0:
                        self.continued.append(set(defined))
                    return None
                case ir.Break():
                    return None
                case ir.Return():
                    self.read(stmt_reads(s), defined)
                    return None
                case ir.If(body=b, orelse=o):
                    self.read(stmt_reads(s), defined)
                    outs = [d for d in (self.block(b, defined), self.block(o, defined)) if d is not None]
                    if not outs:
                        return None
                    defined = set.intersection(*outs)
                case ir.Loop(var=v, body=b):
                    self.read(stmt_reads(s), defined)
                    self.inner(b, defined | {v})  # may run zero times: defines nothing after
                case ir.While(body=b):
                    self.read(stmt_reads(s), defined)
                    self.inner(b, defined)
                case _:
                    self.read(stmt_reads(s), defined)
                    defined.update(stmt_writes(s))
        return defined


    def inner(self, body: Iterable[ir.Stmt], defined: set[str]) -> None:
        self.depth += 1
        self.block(body, defined)
        self.depth -= 1


def exposure(body: tuple[ir.Stmt, ...], watched: set[str]) -> tuple[dict[str, Span], set[str]]:
    """(names read before any assignment in an iteration, names assigned on every path
    that ends the iteration: falling off the end or a `continue`)."""
    walker = _Exposure(watched)
    end = walker.block(body, set())
    ends = ([end] if end is not None else []) + walker.continued
    return walker.exposed, (set.intersection(*ends) if ends else set(watched))


def _chain(body: tuple[ir.Stmt, ...], target: ir.Stmt) -> list[tuple[tuple[ir.Stmt, ...], int]] | None:
    """The (block, index) pairs from the kernel body down to `target`."""
    for i, s in enumerate(body):
        if s is target:
            return [(body, i)]
        for block in _blocks(s):
            found = _chain(block, target)
            if found is not None:
                return [(body, i)] + found
    return None


def _blocks(s: ir.Stmt) -> tuple[tuple[ir.Stmt, ...], ...]:
    if isinstance(s, (ir.Loop, ir.While)):
        return (s.body,)
    if isinstance(s, ir.If):
        return (s.body, s.orelse)
    return ()


def live_after(kernel_body: tuple[ir.Stmt, ...], loop: ir.Stmt, watched: set[str]) -> set[str]:
    """Names in `watched` whose value after `loop` may be read before being reassigned.

    Follows the code after the loop outwards; an enclosing loop may run its body again,
    so what its body reads before assigning counts too.
    """
    chain = _chain(kernel_body, loop) or []
    walker = _Exposure(watched)
    defined: set[str] = set()
    for depth in range(len(chain) - 1, -1, -1):
        block, index = chain[depth]
        after = walker.block(block[index + 1:], defined)
        defined = after if after is not None else defined
        if depth > 0:
            parent = chain[depth - 1][0][chain[depth - 1][1]]
            if isinstance(parent, (ir.Loop, ir.While)):
                walker.read(stmt_reads(parent), defined)
                walker.block(parent.body, defined)
    return set(walker.exposed)


# ------------------------------------------------------------------ classification

@dataclass(frozen=True)
class ScalarFacts:
    reductions: tuple[tuple[str, str], ...] = ()       # (op, name)
    private: tuple[str, ...] = ()
    lastprivate: tuple[str, ...] = ()
    induction: tuple[tuple[str, int], ...] = ()       # (name, step)
    reasons: tuple[Diagnostic, ...] = field(default=())


def induction_steps(loop: ir.Loop) -> dict[str, int]:
    """Scalars updated once per iteration by a constant: `k += c` at the loop's top level."""
    if _continues(loop.body):
        return {}  # an iteration that skips the update breaks `k == k0 + c * trip`
    counts = Counter(n for s in _all_stmts(loop.body) for n in stmt_writes(s))
    found: dict[str, int] = {}
    for s in loop.body:
        if not isinstance(s, ir.Assign) or not isinstance(s.target, ir.Name):
            continue
        u = updates.match_assign(s)
        c = s.value if s.op is not None else getattr(u, "operand", None)
        if u is None or u.op != "+" or not isinstance(c, ir.Const) or type(c.value) is not int:
            continue
        subtract = s.op == "-" or (isinstance(s.value, ir.BinOp) and s.value.op == "-")
        name = s.target.id
        if counts[name] == 1 and name != loop.var:
            found[name] = -c.value if subtract else c.value
    return found


def _continues(body) -> bool:
    """Is there a `continue` that targets this loop (not a nested one)?"""
    for s in body:
        if isinstance(s, ir.Continue):
            return True
        if isinstance(s, ir.If) and _continues(s.body + s.orelse):
            return True
    return False


def _all_stmts(body) -> Iterator[ir.Stmt]:
    for s in body:
        yield s
        yield from _all_stmts(stmt_children(s))


def reduction_op(body: tuple[ir.Stmt, ...], name: str) -> str | None:
    """The operator if every mention of `name` in `body` is a reduction update of it."""
    ops: set[str] = set()

    def visit(stmts) -> bool:
        for s in stmts:
            u = updates.match(s)
            if u is not None and isinstance(u.target, ir.Name) and u.target.id == name:
                ops.add(u.op)
                continue
            if name in stmt_writes(s) or any(n.id == name for n in stmt_reads(s)):
                return False
            if not visit(stmt_children(s)):
                return False
        return True

    return ops.pop() if visit(body) and len(ops) == 1 else None


def classify(loop: ir.Loop, names: set[str], live_after: set[str],
             induction: dict[str, int]) -> ScalarFacts:
    """Classify the scalars `names` (written in `loop`) for this loop."""
    exposed, must_defined = exposure(loop.body, names)
    reductions, private, lastprivate, ind, reasons = [], [], [], [], []
    for name in sorted(names):
        op = reduction_op(loop.body, name)
        if op is not None:
            reductions.append((op, name))
        elif name in induction:
            ind.append((name, induction[name]))
        elif name not in exposed:
            private.append(name)
            if name in live_after:
                if name in must_defined:
                    lastprivate.append(name)
                else:
                    reasons.append(Diagnostic(
                        "PL206", f"`{name}` is used after the loop but not assigned in every "
                                 "iteration, so its last value depends on the order", loop.span))
        else:
            reasons.append(Diagnostic(
                "PL202", f"`{name}` is read before it is assigned in the iteration, so it "
                         "carries a value from the previous iteration", exposed[name]))
    return ScalarFacts(tuple(reductions), tuple(private), tuple(lastprivate), tuple(ind),
                       tuple(reasons))
