"""Names that may refer to (part of) another array: views and aliases.

The dependence test compares accesses by array name, which is only sound if two names
never share memory. Parameters are assumed not to alias; inside the kernel, though,
`c = a.T`, `row = a[i]` (of a 2-D `a`), `c = a[1:]`, `c = a` or `c = helper(a)` make `c`
share `a`'s memory. Such names are found here (to a fixpoint, since views chain) so the
verdict pass can refuse loops that touch them.
"""
from __future__ import annotations

from paralift.ir import nodes as ir
from paralift.ir.walk import walk_stmts
from paralift.passes.effects import CallEnv, is_fresh_array, returns

_METADATA = {"shape", "size", "ndim", "dtype", "itemsize", "nbytes"}


def possible_views(kernel: ir.Kernel, arrays: set[str], ranks: dict[str, int], env: CallEnv) -> set[str]:
    """Names assigned, somewhere in the kernel, a value that may share an array's memory."""
    known = set(arrays)
    views: set[str] = set()
    assigns = [s for s in walk_stmts(kernel.body) if isinstance(s, ir.Assign) and s.op is None]
    changed = True
    while changed:
        changed = False
        for s in assigns:
            for target, value in _pairs(s):
                if isinstance(target, ir.Name) and target.id not in views and \
                        not is_fresh_array(value, env) and _may_view(value, known, ranks, env):
                    views.add(target.id)
                    known.add(target.id)
                    changed = True
    return views


def _pairs(s: ir.Assign):
    if isinstance(s.target, ir.Tuple):
        if isinstance(s.value, ir.Tuple) and len(s.value.elts) == len(s.target.elts):
            return list(zip(s.target.elts, s.value.elts))
        return [(t, s.value) for t in s.target.elts]  # unpacking: any element may be a view
    return [(s.target, s.value)]


def _may_view(e: ir.Expr, arrays: set[str], ranks: dict[str, int], env: CallEnv) -> bool:
    match e:
        case ir.Name(id=n):
            return n in arrays
        case ir.Access(array=a, indices=idx):
            partial = len(idx) < ranks.get(a, 1) or any(isinstance(i, ir.Slice) for i in idx)
            return a in arrays and partial
        case ir.Attribute(value=v, attr=attr):
            return attr not in _METADATA and _may_view(v, arrays, ranks, env)
        case ir.Ternary(then=t, orelse=o):
            return _may_view(t, arrays, ranks, env) or _may_view(o, arrays, ranks, env)
        case ir.BoolOp(values=vs) | ir.Tuple(elts=vs):
            return any(_may_view(v, arrays, ranks, env) for v in vs)
        case ir.Call():
            return _call_may_view(e, arrays, ranks, env)
    return False  # arithmetic on arrays makes new arrays; constants and comparisons are values


def _call_may_view(call: ir.Call, arrays, ranks, env: CallEnv) -> bool:
    got = returns(call, env)
    if got in ("alloc", "new"):
        return False  # math, NumPy ufuncs, reductions and linear algebra return new memory
    if call.receiver is not None:
        return _may_view(call.receiver, arrays, ranks, env)
    root = call.func.split(".")[0]
    if "." in call.func and root in arrays:
        return True   # `a.reshape(...)`, or a method paralift does not know
    if got == "view":
        return bool(call.args) and _may_view(call.args[0], arrays, ranks, env)
    # a helper may return its argument; an unknown callee may return anything
    return any(_may_view(a, arrays, ranks, env) for a in call.args + tuple(v for _, v in call.keywords))


# Attributes of an ndarray that share its memory, element for element: `a.T[i, j]` is
# `a[j, i]`, `a.real[i]` and `a.imag[i]` live in `a[i]`, `a.flat[k]` is the k-th element.
_SAME_ELEMENTS = {"real", "imag"}
_REVERSED = {"T"}
_LAST_TWO_SWAPPED = {"mT"}
_FLAT = {"flat"}
VIEW_ATTRIBUTES = _SAME_ELEMENTS | _REVERSED | _LAST_TWO_SWAPPED | _FLAT


def through_view(array: str, subs: tuple | None, ranks: dict[str, int],
                 arrays: set[str]) -> tuple[str, tuple | None]:
    """The array an access really touches, with its subscripts in that array's terms.

    `subs` are per-dimension subscripts (any objects) or None for the whole array. A view
    attribute maps them when the base's rank makes the mapping exact; otherwise the access
    becomes a use of the whole base array, which is conservative. Any other attribute of an
    array (`a.base`, `a.data`) is treated the same way; attributes of non-arrays
    (`self.data`) stay names of their own."""
    while "." in array:
        base, _, attr = array.rpartition(".")
        if attr not in VIEW_ATTRIBUTES and base not in arrays:
            return array, subs
        subs = _mapped(attr, subs, ranks.get(base))
        array = base
    return array, subs


def _mapped(attr: str, subs: tuple | None, rank: int | None) -> tuple | None:
    if subs is None:
        return None
    if attr in _SAME_ELEMENTS:
        return subs
    if rank is None or len(subs) != rank:
        return None  # a partial subscript of a transposed or flattened array: many elements
    if attr in _REVERSED:
        return tuple(reversed(subs))
    if attr in _LAST_TWO_SWAPPED and rank >= 2:
        return subs[:-2] + (subs[-1], subs[-2])
    if attr in _FLAT and rank == 1:
        return subs
    return None
