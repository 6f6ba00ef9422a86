"""The text of loop nests, for the transformations that write them in a new order and the
backends that mark them: the statements of a nest as dedented lines, the nest's
indentation step, whether the user wrote all of it (no part by a macro), and whether a
loop is already in parallel form (`prange`, an OpenMP pragma)."""
from __future__ import annotations

import re

from paralift.ir import nodes as ir
from paralift.ir.walk import walk_stmts


def spelled(loop: ir.Loop) -> bool:
    """Is the loop, and every statement in it, the user's own text (no part of it written
    by a macro)? Transformations copy that text into a new order."""
    return loop.span.spelled and all(s.span.spelled for s in walk_stmts(loop.body))


def stmts_text(stmts, lines: list[str]) -> list[str] | None:
    """Consecutive statements as lines, their common indentation removed."""
    if not stmts:
        return None
    first, last = stmts[0].span, stmts[-1].span
    text = [lines[first.line - 1][first.col:]] + lines[first.line:last.end_line]
    end = last.end_col
    if lines[last.end_line - 1][end:].lstrip().startswith(";"):  # C: a statement's `;`
        end = lines[last.end_line - 1].index(";", end) + 1
    text[-1] = text[-1][:end] if last.end_line != first.line else lines[first.line - 1][first.col:end]
    rest = [x for x in text[1:] if x.strip()]
    cut = min((len(x) - len(x.lstrip()) for x in rest), default=0)
    own = lines[first.line - 1][:first.col]
    cut = min(cut, len(own)) if own.strip() == "" else cut
    return [text[0]] + [x[cut:] for x in text[1:]]


def indent_unit(lines: list[str], loops: tuple[ir.Loop, ...]) -> str:
    """One level of the nest's own indentation: the smallest step between the indentations
    of its lines (a tab where it is indented with tabs), or four spaces where it shows none."""
    text = [x for x in lines[loops[0].span.line - 1:loops[0].span.end_line] if x.strip()]
    if any(x.startswith("\t") for x in text):
        return "\t"
    widths = sorted({len(x) - len(x.lstrip(" ")) for x in text})
    steps = [b - a for a, b in zip(widths, widths[1:])]
    return " " * (min(steps) if steps else 4)


def is_prange(loop: ir.Loop, lines: list[str]) -> bool:
    """`for i in prange(...)` (or `numba.prange`, `nb.prange`)."""
    header = lines[loop.span.line - 1][loop.span.col:]
    return re.match(r"for\s.*\bin\s+(numba\.|nb\.)?prange\(", header) is not None


def has_pragma(lines: list[str], line: int) -> bool:
    """An OpenMP pragma on the last non-blank line before `line`."""
    k = line - 2
    while k >= 0 and not lines[k].strip():
        k -= 1
    return k >= 0 and re.match(r"\s*#\s*pragma\s+omp\b", lines[k]) is not None


def parallel_form(loop: ir.Loop, lines: list[str], language: str) -> bool:
    return has_pragma(lines, loop.span.line) if language == "c" else is_prange(loop, lines)


_REBINDS = re.compile(r"^\s*(def\s+(min|max)\s*\(|(min|max)\s*(:[^=]*)?=[^=]|(from\s+\S+\s+)?import\s+.*\b(min|max)\b)")


def shadows_min_max(lines: list[str]) -> bool:
    """Does the Python file define, assign or import a `min` or `max` of its own? Generated
    bounds call the builtins."""
    return any(_REBINDS.match(x) for x in lines)


def generated_fits(loop: ir.Loop, lines: list[str], language: str) -> bool:
    """Can the nest `loop` heads be replaced by generated loops? Its header spelled out, its
    first and last lines its own, and (Python) the builtin `min`/`max` the generated bounds
    call not shadowed in the file."""
    if not spelled(loop) or (language != "c" and shadows_min_max(lines)):
        return False
    head, tail = lines[loop.span.line - 1], lines[loop.span.end_line - 1]
    return not head[:loop.span.col].strip() and tail[loop.span.end_col:].strip() in ("", "}")


def declared_types(loops, lines: list[str]) -> dict[str, str]:
    """`for (int i = 0; ...`: the type each C loop declares its variable with."""
    types = {}
    for v in loops:
        m = re.match(r"\s*for\s*\(\s*([A-Za-z_][\w\s]*?)\s+" + re.escape(v.var) + r"\s*=", lines[v.span.line - 1][v.span.col:])
        if m:
            types[v.var] = m.group(1)
    return types
