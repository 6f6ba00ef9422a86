"""Effects: which calls are pure, and what inside a loop makes its order observable.

`loop_blockers` returns the reasons (early exits, impure calls, unmodelled code) that keep
a loop sequential whatever its data dependences are.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from paralift.diagnostics import Diagnostic
from paralift.ir import nodes as ir
from paralift.ir.printer import expr as show
from paralift.ir.walk import stmt_children, stmt_exprs, subexprs
from paralift.passes.numpy_api import method_api, numpy_api

_BUILTINS = {"abs", "min", "max", "len", "int", "float", "bool", "round", "pow", "divmod",
             "complex", "range", "sum", "any", "all", "isinstance", "tuple", "hash"}
@dataclass(frozen=True)
class CallEnv:
    """What a call's name means in one module."""

    imports: Mapping[str, str] = field(default_factory=dict)  # local alias -> module path
    helpers: frozenset[str] = frozenset()                     # module functions proven pure
    language: str = "python"


def resolve(func: str, imports: Mapping[str, str]) -> str:
    """`np.sqrt` -> `numpy.sqrt`, `sqrt` (from math) -> `math.sqrt`."""
    root, dot, rest = func.partition(".")
    if root in imports:
        return imports[root] + (dot + rest if dot else "")
    return func


def call_kind(call: ir.Call, env: CallEnv) -> str:
    """One of: pure, alloc (a new array), method (pure method of an array), impure."""
    if any(k == "out" for k, _ in call.keywords):
        return "impure"
    if call.receiver is not None:
        return _method_kind(call.func)
    if call.func in env.helpers or call.func == ir.SUBSCRIPT:
        return "pure"
    if env.language == "c":
        return _c_call_kind(call.func)
    name = resolve(call.func, env.imports)
    module, _, attr = name.rpartition(".")
    if not module:
        return "pure" if name in _BUILTINS else "impure"
    if module in ("math", "cmath"):
        return "pure"
    if module == "numpy" or module.startswith("numpy."):
        api = numpy_api(name.removeprefix("numpy."))
        return "impure" if api is None or not api.pure else "alloc" if api.returns == "alloc" else "pure"
    if name.split(".")[0] not in env.imports:
        return _method_kind(attr)  # `a.sum()` on a local or parameter
    return "impure"


def _method_kind(name: str) -> str:
    api = method_api(name)
    return "impure" if api is None or not api.pure else "alloc" if api.returns == "alloc" else "method"


def returns(call: ir.Call, env: CallEnv) -> str | None:
    """What a call returns: "alloc"/"new" (memory of its own), "view" (may be its first
    argument's, or its receiver's, memory), None when unknown."""
    if call_kind(call, env) == "impure" or (env.language == "c" and call.func != ir.C_ARRAY):
        return None
    if any(k == "copy" and not (isinstance(v, ir.Const) and v.value is True) for k, v in call.keywords):
        return "view"  # `np.array(a, copy=False)`, `a.astype(t, copy=False)`: perhaps `a` itself
    if call.receiver is not None:
        return method_api(call.func).returns
    if call.func == ir.SUBSCRIPT:
        return "view"   # an element of a new array is a value; of a view, its base's
    if env.language == "c":
        return "alloc"
    name = resolve(call.func, env.imports)
    module, _, attr = name.rpartition(".")
    if not module:  # (`min(a, b)` and `max(a, b)` return one of their arguments, itself)
        return "new" if name in _BUILTINS - {"min", "max"} and call.func not in env.helpers else None
    if module in ("math", "cmath"):
        return "new"
    if module == "numpy" or module.startswith("numpy."):
        return numpy_api(name.removeprefix("numpy.")).returns
    if call.func in env.helpers:
        return None  # a helper may return its argument
    return method_api(attr).returns


_C_MATH = {f + suffix for f in (
    "sqrt", "cbrt", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh",
    "asinh", "acosh", "atanh", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "pow",
    "fabs", "floor", "ceil", "round", "trunc", "fmod", "remainder", "fmax", "fmin", "fma", "hypot",
    "erf", "erfc", "tgamma", "lgamma", "copysign", "nearbyint", "rint", "ldexp", "frexp")
    for suffix in ("", "f", "l")} | {"abs", "labs", "llabs", "isnan", "isinf", "isfinite", "signbit"}
# what <math.h>'s macros expand to (`isnan(x)`, `INFINITY`, `NAN`, `HUGE_VAL`) under gcc and clang
_C_BUILTINS = _C_MATH | {"isinf_sign", "fpclassify", "isnormal", "isgreater", "isgreaterequal", "isless",
                         "islessequal", "islessgreater", "isunordered", "huge_val", "huge_valf",
                         "huge_vall", "inf", "inff", "infl", "nan", "nanf", "nanl", "expect"}
_C_IO = {"printf", "fprintf", "puts", "putchar", "fputs", "fwrite", "scanf", "fscanf", "sprintf",
         "snprintf"}


def _c_call_kind(func: str) -> str:
    if func == ir.C_ARRAY:
        return "alloc"
    pure = func in _C_MATH or (func.startswith("__builtin_") and func[10:] in _C_BUILTINS)
    return "pure" if pure else "impure"


def is_fresh_array(value: ir.Expr, env: CallEnv) -> bool:
    """Does `value` always evaluate to new memory (a new array, or a number), never a view
    of another array? Arithmetic on arrays makes new arrays."""
    if isinstance(value, (ir.BinOp, ir.UnaryOp, ir.Compare)):
        return True
    return isinstance(value, ir.Call) and returns(value, env) in ("alloc", "new")


def _exprs_in(body) -> Iterator[tuple[ir.Stmt, ir.Expr]]:
    for s in body:
        for e in stmt_exprs(s):
            for x in subexprs(e):
                yield s, x
        yield from _exprs_in(stmt_children(s))


def _exits(body, direct: bool) -> Iterator[ir.Stmt]:
    """Return statements anywhere; break statements that leave this loop (`direct`)."""
    for s in body:
        if isinstance(s, ir.Return) or (direct and isinstance(s, ir.Break)):
            yield s
        inner_direct = direct and not isinstance(s, (ir.Loop, ir.While))
        yield from _exits(stmt_children(s), inner_direct)


def loop_blockers(loop: ir.Loop, env: CallEnv) -> list[Diagnostic]:
    reasons: list[Diagnostic] = []
    for s in _exits(loop.body, direct=True):
        word = "return" if isinstance(s, ir.Return) else "break"
        reasons.append(Diagnostic("PL203", f"`{word}` leaves the loop early, so later iterations "
                                           "depend on earlier ones", s.span))
    for s in _walk_opaque(loop.body):
        reasons.append(Diagnostic(s.code, s.reason, s.span))
    seen: set[tuple[str, int]] = set()
    for stmt, e in _exprs_in(loop.body):
        reason = _effect(stmt, e, env)
        if reason and (reason, e.span.line) not in seen:
            seen.add((reason, e.span.line))
            code = "PL205" if isinstance(e, ir.OpaqueExpr) else "PL204"
            reasons.append(Diagnostic(code, reason, e.span))
    return reasons


def _effect(stmt: ir.Stmt, e: ir.Expr, env: CallEnv) -> str | None:
    if isinstance(e, ir.OpaqueExpr):
        return f"{e.reason}: `{e.text}`"
    if isinstance(e, ir.Call) and call_kind(e, env) == "impure":
        what = "performs I/O" if e.func in ("print", *_C_IO) else "may have side effects or depend on order"
        return f"call to `{e.func}` {what}"
    if isinstance(stmt, ir.Assign) and e is stmt.target and isinstance(e, ir.Attribute):
        return f"assignment to attribute `{show(e)}`"
    return None


def pure_helpers(module: ir.Module) -> frozenset[str]:
    """Module-level functions with no effect a caller could see, calling only such functions.

    A helper may allocate and fill its own arrays, but not write to its parameters, to
    globals or to attributes, and it may not read global arrays (a caller's dependence test
    cannot see those reads); found as a fixpoint so helpers may call each other."""
    imports = dict(module.imports)
    candidates = {k.name for k in module.kernels if "." not in k.name}
    context = frozenset(imports.items())
    while True:
        env = CallEnv(imports, frozenset(candidates), module.language)
        impure = {k.name for k in module.kernels if k.name in candidates and not _pure_remembered(k, env, context)}
        if not impure:
            return frozenset(candidates)
        candidates -= impure


_PURE: dict[tuple, tuple[ir.Kernel, bool]] = {}


def _pure_remembered(kernel: ir.Kernel, env: CallEnv, context: frozenset) -> bool:
    """`_pure_body`, remembered for the same kernel object (the frontend hands the editor the
    same kernels for unchanged functions) in the same context."""
    key = (id(kernel), context, env.helpers, env.language)
    found = _PURE.get(key)
    if found is not None and found[0] is kernel:
        return found[1]
    if len(_PURE) > 8192:
        _PURE.clear()
    pure = _pure_body(kernel, env)
    _PURE[key] = (kernel, pure)
    return pure


def _pure_body(kernel: ir.Kernel, env: CallEnv) -> bool:
    body = kernel.body
    if any(True for _ in _walk_opaque(body)):
        return False
    local = {p.name for p in kernel.params} | {n for s in _all(body) for n in _bound(s)}
    for _, e in _exprs_in(body):
        if isinstance(e, ir.Access) and e.array.split(".")[0] not in local:
            return False
        if isinstance(e, ir.Call):
            root = e.func.split(".")[0]
            if "." in e.func and root not in env.imports and root not in local:
                return False  # a method of a global object
            if any(isinstance(a, ir.Name) and a.id not in local for a in e.args):
                return False  # a global passed whole (np.sum(G))
    owned = set()  # names bound to arrays the helper allocated itself
    for s in _all(body):
        if isinstance(s, ir.Assign):
            for t in (s.target.elts if isinstance(s.target, ir.Tuple) else (s.target,)):
                if isinstance(t, ir.Name):
                    if is_fresh_array(s.value, env):
                        owned.add(t.id)
                    else:
                        owned.discard(t.id)
                elif not (isinstance(t, ir.Access) and t.array in owned):
                    return False
    return all(_effect(s, e, env) is None for s, e in _exprs_in(body))


def _bound(s: ir.Stmt) -> list[str]:
    if isinstance(s, ir.Loop):
        return [s.var, *s.binds]
    if isinstance(s, ir.Assign):
        t = s.target
        return [x.id for x in (t.elts if isinstance(t, ir.Tuple) else (t,)) if isinstance(x, ir.Name)]
    return []


def _all(body) -> Iterator[ir.Stmt]:
    for s in body:
        yield s
        yield from _all(stmt_children(s))


def _walk_opaque(body) -> Iterator[ir.Opaque]:
    for s in body:
        if isinstance(s, ir.Opaque):
            yield s
        yield from _walk_opaque(stmt_children(s))


