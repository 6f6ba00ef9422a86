"""How a kernel rebinds its array names, which decides what an array name stands for.

- fresh: only ever bound to a new allocation (`t = np.empty(n)`), so it is its own array;
- swapped: rebound only by permuting array names (`a, b = b, a`, or C's rotation through a
  temporary), so at any moment the names stand for distinct arrays;
- copied: rebound only to another array name (`u1 = u2`), so it may be that array: the
  names are analyzed as one array, the copy's class, named by `alias`;
- a view: bound only to views of known arrays (`cols = col[lo:hi]`, `a.T`,
  `np.reshape(a, ...)`): it shares their memory, so a loop may use it only if it writes
  neither it nor any array it may view (`View`, `harmless`);
- anything else (a call's result): unknown, and loops that touch it stay sequential
  (PL207).

`a *= alpha` on a Python array updates it in place: it binds nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from paralift.ir import nodes as ir
from paralift.ir.printer import expr as show
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
    rebound: frozenset[str] = frozenset()   # array names some statement binds
    shared: frozenset[str] = frozenset()    # any name bound to or from another bare name
    views: dict[str, frozenset[str]] = field(default_factory=dict)  # a view -> the arrays it may view

    @property
    def copied(self) -> frozenset[str]:
        return frozenset(c.name for c in self.copies)

    @property
    def unknown(self) -> frozenset[str]:
        """Rebound names whose memory paralift cannot tell apart from others'."""
        return self.rebound - self.fresh - self.swapped - self.copied - set(self.views)

    def harmless(self, view: str, touched: set[str], written: set[str]) -> bool:
        """Can a loop that uses the arrays `touched`, writing `written`, meet `view`'s memory
        through another name? A view it only reads is safe from names it only reads; a view
        it writes must be the only name of its memory in the loop. (A view maps distinct
        subscripts to distinct elements, so the view's own accesses are tested as an array.)"""
        others = (touched if view in written else written) - {view}
        return not (self.viewed(view) & self.reaching(others))

    def viewed(self, view: str) -> set[str]:
        """The arrays a view may share memory with, through views of views."""
        seen, todo = set(), [view]
        while todo:
            for base in self.views.get(todo.pop(), ()):
                if base not in seen:
                    seen.add(base)
                    todo.append(base)
        return seen

    def reaching(self, names: set[str]) -> set[str]:
        """`names`, the arrays their views view, and every name copied to or from them."""
        out = set(names) | {b for n in names for b in self.viewed(n)}
        classes = {self.alias.get(n, n) for n in out}
        return out | {n for n, root in self.alias.items() if root in classes}


def in_place(s: ir.Stmt, arrays: set[str], language: str) -> bool:
    """`a += x` on a Python array name: an update of its elements, not a new binding (in C it
    moves a pointer)."""
    return language == "python" and isinstance(s, ir.Assign) and s.op is not None \
        and isinstance(s.target, ir.Name) and s.target.id in arrays


def bindings(kernel: ir.Kernel, env: effects.CallEnv, arrays: set[str]) -> Bindings:
    fresh, swapped, other, copies, views = set(), set(), set(), [], {}
    for s in walk_stmts(kernel.body):
        if isinstance(s, ir.Loop) and s.var in arrays:
            other.add(s.var)
        if not isinstance(s, ir.Assign) or in_place(s, arrays, env.language):
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
            elif not isinstance(s.target, ir.Tuple) and s.op is None \
                    and (bases := viewed_arrays(s.value, arrays, env)) is not None:
                views.setdefault(n, set()).update(bases)
            else:
                other.add(n)
    rebound = fresh | swapped | other | {c.name for c in copies} | set(views)
    copied = {c.name for c in copies}
    mixed = (copied & (fresh | swapped | set(views))) | other
    copies = [c for c in copies if c.name not in mixed and c.source not in swapped | fresh]
    other |= copied - {c.name for c in copies}
    views = {n: frozenset(b) for n, b in views.items() if n not in other | fresh | swapped | copied}
    return Bindings(frozenset(fresh - swapped - other - copied - set(views)), frozenset(swapped - other - copied),
                    tuple(copies), _classes(copies), rebound=frozenset(rebound), views=views,
                    shared=_shared(kernel))


def _shared(kernel: ir.Kernel) -> frozenset[str]:
    """Names a bare `x = y` (or a tuple of them) binds to one object: if that object is an
    array, `x += 1` changes `y` too, though neither is ever subscripted."""
    out = set()
    for s in walk_stmts(kernel.body):
        if isinstance(s, ir.Assign) and s.op is None:
            for target, value in _name_pairs(s.target, s.value):
                out |= {target, value}
    return frozenset(out)


def _name_pairs(target: ir.Expr, value: ir.Expr):
    if isinstance(target, ir.Name) and isinstance(value, ir.Name):
        yield target.id, value.id
    elif isinstance(target, ir.Tuple) and isinstance(value, ir.Tuple) and len(target.elts) == len(value.elts):
        for t, v in zip(target.elts, value.elts):
            yield from _name_pairs(t, v)


def viewed_arrays(e: ir.Expr, arrays: set[str], env: effects.CallEnv) -> set[str] | None:
    """The arrays a value may be a view of (empty: new memory), or None when it may be
    anything (an unknown call's result)."""
    match e:
        case ir.Name(id=n):
            return {n} if n in arrays else set()
        case ir.Access(array=a):
            return _dotted(a, arrays)
        case ir.Attribute(value=v) if isinstance(v, (ir.Name, ir.Attribute)):
            return _dotted(show(e), arrays)   # `a.T` views `a`; `self.data` is an array of its own
        case ir.Attribute(value=v):
            return viewed_arrays(v, arrays, env)   # `np.reshape(a, s).T` views `a`
        case ir.Call():
            got = effects.returns(e, env)
            if got in ("alloc", "new"):
                return set()
            if got != "view":
                return None
            if e.receiver is not None:
                return viewed_arrays(e.receiver, arrays, env)
            owner, dot, _ = e.func.rpartition(".")
            if dot and owner.split(".")[0] not in env.imports:
                return _dotted(owner, arrays)      # `b.reshape(-1)` views `b`
            return viewed_arrays(e.args[0], arrays, env) if e.args else None   # np.reshape(b, -1)
        case ir.Ternary(then=t, orelse=o):
            a, b = viewed_arrays(t, arrays, env), viewed_arrays(o, arrays, env)
            return None if a is None or b is None else a | b
    return set() if effects.is_fresh_array(e, env) or isinstance(e, ir.Const) else None


def _dotted(name: str, arrays: set[str]) -> set[str]:
    """`a.T.real` may share memory with `a.T.real`, `a.T` and `a` (prefixes that are arrays:
    `self.data` is not a view of the object `self`)."""
    parts = name.split(".")
    return {name} | {p for k in range(1, len(parts)) if (p := ".".join(parts[:k])) in arrays}


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
