"""Rescheduling: a nest whose statements run partly outside every parallel loop, put in
the order isl's scheduler finds, with one parallel loop around all of them.

lu as PolyBench writes it goes row by row (`for i: for j < i: (for k < j: ...)
A[i, j] /= A[j, j]; for j >= i: for k < i: ...`): its one parallel loop, `j >= i`, runs
half the work, and the other half runs alone. The scheduler (Pluto's algorithm, on the
exact dataflow: polyhedral.py) finds the right-looking order `(k, i, j)`, in which at
every step `k` the rows `i` below it are independent: the loop over `i` then runs all of
the work in parallel. The same holds for cholesky and the like.

Taken only in the plainest form: every new loop is one of each statement's own loops
(no skew, no scaling, so unit steps and loops named after the user's), each statement
writes along its innermost new loop (unit stride), and a dimension of the new order
that no dependence crosses holds every statement, each start of it with work enough to
pay for the threads (cost.py). The schedule is checked with isl on the exact dataflow:
every dependence forward, none across the parallel loop.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import islpy as isl

from paralift.ir import nodes as ir
from paralift.passes import cost
from paralift.passes import polyhedral as poly
from paralift.passes.effects import CallEnv
from paralift.passes.polyhedral import Model, Statement


@dataclass(frozen=True)
class NewOrder:
    """Statements in a new order from isl's scheduler, checked: the new loops `order`,
    the loop `order[parallel]` parallel (a rescheduled nest here, fused nests in
    fusion.py; both written by backends/scheduled.py)."""

    statements: tuple[Statement, ...]
    order: tuple[str, ...]                # the new loops, named by the first statement's variables
    names: tuple[str | None, ...]         # a new loop that is the same variable in every statement: its name
    parallel: int
    domain: str                           # isl text: each statement's instances
    schedule: str                         # isl text: -> [new loops..., statement]
    params: tuple[tuple[str, str], ...]   # isl parameter -> the source text it stands for


@dataclass(frozen=True)
class Reschedule(NewOrder):
    """The nest `loop` heads in the loop order `order`, its loop `order[parallel]` parallel."""

    loop: ir.Loop

    def moved(self, loop: ir.Loop) -> Reschedule:
        """The same order for the same text parsed again (an edit above it moved it)."""
        return replace(self, loop=loop, statements=poly.statements(loop))

    def describe(self) -> str:
        names = ", ".join(f"`{x}`" for x in self.order)
        return (f"parallel after rescheduling: some statements of this nest run outside every parallel "
                f"loop; in the loop order {names} (isl's scheduler, checked on the exact dataflow) "
                f"the loop over `{self.order[self.parallel]}` runs all of them, its iterations independent")


def reschedule(loop: ir.Loop, kernel: ir.Kernel, env: CallEnv, parallel_loops: set[int],
               size: int) -> Reschedule | None:
    """The rescheduled form of the nest `loop` heads, if it puts work that runs alone as
    written (no loop in `parallel_loops`, ids of the loops found parallel, around it) into
    a parallel loop."""
    statements = poly.exact(loop, kernel, env)
    if not statements or max(len(s.loops) for s in statements) < 2:
        return None
    if all(any(id(v) in parallel_loops for v in s.loops) for s in statements):
        return None   # every statement runs in a parallel loop already
    model = Model.of(statements, kernel, env.language)
    if model is None:
        return None
    deps = model.dataflow()
    band = poly.scheduler_band(model.domain, deps)
    if band is None or poly.out_dims(band) != max(len(s.loops) for s in statements):
        return None
    order = loop_order(band, statements)
    if order is None:
        return None
    schedule = with_positions(band, model)
    carried = poly.carried_at(schedule, deps)
    parallel = next((p for p, c in enumerate(carried[:len(order)]) if not c), None)
    if parallel is None or not poly.legal(schedule, deps, parallel) or not cost.band_pays(order, parallel, size):
        return None
    return Reschedule(statements, tuple(v.var for v in order), user_names(band, statements), parallel,
                      model.domain.to_str(), schedule.to_str(), tuple(model.params.params.items()), loop=loop)


def loop_order(band: isl.UnionMap, statements: tuple[Statement, ...], shifts: bool = False) -> list[ir.Loop] | None:
    """The new loops as the first deepest statement's loops, if every member is one of
    each statement's loops (coefficient 1; a constant only where `shifts`), every
    statement's loops all appear, and each statement writes along its innermost member."""
    deepest = max(statements, key=lambda s: len(s.loops))
    order = None
    for s in statements:
        picks = []
        for coefficients, const in poly.members(band, s.name):
            if const and not shifts or sorted(coefficients) != [0] * (len(coefficients) - 1) + [1]:
                return None
            picks.append(coefficients.index(1))
        if set(picks) != set(range(len(s.loops))) or not _writes_along(s, s.loops[picks[-1]]):
            return None
        if s is deepest:
            order = [s.loops[k] for k in picks]
    return order


def user_names(band: isl.UnionMap, statements: tuple[Statement, ...]) -> tuple[str | None, ...]:
    """For each member (as `loop_order` accepts them): the loop variable it is in every
    statement, unshifted, or None. The new loop may then take the user's name, and no
    statement needs that variable set from it."""
    out: list[str | None] | None = None
    for s in statements:
        mine = [None if const else s.loops[coefficients.index(1)].var for coefficients, const in poly.members(band, s.name)]
        out = mine if out is None else [a if a == b else None for a, b in zip(out, mine)]
    out = out or []
    # a statement's variable on two members (lu's `j`, the step and the column): two loops, not one name
    return tuple(None if out.count(x) > 1 else x for x in out)


def _writes_along(s: Statement, v: ir.Loop) -> bool:
    """Does the statement's target's last subscript move with `v` (a unit stride)?"""
    last = s.stmt.target.indices[-1]
    return isinstance(last, ir.Name) and last.id == v.var or (
        isinstance(last, ir.BinOp) and last.op in "+-" and isinstance(last.left, ir.Name) and last.left.id == v.var
        and isinstance(last.right, ir.Const))


def with_positions(band: isl.UnionMap, model: Model) -> isl.UnionMap:
    """Each statement -> [members..., its place in program order]: statements at one point
    of the band run in the order they are written."""
    out = None
    for name, position in model.positions.items():
        mine = band.intersect_domain(isl.UnionSet.from_set(poly.part(model.domain, name)))
        n = model.innermost[name]
        last = isl.UnionMap(f"{{ {name}[{', '.join(f'v{k}' for k in range(n))}] -> [{position}] }}")
        one = mine.flat_range_product(last.intersect_domain(isl.UnionSet.from_set(poly.part(model.domain, name))))
        out = one if out is None else out.union(one)
    return out
