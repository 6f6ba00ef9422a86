"""Witnesses: concrete values under which a dependence really happens.

The dependence test over-approximates: a condition it cannot model, a subscript that is
not affine, or a slice bound that may be negative is left out, which makes the set of
conflicting iterations larger. So a dependence it finds is only possible. A reason may say
that two accesses *do* touch one element only with a witness: values of the parameters and
of both iterations at which they do. The witness comes from a system that is a subset of
the real conflicts (every condition the accesses run under is in it, every subscript is
compared exactly, slices and indices are inside the arrays), so any point of it is one.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import islpy as isl

from paralift.passes.accesses import AccessRec, is_range
from paralift.passes.isltext import Linear, System, fmt


@dataclass(frozen=True)
class Witness:
    """Parameter values, and the loop variables of the earlier and the later iteration."""
    params: tuple[tuple[str, int], ...]
    earlier: tuple[tuple[str, int], ...]
    later: tuple[tuple[str, int], ...]
    array: str = ""                       # the array both touch

    def describe(self) -> str:
        def values(pairs):
            return ", ".join(f"{n} = {v}" for n, v in pairs)
        lead = f"with {values(self.params)}, " if self.params else ""
        return f"for example {lead}at {values(self.earlier)} and at {values(self.later)}"


def find(analysis, first: AccessRec, second: AccessRec, rows=None) -> Witness | None:
    """A witness that `first` (in an earlier iteration) and `second` touch one element, or
    None when the dependence may be an artefact of what the test left out. `rows`: one of
    them leaves a declared row (C), so the rows up to `rows.dim` compare as one offset."""
    if not (_runs_exactly(analysis, first) and _runs_exactly(analysis, second)):
        return None
    # a slice bound counted from the end (`1:-1`) ties the witness to a length: tried last
    return _attempt(analysis, first, second, rows, False) or _attempt(analysis, first, second, rows, True)


def _attempt(analysis, first: AccessRec, second: AccessRec, rows, from_end: bool) -> Witness | None:
    system = analysis.pair_system(first, second)
    cons = _conditions(analysis, first, "a", system) + _conditions(analysis, second, "b", system)
    shaping = set(system.params)  # what the values depend on; an extent that only bounds
    joined = -1 if rows is None else rows.dim
    same = _same_element(analysis, first, second, system, shaping, joined, from_end)  # an index: not shown
    inside = _in_bounds(analysis, first, "a", system, joined) + _in_bounds(analysis, second, "b", system, joined)
    if None in cons or same is None or None in inside:
        return None
    if any(not _settable(analysis, p) for p in system.params):
        return None
    point = isl.Set(system.text(cons + same + inside)).sample_point()
    if point.is_void():
        return None
    return replace(_named(analysis, system, point, shaping), array=first.array)


def _settable(analysis, param: str) -> bool:
    """A value the caller chooses: an argument, a global, or an array's extent. (A value the
    kernel computes, or a product standing for one, would make the witness a mere guess.)"""
    key = next((k for k, v in analysis.param_names.items() if v == param), None)
    return key is not None and (key[0] == "ext" or (key[0] == "v" and key[2] == 0))


def _runs_exactly(analysis, acc: AccessRec) -> bool:
    """Every instance in the modelled domain runs: no unmodelled condition, exit or while
    loop, and every enclosing loop's bounds and step are known."""
    if not acc.exact or len(acc.regions) != len(acc.loops):
        return False
    for uid in acc.loops:
        info = analysis.ka.loops[uid]
        if info.step is None or info.has_break or info.lower is None or info.upper is None:
            return False
    return True


def _conditions(analysis, acc: AccessRec, tag: str, system: System) -> list[str | None]:
    """The loop bounds and the enclosing `if`s, all of which must be linear."""
    out: list[str | None] = []
    for uid in acc.loops:
        info = analysis.ka.loops[uid]
        lo, hi = analysis.linear(info.lower, tag, system), analysis.linear(info.upper, tag, system)
        if lo is None or hi is None:
            return [None]
    for g in acc.guards:
        lin = analysis.linear(g.expr, tag, system)
        if lin is None:
            return [None]
        e = fmt(lin)
        out.append({">=": f"{e} >= 0", "==": f"{e} = 0"}.get(g.relation, f"({e} < 0 or {e} > 0)"))
    return out


def _flat_equal(analysis, first: AccessRec, second: AccessRec, joined: int, system: System,
                shaping: set[str]) -> list[str] | None:
    """Dimensions 0..joined at one flat offset. A symbolic extent (`m` in `b[n][m]`) is
    fixed to a small value for the witness, which makes the offset linear."""
    sizes = []
    for e in analysis.ka.declared.get(first.array, ())[1:joined + 1]:
        lin = None if e is None or e.size is None else analysis.linear(e.size, "a", system)
        if lin is None or any(k and not k.startswith("p") for k in lin):
            return None
        value = lin.get("", 0) if len(lin) <= 1 and "" in lin or not lin else None
        if value is None:  # a parameter: give it a value
            system.cons.append(f"{fmt(lin)} = 3")
            shaping.update(k for k in lin if k)
            value = 3
        sizes.append(value)
    flats = []
    for acc, tag in ((first, "a"), (second, "b")):
        lins = [None if is_range(sub) or sub is None else analysis.linear(sub, tag, system)
                for sub in acc.subs[:joined + 1]]
        if None in lins:
            return None
        flat: Linear = {}
        for k, lin in enumerate(lins):
            stride = 1
            for size in sizes[k:]:
                stride *= size
            for name, c in lin.items():
                flat[name] = flat.get(name, 0) + c * stride
        flats.append(fmt(flat))
    return [f"{flats[0]} = {flats[1]}", f"{flats[0]} >= 0"]


def _in_bounds(analysis, acc: AccessRec, tag: str, system: System, joined: int = -1) -> list[str | None]:
    """Every subscript of the access inside its array (else the original raises first);
    dimensions up to `joined` run together, and only their flat offset counts."""
    out: list[str | None] = []
    for d, sub in enumerate(acc.subs or ()):
        if sub is None or is_range(sub) or d <= joined:
            continue
        lin = analysis.linear(sub, tag, system)
        n = analysis.extent(acc.array, d, tag, system)
        if lin is None:
            return [None]
        low = f"-{n}" if analysis.ka.wraps and n is not None else "0"  # Python: a[-n] is a[0]
        out += [f"{fmt(lin)} >= {low}"] + ([f"{fmt(lin)} < {n}"] if n is not None else [])
    return out


def _same_element(analysis, first: AccessRec, second: AccessRec, system: System,
                  shaping: set[str], joined: int = -1, from_end: bool = False) -> list[str] | None:
    """Both touch element x, in bounds, along every dimension they both subscript (the
    first `joined + 1` as one flat offset, where the extents are numbers)."""
    if first.subs is None or second.subs is None:
        return []  # a whole-array use touches every element
    out = []
    if joined >= 0:
        out = _flat_equal(analysis, first, second, joined, system, shaping)
        if out is None:
            return None
    for d, (s1, s2) in enumerate(zip(first.subs, second.subs)):
        if d <= joined:
            continue
        x = system.var(f"x{len(system.vars)}")
        n = analysis.extent(first.array, d, "a", system)
        out += [f"{x} >= 0"] + ([f"{x} < {n}"] if n is not None else [])
        for acc, sub, tag in ((first, s1, "a"), (second, s2, "b")):
            got = _at(analysis, (acc, d), sub, tag, x, n, system, shaping, from_end)
            if got is None:
                return None
            out += got
    return out


def _at(analysis, where: tuple[AccessRec, int], sub, tag: str, x: str, n: str | None, system: System,
        shaping: set[str], from_end: bool = False) -> list[str] | None:
    """`sub` (a subscript or a slice) selects index `x`, exactly (`shaping` collects the
    parameters the selection depends on)."""
    if sub is None:
        return None
    if is_range(sub):
        lo = None if sub.lower is None else analysis.linear(sub.lower, tag, system)
        hi = None if sub.upper is None else analysis.linear(sub.upper, tag, system)
        if lo is None or (sub.upper is not None and hi is None) or (sub.upper is None and n is None):
            return None
        shaping.update(set(lo) | set(hi or {}))
        end = n if from_end else None
        return [_bound(fmt(lo), ">=", x, end, shaping)] + ([_bound(fmt(hi), "<", x, end, shaping)] if hi else [])
    lin: Linear | None = analysis.linear(sub, tag, system)
    if lin is None:
        return None
    shaping.update(lin)
    if not analysis.ka.wraps:
        return [f"{x} = {fmt(lin)}"]
    real = analysis.real_index(*where, lin, tag, system)  # a negative index counts from the end
    if real is None:
        return [f"{fmt(lin)} >= 0", f"{x} = {fmt(lin)}"]
    if real != fmt(lin) and n is not None:
        shaping.add(n)  # which element `-1` is depends on the length
    return [f"{x} = {real}"]


def _bound(b: str, rel: str, x: str, n: str | None, shaping: set[str]) -> str:
    """`x` on the `rel` side of a slice bound `b`; a negative `b` counts from the end (`1:-1`),
    which takes the length `n` (then part of what the witness depends on)."""
    if n is None:
        return f"{b} >= 0 and {x} {rel} {b}"
    shaping.add(n)
    return f"(({b} >= 0 and {x} {rel} {b}) or ({b} < 0 and {b} + {n} >= 0 and {x} {rel} {b} + {n}))"


def _named(analysis, system: System, point, shown: set[str]) -> Witness:
    names = {v: k for k, v in analysis.param_names.items()}
    space = point.get_space()
    params, earlier, later = [], [], []
    for k in range(space.dim(isl.dim_type.param)):
        name = space.get_dim_name(isl.dim_type.param, k)
        key = names.get(name)
        if key is not None and (key[0] != "ext" or name in shown):
            params.append((_param_text(key), point.get_coordinate_val(isl.dim_type.param, k).to_python()))
    for k, var in enumerate(system.vars):
        value = point.get_coordinate_val(isl.dim_type.set, k).to_python()
        if var[0] in "ab" and var[1:].isdigit():
            loop = analysis.ka.loops[int(var[1:])].node.var
            (earlier if var[0] == "a" else later).append((loop, value))
        elif var[0] == "o" and var[1:].isdigit():
            shared = (analysis.ka.loops[int(var[1:])].node.var, value)
            earlier.append(shared)
            later.append(shared)
    params = sorted(set(params), key=lambda p: ("(" in p[0] or "." in p[0], p[0]))  # arguments, then extents
    return Witness(tuple(params), tuple(earlier), tuple(later))


def _param_text(key: tuple) -> str:
    if key[0] == "ext":
        return f"len({key[1]})" if key[2] == 0 else f"{key[1]}.shape[{key[2]}]"
    return str(key[1])
