"""Which loops of a function the tester must see run: the ones a rewrite parallelizes.

Those are the outermost loops the analysis does not call sequential (a backend
parallelizes the outermost parallel loop of a nest). A function with none, such as a
model's candidate for a loop paralift could not prove, has its outermost loops watched.
"""
from __future__ import annotations

from dataclasses import dataclass

from paralift.ir import nodes as ir


@dataclass(frozen=True)
class WatchedLoop:
    line: int
    fixed: bool  # constant bounds: its trip count cannot vary


def loops_to_cover(source: str, path: str, function: str) -> tuple[WatchedLoop, ...]:
    from paralift.analysis import analyze_source
    from paralift.files import language_of
    fa = analyze_source(source, path, language_of(path) or "python")
    kv = next((k for k in fa.kernels if k.kernel.name == function), None)
    if kv is None:
        return ()
    open_ = {id(v.loop) for v in kv.loops if v.verdict != "sequential"}
    chosen = _outermost(kv.kernel.body, lambda loop: id(loop) in open_) or \
        _outermost(kv.kernel.body, lambda loop: True)
    return tuple(WatchedLoop(loop.span.line, _fixed(loop)) for loop in chosen)


def _outermost(body, wanted) -> list[ir.Loop]:
    out: list[ir.Loop] = []
    for s in body:
        if isinstance(s, ir.Loop) and wanted(s):
            out.append(s)
        elif isinstance(s, (ir.Loop, ir.While)):
            out += _outermost(s.body, wanted)
        elif isinstance(s, ir.If):
            out += _outermost(s.body + s.orelse, wanted)
    return out


def _fixed(loop: ir.Loop) -> bool:
    return all(isinstance(e, ir.Const) for e in (loop.lower, loop.upper, loop.step))
