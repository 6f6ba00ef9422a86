"""Did the inputs exercise the loops? Trip counts of the original's loops, per entry.

A rewrite is only verified if the body of every rewritten loop ran, many times, over
inputs with at least two distinct trip counts of 2 or more: an input on which a loop runs
zero times or once says nothing about running its iterations in parallel.

The original is run once more per input with a counter in each watched loop (an `ast`
rewrite of a copy; Numba decorators are dropped from the copy, since a counter is Python).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

TRIPS = "__paralift_trips__"
MIN_TRIPS = 2          # a trip count that says something about parallel iterations
DISTINCT_TRIPS = 2     # ... seen at least this many different ways
MIN_ITERATIONS = 16    # and this many iterations of the body in all

_JIT = {"jit", "njit", "vectorize", "guvectorize", "stencil", "cfunc", "generated_jit"}


@dataclass(frozen=True)
class LoopCoverage:
    line: int
    trips: frozenset[int]
    iterations: int
    fixed: bool = False  # constant bounds: one trip count is all there can be

    @property
    def enough(self) -> bool:
        counts = {t for t in self.trips if t >= MIN_TRIPS}
        return len(counts) >= (1 if self.fixed else DISTINCT_TRIPS) and self.iterations >= MIN_ITERATIONS

    def shortfall(self) -> str:
        if not self.iterations:
            return f"inputs never entered the loop at line {self.line}"
        seen = ", ".join(map(str, sorted(self.trips)))
        return (f"inputs ran the loop at line {self.line} only {self.iterations} times, with trip "
                f"counts {seen} (needed: {MIN_ITERATIONS} runs of its body, and at least {DISTINCT_TRIPS} "
                f"distinct trip counts of {MIN_TRIPS} or more)")


class Coverage:
    """Trip counts gathered over many calls, per watched loop line."""

    def __init__(self, lines: tuple[int, ...], fixed: set[int] = frozenset()):
        self.lines, self.fixed = lines, fixed
        self.trips: dict[int, set[int]] = {line: set() for line in lines}
        self.iterations: dict[int, int] = {line: 0 for line in lines}

    def add(self, records: list[tuple[int, int]]) -> None:
        for line, count in records:
            if line in self.trips:
                self.trips[line].add(count)
                self.iterations[line] += count

    def add_summary(self, line: int, iterations: int, least: int, greatest: int) -> None:
        """What C's counters keep of a batch of entries: body runs, and the least and the
        greatest trip count of 2 or more (0 when none was)."""
        if line in self.trips:
            self.iterations[line] += iterations
            self.trips[line] |= {t for t in (least, greatest) if t}

    def loops(self) -> list[LoopCoverage]:
        return [LoopCoverage(line, frozenset(self.trips[line]), self.iterations[line], line in self.fixed)
                for line in self.lines]

    @property
    def complete(self) -> bool:
        return all(c.enough for c in self.loops())

    def shortfall(self) -> str | None:
        return next((c.shortfall() for c in self.loops() if not c.enough), None)

    def summary(self) -> str:
        """`loop bodies ran 412+ times, trip counts 0..13` for the `verified:` line: what the
        inputs had done when coverage was reached (measuring stops there)."""
        if not self.lines:
            return ""
        trips = set().union(*self.trips.values()) or {0}
        return f"loop bodies ran {sum(self.iterations.values())}+ times, trip counts {min(trips)}..{max(trips)}"


class _Counters(ast.NodeTransformer):
    def __init__(self, function: str, lines: set[int]):
        self.function, self.lines = function, lines

    def visit_FunctionDef(self, node: ast.FunctionDef):
        if node.name == self.function:
            node.decorator_list = [d for d in node.decorator_list if not _is_jit(d)]
        return self.generic_visit(node)

    def visit_For(self, node: ast.For):
        self.generic_visit(node)
        if node.lineno not in self.lines:
            return node
        counter = f"__paralift_trip_{node.lineno}"
        enter = ast.parse(f"{counter} = [{node.lineno}, 0]; {TRIPS}.append({counter})").body
        count = ast.parse(f"{counter}[1] += 1").body
        node.body = count + node.body
        return enter + [node]


def _is_jit(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name in _JIT


def instrument(source: str, function: str, lines: tuple[int, ...]) -> str:
    """`source` with a trip counter in each `for` of `function` at `lines`; the counts of
    every entry land in the module's `__paralift_trips__` list as `[line, trips]`."""
    tree = _Counters(function, set(lines)).visit(ast.parse(source))
    at = 0  # after the docstring and `from __future__` imports, which must come first
    while at < len(tree.body) and (isinstance(tree.body[at], ast.ImportFrom) and tree.body[at].module == "__future__"
                                   or at == 0 and isinstance(tree.body[0], ast.Expr)
                                   and isinstance(tree.body[0].value, ast.Constant)):
        at += 1
    tree.body[at:at] = ast.parse(f"{TRIPS} = []").body
    return ast.unparse(ast.fix_missing_locations(tree))
