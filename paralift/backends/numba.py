"""Numba backend: minimal in-place edits that turn proven-parallel loops into `numba.prange`.

The plan (which loops, which statements to respell) comes from the analysis; the edits are
made with libcst on the original text, so comments and formatting survive and only the
lines that must change do. Per nest, the outermost loop that is parallel and expressible
gets `prange` (Numba runs nested pranges serially).

What Numba needs that the source may not have:
  * `prange` takes step 1 only: other steps, `reversed`, `enumerate`, `zip` and `for x in a`
    loops get a counter `t` and the original variables are computed from it;
  * reductions only with `+ - *` and builtin `max`/`min`, spelled `x += e`, `x = max(x, e)`:
    `if e < x: x = e`, `x = e if e > x else x` and `x = x or cond` are respelled;
  * induction variables (`k += c`) become `k = k0 + c * t`, and their value after the loop
    is computed, not left to Numba;
  * scratch arrays shared by iterations are allocated inside the loop instead;
  * module functions the kernel calls are compiled too (`@numba.njit`).
Anything else stays as it was, and the reason is reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import MetadataWrapper

from paralift.analysis import FileAnalysis
from paralift.backends.contract import Refuse, Rewrite
from paralift.backends.outline import Lifted, lift
from paralift.backends.pyedit import PlanEditor
from paralift.backends.steps import Site, array_reductions, inductions, site
from paralift.files import source_lines
from paralift.ir import nodes as ir
from paralift.ir import poly
from paralift.ir.printer import expr as expr_text
from paralift.ir.walk import walk_stmts
from paralift.backends.nesttext import is_prange
from paralift.backends.nests import Names as _Names, Skip, outermost, source_text, triangular
from paralift.passes import updates
from paralift.passes.scalars import assigned_names, live_after
from paralift.passes.verdict import KernelVerdicts, LoopVerdict

NUMBA_OPS = {"+", "*", "max", "min"}
JIT_NAMES = {"numba.njit", "njit", "numba.jit", "jit", "nb.njit", "nb.jit"}


@dataclass(frozen=True)
class LoopPlan:
    loop: ir.Loop = field(repr=False, compare=False)  # the loop it rewrites
    header: str = ""                        # the new `for` header (without the colon)
    prelude: tuple[str, ...] = ()      # statements at the top of the body
    before: tuple[str, ...] = ()       # statements just before the loop
    after: tuple[str, ...] = ()        # statements just after the loop
    respell: tuple[tuple[Site, str], ...] = ()  # (where, new statement) in the body
    reductions: tuple[tuple[str, str], ...] = ()
    private: tuple[str, ...] = ()
    inner: str | None = None           # a sequential loop the body moves into (chunked loops)
    numpy: bool = False                # the edit allocates with NumPy
    lifted: Lifted | None = None       # the loop moves into this compiled helper


@dataclass(frozen=True)
class KernelPlan:
    name: str
    line: int
    loops: tuple[LoopPlan, ...] = ()
    skipped: tuple[Skip, ...] = ()
    calls: tuple[str, ...] = ()        # module functions it calls (to be compiled too)
    lifted: bool = False               # its loops move into helpers; it is not compiled itself
    method: bool = False               # a method: verified through its helpers (`verify_as`)

    @property
    def verify_as(self) -> tuple[str, ...]:
        """What the tester calls: a method needs its object; its helpers do not."""
        return tuple(lp.lifted.helper for lp in self.loops if lp.lifted) if self.method else (self.name,)


# ---------------------------------------------------------------------- planning

class _Text:
    def __init__(self, source: str, numpy: str = "numpy", numba: str = "numba"):
        self.lines = source_lines(source)
        self.numpy = numpy  # how the module names NumPy (`np`), or `numpy` to be imported
        self.numba = numba  # how it names Numba (`nb`), or `numba` to be imported

    @property
    def prange(self) -> str:
        return f"{self.numba}.prange"

    def of(self, e: ir.Expr) -> str:
        return source_text(self.lines, e)


def plan_kernel(kv: KernelVerdicts, text: _Text, names: _Names, helpers: set[str],
                lifting: bool = False) -> KernelPlan:
    """`lifting`: the loops move into helpers (a method always: Numba cannot compile it)."""
    kernel = kv.kernel
    method = kernel.method
    if kernel.name.startswith("<") or ("." in kernel.name and not method):
        what = "module-level code" if kernel.name.startswith("<") else "nested functions"
        return KernelPlan(kernel.name, kernel.span.line, skipped=(Skip(kernel.span.line,
                          f"{what} are not compiled with Numba"),))
    # Numba cannot compile a method, nor a function with code paralift does not model
    # (`assert`, `with`): their loops move into helpers
    lifting = lifting or method or any(isinstance(s, ir.Opaque) for s in walk_stmts(kernel.body))

    def plan(v: LoopVerdict):
        got, why = _plan_loop(v, kernel, text, names)
        return (_lifted(got, kernel, names), why) if got is not None and lifting else (got, why)
    chosen = outermost(kv, _refusing(plan), lambda s: is_prange(s, text.lines), threads=True)
    calls = sorted({e.func for s in walk_stmts(kernel.body) for e in _calls(s) if e.func in helpers})
    return KernelPlan(kernel.name, kernel.span.line, tuple(chosen.plans), tuple(chosen.skipped), tuple(calls),
                      lifting, method)


def _refusing(plan):
    """A planner that turns a `Refuse` into the reason the loop stays as it is."""
    def planned(v: LoopVerdict):
        try:
            return plan(v)
        except Refuse as why:
            return None, str(why)
    return planned


def _lifted(lp: LoopPlan, kernel: ir.Kernel, names: _Names) -> LoopPlan:
    opaque = next((s for s in walk_stmts([lp.loop]) if isinstance(s, ir.Opaque)), None)
    if opaque is not None:
        raise Refuse(f"Numba cannot compile the loop: {opaque.reason}")
    helper = names.fresh(f"_paralift_{kernel.name.replace('.', '_')}")
    extra = {n for line in lp.after for n in _assigned_in(line)}
    return replace(lp, lifted=lift(kernel, lp.loop, helper, names.fresh, extra))


def _assigned_in(line: str) -> set[str]:
    import ast
    return {n.id for n in ast.walk(ast.parse(line)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _calls(s: ir.Stmt):
    from paralift.ir.walk import stmt_exprs, subexprs
    for e in stmt_exprs(s):
        for x in subexprs(e):
            if isinstance(x, ir.Call) and x.receiver is None:
                yield x


def _plan_loop(v: LoopVerdict, kernel: ir.Kernel, text: _Text, names: _Names) -> tuple[LoopPlan | None, str]:
    if v.verdict == "sequential":
        return None, ""
    loop = v.loop
    written = assigned_names(loop.body)
    before, after, respell = [], [], []
    array_reds = _one_element(loop, list(array_reductions(v)), text, names, before, after, respell)
    if array_reds is None:
        return None, "Numba's prange cannot reduce into this element as written"
    unsupported = [(op, t) for op, t in array_reds if op != "+"]
    if unsupported:
        return None, (f"reduction into elements of `{unsupported[0][1]}` with `{unsupported[0][0]}`: "
                      "only `+` array reductions are supported")
    if v.lastprivate:
        # seen in the tester: with 2 threads Numba returned another iteration's value
        return None, (f"`{v.lastprivate[0]}` is used after the loop, and Numba's prange does not "
                      "keep the last iteration's value")
    for op, target in v.reductions:
        if (op, target) in array_reductions(v):
            continue
        got = _respell_reduction(loop, op, target, text)
        if got is None:
            return None, f"Numba's prange cannot reduce with `{op}` (`{target}`)"
        if len(got) > 1:  # Numba: "use of reduction variable other than in a supported reduction"
            return None, (f"`{target}` is updated by {len(got)} statements; Numba's prange reduces "
                          "a variable updated by one")
        respell += got
    if _const(loop.step) in (None, 0):
        return None, "the loop's step is not a constant Numba's prange can use"
    inner = None
    if array_reds:
        header, inner, counter, prelude = _chunked(loop, array_reds, text, names, before, after, respell)
    else:
        header, counter, prelude = _header(loop, text, names)
    for ind in inductions(v):
        ind = ind.started(names.fresh(f"{ind.name}_start"))
        before.append(f"{ind.start} = {ind.name}")
        prelude.append(f"{ind.name} = {ind.value(counter)}")
        respell += [(site(s.span), ind.respelled(counter)) for s in ind.updates]
        if ind.name in live_after(kernel.body, loop, {ind.name}):
            after.append(f"{ind.name} = {ind.value(_trip(loop, text))}")
    for array in v.private:
        alloc = _allocation(kernel, array, text) if array not in written else None
        if alloc is not None:  # a scratch array shared by iterations: one per iteration instead
            prelude.insert(0, f"{array} = {alloc}")
    return LoopPlan(loop, header, tuple(prelude), tuple(before), tuple(after),
                    tuple(respell), v.reductions, v.private, inner, bool(array_reds)), ""


def _chunked(loop: ir.Loop, reductions, text: _Text, names: _Names, before: list, after: list,
             respell: list) -> tuple[str, str, str, list[str]]:
    """An array reduction: one private copy of the array per chunk of iterations.

        for c in numba.prange(chunks):               # in parallel
            for i in range(c * size, min(n, (c + 1) * size)):
                parts[c, keys[i]] += 1               # was hist[keys[i]] += 1
        hist += parts.sum(axis=0)

    Only the update statements change: the dependence test proved that nothing else in
    the loop touches an element another iteration updates."""
    trip, counter, prelude = _counted(loop, text, names)
    chunks, size, c = names.fresh("chunks"), names.fresh("chunk_size"), names.fresh("chunk")
    before += [f"{chunks} = {text.numba}.get_num_threads()", f"{size} = ({trip} + {chunks} - 1) // {chunks}"]
    for op, array in reductions:
        parts = names.fresh(f"{array}_parts")
        before.append(f"{parts} = {text.numpy}.zeros(({chunks},) + {array}.shape, {array}.dtype)")
        after.append(f"{array} += {parts}.sum(axis=0)")  # no loop: a second rewrite finds nothing
        for s in walk_stmts(loop.body):
            u = updates.match(s)
            if u is None or not isinstance(u.target, ir.Access) or u.target.array != array:
                continue
            index = ", ".join([c] + [text.of(i) for i in u.target.indices])
            minus = isinstance(s, ir.Assign) and (s.op == "-" or (s.op is None and isinstance(s.value, ir.BinOp)
                                                                   and s.value.op == "-"))
            sign = "-" if minus else op
            respell.append((site(s.span), f"{parts}[{index}] {sign}= {text.of(u.operand)}"))
    inner = f"for {counter} in range({c} * {size}, min({trip}, ({c} + 1) * {size}))"
    return f"for {c} in {text.prange}({chunks})", inner, counter, prelude


def _counted(loop: ir.Loop, text: _Text, names: _Names) -> tuple[str, str, list[str]]:
    """(number of iterations, a 0-based counter, statements recovering the loop's variables)."""
    if loop.form in ("enumerate", "zip", "iter"):
        _, counter, prelude = _element_header(loop, text, names)
        return _length(loop), counter, prelude
    step = _const(loop.step)
    if step == 1 and _const(loop.lower) == 0:
        return _trip(loop, text, counts=True), loop.var, []
    t = names.fresh(f"{loop.var}_t")
    lo = text.of(loop.lower)
    start = "" if lo == "0" else f"{lo} + "
    times = "" if step == 1 else f"{step} * "
    return _trip(loop, text, counts=True), t, [f"{loop.var} = {start}{times}{t}"]


def _one_element(loop: ir.Loop, reductions, text: _Text, names: _Names, before: list, after: list,
                 respell: list) -> list | None:
    """The array reductions left after those into one element the loop never moves, updated
    by a statement of the loop's own body (`A[i, j] -= A[i, k] * A[k, j]` over `k`): each of
    those goes through a scalar Numba reduces, `acc = A[i, j]` before the loop and
    `A[i, j] = acc` after (both only if the loop runs, as the original), instead of a copy
    of the whole array per chunk of iterations (a copy per run of an inner loop made lu
    slower than serial by orders of magnitude). None: such an element Numba cannot reduce."""
    moving = assigned_names(loop.body) | {loop.var} | {x.var for x in walk_stmts(loop.body) if isinstance(x, ir.Loop)}
    rest = []
    for op, array in reductions:
        targets = [u.target for x in walk_stmts(loop.body) if (u := updates.match(x)) is not None
                   and isinstance(u.target, ir.Access) and u.target.array == array]
        spelled = {text.of(t) for t in targets}
        direct = {id(u.target) for x in loop.body if (u := updates.match(x)) is not None}
        if len(spelled) != 1 or not _fixed(targets[0], moving) or any(id(t) not in direct for t in targets):
            rest.append((op, array))
            continue
        (element,) = spelled
        acc = names.fresh(f"{array}_acc")
        got = _respell_updates(loop, op, lambda t, e=element: isinstance(t, ir.Access) and text.of(t) == e, acc, text)
        if got is None or len(got) != 1:
            return None
        runs = f"{_trip(loop, text, counts=True)} > 0"   # the original touches the element only then
        before.append(f"{acc} = {element} if {runs} else 0")
        after.append(f"if {runs}: {element} = {acc}")
        respell += got
    return rest


def _fixed(target: ir.Access, moving: set[str]) -> bool:
    """Subscripts of names the loop does not change, and no array reads or calls."""
    from paralift.ir.walk import subexprs
    parts = [x for i in target.indices for x in subexprs(i)]
    return not any(isinstance(x, (ir.Access, ir.Call, ir.Attribute)) or (isinstance(x, ir.Name) and x.id in moving)
                   for x in parts) and all(not isinstance(i, ir.Slice) for i in target.indices)


def _respell_reduction(loop: ir.Loop, op: str, target: str, text: _Text):
    """Respell every update of `target` in the loop in a form Numba reduces."""
    return _respell_updates(loop, op, lambda t: isinstance(t, ir.Name) and t.id == target, target, text)


def _respell_updates(loop: ir.Loop, op: str, is_target, target: str, text: _Text):
    """Every update in the loop whose target `is_target`, respelled as an update of the
    scalar `target` in a form Numba reduces; None if one cannot be."""
    out = []
    for s in walk_stmts(loop.body):
        u = updates.match(s)
        if u is None or not is_target(u.target):
            continue
        e = text.of(u.operand)
        if op == "+":
            minus = (isinstance(s, ir.Assign) and (s.op == "-" or (s.op is None and isinstance(s.value, ir.BinOp)
                                                                     and s.value.op == "-")))
            new = f"{target} {'-' if minus else '+'}= {e}"
        elif op == "*":
            new = f"{target} *= {e}"
        elif op in ("max", "min"):
            new = f"{target} = {op}({target}, {e})"
        elif op in ("or", "and") and isinstance(u.operand, (ir.Compare, ir.BoolOp, ir.UnaryOp)):
            new = f"{target} = {'max' if op == 'or' else 'min'}({target}, {e})"
        else:
            return None
        out.append((site(s.span), new))
    return out


def _simplify(e: ir.Expr) -> str:
    """An integer expression as short text: `(n - 1) - 0 + 1` prints as `n`."""
    p = poly.from_expr(e, lambda n: poly.sym(("name", n)), lambda a, d: poly.sym(("len", a, d)))
    if p is None or poly.degree(p) > 1:
        return expr_text(e)
    terms = []
    for mono, c in sorted(p.items(), key=lambda mc: (mc[0] == (), mc[0])):
        if not mono:
            terms.append(str(c))
            continue
        (kind, *rest), = mono
        name = rest[0] if kind == "name" else f"len({rest[0]})" if rest[1] == 0 else f"{rest[0]}.shape[{rest[1]}]"
        terms.append(name if c == 1 else f"-{name}" if c == -1 else f"{c} * {name}")
    text = " + ".join(terms) or "0"
    return text.replace("+ -", "- ")


def _sub(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.BinOp("-", a, b)


def _const(e: ir.Expr) -> int | None:
    return e.value if isinstance(e, ir.Const) and type(e.value) is int else None


def _header(loop: ir.Loop, text: _Text, names: _Names) -> tuple[str | None, str, list[str]]:
    """(new header, the 0-based iteration counter as text, statements that recover the
    user's variables from the counter)."""
    step = _const(loop.step)
    if step is None or step == 0:
        return None, "", []
    if loop.form in ("enumerate", "zip", "iter"):
        return _element_header(loop, text, names)
    lo, hi = text.of(loop.lower), text.of(loop.upper)
    if loop.form == "range" and step > 0 and triangular(loop):
        # work grows (or shrinks) with the index: Numba's static chunks would give one thread
        # most of it, so pair light and heavy iterations (any order suits a parallel loop);
        # a strip loop (a step > 1, from tiling) over a triangle the same
        t = names.fresh(f"{loop.var}_t")
        n = _trip(loop, text, counts=True)
        start = "" if lo == "0" else f"{lo} + "
        if step == 1:
            return (f"for {t} in {text.prange}({n})", f"({loop.var} - {lo})" if start else loop.var,
                    [f"{loop.var} = {start}{t} // 2 if {t} % 2 == 0 else {start}{n} - 1 - {t} // 2"])
        pick = f"{t} // 2 if {t} % 2 == 0 else {n} - 1 - {t} // 2"
        return (f"for {t} in {text.prange}({n})", f"(({loop.var} - {lo}) // {step})",
                [f"{loop.var} = {start}{step} * ({pick})"])
    if loop.form == "range" and step == 1:
        args = hi if loop.lower.span.line == 0 else f"{lo}, {hi}"  # `range(n)` stays one argument
        counter = loop.var if _const(loop.lower) == 0 else f"({loop.var} - {lo})"
        return f"for {loop.var} in {text.prange}({args})", counter, []
    if step == -1:  # the same indices upwards: order does not matter to a parallel loop
        first = _simplify(ir.BinOp("+", loop.upper, ir.Const(1)))
        end = _simplify(ir.BinOp("+", loop.lower, ir.Const(1)))
        args = end if first == "0" else f"{first}, {end}"
        return f"for {loop.var} in {text.prange}({args})", f"({lo} - {loop.var})", []
    t = names.fresh(f"{loop.var}_t")
    start = "" if lo == "0" else f"{lo} + "
    return f"for {t} in {text.prange}({_trip(loop, text, counts=True)})", t, [
        f"{loop.var} = {start}{step} * {t}"]


def _element_header(loop: ir.Loop, text: _Text, names: _Names) -> tuple[str, str, list[str]]:
    """enumerate / zip / `for x in a`: the body starts with the element assignments the
    frontend made (`v = a[i]`); prange walks the index instead."""
    elems = loop.body[:len(loop.binds)]
    if loop.form == "enumerate" and _const(loop.lower) == 0:
        counter, prelude = loop.var, []
    else:
        counter = names.fresh(f"{loop.display.split(',')[0].strip()}_t")
        prelude = [f"{loop.var} = {text.of(loop.lower)} + {counter}"] if loop.form == "enumerate" else []
    prelude += [f"{s.target.id} = {s.value.array}[{counter}]" for s in elems]
    return f"for {counter} in {text.prange}({_length(loop)})", counter, prelude


def _length(loop: ir.Loop) -> str:
    arrays = [s.value.array for s in loop.body[:len(loop.binds)]]
    lens = [f"len({a})" for a in arrays]
    return lens[0] if len(lens) == 1 else f"min({', '.join(lens)})"


def _trip(loop: ir.Loop, text: _Text, counts: bool = False) -> str:
    """The number of iterations, as an expression. A negative count is harmless to
    `prange` (`counts`), but not where it multiplies a step."""
    if loop.form in ("enumerate", "zip", "iter"):
        return _length(loop)
    step = _const(loop.step)
    span = _sub(loop.upper, loop.lower) if step > 0 else _sub(loop.lower, loop.upper)
    size = abs(step)
    n = _simplify(ir.BinOp("+", span, ir.Const(size - 1)) if size > 1 else span)
    n = n if size == 1 else f"({n}) // {size}" if " " in n else f"{n} // {size}"
    return n if counts else f"max(0, {n})"


def _allocation(kernel: ir.Kernel, array: str, text: _Text) -> str | None:
    for s in walk_stmts(kernel.body):
        if isinstance(s, ir.Assign) and s.target == ir.Name(array) and isinstance(s.value, ir.Call):
            return text.of(s.value)
    return None


# ---------------------------------------------------------------------- editing

def rewrite(fa: FileAnalysis, source: str, functions: set[str] | None = None,
            lifted: frozenset[str] = frozenset()) -> Rewrite:
    """Plan and apply the Numba rewrite of one analyzed file; the loops of the functions in
    `lifted` (and of methods) move into compiled helpers."""
    helpers = {k.name for k in fa.module.kernels} if fa.module else set()
    imports = fa.module.imports if fa.module else ()
    numpy = next((alias for alias, module in imports if module == "numpy"), "numpy")
    numba = next((alias for alias, module in imports if module == "numba"), "numba")  # `nb`, as the file says
    text, names = _Text(source, numpy, numba), _Names(source)  # once per file: per function was quadratic
    plans = tuple(plan_kernel(kv, text, names.for_function(), helpers, kv.kernel.name in lifted)
                  for kv in fa.kernels if functions is None or kv.kernel.name in functions)
    active = {p.name: p for p in plans if p.loops}
    jit = set()
    todo = [c for p in active.values() for c in p.calls]
    while todo:  # what the compiled kernels call must be compiled too
        name = todo.pop()
        if name in jit or name in active:
            continue
        jit.add(name)
        todo += [c for kv in fa.kernels if kv.kernel.name == name
                 for s in walk_stmts(kv.kernel.body) for c in (x.func for x in _calls(s)) if c in helpers]
    if not active:
        return Rewrite(source, plans, False)
    tree = cst.parse_module(source)
    wrapper = MetadataWrapper(tree)
    editor = _Editor(active, jit, numba)
    new = wrapper.visit(editor)
    if numba == "numba":
        new = _ensure_import(new, "numba")
    if numpy == "numpy" and any(lp.numpy for p in active.values() for lp in p.loops):
        new = _ensure_import(new, "numpy")
    code = new.code
    reference = source.rstrip("\n") + "\n\n\n" + "\n\n".join(editor.references) if editor.references else None
    return Rewrite(code, plans, code != source, reference)


class _Editor(PlanEditor):
    def __init__(self, kernels: dict[str, KernelPlan], jit: set[str], numba: str = "numba"):
        loops = [lp for p in kernels.values() for lp in p.loops]
        super().__init__(loops, {at: new for lp in loops for at, new in lp.respell})
        self.kernels = kernels
        self.jit = jit
        self.numba = numba
        self.scope: list[str] = []                 # the class and function being edited
        self.helpers: dict[str, list[str]] = {}    # top-level name -> helpers to define before it
        self.references: list[str] = []           # lifted loops as they were, for verifying methods

    def visit_ClassDef(self, node):
        self.scope.append(node.name.value)

    def leave_ClassDef(self, original, updated):
        self.scope.pop()
        return updated

    def visit_FunctionDef(self, node):
        self.scope.append(node.name.value)

    def leave_FunctionDef(self, original, updated):
        name = ".".join(self.scope)
        self.scope.pop()
        plan = self.kernels.get(name)
        if plan is not None and not plan.lifted:
            return updated.with_changes(decorators=_with_jit(updated.decorators, parallel=True, numba=self.numba))
        if name in self.jit:
            return updated.with_changes(decorators=_with_jit(updated.decorators, parallel=False, numba=self.numba))
        return updated

    def leave_Module(self, original, updated):
        body = []
        for stmt in updated.body:
            name = getattr(getattr(stmt, "name", None), "value", None)
            helpers = self.helpers.get(name, ())
            body += [cst.parse_statement(h).with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
                     for h in helpers]
            body.append(_two_blank_lines_before(stmt) if helpers else stmt)
        return updated.with_changes(body=body)

    def _lift(self, plan: LoopPlan, original: cst.For, stmts: list, leading) -> cst.CSTNode:
        """The loop (with what goes before and after it) as a helper; the call in its place."""
        lifted = plan.lifted
        renamed = [s.visit(_Rename(lifted.renames)) for s in stmts]
        renamed[0] = renamed[0].with_changes(leading_lines=[])
        self.helpers.setdefault(self.scope[0], []).append(
            lifted.define(cst.Module(body=renamed).code, f"{self.numba}.njit(parallel=True)"))
        alone = original.visit(_Rename(lifted.renames)).with_changes(leading_lines=[])
        self.references.append(lifted.define(cst.Module(body=[alone]).code, None))
        return cst.parse_statement(lifted.call() + "\n").with_changes(leading_lines=leading)

    def leave_For(self, original, updated):
        plan = self.plan_of(original)
        if plan is None:
            return updated
        head = cst.parse_statement(plan.header + ":\n    pass\n")
        body = updated.body
        prelude = [cst.parse_statement(s + "\n") for s in plan.prelude]
        if isinstance(body, cst.IndentedBlock):
            body = body.with_changes(body=prelude + list(body.body))
        else:  # `for ...: stmt` on one line
            body = cst.IndentedBlock(body=prelude + [cst.SimpleStatementLine(body=list(body.body))])
        if plan.inner is not None:  # the header's comment stays on the prange line
            inner = cst.parse_statement(plan.inner + ":\n    pass\n").with_changes(
                body=body.with_changes(header=cst.TrailingWhitespace()))
            body = cst.IndentedBlock(body=[inner], header=body.header)
        loop = updated.with_changes(target=head.target, iter=head.iter, body=body)
        before = [cst.parse_statement(s + "\n") for s in plan.before]
        after = [cst.parse_statement(s + "\n") for s in plan.after]
        if plan.lifted is not None:
            return self._lift(plan, original, before + [loop] + after, updated.leading_lines)
        if not plan.before and not plan.after:
            return loop
        if before:
            before[0] = before[0].with_changes(leading_lines=updated.leading_lines)
            loop = loop.with_changes(leading_lines=[])
        return cst.FlattenSentinel(before + [loop] + after)


def _two_blank_lines_before(stmt):
    """A function after a helper paralift put before it: two blank lines between (PEP 8),
    where it had fewer (the file's first function); its own comments kept."""
    lines = list(stmt.leading_lines)
    blank = next((k for k, x in enumerate(lines) if x.comment is not None), len(lines))
    return stmt.with_changes(leading_lines=[cst.EmptyLine()] * max(0, 2 - blank) + lines)


class _Rename(cst.CSTTransformer):
    """`self.n` -> `self_n` in a lifted loop."""

    def __init__(self, renames: dict[str, str]):
        super().__init__()
        self.renames = renames

    def leave_Attribute(self, original, updated):
        text = _dotted(updated)
        return cst.Name(self.renames[text]) if text in self.renames else updated


def _dotted(node) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _with_jit(decorators, parallel: bool, numba: str = "numba"):
    out = []
    found = False
    for d in decorators:
        expr = d.decorator
        func = expr.func if isinstance(expr, cst.Call) else expr
        name = cst.Module(body=[]).code_for_node(func)
        if name in JIT_NAMES | {f"{numba}.njit", f"{numba}.jit"}:
            found = True
            if parallel:
                args = [a for a in (expr.args if isinstance(expr, cst.Call) else ())
                        if not (a.keyword and a.keyword.value == "parallel")]
                args.append(cst.Arg(cst.Name("True"), keyword=cst.Name("parallel"),
                                    equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
                expr = cst.Call(func=func, args=args)
                d = d.with_changes(decorator=expr)
        out.append(d)
    if not found:
        text = f"{numba}.njit(parallel=True)" if parallel else f"{numba}.njit"
        out.insert(0, cst.Decorator(decorator=cst.parse_expression(text)))
    return out


def _ensure_import(module: cst.Module, name: str) -> cst.Module:
    """Add `import name` after the module's docstring and imports, unless it is there."""
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Import) and any(
                        cst.Module(body=[]).code_for_node(a.name) == name and a.asname is None
                        for a in small.names):
                    return module
    body = list(module.body)
    at = 0
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and all(
                isinstance(s, (cst.Import, cst.ImportFrom)) or
                (isinstance(s, cst.Expr) and isinstance(s.value, cst.SimpleString)) for s in stmt.body):
            at = i + 1
        else:
            break
    imp = cst.parse_statement(f"import {name}\n")
    if at == 0 or not _is_import(body[at - 1]):
        # after a docstring (or at the top): separate it with a blank line
        imp = imp.with_changes(leading_lines=[cst.EmptyLine()] if at else [])
        if at < len(body):
            body[at] = body[at].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()]
                                             if isinstance(body[at], (cst.FunctionDef, cst.ClassDef))
                                             else [cst.EmptyLine()] + list(body[at].leading_lines))
    return module.with_changes(body=body[:at] + [imp] + body[at:])


def _is_import(stmt) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)

