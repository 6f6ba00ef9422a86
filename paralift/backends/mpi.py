"""MPI backend (mpi4py): an SPMD version of each kernel, with the original signature.

Every rank calls the function with the same arguments. A parallel loop whose writes are
rows the loop index owns (`b[i + c, ...]`, the same `c` for every write of an array) is
block-distributed: each rank runs its share of iterations, then `Allgatherv` hands every
rank every row, so all ranks return the full result. Scalar reductions are combined with
`Allreduce`. Anything else runs on every rank as it was (redundant, still correct), and
the reason is reported.

Time-stepped stencils (a sequential loop whose body is only distributed loops over the
same range) keep each rank's block between steps: before a sweep, each rank receives
just the rows next to its block that it reads (`Sendrecv` with the ranks that own them,
`_paralift_halo`), and the whole arrays are gathered once, after the last step. Both
helpers count the bytes they hand to MPI in `_PARALIFT_SENT`, which the benchmarks read.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import MetadataWrapper

from paralift.analysis import FileAnalysis
from paralift.backends.contract import Rewrite
from paralift.backends.nests import Skip, last_values_unsupported, row_offset, rows_read, insert_header, one_element, outermost, reads_besides_updates, source_text
from paralift.backends.pyedit import PlanEditor, jit_names, without_jit
from paralift.backends.steps import Induction, array_reductions, inductions, scalar_reductions, site, times
from paralift.files import source_lines
from paralift.ir import nodes as ir
from paralift.ir import poly
from paralift.ir.walk import walk_stmts
from paralift.passes.verdict import KernelVerdicts, LoopVerdict

_IDENTITY = {"+": "0", "*": "1", "or": "False", "and": "True"}  # max/min: the start value is one
_MPI_OPS = {"+": "MPI.SUM", "*": "MPI.PROD", "max": "MPI.MAX", "min": "MPI.MIN",
            "and": "MPI.LAND", "or": "MPI.LOR"}

HELPERS = '''
_PARALIFT_SENT = {"halo": 0, "gather": 0}  # bytes this rank handed to MPI, by kind


def _paralift_block(n, comm):
    """[lo, hi) of n iterations owned by this rank; earlier ranks take one more."""
    size, rank = comm.Get_size(), comm.Get_rank()
    n = max(n, 0)
    base, extra = divmod(n, size)
    lo = rank * base + min(rank, extra)
    return lo, lo + base + (1 if rank < extra else 0)


def _paralift_gather_rows(a, first, lo, hi, comm, step=1):
    """Every rank gets rows first + step * [lo_r, hi_r) of `a` from the rank r that owns them."""
    counts = comm.allgather(hi - lo)
    row = int(np.prod(a.shape[1:])) if a.ndim > 1 else 1
    flat = a.reshape(a.shape[0], row)  # explicit: -1 cannot be inferred for an empty array
    mine = np.ascontiguousarray(flat[np.arange(first + step * lo, first + step * hi, step)])  # wraps as Python
    whole = np.empty((sum(counts), flat.shape[1]), dtype=a.dtype)
    comm.Allgatherv(mine, [whole, [c * row for c in counts]])
    flat[np.arange(first, first + step * whole.shape[0], step)] = whole  # rank 0's block starts the range
    if not np.shares_memory(flat, a):  # `a` was not contiguous: reshape made a copy
        a[...] = flat.reshape(a.shape)
    _PARALIFT_SENT["gather"] += mine.nbytes * (comm.Get_size() - 1)


def _paralift_merge(a, before, comm):
    """Every rank gets the elements any rank wrote. The iterations of a parallel loop write
    disjoint elements, so XOR-ing every rank's changed bits into the old ones is exact."""
    old = before.reshape(-1).view(np.uint8)
    diff = np.bitwise_xor(np.ascontiguousarray(a).reshape(-1).view(np.uint8), old)
    comm.Allreduce(MPI.IN_PLACE, diff, op=MPI.BXOR)
    a[...] = np.bitwise_xor(old, diff).view(a.dtype).reshape(a.shape)
    _PARALIFT_SENT["gather"] += diff.nbytes


def _paralift_last(value, n, comm):
    """The value the last of n iterations left, from the rank that ran it (earlier ranks
    take the larger blocks, so it is the last rank with any)."""
    owner = min(comm.Get_size(), n) - 1
    return comm.bcast(value() if comm.Get_rank() == owner else None, root=owner)


def _paralift_halo(a, first, n, below, above, comm):
    """Rows within `below` before and `above` after this rank's block of rows
    [first + lo, first + hi) come from the ranks that own them (`Sendrecv`, by distance)."""
    size, rank = comm.Get_size(), comm.Get_rank()
    flat = a.reshape(a.shape[0], int(np.prod(a.shape[1:])) if a.ndim > 1 else 1)
    n = max(n, 0)
    base, extra = divmod(n, size)
    owned = [(first + r * base + min(r, extra), first + r * base + min(r, extra) + base + (r < extra))
             for r in range(size)]

    def part(src, dst):  # the rows of src's block that dst reads, as (start, stop) ranges
        lo, hi = owned[dst]
        if hi <= lo or not 0 <= src < size:
            return []
        want = [(lo - below, lo), (hi, hi + above)]
        return [(max(a0, owned[src][0]), min(b0, owned[src][1])) for a0, b0 in want
                if max(a0, owned[src][0]) < min(b0, owned[src][1])]

    for k in range(1, size):
        if not any(part(r, r + k) or part(r + k, r) for r in range(size - k)):
            continue  # the same answer on every rank: no traffic at this distance
        for dest, src in ((rank + k, rank - k), (rank - k, rank + k)):
            send = part(rank, dest) if 0 <= dest < size else []
            recv = part(src, rank) if 0 <= src < size else []
            out = np.ascontiguousarray(np.concatenate([flat[x:y] for x, y in send] or [flat[:0]]))
            into = np.empty((sum(y - x for x, y in recv), flat.shape[1]), dtype=a.dtype)
            comm.Sendrecv(out, dest if 0 <= dest < size else MPI.PROC_NULL,
                          recvbuf=into, source=src if 0 <= src < size else MPI.PROC_NULL)
            at = 0
            for x, y in recv:
                flat[x:y] = into[at:at + y - x]
                at += y - x
            _PARALIFT_SENT["halo"] += out.nbytes
    if flat.size and not np.shares_memory(flat, a):  # `a` was not contiguous: reshape made a copy
        a[...] = flat.reshape(a.shape)
'''


@dataclass(frozen=True)
class MpiLoopPlan:
    loop: ir.Loop = field(repr=False, compare=False)  # the loop it distributes
    var: str = ""
    trip: str = ""       # the iteration count, as text
    start: str = ""      # the first index, as text
    rows: tuple[tuple[str, object], ...] = ()  # (array, offset of the owned row, or (induction, offset))
    reductions: tuple[tuple[str, str], ...] = ()  # (op, scalar)
    halo: tuple[tuple[str, int, int, int], ...] = ()  # (array, owned-row offset, rows below, rows above)
    gather: bool = True                        # gather after the loop (not inside a time loop)
    array_reductions: tuple[tuple[str, str], ...] = ()  # (op, array): Allreduce of the whole array
    inductions: tuple[Induction, ...] = ()        # `k = k_start + step * t` per iteration
    lasts: tuple[str, ...] = ()                   # values the last iteration leaves: from its rank
    step: int = 1                                 # the loop's step: owned rows are this far apart
    merged: tuple[str, ...] = ()                  # arrays written elsewhere: each rank's changes merged
    element_reductions: tuple[tuple[str, str], ...] = ()  # (op, `x[i]`): one element, like a scalar
    elements: tuple[str, ...] = ()                # `v = a[i]` of an enumerate loop, first in the body


@dataclass(frozen=True)
class MpiStepPlan:
    """A time loop whose sweeps exchange halos: the arrays are gathered once, after it."""
    loop: ir.Loop = field(repr=False, compare=False)
    trip: str
    start: str
    rows: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class MpiKernelPlan:
    name: str
    loops: tuple[MpiLoopPlan, ...] = ()
    skipped: tuple[Skip, ...] = ()
    steps: tuple[MpiStepPlan, ...] = ()


def _calls(kernel: ir.Kernel, name: str) -> bool:
    from paralift.ir.walk import walk_exprs
    return any(isinstance(x, ir.Call) and x.func == name for x in walk_exprs(kernel.body))


def _python_text(lines):
    return lambda e: source_text(lines, e)


def _induction_row(access: ir.Access, inductions: dict[str, int]):
    """(k, c) if the first subscript is `k + c` for an induction variable k stepping by 1:
    iteration t writes row k_start + t + c, so rows still follow the iterations."""
    if not access.indices:
        return None
    p = poly.from_expr(access.indices[0], lambda n: poly.sym(n), lambda a, d: None)
    if p is None:
        return None
    names = [m[0] for m in p if len(m) == 1]
    if len(names) != 1 or set(p) - {(), (names[0],)} or p[(names[0],)] != 1 or inductions.get(names[0]) != 1:
        return None
    return (names[0], p.get((), 0))


def _plan_loop(v: LoopVerdict, lines: list[str]) -> tuple[MpiLoopPlan | None, str]:
    if v.verdict == "sequential":
        return None, ""
    loop = v.loop
    enumerate_ = loop.form == "enumerate" and isinstance(loop.lower, ir.Const) and loop.lower.value == 0
    if not enumerate_ and (loop.form != "range" or not (isinstance(loop.step, ir.Const)
                                                        and type(loop.step.value) is int and loop.step.value > 0)):
        return None, "only `range` loops with a positive constant step, and `enumerate`, are distributed"
    step = loop.step.value
    why = last_values_unsupported(v)
    if why:
        return None, why
    arrays, elements = _array_reductions(v, lines)
    for _, t in arrays:  # other ranks start the array from the identity: nothing else may read it
        if reads_besides_updates(loop, t):
            return None, f"`{t}` is read besides its reduction updates, so ranks cannot start it empty"
    scalars = {t for _, t in scalar_reductions(v)}
    written = _rows_written(v, {a for _, a in arrays} | {e.split("[")[0] for _, e in elements})
    # arrays not written at owned rows are merged: the iterations of a parallel loop write
    # disjoint elements, so each rank's changes combine exactly (`_paralift_merge`)
    merged = tuple(sorted(a for a, offsets in written.items() if len(offsets) != 1 or None in offsets))
    private = set(v.private) & set(written)
    if private:
        return None, f"the scratch array `{sorted(private)[0]}` is written by every rank"
    written = {a: o for a, o in written.items() if a not in merged}
    reds = tuple((op, t) for op, t in v.reductions if t in scalars)
    if any(op not in _MPI_OPS for op, _ in reds + arrays + elements):
        return None, "a reduction operator MPI does not provide"
    from paralift.ir.printer import expr as show  # enumerate's bound and elements are made up
    lo = source_text(lines, loop.lower)
    hi = show(loop.upper) if enumerate_ else source_text(lines, loop.upper)
    elements_of_loop = tuple(f"{st.target.id} = {show(st.value)}" for st in loop.body[:len(loop.binds)]) \
        if enumerate_ else ()
    trip = f"len(range({lo}, {hi}, {step}))" if step != 1 else f"({hi}) - ({lo})" if lo != "0" else hi
    if step != 1 and any(not isinstance(o, int) for os in written.values() for o in os):
        return None, "rows chosen by an induction variable in a loop with a step are not distributed"
    return MpiLoopPlan(loop, loop.var, trip, lo,
                       tuple(sorted((a, next(iter(o))) for a, o in written.items())), reds,
                       array_reductions=arrays, inductions=inductions(v),
                       lasts=tuple(v.lastprivate), step=step, merged=merged, element_reductions=elements,
                       elements=elements_of_loop), ""


def _array_reductions(v: LoopVerdict, lines: list[str]):
    """Reductions into arrays: whole arrays, and single elements (`x[i] -= ...` over j)."""
    arrays = array_reductions(v)
    elements = tuple((op, e) for op, t in arrays
                     if (e := one_element(v.loop, t, _python_text(lines), python=True)) is not None)
    return tuple((op, t) for op, t in arrays if t not in {e.split("[")[0] for _, e in elements}), elements


def _rows_written(v: LoopVerdict, reduced: set[str]) -> dict[str, set]:
    """Per array the loop writes (not reduced): its row offsets from the loop's index (or an
    induction variable's), None where the row is neither."""
    written: dict[str, set] = {}
    for s in walk_stmts(v.loop.body):
        if isinstance(s, ir.Assign):
            targets = s.target.elts if isinstance(s.target, ir.Tuple) else (s.target,)
            for t in targets:
                if isinstance(t, ir.Access) and t.array not in reduced:
                    c = row_offset(v.loop, t)
                    if c is None:
                        c = _induction_row(t, dict(v.induction))
                    written.setdefault(t.array, set()).add(c)
    return written


def plan_kernel(kv: KernelVerdicts, lines: list[str], halo: bool = True) -> MpiKernelPlan:
    if "." in kv.kernel.name or kv.kernel.name.startswith("<"):
        return MpiKernelPlan(kv.kernel.name, skipped=(Skip(kv.kernel.span.line,
                             "methods, nested functions and module code are not distributed"),))
    if _calls(kv.kernel, "_paralift_block"):
        return MpiKernelPlan(kv.kernel.name, skipped=(Skip(kv.kernel.span.line, "already distributed"),))
    chosen = outermost(kv, lambda v: _plan_loop(v, lines), lambda loop: False)
    loops = {id(lp.loop): lp for lp in chosen.plans}
    steps = []
    for s in walk_stmts(kv.kernel.body):
        if halo and isinstance(s, ir.Loop):
            step = _time_loop(s, loops)
            if step is not None:
                steps.append(step)
    return MpiKernelPlan(kv.kernel.name, tuple(loops.values()), tuple(chosen.skipped), tuple(steps))


def _time_loop(loop: ir.Loop, plans: dict) -> MpiStepPlan | None:
    """A sequential loop whose body is only distributed sweeps over one range, reading
    the arrays they write at `var + c` rows: its sweeps exchange halos instead of
    gathering (the plans in `plans` are updated), and it gathers once after the loop."""
    sweeps = [(s, plans.get(id(s))) for s in loop.body]
    if len(sweeps) < 1 or any(not isinstance(s, ir.Loop) or p is None or p.reductions or p.array_reductions
                              for s, p in sweeps):
        return None
    if len({(p.trip, p.start) for _, p in sweeps}) != 1:
        return None
    owner: dict[str, int] = {}
    if any(p.inductions or p.lasts or p.step != 1 or p.merged or p.element_reductions for _, p in sweeps):
        return None
    for _, p in sweeps:
        for array, offset in p.rows:
            if owner.setdefault(array, offset) != offset:
                return None
    halos = {}
    for sweep, p in sweeps:
        need = rows_read(sweep, owner)
        if need is None:
            return None  # a read no halo describes
        halos[id(sweep)] = tuple((a, owner[a], max(0, -min(ds)), max(0, max(ds)))
                                       for a, ds in sorted(need.items()) if min(ds) < 0 or max(ds) > 0)
    start = sweeps[0][1].start
    if not start.isdigit() or any(int(start) + off - below < 0 or int(start) + off < 0
                                  for h in halos.values() for _, off, below, _ in h) \
            or any(int(start) + off < 0 for off in owner.values()):
        return None  # rows before 0 would wrap around (Python indexing): keep the plain gathers
    for sweep, p in sweeps:
        plans[id(sweep)] = replace(p, halo=halos[id(sweep)], gather=False)
    first = sweeps[0][1]
    return MpiStepPlan(loop, first.trip, first.start, tuple(sorted(owner.items())))


def rewrite(fa: FileAnalysis, source: str, functions: set[str] | None = None, halo: bool = True) -> Rewrite:
    """`halo=False` gathers whole arrays after every sweep (kept for comparison)."""
    lines = source_lines(source)
    plans = tuple(plan_kernel(kv, lines, halo) for kv in fa.kernels
                  if functions is None or kv.kernel.name in functions)
    active = [lp for p in plans for lp in p.loops]
    if not active:
        return Rewrite(source, plans, False)
    steps = [st for p in plans for st in p.steps]
    wrapper = MetadataWrapper(cst.parse_module(source))
    names = {p.name.rsplit(".", 1)[-1] for p in plans if p.loops}
    new = wrapper.visit(_Editor(active + steps, names, jit_names(fa.module.imports if fa.module else ())))
    code = _with_imports(new.code)
    return Rewrite(code, plans, True)


class _Editor(PlanEditor):
    """Each distributed loop is numbered: its block bounds and saved values are `_lo1`, ...
    The respelled induction updates of a loop are known once its number is."""
    def __init__(self, plans, functions: set[str] = frozenset(), jit: set[str] = frozenset()):
        super().__init__(plans)
        self.count = 0
        self.functions, self.jit = functions, jit  # distributed functions are plain Python

    def leave_FunctionDef(self, original, updated):
        return without_jit(updated, self.jit) if original.name.value in self.functions else updated

    def visit_For(self, original):
        plan = self.plan_of(original)
        if isinstance(plan, MpiLoopPlan) and plan.inductions:
            self.count += 1  # numbered here: the body's statements need the names first
            self.pending = self.count
            counter = plan.var if plan.start == "0" else f"_t{self.count}"
            for ind in self._started(plan, self.count):
                self.respell.update((site(st.span), ind.respelled(counter)) for st in ind.updates)
        return True

    @staticmethod
    def _started(plan: MpiLoopPlan, number: int) -> list[Induction]:
        return [ind.started(f"{ind.name}_start{number}") for ind in plan.inductions]

    def leave_For(self, original, updated):
        plan = self.plan_of(original)
        if isinstance(plan, MpiStepPlan):
            return self._after_steps(plan, updated)
        if plan is None:
            return updated
        if plan.inductions:
            number = self.pending
        else:
            self.count += 1
            number = self.count
        lo, hi = f"_lo{number}", f"_hi{number}"
        t = f"_t{number}"
        before = [f"{lo}, {hi} = _paralift_block({plan.trip}, MPI.COMM_WORLD)"]
        started = self._started(plan, number)
        before += [f"{ind.start} = {ind.name}" for ind in started]
        before += [f"_before_{a}{number} = np.array({a}, copy=True)" for a in plan.merged]
        for array, offset, below, above in plan.halo:
            before.append(f"_paralift_halo({array}, {_first(plan.start, offset)}, {plan.trip}, {below}, {above}, "
                          "MPI.COMM_WORLD)")
        for op, name in plan.reductions + plan.element_reductions:  # the start value counts once
            if op in _IDENTITY:
                before.append(f"if MPI.COMM_WORLD.Get_rank() != 0:\n    {name} = {_IDENTITY[op]}")
        for op, name in plan.array_reductions:  # the same, element by element
            if op in _IDENTITY:
                before.append(f"if MPI.COMM_WORLD.Get_rank() != 0:\n    {name}[...] = {_IDENTITY[op]}")
        counter = plan.var if plan.start == "0" and plan.step == 1 else t  # the user's variable counts from 0
        head = cst.parse_statement(f"for {counter} in range({lo}, {hi}):\n    pass\n")
        recover = [] if counter == plan.var else [
            cst.parse_statement(f"{plan.var} = {plan.start} + {times(plan.step, t)}\n")]
        recover += [cst.parse_statement(f"{ind.name} = {ind.value(counter)}\n") for ind in started]
        recover += [cst.parse_statement(e + "\n") for e in plan.elements]
        body = updated.body
        if isinstance(body, cst.IndentedBlock):
            body = body.with_changes(body=recover + list(body.body))
        else:
            body = cst.IndentedBlock(body=recover + [cst.SimpleStatementLine(body=list(body.body))])
        loop = updated.with_changes(target=head.target, iter=head.iter, body=body)
        after = []
        for array, offset in plan.rows if plan.gather else ():
            first = _first(plan.start, offset) if isinstance(offset, int) else \
                _first(f"{offset[0]}_start{number}", offset[1])
            stride = f", {plan.step}" if plan.step != 1 else ""
            after.append(f"_paralift_gather_rows({array}, {first}, {lo}, {hi}, MPI.COMM_WORLD{stride})")
        after += [f"_paralift_merge({a}, _before_{a}{number}, MPI.COMM_WORLD)" for a in plan.merged]
        for op, name in plan.reductions + plan.element_reductions:
            after.append(f"{name} = MPI.COMM_WORLD.allreduce({name}, op={_MPI_OPS[op]})")
        for op, name in plan.array_reductions:
            after.append(f"MPI.COMM_WORLD.Allreduce(MPI.IN_PLACE, {name}, op={_MPI_OPS[op]})")
        after += [f"{ind.name} = {ind.value(f'({plan.trip})')}" for ind in started]
        after += [f"if ({plan.trip}) > 0:\n    {name} = _paralift_last(lambda: {name}, {plan.trip}, MPI.COMM_WORLD)"
                  for name in plan.lasts]
        stmts = [cst.parse_statement(s + "\n") for s in before]
        stmts[0] = stmts[0].with_changes(leading_lines=updated.leading_lines)
        loop = loop.with_changes(leading_lines=[])
        return cst.FlattenSentinel(stmts + [loop] + [cst.parse_statement(s + "\n") for s in after])


    def _after_steps(self, step: MpiStepPlan, updated):
        """The blocks stayed with their ranks through the steps: gather them once."""
        self.count += 1
        lo, hi = f"_lo{self.count}", f"_hi{self.count}"
        after = [f"{lo}, {hi} = _paralift_block({step.trip}, MPI.COMM_WORLD)"]
        after += [f"_paralift_gather_rows({a}, {_first(step.start, off)}, {lo}, {hi}, MPI.COMM_WORLD)"
                  for a, off in step.rows]
        return cst.FlattenSentinel([updated] + [cst.parse_statement(x + "\n") for x in after])


def _first(start: str, offset: int) -> str:
    return " + ".join(x for x in (start if start != "0" else "", str(offset) if offset else "") if x) or "0"


def _with_imports(code: str) -> str:
    return insert_header(code, "from mpi4py import MPI\nimport numpy as np\n" + HELPERS)
