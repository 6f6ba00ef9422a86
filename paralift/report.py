"""Render analysis results: the JSON report (a stable format) and the readable table."""
from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from paralift.analysis import FileAnalysis
from paralift.diagnostics import Diagnostic
from paralift.passes.verdict import LoopVerdict

_COLOURS = {"parallel": "green", "reduction": "cyan", "sequential": "yellow"}
TEXT_REASONS = 2  # per loop in the table; the JSON report has them all


def _reason(d: Diagnostic) -> dict:
    return {"code": d.code, "name": d.name, "message": d.message, "line": d.span.line,
            "column": d.span.col}


def loop_json(v: LoopVerdict) -> dict:
    out = {
        "line": v.line, "var": v.loop.display, "depth": v.depth, "verdict": v.verdict,
        "reductions": [{"op": op, "target": t} for op, t in v.reductions],
        "private": list(v.private), "lastprivate": list(v.lastprivate),
        "induction": [{"var": n, "step": s} for n, s in v.induction],
        "reasons": [_reason(r) for r in v.reasons],
        "assumes_no_overlap": list(v.distinct),
    }
    if v.transform is not None:  # only on a sequential nest that a transformation makes parallel
        out["transform"] = {"kind": "wavefront", "loops": [x.var for x in v.transform.loops],
                            "hyperplane": list(v.transform.hyperplane), "front": v.transform.front,
                            "message": v.transform.describe()}
    if v.interchange is not None:  # a nest that walks memory along rows after a split and swap
        out["interchange"] = {"kind": "interchange", "outer": v.interchange.outer.display,
                              "inner": v.interchange.inner.display,
                              "split": bool(v.interchange.before or v.interchange.after),
                              "message": v.interchange.describe()}
    if v.tiling is not None:  # a nest that reuses an array from cache in tiles
        out["tiling"] = {"kind": "tiling", "outer": v.tiling.outer.display, "inner": v.tiling.inner.display,
                         "rows": v.tiling.rows, "cols": v.tiling.cols, "reused": v.tiling.reused,
                         "cache_bytes": v.tiling.cache, "message": v.tiling.describe()}
    if v.timetile is not None:  # a time loop whose sweeps run faster in skewed tiles of several steps
        out["timetile"] = {"kind": "time-tiling", "loops": list(v.timetile.band), "steps": v.timetile.steps,
                           "width": v.timetile.width, "statements": len(v.timetile.statements),
                           "message": v.timetile.describe()}
    if v.reschedule is not None:  # a nest with a parallel loop around all its work in another order
        out["reschedule"] = {"kind": "reschedule", "order": list(v.reschedule.order),
                             "parallel": v.reschedule.order[v.reschedule.parallel],
                             "message": v.reschedule.describe()}
    if v.fusion is not None:  # this nest and the ones after it run faster as one nest
        out["fusion"] = {"kind": "fusion", "nests": [x.span.line for x in v.fusion.loops],
                         "order": list(v.fusion.order), "parallel": v.fusion.order[v.fusion.parallel],
                         "message": v.fusion.describe()}
    return out


def file_json(fa: FileAnalysis) -> dict:
    return {
        "path": fa.path, "language": fa.language,
        "kernels": [{"name": k.kernel.name, "line": k.kernel.span.line,
                     "loops": [loop_json(v) for v in k.loops]} for k in fa.kernels if k.loops],
        "errors": [{"code": e.code, "message": e.message, "line": e.span.line,
                    "column": e.span.col} for e in fa.errors],
        "warnings": [{"code": e.code, "message": e.message, "line": e.span.line,
                      "column": e.span.col} for e in fa.warnings],
    }


def report_json(files: Iterable[FileAnalysis]) -> dict:
    return {"files": [file_json(f) for f in files]}


def summary(v: LoopVerdict) -> str:
    parts = []
    if v.reductions:
        parts.append("reduction(" + ", ".join(f"{op}:{t}" for op, t in v.reductions) + ")")
    if v.private:
        parts.append("private(" + ", ".join(v.private) + ")")
    if v.lastprivate:
        parts.append("lastprivate(" + ", ".join(v.lastprivate) + ")")
    if v.induction:
        parts.append("induction(" + ", ".join(n for n, _ in v.induction) + ")")
    return " ".join(parts)


def render_lines(fa: FileAnalysis) -> list[str]:
    """Compiler-style lines, one per loop and one per reason, for pipes and editors:
    `file:line:col: verdict: for i [clauses]`, then `file:line:col: note: why [PL201]`."""
    out = [f"{e.span.where()}: error: {e.message} [{e.code}]" for e in fa.errors]
    out += [f"{e.span.where()}: warning: {e.message} [{e.code}]" for e in fa.warnings]
    for k in fa.kernels:
        for v in k.loops:
            clauses = summary(v)
            out.append(f"{fa.path}:{v.line}:{v.loop.span.col + 1}: {v.verdict}: {k.kernel.name}: "
                       f"for {v.loop.display}" + (f" {clauses}" if clauses else ""))
            out += [f"{fa.path}:{r.span.line}:{r.span.col + 1}: note: {r.message} [{r.code}]" for r in v.reasons]
            for hint in v.hints:
                out.append(f"{fa.path}:{v.line}:{v.loop.span.col + 1}: hint: {hint.describe()}")
    if not out:
        out.append(f"{fa.path}: no loops to analyze")
    return out


def render_text(fa: FileAnalysis, console: Console) -> None:
    for e in fa.errors:
        console.print(f"[red]{escape(e.span.where())}: error {e.code}:[/red] {escape(e.message)}",
                      highlight=False)
    for e in fa.warnings:
        console.print(f"[yellow]{escape(e.span.where())}: warning {e.code}:[/yellow] {escape(e.message)}",
                      highlight=False)
    loops = [(k, v) for k in fa.kernels for v in k.loops]
    if not loops:
        if not fa.errors:
            console.print(f"[dim]{escape(fa.path)}: no loops to analyze[/dim]", highlight=False)
        return
    table = Table(title=escape(fa.path), title_justify="left", show_lines=False, expand=False)
    for col in ("kernel", "line", "loop", "verdict", "clauses", "why"):
        table.add_column(col, overflow="fold")
    last = None
    for k, v in loops:
        name = k.kernel.name if k is not last else ""
        last = k
        why = "\n".join(f"{escape(r.message)} [dim]({r.code}, line {r.span.line})[/dim]"
                        for r in v.reasons[:TEXT_REASONS])
        if len(v.reasons) > TEXT_REASONS:
            why += f"\n[dim]... and {len(v.reasons) - TEXT_REASONS} more (--json lists all)[/dim]"
        if v.transform is not None:
            why += f"\n[green]hint:[/green] parallel as a wavefront over `{escape(v.transform.front)}`"
        if v.interchange is not None:
            why += (f"\n[green]hint:[/green] faster with `{escape(v.interchange.inner.display)}` outside "
                    f"`{escape(v.interchange.outer.display)}`")
        if v.tiling is not None:
            why += (f"\n[green]hint:[/green] faster in tiles of {v.tiling.rows} `{escape(v.tiling.outer.display)}` "
                    f"by {v.tiling.cols} `{escape(v.tiling.inner.display)}`")
        if v.timetile is not None:
            why += f"\n[green]hint:[/green] faster time-tiled, {escape(v.timetile.shape)}"
        if v.reschedule is not None:
            why += (f"\n[green]hint:[/green] parallel in the loop order {escape(', '.join(v.reschedule.order))}, "
                    f"`{escape(v.reschedule.order[v.reschedule.parallel])}` in parallel")
        if v.fusion is not None:
            why += (f"\n[green]hint:[/green] faster fused with the nests at lines "
                    f"{', '.join(str(x.span.line) for x in v.fusion.loops[1:])}")
        table.add_row(name, str(v.line), "  " * v.depth + f"for {v.loop.display}",
                      Text(v.verdict, style=_COLOURS[v.verdict]), summary(v), why)
    console.print(table)
