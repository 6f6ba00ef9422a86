"""CUDA backend for Python (`numba.cuda`): a kernel per parallel loop nest, launched by the
original function.

Up to three perfectly nested loops that may all run in parallel become the grid's
dimensions (the innermost on `x`, so neighbouring threads touch neighbouring elements);
every thread checks its own bounds. What is inside runs in the thread as it was, inner
sequential loops included. Reductions become atomics: a scalar into a one-element device
array that starts at the scalar's value, an array element in place.

The host function keeps its signature. When its arrays are only touched by the kernels
(and by `len` or `.shape`), it copies them to the device once, on entry, and back once,
on exit (arrays that are already on the device are used as they are); otherwise each
launch moves the arrays it uses. Launch configuration comes from the problem size and
`PARALIFT_CUDA_BLOCK`, the threads per block.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper

from paralift.analysis import FileAnalysis
from paralift.backends.contract import Refuse, Rewrite
from paralift.backends.pyedit import PlanEditor, jit_names, without_jit
from paralift.backends.steps import Induction, Site, inductions, site, times
from paralift.backends.nests import Names as _Names, Skip, insert_header, \
    last_values_unsupported, outermost, perfect_nest, source_text, subtracts as _subtracts
from paralift.files import source_lines
from paralift.ir import nodes as ir
from paralift.ir.walk import accessed as _accessed, stmt_exprs, subexprs, walk_stmts, written_arrays
from paralift.passes import updates
from paralift.passes.effects import resolve
from paralift.passes.scalars import assigned_names
from paralift.passes.verdict import KernelVerdicts, LoopVerdict

ATOMIC = {"+": "add", "max": "max", "min": "min"}
DEVICE_CALLS = {"abs", "min", "max", "int", "float", "bool", "len", "round"}
# NumPy's math ufuncs on scalars compile for the device (the PTX check holds us to it)
DEVICE_NUMPY = {"sqrt", "exp", "log", "log2", "log10", "sin", "cos", "tan", "arcsin", "arccos", "arctan",
                "arctan2", "sinh", "cosh", "tanh", "floor", "ceil", "fabs", "absolute", "power", "hypot",
                "minimum", "maximum", "expm1", "log1p", "trunc"}
HELPERS = '''

PARALIFT_CUDA_BLOCK = 256  # threads per block


def _paralift_block_shape(dims, threads):
    """A block of `threads` threads in `dims` dimensions, widest along x."""
    x = max(1, min(32, threads // 2 ** (dims - 1)))
    if dims == 1:
        return (threads,)
    rest = max(1, threads // x)
    if dims == 2:
        return (x, rest)
    y = max(1, int(rest ** 0.5))
    return (x, y, max(1, rest // y))


def _paralift_launch(kernel, ranges, *args):
    """Launch `kernel` over the iteration ranges [(lo, hi) or (lo, hi, step), ...], outermost
    first; the kernel gets `args`, then each range's first index and trip count."""
    trips = [len(range(*r)) for r in ranges]
    if min(trips) == 0:
        return
    block = _paralift_block_shape(len(trips), PARALIFT_CUDA_BLOCK)
    extents = trips[::-1]  # the innermost loop runs along x
    grid = tuple((e + b - 1) // b for e, b in zip(extents, block))
    kernel[grid, block](*args, *[v for r, n in zip(ranges, trips) for v in (r[0], n)])


def _paralift_device(a):
    """`a` on the device: copied there once, unless it is already a device array."""
    return a if hasattr(a, "copy_to_host") else cuda.to_device(a)


def _paralift_copy_back(hosts, devices):
    for h, d in zip(hosts, devices):
        if d is not h:
            d.copy_to_host(h)


def _paralift_accumulator(value, *dtypes):
    """A one-element device array holding `value`, in the type the reduction computes in."""
    return cuda.to_device(numpy.array([value], dtype=numpy.result_type(value, *dtypes)))


def _paralift_result(acc):
    return acc.copy_to_host()[0].item()


def _paralift_same_extent(a, b, axis):
    """A row statement runs element by element: NumPy would have broadcast a shorter row."""
    if a.shape[axis] != b.shape[axis]:
        raise ValueError(f"rows of different lengths ({a.shape[axis]} and {b.shape[axis]}): "
                         "the CUDA version does not broadcast")


def _paralift_terms(n, *dtypes):
    """One slot per iteration, for a reduction CUDA has no atomic for."""
    return cuda.device_array(max(n, 1), dtype=numpy.result_type(*dtypes))


def _paralift_fold(op, terms, value, n):
    """Combine the n iterations' terms in iteration order, exactly as the loop did."""
    for t in terms.copy_to_host()[:n]:
        value = (value * t if op == "*" else (value or t) if op == "or" else (value and t) if op == "and"
                 else value & t if op == "&" else value | t if op == "|" else value ^ t)
    return value
'''


@dataclass(frozen=True)
class CudaLoopPlan:
    loop: ir.Loop = field(repr=False, compare=False)  # the loop it launches
    kernel: str = ""                              # the generated kernel's name
    dims: tuple[tuple[str, str, str, int], ...] = ()  # (variable, lower, upper, step) outermost first
    params: tuple[str, ...] = ()                  # the function's names the kernel uses
    scalars: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()  # (op, name, accumulator, dtypes)
    atomics: tuple[tuple[Site, str], ...] = ()    # (where, the statement that replaces it)
    written: tuple[str, ...] = ()                 # arrays the kernel writes
    renames: tuple[tuple[str, str], ...] = ()     # helper -> its device version
    inductions: tuple[Induction, ...] = ()        # started from a kernel parameter
    lasts: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (name, slot, dtypes): last values
    elements: tuple[str, ...] = ()                # `v = a[i]` of an enumerate loop, first in the thread
    folds: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()  # (op, scalar, terms, dtypes): no atomic
    same_shape: tuple[tuple[str, str, int], ...] = ()  # row statements: NumPy would broadcast, a kernel not


@dataclass(frozen=True)
class CudaKernelPlan:
    name: str
    loops: tuple[CudaLoopPlan, ...] = ()
    skipped: tuple[Skip, ...] = ()
    resident: tuple[str, ...] = ()                # arrays moved to the device once per call
    copy_back: tuple[str, ...] = ()


def _names_in(body) -> set[str]:
    out: set[str] = set()
    for s in walk_stmts(body):
        for e in stmt_exprs(s):
            for x in subexprs(e):
                if isinstance(x, ir.Name):
                    out.add(x.id)
                elif isinstance(x, ir.Access):
                    out.add(x.array.split(".")[0])
                elif isinstance(x, ir.Call) and "." not in x.func:
                    out.add(x.func)
    return out


def _loop_exprs(loop: ir.Loop) -> set[str]:
    return {x.id for e in (loop.lower, loop.upper, loop.step) for x in subexprs(e) if isinstance(x, ir.Name)}


class _Planner:
    def __init__(self, kv: KernelVerdicts, lines: list[str], imports: dict[str, str],
                 helpers: dict[str, ir.Kernel], names: _Names):
        self.kv = kv
        self.lines = lines
        self.imports = imports
        self.helpers = helpers
        self.names = names
        self.by_loop = {id(v.loop): v for v in kv.loops}
        k = kv.kernel
        self.locals = ({p.name for p in k.params} | assigned_names(k.body)
                       | {s.var for s in walk_stmts(k.body) if isinstance(s, ir.Loop)})

    def text(self, e: ir.Expr) -> str:
        return source_text(self.lines, e)

    def simple(self, loop: ir.Loop) -> bool:
        if loop.form == "enumerate":  # `for i, v in enumerate(a)`: i walks 0..len(a), v = a[i]
            return isinstance(loop.lower, ir.Const) and loop.lower.value == 0
        return loop.form == "range" and isinstance(loop.step, ir.Const) and isinstance(loop.step.value, int) \
            and loop.step.value > 0

    def blocked_call(self, body) -> str | None:
        for s in walk_stmts(body):
            if isinstance(s, ir.Opaque):
                return f"it holds code paralift does not model: {s.reason}"
            for e in stmt_exprs(s):
                for x in subexprs(e):
                    if isinstance(x, (ir.Comprehension, ir.OpaqueExpr)):
                        return "a comprehension has no device version"
                    if isinstance(x, ir.Slice) and _row_statement(s) is None:
                        return "this slice has no device version: write the loop out"
                    if not isinstance(x, ir.Call):
                        continue
                    if x.receiver is not None or x.keywords:
                        return f"`{x.func}(...)` has no device version"
                    full = resolve(x.func, self.imports)
                    if full in DEVICE_CALLS or full.startswith("math.") or (
                            full.startswith("numpy.") and full[6:] in DEVICE_NUMPY):
                        continue
                    helper = self.helpers.get(x.func)
                    if helper is None:
                        return f"`{x.func}(...)` has no device version"
                    inner = self.blocked_call(helper.body)
                    if inner or any(isinstance(c, ir.Call) and c.func in self.helpers
                                    for c in (y for t in walk_stmts(helper.body)
                                              for e2 in stmt_exprs(t) for y in subexprs(e2))):
                        return f"`{x.func}` calls what has no device version"
        return None

    def plan(self, v: LoopVerdict) -> tuple[CudaLoopPlan | None, str]:
        if v.verdict == "sequential":
            return None, ""
        try:
            return self._plan(v), ""
        except Refuse as why:
            return None, str(why)

    def _plan(self, v: LoopVerdict) -> CudaLoopPlan:
        reductions, folded = self._launchable(v)
        loops = [v.loop] if folded else perfect_nest(v, self.by_loop, self.simple)
        body = loops[-1].body
        self._device_ready(loops, body)
        inside = assigned_names(body) | {lp.var for lp in loops}
        used = _names_in(body) | {n for lp in loops[1:] for n in _loop_exprs(lp)}
        params = sorted((used & self.locals) - inside - {t for t in reductions if t in self.locals
                                                         and t not in _accessed(body)})
        scalars, atomics = self._reduction_updates(body, reductions, folded)
        folds = tuple(x for x in scalars if x[1] in folded)
        scalars = [x for x in scalars if x[1] not in folded]
        inductions = self._inductions(v, atomics)
        lasts = self._lasts(v)
        params = sorted(set(params) - {ind.name for ind in inductions})
        renames = tuple(sorted((h, f"_paralift_device_{h}") for h in used if h in self.helpers))
        from paralift.ir.printer import expr as show  # enumerate's bound and elements are made up
        dims = tuple((lp.var, self.text(lp.lower), show(lp.upper) if lp.form == "enumerate" else self.text(lp.upper),
                      lp.step.value) for lp in loops)
        kernel = self.names.fresh(f"_paralift_{self.kv.kernel.name}_kernel")
        rows = [r for st in walk_stmts(body) if (r := _row_statement(st)) is not None]
        same_shape = tuple(sorted({(a, t, axis) for t, axis, others in rows for a in others}))
        elements = tuple(f"{st.target.id} = {show(st.value)}" for lp in loops if lp.form == "enumerate"
                         for st in lp.body[:len(lp.binds)])
        return CudaLoopPlan(v.loop, kernel, dims, tuple(params),
                            tuple(scalars), tuple(atomics), tuple(sorted(written_arrays(body))), renames,
                            tuple(inductions), tuple(lasts), elements, folds, same_shape)

    def _launchable(self, v: LoopVerdict) -> tuple[dict[str, str], dict[str, str]]:
        """The loop's reductions (target -> op), and those without an atomic ("folded": each
        iteration leaves its term, the host combines them in order)."""
        if not self.simple(v.loop):
            raise Refuse("only `range` loops with a positive constant step become CUDA grids")
        why = last_values_unsupported(v)
        if why:
            raise Refuse(why)
        reductions = dict((t, op) for op, t in v.reductions)
        folded = {t: op for t, op in reductions.items() if op not in ATOMIC}
        for t in folded:
            tops = [st for st in v.loop.body if (u := updates.match(st)) is not None and u.target == ir.Name(t)]
            alls = [st for st in walk_stmts(v.loop.body) if (u := updates.match(st)) is not None
                    and u.target == ir.Name(t)]
            if len(tops) != 1 or len(alls) != 1 or any(isinstance(x, ir.Continue) for x in walk_stmts(v.loop.body)):
                raise Refuse(f"`{t}` reduces with `{folded[t]}`, which has no CUDA atomic, in more than one place")
        return reductions, folded

    def _device_ready(self, loops: list[ir.Loop], body) -> None:
        scratch = sorted({n for lp in loops for n in self.by_loop[id(lp)].private} & _accessed(body))
        if scratch:
            raise Refuse(f"the private scratch array `{scratch[0]}` would need memory per thread")
        lists = sorted(n for n in _accessed(body) if _python_container(self.kv.kernel, n))
        if lists:
            raise Refuse(f"`{lists[0]}` is a Python list, which a kernel cannot use: make it a NumPy array")
        blocked = self.blocked_call(body)
        if blocked:
            raise Refuse(blocked)

    def _reduction_updates(self, body, reductions, folded) -> tuple[list, list]:
        """Scalar reductions (op, name, accumulator, dtypes), and every reduction update
        rewritten: an atomic, or for a folded one a store of its term."""
        scalars = [(op, name, self.names.fresh(f"_paralift_{name}"), ())
                   for name, op in sorted(reductions.items()) if name not in _accessed(body)]
        accumulators = {name: acc for _, name, acc, _ in scalars}
        dtypes: dict[str, set[str]] = {name: set() for name in accumulators}
        atomics = []
        for s in walk_stmts(body):
            u = updates.match(s)
            target = None if u is None else u.target.id if isinstance(u.target, ir.Name) else u.target.array
            if target not in reductions:
                continue
            value = self.text(u.operand)
            if _subtracts(s):
                value = f"-({value})"
            if isinstance(u.target, ir.Name):
                dtypes[target] |= {f"{a}.dtype" for a in _arrays(u.operand) if a in self.locals}
            if isinstance(u.target, ir.Name) and target in folded:
                atomics.append((site(s.span), f"{accumulators[target]}[_g] = {value}"))
                if isinstance(u.operand, (ir.Compare, ir.BoolOp)) or (isinstance(u.operand, ir.UnaryOp)
                                                                     and u.operand.op == "not"):
                    dtypes[target] = {"numpy.bool_"}
                elif _floating(u.operand):
                    dtypes[target].add("numpy.float64")
                continue
            if isinstance(u.target, ir.Name):
                where = f"{accumulators[target]}, 0"
                if _floating(u.operand):
                    dtypes[target].add("numpy.float64")
            else:
                idx = [self.text(i) for i in u.target.indices]
                where = f"{target}, {idx[0] if len(idx) == 1 else '(' + ', '.join(idx) + ')'}"
            atomics.append((site(s.span), f"cuda.atomic.{ATOMIC[u.op]}({where}, {value})"))
        return [(op, n, acc, tuple(sorted(dtypes[n]))) for op, n, acc, _ in scalars], atomics

    def _inductions(self, v: LoopVerdict, atomics: list) -> list[Induction]:
        """`k += c` becomes `k = k_start + c * (t + 1)` (the edit joins `atomics`)."""
        started = [ind.started(self.names.fresh(f"{ind.name}_start")) for ind in inductions(v)]
        atomics += [(site(st.span), ind.respelled("_g")) for ind in started for st in ind.updates]
        return started

    def _lasts(self, v: LoopVerdict) -> list[tuple[str, str, tuple[str, ...]]]:
        """The thread of the last iteration leaves each last value in a slot of this dtype."""
        lasts = []
        for name in v.lastprivate:
            value = next(st.value for st in v.loop.body if isinstance(st, ir.Assign) and st.target == ir.Name(name))
            dtypes = sorted({f"{a}.dtype" for a in _arrays(value) if a in self.locals}
                            | ({"numpy.float64"} if _floating(value) else set())) or ["numpy.int64"]
            lasts.append((name, self.names.fresh(f"_paralift_last_{name}"), tuple(dtypes)))
        return lasts


def _arrays(e: ir.Expr) -> set[str]:
    return {x.array for x in subexprs(e) if isinstance(x, ir.Access) and "." not in x.array}


def _floating(e: ir.Expr) -> bool:
    return any((isinstance(x, ir.Const) and isinstance(x.value, float))
               or (isinstance(x, ir.BinOp) and x.op in ("/", "**"))
               or (isinstance(x, ir.Call) and x.func not in ("len", "int", "abs", "min", "max"))
               for x in subexprs(e))


def _python_container(kernel: ir.Kernel, name: str) -> bool:
    """Is `name` bound somewhere to a list (`[0.0] * m`, a comprehension, `list(...)`)?"""
    for s in walk_stmts(kernel.body):
        if isinstance(s, ir.Assign) and s.target == ir.Name(name):
            for x in subexprs(s.value):
                if isinstance(x, ir.Comprehension) or (isinstance(x, ir.OpaqueExpr) and "list" in x.reason) \
                        or (isinstance(x, ir.Call) and x.func in ("list", "tuple", "dict", "set")):
                    return True
    return False


def _resident(kernel: ir.Kernel, launched: list[ir.Loop], used: set[str]) -> tuple[str, ...]:
    """The array parameters that can live on the device for the whole call: never rebound,
    and outside the kernels only asked their length or shape."""
    inside = {id(s) for lp in launched for s in walk_stmts([lp])}
    params = {p.name for p in kernel.params} & used
    arrays = params & {x.array.split(".")[0] for s in walk_stmts(kernel.body)
                       for e in stmt_exprs(s) for x in subexprs(e) if isinstance(x, ir.Access)}
    arrays -= assigned_names(kernel.body)
    for s in walk_stmts(kernel.body):
        if id(s) in inside:
            continue
        for e in stmt_exprs(s):
            arrays -= _host_uses(e)
    return tuple(sorted(arrays))


def _host_uses(e: ir.Expr) -> set[str]:
    """Names used as arrays on the host (anything but `len(a)`, `a.shape`, `a.size`...)."""
    match e:
        case ir.Call(func="len", args=(ir.Name(),)):
            return set()
        case ir.Attribute(value=ir.Name(), attr=("shape" | "size" | "ndim" | "dtype")):
            return set()
        case ir.Access(array=a) if a.endswith((".shape",)):
            return set().union(*(_host_uses(i) for i in e.indices)) if e.indices else set()
        case ir.Name(id=n):
            return {n}
        case ir.Access(array=a):
            return {a.split(".")[0]}.union(*(_host_uses(i) for i in e.indices))
    from paralift.ir.walk import children
    return set().union(*(_host_uses(c) for c in children(e))) if children(e) else set()


def plan_kernel(kv: KernelVerdicts, lines, imports, helpers, names) -> tuple[CudaKernelPlan, list[ir.Loop]]:
    k = kv.kernel
    from paralift.ir.walk import walk_exprs
    if k.name.startswith("_paralift_") or any(isinstance(x, ir.Call) and x.func in ("cuda.grid", "_paralift_launch")
                                              for x in walk_exprs(k.body)):
        return CudaKernelPlan(k.name, skipped=(Skip(k.span.line, "already offloaded"),)), []
    if "." in k.name or k.name.startswith("<"):
        return CudaKernelPlan(k.name, skipped=(Skip(k.span.line,
                              "methods, nested functions and module code are not offloaded"),)), []
    planner = _Planner(kv, lines, imports, helpers, names)
    chosen = outermost(kv, planner.plan, lambda loop: False)
    plans = tuple(chosen.plans)
    launched = [p.loop for p in plans]
    used = {n for p in plans for n in p.params}
    resident = _resident(k, launched, used) if plans else ()
    copy_back = tuple(a for a in resident if any(a in p.written for p in plans)
                      or any(f"({a}, " in text for p in plans for _, text in p.atomics))
    return CudaKernelPlan(k.name, plans, tuple(chosen.skipped), resident, copy_back), launched


def rewrite(fa: FileAnalysis, source: str, functions: set[str] | None = None) -> Rewrite:
    lines = source_lines(source)
    imports = dict(fa.module.imports) if fa.module else {}
    helpers = {k.name: k for k in fa.module.kernels} if fa.module else {}
    names = _Names(source)
    plans = tuple(plan_kernel(kv, lines, imports, helpers, names)[0] for kv in fa.kernels
                  if functions is None or kv.kernel.name in functions)
    active = {p.name: p for p in plans if p.loops}
    if not active:
        return Rewrite(source, plans, False)
    devices = sorted({h for p in active.values() for lp in p.loops for h, _ in lp.renames})
    wrapper = MetadataWrapper(cst.parse_module(source))
    module = wrapper.visit(_Editor(active, jit_names(fa.module.imports if fa.module else ())))
    code = _with_header(module.code)
    if devices:
        code += "\n\n# device versions of the helpers the kernels call\n" + "".join(
            f"_paralift_device_{h} = cuda.jit(device=True)({h})\n" for h in devices)
    return Rewrite(code, plans, True)


class _Editor(PlanEditor):
    def __init__(self, kernels: dict[str, CudaKernelPlan], jit: set[str] = frozenset()):
        loops = [lp for p in kernels.values() for lp in p.loops]
        super().__init__(loops, {at: text for lp in loops for at, text in lp.atomics})
        self.kernels = kernels
        self.jit = jit  # how the file spells Numba's decorators: a launching function loses them
        self.pending: list[str] = []   # kernel definitions for the function being edited
        self.module = cst.Module(body=[])

    def leave_For(self, original, updated):
        plan = self.plan_of(original)
        if plan is None:
            return updated
        self.pending.append(self._kernel(plan, updated))
        lines = [f"{acc} = _paralift_accumulator({name}{''.join(', ' + d for d in dtypes)})"
                 for _, name, acc, dtypes in plan.scalars]
        lines += [f"{slot} = _paralift_accumulator(0, {', '.join(dtypes)})" for _, slot, dtypes in plan.lasts]
        lines += [f"_paralift_same_extent({a}, {t}, {axis})" for a, t, axis in plan.same_shape]
        trip0 = "len(range({}, {}{}))".format(plan.dims[0][1], plan.dims[0][2],
                                              f", {plan.dims[0][3]}" if plan.dims[0][3] != 1 else "")
        lines += [f"{terms} = _paralift_terms({trip0}{''.join(', ' + d for d in dtypes or ('numpy.int64',))})"
                  for _, _, terms, dtypes in plan.folds]
        ranges = ", ".join(f"({lo}, {hi}{f', {step}' if step != 1 else ''})" for _, lo, hi, step in plan.dims)
        args = (list(plan.params) + [acc for _, _, acc, _ in plan.scalars] + [ind.name for ind in plan.inductions]
                + [slot for _, slot, _ in plan.lasts] + [terms for _, _, terms, _ in plan.folds])
        lines.append(f"_paralift_launch({plan.kernel}, ({ranges},){''.join(', ' + a for a in args)})")
        lines += [f"{name} = _paralift_result({acc})" for _, name, acc, _ in plan.scalars]
        lines += [f"{name} = _paralift_fold({op!r}, {terms}, {name}, {trip0})" for op, name, terms, _ in plan.folds]
        _, lo, hi, step = plan.dims[0]
        trip = f"len(range({lo}, {hi}{f', {step}' if step != 1 else ''}))"
        lines += [f"{ind.name} = {ind.name} + {times(ind.step, trip)}" for ind in plan.inductions]
        lines += [f"if {trip} > 0:\n    {name} = _paralift_result({slot})" for name, slot, _ in plan.lasts]
        stmts = [cst.parse_statement(s + "\n") for s in lines]
        stmts[0] = stmts[0].with_changes(leading_lines=updated.leading_lines)
        return cst.FlattenSentinel(stmts)

    def _kernel(self, plan: CudaLoopPlan, node: cst.For) -> str:
        for _ in plan.dims[1:]:
            node = node.body.body[0]
        body = node.body.visit(_ContinueToReturn()).visit(_SliceToLoop())
        code = "".join(self.module.code_for_node(s) for s in body.body) if isinstance(body, cst.IndentedBlock) \
            else self.module.code_for_node(body).strip() + "\n"
        for helper, device in plan.renames:
            code = _rename_calls(code, helper, device)
        code = textwrap.dedent(code)
        dims = len(plan.dims)
        bounds = [(f"_lo{k}", f"_n{k}") for k in range(dims)]
        params = (list(plan.params) + [acc for _, _, acc, _ in plan.scalars] + [ind.start for ind in plan.inductions]
                  + [slot for _, slot, _ in plan.lasts] + [t for _, _, t, _ in plan.folds]
                  + [x for b in bounds for x in b])
        out = [f"@cuda.jit\ndef {plan.kernel}({', '.join(params)}):"]
        if dims == 1:
            out.append("    _g = cuda.grid(1)")
            out.append("    if _g < _n0:")
            out.append(f"        {plan.dims[0][0]} = _lo0 + {times(plan.dims[0][3], '_g')}")
            out += [f"        {ind.name} = {ind.value('_g')}" for ind in plan.inductions]
            out += [f"        {e}" for e in plan.elements]
        else:
            names = ", ".join(f"_g{k}" for k in range(dims - 1, -1, -1))  # x is the innermost
            out.append(f"    {names} = cuda.grid({dims})")
            out.append("    if " + " and ".join(f"_g{k} < _n{k}" for k in range(dims)) + ":")
            out += [f"        {var} = _lo{k} + {times(step, f'_g{k}')}" for k, (var, _, _, step) in enumerate(plan.dims)]
        out.append(textwrap.indent(code, "        ").rstrip())
        for name, slot, _ in plan.lasts:
            out += ["        if _g == _n0 - 1:", f"            {slot}[0] = {name}"]
        return "\n".join(out) + "\n"

    def leave_FunctionDef(self, original, updated):
        plan = self.kernels.get(original.name.value)
        if plan is None or not self.pending:
            self.pending = []
            return updated
        kernels = [cst.parse_statement(k).with_changes(leading_lines=[cst.EmptyLine()] * 2 if n else [])
                   for n, k in enumerate(self.pending)]
        self.pending = []
        if plan.resident:
            updated = _resident_body(updated, plan)
        updated = without_jit(updated, self.jit)
        first = kernels[0].with_changes(leading_lines=updated.leading_lines)
        return cst.FlattenSentinel([first] + kernels[1:] + [
            updated.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])])


class _ContinueToReturn(cst.CSTTransformer):
    """In a kernel, the iteration is the thread: `continue` ends it, so it becomes `return`
    (loops inside keep their own `continue`)."""

    def visit_For(self, node):
        return False

    def visit_While(self, node):
        return False

    def leave_Continue(self, original, updated):
        return cst.Return(value=None)


def _row_statement(s: ir.Stmt) -> tuple[str, int, tuple[str, ...]] | None:
    """`b[i, :] = a[i, :] * 2.0`: every sliced access has one whole `:` at the same position
    and as many indices as the target, and the target array is read only through it. Then
    element k of the target depends on element k of each operand alone, and the statement is
    a loop over that axis. (target, axis, the other sliced arrays) or None."""
    def whole(i):
        return isinstance(i, ir.Slice) and i.lower is None and i.upper is None and i.step is None
    if not isinstance(s, ir.Assign) or not isinstance(s.target, ir.Access):
        return None
    t = s.target
    axes = [k for k, i in enumerate(t.indices) if whole(i)]
    if len(axes) != 1 or "." in t.array:
        return None
    sliced = []
    for x in subexprs(s.value):
        if isinstance(x, ir.Call) and any(isinstance(y, ir.Slice) for a in x.args for y in subexprs(a)):
            return None  # a function of a whole row is not elementwise
        if isinstance(x, ir.Access):
            cuts = [k for k, i in enumerate(x.indices) if isinstance(i, ir.Slice)]
            if not cuts:
                if x.array == t.array:
                    return None  # b[i, 0] read while b[i, :] is written
                continue
            if cuts != axes or not whole(x.indices[axes[0]]) or len(x.indices) != len(t.indices) \
                    or "." in x.array:
                return None
            sliced.append(x.array)
    return t.array, axes[0], tuple(sorted(set(sliced) - {t.array}))


class _SliceToLoop(cst.CSTTransformer):
    """`b[i, :] = e` (see `_row_statement`) becomes `for _k in range(b.shape[axis]): b[i, _k] = e[_k]`."""

    def leave_SimpleStatementLine(self, original, updated):
        if len(updated.body) != 1 or not isinstance(updated.body[0], (cst.Assign, cst.AugAssign)):
            return updated
        small = updated.body[0]
        target = small.targets[0].target if isinstance(small, cst.Assign) else small.target
        if not isinstance(target, cst.Subscript) or not isinstance(target.value, cst.Name):
            return updated
        axis = next((k for k, el in enumerate(target.slice) if isinstance(el.slice, cst.Slice)), None)
        if axis is None:
            return updated

        class Fill(cst.CSTTransformer):
            def leave_SubscriptElement(self, o, u):
                if isinstance(u.slice, cst.Slice):
                    return u.with_changes(slice=cst.Index(cst.Name("_k")))
                return u
        line = updated.visit(Fill())
        loop = cst.parse_statement(f"for _k in range({target.value.value}.shape[{axis}]):\n    pass\n")
        return loop.with_changes(body=loop.body.with_changes(body=[line.with_changes(leading_lines=[])]),
                                 leading_lines=updated.leading_lines)


def _rename_calls(code: str, helper: str, device: str) -> str:
    import re
    return re.sub(rf"(?<![\w.]){re.escape(helper)}(?=\s*\()", device, code)


def _resident_body(fn: cst.FunctionDef, plan: CudaKernelPlan) -> cst.FunctionDef:
    """Move the arrays to the device on entry and back on exit, however the function ends."""
    body = list(fn.body.body)
    doc = []
    if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr) \
            and isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
        doc, body = body[:1], body[1:]
    arrays = plan.resident
    entry = [f"_paralift_host = ({', '.join(arrays)}{',' if len(arrays) == 1 else ''})"] if plan.copy_back else []
    entry += [f"{a} = _paralift_device({a})" for a in arrays]
    stmts = [cst.parse_statement(s + "\n") for s in entry]
    if not plan.copy_back:
        return fn.with_changes(body=fn.body.with_changes(body=doc + stmts + body))
    hosts = ", ".join(f"_paralift_host[{arrays.index(a)}]" for a in plan.copy_back)
    devices = ", ".join(plan.copy_back)
    if len(plan.copy_back) == 1:
        hosts, devices = hosts + ",", devices + ","
    guard = cst.parse_statement(f"try:\n    pass\nfinally:\n    _paralift_copy_back(({hosts}), ({devices}))\n")
    guard = guard.with_changes(body=guard.body.with_changes(body=body))
    return fn.with_changes(body=fn.body.with_changes(body=doc + stmts + [guard]))


def _with_header(code: str) -> str:
    return insert_header(code, "import numpy\nfrom numba import cuda\n" + HELPERS)
