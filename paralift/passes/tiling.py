"""Tiling for reuse: strips of two loops, so that what one reuses stays in cache.

In `for i: for k: for j: C[i, j] += A[i, k] * B[k, j]` every `i` walks all of `B`; when
`B` is larger than the cache, every `i` reads it from memory again. In strips of `k`
(`cols` at a time) run outside strips of `i` (`rows` at a time), the rows of `B` one `k`
strip uses are read once from memory and reused by every `i` of the strip:

    for i0 in range(0, ni, rows):
        for k0 in range(0, nk, cols):
            for i in range(i0, min(i0 + rows, ni)):
                for k in range(k0, min(k0 + cols, nk)):
                    for j in range(nj): ...

Statements of `i`'s body around the `k` loop run in loops over the strip of their own.
Legality is the interchange's (passes/interchange.py): the split, and no dependence
forward in `i` and backward in `k` (strips of `k` then run before later `i`s). The strip
of `i` keeps `i`'s parallelism: different strips touch what different `i`s touched.

The cost model (passes/cost.py) decides: the reused array's part one `i` walks must be
larger than the cache (`cache_size()`, the machine's L2), and the `k` strip is sized so
that its part takes half of it.
"""
from __future__ import annotations

from dataclasses import dataclass

from paralift.ir import nodes as ir
from paralift.ir.walk import subexprs, walk_exprs, walk_stmts
from paralift.passes import cost
from paralift.passes.accesses import KernelAccesses
from paralift.passes.interchange import splits, swaps
from paralift.passes.scalars import assigned_names

ROWS = 8             # `i`s per strip: as fast as 16 on gemm (measured), more strips to share
                     # between threads, and the tester's sizes (up to 24) run 2 and 3 strips:
                     # enough for it to verify a strip loop
MIN_COLS, MAX_COLS = 8, 512


@dataclass(frozen=True)
class Tiling:
    """Strips of `rows` of `outer` and `cols` of `inner` (its one inner loop), the strips of
    `inner` outside the iterations of `outer`'s strip, reusing `reused` from cache."""

    outer: ir.Loop
    inner: ir.Loop
    rows: int
    cols: int
    reused: str
    cache: int

    @property
    def at(self) -> int:
        return next(k for k, s in enumerate(self.outer.body) if s is self.inner)

    @property
    def shape(self) -> str:
        """The tiles in words: the hint's text, and the note above the tiled nest."""
        i, k = f"`{self.outer.display}`", f"`{self.inner.display}`"
        return (f"{i} in strips of {self.rows} and {k} in strips of {self.cols}, the strips of {k} outside, "
                f"so that the part of `{self.reused}` a strip walks stays in the {_size(self.cache)} cache "
                f"for every {i} of the strip")

    def describe(self) -> str:
        return f"faster in tiles: {self.shape}"


def tiling(outer: ir.Loop, ka: KernelAccesses, param_names: dict, size: int) -> Tiling | None:
    """The tiling of `outer` and its one inner loop, if the cost model wants one and it is
    legal (`size`: the kernel's budget size, cost.budget_size). Loops paralift wrote
    (`pl_...`) are never tiled again."""
    loops = [outer] + [s for s in walk_stmts(outer.body) if isinstance(s, ir.Loop)]
    named = {x.var for x in loops} | {n.id for x in loops for e in (x.lower, x.upper) for n in subexprs(e)
                                      if isinstance(n, ir.Name)}
    if not _plain(outer) or any(n.startswith("pl_") for n in named) or _step(outer) != 1:
        return None
    for at, inner in enumerate(outer.body):
        reuse = _reused(outer, inner, size) if isinstance(inner, ir.Loop) and _step(inner) == 1 else None
        if reuse is not None:
            found = _sized(outer, inner, at, reuse, size, ka, param_names)
            if found is not None:
                return found
    return None


def _plain(outer: ir.Loop) -> bool:
    """No jump and no while in the body, and no scalar assigned but loop variables: parts
    of it can run in loops of their own."""
    stmts = list(walk_stmts(outer.body))
    if any(isinstance(s, (ir.Break, ir.Continue, ir.Return, ir.While)) for s in stmts):
        return False
    return not assigned_names(outer.body) - {s.var for s in stmts if isinstance(s, ir.Loop)}


def _sized(outer: ir.Loop, inner: ir.Loop, at: int, reuse: tuple[str, int], size: int, ka: KernelAccesses,
           param_names: dict) -> Tiling | None:
    """The tiling around `inner` (the `at`th statement of `outer`), if it pays and is legal."""
    bounds = [x for e in (inner.lower, inner.upper, inner.step) for x in subexprs(e)]
    if any(isinstance(x, ir.Name) and x.id == outer.var for x in bounds):
        return None
    array, per_step = reuse
    cache = cost.cache_size()
    inner_trips = cost.trips(inner, {outer.var: 0}, size) or 0
    cols = _power_of_two_at_most(cache // 2 // max(per_step, 1))
    cols = max(MIN_COLS, min(MAX_COLS, cols))
    if per_step * inner_trips <= cache or inner_trips <= cols:
        return None   # what one `i` walks fits: nothing to gain
    uo, ui = ka.loop_uid[id(outer)], ka.loop_uid[id(inner)]
    accs = [a for a in ka.accesses if uo in a.loops]
    if any(a.subs is None for a in accs) or not splits(ka, uo, ui, at, accs, param_names):
        return None
    if not swaps(ka, uo, ui, [a for a in accs if ui in a.loops], param_names):
        return None
    return Tiling(outer, inner, ROWS, cols, array, cache)


def _reused(outer: ir.Loop, inner: ir.Loop, size: int) -> tuple[str, int] | None:
    """The array `inner`'s body walks without `outer`'s variable (every `i` walks it
    again), and the bytes it walks per iteration of `inner`: the largest such, if any."""
    inside = {s.var: s for s in walk_stmts(inner.body) if isinstance(s, ir.Loop)}
    best: tuple[str, int] | None = None
    for a in walk_exprs(inner.body):
        if not isinstance(a, ir.Access) or not a.indices:
            continue
        uses = [{x.id for x in subexprs(i) if isinstance(x, ir.Name)} for i in a.indices]
        names = set().union(*uses)
        if outer.var in names or inner.var not in names:
            continue
        walking = [v for v in inside if v in names] or [inner.var]
        if walking[-1] not in uses[-1] or any(walking[-1] in u for u in uses[:-1]):
            continue   # the innermost loop walks it down a column: interchange first
        env: dict[str, int] = {outer.var: 0, inner.var: 0}
        walked = cost.ITEM
        for var, loop in inside.items():
            t = cost.trips(loop, env, size)
            if var in names:
                walked *= t if t else size
        if best is None or walked > best[1]:
            best = (a.array, walked)
    return best


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n % (1 << 20) == 0 else f"{n >> 10} KiB" if n % 1024 == 0 else f"{n} B"


def _step(loop: ir.Loop) -> int | None:
    return loop.step.value if isinstance(loop.step, ir.Const) and type(loop.step.value) is int else None


def _power_of_two_at_most(n: int) -> int:
    p = 1
    while p * 2 <= n:
        p *= 2
    return p
