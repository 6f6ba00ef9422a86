"""Fusion: sibling nests that share arrays, run as one nest.

`for i: for j: B[i, j] = f(A)` then `for i: for j: C[i, j] = g(A, B)`: each nest is
parallel, but when the arrays outgrow the cache the second streams again from memory what
the first had in cache a moment before. Fused, each row of `B` and `A` is read back while
it is still in cache, and the threads start once instead of once per nest.

isl's scheduler on the exact model of the nests together (polyhedral.py: the dataflow as
validity and coincidence; the dataflow and the elements both nests read as proximity)
proposes. Taken only in the plainest form: one permutable band holds every statement,
each member one of each statement's own loops with at most a constant shift (`C[i, j]`
reading `B[i, j + 1]` runs a column behind; in C none, measured slower), each statement
writes along its innermost member (unit stride), the parallel loop is no deeper than it
was in every nest as written, each start of it does work enough to pay for the threads,
and the arrays the nests share outgrow the cache (else the second nest finds them there
anyway). The final schedule is checked with isl on the exact dataflow: every dependence
forward, none across the parallel loop.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from paralift.ir import nodes as ir
from paralift.passes import cost
from paralift.passes import polyhedral as poly
from paralift.passes.effects import CallEnv
from paralift.passes.polyhedral import Model, Statement
from paralift.passes.reschedule import NewOrder, loop_order, user_names, with_positions


@dataclass(frozen=True)
class Fusion(NewOrder):
    """The sibling nests `loops` head, fused into one nest over `order`, its loop
    `order[parallel]` parallel."""

    loops: tuple[ir.Loop, ...]

    @property
    def loop(self) -> ir.Loop:
        return self.loops[0]

    def moved(self, loops: tuple[ir.Loop, ...]) -> Fusion:
        """The same fusion for the same text parsed again (an edit above it moved it)."""
        return replace(self, loops=loops, statements=poly.run_statements(loops))

    def describe(self) -> str:
        lines = ", ".join(str(x.span.line) for x in self.loops)
        names = ", ".join(f"`{x}`" for x in self.order)
        return (f"faster fused: the nests at lines {lines} share arrays larger than the cache; as one nest "
                f"over {names} (isl's scheduler, checked on the exact dataflow) each element is reused while "
                f"in cache, and the loop over `{self.order[self.parallel]}` runs in parallel")


def fusions(runs: list[tuple[ir.Loop, ...]], kernel: ir.Kernel, env: CallEnv, parallel_loops: set[int],
            size: int, cache: int) -> list[Fusion]:
    """The fusions of the runs of sibling nests (each run nests one after another in one
    block): from each run's first nest, as many of the next as fuse with it and pay, then
    again from the first nest that did not."""
    out = []
    for run in runs:
        group: list[ir.Loop] = [run[0]]
        found = None
        for nxt in run[1:]:
            more = fused(tuple(group) + (nxt,), kernel, env, parallel_loops, size, cache)
            if more is not None:
                group.append(nxt)
                found = more
                continue
            if found is not None:
                out.append(found)
            group, found = [nxt], None
        if found is not None:
            out.append(found)
    return out


def fused(loops: tuple[ir.Loop, ...], kernel: ir.Kernel, env: CallEnv, parallel_loops: set[int],
          size: int, cache: int) -> Fusion | None:
    """The nests `loops` head as one nest, if that keeps their parallelism and pays."""
    statements = poly.exact_run(loops, kernel, env)
    if not statements:
        return None
    depth = len(statements[0].loops)
    if any(len(s.loops) != depth for s in statements):
        return None   # one band of `depth` members holds every statement only where all are as deep
    model = Model.of(statements, kernel, env.language)
    if model is None:
        return None
    deps = model.dataflow()
    band = poly.scheduler_band(model.domain, deps, model.shared_reads())
    if band is None or poly.out_dims(band) != depth:
        return None   # not fused, or fused in part
    order = loop_order(band, statements, shifts=True)
    if order is None or env.language == "c" and _shifted(band, statements):
        return None
    schedule = with_positions(band, model)
    carried = poly.carried_at(schedule, deps)
    parallel = next((p for p, c in enumerate(carried[:depth]) if not c), None)
    if parallel is None or parallel > min(_parallel_at(s, parallel_loops) for s in statements):
        return None   # the fused nest would run less of its work in parallel than the nests did
    if not poly.legal(schedule, deps, parallel) or not cost.band_pays(order, parallel, size) or \
            not _outgrows(statements, size, cache):
        return None
    return Fusion(statements, tuple(v.var for v in order), user_names(band, statements), parallel,
                  model.domain.to_str(), schedule.to_str(), tuple(model.params.params.items()), loops=loops)


def _shifted(band, statements: tuple[Statement, ...]) -> bool:
    """Does some statement run shifted (a member with a constant)? In C, measured slower:
    fdtd-2d's two sweeps fused, a column apart, ran at 0.6x of as written (gcc -O3, 1 and
    2 threads), each vector load of `hz` overlapping the store just before it; aligned
    nests fused ran 1.7x faster."""
    return any(const for s in statements for _, const in poly.members(band, s.name))


def _parallel_at(s: Statement, parallel_loops: set[int]) -> int:
    """How deep the statement's outermost parallel loop is as written (its depth if none)."""
    return next((k for k, v in enumerate(s.loops) if id(v) in parallel_loops), len(s.loops))


def _outgrows(statements: tuple[Statement, ...], size: int, cache: int) -> bool:
    """Do the arrays two of the nests touch take more than the cache? Each is counted as
    large as the iterations of the first nest touching it (an element per iteration)."""
    touched: dict[str, set[int]] = {}
    first: dict[str, Statement] = {}
    for s in statements:
        for acc, _ in poly.accesses(s.stmt):
            touched.setdefault(acc.array, set()).add(s.nest)
            first.setdefault(acc.array, s)
    total = 0
    for array, nests in touched.items():
        if len(nests) > 1:
            n = _iterations(first[array], size)
            if n is None:
                return False
            total += n * cost.ITEM
    return total > cache


def _iterations(s: Statement, size: int) -> int | None:
    env: dict[str, int] = {}
    n = 1
    for v in s.loops:
        t = cost.trips(v, env, size)
        if t is None:
            return None
        n *= max(t, 0)
    return n
