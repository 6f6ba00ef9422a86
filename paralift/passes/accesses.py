"""Collect every array access of a kernel with its subscripts as polynomials.

Scalars are versioned as in SSA: every assignment makes a new version, and loop headers
and branch joins make versions whose value is unknown. A subscript refers to versions, so
whether `j` in `a[j]` is the loop-invariant `m`, the affine `2 * i + 1`, or an unknown
value that changes every iteration is decided later, per loop level, by the dependence
pass (`resolve` in dependence.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from paralift.ir import nodes as ir
from paralift.ir import poly
from paralift.ir.poly import Poly
from paralift.ir.printer import expr as show
from paralift.ir.walk import bound_names, children, stmt_exprs, subexprs, walk_stmts
from paralift.passes import updates
from paralift.passes.effects import CallEnv, call_kind
from paralift.passes.bindings import in_place
from paralift.passes.scalars import assigned_names, induction_steps
from paralift.passes.views import through_view

@dataclass(frozen=True)
class Range:
    """A slice's positions: `lower <= index < upper` where a bound is non-negative (a
    negative one counts from the end, and is then left out). None: no bound that side.
    A positive step keeps the bounds (a superset of the positions); any other drops them."""
    lower: Poly | None = None
    upper: Poly | None = None


def is_range(sub) -> bool:
    return isinstance(sub, Range)


@dataclass(frozen=True)
class LoopInfo:
    uid: int
    node: ir.Loop
    loops: tuple[int, ...]     # enclosing for-loops, outermost first (not itself)
    regions: tuple[int, ...]   # enclosing for/while regions (not itself)
    lower: Poly | None
    upper: Poly | None
    step: int | None
    has_break: bool
    # pieces of a bound written `max(a, b)` / `min(a, b)` (or C's `a > b ? a : b`), where the
    # bound as a whole is not affine: the variable is >= each floor and < each ceiling
    floors: tuple[Poly, ...] = ()
    ceilings: tuple[Poly, ...] = ()


@dataclass
class SymInfo:
    defined_in: tuple[int, ...]     # regions enclosing the definition; a header phi includes its loop
    value: Poly | None = None       # None: unknown
    induction: tuple[int, int, tuple] | None = None   # (loop uid, step, version at entry)
    varying: bool = False           # takes many values within one statement (a comprehension's)


@dataclass(frozen=True)
class Guard:
    """An integer condition an access runs under: `expr >= 0`, `expr == 0` or `expr != 0`."""
    expr: Poly
    relation: str = ">="


@dataclass(frozen=True)
class Extent:
    """A declared extent of a C array dimension (`m` in `double b[n][m]`)."""
    text: str
    size: Poly | None


@dataclass(frozen=True)
class AccessRec:
    uid: int
    array: str
    subs: tuple | None               # Poly | None (not polynomial) | Range; None: the whole array
    write: bool
    update: str | None               # reduction operator when this is `x[s] op= e`
    node: ir.Expr
    loops: tuple[int, ...]
    regions: tuple[int, ...]
    # per enclosing for-loop: (uid, index of the top-level statement of its body, guarded)
    path: tuple[tuple[int, int, bool], ...] = field(default=())
    # the integer conditions of the enclosing ifs; `exact`: no other condition, loop exit or
    # jump decides whether it runs (within its loops)
    guards: tuple[Guard, ...] = ()
    exact: bool = True


@dataclass
class KernelAccesses:
    loops: dict[int, LoopInfo]
    syms: dict[tuple, SymInfo]
    accesses: list[AccessRec]
    loop_uid: dict[int, int]         # id(ir.Loop) -> uid
    # shape of arrays allocated exactly once in the kernel (`np.empty((n, m))`); None: unknown
    shapes: dict[str, tuple[Poly | None, ...] | None] = field(default_factory=dict)
    wraps: bool = True               # Python: a[-1] is the last element; C: before the first
    # C: the declared extents of array-of-array parameters (`double b[n][m]`), per dimension
    declared: dict[str, tuple[Extent | None, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Ctx:
    loops: tuple[int, ...] = ()
    regions: tuple[int, ...] = ()
    path: tuple[tuple[int, int, bool], ...] = ()
    guards: tuple[Guard, ...] = ()
    exact: bool = True

    def unsure(self) -> _Ctx:
        """Under a condition the analysis does not model (a while, a jump above)."""
        return replace(self, path=_guard(self.path), exact=False)


class Collector:
    def __init__(self, kernel: ir.Kernel, calls: CallEnv, arrays: set[str], alias: dict[str, str]):
        self.calls = calls
        self.arrays = arrays
        self.alias = alias  # names a copy (`u1 = u2`) makes one array: the class's name
        self.shared_rows = {p.name for p in kernel.params if rows_may_alias(p.ctype)}
        self.rebound = assigned_names(kernel.body)
        self.mutated = self.rebound | mutated_objects(kernel.body, calls)
        self.out = KernelAccesses({}, {}, [], {}, wraps=calls.language == "python")
        self.env: dict[str, tuple] = {}
        self.versions: dict[str, int] = {}
        self.next_region = 0
        self.breaks: set[int] = set()
        self.integers = {p.name for p in kernel.params if _integer_type(p.ctype)}
        self.int_values: set[tuple] = set()   # versions of names bound to `int(...)`, `len(...)`
        self.out.declared = {p.name: tuple(None if d is None else Extent(show(d), self.poly(d)) for d in p.dims)
                             for p in kernel.params if p.dims}
        self.block(kernel.body, _Ctx())

    # -------------------------------------------------------------- symbols
    def current(self, name: str) -> tuple:
        if name not in self.env:
            self.env[name] = key = ("v", name, 0)
            self.out.syms[key] = SymInfo(())
        return self.env[name]

    def define(self, name: str, regions: tuple[int, ...], value: Poly | None = None,
               induction=None) -> None:
        n = self.versions.get(name, 0) + 1
        self.versions[name] = n
        key = ("v", name, n)
        self.out.syms[key] = SymInfo(regions, value, induction)
        self.env[name] = key

    def poly(self, e: ir.Expr) -> Poly | None:
        return poly.from_expr(e, self.symbol, self.extent)

    def constant(self, e: ir.Expr, body) -> int | None:
        """An expression's value when it is a number, or names assigned a number once that
        `body` does not assign (a tile size: `bs = 32; for ii in range(0, n, bs)`)."""
        p = self.poly(e)
        if p is None:
            return None
        changed = assigned_names(body)

        def known(key):
            info = self.out.syms.get(key)
            if info is None or info.value is None or info.varying or info.induction is not None or \
                    poly.constant_value(info.value) is None or (isinstance(key, tuple) and key[1] in changed):
                return None
            return info.value
        q = poly.substitute(p, known)
        return poly.constant_value(q) if q is not None else None

    def pieces(self, e: ir.Expr, kind: str):
        """The affine arguments of `max(...)`/`min(...)` (`kind`), nested ones too; a
        piece that is not affine is left out (each piece alone is a true bound)."""
        builtin = self.calls.language == "python" and kind not in self.calls.imports and \
            kind not in self.calls.helpers and kind not in self.rebound  # Python's own max/min
        if isinstance(e, ir.Call) and builtin and e.func == kind and len(e.args) >= 2 and not e.keywords:
            parts = e.args
        elif isinstance(e, ir.Ternary) and isinstance(e.cond, ir.Compare) and len(e.cond.ops) == 1 and \
                {e.cond.operands[0], e.cond.operands[1]} == {e.then, e.orelse}:
            bigger = e.cond.operands[0] if e.cond.ops[0] in (">", ">=") else e.cond.operands[1]
            if e.cond.ops[0] not in ("<", "<=", ">", ">="):
                return
            if (bigger == e.then) != (kind == "max"):
                return
            parts = (e.then, e.orelse)
        else:
            q = self.poly(e)
            if q is not None:
                yield q
            return
        for part in parts:
            yield from self.pieces(part, kind)

    def symbol(self, name: str) -> Poly | None:
        """A name's current value; `obj.n` is a constant of the kernel unless the kernel
        rebinds `obj`, assigns any of its attributes, or calls a method that may."""
        if "." in name and name.split(".")[0] in self.mutated:
            return None
        return poly.sym(self.current(name))

    def range(self, sl: ir.Slice) -> Range:
        step = sl.step
        if step is not None and not (isinstance(step, ir.Const) and type(step.value) is int and step.value > 0):
            return Range()   # `a[::-1]`, or a step of unknown sign: the bounds mean other things
        lower = poly.const(0) if sl.lower is None else self.poly(sl.lower)
        return Range(lower, None if sl.upper is None else self.poly(sl.upper))

    def extent(self, array: str, dim: int) -> Poly | None:
        if array in self.rebound or "." in array:
            return None
        return poly.sym(("ext", array, dim))

    # -------------------------------------------------------------- accesses
    def record(self, node: ir.Expr, ctx: _Ctx, write: bool, update: str | None = None) -> None:
        if isinstance(node, ir.Access):
            subs = tuple(self.range(i) if isinstance(i, ir.Slice) else self.poly(i) for i in node.indices)
            array = node.array
        else:  # a whole-array use: np.sum(a), a.copy()
            subs, array = None, node.id
        # only an allocation in the kernel fixes a rank: subscripts elsewhere may be partial
        ranks = {n: len(s) for n, s in self.out.shapes.items() if s is not None}
        array, subs = through_view(array, subs, ranks, self.arrays)
        array = self.alias.get(array, array)
        if array in self.shared_rows and subs is not None and len(subs) > 1:
            subs = (None,) + subs[1:]  # rows[i] and rows[k] may be one row: the row is unknown
        self.out.accesses.append(AccessRec(len(self.out.accesses), array, subs, write, update, node,
                                           ctx.loops, ctx.regions, ctx.path, ctx.guards, ctx.exact))

    def reads(self, e: ir.Expr | None, ctx: _Ctx, skip: ir.Expr | None = None) -> None:
        if e is None:
            return
        stack = [e]
        while stack:
            x = stack.pop()
            if x is skip:
                continue
            if isinstance(x, ir.Comprehension):
                self.comprehension(x, ctx)
                continue
            if isinstance(x, ir.Access) and not x.array.endswith(".shape"):
                self.record(x, ctx, write=False)
            elif isinstance(x, ir.Name) and x.id in self.arrays:
                self.record(x, ctx, write=False)
            elif isinstance(x, ir.Call):
                kind = call_kind(x, self.calls)
                root = x.func.split(".")[0]
                if kind in ("method", "alloc") and "." in x.func and root in self.arrays:
                    self.record(ir.Name(root, x.span), ctx, write=False)
                if x.func == "len":
                    continue  # reads the shape, not the data
            elif isinstance(x, ir.Attribute) and x.attr in ("shape", "size", "ndim"):
                continue
            stack.extend(children(x))

    def comprehension(self, c: ir.Comprehension, ctx: _Ctx) -> None:
        """Its variables range over many values inside one evaluation: never affine."""
        saved = {n: self.env.get(n) for n in bound_names(c)}
        for n, g in enumerate(c.generators):
            self.reads(g.iter, ctx)
            for t in g.targets:
                self.define(t, ctx.regions)
                self.out.syms[self.env[t]].varying = True
            for cond in g.conds:
                self.reads(cond, ctx)
        self.reads(c.elt, ctx)
        for n, key in saved.items():
            if key is None:
                self.env.pop(n, None)
            else:
                self.env[n] = key

    # -------------------------------------------------------------- statements
    def block(self, body: tuple[ir.Stmt, ...], ctx: _Ctx) -> None:
        jumped = False
        for index, s in enumerate(body):
            here = ctx
            if ctx.path and ctx.path[-1][1] == -1:  # first level below a loop: note the index
                uid, _, g = ctx.path[-1]
                here = replace(ctx, path=ctx.path[:-1] + ((uid, index, g),))
            if jumped:  # a `continue`, `break` or `return` above may skip this statement
                here = here.unsure()
            self.stmt(s, here)
            jumped = jumped or _may_jump(s)

    def stmt(self, s: ir.Stmt, ctx: _Ctx) -> None:
        match s:
            case ir.Assign():
                self.assign(s, ctx)
            case ir.Loop():
                self.loop(s, ctx)
            case ir.While(cond=c, body=b):
                uid = self.region()
                inner = replace(ctx.unsure(), regions=ctx.regions + (uid,))
                self.enter_region(b, inner.regions)
                self.reads(c, inner)
                self.block(b, inner)
                self.leave_region(b, ctx.regions, ())
            case ir.If(cond=c, body=b, orelse=o):
                u = updates.match_if(s)
                inner = self.under(c, ctx, negate=False)
                if u is not None and isinstance(u.target, ir.Access):
                    self.record(u.target, inner, write=True, update=u.op)
                    self.reads(u.operand, inner)
                    self.reads_of_indices(u.target, inner)
                    return
                self.reads(c, ctx)
                before = dict(self.env)
                self.block(b, inner)
                after_body, self.env = self.env, dict(before)
                self.block(o, self.under(c, ctx, negate=True))
                for name in set(after_body) | set(self.env):
                    if after_body.get(name) != self.env.get(name):
                        self.define(name, ctx.regions)
            case ir.Break():
                if ctx.regions:  # the innermost for or while is the one it leaves
                    self.breaks.add(ctx.regions[-1])
            case ir.ExprStmt(value=v) | ir.Return(value=v):
                self.reads(v, ctx)

    # -------------------------------------------------------------- conditions
    def under(self, cond: ir.Expr, ctx: _Ctx, negate: bool) -> _Ctx:
        """The context of an if's body (or, negated, of its else)."""
        guards, complete = self.guards(cond, negate)
        inner = replace(ctx, path=_guard(ctx.path), guards=ctx.guards + guards)
        return inner if complete else replace(inner, exact=False)

    def guards(self, c: ir.Expr, negate: bool) -> tuple[tuple[Guard, ...], bool]:
        """Integer conditions `c` (or `not c`) implies, and whether they are all of it: of
        `0 <= k < w` with a float `w`, `0 <= k` is kept (true, if not the whole truth)."""
        match c:
            case ir.UnaryOp(op="not", operand=x):
                return self.guards(x, not negate)
            case ir.BoolOp(op=op, values=values) if (op == "and") != negate:
                parts = [self.guards(v, negate) for v in values]
                return tuple(g for p, _ in parts for g in p), all(done for _, done in parts)
            case ir.Compare(ops=ops, operands=operands) if len(ops) == 1 or not negate:
                sides = [self.integer(x) for x in operands]
                pairs = [None if a is None or b is None else _compare(op, a, b, negate)
                         for op, a, b in zip(ops, sides, sides[1:])]
                return tuple(p for p in pairs if p is not None), None not in pairs
        return (), False

    def integer(self, e: ir.Expr) -> Poly | None:
        """`e` as a polynomial of values known to be integers (loop counters, lengths and
        integer parameters), so that `j > 0` means `j >= 1`."""
        p = self.poly(e)
        if p is None or any(not (k[0] in ("loop", "ext") or k in self.int_values
                                 or k[0] == "v" and k[2] == 0 and k[1] in self.integers)
                            for m in p for k in m):
            return None
        return p

    def reads_of_indices(self, target: ir.Access, ctx: _Ctx) -> None:
        for i in target.indices:
            self.reads(i, ctx)

    def assign(self, s: ir.Assign, ctx: _Ctx) -> None:
        u = updates.match_assign(s)
        targets = s.target.elts if isinstance(s.target, ir.Tuple) else (s.target,)
        if u is not None and isinstance(u.target, ir.Access):
            self.record(u.target, ctx, write=True, update=u.op)
            self.reads(u.operand, ctx)
            self.reads_of_indices(u.target, ctx)
            return
        if in_place(s, self.arrays, self.calls.language):  # `a *= alpha` updates every element of `a`, keeps the name
            self.reads(s.value, ctx)
            self.record(s.target, ctx, write=False)
            self.record(s.target, ctx, write=True)
            return
        self.reads(s.value, ctx)
        for t in targets:
            if isinstance(t, ir.Access):
                self.reads_of_indices(t, ctx)
                if s.op is not None:
                    self.record(t, ctx, write=False)
                self.record(t, ctx, write=True)
        values = self.values(s, targets)
        for t, v in zip(targets, values):
            if isinstance(t, ir.Name):
                self.note_shape(t.id, s.value if len(targets) == 1 else None)
                self.define(t.id, ctx.regions, v)
                if len(targets) == 1 and _integer_valued(s.value):
                    self.int_values.add(self.env[t.id])

    def note_shape(self, name: str, value: ir.Expr | None) -> None:
        shape = None
        if isinstance(value, ir.Call) and call_kind(value, self.calls) == "alloc" and \
                value.func.rsplit(".", 1)[-1] in ("zeros", "empty", "ones", "full", "array"):
            arg = value.args[0] if value.args else dict(value.keywords).get("shape")
            dims = arg.elts if isinstance(arg, ir.Tuple) else (arg,) if arg is not None else ()
            shape = tuple(self.poly(d) for d in dims) or None
        self.out.shapes[name] = None if name in self.out.shapes else shape

    def values(self, s: ir.Assign, targets) -> list[Poly | None]:
        if len(targets) > 1:
            elts = s.value.elts if isinstance(s.value, ir.Tuple) and len(s.value.elts) == len(targets) \
                else [None] * len(targets)
            return [None if e is None else self.poly(e) for e in elts]
        v = self.poly(s.value)
        if s.op is None or v is None:
            return [v if s.op is None else None]
        if not isinstance(s.target, ir.Name) or s.op not in "+-*":
            return [None]
        old = poly.sym(self.current(s.target.id))
        return [poly.mul(old, v) if s.op == "*" else poly.add(old, v, 1 if s.op == "+" else -1)]

    def region(self) -> int:
        self.next_region += 1
        return self.next_region

    def enter_region(self, body, regions, induction: dict[str, int] | None = None, uid=None) -> None:
        for name in sorted(assigned_names(body)):
            if induction and name in induction:
                self.define(name, regions, None, (uid, induction[name], self.current(name)))
            else:
                self.define(name, regions)

    def leave_region(self, body, regions, extra: tuple[str, ...]) -> None:
        for name in sorted(assigned_names(body) | set(extra)):
            self.define(name, regions)

    def loop(self, s: ir.Loop, ctx: _Ctx) -> None:
        for e in (s.lower, s.upper, s.step):
            self.reads(e, ctx)
        step_value = self.constant(s.step, s.body)
        uid = self.region()
        self.out.loop_uid[id(s)] = uid
        regions = ctx.regions + (uid,)
        lower, upper = self.poly(s.lower), self.poly(s.upper)
        self.enter_region(s.body, regions, induction_steps(s), uid)
        self.env[s.var] = ("loop", uid)
        inner = replace(ctx, loops=ctx.loops + (uid,), regions=regions, path=ctx.path + ((uid, -1, False),))
        self.block(s.body, inner)
        floors = tuple(self.pieces(s.lower, "max")) if lower is None and (step_value or 0) > 0 else ()
        ceilings = tuple(self.pieces(s.upper, "min")) if upper is None and (step_value or 0) > 0 else ()
        self.out.loops[uid] = LoopInfo(uid, s, ctx.loops, ctx.regions, lower, upper,
                                       step_value or None, uid in self.breaks, floors, ceilings)
        self.leave_region(s.body, ctx.regions, (s.var,))


def _may_jump(s: ir.Stmt) -> bool:
    return any(isinstance(x, (ir.Continue, ir.Break, ir.Return)) for x in walk_stmts((s,)))


def rows_may_alias(ctype: str) -> bool:
    """C: may the rows of a pointer-to-pointer parameter overlap? `double **rows` may; with
    the rows declared `restrict` (`double *restrict *rows`) they may not."""
    if ctype.count("*") < 2:
        return False
    inner = ctype[:ctype.rindex("*")]  # what the outer pointer points to: `double *restrict `
    return "restrict" not in inner[inner.index("*"):]


_INTEGER = frozenset("char short int long unsigned signed size_t ptrdiff_t int64_t int32_t uint64_t "
                     "uint32_t const".split())


def _integer_type(ctype: str) -> bool:
    words = ctype.split()
    return bool(words) and "*" not in ctype and "[" not in ctype and set(words) <= _INTEGER


def _compare(op: str, a: Poly, b: Poly, negate: bool) -> Guard | None:
    """`a op b` (negated: `not a op b`) on integers as a Guard."""
    if negate:
        op = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}.get(op, "")
    one = poly.const(1)
    match op:
        case "<":
            return Guard(poly.add(poly.add(b, a, -1), one, -1))
        case "<=":
            return Guard(poly.add(b, a, -1))
        case ">":
            return Guard(poly.add(poly.add(a, b, -1), one, -1))
        case ">=":
            return Guard(poly.add(a, b, -1))
        case "==" | "!=":
            return Guard(poly.add(a, b, -1), op)
    return None


def _guard(path):
    """Under an if or a while: conditional relative to every enclosing loop."""
    return tuple((uid, index, True) for uid, index, _ in path)


def _integer_valued(e: ir.Expr) -> bool:
    """Python values that are surely integers: `int(x)`, `len(a)`, `x.shape[0]`."""
    return isinstance(e, ir.Call) and e.func in ("int", "len") and e.receiver is None


def mutated_objects(body, env: CallEnv) -> set[str]:
    """Names whose attributes the code may change: attribute targets, and the objects of
    method calls not known to be pure."""
    out = set()
    for s in walk_stmts(body):
        if isinstance(s, ir.Assign):
            for t in (s.target.elts if isinstance(s.target, ir.Tuple) else (s.target,)):
                if isinstance(t, ir.Attribute) and (name := poly.dotted_name(t)) is not None:
                    out.add(name.split(".")[0])   # (`self.b[i] = x` leaves `self.n` as it is)
        for e in stmt_exprs(s):
            for x in subexprs(e):
                if isinstance(x, ir.Call) and "." in x.func and call_kind(x, env) == "impure":
                    out.add(x.func.split(".")[0])
                elif isinstance(x, ir.Call) and any(isinstance(a, ir.Name) for a in x.args) \
                        and call_kind(x, env) == "impure":
                    out |= {a.id for a in x.args if isinstance(a, ir.Name)}  # f(self) may set self.n
    return out


def collect(kernel: ir.Kernel, env: CallEnv, arrays: set[str], alias: dict[str, str] | None = None) -> KernelAccesses:
    return Collector(kernel, env, arrays, alias or {}).out

