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

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import islpy as isl

from paralift.ir import nodes as ir
from paralift.ir import poly
from paralift.ir.poly import Poly
from paralift.ir.walk import subexprs
from paralift.passes.accesses import SLICE, AccessRec, KernelAccesses

Linear = dict[str, int]  # isl name -> coefficient, "" -> constant


@lru_cache(maxsize=65536)
def _empty(text: str) -> bool:
    return isl.Set(text).is_empty()


@lru_cache(maxsize=4096)
def _single_value(text: str) -> int | None:
    """The one value of a 1-d set, if it has exactly one for every parameter value."""
    s = isl.Set(text)
    if s.is_empty():
        return None
    point = s.sample_point()
    v = point.get_coordinate_val(isl.dim_type.set, 0).to_python()
    params = text.split("->")[0] if "->" in text else ""
    single = isl.Set(f"{params} -> {{ [{v}] }}" if params else f"{{ [{v}] }}")
    return v if s.is_subset(single) else None


@dataclass(frozen=True)
class Dependence:
    array: str
    earlier: AccessRec   # the access in the earlier iteration of the loop
    later: AccessRec
    distance: int | None  # later - earlier in loop-index units, when constant
    reduction: str | None  # operator when both are the same reduction update


class _System:
    """Constraints of one query, in isl's text syntax."""

    def __init__(self):
        self.vars: list[str] = []
        self.params: set[str] = set()
        self.cons: list[str] = []

    def var(self, name: str) -> str:
        if name not in self.vars:
            self.vars.append(name)
        return name

    def text(self, extra: Iterable[str] = ()) -> str:
        cons = " and ".join(self.cons + list(extra)) or "true"
        params = ", ".join(sorted(self.params))
        return f"[{params}] -> {{ [{', '.join(self.vars)}] : {cons} }}"


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

    def linear(self, p: Poly | None, tag: str, system: _System) -> Linear | None:
        """Resolve symbols; products of parameters become one parameter; else None."""
        if p is None:
            return None
        q = poly.substitute(p, lambda s: self.resolve(s, tag))
        return None if q is None else _linearize(q, system)

    # ---------------------------------------------------------- domains
    def domain(self, acc: AccessRec, tag: str, system: _System) -> None:
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
                system.cons.append(f"{v} = {_fmt(lo)} + {info.step}*{t}")
            if hi is not None:
                system.cons.append(f"{v} {'<' if info.step > 0 else '>'} {_fmt(hi)}")

    def pair_system(self, first: AccessRec, second: AccessRec) -> _System:
        """Instances of `first` in an earlier iteration of the level than `second`."""
        system = _System()
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

    def same_element(self, first: AccessRec, second: AccessRec, system: _System) -> list[str]:
        """Constraints that the two accesses touch the same element."""
        if first.subs is None or second.subs is None:
            return []
        cons: list[str] = []
        for d, (s1, s2) in enumerate(zip(first.subs, second.subs)):
            if s1 is SLICE or s2 is SLICE or s1 is None or s2 is None:
                continue
            cons += self.dim_equal(first, second, d, s1, s2, system)
        return cons

    def dim_equal(self, first, second, d, s1: Poly, s2: Poly, system: _System) -> list[str]:
        l1, l2 = self.linear(s1, "a", system), self.linear(s2, "b", system)
        if l1 is not None and l2 is not None:
            r1 = self.real_index(first, d, l1, "a", system)
            r2 = self.real_index(second, d, l2, "b", system)
            return [] if r1 is None or r2 is None else [f"{r1} = {r2}"]
        return self.delinearized(s1, s2, system) or self.difference(s1, s2, system)

    def extent(self, array: str, d: int, tag: str, system: _System) -> str | None:
        """The length of `array` along `d`: its allocation's size, or a parameter."""
        shape = self.ka.shapes.get(array, ())
        if shape:
            lin = self.linear(shape[d], tag, system) if d < len(shape) and shape[d] is not None else None
            return None if lin is None else _fmt(lin)
        if array in self.ka.shapes or array not in _extents_ok(self.ka):
            return None
        n = self.param(("ext", array, d))
        system.params.add(n)
        return n

    def real_index(self, acc: AccessRec, d: int, lin: Linear, tag: str, system: _System,
                   in_bounds: bool = False) -> str | None:
        """The element index `lin` denotes, wrapping negative values as Python does.

        `in_bounds` also states that the index is valid: a read that is not raises, in the
        original program as in any other."""
        s = _fmt(lin)
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
            system = _System()
            alone.domain(acc, "a", system)
            lin = alone.linear(acc.subs[d], "a", system)
            cache[key] = lin is not None and _empty(system.text([f"{_fmt(lin)} < 0"]))
        return cache[key]

    def delinearized(self, s1: Poly, s2: Poly, system: _System) -> list[str]:
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
            hl, ll = _linearize(high, system), _linearize(low, system)
            if hl is None or ll is None:
                return []
            parts.append((_fmt(hl), _fmt(ll)))
        system.params.add(stride)
        (h1, l1), (h2, l2) = parts
        outside = [f"{l1} < 0", f"{l1} >= {stride}", f"{l2} < 0", f"{l2} >= {stride}"]
        if self.ka.wraps:  # a negative linear index would wrap around as a whole
            outside += [f"{h1} < 0", f"{h2} < 0"]
        if not _empty(system.text([f"({' or '.join(outside)})"])):
            return []
        return [f"{h1} = {h2}", f"{l1} = {l2}"]

    def difference(self, s1: Poly, s2: Poly, system: _System) -> list[str]:
        """Equal subscripts whose non-linear terms cancel: `i*m + j` vs `i*m + j2` at `j`.

        Only when neither side can be negative, so no Python index wraps around."""
        q1 = poly.substitute(s1, lambda s: self.resolve(s, "a"))
        q2 = poly.substitute(s2, lambda s: self.resolve(s, "b"))
        if q1 is None or q2 is None:
            return []
        diff = _linearize(poly.add(q1, q2, -1), system)
        if diff is None:
            return []
        if self.ka.wraps and not (self.nonneg(q1, system) and self.nonneg(q2, system)):
            return []
        return [f"{_fmt(diff)} = 0"]

    def nonneg(self, q: Poly, system: _System) -> bool:
        """A sum of products of provably non-negative symbols with positive coefficients."""
        symbols = {x for m in q for x in m}
        if any(c < 0 for m, c in q.items()):
            return False
        for x in symbols:
            if not _is_var(x):
                system.params.add(x)
            if not _empty(system.text([f"{x} < 0"])):
                return False
        return True

    # ---------------------------------------------------------- queries
    def carried(self, first: AccessRec, second: AccessRec) -> Dependence | None:
        """A dependence from `first` (earlier iteration) to `second`, if one exists."""
        system = self.pair_system(first, second)
        same = self.same_element(first, second, system)
        if _empty(system.text(same)):
            return None
        reduction = first.update if first.update is not None and first.update == second.update else None
        if reduction and not (self.reducible(first) and self.reducible(second)):
            reduction = None
        return Dependence(first.array, first, second, self.distance(system, same), reduction)

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
            if sub is None or sub is SLICE:
                return False
            system = _System()
            alone = LevelAnalysis(self.ka, None, self.param_names)
            alone.domain(acc, "a", system)
            q = poly.substitute(sub, lambda s: alone.resolve(s, "a"))
            if q is None:
                return False
            lin = _linearize(q, system)
            if lin is not None:
                if not _empty(system.text([f"{_fmt(lin)} < 0"])):
                    return False
            elif not alone.nonneg(q, system):
                return False
        return True

    def distance(self, system: _System, same: list[str]) -> int | None:
        if self.level is None:
            return None
        a, b = f"a{self.level}", f"b{self.level}"
        inner = " and ".join(system.cons + same + [f"d = {b} - {a}"])
        params = ", ".join(sorted(system.params))
        return _single_value(f"[{params}] -> {{ [d] : exists ({', '.join(system.vars)} : {inner}) }}")


def _extents_ok(ka: KernelAccesses) -> set[str]:
    """Arrays whose length is a fixed parameter (not rebound, not an attribute)."""
    return ka.__dict__.setdefault("_fixed_arrays", {
        a.array for a in ka.accesses if "." not in a.array}) - _rebound(ka)


def _rebound(ka: KernelAccesses) -> set[str]:
    return {key[1] for key, info in ka.syms.items() if key[0] == "v" and key[2] > 0}


def _is_var(name: str) -> bool:
    return name[0] in "oabtr"


def _linearize(q: Poly, system: _System) -> Linear | None:
    out: Linear = {}
    for m, c in q.items():
        if not m:
            out[""] = out.get("", 0) + c
            continue
        if len(m) > 1 and any(_is_var(x) for x in m):
            return None
        name = m[0] if len(m) == 1 else "q_" + "_".join(m)
        if not _is_var(name):
            system.params.add(name)
        out[name] = out.get(name, 0) + c
    return out


def _common_stride(q1: Poly, q2: Poly) -> str | None:
    """A parameter present in every non-linear monomial of both polynomials."""
    nonlinear = [set(m) for q in (q1, q2) for m in q if len(m) > 1]
    if not nonlinear:
        return None
    common = set.intersection(*nonlinear)
    params = sorted(x for x in common if not _is_var(x))
    for p in params:
        if all(len(m) == 2 for m in nonlinear):
            return p
    return None


def _fmt(lin: Linear) -> str:
    terms = [f"{c}*{n}" if c != 1 else n for n, c in sorted(lin.items()) if n and c]
    const = lin.get("", 0)
    if const or not terms:
        terms.append(str(const))
    return "(" + " + ".join(terms) + ")"
