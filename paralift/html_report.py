"""`paralift analyze --format html`: one self-contained page, like coverage.py's report.

Each file's source, with every analyzed loop's line coloured by its verdict; a click on the
line shows its clauses and the reasons it is sequential (a hover shows the first). No
script or style is fetched: the page works offline and from a CI artifact.
"""
from __future__ import annotations

import html
from collections.abc import Iterable

from paralift.analysis import FileAnalysis
from paralift.report import summary

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 2em; }
.counts span { margin-right: 1.2em; }
.src { font: 13px/1.45 ui-monospace, monospace; }
.line { display: flex; white-space: pre; }
.no { width: 4em; color: #999; text-align: right; padding-right: 1em; user-select: none; }
.loop { cursor: pointer; }
.parallel { background: #dff5df; } .reduction { background: #dcefff; } .sequential { background: #fff1cc; }
.why { margin: 0 0 0.3em 5em; padding: 0.3em 0.6em; border-left: 3px solid #bbb; background: #fafafa;
       white-space: normal; font: 13px system-ui, sans-serif; }
.why[hidden] { display: none; }
.verdict { font-weight: 600; }
.code { color: #666; }
"""
_SCRIPT = """
var all = location.hash === '#all';  // report.html#all: every loop's reasons shown (for print)
document.querySelectorAll('.loop').forEach(function (line) {
  if (all) { document.getElementById(line.dataset.why).hidden = false; }
  line.addEventListener('click', function () {
    var why = document.getElementById(line.dataset.why);
    why.hidden = !why.hidden;
  });
});
"""


def render_html(results: Iterable[FileAnalysis]) -> str:
    results = list(results)
    counts = {"parallel": 0, "reduction": 0, "sequential": 0}
    for fa in results:
        for k in fa.kernels:
            for v in k.loops:
                counts[v.verdict] += 1
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>paralift analysis</title>", f"<style>{_STYLE}</style></head><body>",
             "<h1>paralift analysis</h1>", '<p class="counts">' + "".join(
                 f'<span class="{v}">{n} {v}</span>' for v, n in counts.items()) + "</p>"]
    for n, fa in enumerate(results):
        parts += _file(fa, n)
    parts += [f"<script>{_SCRIPT}</script>", "</body></html>"]
    return "\n".join(parts) + "\n"


def _file(fa: FileAnalysis, index: int) -> list[str]:
    out = [f"<h2>{html.escape(fa.path)}</h2>"]
    out += [f'<p class="{e.severity.value}">{html.escape(e.span.where())}: {html.escape(e.message)} ({e.code})</p>'
            for e in fa.errors + fa.warnings]
    try:
        with open(fa.path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    loops = {v.line: (k, v) for k in fa.kernels for v in k.loops}
    out.append('<div class="src">')
    for no, text in enumerate(lines, 1):
        got = loops.get(no)
        if got is None:
            out.append(f'<div class="line"><span class="no">{no}</span>{html.escape(text)}</div>')
            continue
        k, v = got
        ident = f"why-{index}-{no}"
        first = v.reasons[0].message if v.reasons else (summary(v) or v.verdict)
        out.append(f'<div class="line loop {v.verdict}" data-why="{ident}" title="{html.escape(first)}">'
                   f'<span class="no">{no}</span>{html.escape(text)}</div>')
        out.append(f'<div class="why" id="{ident}" hidden>{_why(k.kernel.name, v)}</div>')
    out.append("</div>")
    return out


def _why(kernel: str, v) -> str:
    head = f'<span class="verdict">{v.verdict}</span> &middot; {html.escape(kernel)}: for {html.escape(v.loop.display)}'
    clauses = summary(v)
    if clauses:
        head += f" &middot; <code>{html.escape(clauses)}</code>"
    items = "".join(f'<li>{html.escape(r.message)} <span class="code">({r.code}, line {r.span.line})</span></li>'
                    for r in v.reasons)
    return head + (f"<ul>{items}</ul>" if items else "")
