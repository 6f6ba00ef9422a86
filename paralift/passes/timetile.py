"""Time-tiling: a time loop over stencil sweeps, run in skewed tiles of several steps.

In `for t: (for i: for j: B[i, j] = f(A)); (for i: for j: A[i, j] = f(B))` (jacobi-2d)
every sweep is parallel, but each reads all that the one before wrote: when the arrays
outgrow the cache, every step streams them from memory again, and the parallel loops as
written are bound by memory. isl's scheduler finds a band in which every loop can be
tiled, the space loops skewed by time (`2*t + i`, the second statement shifted by one);
tiles of `steps` time steps by `width` skewed rows then reuse what they load for several
steps. The tiles run as a wavefront: those with the same sum of tile coordinates are
independent, and each front runs in parallel. Inside a tile each statement keeps its
innermost loop whole, as written (a unit stride, vectorized).

The nest must be exact, and the final schedule is checked on its dataflow (both in
polyhedral.py): every dependence forward, none between two tiles of one front.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import islpy as isl

from paralift.ir import nodes as ir
from paralift.passes import cost
from paralift.passes import polyhedral as poly
from paralift.passes.effects import CallEnv
from paralift.passes.polyhedral import Model, Statement

MAX_DEPTH = 3        # a time loop and two space loops at most: tiles over two space loops
                     # (heat-3d's) lost to the sweeps as written in both languages (measured)
MIN_STEPS, MAX_STEPS = 4, 8      # time steps per tile; 16 lost parallelism (jacobi-2d, 50 steps)
MIN_WIDTH, MAX_WIDTH = 8, 4096   # skewed iterations of the tiled space loop per tile
ACROSS = 8           # tiles across the space loop at least, so that a front has some per thread


@dataclass(frozen=True)
class TimeTiling:
    """The time loop `loop` in tiles of `steps` steps by `width` iterations of each tiled
    space loop (skewed as `band` says), run front by front."""

    loop: ir.Loop
    statements: tuple[Statement, ...]
    band: tuple[str, ...]                 # the first statement's tiled loops, in words
    steps: int
    width: int
    domain: str                           # isl text: each statement's instances
    schedule: str                         # isl text: -> [front, tiles..., band..., statement, innermost]
    params: tuple[tuple[str, str], ...]   # isl parameter -> the source text it stands for

    @property
    def shape(self) -> str:
        space = " x ".join(f"{self.width} of `{b}`" for b in self.band[1:])
        return f"{self.steps} steps of `{self.loop.display}` by {space}"

    def moved(self, loop: ir.Loop) -> TimeTiling:
        """The same tiling of the same text parsed again (an edit above it moved it)."""
        return replace(self, loop=loop, statements=poly.statements(loop))

    def describe(self) -> str:
        return (f"faster after time-tiling: each step reads what the one before wrote, all of it; in skewed "
                f"tiles of {self.shape}, a tile reuses from cache what it loads for {self.steps} steps, and "
                f"the tiles with the same sum of tile coordinates are independent, so each such front of "
                f"tiles runs in parallel")


def time_tiling(loop: ir.Loop, kernel: ir.Kernel, env: CallEnv, size: int, cache: int) -> TimeTiling | None:
    """The time-tiled form of the nest `loop` heads, if it is exact, legal, and the model
    expects it to gain: one step's arrays larger than `cache`, at `size` for unknown sizes."""
    statements = poly.exact(loop, kernel, env)
    if not statements or not _sweeps(statements):
        return None
    sizes = _sizes(statements, size, cache)   # the cheapest test first: the editor runs this
    if sizes is None:
        return None
    model = Model.of(statements, kernel, env.language)
    if model is None:
        return None
    deps = model.dataflow()
    band = _band(model.domain, deps, len(statements[0].loops))
    if band is None or not _skewed_by_time(band, statements):
        return None
    steps, width = sizes
    schedule = _tiled(band, model, steps, width)
    if schedule is None or not poly.legal(schedule, deps):
        return None
    return TimeTiling(loop, statements, _band_words(band, statements[0]), steps, width, model.domain.to_str(),
                      schedule.to_str(), tuple(model.params.params.items()))


def _sweeps(statements: tuple[Statement, ...]) -> bool:
    """Are the statements all as deep, inside a time loop and one space loop at least, and
    alone in their loops' bodies? (What time tiles take: sweeps, each statement's
    innermost loop whole.)"""
    depth = len(statements[0].loops)
    return depth >= 2 and all(len(s.loops) == depth for s in statements) and all(
        all(isinstance(x, ir.Assign) for x in s.loops[-1].body) for s in statements)


def _sizes(statements: tuple[Statement, ...], size: int, cache: int) -> tuple[int, int] | None:
    """Tile sizes: `steps` and the widest `width` (a power of 2) whose footprint fits in half
    the cache with ACROSS tiles across the space loop; or None where one step's arrays fit
    in the cache whole (each step then finds them there already: nothing to gain). A tile
    touches `width` rows of the space loop and `2 * steps` more for the skew, each as large
    as what the untiled innermost loop walks."""
    env: dict[str, int] = {}
    counts = []
    for v in statements[0].loops:
        t = cost.trips(v, env, size)
        if t is None or t <= 0:
            return None
        counts.append(t)
    arrays = len({a.array for s in statements for a, _ in poly.accesses(s.stmt)})
    step_bytes = cost.ITEM * arrays
    for t in counts[1:]:
        step_bytes *= t
    if step_bytes <= cache or len(counts) > MAX_DEPTH:
        return None
    row = cost.ITEM * arrays * (counts[-1] if len(counts) > 2 else 1)
    width = MAX_WIDTH
    while width > MIN_WIDTH and ((width + 2 * MAX_STEPS) * row > cache // 2 or width * ACROSS > counts[1]):
        width //= 2
    return max(MIN_STEPS, min(MAX_STEPS, width // 2)), width


def _band(domain: isl.UnionSet, deps: isl.UnionMap, depth: int) -> isl.UnionMap | None:
    """The scheduler's outermost band, if it is permutable and has a member per loop."""
    band = poly.scheduler_band(domain, deps)
    return band if band is not None and poly.out_dims(band) == depth else None


def _tiled(band: isl.UnionMap, model: Model, steps: int, width: int) -> isl.UnionMap | None:
    """Each statement -> [front, tile..., band member..., statement, innermost variable]: all
    members but the last tiled (all of them in a 1-d sweep), tiles by the sum of their
    coordinates, and inside a tile the statements in order, each with its innermost loop
    as written."""
    out = None
    for name, depth in model.innermost.items():
        members = [f"b{k}" for k in range(depth)]
        tiled = tiled_members(depth)
        sizes = [steps] + [width] * (tiled - 1)
        tiles = [f"floor({b}/{s})" for b, s in zip(members, sizes)]
        inner = [str(model.positions[name])] + ([] if tiled == depth else [f"v{depth - 1}"])
        mine = isl.UnionSet.from_set(poly.part(model.domain, name))
        of = isl.UnionMap(f"{{ {name}[{', '.join(f'v{k}' for k in range(depth))}] -> [{', '.join(inner)}] }}")
        to_tiles = isl.UnionMap(f"{{ [{', '.join(members)}] -> "
                                f"[{' + '.join(tiles)}, {', '.join(tiles[1:] + members[:tiled])}] }}")
        one = band.intersect_domain(mine).apply_range(to_tiles).flat_range_product(of.intersect_domain(mine))
        if not isl.Map.from_union_map(one).is_injective():
            return None
        out = one if out is None else out.union(one)
    return out


def tiled_members(depth: int) -> int:
    """How many of a band of `depth` members are tiled: all but the innermost, which each
    statement keeps whole as written; both of a 1-d sweep's (time and space), which
    otherwise would have no tiles side by side."""
    return depth if depth == 2 else depth - 1


def _skewed_by_time(band: isl.UnionMap, statements: tuple[Statement, ...]) -> bool:
    """Is every tiled member a loop skewed by time alone (`t`, `2*t + i`), in the loops'
    order? Then the tiles' points are whole rows, the new loops have unit steps, and
    the loops keep their names."""
    for s in statements:
        members = poly.members(band, s.name)
        if len(members) != len(s.loops):
            return False
        for k, (coefficients, _) in enumerate(members[:tiled_members(len(members))]):
            want = [c if m == 0 and k > 0 else int(m == k) for m, c in enumerate(coefficients)]
            if coefficients != want or coefficients[0] < 0:
                return False
    return True


def _band_words(band: isl.UnionMap, s: Statement) -> tuple[str, ...]:
    """The band's tiled members for statement `s`, in its loop variables (`2*t + i`)."""
    words = []
    members = poly.members(band, s.name)
    for coefficients, const in members[:tiled_members(len(members))]:
        terms = [v.var if c == 1 else f"{c}*{v.var}" for c, v in zip(coefficients, s.loops) if c]
        words.append(" + ".join(terms + ([str(const)] if const else [])) or "0")
    return tuple(words)
