"""Unit tests of the passes' building blocks, each against behaviour that could break."""
from __future__ import annotations

import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paralift.analysis import analyze_source
from paralift.frontend.python import parse
from paralift.ir import nodes as ir
from paralift.ir import poly
from paralift.ir.printer import expr as show
from paralift.passes import scalars, updates


def loops(src: str) -> dict[int, object]:
    """Verdicts of every loop in `src`, keyed by the line of its `for`."""
    fa = analyze_source(textwrap.dedent(src), "t.py")
    assert not fa.errors
    return {v.line: v for k in fa.kernels for v in k.loops}


def verdicts(src: str) -> list[str]:
    return [v.verdict for _, v in sorted(loops(src).items())]


def first_stmt(src: str) -> ir.Stmt:
    return parse(textwrap.dedent(src)).kernels[0].body[0]


# ------------------------------------------------------------------ polynomials

polys = st.dictionaries(st.tuples(*[st.sampled_from("abc")] * 1).map(lambda t: tuple(sorted(t))) | st.just(()),
                        st.integers(-5, 5).filter(bool), max_size=4)


@given(polys, polys, st.integers(-3, 3), st.integers(-3, 3), st.integers(-3, 3))
def test_poly_arithmetic_matches_evaluation(p, q, a, b, c):
    env = {"a": a, "b": b, "c": c}

    def ev(x):
        total = 0
        for m, k in x.items():
            term = k
            for s in m:
                term *= env[s]
            total += term
        return total

    assert ev(poly.add(p, q)) == ev(p) + ev(q)
    assert ev(poly.add(p, q, -1)) == ev(p) - ev(q)
    assert ev(poly.mul(p, q)) == ev(p) * ev(q)
    assert all(v != 0 for v in poly.mul(p, q).values())  # no zero coefficients kept


def test_poly_from_expr_rejects_what_is_not_integer_polynomial():
    e = parse("def f(a, i, n):\n    a[2 * i - n * i + 3] = a[i / 2] + a[i % 2] + a[1.5]\n").kernels[0].body[0]
    name = lambda n: poly.sym(n)  # noqa: E731
    ext = lambda a, d: None  # noqa: E731
    assert poly.from_expr(e.target.indices[0], name, ext) == {("i",): 2, ("i", "n"): -1, (): 3}
    reads = [x for x in (e.value.left.left, e.value.left.right, e.value.right)]
    assert [poly.from_expr(r.indices[0], name, ext) for r in reads] == [None, None, None]


# ------------------------------------------------------------------ reduction updates

@pytest.mark.parametrize("src, op", [
    ("s += a[i]", "+"), ("s -= a[i]", "+"), ("s = s + a[i]", "+"), ("s = a[i] + s", "+"),
    ("s = s - a[i]", "+"), ("s *= a[i]", "*"), ("s = max(s, a[i])", "max"), ("s = min(a[i], s)", "min"),
    ("s = s or a[i] > 0", "or"), ("s = s and a[i] > 0", "and"), ("s |= k[i]", "|"), ("s ^= k[i]", "^"),
    ("s &= k[i]", "&"), ("s = np.maximum(s, a[i])", "max"), ("s = max(s, a[i], k[i])", "max"),
    ("s = a[i] if a[i] > s else s", "max"), ("s = s if s < a[i] else a[i]", "min"),
    ("s = a[i] if s >= a[i] else s", "min"), ("s = s if a[i] < s else a[i]", "max"),
])
def test_update_spellings(src, op):
    s = first_stmt(f"def f(s, a, k, i):\n    {src}\n")
    u = updates.match(s)
    assert u is not None and u.op == op and show(u.target) == "s"


@pytest.mark.parametrize("src", [
    "s = a[i] - s", "s = s * s + a[i]", "s = 0.5 * s + a[i]", "s /= a[i]", "s = max(s, s * a[i])",
    "s = a[i]", "s = s + s", "s = a[i] if a[i] > s else 0.0", "s = a[i] if a[i] == s else s",
    "s = max(s, s, a[i])",
])
def test_not_updates(src):
    assert updates.match(first_stmt(f"def f(s, a, i):\n    {src}\n")) is None


@pytest.mark.parametrize("cond, op", [("a[i] < m", "min"), ("m > a[i]", "min"), ("a[i] > m", "max"),
                                      ("m < a[i]", "max"), ("a[i] <= m", "min"), ("a[i] >= m", "max")])
def test_if_min_max(cond, op):
    s = first_stmt(f"def f(m, a, i):\n    if {cond}:\n        m = a[i]\n")
    assert updates.match(s).op == op


def test_if_with_else_or_second_statement_is_not_an_update():
    assert updates.match(first_stmt("def f(m, a, i):\n    if a[i] < m:\n        m = a[i]\n    else:\n"
                                    "        m = 0\n")) is None
    assert updates.match(first_stmt("def f(m, a, i, k):\n    if a[i] < m:\n        m = a[i]\n"
                                    "        k = i\n")) is None


# ------------------------------------------------------------------ scalars

def test_exposure_follows_every_path():
    body = parse(textwrap.dedent("""
        def f(a, n, c):
            for i in range(n):
                if c:
                    t = 1
                else:
                    t = 2
                u = t
                if c:
                    v = 1
                w = v
                for j in range(n):
                    z = j
                y = z
    """)).kernels[0].body[0].body
    exposed, defined = scalars.exposure(body, {"t", "u", "v", "w", "z", "y"})
    assert set(exposed) == {"v", "z"}  # v: one branch only; z: the inner loop may not run
    assert {"t", "u", "w", "y"} <= defined and "v" not in defined


def test_live_after_sees_enclosing_loop_bodies():
    src = textwrap.dedent("""
        def f(a, n):
            for t in range(n):
                b = x + 1
                for i in range(n):
                    x = a[i]
    """)
    k = parse(src).kernels[0]
    inner = k.body[0].body[1]
    assert scalars.live_after(k.body, inner, {"x"}) == {"x"}
    assert scalars.live_after(k.body, k.body[0], {"x"}) == set()


def test_induction_requires_an_unconditional_constant_step():
    k = parse(textwrap.dedent("""
        def f(a, n, m):
            for i in range(n):
                k += 2
                q -= 1
                r += m
                if a[i]:
                    s += 1
                p += 1
                p += 1
    """)).kernels[0]
    assert scalars.induction_steps(k.body[0]) == {"k": 2, "q": -1}


# ------------------------------------------------------------------ dependence corner cases

def test_negative_indices_wrap_like_python():
    assert verdicts("""
        def f(a, n):
            for i in range(1, n):
                a[2 * i] = a[-1]
    """) == ["sequential"]


def test_unknown_start_of_induction_variable_may_wrap():
    # b[k] with an unknown k: k = -1 and k = len(b) - 1 are the same element
    got = loops("""
        def f(a, b, n, k):
            for i in range(n):
                b[k] = a[i]
                k += 1
    """)
    assert [v.verdict for v in got.values()] == ["sequential"]


def test_delinearization_needs_the_inner_index_in_range():
    got = loops("""
        def f(b, n, m):
            for i in range(n):
                for j in range(m + 1):
                    b[i * m + j] = 1.0
    """)
    assert [v.verdict for v in got.values()] == ["sequential", "parallel"]


def test_triangular_domains_are_exact():
    assert verdicts("""
        def f(a, n):
            for i in range(n):
                for j in range(i):
                    a[i, j] = a[j, i]
    """) == ["parallel", "parallel"]


def test_reasons_name_both_accesses_and_the_distance():
    (v,) = loops("""
        def f(a, n):
            for i in range(3, n):
                a[i] = a[i - 3] * 2.0
    """).values()
    (r,) = v.reasons
    assert r.code == "PL201" and r.span.line == 4
    assert "`a[i - 3]`" in r.message and "`a[i]`" in r.message and "3 iterations apart" in r.message


def test_view_of_an_array_is_not_trusted():
    assert verdicts("""
        def f(a, n):
            row = a[0]
            for i in range(1, n):
                a[i, 0] = row[i]
    """) == ["sequential"]


def test_scratch_array_is_private_only_when_fully_written_first():
    got = loops("""
        import numpy as np
        def ok(a, b, n, m):
            tmp = np.empty(m)
            for i in range(n):
                for j in range(m):
                    tmp[j] = a[i, j]
                for j in range(m):
                    b[i, j] = tmp[j]
        def partial(a, b, n, m):
            tmp = np.empty(m)
            for i in range(n):
                for j in range(1, m):
                    tmp[j] = a[i, j]
                for j in range(m):
                    b[i, j] = tmp[j]
    """)
    assert got[5].verdict == "parallel" and "tmp" in got[5].private
    assert got[12].verdict == "sequential"  # tmp[0] is read but never written


def test_opaque_code_blocks_every_enclosing_loop():
    got = loops("""
        def f(a, n):
            for i in range(n):
                for j in range(n):
                    with open("x") as fh:
                        a[i, j] = 1
    """)
    assert all(v.verdict == "sequential" and v.reasons[0].code == "PL205" for v in got.values())


def test_break_blocks_its_own_loop_only():
    got = loops("""
        def f(a, b, n):
            for i in range(n):
                for j in range(n):
                    if a[i, j] < 0:
                        break
                    b[i, j] = 1.0
    """)
    assert got[3].verdict == "parallel" and got[4].verdict == "sequential"


# ------------------------------------------------------------------ helpers and loop forms

def test_pure_helpers_are_calls_like_math():
    got = loops("""
        import numpy as np
        def sq(x):
            return x * x
        def norm(v):
            t = np.zeros(2)
            t[0] = sq(v[0])
            return t[0]
        def noisy(x):
            print(x)
            return x
        def writes(a, i):
            a[i] = 0.0
            return 1.0
        def calls_noisy(x):
            return noisy(x)
        def k(a, b, n):
            for i in range(n):
                b[i] = sq(a[i]) + norm(a)
            for i in range(n):
                b[i] = noisy(a[i])
            for i in range(n):
                b[i] = writes(a, i)
            for i in range(n):
                b[i] = calls_noisy(a[i])
    """)
    assert [got[line].verdict for line in (18, 20, 22, 24)] == ["parallel"] + ["sequential"] * 3


def test_element_loops_report_the_name_the_user_wrote():
    got = loops("""
        def k(a, b, c):
            s = 0.0
            for x, y in zip(a, b):
                s += x * y
            for i, (x, y) in enumerate(zip(a, b)):
                c[i] = x * y
            for i in reversed(range(1, len(a))):
                a[i] = a[i - 1]
            return s
    """)
    assert got[4].loop.display == "x, y" and got[4].reductions == (("+", "s"),)
    assert got[6].verdict == "parallel" and got[6].private == ()
    assert got[8].verdict == "sequential"


def test_method_of_a_row_is_a_read_of_the_row():
    got = loops("""
        def k(a, b, n):
            for i in range(n):
                b[i] = a[i].sum()
            for i in range(1, n):
                a[i].fill(a[i - 1].max())
    """)
    assert got[3].verdict == "parallel" and got[5].verdict == "sequential"
