"""How a kernel rebinds its array names, which decides what an array name stands for.

- fresh: only ever bound to a new allocation (`t = np.empty(n)`), so it is its own array;
- swapped: rebound only by permuting array names (`a, b = b, a`, or C's rotation through a
  temporary), so at any moment the names stand for distinct arrays;
- copied: rebound only to another array name (`u1 = u2`), so it may be that array: the
  names are analyzed as one array, the copy's class, named by `alias`;
- anything else (a slice, a call's result): unknown, and loops that touch it stay
  sequential (PL207).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from paralift.ir import nodes as ir
from paralift.ir.walk import walk_stmts
from paralift.passes import effects


@dataclass(frozen=True)
class Copy:
    """`name = source` between array names, at `line`."""
    name: str
    source: str
    line: int
    stmt: int      # id() of the statement, to tell which loops hold it


@dataclass(frozen=True)
class Bindings:
    fresh: frozenset[str] = frozenset()
    swapped: frozenset[str] = frozenset()
    copies: tuple[Copy, ...] = ()
    alias: dict[str, str] = field(default_factory=dict)  # a copied name -> its class's name

    @property
    def copied(self) -> frozenset[str]:
        return frozenset(c.name for c in self.copies)


def bindings(kernel: ir.Kernel, env: effects.CallEnv, arrays: set[str]) -> Bindings:
    fresh, swapped, other, copies = set(), set(), set(), []
    for s in walk_stmts(kernel.body):
        if isinstance(s, ir.Loop) and s.var in arrays:
            other.add(s.var)
        if not isinstance(s, ir.Assign):
            continue
        targets = s.target.elts if isinstance(s.target, ir.Tuple) else (s.target,)
        names = [t.id for t in targets if isinstance(t, ir.Name)]
        if _permutes(s, names, arrays):
            swapped.update(names)
            continue
        for n in names:
            if n not in arrays:
                continue
            if isinstance(s.target, ir.Name) and s.op is None and isinstance(s.value, ir.Name) \
                    and s.value.id in arrays and s.value.id != n:
                copies.append(Copy(n, s.value.id, s.span.line, id(s)))
            elif not isinstance(s.target, ir.Tuple) and effects.is_fresh_array(s.value, env):
                fresh.add(n)
            else:
                other.add(n)
    copied = {c.name for c in copies}
    mixed = (copied & (fresh | swapped)) | other
    copies = [c for c in copies if c.name not in mixed and c.source not in swapped | fresh]
    other |= copied - {c.name for c in copies}
    return Bindings(frozenset(fresh - swapped - other - copied), frozenset(swapped - other - copied),
                    tuple(copies), _classes(copies))


def _permutes(s: ir.Assign, names: list[str], arrays: set[str]) -> bool:
    return isinstance(s.target, ir.Tuple) and isinstance(s.value, ir.Tuple) and \
        all(isinstance(v, ir.Name) for v in s.value.elts) and \
        sorted(v.id for v in s.value.elts) == sorted(names) and set(names) <= arrays


def _classes(copies: list[Copy]) -> dict[str, str]:
    """Union the names each copy joins; every member maps to the class's first name."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for c in copies:
        a, b = sorted((root(c.name), root(c.source)))
        parent[b] = a
    return {x: root(x) for x in parent}
