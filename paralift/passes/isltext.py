"""Integer sets as isl text: the constraint systems the dependence tests build.

Variables are named by role (`a3`: loop 3 in the earlier instance, `o2`: a loop both
instances share, `t..`: trip counters, `r..`: wrapped indices); anything else is a
parameter. A product of parameters becomes one parameter, so `n * m` stays affine.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import islpy as isl

from paralift.ir.poly import Poly

Linear = dict[str, int]  # isl name -> coefficient, "" -> constant


@lru_cache(maxsize=65536)
def empty(text: str) -> bool:
    return isl.Set(text).is_empty()


@lru_cache(maxsize=4096)
def single_value(text: str) -> int | None:
    """The one value of a 1-d set, if it has exactly one for every parameter value."""
    s = isl.Set(text)
    if s.is_empty():
        return None
    point = s.sample_point()
    v = point.get_coordinate_val(isl.dim_type.set, 0).to_python()
    params = text.split("->")[0] if "->" in text else ""
    single = isl.Set(f"{params} -> {{ [{v}] }}" if params else f"{{ [{v}] }}")
    return v if s.is_subset(single) else None


class System:
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


def is_var(name: str) -> bool:
    return name[0] in "oabtr"


def linearize(q: Poly, system: System) -> Linear | None:
    out: Linear = {}
    for m, c in q.items():
        if not m:
            out[""] = out.get("", 0) + c
            continue
        if len(m) > 1 and any(is_var(x) for x in m):
            return None
        name = m[0] if len(m) == 1 else "q_" + "_".join(m)
        if not is_var(name):
            system.params.add(name)
        out[name] = out.get(name, 0) + c
    return out


def fmt(lin: Linear) -> str:
    terms = [f"{c}*{n}" if c != 1 else n for n, c in sorted(lin.items()) if n and c]
    const = lin.get("", 0)
    if const or not terms:
        terms.append(str(const))
    return "(" + " + ".join(terms) + ")"
