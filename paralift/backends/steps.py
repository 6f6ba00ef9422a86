"""Planning steps every backend shares: what a loop's verdict asks of the code around it.

A verdict names reductions, induction variables and last values; each backend spells them
its own way (a `prange` reduction, an atomic, an Allreduce), but which updates are whose,
which reductions go into arrays, and the closed form of an induction variable are decided
here, once.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from paralift.ir import nodes as ir
from paralift.ir.walk import accessed
from paralift.passes.verdict import LoopVerdict

Site = tuple[int, int]   # (line, col) of a statement: how a libcst editor finds the IR's node again


def site(span: ir.Span) -> Site:
    return span.line, span.col


def times(step: int, count: str) -> str:
    """`step * count` as short text (`count` itself for a step of 1)."""
    return count if step == 1 else f"{step} * {count}"


@dataclass(frozen=True)
class Induction:
    """`name += step` once per iteration: iteration t sees `start + step * t` on entry,
    where `start` names the value before the loop (set by the backend: `started`)."""
    name: str
    step: int
    updates: tuple[ir.Assign, ...] = field(default=(), repr=False, compare=False)  # the `+= step`
    start: str = ""

    def started(self, start: str) -> Induction:
        return replace(self, start=start)

    def value(self, count: str) -> str:
        """Its value after `count` iterations."""
        return f"{self.start} + {times(self.step, count)}"

    def respelled(self, count: str) -> str:
        """The update, as a statement that needs no earlier iteration."""
        return f"{self.name} = {self.value(f'({count} + 1)')}"


def inductions(v: LoopVerdict) -> tuple[Induction, ...]:
    """The verdict's induction variables with their update statements (at the top level of
    the body, where the scalar analysis found them)."""
    return tuple(Induction(name, step, tuple(s for s in v.loop.body if _updates(s, name)))
                 for name, step in v.induction)


def _updates(s: ir.Stmt, name: str) -> bool:
    return isinstance(s, ir.Assign) and s.target == ir.Name(name)


def array_reductions(v: LoopVerdict) -> tuple[tuple[str, str], ...]:
    """(op, array) for reductions into elements of an array (`h[k[i]] += 1`)."""
    arrays = accessed(v.loop.body)
    return tuple((op, t) for op, t in v.reductions if t in arrays)


def scalar_reductions(v: LoopVerdict) -> tuple[tuple[str, str], ...]:
    """(op, name) for reductions into a scalar (`s += a[i]`)."""
    arrays = accessed(v.loop.body)
    return tuple((op, t) for op, t in v.reductions if t not in arrays)
