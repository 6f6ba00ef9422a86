"""What the backends share: per loop nest, the outermost loop each can emit; fresh names;
where generated module code goes; small questions about a loop's body."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from paralift.files import source_lines
from paralift.ir import nodes as ir
from paralift.passes import cost
from paralift.ir import poly
from paralift.ir.walk import children, stmt_exprs, subexprs, walk_stmts
from paralift.passes.verdict import KernelVerdicts, LoopVerdict

Plan = TypeVar("Plan")


def source_text(lines: list[str], e: ir.Expr) -> str:
    """An expression as the user wrote it; printed (and parenthesized, as it replaces a
    larger text) when it spans lines, printed bare when the frontend made it up."""
    from paralift.ir.printer import expr
    s = e.span
    if s.line and s.line == s.end_line and s.spelled:
        return lines[s.line - 1][s.col:s.end_col]
    return f"({expr(e)})" if s.line else expr(e)


def require_spelled(loop: ir.Loop) -> None:
    """Refuse a loop whose header or statements a macro wrote: a backend that moves or
    edits them would edit the macro's use, not the code it stands for."""
    from paralift.backends.contract import Refuse
    from paralift.ir.walk import walk_stmts
    if not loop.span.spelled or any(not s.span.spelled for s in walk_stmts(loop.body)):
        raise Refuse("the loop is partly written by a macro; expand the macro in the loop to rewrite it")


@dataclass(frozen=True)
class Skip:
    line: int
    reason: str


@dataclass
class Chosen(Generic[Plan]):
    plans: list
    skipped: list


def outermost(kv: KernelVerdicts, plan: Callable[[LoopVerdict], tuple[Plan | None, str]],
              already_parallel: Callable[[ir.Loop], bool], threads: bool = False) -> Chosen[Plan]:
    """Plan the outermost loop of each nest that `plan` accepts; where it refuses (with a
    reason), look inside. Loops that are `already_parallel` are left alone, nest and all.
    `threads` (Numba, OpenMP): a loop inside sequential loops whose every start would do
    too little work to pay for starting the threads is left sequential (passes/cost.py)."""
    by_loop = {id(v.loop): v for v in kv.loops}
    chosen: Chosen[Plan] = Chosen([], [])
    size = cost.budget_size(kv.kernel.body) if threads else 0

    def visit(body, enclosing: tuple[ir.Loop, ...]):
        for s in body:
            if isinstance(s, ir.Loop):
                if already_parallel(s):
                    continue
                v = by_loop[id(s)]
                if threads and v.verdict != "sequential" and not cost.start_pays(s, enclosing, size):
                    chosen.skipped.append(Skip(v.line, _too_little(s, enclosing)))
                    visit(s.body, enclosing + (s,))
                    continue
                p, why = plan(v)
                if p is not None:
                    chosen.plans.append(p)
                    continue
                if why:
                    chosen.skipped.append(Skip(v.line, why))
                visit(s.body, enclosing + (s,))
            elif isinstance(s, (ir.If, ir.While)):
                visit(s.body + getattr(s, "orelse", ()), enclosing)

    visit(kv.kernel.body, ())
    return chosen


def _too_little(loop: ir.Loop, enclosing: tuple[ir.Loop, ...]) -> str:
    around = ", ".join(f"`{x.display}`" for x in enclosing)
    return (f"parallel, but left sequential: it starts once per iteration of {around}, each time with too "
            f"little work to pay for starting the threads (its work grows more slowly than the loops "
            f"around it; paralift's cost model, passes/cost.py)")


def triangular(loop: ir.Loop) -> bool:
    """Does an inner loop's bound grow or shrink with this loop's variable
    (`for j in range(i, m)`)? Data-dependent bounds (`rowptr[i]`) say nothing."""
    def arithmetic_use(e: ir.Expr) -> bool:
        if isinstance(e, ir.Name):
            return e.id == loop.var
        if isinstance(e, (ir.BinOp, ir.UnaryOp)):
            return any(arithmetic_use(c) for c in children(e))
        return False
    return any(isinstance(inner, ir.Loop) and (arithmetic_use(inner.lower) or arithmetic_use(inner.upper))
               for inner in walk_stmts(loop.body))


def header_line(code: str) -> int:
    """Where generated module-level code goes: the number of lines taken by the module's
    docstring and its leading imports (`from __future__` included)."""
    import ast
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return 0
    end = 0
    for k, node in enumerate(body):
        docstring = k == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
            and isinstance(node.value.value, str)
        if not (docstring or isinstance(node, (ast.Import, ast.ImportFrom))):
            break
        end = node.end_lineno or end
    return end


def insert_header(code: str, header: str) -> str:
    lines = source_lines(code, keepends=True)
    at = header_line(code)
    before, after = "".join(lines[:at]), "".join(lines[at:]).lstrip("\n")
    return (before + "\n" if before else "") + header.strip("\n") + "\n\n\n" + after


def reads_besides_updates(loop: ir.Loop, array: str) -> bool:
    """Is `array` read anywhere in the loop other than by its own `x[s] op= e` updates?"""
    from paralift.passes import updates
    for s in walk_stmts(loop.body):
        u = updates.match(s)
        exprs = [u.operand] if u is not None and isinstance(u.target, ir.Access) and \
            u.target.array == array else [e for e in own_exprs(s)]
        if u is not None and isinstance(u.target, ir.Access) and u.target.array == array:
            exprs += list(u.target.indices)
        for e in exprs:
            if any(isinstance(x, ir.Access) and x.array == array for x in subexprs(e)):
                return True
    return False


def own_exprs(s: ir.Stmt):
    for e in stmt_exprs(s):
        if isinstance(s, ir.Assign) and e is s.target and isinstance(e, ir.Access) and s.op is None:
            yield from e.indices  # a plain write is not a read (`x[i] /= 2` is both)
        else:
            yield e


def one_element(loop: ir.Loop, array: str, text: Callable[[ir.Expr], str], python: bool = False) -> str | None:
    """`x[i]` if every update of `array` in the loop is to that one element, whose index the
    loop does not change: a scalar reduction in all but name. Its source text, spelled
    `x[i, j]` in Python and `x[i][j]` in C."""
    from paralift.passes import updates
    from paralift.passes.scalars import assigned_names  # passes import nothing from backends
    changing = assigned_names(loop.body) | {loop.var}
    found = set()
    for st in walk_stmts(loop.body):
        u = updates.match(st)
        if u is not None and isinstance(u.target, ir.Access) and u.target.array == array:
            if any(isinstance(x, ir.Name) and x.id in changing for i in u.target.indices for x in subexprs(i)):
                return None
            found.add(u.target)
    if len(found) != 1:
        return None
    target = next(iter(found))
    if python:
        return f"{array}[{', '.join(text(i) for i in target.indices)}]"
    return f"{array}" + "".join(f"[{text(i)}]" for i in target.indices)


class Names:
    """Fresh identifiers that collide with nothing in the module."""

    def __init__(self, source: str, shared: frozenset[str] | None = None):
        # the module's identifiers, read once per file (`for_function` shares them)
        self.module = shared if shared is not None else frozenset(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))
        self.taken: set[str] = set()

    def for_function(self) -> Names:
        """Names for another function of the same module: its own fresh names start over,
        without reading the module again."""
        return Names("", self.module)

    def fresh(self, base: str) -> str:
        name, n = base, 1
        while name in self.module or name in self.taken:
            n += 1
            name = f"{base}{n}"
        self.taken.add(name)
        return name


def subtracts(s: ir.Stmt) -> bool:
    return isinstance(s, ir.Assign) and (s.op == "-" or (s.op is None and isinstance(s.value, ir.BinOp)
                                                        and s.value.op == "-"))


def last_values_unsupported(v: LoopVerdict) -> str | None:
    """Last values leave through the last iteration's thread (or rank): only when every
    iteration assigns them at its top level, with no `continue` to skip that."""
    if not v.lastprivate:
        return None
    if v.loop.var in v.lastprivate:
        return f"the loop variable `{v.loop.var}` is used after the loop"
    if any(isinstance(s, ir.Continue) for s in walk_stmts(v.loop.body)):
        return "a last value with a `continue` in the loop"
    for name in v.lastprivate:
        if not any(isinstance(s, ir.Assign) and s.target == ir.Name(name) for s in v.loop.body):
            return f"`{name}` is used after the loop but not assigned by every iteration"
    return None


def row_offset(loop: ir.Loop, access: ir.Access) -> int | None:
    """The offset c if the access's first subscript is `var + c`: the row iteration `var` owns."""
    if not access.indices:
        return None
    p = poly.from_expr(access.indices[0], lambda n: poly.sym(n), lambda a, d: None)
    if p is None or set(p) - {(), (loop.var,)} or p.get((loop.var,)) != 1:
        return None
    return p.get((), 0)


def rows_read(loop: ir.Loop, owner: dict[str, int]) -> dict[str, list[int]] | None:
    """For each array in `owner` (array -> the offset of the rows the loop writes), the
    offsets, relative to those rows, at which the loop reads it; None if a read is not at
    `var + c` (no halo describes it). A plain write is not a read."""
    need: dict[str, list[int]] = {}
    for st in walk_stmts(loop.body):
        for e in own_exprs(st):
            for x in subexprs(e):
                if isinstance(x, ir.Access) and x.array in owner:
                    d = row_offset(loop, x)
                    if d is None:
                        return None
                    need.setdefault(x.array, []).append(d - owner[x.array])
    return need


def perfect_nest(v: LoopVerdict, by_loop: dict, simple: Callable[[ir.Loop], bool], most: int = 3) -> list[ir.Loop]:
    """The loop and the parallel loops perfectly nested in it that can join it in one
    iteration space (a grid, a collapsed nest): counted (`simple`), rectangular (no bound
    names an outer counter), with the same reductions, and no counters or last values."""
    loops = [v.loop]
    reductions = {t: op for op, t in v.reductions}
    while len(loops) < most and not v.induction and not v.lastprivate:
        body = loops[-1].body
        if len(body) != 1 or not isinstance(body[0], ir.Loop):
            break
        inner = by_loop[id(body[0])]
        if not simple(inner.loop) or inner.lastprivate or inner.induction or inner.verdict == "sequential":
            break
        if any(reductions.get(t) != op for op, t in inner.reductions):
            break
        bounds = {x.id for e in (inner.loop.lower, inner.loop.upper, inner.loop.step)
                  for x in subexprs(e) if isinstance(x, ir.Name)}
        if bounds & {lp.var for lp in loops}:
            break  # triangular: the inner range depends on an outer index
        loops.append(inner.loop)
    return loops
