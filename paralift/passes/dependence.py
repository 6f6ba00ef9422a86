"""Array dependence per loop level, decided exactly by isl on affine subscripts.

For a loop L and two accesses to one array (one a write) inside it, the dependence is
carried at L when there are two instances with the same iterations of the loops around L,
different iterations of L, and the same element. We build that integer set and ask isl
whether it is empty. Every approximation only adds instances (a subscript that is not
affine, a bound that is not affine, a slice: the constraint is dropped), so "empty" is
always a proof. Python's negative indices are modelled: `a[s]` with `s < 0` is element
`s + len(a)`.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import prod

from paralift.ir import nodes as ir
from paralift.ir import poly
from paralift.ir.poly import Poly
from paralift.ir.walk import subexprs
from paralift.passes import witness
from paralift.passes.accesses import is_range, AccessRec, KernelAccesses
from paralift.passes.witness import Witness
from paralift.passes.bounds import Leaving, leaving
from paralift.passes.isltext import Linear, System, empty, fmt, is_var, linearize, single_value



@dataclass(frozen=True)
class Dependence:
    array: str
    earlier: AccessRec   # the access in the earlier iteration of the loop
    later: AccessRec
    distance: int | None  # later - earlier in loop-index units, when constant
    reduction: str | None  # operator when both are the same reduction update
    rows: Leaving | None = None  # C: one of them leaves a dimension into another row
    witness: Witness | None = None  # values at which it surely happens (else it only may)


class LevelAnalysis:
    """Dependences carried by one loop, given the kernel's collected accesses."""

    def __init__(self, ka: KernelAccesses, level: int | None, param_names: dict):
        self.ka = ka
        self.level = level
        self.outer = set(ka.loops[level].loops) if level is not None else set()
        self.param_names = param_names
        self._memo: dict[tuple, Poly | None] = {}

    # ---------------------------------------------------------- naming
    def index_var(self, uid: int, tag: str) -> str:
        return f"o{uid}" if uid in self.outer else f"{tag}{uid}"

    def trip_var(self, uid: int, tag: str) -> str:
        return f"to{uid}" if uid in self.outer else f"t{tag}{uid}"

    def param(self, key: tuple) -> str:
        if key not in self.param_names:
            self.param_names[key] = f"p{len(self.param_names)}"
        return self.param_names[key]

    # ---------------------------------------------------------- symbols
    def resolve(self, key: tuple, tag: str) -> Poly | None:
        memo_key = (key, tag)
        if memo_key not in self._memo:
            self._memo[memo_key] = None  # a cycle (never expected) resolves to unknown
            self._memo[memo_key] = self._resolve(key, tag)
        return self._memo[memo_key]

    def _resolve(self, key: tuple, tag: str) -> Poly | None:
        if key[0] == "loop":
            return poly.sym(self.index_var(key[1], tag))
        if key[0] == "ext":
            return poly.sym(self.param(key))
        info = self.ka.syms[key]
        if info.varying:
            return None
        if info.value is not None:
            return poly.substitute(info.value, lambda s: self.resolve(s, tag))
        if info.induction is not None:
            uid, step, init = info.induction
            start = self.resolve(init, tag)
            if start is None:
                return None
            return poly.add(start, poly.scale(poly.sym(self.trip_var(uid, tag)), step))
        if self.level is not None and self.level in info.defined_in:
            return None  # changes from one iteration of the loop to the next
        return poly.sym(self.param(key))

    def linear(self, p: Poly | None, tag: str, system: System) -> Linear | None:
        """Resolve symbols; products of parameters become one parameter; else None."""
        if p is None:
            return None
        q = poly.substitute(p, lambda s: self.resolve(s, tag))
        return None if q is None else linearize(q, system)

    # ---------------------------------------------------------- domains
    def domain(self, acc: AccessRec, tag: str, system: System) -> None:
        for uid in acc.loops:
            info = self.ka.loops[uid]
            v = system.var(self.index_var(uid, tag))
            t = system.var(self.trip_var(uid, tag))
            system.cons.append(f"{t} >= 0")
            if info.step is None:
                continue
            lo = self.linear(info.lower, tag, system)
            hi = self.linear(info.upper, tag, system)
            if lo is not None:
                system.cons.append(f"{v} = {fmt(lo)} + {info.step}*{t}")
            if hi is not None:
                system.cons.append(f"{v} {'<' if info.step > 0 else '>'} {fmt(hi)}")
            for bound, rel in [(b, ">=") for b in info.floors] + [(b, "<") for b in info.ceilings]:
                lin = self.linear(bound, tag, system)
                if lin is not None:
                    system.cons.append(f"{v} {rel} {fmt(lin)}")

    def pair_system(self, first: AccessRec, second: AccessRec) -> System:
        """Instances of `first` in an earlier iteration of the level than `second`."""
        system = System()
        self.domain(first, "a", system)
        self.domain(second, "b", system)
        if self.level is not None:
            info = self.ka.loops[self.level]
            lo = self.linear(info.lower, "a", system)
            if info.step is not None and lo is not None:
                system.cons.append(f"ta{self.level} < tb{self.level}")
            else:
                system.cons.append(f"a{self.level} < b{self.level}")
        return system

    def same_element(self, first: AccessRec, second: AccessRec, system: System,
                     rows: Leaving | None = None) -> list[str]:
        """Constraints that the two accesses touch the same element (`rows`: one of them
        leaves a dimension, so dimensions up to that one are compared as one offset)."""
        if first.subs is None or second.subs is None:
            return []
        joined = rows.dim if rows is not None else -1
        cons = self.flat_equal(first, second, joined, system) if rows is not None else []
        for d, (s1, s2) in enumerate(zip(first.subs, second.subs)):
            if d <= joined or s1 is None or s2 is None:
                continue
            if is_range(s1) or is_range(s2):
                cons += self.range_meets(first, second, d, s1, s2, system)
            else:
                cons += self.dim_equal(first, second, d, s1, s2, system)
        return cons

    def range_meets(self, first: AccessRec, second: AccessRec, d: int, s1, s2, system: System) -> list[str]:
        """One index `x` along `d` that both touch: inside a slice's bounds, or equal to a
        subscript's (wrapped) index. A bound or index without a linear form says nothing."""
        x = system.var(f"x{len(system.vars)}")
        cons = [f"{x} >= 0"]
        for acc, sub, tag in ((first, s1, "a"), (second, s2, "b")):
            if is_range(sub):
                cons += self.within(sub, x, tag, system)
                continue
            lin = self.linear(sub, tag, system)
            r = None if lin is None else self.real_index(acc, d, lin, tag, system)
            if r is not None:
                cons.append(f"{x} = {r}")
        return cons

    def within(self, rng, x: str, tag: str, system: System) -> list[str]:
        """`lower <= x < upper`, each where the bound is non-negative (Python counts a
        negative one from the end; then `x` is only known to be an index)."""
        out = []
        for bound, rel in ((rng.lower, ">="), (rng.upper, "<")):
            lin = None if bound is None else self.linear(bound, tag, system)
            if lin is not None:
                b = fmt(lin)
                out.append(f"({b} < 0 or {x} {rel} {b})" if self.ka.wraps else f"{x} {rel} {b}")
        return out

    def rows_joined(self, first: AccessRec, second: AccessRec) -> Leaving | None:
        """C: the access of the two that leaves the innermost declared dimension, if one does,
        which runs the rows around it together."""
        if not self.ka.declared:
            return None
        alone = LevelAnalysis(self.ka, None, self.param_names)
        out = [x for x in (leaving(alone, first), leaving(alone, second)) if x is not None]
        return max(out, key=lambda x: x.dim, default=None)

    def flat_equal(self, first: AccessRec, second: AccessRec, joined: int, system: System) -> list[str]:
        """Dimensions 0..joined compared as one flat offset, where the extents are numbers."""
        extents = self.ka.declared[first.array]
        sizes = [poly.constant_value(e.size) if e is not None and e.size is not None else None
                 for e in extents[1:joined + 1]]
        if any(x is None for x in sizes):
            return []
        flats = []
        for acc, tag in ((first, "a"), (second, "b")):
            lins = [self.linear(s, tag, system) if not is_range(s) else None for s in acc.subs[:joined + 1]]
            if any(x is None for x in lins):
                return []
            flat: Linear = {}
            for lin, stride in zip(lins, [prod(sizes[k:]) for k in range(joined + 1)]):
                for name, c in lin.items():
                    flat[name] = flat.get(name, 0) + c * stride
            flats.append(fmt(flat))
        return [f"{flats[0]} = {flats[1]}"]

    def dim_equal(self, first, second, d, s1: Poly, s2: Poly, system: System) -> list[str]:
        l1, l2 = self.linear(s1, "a", system), self.linear(s2, "b", system)
        if l1 is not None and l2 is not None:
            r1 = self.real_index(first, d, l1, "a", system)
            r2 = self.real_index(second, d, l2, "b", system)
            return [] if r1 is None or r2 is None else [f"{r1} = {r2}"]
        return self.delinearized(s1, s2, system) or self.difference(s1, s2, system)

    def extent(self, array: str, d: int, tag: str, system: System) -> str | None:
        """The length of `array` along `d`: its allocation's size, or a parameter."""
        shape = self.ka.shapes.get(array, ())
        if shape:
            lin = self.linear(shape[d], tag, system) if d < len(shape) and shape[d] is not None else None
            return None if lin is None else fmt(lin)
        if array in self.ka.shapes or array not in _extents_ok(self.ka):
            return None
        n = self.param(("ext", array, d))
        system.params.add(n)
        return n

    def real_index(self, acc: AccessRec, d: int, lin: Linear, tag: str, system: System,
                   in_bounds: bool = False) -> str | None:
        """The element index `lin` denotes, wrapping negative values as Python does.

        `in_bounds` also states that the index is valid: a read that is not raises, in the
        original program as in any other."""
        s = fmt(lin)
        if self.never_negative(acc, d):
            n = self.extent(acc.array, d, tag, system) if in_bounds else None
            if n is not None:
                system.cons.append(f"{s} < {n}")
            return s
        n = self.extent(acc.array, d, tag, system)
        if n is None:
            return None
        r = system.var(f"r{tag}{len(system.vars)}")
        system.cons.append(f"(({s} >= 0 and {r} = {s}) or ({s} < 0 and {r} = {s} + {n}))")
        system.cons.append(f"0 <= {r} < {n}")
        return r

    def never_negative(self, acc: AccessRec, d: int) -> bool:
        """Can this subscript never wrap around? (Always so in C, where it cannot wrap.)"""
        if not self.ka.wraps:
            return True
        key = (acc.uid, d)
        cache = self.ka.__dict__.setdefault("_nonneg", {})
        if key not in cache:
            alone = LevelAnalysis(self.ka, None, self.param_names)
            system = System()
            alone.domain(acc, "a", system)
            lin = alone.linear(acc.subs[d], "a", system)
            cache[key] = lin is not None and empty(system.text([f"{fmt(lin)} < 0"]))
        return cache[key]

    def delinearized(self, s1: Poly, s2: Poly, system: System) -> list[str]:
        """`i * m + j` and `i2 * m + j2` with `0 <= j, j2 < m` are equal iff i = i2, j = j2."""
        q1 = poly.substitute(s1, lambda s: self.resolve(s, "a"))
        q2 = poly.substitute(s2, lambda s: self.resolve(s, "b"))
        if q1 is None or q2 is None:
            return []
        stride = _common_stride(q1, q2)
        if stride is None:
            return []
        parts = []
        for q in (q1, q2):
            high = {tuple(x for x in m if x != stride): c for m, c in q.items() if stride in m}
            low = {m: c for m, c in q.items() if stride not in m}
            hl, ll = linearize(high, system), linearize(low, system)
            if hl is None or ll is None:
                return []
            parts.append((fmt(hl), fmt(ll)))
        system.params.add(stride)
        (h1, l1), (h2, l2) = parts
        outside = [f"{l1} < 0", f"{l1} >= {stride}", f"{l2} < 0", f"{l2} >= {stride}"]
        if self.ka.wraps:  # a negative linear index would wrap around as a whole
            outside += [f"{h1} < 0", f"{h2} < 0"]
        if not empty(system.text([f"({' or '.join(outside)})"])):
            return []
        return [f"{h1} = {h2}", f"{l1} = {l2}"]

    def difference(self, s1: Poly, s2: Poly, system: System) -> list[str]:
        """Equal subscripts whose non-linear terms cancel: `i*m + j` vs `i*m + j2` at `j`.

        Only when neither side can be negative, so no Python index wraps around."""
        q1 = poly.substitute(s1, lambda s: self.resolve(s, "a"))
        q2 = poly.substitute(s2, lambda s: self.resolve(s, "b"))
        if q1 is None or q2 is None:
            return []
        diff = linearize(poly.add(q1, q2, -1), system)
        if diff is None:
            return []
        if self.ka.wraps and not (self.nonneg(q1, system) and self.nonneg(q2, system)):
            return []
        return [f"{fmt(diff)} = 0"]

    def nonneg(self, q: Poly, system: System) -> bool:
        """A sum of products of provably non-negative symbols with positive coefficients."""
        symbols = {x for m in q for x in m}
        if any(c < 0 for m, c in q.items()):
            return False
        for x in symbols:
            if not is_var(x):
                system.params.add(x)
            if not empty(system.text([f"{x} < 0"])):
                return False
        return True

    # ---------------------------------------------------------- queries
    def carried(self, first: AccessRec, second: AccessRec, joined: bool = False) -> Dependence | None:
        """A dependence from `first` (earlier iteration) to `second`, if one exists.
        `joined`: where one of them leaves a declared dimension, a dependence through the
        rows it runs together (ask this only when there is none within the rows)."""
        rows = self.rows_joined(first, second) if joined else None
        if joined and rows is None:
            return None
        system = self.pair_system(first, second)
        same = self.same_element(first, second, system, rows)
        if empty(system.text(same)):
            return None
        reduction = first.update if first.update is not None and first.update == second.update else None
        if reduction and not (self.reducible(first) and self.reducible(second)):
            reduction = None
        seen = witness.find(self, first, second, rows) if reduction is None else None
        return Dependence(first.array, first, second, self.distance(system, same), reduction, rows, seen)

    def reducible(self, acc: AccessRec) -> bool:
        """Can the updated elements be named as a section of the array (OpenMP's
        `reduction(+:y[0:n])`, or a private copy of `y`)? Data-dependent subscripts
        (`hist[keys[i]]`) are valid indices; computed ones must be provably non-negative:
        `y[i * incy]` with an unknown stride may reach anywhere."""
        if acc.subs is None or not isinstance(acc.node, ir.Access):
            return False
        for index, sub in zip(acc.node.indices, acc.subs):
            if any(isinstance(x, ir.Access) for x in subexprs(index)):
                continue
            if sub is None or (is_range(sub) and sub.lower is None):
                return False
            bounds = [b for b in (sub.lower, sub.upper) if b is not None] if is_range(sub) else [sub]
            if not all(self.never_below_zero(acc, b) for b in bounds):
                return False  # (a slice's bounds too: a negative one counts from the end)
        return True

    def never_below_zero(self, acc: AccessRec, p: Poly) -> bool:
        """Is `p` non-negative wherever the access runs? A value the analysis cannot follow
        (`k = int(x / w)`) is any integer, but one the access's conditions bound
        (`if 0 <= k < bins:`)."""
        system = System()
        alone = LevelAnalysis(self.ka, None, self.param_names)
        alone.domain(acc, "a", system)
        unknown: dict = {}

        def resolve(s):
            got = alone.resolve(s, "a")
            return got if got is not None else poly.sym(unknown.setdefault(s, f"u{len(unknown)}"))
        q = poly.substitute(p, resolve)
        if q is None:
            return False
        guards = [(linearize(g, system), rel) for g, rel in
                  ((poly.substitute(g.expr, resolve), g.relation) for g in acc.guards) if g is not None]
        cons = [f"{fmt(lin)} >= 0" if rel == ">=" else f"{fmt(lin)} = 0" for lin, rel in guards
                if lin is not None and rel in (">=", "==")]
        lin = linearize(q, system)
        if lin is not None:
            return empty(system.text(cons + [f"{fmt(lin)} < 0"]))
        return not unknown and alone.nonneg(q, system)

    def distance(self, system: System, same: list[str]) -> int | None:
        if self.level is None:
            return None
        a, b = f"a{self.level}", f"b{self.level}"
        inner = " and ".join(system.cons + same + [f"d = {b} - {a}"])
        params = ", ".join(sorted(system.params))
        return single_value(f"[{params}] -> {{ [d] : exists ({', '.join(system.vars)} : {inner}) }}")


def _extents_ok(ka: KernelAccesses) -> set[str]:
    """Arrays whose length is a fixed parameter (not rebound, not an attribute)."""
    return ka.__dict__.setdefault("_fixed_arrays", {
        a.array for a in ka.accesses if "." not in a.array}) - _rebound(ka)


def _rebound(ka: KernelAccesses) -> set[str]:
    return {key[1] for key, info in ka.syms.items() if key[0] == "v" and key[2] > 0}


def _common_stride(q1: Poly, q2: Poly) -> str | None:
    """A parameter present in every non-linear monomial of both polynomials."""
    nonlinear = [set(m) for q in (q1, q2) for m in q if len(m) > 1]
    if not nonlinear:
        return None
    common = set.intersection(*nonlinear)
    params = sorted(x for x in common if not is_var(x))
    for p in params:
        if all(len(m) == 2 for m in nonlinear):
            return p
    return None
