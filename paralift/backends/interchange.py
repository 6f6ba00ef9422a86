"""An interchange (passes/interchange.py) written back in the user's language.

The user's own loop headers are kept, only their order changes, so the result reads like
what they would have written by hand:

    for j in range(nj):                     for j in range(nj):
        tmp[i, j] = 0.0                         tmp[i, j] = 0.0
        for k in range(nk):          ->     for k in range(nk):
            tmp[i, j] += A[i, k] * B[k, j]      for j in range(nj):
                                                    tmp[i, j] += A[i, k] * B[k, j]

What comes out is the same program in another order; paralift's analysis then decides
afresh which loops of it are parallel, and the tester verifies it against the original.
"""
from __future__ import annotations

from paralift.backends.nesttext import spelled, stmts_text
from paralift.ir import nodes as ir
from paralift.passes.interchange import Interchange


def swapped(x: Interchange, lines: list[str], language: str, unit: str) -> list[str] | None:
    """The nest's new lines, at the nest's indentation; None when the text does not allow a
    clean edit (a header over several lines, code sharing the nest's first or last line)."""
    outer, inner = x.outer, x.inner
    if not spelled(outer):
        return None
    head = lines[outer.span.line - 1]
    if head[:outer.span.col].strip() or lines[outer.span.end_line - 1][outer.span.end_col:].strip() not in ("", "}"):
        return None
    c = language == "c"
    j, k = _header(outer, lines, c), _header(inner, lines, c)
    if j is None or k is None:
        return None
    parts = []
    for stmts in (x.before, inner.body, x.after):
        if not stmts:
            continue
        body = stmts_text(stmts, lines)
        if body is None:
            return None
        parts += _loop(k, _loop(j, body, unit, c), unit, c) if stmts is inner.body else _loop(j, body, unit, c)
    split = f"`{outer.display}` split around `{inner.display}`, and " if x.before or x.after else ""
    note = (f"{'//' if c else '#'} paralift: {split}`{inner.display}` moved outside `{outer.display}`: "
            f"the innermost loop walks along rows")
    if c and (x.before or x.after):   # several loops where one was: one statement still
        parts = ["{"] + [unit + p if p else p for p in [note] + parts] + ["}"]
    else:
        parts = [note] + parts
    indent = head[:outer.span.col]
    return [indent + line if line else line for line in parts]


def _loop(header: str, body: list[str], unit: str, c: bool) -> list[str]:
    """A loop of `header` around `body`, one `unit` deeper, in braces in C."""
    inside = [unit + b if b else b for b in body]
    return [header + " {"] + inside + ["}"] if c else [header] + inside


def _header(loop: ir.Loop, lines: list[str], c: bool) -> str | None:
    """`for j in range(nj):` or `for (int j = 0; j < nj; j++)`, when on one line."""
    text = lines[loop.span.line - 1][loop.span.col:]
    if not c:
        text = text.split("#", 1)[0].rstrip()
        return text if text.endswith(":") and text.startswith("for ") else None
    depth = 0
    for n, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == ")" and depth == 0:
            return text[:n + 1] if text.startswith("for") else None
    return None
