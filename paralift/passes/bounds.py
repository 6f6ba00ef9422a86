"""C: subscripts that leave their declared dimension.

C lays the rows of `double b[n][m]` end to end, so `b[i][j - 1]` at `j = 0` is
`b[i - 1][m - 1]`: an element of another row, which a dimension-by-dimension dependence
test never meets. Leaving a dimension is undefined behaviour, and like GCC and Clang the
analysis assumes that a subscript stays inside it, unless that is disproved: when every
size that runs the access makes some instance of it leave, the program relies on the rows
running together, and the access is compared with others as the flat offset it is.
"""
from __future__ import annotations

from dataclasses import dataclass

import islpy as isl

from paralift.ir.printer import expr as show
from paralift.passes.accesses import is_range, AccessRec, Extent
from paralift.passes.isltext import System, fmt, single_value


@dataclass(frozen=True)
class Leaving:
    """The innermost dimension an access provably leaves, with an index it reaches there."""
    access: AccessRec
    dim: int
    index: str        # an out-of-range index it reaches, as text: `-1`, `m`
    extent: str       # the declared extent of that dimension, as text
    certain: bool     # no condition the analysis cannot see decides whether it runs

    def describe(self) -> str:
        may = "" if self.certain else "may "
        return (f"`{show(self.access.node)}` (line {self.access.node.span.line}) {may}"
                f"reach{'' if may else 'es'} index {self.index} of a dimension of {self.extent} "
                "elements: an element of another row")


def leaving(analysis, acc: AccessRec) -> Leaving | None:
    """Where `acc` leaves a declared inner dimension (`analysis`: a LevelAnalysis of no level)."""
    cache = analysis.ka.__dict__.setdefault("_leaving", {})
    if acc.uid not in cache:
        cache[acc.uid] = _leaving(analysis, acc)
    return cache[acc.uid]


def _leaving(analysis, acc: AccessRec) -> Leaving | None:
    extents = analysis.ka.declared.get(acc.array, ())
    if acc.subs is None or len(acc.subs) > len(extents):
        return None
    for d in range(len(acc.subs) - 1, 0, -1):  # dimension 0 has no row before or after it
        found = _leaves(analysis, acc, d, extents[d])
        if found is not None:
            return found
    return None


def _leaves(analysis, acc: AccessRec, d: int, extent: Extent | None) -> Leaving | None:
    sub = acc.subs[d]
    if sub is None or is_range(sub):
        return None
    system = System()
    analysis.domain(acc, "a", system)
    # a condition, bound or exit left out makes the domain larger: then it only may leave
    certain = acc.exact and all(_exact_loop(analysis, analysis.ka.loops[u], system) for u in acc.loops)
    for g in acc.guards:
        lin = analysis.linear(g.expr, "a", system)
        if lin is None:
            certain = False
            continue
        e = fmt(lin)
        system.cons.append({">=": f"{e} >= 0", "==": f"{e} = 0"}.get(g.relation, f"({e} < 0 or {e} > 0)"))
    lin = analysis.linear(sub, "a", system)
    size = analysis.linear(extent.size, "a", system) if extent is not None else None
    if lin is None:
        return None
    below, above = f"{fmt(lin)} < 0", f"{fmt(lin)} >= {fmt(size)}" if size is not None else None
    for side in (below, above):
        if side is not None and _always(system, side):
            index = _index(system, fmt(lin), side, extent)
            return Leaving(acc, d, index, extent.text if extent else "?", certain)
    return None


def _exact_loop(analysis, info, system: System) -> bool:
    return not info.has_break and info.step is not None and \
        analysis.linear(info.lower, "a", system) is not None and analysis.linear(info.upper, "a", system) is not None


def _always(system: System, condition: str) -> bool:
    """For every value of the parameters that runs the access, some instance meets `condition`."""
    runs = isl.Set(system.text()).params()
    meets = isl.Set(system.text([condition])).params()
    return not meets.is_empty() and runs.is_subset(meets)


def _index(system: System, sub: str, side: str, extent: Extent | None) -> str:
    """The nearest out-of-range index, as text: a number, or the extent plus a number."""
    below = side.endswith("< 0")
    base = "0" if below else side.split(">=", 1)[1].strip()
    inner = " and ".join(system.cons + [side, f"v = {sub} - {base}"])
    if system.vars:
        inner = f"exists ({', '.join(system.vars)} : {inner})"
    values = isl.Set(f"[{', '.join(sorted(system.params))}] -> {{ [v] : {inner} }}")
    offset = single_value(str(values.lexmax() if below else values.lexmin()))
    if offset is None:
        return "outside it"
    if below:
        return str(offset)
    name = extent.text if extent is not None else "?"
    return name if offset == 0 else f"{name} + {offset}"
