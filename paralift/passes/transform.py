"""Loop transformations that make a sequential nest parallel, decided on exact dependences.

A perfect nest whose every loop carries a dependence (Gauss-Seidel sweeps, wavefront
dynamic programming) has no parallel loop as written, but may have one after skewing:
numbering the iterations by a hyperplane `w = h . (i, j, ...)` (a "front"), when every
dependence goes from a front to a later one, all iterations of one front are independent,
and running the fronts in order keeps every dependence. That holds when `h . d >= 1` for
every dependence distance `d` (the later iteration minus the earlier one).

The distances come from the same isl systems as the per-loop analysis (`dependence.py`):
for every pair of accesses to one array, one a write, and every level at which the earlier
instance can precede the later one, the set of `b - a` over instances that touch the same
element. Every approximation there only adds instances, so the test errs toward refusing.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import islpy as isl

from paralift.ir import nodes as ir
from paralift.passes.accesses import AccessRec, KernelAccesses
from paralift.passes.dependence import LevelAnalysis
from paralift.passes.isltext import System

MAX_COEFFICIENT = 4   # hyperplanes tried: every coefficient 0..4, smallest sum first


@dataclass(frozen=True)
class Wavefront:
    """Run the nest front by front: front `w = sum(h_k * v_k)`, all of a front in parallel."""

    loops: tuple[ir.Loop, ...]
    hyperplane: tuple[int, ...]

    @property
    def front(self) -> str:
        """`4*t + 2*i + j`; a loop that counts down enters with a minus (`j - i`)."""
        terms = sorted(((h, v.var) for h, v in zip(self.hyperplane, self.loops) if h), key=lambda t: t[0] < 0)
        out = ""
        for h, var in terms:
            one = var if abs(h) == 1 else f"{abs(h)}*{var}"
            out += (f"-{one}" if h < 0 else one) if not out else (f" - {one}" if h < 0 else f" + {one}")
        return out

    def describe(self) -> str:
        names = ", ".join(f"`{v.var}`" for v in self.loops)
        return (f"parallel after skewing: no loop of the nest over {names} is parallel as written, but "
                f"the iterations with the same `{self.front}` are independent, so the nest can run as a "
                f"wavefront, one front after another, each in parallel")


def perfect_nest(loop: ir.Loop) -> tuple[ir.Loop, ...]:
    """`loop` and the loops that are each the whole body of the one before."""
    nest = [loop]
    while len(nest[-1].body) == 1 and isinstance(nest[-1].body[0], ir.Loop):
        nest.append(nest[-1].body[0])
    return tuple(nest)


def wavefront(nest: tuple[ir.Loop, ...], ka: KernelAccesses, param_names: dict) -> Wavefront | None:
    """The cheapest hyperplane under which every front of `nest` is parallel, if any."""
    uids = [ka.loop_uid[id(v)] for v in nest]
    if len(nest) < 2 or any(ka.loops[u].step not in (1, -1) for u in uids):
        return None
    inside = [a for a in ka.accesses if uids[-1] in a.loops]
    if len(inside) != len([a for a in ka.accesses if uids[0] in a.loops]):
        return None  # an access between the loops: not a perfect nest to the analysis
    deltas = distances(ka, uids, inside, param_names)
    if deltas is None:
        return None
    names = ", ".join(f"d{k}" for k in range(len(nest)))
    for h in _hyperplanes([ka.loops[u].step for u in uids]):
        front = " + ".join(f"{c}*d{k}" for k, c in enumerate(h))
        if deltas.intersect(isl.Set(f"{{ [{names}] : {front} <= 0 }}")).is_empty():
            return Wavefront(nest, h)
    return None


def distances(ka: KernelAccesses, uids: list[int], accs: list[AccessRec], param_names: dict) -> isl.Set | None:
    """Every dependence distance between iterations of the nest `uids`, as one set; None
    when some access cannot be placed (an unknown subscript meets everything)."""
    level = LevelAnalysis(ka, uids[0], param_names)
    found: isl.Set | None = None
    for x, y in conflicts(accs):
        if x.subs is None or y.subs is None:
            return None
        for k in range(len(uids)):
            s = ordered_distances(level, x, y, uids, k)
            found = s if found is None else found.union(s)
    return found if found is not None else isl.Set(f"{{ [{', '.join(f'd{k}' for k in range(len(uids)))}] : false }}")


def conflicts(accs: list[AccessRec]):
    by_array: dict[str, list[AccessRec]] = {}
    for a in accs:
        by_array.setdefault(a.array, []).append(a)
    for group in by_array.values():
        for x, y in itertools.product(group, repeat=2):
            if x.write or y.write:
                yield x, y


def ordered_distances(level: LevelAnalysis, first: AccessRec, second: AccessRec, uids: list[int], k: int) -> isl.Set:
    """Distances `b - a` of instances of `first` (a) and `second` (b) that touch the same
    element, with a earlier than b at nest level k (equal at the levels above it)."""
    system = System()
    level.domain(first, "a", system)
    level.domain(second, "b", system)
    same = level.same_element(first, second, system)
    a = [level.index_var(u, "a") for u in uids]
    b = [level.index_var(u, "b") for u in uids]
    earlier = "<" if level.ka.loops[uids[k]].step > 0 else ">"   # a loop may count down
    order = [f"{a[m]} = {b[m]}" for m in range(k)] + [f"{a[k]} {earlier} {b[k]}"]
    dist = [f"d{m} = {b[m]} - {a[m]}" for m in range(len(uids))]
    inner = " and ".join(system.cons + list(same) + order + dist)
    params = ", ".join(sorted(system.params))
    names = ", ".join(f"d{m}" for m in range(len(uids)))
    hidden = ", ".join(system.vars)
    return isl.Set(f"[{params}] -> {{ [{names}] : exists ({hidden} : {inner}) }}").remove_redundancies()


def _hyperplanes(steps: list[int]):
    """Coefficient vectors with at least two loops in the front, smallest sum first; each
    coefficient has its loop's direction (a loop counting down enters the front negated,
    so that the front still grows as the loop runs)."""
    found = [h for h in itertools.product(range(MAX_COEFFICIENT + 1), repeat=len(steps)) if sum(1 for c in h if c) >= 2]
    return [tuple(c * s for c, s in zip(h, steps)) for h in sorted(found, key=lambda h: (sum(h), [-c for c in h]))]
