"""A loop nest in isl, exactly: statements, their order, the dataflow between them, and
the checks a new order must pass. Time-tiling (timetile.py) and rescheduling
(reschedule.py) build on it.

Only exact nests are modelled: loops with affine bounds and step 1 around assignments to
array elements with affine subscripts; no scalar assigned inside, no call, no subscript
that can wrap (Python's `a[-1]`) or leave a declared dimension (C), every array a
parameter the function never rebinds. Then two accesses touch the same element exactly
when their subscripts are equal, and isl's `compute_flow` gives the exact dataflow: each
read's last writer, each write's reads since the write before it, and that write. Every
other memory dependence follows from those by transitivity, so a schedule that keeps
them keeps all, and a loop none of them crosses is parallel.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import islpy as isl

from paralift.ir import nodes as ir
from paralift.ir.walk import subexprs, walk_exprs, walk_stmts
from paralift.passes.affine import NotAffine, Params, affine
from paralift.passes.effects import CallEnv, call_kind
from paralift.passes.scalars import assigned_names

_FORMS = ("range", "c-for", "c-for-var")


@dataclass(frozen=True)
class Statement:
    """One assignment of the nest: isl's name for it, its loops (the time loop first), its
    place in each loop's body and its nest's place among sibling nests (the original
    order)."""

    name: str
    stmt: ir.Assign
    loops: tuple[ir.Loop, ...]
    position: tuple[int, ...]
    nest: int = 0


def statements(loop: ir.Loop) -> tuple[Statement, ...] | None:
    """The assignments of the nest in order, if it is only loops around assignments (a
    loop's body may hold both); else None."""
    out: list[Statement] = []

    def visit(lp: ir.Loop, loops: tuple[ir.Loop, ...], position: tuple[int, ...]) -> bool:
        if lp.form not in _FORMS or not (isinstance(lp.step, ir.Const) and lp.step.value == 1):
            return False
        loops = loops + (lp,)
        for k, s in enumerate(lp.body):
            if isinstance(s, ir.Loop):
                if not visit(s, loops, position + (k,)):
                    return False
            elif isinstance(s, ir.Assign) and isinstance(s.target, ir.Access) and not s.declares:
                out.append(Statement(f"S{len(out)}", s, loops, position + (k,)))
            else:
                return False
        return True
    if not visit(loop, (), ()) or not out:
        return None
    if any(len({v.var for v in s.loops}) != len(s.loops) for s in out):
        return None   # a loop variable shadowed by an inner loop's
    return tuple(out)


def exact(loop: ir.Loop, kernel: ir.Kernel, env: CallEnv) -> tuple[Statement, ...] | None:
    """The statements of the nest `loop` heads, if the nest is one this module models."""
    return exact_run((loop,), kernel, env)


def exact_run(loops: tuple[ir.Loop, ...], kernel: ir.Kernel, env: CallEnv) -> tuple[Statement, ...] | None:
    """The statements of the nests `loops` head, one after another in one block (nothing
    between them), if every one is a nest this module models."""
    out = run_statements(loops)
    if not out or not all(invariant(loop, out, env) for loop in loops) or not own_arrays(out, kernel):
        return None
    return out


def run_statements(loops: tuple[ir.Loop, ...]) -> tuple[Statement, ...] | None:
    """The statements of the nests `loops` head, numbered through, each with its nest."""
    found: list[Statement] = []
    for k, loop in enumerate(loops):
        mine = statements(loop)
        if not mine:
            return None
        found += [replace(s, name=f"S{len(found) + m}", nest=k) for m, s in enumerate(mine)]
    return tuple(found)


def invariant(loop: ir.Loop, statements: tuple[Statement, ...], env: CallEnv) -> bool:
    """No call but pure math on values (`np.sqrt(A[i, i])`), no scalar assigned, no array
    subscripted by an array, no loop variable read outside its loop (its value there is
    whatever the loop left): only then are the bounds' and subscripts' names the same all
    through the nest, and the accesses exact."""
    own = {v.var for s in statements for v in s.loops}
    if assigned_names(loop.body) - own:
        return False
    written = {s.stmt.target.array for s in statements}
    for s in statements:
        bounds = [x for v in s.loops for x in (v.lower, v.upper)]
        if any(isinstance(x, ir.Call) and (x.receiver is not None or call_kind(x, env) != "pure")
               for x in subexprs(s.stmt.value)):
            return False
        for e in [s.stmt.target] + bounds:
            if any(isinstance(x, ir.Call) for x in subexprs(e)):
                return False
        for e in [s.stmt.target, s.stmt.value] + bounds:
            if any(isinstance(x, (ir.Comprehension, ir.OpaqueExpr, ir.Slice, ir.Ternary)) for x in subexprs(e)):
                return False
        if any(isinstance(x, ir.Access) and x.array in written for e in bounds for x in subexprs(e)):
            return False   # a bound the nest itself changes
        for acc in walk_exprs((s.stmt,)):
            if isinstance(acc, ir.Access) and any(isinstance(x, ir.Access) for i in acc.indices for x in subexprs(i)):
                return False
        enclosing = {v.var for v in s.loops}
        if any(isinstance(x, ir.Name) and x.id in own - enclosing for e in [s.stmt.target, s.stmt.value] + bounds
               for x in subexprs(e)):
            return False
    return True


def own_arrays(statements: tuple[Statement, ...], kernel: ir.Kernel) -> bool:
    """Is every array the nest touches a parameter the function never rebinds (two names
    of one array would be one array to the program and two to the model), and no C
    parameter unsigned (`n - 1` wraps around at 0, where the model's integers do not)?"""
    arrays = {a.array for s in statements for a, _ in accesses(s.stmt)}
    counted = {x.id for s in statements for v in s.loops for e in (v.lower, v.upper) for x in subexprs(e)
               if isinstance(x, ir.Name)} | {x.id for s in statements for a, _ in accesses(s.stmt)
                                             for i in a.indices for x in subexprs(i) if isinstance(x, ir.Name)}
    if any(word in p.ctype for p in kernel.params if p.name in counted for word in ("unsigned", "size_t")):
        return False
    return arrays <= {p.name for p in kernel.params} and not arrays & assigned_names(kernel.body)


@dataclass
class Model:
    """The nest in isl: each statement's instances, order, reads and writes."""

    domain: isl.UnionSet
    order: isl.UnionMap
    reads: isl.UnionMap
    writes: isl.UnionMap
    positions: dict[str, int]   # statement -> its place in program order
    innermost: dict[str, int]   # statement -> how many loops it has
    params: Params              # isl's names for the parameters, and the source they stand for

    @staticmethod
    def of(statements: tuple[Statement, ...], kernel: ir.Kernel, language: str) -> Model | None:
        """The model, or None where a bound or subscript is not affine or not in bounds."""
        try:
            return Model._of(statements, Params(), kernel, language)
        except NotAffine:
            return None

    @staticmethod
    def _of(statements: tuple[Statement, ...], params: Params, kernel: ir.Kernel, language: str) -> Model | None:
        parts: dict[str, list[str]] = {"domain": [], "order": [], "reads": [], "writes": []}
        deepest = max(len(s.loops) for s in statements)
        known = _context(statements, kernel, params)
        # sibling nests: which one runs first (a single nest needs no such dimension: faster)
        several = int(len({s.nest for s in statements}) > 1)
        for s in statements:
            names = {v.var: f"v{k}" for k, v in enumerate(s.loops)}
            tup = f"{s.name}[{', '.join(names.values())}]"
            bounds = [f"{affine(v.lower, names, params)} <= {names[v.var]} < {affine(v.upper, names, params)}"
                      for v in s.loops]
            where = " and ".join(bounds)
            parts["domain"].append(f"{tup} : {where}")
            order = [str(s.nest)] * several + [x for k, v in enumerate(s.loops) for x in (names[v.var], str(s.position[k]))]
            order += ["0"] * (2 * (deepest - len(s.loops)))   # every statement's order as long
            parts["order"].append(f"{tup} -> [{', '.join(order)}]")
            for acc, write in accesses(s.stmt):
                subs = [affine(i, names, params) for i in acc.indices]
                if not _in_bounds(acc, subs, " and ".join([where] + known), params, kernel, language):
                    return None
                parts["writes" if write else "reads"].append(f"{tup} -> {acc.array}[{', '.join(subs)}] : {where}")
        head = params.header()

        def union(key: str, kind):
            return kind(f"{head} -> {{ {'; '.join(parts[key])} }}") if parts[key] else kind(f"{head} -> {{ }}")
        domain = union("domain", isl.UnionSet)
        return Model(domain, union("order", isl.UnionMap).intersect_domain(domain), union("reads", isl.UnionMap),
                      union("writes", isl.UnionMap), {s.name: k for k, s in enumerate(statements)},
                      {s.name: len(s.loops) for s in statements}, params)

    def shared_reads(self) -> isl.UnionMap:
        """Pairs of instances, the first before the second, that read one element: reuse
        no dependence asks for, which a schedule may still bring close."""
        pairs = self.reads.apply_range(self.reads.reverse())
        return pairs.intersect(self.order.lex_lt_union_map(self.order))

    def dataflow(self) -> isl.UnionMap:
        """Each read's last writer; each write's reads since the write before it, and that write."""
        def flow(sink, must, may=None):
            info = isl.UnionAccessInfo.from_sink(sink).set_must_source(must)
            if may is not None:
                info = info.set_may_source(may)
            return info.set_schedule_map(self.order).compute_flow()
        return flow(self.reads, self.writes).get_must_dependence().union(
            flow(self.writes, self.writes, self.reads).get_may_dependence())


def accesses(stmt: ir.Assign):
    """(access, is a write) for every array element the assignment touches."""
    yield stmt.target, True
    if stmt.op is not None:
        yield stmt.target, False
    for x in subexprs(stmt.value):
        if isinstance(x, ir.Access):
            yield x, False


def _context(statements: tuple[Statement, ...], kernel: ir.Kernel, params: Params) -> list[str]:
    """What the loops around the nest say of their variables it reads (`0 <= p < b` for `p`
    from `range(b)`, a parameter to the nest), where such a loop steps by 1 and its body
    assigns neither the variable nor a name in its bounds: only for proving subscripts in
    bounds (the schedule and the code hold for every value)."""
    def names(exprs) -> set[str]:
        return {x.id for e in exprs for x in subexprs(e) if isinstance(x, ir.Name)}
    used = names([x for s in statements for v in s.loops for x in (v.lower, v.upper)] +
                 [i for s in statements for a, _ in accesses(s.stmt) for i in a.indices])
    out = []
    for v in reversed(enclosing(kernel.body, statements[0].loops[0])):
        if v.var in used and v.form in _FORMS and isinstance(v.step, ir.Const) and v.step.value == 1 and \
                not ({v.var} | names([v.lower, v.upper])) & assigned_names(v.body):
            try:
                out.append(f"{affine(v.lower, {}, params)} <= {params.param(v.var)} < {affine(v.upper, {}, params)}")
            except NotAffine:
                continue
            used |= names([v.lower, v.upper])
    return out


def enclosing(body, loop: ir.Loop) -> tuple[ir.Loop, ...]:
    """The loops around `loop` in `body`, outermost first."""
    for s in body:
        if s is loop:
            return ()
        if isinstance(s, (ir.Loop, ir.If, ir.While)):
            for block in (s.body, getattr(s, "orelse", ())):
                if any(x is loop for x in walk_stmts(block)):
                    return ((s,) if isinstance(s, ir.Loop) else ()) + enclosing(block, loop)
    return ()


def _in_bounds(acc: ir.Access, subs: list[str], where: str, params: Params, kernel: ir.Kernel, language: str) -> bool:
    """Is every subscript at least 0 (Python: none wraps around) and, in C, below its
    declared extent past the first dimension (none runs into the next row)? Then two
    accesses touch the same element exactly when their subscripts are equal."""
    dims = next((p.dims for p in kernel.params if p.name == acc.array), ())
    for d, sub in enumerate(subs):
        if not isl.Set(f"{params.header()} -> {{ [{_vars(where)}] : {where} and {sub} < 0 }}").is_empty():
            return False
        if language == "c" and d > 0 and dims:
            extent = dims[d] if d < len(dims) else None
            if extent is None:
                return False
            bound = affine(extent, {}, params)   # may name a new parameter: the header after it
            if not isl.Set(f"{params.header()} -> {{ [{_vars(where)}] : {where} and {sub} >= {bound} }}").is_empty():
                return False
    return True


def _vars(where: str) -> str:
    return ", ".join(sorted(set(re.findall(r"\bv\d+\b", where)), key=lambda v: int(v[1:])))


def part(domain: isl.UnionSet, name: str) -> isl.Set:
    """The instances of statement `name`."""
    sets = domain.get_set_list()
    return next(x for x in (sets.get_at(k) for k in range(sets.n_set())) if x.get_tuple_name() == name)


def legal(schedule: isl.UnionMap, deps: isl.UnionMap, parallel: int = 1) -> bool:
    """Every dependence forward in the schedule, and none between two iterations of its
    dimension `parallel` (the dimensions before it equal): that loop runs in parallel."""
    pairs = deps.apply_domain(schedule).apply_range(schedule)
    if pairs.is_empty():
        return True
    dims = isl.Map.from_union_map(pairs).dim(isl.dim_type.in_)
    forward = isl.Map.lex_lt(isl.Space.set_alloc(pairs.get_ctx(), 0, dims))
    same = " and ".join([f"a{k} = b{k}" for k in range(parallel)] + [f"a{parallel} != b{parallel}"])
    across = isl.Map(f"{{ [{', '.join(f'a{k}' for k in range(dims))}] -> "
                     f"[{', '.join(f'b{k}' for k in range(dims))}] : {same} }}")
    return pairs.is_subset(isl.UnionMap.from_map(forward)) and \
        pairs.intersect(isl.UnionMap.from_map(across)).is_empty()


def carried_at(schedule: isl.UnionMap, deps: isl.UnionMap) -> list[bool]:
    """For each dimension of the schedule: does some dependence join two of its iterations
    (the dimensions before it equal)? The first that none does is a parallel loop."""
    pairs = deps.apply_domain(schedule).apply_range(schedule)
    dims = out_dims(schedule)
    out = []
    for p in range(dims):
        same = " and ".join([f"a{k} = b{k}" for k in range(p)] + [f"a{p} != b{p}"])
        across = isl.Map(f"{{ [{', '.join(f'a{k}' for k in range(dims))}] -> "
                         f"[{', '.join(f'b{k}' for k in range(dims))}] : {same} }}")
        out.append(not pairs.intersect(isl.UnionMap.from_map(across)).is_empty())
    return out


def scheduler_band(domain: isl.UnionSet, deps: isl.UnionMap, near: isl.UnionMap | None = None) -> isl.UnionMap | None:
    """The outermost band of the schedule isl's scheduler (Pluto's algorithm: the dataflow
    as validity, proximity and coincidence; `near`, more pairs to bring close) finds, if
    it is permutable: each statement -> its members."""
    proximity = deps if near is None else deps.union(near)
    constraints = isl.ScheduleConstraints.on_domain(domain).set_validity(deps).set_proximity(proximity) \
        .set_coincidence(deps)
    node = constraints.compute_schedule().get_root().child(0)
    if node.get_type() != isl.schedule_node_type.band or not node.band_get_permutable():
        return None
    return isl.UnionMap.from_multi_union_pw_aff(node.band_get_partial_schedule()).intersect_domain(domain)


def out_dims(schedule: isl.UnionMap) -> int:
    """How many dimensions a band or schedule has (every statement's map has as many)."""
    maps = schedule.get_map_list()
    return maps.get_at(0).dim(isl.dim_type.out) if maps.n_map() else 0


def members(band: isl.UnionMap, name: str) -> list[tuple[list[int], int]]:
    """Statement `name`'s band members, each as (coefficient per loop, constant)."""
    one = isl.Map.from_union_map(band.intersect_domain(isl.UnionSet.from_set(part(band.domain(), name))))
    out = []
    for k in range(one.dim(isl.dim_type.out)):
        pieces = isl.PwMultiAff.from_map(one).get_pw_aff(k).get_pieces()
        if len(pieces) != 1:
            return []
        aff = pieces[0][1]
        out.append(([aff.get_coefficient_val(isl.dim_type.in_, m).to_python() for m in range(one.dim(isl.dim_type.in_))],
                    aff.get_constant_val().to_python()))
    return out


