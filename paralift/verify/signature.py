"""What each parameter of a kernel is, read off the kernel's own code.

    size      an integer that shapes the iteration space: used in a loop bound, a subscript,
              an array allocation or a reshape (`n`, `k`)
    value     any other scalar (`alpha`, the `x` searched for)
    array     subscripted, or used as an array: an ndarray method or attribute (`a.max()`,
              `a.shape`, `a.T`), `len(a)`, an operand of `@`, an argument of a NumPy function
              or of a function of the module that subscripts it; `index` arrays (their
              elements are used as subscripts or loop bounds) hold integers, `bounds` arrays
              (used as loop bounds) also ascend
    dtype     passed as a NumPy constructor's `dtype` (`np.zeros(n, dtype=dt)`)
    callable  called like a function: nothing to generate, the kernel cannot be tested
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from paralift.ir import nodes as ir
from paralift.ir.walk import stmt_exprs, subexprs, walk_stmts
from paralift.passes.numpy_api import METHODS
from paralift.verify import annotations


@dataclass(frozen=True)
class ParamSpec:
    name: str
    role: str          # size | value | array | callable
    rank: int = 0
    index: bool = False
    bounds: bool = False
    floating: bool = False  # written with float values (`/`, a float constant, a math call)
    integer: bool | None = None  # a scalar annotated `int` (True) or `float` (False)


def _names(e: ir.Expr) -> set[str]:
    return {x.id for x in subexprs(e) if isinstance(x, ir.Name)}


def _arrays_in(e: ir.Expr) -> set[str]:
    return {x.array for x in subexprs(e) if isinstance(x, ir.Access)}


def _floating(e: ir.Expr) -> bool:
    """Does `e` compute a float whatever its operands hold?"""
    for x in subexprs(e):
        if isinstance(x, ir.BinOp) and x.op in ("/", "**") or isinstance(x, ir.Const) and type(x.value) is float:
            return True
        if isinstance(x, ir.Call) and x.func.split(".")[0] in ("math", "np", "numpy", "cmath") \
                and x.func.rsplit(".", 1)[-1] not in ("floor", "ceil", "trunc", "abs", "fabs", "min", "max"):
            return True
    return False


def float_arrays(kernel: ir.Kernel) -> set[str]:
    """Arrays the kernel stores floats into: an integer array there would only truncate
    them (and raise on inf in Python, where Numba or C store garbage)."""
    out: set[str] = set()
    joined: list[set[str]] = []  # names bound to one another (`a, b = b, a`) hold one dtype
    for s in walk_stmts(kernel.body):
        if not isinstance(s, ir.Assign):
            continue
        targets = s.target.elts if isinstance(s.target, ir.Tuple) else (s.target,)
        if _floating(s.value) or s.op == "/":
            out |= {t.array for t in targets if isinstance(t, ir.Access)}
        values = s.value.elts if isinstance(s.value, ir.Tuple) else (s.value,)
        names = {x.id for x in (*targets, *values) if isinstance(x, ir.Name)}
        if len(names) > 1:
            joined.append(names)
    changed = True
    while changed:
        changed = False
        for group in joined:
            if group & out and not group <= out:
                out |= group
                changed = True
    return out


_ALLOCATING = ("zeros", "empty", "ones", "full", "arange", "linspace", "eye", "identity", "reshape", "tile",
               "zeros_like", "empty_like", "ones_like", "full_like", "array", "asarray")
_SHAPE_ATTRIBUTES = ("shape", "size", "ndim", "T", "dtype", "real", "imag", "flat")


class _Uses:
    """Evidence, from every use in a kernel, of what each name holds."""

    def __init__(self, module: ir.Module | None):
        self.helpers = {k.name: k for k in module.kernels} if module else {}
        self.shaping: set[str] = set()   # names in bounds, subscripts, allocations
        self.index_arrays: set[str] = set()
        self.bound_arrays: set[str] = set()
        self.called: set[str] = set()
        self.dtypes: set[str] = set()
        self.ranks: dict[str, int] = {}  # arrays, with the least rank their uses need

    def array(self, name: str, rank: int = 1) -> None:
        self.ranks[name] = max(self.ranks.get(name, 0), rank)

    def stmt(self, s: ir.Stmt) -> None:
        if isinstance(s, ir.Loop):
            for e in (s.lower, s.upper, s.step):
                self.shaping |= _names(e)
                self.bound_arrays |= _arrays_in(e)
        for e in stmt_exprs(s):
            for x in subexprs(e):
                self.expr(x)

    def expr(self, x: ir.Expr) -> None:
        if isinstance(x, ir.Access):
            name = x.array.split(".")[0]
            self.array(name, len(x.indices) if "." not in x.array else 1)
            for i in x.indices:
                self.shaping |= _names(i)
                self.index_arrays |= _arrays_in(i)
        elif isinstance(x, ir.Attribute) and isinstance(x.value, ir.Name) and x.attr in _SHAPE_ATTRIBUTES:
            self.array(x.value.id)
        elif isinstance(x, ir.BinOp) and x.op == "@":
            for side in (x.left, x.right):
                if isinstance(side, ir.Name):
                    self.array(side.id, 2)
        elif isinstance(x, ir.Call):
            self.call(x)

    def call(self, x: ir.Call) -> None:
        owner, dot, method = x.func.rpartition(".")
        if (dot and owner in ("np", "numpy") or owner.startswith(("np.", "numpy."))) \
                or (not dot and x.func in _ALLOCATING):
            self.numpy_call(method, x)
        elif dot and "." not in owner and x.receiver is None and method in METHODS:
            self.array(owner)          # `a.max()`: a method of an array, not a callable
        elif not dot and x.func == "len" and x.args and isinstance(x.args[0], ir.Name):
            self.array(x.args[0].id)
        elif not dot:
            self.called.add(x.func)
            self.helper_call(x)

    def numpy_call(self, method: str, x: ir.Call) -> None:
        for k, v in x.keywords:
            if k == "dtype" and isinstance(v, ir.Name):
                self.dtypes.add(v.id)
            if k in ("shape", "newshape", "num"):
                self.shaping |= _names(v)
        if method in _ALLOCATING:
            sizes = {"reshape": x.args[1:], "tile": x.args[1:], "arange": x.args, "linspace": x.args[2:3]}
            for a in sizes.get(method, x.args[:1]):
                self.shaping |= _names(a)
            if method in ("zeros", "empty", "ones") and len(x.args) > 1 and isinstance(x.args[1], ir.Name):
                self.dtypes.add(x.args[1].id)
        for a in x.args[:2] if method not in _ALLOCATING else x.args[:1] if method == "reshape" else ():
            if isinstance(a, ir.Name):
                self.array(a.id)      # np.sum(a), np.dot(a, x), np.reshape(a, ...)

    def helper_call(self, x: ir.Call) -> None:
        """`f(a, n)` where the module's `f` subscripts its first parameter: `a` is an array."""
        helper = self.helpers.get(x.func)
        if helper is None:
            return
        inner = {s.name: s for s in signature(helper)}
        for param, arg in zip(helper.params, x.args):
            spec = inner.get(param.name)
            if spec is not None and isinstance(arg, ir.Name):
                if spec.role == "array":
                    self.array(arg.id, spec.rank)
                elif spec.role == "size":
                    self.shaping.add(arg.id)


def _flow_into_shapes(kernel: ir.Kernel, shaping: set[str]) -> None:
    """`lo = max(0, x - radius)` with `lo` a slice bound: `radius` shapes too (an integer)."""
    assigns = [(t.id, s.value) for s in walk_stmts(kernel.body) if isinstance(s, ir.Assign)
               for t in (s.target.elts if isinstance(s.target, ir.Tuple) else (s.target,)) if isinstance(t, ir.Name)]
    changed = True
    while changed:
        changed = False
        for name, value in assigns:
            new = _names(value) - shaping if name in shaping else set()
            if new:
                shaping |= new
                changed = True


def signature(kernel: ir.Kernel, module: ir.Module | None = None) -> tuple[ParamSpec, ...]:
    uses = _Uses(module)
    for s in walk_stmts(kernel.body):
        uses.stmt(s)
    _flow_into_shapes(kernel, uses.shaping)
    out = []
    floating = float_arrays(kernel)
    for p in kernel.params:
        n = p.name
        if n in uses.dtypes:
            out.append(ParamSpec(n, "dtype"))
        elif n in uses.ranks or p.kind == "array":
            out.append(ParamSpec(n, "array", max(uses.ranks.get(n, 1), 1),
                                 n in uses.index_arrays | uses.bound_arrays, n in uses.bound_arrays, n in floating))
        elif n in uses.called:
            out.append(ParamSpec(n, "callable"))
        else:
            out.append(ParamSpec(n, "size" if n in uses.shaping else "value"))
        out[-1] = _annotated(out[-1], p.annotation)
    return tuple(out)


def _annotated(spec: ParamSpec, annotation: str) -> ParamSpec:
    """The annotation's word over the code's guess: an array, its rank, its element kind."""
    said = annotations.read(annotation)
    if said is None:
        return spec
    if said.array:
        return replace(spec, role="array", rank=said.rank or max(spec.rank, 1),
                       index=spec.index or said.integer is True,
                       floating=spec.floating if said.integer is None else not said.integer)
    if spec.role in ("size", "value"):
        return replace(spec, role="value" if said.integer is False else spec.role, integer=said.integer)
    return spec
