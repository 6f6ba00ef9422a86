"""Time-tiling: a time loop over stencil sweeps, run in skewed tiles of several steps.

In `for t: (for i: for j: B[i, j] = f(A)); (for i: for j: A[i, j] = f(B))` (jacobi-2d,
heat-3d) every sweep is parallel, but each reads all that the one before wrote: when the
arrays outgrow the cache, every step streams them from memory again, and the parallel
loops as written are bound by memory. isl's scheduler (Pluto's: the dataflow as validity
and proximity) finds a band in which every loop can be tiled, the time loop and space
loops skewed by it (`2*t + i`, the second statement shifted by one); tiles of `steps`
time steps by `width` skewed rows then reuse what they load for several steps. The
tiles run as a wavefront: those with the same sum of tile coordinates are independent,
and each front runs in parallel. Inside a tile each statement keeps its innermost loop
whole, as written (a unit stride, vectorized).

Legality is checked on the final schedule, not taken from the scheduler: every
dependence goes forward in it, and none joins two tiles of one front. The dependences are
the exact dataflow (each read's last writer, each write's earlier reads since the write
before, and that write), from isl's `compute_flow`; every other memory dependence
follows from those by transitivity, so a schedule that keeps them keeps all. That takes
exact accesses, so only nests made of loops with affine bounds and step 1 around
assignments to array elements with affine subscripts are taken: no scalar assigned
inside, no condition, no call, no subscript that can wrap (Python's `a[-1]`) or leave a
declared dimension (C).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import islpy as isl

from paralift.ir import nodes as ir
from paralift.ir.walk import subexprs, walk_exprs
from paralift.passes import cost
from paralift.passes.affine import NotAffine, Params, affine
from paralift.passes.scalars import assigned_names

ITEM = 8             # bytes per element the model assumes (float64, the common case)
MAX_DEPTH = 3        # a time loop and two space loops at most: tiles over two space loops
                     # (heat-3d's) lost to the sweeps as written in both languages (measured)
MIN_STEPS, MAX_STEPS = 4, 8      # time steps per tile; 16 lost parallelism (jacobi-2d, 50 steps)
MIN_WIDTH, MAX_WIDTH = 8, 4096   # skewed iterations of the tiled space loop per tile
ACROSS = 8           # tiles across the space loop at least, so that a front has some per thread
_FORMS = ("range", "c-for", "c-for-var")


@dataclass(frozen=True)
class Statement:
    """One assignment of the nest: isl's name for it, its loops (the time loop first) and
    its place in each loop's body (the original order)."""

    name: str
    stmt: ir.Assign
    loops: tuple[ir.Loop, ...]
    position: tuple[int, ...]


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
        return replace(self, loop=loop, statements=_statements(loop))

    def describe(self) -> str:
        return (f"faster after time-tiling: each step reads what the one before wrote, all of it; in skewed "
                f"tiles of {self.shape}, a tile reuses from cache what it loads for {self.steps} steps, and "
                f"the tiles with the same sum of tile coordinates are independent, so each such front of "
                f"tiles runs in parallel")


def time_tiling(loop: ir.Loop, kernel: ir.Kernel, language: str, size: int, cache: int) -> TimeTiling | None:
    """The time-tiled form of the nest `loop` heads, if it is exact, legal, and the model
    expects it to gain: one step's arrays larger than `cache`, at `size` for unknown sizes."""
    statements = _statements(loop)
    if not statements or not _invariant(loop, statements) or not _own_arrays(statements, kernel):
        return None
    params = Params()
    try:
        model = _Model.of(statements, params, kernel, language)
    except NotAffine:
        return None
    sizes = _sizes(loop, statements, size, cache)
    if model is None or sizes is None:
        return None
    deps = model.dataflow()
    band = _band(model.domain, deps, len(statements[0].loops))
    if band is None or not _skewed_by_time(band, statements):
        return None
    steps, width = sizes
    schedule = _tiled(band, model, steps, width)
    if schedule is None or not _legal(schedule, deps):
        return None
    return TimeTiling(loop, statements, _band_words(band, statements[0]), steps, width, model.domain.to_str(),
                      schedule.to_str(), tuple(params.params.items()))


def _statements(loop: ir.Loop) -> tuple[Statement, ...] | None:
    """The assignments of the nest in order, if it is only loops around assignments, every
    assignment as deep as the others; else None."""
    out: list[Statement] = []

    def visit(lp: ir.Loop, loops: tuple[ir.Loop, ...], position: tuple[int, ...]) -> bool:
        if lp.form not in _FORMS or not (isinstance(lp.step, ir.Const) and lp.step.value == 1):
            return False
        loops = loops + (lp,)
        if all(isinstance(s, ir.Loop) for s in lp.body):
            return all(visit(s, loops, position + (k,)) for k, s in enumerate(lp.body))
        for k, s in enumerate(lp.body):
            if not (isinstance(s, ir.Assign) and isinstance(s.target, ir.Access) and not s.declares):
                return False
            out.append(Statement(f"S{len(out)}", s, loops, position + (k,)))
        return True
    if not visit(loop, (), ()) or not out or len({len(s.loops) for s in out}) != 1 or len(out[0].loops) < 2:
        return None
    if any(len({v.var for v in s.loops}) != len(s.loops) for s in out):
        return None   # a loop variable shadowed by an inner loop's
    return tuple(out)


def _invariant(loop: ir.Loop, statements: tuple[Statement, ...]) -> bool:
    """No call, no scalar assigned, no array subscripted by an array: only then are the
    bounds' and subscripts' names the same all through the nest, and the accesses exact."""
    own = {v.var for s in statements for v in s.loops}
    if assigned_names(loop.body) - own:
        return False
    written = {s.stmt.target.array for s in statements}
    for s in statements:
        bounds = [x for v in s.loops for x in (v.lower, v.upper)]
        for e in [s.stmt.target, s.stmt.value] + bounds:
            if any(isinstance(x, (ir.Call, ir.Comprehension, ir.OpaqueExpr, ir.Slice, ir.Ternary)) for x in subexprs(e)):
                return False
        if any(isinstance(x, ir.Access) and x.array in written for e in bounds for x in subexprs(e)):
            return False   # a bound the nest itself changes
        for acc in walk_exprs((s.stmt,)):
            if isinstance(acc, ir.Access) and any(isinstance(x, ir.Access) for i in acc.indices for x in subexprs(i)):
                return False
    return True


def _own_arrays(statements: tuple[Statement, ...], kernel: ir.Kernel) -> bool:
    """Is every array the nest touches a parameter the function never rebinds (two names
    of one array would be one array to the program and two to the model), and no C
    parameter unsigned (`n - 1` wraps around at 0, where the model's integers do not)?"""
    arrays = {a.array for s in statements for a, _ in _accesses(s.stmt)}
    counted = {x.id for s in statements for v in s.loops for e in (v.lower, v.upper) for x in subexprs(e)
               if isinstance(x, ir.Name)} | {x.id for s in statements for a, _ in _accesses(s.stmt)
                                             for i in a.indices for x in subexprs(i) if isinstance(x, ir.Name)}
    if any(word in p.ctype for p in kernel.params if p.name in counted for word in ("unsigned", "size_t")):
        return False
    return arrays <= {p.name for p in kernel.params} and not arrays & assigned_names(kernel.body)


def _sizes(loop: ir.Loop, statements: tuple[Statement, ...], size: int, cache: int) -> tuple[int, int] | None:
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
    arrays = len({a.array for s in statements for a, _ in _accesses(s.stmt)})
    step_bytes = ITEM * arrays
    for t in counts[1:]:
        step_bytes *= t
    if step_bytes <= cache or len(counts) > MAX_DEPTH:
        return None
    row = ITEM * arrays * (counts[-1] if len(counts) > 2 else 1)
    width = MAX_WIDTH
    while width > MIN_WIDTH and ((width + 2 * MAX_STEPS) * row > cache // 2 or width * ACROSS > counts[1]):
        width //= 2
    return max(MIN_STEPS, min(MAX_STEPS, width // 2)), width


@dataclass
class _Model:
    """The nest in isl: each statement's instances, order, reads and writes."""

    domain: isl.UnionSet
    order: isl.UnionMap
    reads: isl.UnionMap
    writes: isl.UnionMap
    positions: dict[str, int]   # statement -> its place in program order
    innermost: dict[str, int]   # statement -> how many loops it has

    @staticmethod
    def of(statements: tuple[Statement, ...], params: Params, kernel: ir.Kernel, language: str) -> _Model | None:
        parts: dict[str, list[str]] = {"domain": [], "order": [], "reads": [], "writes": []}
        for s in statements:
            names = {v.var: f"v{k}" for k, v in enumerate(s.loops)}
            tup = f"{s.name}[{', '.join(names.values())}]"
            bounds = [f"{affine(v.lower, names, params)} <= {names[v.var]} < {affine(v.upper, names, params)}"
                      for v in s.loops]
            where = " and ".join(bounds)
            parts["domain"].append(f"{tup} : {where}")
            order = [x for k, v in enumerate(s.loops) for x in (names[v.var], str(s.position[k]))]
            parts["order"].append(f"{tup} -> [{', '.join(order)}]")
            for acc, write in _accesses(s.stmt):
                subs = [affine(i, names, params) for i in acc.indices]
                if not _in_bounds(acc, subs, where, params, kernel, language):
                    return None
                parts["writes" if write else "reads"].append(f"{tup} -> {acc.array}[{', '.join(subs)}] : {where}")
        head = params.header()

        def union(key: str, kind):
            return kind(f"{head} -> {{ {'; '.join(parts[key])} }}") if parts[key] else kind(f"{head} -> {{ }}")
        domain = union("domain", isl.UnionSet)
        return _Model(domain, union("order", isl.UnionMap).intersect_domain(domain), union("reads", isl.UnionMap),
                      union("writes", isl.UnionMap), {s.name: k for k, s in enumerate(statements)},
                      {s.name: len(s.loops) for s in statements})

    def dataflow(self) -> isl.UnionMap:
        """Each read's last writer; each write's reads since the write before it, and that write."""
        def flow(sink, must, may=None):
            info = isl.UnionAccessInfo.from_sink(sink).set_must_source(must)
            if may is not None:
                info = info.set_may_source(may)
            return info.set_schedule_map(self.order).compute_flow()
        return flow(self.reads, self.writes).get_must_dependence().union(
            flow(self.writes, self.writes, self.reads).get_may_dependence())


def _accesses(stmt: ir.Assign):
    """(access, is a write) for every array element the assignment touches."""
    yield stmt.target, True
    if stmt.op is not None:
        yield stmt.target, False
    for x in subexprs(stmt.value):
        if isinstance(x, ir.Access):
            yield x, False


def _in_bounds(acc: ir.Access, subs: list[str], where: str, params: Params, kernel: ir.Kernel, language: str) -> bool:
    """Is every subscript at least 0 (Python: none wraps around) and, in C, below its
    declared extent past the first dimension (none runs into the next row)? Then two
    accesses touch the same element exactly when their subscripts are equal."""
    head = params.header()
    dims = next((p.dims for p in kernel.params if p.name == acc.array), ())
    for d, sub in enumerate(subs):
        if not isl.Set(f"{head} -> {{ [{_vars(where)}] : {where} and {sub} < 0 }}").is_empty():
            return False
        if language == "c" and d > 0 and dims:
            extent = dims[d] if d < len(dims) else None
            if extent is None:
                return False
            if not isl.Set(f"{head} -> {{ [{_vars(where)}] : {where} and {sub} >= "
                           f"{affine(extent, {}, params)} }}").is_empty():
                return False
    return True


def _vars(where: str) -> str:
    return ", ".join(sorted(set(re.findall(r"\bv\d+\b", where)), key=lambda v: int(v[1:])))


def _band(domain: isl.UnionSet, deps: isl.UnionMap, depth: int) -> isl.UnionMap | None:
    """The scheduler's outermost band, if it is permutable and has a member per loop."""
    constraints = isl.ScheduleConstraints.on_domain(domain).set_validity(deps).set_proximity(deps) \
        .set_coincidence(deps)
    node = constraints.compute_schedule().get_root().child(0)
    if node.get_type() != isl.schedule_node_type.band or not node.band_get_permutable() \
            or node.band_n_member() != depth:
        return None
    return isl.UnionMap.from_multi_union_pw_aff(node.band_get_partial_schedule()).intersect_domain(domain)


def _tiled(band: isl.UnionMap, model: _Model, steps: int, width: int) -> isl.UnionMap | None:
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
        mine = isl.UnionSet.from_set(_part(model.domain, name))
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


def _part(domain: isl.UnionSet, name: str) -> isl.Set:
    """The instances of statement `name`."""
    sets = domain.get_set_list()
    return next(x for x in (sets.get_at(k) for k in range(sets.n_set())) if x.get_tuple_name() == name)


def _legal(schedule: isl.UnionMap, deps: isl.UnionMap) -> bool:
    """Every dependence forward in the schedule, none between two tiles of one front."""
    pairs = deps.apply_domain(schedule).apply_range(schedule)
    if pairs.is_empty():
        return True
    dims = isl.Map.from_union_map(pairs).dim(isl.dim_type.in_)
    forward = isl.Map.lex_lt(isl.Space.set_alloc(pairs.get_ctx(), 0, dims))
    same_front_other_tile = isl.Map(f"{{ [{', '.join(f'a{k}' for k in range(dims))}] -> "
                                    f"[{', '.join(f'b{k}' for k in range(dims))}] : a0 = b0 and a1 != b1 }}")
    return pairs.is_subset(isl.UnionMap.from_map(forward)) and \
        pairs.intersect(isl.UnionMap.from_map(same_front_other_tile)).is_empty()


def _members(band: isl.UnionMap, name: str) -> list[tuple[list[int], int]]:
    """Statement `name`'s band members, each as (coefficient per loop, constant)."""
    one = isl.Map.from_union_map(band.intersect_domain(isl.UnionSet.from_set(_part(band.domain(), name))))
    out = []
    for k in range(one.dim(isl.dim_type.out)):
        pieces = isl.PwMultiAff.from_map(one).get_pw_aff(k).get_pieces()
        if len(pieces) != 1:
            return []
        aff = pieces[0][1]
        out.append(([aff.get_coefficient_val(isl.dim_type.in_, m).to_python() for m in range(one.dim(isl.dim_type.in_))],
                    aff.get_constant_val().to_python()))
    return out


def _skewed_by_time(band: isl.UnionMap, statements: tuple[Statement, ...]) -> bool:
    """Is every tiled member a loop skewed by time alone (`t`, `2*t + i`), in the loops'
    order? Then the tiles' points are whole rows, the new loops have unit steps, and
    the loops keep their names."""
    for s in statements:
        members = _members(band, s.name)
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
    members = _members(band, s.name)
    for coefficients, const in members[:tiled_members(len(members))]:
        terms = [v.var if c == 1 else f"{c}*{v.var}" for c, v in zip(coefficients, s.loops) if c]
        words.append(" + ".join(terms + ([str(const)] if const else [])) or "0")
    return tuple(words)
