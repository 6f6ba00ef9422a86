"""Loop interchange for locality, decided on exact dependences.

A loop over `j` whose one inner loop over `k` runs along a column (`B[k, j]`,
`data[k, i] * data[k, j]`: every step of `k` jumps a row) is faster with `j` innermost,
where the same accesses run along rows. When `j`'s body has statements around the `k`
loop (`tmp[i, j] = 0.0` before it), the `j` loop is first split in three: the statements
before, the `k` loop, the statements after, each a loop over `j` of its own (fission);
then the middle nest is swapped. Both steps are checked on the same isl systems as the
per-loop analysis (`dependence.py`):

- the split is legal when no dependence goes from a later part at one `j` to an earlier
  part at a later `j` (those would now run in the other order);
- the swap is legal when no dependence of the nest goes forward in `j` and backward in
  `k` (its distance would turn lexicographically negative).

Scalars assigned in the nest (other than loop variables) are refused outright: a value
carried from one part to another, or from one iteration to the next, would need renaming.
"""
from __future__ import annotations

from dataclasses import dataclass

import islpy as isl

from paralift.ir import nodes as ir
from paralift.ir.walk import subexprs, walk_exprs, walk_stmts
from paralift.passes import updates
from paralift.passes.accesses import AccessRec, KernelAccesses
from paralift.passes.dependence import LevelAnalysis
from paralift.passes.scalars import assigned_names
from paralift.passes.transform import conflicts, distances, ordered_distances


@dataclass(frozen=True)
class Interchange:
    """Split `outer` around its one inner loop `inner`, and swap the two in the middle."""

    outer: ir.Loop
    inner: ir.Loop

    @property
    def at(self) -> int:
        return next(k for k, s in enumerate(self.outer.body) if s is self.inner)

    @property
    def before(self) -> tuple[ir.Stmt, ...]:
        """`outer`'s statements before `inner`: a loop of their own."""
        return self.outer.body[:self.at]

    @property
    def after(self) -> tuple[ir.Stmt, ...]:
        return self.outer.body[self.at + 1:]

    def describe(self) -> str:
        j, k = f"`{self.outer.display}`", f"`{self.inner.display}`"
        split = f"split the loop over {j} around the loop over {k}, then " if self.before or self.after else ""
        return (f"faster after interchange: {split}run {k} outside and {j} inside, so that the innermost "
                f"loop walks along rows (contiguous memory) instead of down columns")


def interchange(outer: ir.Loop, ka: KernelAccesses, param_names: dict) -> Interchange | None:
    """The split-and-swap of `outer` and its one inner loop, if it walks more accesses along
    rows and is legal."""
    found = split_shape(outer)
    if found is None:
        return None
    inner, at = found
    if _contiguity(inner.body, outer.var) <= _contiguity(inner.body, inner.var):
        return None
    uo, ui = ka.loop_uid[id(outer)], ka.loop_uid[id(inner)]
    if ka.loops[uo].step not in (1, -1) or ka.loops[ui].step not in (1, -1) or ka.loops[uo].has_break \
            or ka.loops[ui].has_break:
        return None
    accs = [a for a in ka.accesses if uo in a.loops]
    if any(a.subs is None for a in accs) or not splits(ka, uo, ui, at, accs, param_names):
        return None
    if not swaps(ka, uo, ui, [a for a in accs if ui in a.loops], param_names):
        return None
    return Interchange(outer, inner)


def split_shape(outer: ir.Loop) -> tuple[ir.Loop, int] | None:
    """`outer`'s one inner loop and its place, when the nest can be split and swapped: no
    other loop in the body, no jump, no scalar but the loop variables assigned, and an
    inner loop whose bounds do not depend on `outer`."""
    places = [k for k, s in enumerate(outer.body) if isinstance(s, ir.Loop)]
    if len(places) != 1:
        return None
    inner = outer.body[places[0]]
    if any(isinstance(s, (ir.Loop, ir.While)) for s in walk_stmts(inner.body)):
        return None
    if any(isinstance(s, (ir.Break, ir.Continue, ir.Return)) for s in walk_stmts(outer.body)):
        return None
    if assigned_names(outer.body) - {inner.var}:
        return None
    bounds = [x for e in (inner.lower, inner.upper, inner.step) for x in subexprs(e)]
    if any(isinstance(x, ir.Name) and x.id == outer.var for x in bounds):
        return None
    return inner, places[0]


def _contiguity(body, var: str) -> int:
    """How well `var` does as the innermost loop of `body`: accesses that walk along a row
    as it steps (it indexes the last dimension), less those that jump rows (it indexes an
    earlier one), less two for each element written that it does not move (`C[i, j] += ...`
    inside `for k`: every step waits for the last one's store; a dot product in memory is
    slower than the column walk it would replace)."""
    score = 0
    written = {id(u.target) for x in walk_stmts(body) if (u := updates.match(x)) is not None} | \
        {id(x.target) for x in walk_stmts(body) if isinstance(x, ir.Assign)}
    for a in walk_exprs(body):
        if not isinstance(a, ir.Access) or not a.indices:
            continue
        uses = [any(isinstance(x, ir.Name) and x.id == var for x in subexprs(i)) for i in a.indices]
        score += 1 if uses[-1] and not any(uses[:-1]) else -1 if any(uses[:-1]) else 0
        if id(a) in written and not any(uses):
            score -= 2
    return score


def _part(a: AccessRec, uo: int, at: int) -> int:
    """0: before the inner loop, 1: in it, 2: after it."""
    place = next(p for u, p, _ in a.path if u == uo)
    return 0 if place < at else 1 if place == at else 2


def splits(ka: KernelAccesses, uo: int, ui: int, at: int, accs: list[AccessRec], param_names: dict) -> bool:
    """No dependence from a later part at one iteration of `outer` to an earlier part at a
    later iteration."""
    level = LevelAnalysis(ka, uo, param_names)
    for x, y in conflicts(accs):
        if _part(x, uo, at) > _part(y, uo, at) and not ordered_distances(level, x, y, [uo], 0).is_empty():
            return False
    return True


def swaps(ka: KernelAccesses, uo: int, ui: int, accs: list[AccessRec], param_names: dict) -> bool:
    """No dependence of the inner nest goes forward in `outer` and backward in `inner`."""
    found = distances(ka, [uo, ui], accs, param_names)
    if found is None:
        return False
    backward = "<" if ka.loops[ui].step > 0 else ">"
    return found.intersect(isl.Set(f"{{ [d0, d1] : d1 {backward} 0 }}")).is_empty()
