"""Random Python kernels beyond affine nests, and a permuted-iteration oracle for verdicts.

The generator writes small kernels with the constructs that broke "parallel" before:
attribute views (`c.T[...]`, `x.real[...]`), `or`/`and` over non-booleans, `continue`,
inner-loop variables reused after the loop, the loop variable read after the loop, scratch
arrays, index arrays, integer and float data.

The oracle does not trust the analysis. For a loop judged `parallel` or `reduction` it
rewrites that loop (with Python's own `ast`) so that it runs as a parallel loop may:

- iterations in a permuted order;
- each private name poisoned (None, or a NaN/-77777-filled copy for arrays) at the start
  of every iteration, so a private that is really read before it is written shows;
- induction variables set from the iteration's position, as a parallel loop computes them;
- after the loop: last-private names take the value of the last iteration in source order,
  and every other name the loop assigned is poisoned, so a missing last value shows.

A verdict is unsafe when the rewritten function differs from the original on an input where
the original runs without raising.
"""
from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

ARRAYS_1D = ("a", "b")
# `v`: a view of a parameter, or new memory (NumPy's results and arithmetic)
VIEWS = ("v = a[1:]", "v = a[::-1]", "v = np.reshape(c, -1)", "v = np.ravel(c)", "v = c.T[0]",
         "v = np.asarray(b)", "v = c[1]", "v = x.real", "v = a + b", "v = np.less(a, b)",
         "v = np.sqrt(np.abs(a))", "v = b.reshape(-1)", "v = b", "v = np.zeros(n + 2)")
PARAMS = "a, b, c, x, idx, n, m"


# ------------------------------------------------------------------ the generator

@dataclass(frozen=True)
class Scope:
    inner: bool  # inside the inner `for j` loop


def _sub(draw, scope: Scope) -> str:
    choices = ["i", "i + 1", "i - 1", "-1", "0", "2", "idx[i]", "i // 2", "i % 3", "n - 1 - i", "2 * i",
               "-i", "k"]
    if scope.inner:
        choices += ["j", "j + i", "i + j + 1"]
    return draw(st.sampled_from(choices))


def _read(draw, scope: Scope) -> str:
    kind = draw(st.sampled_from(["a", "b", "c", "cT", "real", "scalar", "const", "index", "v"]))
    if kind in ARRAYS_1D or kind == "v":
        return f"{kind}[{_sub(draw, scope)}]"
    if kind == "c":
        return f"c[{_sub(draw, scope)}, {_sub(draw, scope)}]"
    if kind == "cT":
        return f"c.T[{_sub(draw, scope)}, {_sub(draw, scope)}]"
    if kind == "real":
        return f"x.real[{_sub(draw, scope)}]"
    if kind == "scalar":
        return draw(st.sampled_from(["s", "t", "u"]))
    if kind == "index":
        return draw(st.sampled_from(["i", "j"] if scope.inner else ["i"]))
    return draw(st.sampled_from(["2", "1", "0"]))


def _expr(draw, scope: Scope) -> str:
    left = _read(draw, scope)
    form = draw(st.sampled_from(["plain", "+", "*", "==", "sum"]))
    if form == "plain":
        return left
    if form == "sum":
        return draw(st.sampled_from(["np.sum(a)", "np.sum(c[i, :])", "np.sum(b[:i])", "np.sum(a[i + 1:])",
                                     "np.sum(c[:i, i])", "np.sum(c[i, :i])", "np.sum(a[-2:])", "np.sum(b[:-1])",
                                     "np.sum(a[i::2])", "np.sum(b[::-1][:i])", "np.sum(c[i:, i - 1])",
                                     "np.sum(a[n - i:])"]))
    right = _read(draw, scope)
    return f"({left} == {right})" if form == "==" else f"{left} {form} {right}"


def _cond(draw, scope: Scope) -> str:
    var = "j" if scope.inner and draw(st.booleans()) else "i"
    return draw(st.sampled_from([f"{var} % 2 == 0", f"{var} % 3 == 1", f"a[{var}] > 0",
                                 f"b[{var}] == 2", f"{var} == n - 1"]))


def _stmt(draw, scope: Scope, depth: int) -> list[str]:
    kinds = ["write", "update", "scalar", "reduce", "boolop", "continue", "if", "view", "tmp",
             "slice", "row", "carried", "while", "alias", "in_place"]
    if not scope.inner and depth == 0:
        kinds.append("inner")
    kind = draw(st.sampled_from(kinds))
    if kind == "write":
        target = draw(st.sampled_from(["a", "b", "c"]))
        sub = f"{_sub(draw, scope)}, {_sub(draw, scope)}" if target == "c" else _sub(draw, scope)
        return [f"{target}[{sub}] = {_expr(draw, scope)}"]
    if kind == "update":
        op = draw(st.sampled_from(["+=", "*=", "-="]))
        return [f"{draw(st.sampled_from(ARRAYS_1D))}[{_sub(draw, scope)}] {op} {_expr(draw, scope)}"]
    if kind == "scalar":
        return [f"{draw(st.sampled_from(['t', 'u']))} = {_expr(draw, scope)}"]
    if kind == "reduce":
        form = draw(st.sampled_from(["s += {e}", "s = max(s, {e})", "s = s + {e}", "k += 1"]))
        return [form.format(e=_expr(draw, scope))]
    if kind == "boolop":
        op = draw(st.sampled_from(["or", "and"]))
        operand = draw(st.sampled_from([_read(draw, scope), _cond(draw, scope), "i"]))
        return [f"fl = fl {op} {operand}"]
    if kind == "continue":
        return [f"if {_cond(draw, scope)}:", "    continue"]
    if kind == "if":
        body = _stmt(draw, scope, depth + 1) if depth < 2 else ["t = 1"]
        return [f"if {_cond(draw, scope)}:"] + ["    " + line for line in body]
    if kind == "view":
        return [draw(st.sampled_from([
            f"c.T[{_sub(draw, scope)}, {_sub(draw, scope)}] = {_expr(draw, scope)}",
            f"x.real[{_sub(draw, scope)}] = {_expr(draw, scope)}",
            f"x.imag[{_sub(draw, scope)}] += {_expr(draw, scope)}",
            f"c.flat[{_sub(draw, scope)}] = {_expr(draw, scope)}",
            f"a.T[{_sub(draw, scope)}] = {_expr(draw, scope)}"]))]
    if kind == "slice":
        return [draw(st.sampled_from([f"a[i:i + 2] = {_expr(draw, scope)}",
                                      f"c[i, :] = {_expr(draw, scope)}",
                                      "b[:i] += 1", f"c[i, i:] = {_expr(draw, scope)}",
                                      f"c[i:, i] = c[i, i:] = {_expr(draw, scope)}",
                                      f"a[i + 1:] = {_expr(draw, scope)}", f"b[-1:] = {_expr(draw, scope)}",
                                      f"a[i::3] = {_expr(draw, scope)}", f"b[::-1][i:i + 1] = {_expr(draw, scope)}",
                                      f"c[:i, i] = {_expr(draw, scope)}"]))]
    if kind == "row":
        return ["row = c[i]", f"row[{_sub(draw, scope)}] = {_expr(draw, scope)}"]
    if kind == "carried":
        return [draw(st.sampled_from(["t = t + 1", "s, t = t, s", "u = u * 2 + i"]))]
    if kind == "in_place":  # updates every element; binds nothing
        return [draw(st.sampled_from(["a *= 2", "b -= 1", "c += 1", "v *= 2", f"v[{_sub(draw, scope)}] = 1"]))]
    if kind == "alias":  # a copy makes two names one array; a swap keeps them two
        return [draw(st.sampled_from(["b = a", "a = b", "a, b = b, a"]))]
    if kind == "while":
        return ["w = 0", "while w < 2:", "    w += 1", f"    t = {_expr(draw, scope)}"]
    if kind == "tmp":
        return [draw(st.sampled_from([f"tmp[{_sub(draw, scope)}] = {_expr(draw, scope)}",
                                      f"b[i] = tmp[{_sub(draw, scope)}]"]))]
    inner = Scope(True)
    body = [line for _ in range(draw(st.integers(1, 3))) for line in _stmt(draw, inner, depth + 1)]
    return ["for j in range(m):"] + ["    " + line for line in body]


@st.composite
def kernels(draw) -> str:
    """The source of one kernel `f(a, b, c, x, idx, n, m)`."""
    scope = Scope(False)
    init = []
    for name, value in (("s", "0"), ("t", "0"), ("u", "0"), ("k", "0"), ("fl", "0"), ("j", "0"),
                        ("w", "0"), ("row", "a")):
        if draw(st.integers(0, 4)):  # usually initialized: a name read unset only raises
            init.append(f"{name} = {value}")
    init.append("tmp = np.zeros(n + m + 2)")
    init += [draw(st.sampled_from(["", "", "b = a", "a, b = b, a"]))]
    init += [draw(st.sampled_from(VIEWS)), draw(st.sampled_from(["", "", "a *= 2", "v -= 1"]))]
    lower = draw(st.sampled_from(["0", "1"]))
    body = [line for _ in range(draw(st.integers(1, 4))) for line in _stmt(draw, scope, 0)]
    tail = draw(st.sampled_from(["s", "t", "u", "k", "fl", "i", "j", "None", "(s, t)", "tmp[0]",
                                 "w", "row"]))
    lines = ["def f(a, b, c, x, idx, n, m):", *("    " + line for line in init if line),
             f"    for i in range({lower}, n):", *("        " + line for line in body),
             f"    return {tail}"]
    return "import numpy as np\n\n\n" + "\n".join(lines) + "\n"


# ------------------------------------------------------------------ the inputs

def make_inputs(seed: int, integer: bool) -> list:
    """Arguments for `f`, with extents of the sizes themselves, +1 and +2 (so that `-1`
    can meet a loop index), and integer data with small values (so `b[i] == 2` holds)."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(0, 7)), int(rng.integers(0, 4))
    length = n + int(rng.integers(0, 3)) + (m if rng.integers(0, 2) else 0)
    if integer:
        def data(shape):
            return rng.integers(-3, 4, size=shape).astype(np.int64)
    else:
        def data(shape):
            return np.round(rng.normal(size=shape) * 2, 2)
    a, b, c = data(length), data(length), data((length, length))
    x = (data(length) + 1j * data(length)).astype(np.complex128)
    idx = rng.integers(0, max(n, 1), size=max(length, 1)).astype(np.int64)
    return [a, b, c, x, idx, n, m]


# ------------------------------------------------------------------ the oracle

def assigned(node: ast.AST) -> set[str]:
    """Every name a statement binds, nested loops' variables included."""
    out: set[str] = set()
    for x in ast.walk(node):
        if isinstance(x, ast.Name) and isinstance(x.ctx, ast.Store):
            out.add(x.id)
    return out


@dataclass(frozen=True)
class Claim:
    """What the analysis said about one loop."""

    line: int
    private: tuple[str, ...]
    lastprivate: tuple[str, ...]
    reductions: tuple[str, ...]
    induction: tuple[tuple[str, int], ...]


def _parallel_loop(loop: ast.For, claim: Claim) -> list[ast.stmt]:
    var = loop.target.id
    body = textwrap.indent(ast.unparse(loop.body), " " * 8)
    lasts = claim.lastprivate
    after = sorted((assigned(loop) | {var}) - set(claim.reductions) - set(lasts)
                   - {n for n, _ in claim.induction})
    lines = [f"__its = list({ast.unparse(loop.iter)})", "__n = len(__its)"]
    for p in claim.private:
        lines += ["try:", f"    __orig_{p} = {p}", "except NameError:", f"    __orig_{p} = None"]
    for n, _ in claim.induction:  # unset before a loop that never runs is no one's business
        lines += ["try:", f"    __k0_{n} = {n}", "except NameError:", f"    __k0_{n} = None"]
    lines.append("for __k in __order(__n):")
    lines.append(f"    {var} = __its[__k]")
    lines += [f"    {p} = __poisoned(__orig_{p})" for p in claim.private]
    lines += [f"    {n} = __k0_{n} + {step} * __k" for n, step in claim.induction]
    lines += ["    try:", body, "    finally:", "        if __k == __n - 1:"]
    lines += [f"            __last_{n} = {n}" if n in assigned(loop) | {var} else "            pass"
              for n in lasts] or ["            pass"]
    lines.append("if __n:")
    lines += [f"    {n} = None" for n in after]
    lines += [f"    {n} = __last_{n}" for n in lasts]
    # a privatized scratch array is the caller's array again after the loop; a name the
    # loop rebinds (`b = a`) is a private scalar, whatever it holds
    lines += [f"    if isinstance(__orig_{p}, np.ndarray):\n        {p} = __orig_{p}" for p in claim.private
              if p not in assigned(loop)]
    lines += [f"    {n} = __k0_{n} + {step} * __n" for n, step in claim.induction]
    lines.append("    pass")
    return ast.parse("\n".join(lines)).body


class _Rewrite(ast.NodeTransformer):
    def __init__(self, claim: Claim):
        self.claim = claim

    def visit_For(self, node: ast.For):
        self.generic_visit(node)
        if node.lineno == self.claim.line:
            return _parallel_loop(node, self.claim)
        return node


def parallel_version(source: str, claim: Claim) -> str:
    tree = _Rewrite(claim).visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree))


def _poisoned(value):
    if isinstance(value, np.ndarray):
        fill = np.nan if value.dtype.kind in "fc" else -77777
        return np.full_like(value, fill)
    return None


def orders(n: int, seed: int) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    return [list(range(n - 1, -1, -1)), list(rng.permutation(n)),
            list(range(1, n, 2)) + list(range(0, n, 2))]


def run(source: str, args: list, order=None):
    """(arguments after the call, result) or the exception's type name."""
    namespace: dict = {"np": np, "__poisoned": _poisoned, "__order": order or (lambda n: range(n))}
    exec(compile(source, "<kernel>", "exec"), namespace)  # noqa: S102 - generated by the test
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    try:
        with np.errstate(all="ignore"):
            result = namespace["f"](*args)
    except Exception as err:  # noqa: BLE001 - raising is an outcome to compare
        return type(err).__name__
    return args, result


def same(expected, got) -> bool:
    if isinstance(expected, str) or isinstance(got, str):
        return expected == got
    (ea, er), (ga, gr) = expected, got
    return all(_equal(e, g) for e, g in zip(ea + [er], ga + [gr]))


def _equal(e, g) -> bool:
    if isinstance(e, tuple) and isinstance(g, tuple):
        return len(e) == len(g) and all(_equal(x, y) for x, y in zip(e, g))
    if e is None or g is None:
        return e is g
    try:
        ea, ga = np.asarray(e), np.asarray(g)
        if ea.shape != ga.shape:
            return False
        if ea.dtype.kind in "fc" or ga.dtype.kind in "fc":
            return bool(np.allclose(ea, ga, rtol=1e-9, atol=1e-9, equal_nan=True))
        return bool(np.array_equal(ea, ga))
    except (TypeError, ValueError):
        return e == g
