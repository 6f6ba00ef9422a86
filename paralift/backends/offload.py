"""OpenMP target offload: `#pragma omp target teams distribute parallel for` with `map`
clauses, for C.

The OpenMP backend plans each nest (privates, reductions, collapse); this backend runs
it on a device instead. Every array the loop touches is mapped over the elements the C
footprint analysis bounds (`cfootprint.length`): `to` when the loop only reads it,
`tofrom` when it writes it. Reduced scalars are mapped `tofrom`. A loop whose footprint
cannot be bounded, or that leaves a last value or steps a counter (which `linear` would
carry across the device's teams), stays on the host with the reason. Where no device is
present the OpenMP runtime runs the region on the host (gcc's fallback), which is how
the tester verifies it on any machine.
"""
from __future__ import annotations

from paralift.analysis import FileAnalysis
from paralift.backends import cfootprint as cf
from paralift.backends import openmp
from paralift.backends.contract import Refuse, Rewrite
from paralift.ir import nodes as ir
from paralift.ir.walk import accessed, written_arrays
from paralift.passes.verdict import LoopVerdict


class _Device(openmp.Directive):
    name = "target teams distribute parallel for"

    def clauses(self, v: LoopVerdict, kernel: ir.Kernel, clauses: tuple[str, ...]) -> tuple[str, ...] | str:
        if v.lastprivate or v.induction:
            what = "a last value" if v.lastprivate else "a counter stepped in every iteration"
            return f"it leaves {what}, which a device's teams cannot hand back in order"
        params = {p.name: p for p in kernel.params}
        arrays = accessed(v.loop.body)
        outside = sorted(arrays - set(params))
        if outside:
            return f"`{outside[0]}` is not a parameter: only parameters are mapped to the device"
        try:
            maps = _maps(kernel, v.loop, arrays, params)
        except Refuse as why:
            return str(why)
        scalars = sorted(t for _, t in v.reductions if t not in arrays)
        if scalars:
            maps.append(f"map(tofrom: {', '.join(scalars)})")
        return tuple(maps) + clauses


def _maps(kernel: ir.Kernel, loop: ir.Loop, arrays: set[str], params) -> list[str]:
    """`map(to: ...)` and `map(tofrom: ...)` with a section per array."""
    written = written_arrays([loop])
    sections = [_section(a, params[a], loop) for a in sorted(arrays)]
    out = []
    for kind, keep in (("to", lambda a: a not in written), ("tofrom", lambda a: a in written)):
        names = [text for a, text in zip(sorted(arrays), sections) if keep(a)]
        if names:
            out.append(f"map({kind}: {', '.join(names)})")
    return out


def _section(name: str, param: ir.Param, loop: ir.Loop) -> str:
    """`A[0:n][0:m]` for an array of arrays, as declared; `a[0:len]` for a pointer, with
    `len` one past the largest index the loop's accesses reach."""
    dims = cf.dims(param.ctype)
    if dims and all(dims) and "*" not in param.ctype:
        return name + "".join(f"[0:{d}]" for d in dims)
    return f"{name}[0:{cf.length(loop, name)}]"


def rewrite(fa: FileAnalysis, source: str, functions: set[str] | None = None) -> Rewrite:
    return openmp.rewrite(fa, source, functions, _Device())
