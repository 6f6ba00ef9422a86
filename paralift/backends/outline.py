"""Lifting a parallel loop out of its function into a module-level helper.

Numba compiles whole functions: not methods, and not a function whose other code uses
what Numba lacks (`np.mean(a, axis=0)`, a dict, a print of an object). Such a loop moves,
as it is, into a helper the function calls; the helper takes what the loop reads from the
function (a local, a parameter, `self.n` as `self_n`) and returns what the function reads
after the loop. Arrays are passed by reference, so the loop's writes land where they did.

The same helper without the parallel edits, appended to the original, is the reference a
lifted method is verified against (a method cannot be called without its object; the
helper can, on generated inputs).
"""
from __future__ import annotations

from dataclasses import dataclass

from paralift.backends.contract import Refuse
from paralift.ir import nodes as ir
from paralift.ir.poly import dotted_name
from paralift.ir.walk import stmt_exprs, subexprs, walk_stmts
from paralift.passes import scalars

# attributes and methods of an array: `self.b.shape[0]` passes `self.b`
_ARRAY_SUFFIXES = {"shape", "size", "ndim", "T", "mT", "dtype", "real", "imag", "flat"}


@dataclass(frozen=True)
class Lifted:
    """How a loop leaves its function: the helper's name, its parameters (with the text the
    function passes for each) and the names it returns."""
    helper: str
    params: tuple[tuple[str, str], ...]   # (parameter, argument): ("self_n", "self.n")
    results: tuple[str, ...]

    @property
    def renames(self) -> dict[str, str]:
        """Attribute chains as the helper spells them."""
        return {arg: param for param, arg in self.params if arg != param}

    def call(self) -> str:
        args = ", ".join(arg for _, arg in self.params)
        head = f"{', '.join(self.results)} = " if self.results else ""
        return f"{head}{self.helper}({args})"

    def define(self, body: str, decorator: str | None) -> str:
        """The helper's source: `body` is the loop and what goes with it, at column 0."""
        params = ", ".join(p for p, _ in self.params)
        lines = [f"@{decorator}"] if decorator else []
        lines.append(f"def {self.helper}({params}):")
        lines += ["    " + ln if ln.strip() else ln for ln in body.rstrip("\n").split("\n")]
        if self.results:
            lines.append(f"    return {', '.join(self.results)}")
        return "\n".join(lines) + "\n"


def lift(kernel: ir.Kernel, loop: ir.Loop, helper: str, fresh, extra: set[str] = frozenset()) -> Lifted:
    """What the loop needs from `kernel` and gives back. `fresh(name)` makes a name the
    module does not use; `extra`: names the backend's own statements around the loop
    assign (an induction's final value), which may be live after it too."""
    local = {p.name for p in kernel.params} | scalars.assigned_names(kernel.body) | {
        s.var for s in walk_stmts(kernel.body) if isinstance(s, ir.Loop)}
    written = scalars.assigned_names([loop])
    exposed, _ = scalars.exposure([loop], written)
    plain, chains = _used(loop, local)
    if any(c.split(".")[0] in written for c in chains):
        raise Refuse("the loop rebinds an object whose attributes it reads")
    names = sorted(n for n in plain if n not in written or n in exposed)
    unset = [n for n in names if not _set_before(kernel, loop, n)]
    if unset:  # passing it would raise where the loop, not reading it, would not
        raise Refuse(f"`{unset[0]}` may be unset when the loop starts, so it cannot be passed to a helper")
    params = [(n, n) for n in names] + [(fresh(c.replace(".", "_")), c) for c in sorted(chains)]
    live = scalars.live_after(kernel.body, loop, (written | extra) & local)
    if live - set(names) - extra:  # a value only the loop sets: after no iteration, none
        raise Refuse(f"`{sorted(live - set(names) - extra)[0]}` is set in the loop and used after it")
    return Lifted(helper, tuple(params), tuple(sorted(live)))


def _set_before(kernel: ir.Kernel, loop: ir.Loop, name: str) -> bool:
    """Is `name` surely set when the loop starts: a parameter, the variable of a loop around
    it, or assigned by a plain statement that runs before it in one of its enclosing blocks?"""
    if name in {p.name for p in kernel.params}:
        return True
    block = kernel.body
    while True:
        at = next((k for k, s in enumerate(block) if any(x is loop for x in walk_stmts([s]))), None)
        if at is None:
            return False
        if any(name in scalars.assigned_names([s]) for s in block[:at]
               if not isinstance(s, (ir.Loop, ir.While, ir.If))):
            return True
        holder = block[at]
        if holder is loop:
            return False
        if isinstance(holder, ir.Loop) and name == holder.var:
            return True
        block = holder.body if any(x is loop for x in walk_stmts(holder.body)) else getattr(holder, "orelse", ())


def _used(loop: ir.Loop, local: set[str]) -> tuple[set[str], set[str]]:
    """Locals the loop uses by name, and attribute chains on locals (`self.n`)."""
    plain, chains = set(), set()
    for s in walk_stmts([loop]):
        exprs = list(stmt_exprs(s)) + ([s.lower, s.upper, s.step] if isinstance(s, ir.Loop) else [])
        nodes = [x for e in exprs for x in subexprs(e)]
        inner = {id(v) for x in nodes if isinstance(x, ir.Attribute) for v in _bases(x)}
        for x in nodes:
            name = None if id(x) in inner else _chain(x)
            if name is None:
                continue
            root = name.split(".")[0]
            if root in local:
                (chains if "." in name else plain).add(name)
    roots = {c.split(".")[0] for c in chains}
    plain_roots = roots & plain
    chains = {c for c in chains if c.split(".")[0] not in plain_roots}  # `a.shape` of a passed `a`
    return plain, {c for c in chains if not any(c.startswith(o + ".") for o in chains)}


def _bases(x: ir.Attribute):
    """The nodes under an attribute chain: `self` and `self.b` in `self.b.n`."""
    v = x.value
    while isinstance(v, ir.Attribute):
        yield v
        v = v.value
    yield v


def _chain(x: ir.Expr) -> str | None:
    """The name or attribute chain an expression reads as a value, if it is one."""
    if isinstance(x, ir.Name):
        return x.id
    if isinstance(x, ir.Access):
        return _strip(x.array)
    if isinstance(x, ir.Attribute):
        name = dotted_name(x)
        return None if name is None else _strip(name)
    if isinstance(x, ir.Call) and x.receiver is None and "." in x.func:
        return _strip(x.func.rpartition(".")[0])  # `self.u.sum()` uses `self.u`
    return None


def _strip(name: str) -> str:
    parts = name.split(".")
    while len(parts) > 1 and parts[-1] in _ARRAY_SUFFIXES:
        parts.pop()
    return ".".join(parts)
