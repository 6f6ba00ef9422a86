"""Array privatization: a scratch array every iteration fills before it reads it.

    tmp = np.empty(m)
    for i in range(n):
        for j in range(m):
            tmp[j] = ...        # writes tmp[0..m) unconditionally
        ... tmp[j] ...          # reads only what this iteration wrote

The dependences on `tmp` between iterations of `i` vanish when each iteration has its
own copy. The proof: for every read, the set of elements it reads (per iteration) is a
subset of the elements written, unconditionally and exactly, by statements that come
before it in the same iteration. Writes are only ever under-approximated here (a write
whose subscript or bounds are not exact does not count), so the proof stays sound.
"""
from __future__ import annotations

import islpy as isl

from paralift.passes.accesses import is_range, AccessRec, KernelAccesses
from paralift.passes.dependence import LevelAnalysis
from paralift.passes.isltext import System, fmt


def _position(acc: AccessRec, level: int) -> tuple[int, bool] | None:
    for uid, index, guarded in acc.path:
        if uid == level:
            return index, guarded
    return None


def _exact_write(ka: KernelAccesses, acc: AccessRec, level: int) -> bool:
    if acc.subs is None or any(s is None or is_range(s) for s in acc.subs) or acc.update:
        return False
    inner = acc.loops[acc.loops.index(level) + 1:]
    return all(ka.loops[u].step is not None and ka.loops[u].lower is not None
               and ka.loops[u].upper is not None and not ka.loops[u].has_break for u in inner)


class _Images(LevelAnalysis):
    """The elements an access touches, as a set over (enclosing iterations, element)."""

    def __init__(self, ka: KernelAccesses, level: int, param_names: dict):
        super().__init__(ka, level, param_names)
        self.outer = set(ka.loops[level].loops) | {level}

    def image(self, acc: AccessRec, rank: int, read: bool) -> tuple[str, set[str]] | None:
        system = System()
        self.domain(acc, "a", system)
        for u in acc.loops[acc.loops.index(self.level) + 1:]:
            info = self.ka.loops[u]
            if self.linear(info.lower, "a", system) is None or self.linear(info.upper, "a", system) is None:
                return None  # the domain would be a superset: no proof of coverage
        shared = [f"o{u}" for u in self.ka.loops[self.level].loops + (self.level,)]
        cells = []
        for d, s in enumerate(acc.subs or ()):
            lin = self.linear(s, "a", system) if s is not None and not is_range(s) else None
            if lin is None:
                return None
            if read:  # only valid indices are read; negative ones wrap
                cell = self.real_index(acc, d, lin, "a", system, in_bounds=True)
            else:  # a write counts only where it is exactly the element it names
                cell = fmt(lin) if self.never_negative(acc, d) else None
            if cell is None:
                return None
            cells.append(f"c{d} = {cell}")
        if len(cells) != rank:
            return None
        hidden = [v for v in system.vars if v not in shared]
        tuple_vars = shared + [f"c{d}" for d in range(rank)]
        body = " and ".join(system.cons + cells) or "true"
        if hidden:
            body = f"exists ({', '.join(hidden)} : {body})"
        return f"[{{params}}] -> {{ [{', '.join(tuple_vars)}] : {body} }}", system.params


def privatizable(ka: KernelAccesses, level: int, array: str, param_names: dict) -> bool:
    """Does every iteration of `level` write each element of `array` before reading it?"""
    accs = [a for a in ka.accesses if a.array == array and level in a.loops]
    if any(a.subs is None for a in accs):
        return False
    rank = max(len(a.subs) for a in accs)
    images = _Images(ka, level, param_names)
    reads = [a for a in accs if not a.write or a.update]
    writes = [a for a in accs if a.write and _exact_write(ka, a, level)]
    for r in reads:
        pos_r = _position(r, level)
        before = [w for w in writes if (p := _position(w, level)) and not p[1] and p[0] < pos_r[0]]
        if not before:
            return False
        got = [images.image(r, rank, read=True)] + [images.image(w, rank, read=False) for w in before]
        if got[0] is None:
            return False
        covering = [g for g in got[1:] if g is not None]
        if not covering:
            return False
        params = ", ".join(sorted(set().union(*(g[1] for g in got if g is not None))))
        read_set = isl.Set(got[0][0].replace("{params}", params))
        written = isl.Set(covering[0][0].replace("{params}", params))
        for g in covering[1:]:
            written = written.union(isl.Set(g[0].replace("{params}", params)))
        if not read_set.is_subset(written):
            return False
    return True
