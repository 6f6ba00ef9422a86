"""Trip counts of a C original's loops (the C side of `coverage.py`).

A copy of the original gets a counter table and, around each watched `for`, a call that
starts a new entry and a count at the top of its body. Per loop the table keeps the body's
total runs and the least and greatest trip count of 2 or more over the entries, which is
all the coverage rule needs; `paralift_trip_counts(out)` hands them over and starts afresh.
"""
from __future__ import annotations

import tree_sitter_c
from tree_sitter import Language, Parser

COUNTS_FUNCTION = "paralift_trip_counts"
_LANGUAGE = Language(tree_sitter_c.language())


def _table(loops: int) -> str:
    return f"""
static long paralift_cov[{loops}][4]; /* body runs, this entry's trips, least and greatest trips >= 2 */
static void paralift_enter(int k) {{
    long c = paralift_cov[k][1];
    if (c >= 2 && (paralift_cov[k][2] == 0 || c < paralift_cov[k][2])) paralift_cov[k][2] = c;
    if (c >= 2 && c > paralift_cov[k][3]) paralift_cov[k][3] = c;
    paralift_cov[k][1] = 0;
}}
void {COUNTS_FUNCTION}(long *out) {{
    for (int k = 0; k < {loops}; k++) {{
        paralift_enter(k);
        out[3 * k] = paralift_cov[k][0]; out[3 * k + 1] = paralift_cov[k][2]; out[3 * k + 2] = paralift_cov[k][3];
        paralift_cov[k][0] = paralift_cov[k][2] = paralift_cov[k][3] = 0;
    }}
}}
"""


def instrument_c(source: str, function: str, lines: tuple[int, ...]) -> str | None:
    """`source` with counters in the `for` loops of `function` that start on `lines` (in that
    order), or None if the function is not found."""
    data = source.encode("utf-8")
    tree = Parser(_LANGUAGE).parse(data)
    target = next((n for n in tree.root_node.children if n.type == "function_definition"
                   and _name(n) == function), None)
    if target is None:
        return None
    edits: list[tuple[int, bytes]] = []
    for n in _walk(target):
        if n.type != "for_statement" or n.start_point[0] + 1 not in lines:
            continue
        k = lines.index(n.start_point[0] + 1)
        body = n.child_by_field_name("body")
        edits += [(n.start_byte, f"{{ paralift_enter({k}); ".encode()),
                  (body.start_byte, f"{{ paralift_cov[{k}][0]++; paralift_cov[{k}][1]++; ".encode()),
                  (body.end_byte, b" }"), (n.end_byte, b" }")]
    edits.append((target.start_byte, _table(len(lines)).encode() + b"\n"))
    for at, text in sorted(edits, key=lambda e: e[0], reverse=True):  # later edits first: offsets hold
        data = data[:at] + text + data[at:]
    return data.decode("utf-8")


def _name(fn) -> str:
    decl = fn.child_by_field_name("declarator")
    while decl is not None and decl.type != "function_declarator":
        decl = decl.child_by_field_name("declarator")
    name = decl.child_by_field_name("declarator") if decl is not None else None
    return name.text.decode() if name is not None else ""


def _walk(node):
    yield node
    for c in node.children:
        yield from _walk(c)
