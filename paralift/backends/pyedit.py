"""The libcst side of the Python backends: find a plan's statements in the concrete tree.

Plans are made on the IR; edits are made with libcst on the original text so that comments
and layout survive. The two meet at a statement's position (`steps.site`): an editor is
built from the plans of the loops it rewrites and from the statements to respell.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import libcst as cst
from libcst.metadata import PositionProvider

from paralift.backends.steps import Site


class PlanEditor(cst.CSTTransformer):
    """Finds a `For`'s plan (any record with a `loop`) and respells single statements.

    `respell` maps a statement's site to the text that replaces it: a simple statement is
    replaced inside its line (a line's other statements and its comment stay), a compound
    one (`if e > m: m = e`) as a whole."""
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, plans: Iterable, respell: Mapping[Site, str] | None = None):
        super().__init__()
        self.plans = {(p.loop.span.line, p.loop.span.col): p for p in plans}
        self.respell = dict(respell or {})

    def site(self, node: cst.CSTNode) -> Site:
        r = self.get_metadata(PositionProvider, node)
        return r.start.line, r.start.column

    def plan_of(self, node: cst.For):
        return self.plans.get(self.site(node))

    def leave_SimpleStatementLine(self, original, updated):
        return self._respell_small(original, updated)

    def leave_SimpleStatementSuite(self, original, updated):  # `if c: s += x` on one line
        return self._respell_small(original, updated)

    def _respell_small(self, original, updated):
        body, changed = [], False
        for old, new in zip(original.body, updated.body):
            text = self.respell.get(self.site(old))
            changed |= text is not None
            body.append(new if text is None else cst.parse_statement(text + "\n").body[0])
        return updated.with_changes(body=body) if changed else updated

    def leave_If(self, original, updated):
        text = self.respell.get(self.site(original))
        if text is None:
            return updated
        return cst.parse_statement(text + "\n").with_changes(leading_lines=updated.leading_lines)


def jit_names(imports) -> set[str]:
    """How a module spells Numba's compiling decorators: `numba.njit`, `nb.jit`, `njit`."""
    out = set()
    for alias, module in imports:
        if module == "numba":
            out |= {f"{alias}.njit", f"{alias}.jit"}
        elif module in ("numba.njit", "numba.jit"):
            out.add(alias)
    return out


def without_jit(fn: cst.FunctionDef, names: set[str]) -> cst.FunctionDef:
    """`fn` without Numba's decorator: a host function that launches kernels or calls MPI
    is plain Python (its loops' bodies are what is compiled, or distributed)."""
    def spelled(d: cst.Decorator) -> str:
        expr = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
        return cst.Module(body=[]).code_for_node(expr)
    kept = [d for d in fn.decorators if spelled(d) not in names]
    if len(kept) == len(fn.decorators):
        return fn
    return fn.with_changes(decorators=kept)
