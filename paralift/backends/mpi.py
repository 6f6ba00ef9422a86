"""MPI backend (mpi4py): an SPMD version of each kernel, with the original signature.

Every rank calls the function with the same arguments. A parallel loop whose writes are
rows the loop index owns (`b[i + c, ...]`, the same `c` for every write of an array) is
block-distributed: each rank runs its share of iterations, then `Allgatherv` hands every
rank every row, so all ranks return the full result. Scalar reductions are combined with
`Allreduce`. Anything else runs on every rank as it was (redundant, still correct), and
the reason is reported. First cut of the issue: no halo exchange yet (stencils gather
whole rows each step), no array reductions, no MPI C.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from paralift.analysis import FileAnalysis
from paralift.backends.nests import Skip, outermost, source_text
from paralift.ir import nodes as ir
from paralift.ir import poly
from paralift.ir.walk import walk_stmts
from paralift.passes import updates
from paralift.passes.verdict import KernelVerdicts, LoopVerdict

_IDENTITY = {"+": "0", "*": "1", "or": "False", "and": "True"}  # max/min: the start value is one
_MPI_OPS = {"+": "MPI.SUM", "*": "MPI.PROD", "max": "MPI.MAX", "min": "MPI.MIN",
            "and": "MPI.LAND", "or": "MPI.LOR"}

HELPERS = '''

def _paralift_block(n, comm):
    """[lo, hi) of n iterations owned by this rank; earlier ranks take one more."""
    size, rank = comm.Get_size(), comm.Get_rank()
    n = max(n, 0)
    base, extra = divmod(n, size)
    lo = rank * base + min(rank, extra)
    return lo, lo + base + (1 if rank < extra else 0)


def _paralift_gather_rows(a, first, lo, hi, comm):
    """Every rank gets rows [first + lo_r, first + hi_r) of `a` from the rank r that owns them."""
    counts = comm.allgather(hi - lo)
    row = int(np.prod(a.shape[1:])) if a.ndim > 1 else 1
    flat = a.reshape(a.shape[0], -1) if a.ndim > 1 else a.reshape(-1, 1)
    mine = np.ascontiguousarray(flat[first + lo:first + hi])
    whole = np.empty((sum(counts), flat.shape[1]), dtype=a.dtype)
    comm.Allgatherv(mine, [whole, [c * row for c in counts]])
    flat[first:first + whole.shape[0]] = whole  # rank 0's block starts the range
'''


@dataclass(frozen=True)
class MpiLoopPlan:
    line: int
    col: int
    var: str
    trip: str            # the iteration count, as text
    start: str           # the first index, as text
    rows: tuple[tuple[str, int], ...]          # (array, offset of the owned row)
    reductions: tuple[tuple[str, str], ...]    # (op, scalar)


@dataclass(frozen=True)
class MpiKernelPlan:
    name: str
    loops: tuple[MpiLoopPlan, ...] = ()
    skipped: tuple[Skip, ...] = ()


@dataclass(frozen=True)
class MpiRewrite:
    source: str
    kernels: tuple[MpiKernelPlan, ...]
    changed: bool


def _owned_row(loop: ir.Loop, access: ir.Access) -> int | None:
    """The offset c if the access's first subscript is `var + c`."""
    if not access.indices:
        return None
    p = poly.from_expr(access.indices[0], lambda n: poly.sym(n), lambda a, d: None)
    if p is None or set(p) - {(), (loop.var,)} or p.get((loop.var,)) != 1:
        return None
    return p.get((), 0)


def _plan_loop(v: LoopVerdict, lines: list[str]) -> tuple[MpiLoopPlan | None, str]:
    if v.verdict == "sequential":
        return None, ""
    loop = v.loop
    if loop.form not in ("range",) or not (isinstance(loop.step, ir.Const) and loop.step.value == 1):
        return None, "only `range` loops with step 1 are distributed so far"
    if v.lastprivate or v.induction:
        return None, "a last value or an induction variable would have to travel between ranks"
    written: dict[str, set[int]] = {}
    scalars = {t for _, t in v.reductions}
    for s in walk_stmts(loop.body):
        if isinstance(s, ir.Assign):
            targets = s.target.elts if isinstance(s.target, ir.Tuple) else (s.target,)
            for t in targets:
                if isinstance(t, ir.Access):
                    c = _owned_row(loop, t)
                    if c is None:
                        return None, f"`{t.array}` is written at rows the loop index does not own"
                    written.setdefault(t.array, set()).add(c)
    for array, offsets in written.items():
        if len(offsets) != 1:
            return None, f"`{array}` is written at rows with different offsets"
        if array in scalars:
            return None, f"reduction into elements of `{array}` is not distributed yet"
    reds = tuple((op, t) for op, t in v.reductions if t not in written)
    if any(op not in _MPI_OPS for op, _ in reds):
        return None, "a reduction operator MPI does not provide"
    lo = source_text(lines, loop.lower)
    hi = source_text(lines, loop.upper)
    trip = f"({hi}) - ({lo})" if lo != "0" else hi
    return MpiLoopPlan(loop.span.line, loop.span.col, loop.var, trip, lo,
                       tuple(sorted((a, next(iter(o))) for a, o in written.items())), reds), ""


def plan_kernel(kv: KernelVerdicts, lines: list[str]) -> MpiKernelPlan:
    if "." in kv.kernel.name or kv.kernel.name.startswith("<"):
        return MpiKernelPlan(kv.kernel.name, skipped=(Skip(kv.kernel.span.line,
                             "methods, nested functions and module code are not distributed"),))
    chosen = outermost(kv, lambda v: _plan_loop(v, lines), lambda loop: False)
    return MpiKernelPlan(kv.kernel.name, tuple(chosen.plans), tuple(chosen.skipped))


def rewrite(fa: FileAnalysis, source: str, functions: set[str] | None = None) -> MpiRewrite:
    lines = source.splitlines()
    plans = tuple(plan_kernel(kv, lines) for kv in fa.kernels
                  if functions is None or kv.kernel.name in functions)
    active = {(lp.line, lp.col): lp for p in plans for lp in p.loops}
    if not active:
        return MpiRewrite(source, plans, False)
    wrapper = MetadataWrapper(cst.parse_module(source))
    new = wrapper.visit(_Editor(active))
    code = _with_imports(new.code)
    return MpiRewrite(code, plans, True)


class _Editor(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, loops):
        super().__init__()
        self.loops = loops
        self.count = 0

    def leave_For(self, original, updated):
        r = self.get_metadata(PositionProvider, original)
        plan = self.loops.get((r.start.line, r.start.column))
        if plan is None:
            return updated
        self.count += 1
        lo, hi = f"_lo{self.count}", f"_hi{self.count}"
        t = f"_t{self.count}"
        before = [f"{lo}, {hi} = _paralift_block({plan.trip}, MPI.COMM_WORLD)"]
        for op, name in plan.reductions:  # the start value counts once: other ranks start empty
            if op in _IDENTITY:
                before.append(f"if MPI.COMM_WORLD.Get_rank() != 0:\n    {name} = {_IDENTITY[op]}")
        counter = plan.var if plan.start == "0" else t  # from 0: the user's own variable counts
        head = cst.parse_statement(f"for {counter} in range({lo}, {hi}):\n    pass\n")
        recover = [] if plan.start == "0" else [cst.parse_statement(f"{plan.var} = {plan.start} + {t}\n")]
        body = updated.body
        if isinstance(body, cst.IndentedBlock):
            body = body.with_changes(body=recover + list(body.body))
        else:
            body = cst.IndentedBlock(body=recover + [cst.SimpleStatementLine(body=list(body.body))])
        loop = updated.with_changes(target=head.target, iter=head.iter, body=body)
        after = []
        for array, offset in plan.rows:
            first = " + ".join(x for x in (plan.start if plan.start != "0" else "", str(offset) if offset else "")
                               if x) or "0"
            after.append(f"_paralift_gather_rows({array}, {first}, {lo}, {hi}, MPI.COMM_WORLD)")
        for op, name in plan.reductions:
            after.append(f"{name} = MPI.COMM_WORLD.allreduce({name}, op={_MPI_OPS[op]})")
        stmts = [cst.parse_statement(s + "\n") for s in before]
        stmts[0] = stmts[0].with_changes(leading_lines=updated.leading_lines)
        loop = loop.with_changes(leading_lines=[])
        return cst.FlattenSentinel(stmts + [loop] + [cst.parse_statement(s + "\n") for s in after])


def _with_imports(code: str) -> str:
    """`from mpi4py import MPI`, numpy and the helpers, after the module's own imports."""
    lines = code.splitlines(keepends=True)
    at = 0
    for k, line in enumerate(lines):
        if re.match(r"(import |from \S+ import )", line) or (k == at and (line.startswith(('"""', "'''"))
                                                                              or not line.strip())):
            at = k + 1
        elif line.strip():
            break
    header = "from mpi4py import MPI\nimport numpy as np\n" + HELPERS + "\n"
    return "".join(lines[:at]) + header + "".join(lines[at:])
