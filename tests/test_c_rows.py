"""C arrays of arrays lay their rows end to end: a subscript that leaves its dimension
(`b[i][j - 1]` at `j = 0`) touches another row. Property test against a brute-force oracle
that compares flat offsets, plus the cases the issue names."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paralift.analysis import analyze_source
from paralift.check import check_source


@dataclass(frozen=True)
class Ref:
    di: int     # b[i + di][j + dj]
    dj: int
    write: bool


@dataclass(frozen=True)
class Nest:
    """for i in [i_lo, n - i_hi), j in [j_lo, m - j_hi), statements on `double b[n][m]`."""
    i_lo: int
    i_hi: int
    j_lo: int
    j_hi: int
    refs: tuple[Ref, ...]

    def source(self) -> str:
        ref = lambda r: f"b[i{r.di:+d}][j{r.dj:+d}]".replace("+0", "")  # noqa: E731
        reads = [ref(r) for r in self.refs if not r.write] or ["1.0"]
        body = "".join(f"            {ref(r)} = {' + '.join(reads)};\n" for r in self.refs if r.write)
        return (f"void k(int n, int m, double b[n][m]) {{\n"
                f"    for (int i = {self.i_lo}; i < n - {self.i_hi}; i++)\n"
                f"        for (int j = {self.j_lo}; j < m - {self.j_hi}; j++) {{\n{body}        }}\n}}\n")

    def outer_conflict(self, n: int, m: int) -> bool:
        """Do two different iterations of `i` touch one memory offset, one of them writing?"""
        touched: dict[int, set[tuple[int, bool]]] = {}
        for i, j in product(range(self.i_lo, n - self.i_hi), range(self.j_lo, m - self.j_hi)):
            for r in self.refs:
                touched.setdefault((i + r.di) * m + j + r.dj, set()).add((i, r.write))
        return any(len({i for i, _ in s}) > 1 and any(w for _, w in s) for s in touched.values())


refs = st.builds(Ref, st.integers(-1, 1), st.integers(-2, 2), st.booleans())
nests = st.builds(Nest, st.integers(0, 1), st.integers(0, 1), st.integers(0, 2), st.integers(0, 2),
                  st.lists(refs, min_size=1, max_size=3).filter(lambda rs: any(r.write for r in rs))
                  .map(tuple))


def outer_verdict(source: str) -> str:
    fa = analyze_source(source, "k.c", "c")
    assert not fa.errors, fa.errors
    return fa.kernels[0].loops[0].verdict


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(nests)
def test_a_parallel_outer_loop_has_no_conflict_on_any_flat_offset(nest):
    if outer_verdict(nest.source()) == "sequential":
        return
    for n, m in product(range(4, 8), range(5, 9)):
        assert not nest.outer_conflict(n, m), f"n={n}, m={m}:\n{nest.source()}"


ISSUE_CASE = """void f(int n, int m, double b[n][m]) {
    #pragma omp parallel for
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++)
            b[i][j] = b[i][j-1] + 1.0;
}
"""


def test_the_issue_case_is_sequential_and_an_error_that_names_the_index():
    fa = analyze_source(ISSUE_CASE, "k.c", "c")
    outer = fa.kernels[0].loops[0]
    assert outer.verdict == "sequential"
    [reason] = outer.reasons
    assert "reaches index -1 of a dimension of m elements" in reason.message
    errors = [d for d in check_source(ISSUE_CASE, "k.c", "c").diagnostics if d.severity.name == "ERROR"]
    assert [d.code for d in errors] == ["PL101"]
    assert "index -1" in errors[0].message


def test_the_index_past_the_end_is_named_through_the_extent():
    source = ISSUE_CASE.replace("j-1", "j+1")
    [reason] = analyze_source(source, "k.c", "c").kernels[0].loops[0].reasons
    assert "reaches index m of a dimension" in reason.message


def test_guards_the_analysis_sees_keep_the_subscript_inside():
    guarded = [
        "if (j > 0) b[i][j] = b[i][j-1];",
        "if (j == 0) b[i][j] = 0.0; else b[i][j] = b[i][j-1];",
        "if (!(j < 1) && i >= 0) b[i][j] = b[i][j-1];",
    ]
    for stmt in guarded:
        source = ISSUE_CASE.replace("b[i][j] = b[i][j-1] + 1.0;", stmt)
        assert outer_verdict(source) == "parallel", stmt


def test_a_guard_it_cannot_see_leaves_the_loop_sequential_and_says_may():
    source = ISSUE_CASE.replace("double b[n][m]", "double *x, double b[n][m]").replace(
        "b[i][j] = b[i][j-1] + 1.0;", "if (x[j] > 0) b[i][j] = b[i][j-1];")
    outer = analyze_source(source, "k.c", "c").kernels[0].loops[0]
    assert outer.verdict == "sequential"
    assert "may reach index -1" in outer.reasons[0].message


def test_numeric_extents_compare_flat_offsets_exactly():
    # odd rows write, and j - 1 = -1 reaches the even row before: no two iterations meet
    source = ("void k(double b[100][64]) {\n    for (int i = 1; i < 100; i += 2)\n"
              "        for (int j = 0; j < 64; j++)\n            b[i][j] = b[i][j-1] + 1.0;\n}\n")
    assert outer_verdict(source) == "parallel"
    assert outer_verdict(source.replace("i += 2", "i++")) == "sequential"


def test_a_pointer_to_rows_has_its_extent_and_its_name():
    source = ISSUE_CASE.replace("double b[n][m]", "double (*b)[m]")
    fa = analyze_source(source, "k.c", "c")
    assert [p.name for p in fa.kernels[0].kernel.params] == ["n", "m", "b"]
    assert fa.kernels[0].loops[0].verdict == "sequential"


def test_subscripts_only_possibly_outside_are_assumed_inside_as_compilers_do():
    # j + 1 leaves only if n >= m, which would be undefined behaviour in the original
    source = ISSUE_CASE.replace("j < m", "j < n - 1").replace("j-1", "j+1")
    assert outer_verdict(source) == "parallel"
